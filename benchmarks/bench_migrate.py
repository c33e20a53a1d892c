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

Every run writes a DST of its own (a new folder, a new state file) and nothing is deleted until
the end: on an ext4 file system without a journal (this machine's), creating a file right after
thousands were deleted scans the inode bitmap past every "recently deleted" inode
(``find_inode_bit`` → ``recently_deleted`` in ``perf``), so a run that follows an ``rmtree`` of the
previous run's output pays up to 4× the system time per created file, and that penalty fell on the
``--jobs 2`` and remote runs only. Each rate is the best of two runs, in the order 1, 2, 2, 1, so
neither mode always runs first; the user and system CPU of each run (all its processes) are
printed. The trees are generated once in a temporary folder (``--keep`` keeps it).
"""
from __future__ import annotations

import argparse
import itertools
import os
import platform
import resource
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


_runs = itertools.count()


def run_migrate(src: Path, work: Path, *args: str) -> dict:
    """One run into a new DST under ``work``: wall time, files/s, CPU (user, system) of the run's
    processes, peak memory of the parent and of its largest child."""
    dst = work / f"dst{next(_runs)}"
    files = sum(len(f) for _, _, f in os.walk(src))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run's processes, reaped by poll()
    stderr = process.stderr.read()
    if process.returncode != 0:
        raise RuntimeError(f"migrate {' '.join(args)} exited {process.returncode}: {stderr[-2000:]}")
    return {"files": files, "seconds": seconds, "rate": files / seconds, "parent_mib": parent_peak / 1024,
            "worker_mib": worker_peak / 1024, "user": after.ru_utime - before.ru_utime,
            "system": after.ru_stime - before.ru_stime}


def best(first: dict, second: dict) -> dict:
    return first if first["rate"] >= second["rate"] else second


def show(name: str, run: dict) -> str:
    return (f"{name}: {run['rate']:8.1f} files/s ({run['seconds']:.1f} s; CPU user {run['user']:.1f} s, "
            f"system {run['system']:.1f} s)")


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
        run_migrate(small_src, work, "--jobs", "2")  # warm-up: page cache, imports
        one_a = run_migrate(src, work, "--jobs", "1")
        two_a = run_migrate(src, work, "--jobs", "2")
        two_b = run_migrate(src, work, "--jobs", "2")
        one_b = run_migrate(src, work, "--jobs", "1")
        one, two = best(one_a, one_b), best(two_a, two_b)
        print(show("local --jobs 1", one) + f"  (other run {min(one_a['rate'], one_b['rate']):.1f})")
        print(show("local --jobs 2", two) + f"  (other run {min(two_a['rate'], two_b['rate']):.1f})  "
              f"speed-up {two['rate'] / one['rate']:.2f}x (target >= 1.8x)")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        servers = [ServerProcess("--workers", "1", "--log-level", "warning").start() for _ in range(2)]
        try:
            server_args = [a for s in servers for a in ("--server", s.address)]
            remote = run_migrate(src, work, *server_args)
        finally:
            for server in servers:
                server.stop()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # + the servers' processes, stopped and reaped
        served = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime - remote["user"] - remote["system"]
        print(show("remote, 2 servers", remote) + f"  {remote['rate'] / two['rate']:.2f}x local --jobs 2 (target >= 0.8x)")
        print(f"  CPU per file: remote client {(remote['user'] + remote['system']) / files * 1000:.2f} ms + servers "
              f"(start to stop) {served / files * 1000:.2f} ms; local --jobs 2 {(two['user'] + two['system']) / files * 1000:.2f} ms")
        few = run_migrate(small_src, work, "--jobs", "2")
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
