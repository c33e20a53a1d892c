"""Migration benchmark (issue 12): ``flowzap-convert migrate`` on generated trees of diagrams the
size of the reference example (FlowZap → Mermaid).

    .venv/bin/python benchmarks/bench_migrate.py            # 10,000 files (several minutes)
    .venv/bin/python benchmarks/bench_migrate.py --quick    # 1,000 files, to check the script

Measures, in one run, with the command run as users run it (a subprocess, ``--quiet``):
- files per second locally with ``--jobs 1`` and ``--jobs 2`` (target: ≥ 1.8× with two on a
  2-core machine);
- files per second in remote mode against two local servers (``--workers 1`` each; target:
  ≥ 0.8× the local ``--jobs 2`` rate);
- peak memory (VmHWM) of the migrate process itself and of its largest worker, at 1,000 and at
  10,000 files (200 and 1,000 with --quick): it must not grow with the number of files.

Every run starts from an empty DST (a new state file); the tree is generated once in a temporary
folder (``--keep`` keeps it).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.testing import ServerProcess
from tests.migrate_trees import command, generated_tree


def peak_kib(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in KiB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as file:
            return [int(p) for p in file.read().split()]
    except OSError:
        return []


def run_migrate(src: Path, dst: Path, *args: str) -> dict:
    """One run: wall time, files/s, peak memory of the parent and of its largest child."""
    shutil.rmtree(dst, ignore_errors=True)
    files = sum(len(f) for _, _, f in os.walk(src))
    started = time.perf_counter()
    process = subprocess.Popen(command("migrate", src, dst, "--to", "mermaid", "--quiet", *args),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    parent_peak = worker_peak = 0
    while process.poll() is None:
        parent_peak = max(parent_peak, peak_kib(process.pid))
        for child in children(process.pid):
            worker_peak = max(worker_peak, peak_kib(child))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read()
    if process.returncode != 0:
        raise RuntimeError(f"migrate {' '.join(args)} exited {process.returncode}: {stderr[-2000:]}")
    return {"files": files, "seconds": seconds, "rate": files / seconds, "parent_mib": parent_peak / 1024,
            "worker_mib": worker_peak / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 files: check that the script runs")
    parser.add_argument("--files", type=int, help="files for the rate measurements (default 10,000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated trees")
    args = parser.parse_args()
    files = args.files or (1000 if args.quick else 10_000)
    small = 200 if args.quick else 1000
    work = Path(tempfile.mkdtemp(prefix="bench-migrate-"))
    print(f"# migrate benchmark: {files} files (reference-size FlowZap → Mermaid), {platform.python_version()}, "
          f"{len(os.sched_getaffinity(0))} CPUs")
    try:
        src = generated_tree(work / "src", files, pages_every=0)
        small_src = generated_tree(work / "small", small, pages_every=0)
        dst = work / "dst"
        run_migrate(small_src, dst, "--jobs", "2")  # warm-up: page cache, imports
        one = run_migrate(src, dst, "--jobs", "1")
        two = run_migrate(src, dst, "--jobs", "2")
        print(f"local --jobs 1: {one['rate']:8.1f} files/s ({one['seconds']:.1f} s)")
        print(f"local --jobs 2: {two['rate']:8.1f} files/s ({two['seconds']:.1f} s)  "
              f"speed-up {two['rate'] / one['rate']:.2f}x (target >= 1.8x)")
        servers = [ServerProcess("--workers", "1", "--log-level", "warning").start() for _ in range(2)]
        try:
            server_args = [a for s in servers for a in ("--server", s.address)]
            remote = run_migrate(src, dst, *server_args)
        finally:
            for server in servers:
                server.stop()
        print(f"remote, 2 servers: {remote['rate']:8.1f} files/s ({remote['seconds']:.1f} s)  "
              f"{remote['rate'] / two['rate']:.2f}x local --jobs 2 (target >= 0.8x)")
        few = run_migrate(small_src, dst, "--jobs", "2")
        many = two
        growth = (many["parent_mib"] - few["parent_mib"]) / few["parent_mib"] * 100
        print(f"peak memory of migrate (VmHWM): {few['parent_mib']:.1f} MiB at {few['files']} files, "
              f"{many['parent_mib']:.1f} MiB at {many['files']} files ({growth:+.1f} %); "
              f"largest worker {few['worker_mib']:.1f} / {many['worker_mib']:.1f} MiB")
        print(f"peak memory of migrate, remote mode: {remote['parent_mib']:.1f} MiB at {remote['files']} files")
    finally:
        if args.keep:
            print(f"trees kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
