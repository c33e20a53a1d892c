"""Every figure of issue 13's table, in one run, as one table of ratios.

    .venv/bin/python benchmarks/bench_all.py [--quick] [--no-service]

Each row is measured in this run, on this machine, against its baseline measured in the same run
(so that a busy machine slows both). The rows come from the benchmark scripts beside this one:
a script that has them exposes ``issue13_rows(quick) -> list[Row]``; bench_core's rows are built
here from its functions. A script without that function is run as it is (``--quick``) and its
output shown below the table, so that nothing of the table is missing silently.

``--quick``: fewer repeats, and the growth rows from 500 to 5,000 nodes instead of 5,000 to
50,000. Final figures are taken on a quiet machine (benchmarks/RESULTS.md).
"""
from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


@dataclass
class Row:
    what: str
    value: float  # the measured ratio
    target: str  # as the issue states it ("<= 0.19x")
    met: bool | None  # None: no target to check here
    detail: str = ""  # the two timings the ratio comes from


def core_rows(quick: bool) -> list[Row]:
    import bench_core

    ours, bare = bench_core.against_lark(300 if quick else 3000)
    ratio = ours / bare
    rows = [Row("FlowZap -> FlowZap of the reference vs a bare lark LALR parse", ratio, "<= 0.19x", ratio <= 0.19,
                f"{ours * 1e3:.3f} ms vs {bare * 1e3:.3f} ms")]
    small = 500 if quick else 5000
    for what, before, after in bench_core.growth_rows(small):
        growth = after / before
        rows.append(Row(f"{what}, {small:,} -> {small * 10:,} nodes", growth, "<= 11x", growth <= 11,
                        f"{before * 1e3:.1f} ms -> {after * 1e3:.1f} ms"))
    return rows


# The other scripts' rows (issue 13: Mermaid reader vs mermaid.parse; BPMN reader vs lxml and
# bpmn-moddle; ConvertDiagram vs echo; Mermaid read at 5,000 and 50,000 nodes).
SCRIPTS = ["bench_mermaid", "bench_bpmn", "bench_service"]


def script_rows(name: str, quick: bool) -> tuple[list[Row], str | None]:
    """The script's rows, or (when it exposes none) its own output from a --quick run."""
    try:
        module = importlib.import_module(name)
    except Exception as error:  # a script that cannot even load is reported, not fatal
        return [], f"{name}: cannot be imported ({type(error).__name__}: {error})"
    rows_of = getattr(module, "issue13_rows", None)
    if rows_of is not None:
        return [row if isinstance(row, Row) else Row(*row) for row in rows_of(quick)], None
    script = ROOT / "benchmarks" / f"{name}.py"
    command = [sys.executable, str(script)]
    if quick and '"--quick"' in script.read_text(encoding="utf-8"):
        command.append("--quick")
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=3600)
    output = run.stdout + (f"\n(exit {run.returncode}) {run.stderr[-2000:]}" if run.returncode else "")
    shown = " ".join(Path(part).name for part in command[1:])
    return [], f"--- {shown} (no issue13_rows(); its own output) ---\n{output.rstrip()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats; growth from 500 to 5,000 nodes")
    parser.add_argument("--no-service", action="store_true", help="leave out bench_service (it starts a server)")
    args = parser.parse_args()
    rows = core_rows(args.quick)
    others = []
    for name in SCRIPTS:
        if name == "bench_service" and args.no_service:
            continue
        found, output = script_rows(name, args.quick)
        rows.extend(found)
        if output:
            others.append(output)
    print(f"python {sys.version.split()[0]}{' (quick)' if args.quick else ''}")
    width = max(len(row.what) for row in rows)
    print(f"{'what':<{width}}  {'ratio':>8}  {'target':>9}  met  detail")
    for row in rows:
        met = {True: "yes", False: "NO", None: "-"}[row.met]
        print(f"{row.what:<{width}}  {row.value:>7.2f}x  {row.target:>9}  {met:>3}  {row.detail}")
    for output in others:
        print()
        print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
