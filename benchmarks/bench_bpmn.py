"""BPMN benchmarks (issues 5 and 13).

    .venv/bin/python benchmarks/bench_bpmn.py [--quick]

0. Reading tests/corpus/bpmn-more/ (bpmn-js' and SpiffWorkflow's test files, and those the XSDs
   reject), all files one after another, in one run: our reader against a bare
   ``lxml.etree.fromstring`` of the same texts (ours / lxml: the cost above parsing; target ≤ 3)
   and against bpmn-moddle's ``fromXML`` in node, warmed (moddle / ours: target ≥ 4). CPU time
   (``time.process_time``), best of the repeats, the two Python sides interleaved so that a noisy
   neighbour weighs on both alike.
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
MORE = ROOT / "tests" / "corpus" / "bpmn-more"
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


def reading_more(repeat: int) -> None:
    from lxml import etree

    files = sorted(MORE.glob("*/*.bpmn"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True,
                             collect_ids=False)

    def bare() -> None:
        for text in texts:
            try:
                etree.fromstring(text.lstrip().encode("utf-8"), parser)
            except etree.XMLSyntaxError:
                pass

    def ours() -> None:
        for text in texts:
            read_bpmn(text)

    bare()
    ours()
    best = {"lxml": math.inf, "ours": math.inf}
    for _ in range(repeat):
        for name, function in (("lxml", bare), ("ours", ours)):
            gc.collect()
            start = time.process_time()
            function()
            best[name] = min(best[name], time.process_time() - start)
    node = subprocess.run(["node", str(ROOT / "benchmarks" / "bench_bpmn_moddle.mjs"), str(repeat), "--all",
                           *map(str, files)], capture_output=True, text=True, check=True)
    moddle = json.loads(node.stdout)["all"] / 1000
    print(f"0. reading all {len(files)} files of tests/corpus/bpmn-more/ one after another, best of {repeat} "
          f"(CPU time):")
    print(f"   lxml.etree.fromstring {best['lxml'] * 1000:8.1f} ms")
    print(f"   our reader            {best['ours'] * 1000:8.1f} ms   ours / lxml   = {best['ours'] / best['lxml']:.2f}"
          "  (target <= 3)")
    print(f"   bpmn-moddle fromXML   {moddle * 1000:8.1f} ms   moddle / ours = {moddle / best['ours']:.2f}"
          "  (target >= 4)")


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
    reading_more(repeat)
    reading(repeat)
    writing(repeat, sizes)


if __name__ == "__main__":
    main()
