"""Where one worker's GIL time goes under 32 callers, ConvertDiagram against Echo (issue 13).

py-spy samples the worker of a ``--workers 1`` server for 10 s at 200 Hz while 32 callers keep it
busy, with ``--gil`` (only the thread holding the GIL is sampled, so a thread waiting for the GIL
is not counted as work). Prints, per method, the frames with the most samples of their own and
the milliseconds of GIL time per call they stand for.

py-spy is a measuring tool, not a dependency of the project: ``pip install py-spy`` into any
environment and pass its path (``--py-spy``) or have it on PATH.

    .venv/bin/python benchmarks/profile_service.py [--py-spy PATH] [--seconds 10] [-- server flags]
"""
from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_service as bench  # noqa: E402
from server.testing import ServerProcess  # noqa: E402

RATE = 200  # samples per second: one sample stands for 5 ms of GIL time


def record(py_spy: str, pid: int, out: Path, seconds: float) -> None:
    subprocess.run([py_spy, "record", "--pid", str(pid), "--rate", str(RATE), "--duration", str(int(seconds)),
                    "--format", "raw", "--output", str(out), "--nonblocking", "--gil"], check=True, capture_output=True)


def own_samples(path: Path) -> tuple[int, collections.Counter]:
    """Samples in all, and per innermost frame (py-spy's raw format: ``frame;frame;... count``)."""
    own: collections.Counter = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        total += int(count)
        own[stack.split(";")[-1]] += int(count)
    return total, own


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--py-spy", default=shutil.which("py-spy"), help="the py-spy executable")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("server_flags", nargs="*")
    args = parser.parse_args()
    if not args.py_spy:
        parser.error("py-spy not found: pip install py-spy, then pass --py-spy PATH")
    target = bench.target_format()
    with ServerProcess("--enable-echo", "--workers", "1", *args.server_flags) as server, \
            tempfile.TemporaryDirectory() as tmp:
        worker = bench.server_processes(server.pid)["worker"][0].pid
        for method in (bench.CONVERT, bench.ECHO):  # warm-up
            bench.run_phase(server.address, method, bench.payload(method, target), 32, 2.0, 2)
        for name, method in (("ConvertDiagram", bench.CONVERT), ("Echo", bench.ECHO)):
            out = Path(tmp) / f"{name}.txt"
            spy = threading.Thread(target=record, args=(args.py_spy, worker, out, args.seconds))
            spy.start()
            phase = bench.run_phase(server.address, method, bench.payload(method, target), 32, args.seconds + 2, 2)
            spy.join()
            total, own = own_samples(out)
            calls = phase["rps"] * args.seconds
            print(f"== {name}: {phase['rps']:.0f} calls/s; GIL held {total / RATE / args.seconds:.0%} of the time, "
                  f"{total * 1000 / RATE / calls:.3f} ms per call")
            for frame, count in own.most_common(args.top):
                print(f"  {count / total:6.1%}  {count * 1000 / RATE / calls:6.3f} ms/call  {frame[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
