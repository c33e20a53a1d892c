"""Why a writer or reader grows more than 10x from 5,000 to 50,000 nodes: instructions and
simulated cache misses (valgrind's callgrind with its cache simulator, the same simulator as
cachegrind) of one write (or read of the written text) through the public API, at both sizes,
counted alone (collection toggled on ``builtin_eval``).

    .venv/bin/python benchmarks/bench_growth_cache.py [--formats flowzap,bpmn,plantuml,mermaid,yaml]
        [--steps write,read] [--sizes 5000,50000] [--levels L2,L3] [--keep DIR]

``--keep DIR`` keeps callgrind's output of each run (``DIR/<format>-<step>-<size>-<level>.out``)
for ``callgrind_annotate``: the C functions of the interpreter (dict look-ups, the allocator, the
cyclic collector) whose misses grow more than 10x.

Instruction counts grow 10x for a linear writer; what grows more is memory traffic: the model of
50,000 nodes does not fit the L2 cache, so every pass over it and every dict keyed by id misses. The
simulated caches are this machine's (``/sys/devices/system/cpu/cpu0/cache``): D1 32 KiB 8-way, and
the last level simulated twice, as the 512 KiB 8-way L2 and as the 32 MiB 16-way L3. Deterministic:
the figures do not depend on the machine's load (they are not times).

The growth measure is the L2 row (LL misses and Ir, each <= 11x is issue 13's target): at 5,000 nodes
the whole working set fits the simulated L3 once warmed, so its L3 misses are a few thousand and the
L3 ratio (hundreds or thousands) says nothing; the L3 row's 50,000-node count says how many misses
reach memory."""
from __future__ import annotations

import argparse
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEVELS = {"L2": "524288,8,64", "L3": "33554432,16,64"}
D1 = "32768,8,64"


def worker(fmt: str, step: str, count: int) -> None:
    """Runs under valgrind: a warm-up of a small model, then the counted write or read."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    from converters import read_with_diagnostics, write_with_diagnostics

    def work_on(model):
        if step == "write":
            return lambda: write_with_diagnostics(model, fmt)
        text = write_with_diagnostics(model, fmt)[0]
        # 50,000 BPMN nodes are past the library's default size limit: a benchmark lifts it (bench_core.py)
        return lambda: read_with_diagnostics(text, fmt, max_bytes=None)

    work_on(generate(50))()
    work = work_on(generate(count))
    # Simulate from here only (the model's generation runs at full speed), with one run to warm
    # the simulated caches as the benchmark's repeated runs warm the real ones; then the counted one.
    subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], check=True, capture_output=True)
    work()
    eval("work()", {"work": work})


def measure(fmt: str, step: str, count: int, level: str, keep: str | None) -> dict[str, int]:
    out = str(Path(keep) / f"{fmt}-{step}-{count}-{level}.out") if keep else "/dev/null"
    command = ["valgrind", "--tool=callgrind", "--cache-sim=yes", f"--D1={D1}", f"--LL={LEVELS[level]}",
               "--instr-atstart=no", "--collect-atstart=no", "--toggle-collect=builtin_eval", f"--callgrind-out-file={out}",
               sys.executable, __file__, "--worker", fmt, "--step", step, "--count", str(count)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : ([\d ]+)", result.stderr)
    if not found:
        raise SystemExit(f"no counts in valgrind's output:\n{result.stderr[-2000:]}")
    # callgrind's event order with --cache-sim=yes: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
    values = [int(v) for v in found.group(1).split()]
    names = ("Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw")
    return dict(zip(names, values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--formats", default="flowzap,bpmn,plantuml,mermaid,yaml")
    parser.add_argument("--steps", default="write,read", help="write, read or both (a read reads the written text)")
    parser.add_argument("--keep", help="a folder for callgrind's output files (default: none kept)")
    parser.add_argument("--sizes", default="5000,50000")
    parser.add_argument("--levels", default="L2,L3", help="which last level to simulate: L2, L3 or both")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.step, args.count)
        return
    small, large = (int(s) for s in args.sizes.split(","))
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
    print(f"one write or read through the public API, callgrind --cache-sim=yes, D1 {D1}; per row {small:,} -> {large:,} nodes")
    print(f"{'what':20} {'Ir':>22} {'D refs':>22} {'D1 misses':>20} {'LL misses':>20}")
    for fmt, step, level in itertools.product(args.formats.split(","), args.steps.split(","), args.levels.split(",")):
        a, b = (measure(fmt, step, count, level, args.keep) for count in (small, large))
        cells = []
        for keys in (("Ir",), ("Dr", "Dw"), ("D1mr", "D1mw"), ("DLmr", "DLmw")):
            x, y = sum(a[k] for k in keys), sum(b[k] for k in keys)
            if x >= 1e5:
                cells.append(f"{x / 1e6:7.1f}M {y / 1e6:7.1f}M {y / x:5.2f}x")
            else:
                cells.append(f"{x / 1e3:6.0f}k {y / 1e3:7.0f}k {y / max(x, 1):5.2f}x")
        print(f"{fmt + ' ' + step + ' LL=' + level:20} " + " ".join(cells), flush=True)


if __name__ == "__main__":
    main()
