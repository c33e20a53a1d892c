"""BPMN benchmarks (issue 5).

    .venv/bin/python benchmarks/bench_bpmn.py [--quick]

1. Reading: our BPMN reader (text → model, every check included) against bpmn-moddle's
   ``fromXML`` (node, warmed) on every file of tests/corpus/bpmn/, in one run: median time
   per file and the ratio moddle / ours (> 1: ours is faster).
2. Writing: FlowZap → BPMN with full DI for the reference example, and model → BPMN for generated
   diagrams of 1,000 to 20,000 nodes (5,000 among them), with the growth per doubling (a linear
   writer grows about 2x; a quadratic step would show 4x).

Needs the BPMN oracle's node packages for part 1 (bash tests/oracles/bpmn/install.sh).
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from converters import read, write_with_diagnostics  # noqa: E402
from converters.bpmn.reader import read as read_bpmn  # noqa: E402
from converters.bpmn.writer import write as write_bpmn  # noqa: E402
from generate import generate  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "bpmn"
REFERENCE = ROOT / "tests" / "corpus" / "flowzap" / "00_seed_auth_flow.fz"
if not REFERENCE.exists():
    REFERENCE = ROOT / "examples" / "auth_flow.fz"
WRITER_OPTIONS = {"pools": "auto", "structure": "bpmnlint", "executable": "auto"}


def median_ms(function, repeat: int, warmup: int) -> float:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def reading(repeat: int) -> None:
    files = sorted(CORPUS.glob("*.bpmn"))
    texts = {str(f): f.read_text(encoding="utf-8") for f in files}
    node = subprocess.run(["node", str(ROOT / "benchmarks" / "bench_bpmn_moddle.mjs"), str(repeat), *texts],
                          capture_output=True, text=True, check=True)
    moddle = json.loads(node.stdout)
    rows = []
    for path, text in texts.items():
        ours = median_ms(lambda: read_bpmn(text), repeat, warmup=10)
        rows.append((Path(path).name, len(text.encode()), ours, moddle[path]))
    print(f"1. reading the {len(rows)} files of the BPMN corpus: median of {repeat} after warm-up, one run")
    print(f"   {'file':58} {'bytes':>8} {'ours ms':>8} {'moddle ms':>9} {'ratio':>6}")
    for name, size, ours, theirs in rows:
        print(f"   {name[:58]:58} {size:8d} {ours:8.3f} {theirs:9.3f} {theirs / ours:6.1f}")
    ratios = [theirs / ours for _, _, ours, theirs in rows]
    total_ours = sum(r[2] for r in rows)
    total_moddle = sum(r[3] for r in rows)
    print(f"   ratio moddle/ours: geometric mean {math.exp(statistics.mean(map(math.log, ratios))):.1f}, "
          f"median {statistics.median(ratios):.1f}, min {min(ratios):.1f}, max {max(ratios):.1f}; "
          f"all files: ours {total_ours:.1f} ms, moddle {total_moddle:.1f} ms")
    largest = max(rows, key=lambda r: r[1])
    print(f"   largest file {largest[0]} ({largest[1]:,} bytes): ours {largest[2]:.2f} ms, moddle {largest[3]:.2f} ms")


def writing(repeat: int, sizes: list[int]) -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    diagram = read(text, "flowzap")
    convert = median_ms(lambda: write_with_diagnostics(read(text, "flowzap"), "bpmn"), repeat * 10, warmup=50)
    alone = median_ms(lambda: write_bpmn(diagram, WRITER_OPTIONS), repeat * 10, warmup=50)
    output = write_bpmn(diagram, WRITER_OPTIONS)[0]
    print(f"2. FlowZap -> BPMN with DI, reference example {REFERENCE.name} ({len(text.encode())} bytes -> "
          f"{len(output.encode()):,} bytes of BPMN), median of {repeat * 10}:")
    print(f"   FlowZap text -> BPMN text (API: read, model checks, write): {convert:.2f} ms")
    print(f"   model -> BPMN (writer alone: plan, layout, routes, XML):    {alone:.2f} ms")
    print(f"   generated diagrams (benchmarks/generate.py), model -> BPMN with DI through the API (model checks\n"
          f"   and the collector pause of converters/gcpause.py included), median of {repeat}:")
    print(f"   {'nodes':>7} {'edges':>7} {'BPMN bytes':>11} {'write ms':>9} {'us/node':>8} {'growth':>16}")
    previous = None
    for size in sizes:
        model = generate(size)
        elapsed = median_ms(lambda: write_with_diagnostics(model, "bpmn"), repeat, warmup=1)
        size_bytes = len(write_bpmn(model, WRITER_OPTIONS)[0].encode())
        growth = ""
        if previous is not None:
            factor = elapsed / previous[1]
            growth = f"{factor:.2f} (x{size / previous[0]:.1f} nodes)"
        print(f"   {size:7d} {len(model.edges):7d} {size_bytes:11,d} {elapsed:9.1f} {elapsed * 1000 / size:8.1f} {growth:>15}")
        previous = (size, elapsed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats, sizes up to 5,000")
    args = parser.parse_args()
    repeat = 5 if args.quick else 21
    sizes = [1000, 2000, 5000] if args.quick else [1000, 2000, 5000, 10000, 20000]
    print(f"python {platform.python_version()}, node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}")
    reading(repeat)
    writing(repeat, sizes)


if __name__ == "__main__":
    main()
