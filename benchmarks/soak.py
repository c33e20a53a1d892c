"""Soak test of the gRPC service (issue 11): mixed valid, invalid and pathological traffic while
workers are killed, to check that no call ends with a wrong status, none hangs past its deadline,
and the server's memory stays flat.

    .venv/bin/python benchmarks/soak.py                     # 10 minutes, 32 callers, a worker killed every minute
    .venv/bin/python benchmarks/soak.py --duration 30 --kill-every 10   # a short check

Traffic (each caller picks at random, per call): valid ConvertDiagram calls (the reference example,
expected OK), invalid ones (expected INVALID_ARGUMENT), unknown target formats (INVALID_ARGUMENT),
issue 11's 239-byte pathological FlowZap request with a 1 s deadline (expected
INVALID_ARGUMENT now that the library rejects it at once, or DEADLINE_EXCEEDED), and a large valid
request that needs seconds with a 0.3 s deadline (expected DEADLINE_EXCEEDED: the watchdog's case). A call in flight on a worker that is
killed may end UNAVAILABLE: counted apart, not as wrong. Exit status 1 when any call had a wrong
status or hung past its deadline.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.gen.flowzap.converter.v1 import converter_service_pb2 as api  # noqa: E402
from benchmarks.generate import generate  # noqa: E402
from converters import write  # noqa: E402
from server.testing import ServerProcess  # noqa: E402

REFERENCE = (ROOT / "examples" / "auth_flow.fz").read_text(encoding="utf-8")
SLOW = write(generate(15_000), "flowzap")  # ≈ 1.3 MB; seconds to convert to BPMN on any machine
PATHOLOGICAL = 'L { # l\na: circle\nb: circle\na -> b [' + 'x:"" ' * 40 + '\n}\n'
METHOD = "/flowzap.converter.v1.ConverterService/ConvertDiagram"
HANG_SLACK = 1.0  # seconds past its deadline after which a call counts as hanging

# kind → (weight, request, deadline in seconds, the statuses that are right)
KINDS = {
    "valid": (80, api.ConvertDiagramRequest(source=REFERENCE, target_format="mermaid"), 20.0, {"OK"}),
    "invalid": (15, api.ConvertDiagramRequest(source='L { # l\nn1: rect label:"x"\n}\n', target_format="yaml"),
                20.0, {"INVALID_ARGUMENT"}),
    "unknown_format": (4, api.ConvertDiagramRequest(source=REFERENCE, target_format="visio"), 20.0,
                       {"INVALID_ARGUMENT"}),
    # Issue 11's 239-byte request: the library now rejects it at once (a malformed edge); a
    # DEADLINE_EXCEEDED is right too, should a loaded machine take a second over it.
    "pathological": (1, api.ConvertDiagramRequest(source=PATHOLOGICAL, target_format="mermaid"), 1.0,
                     {"INVALID_ARGUMENT", "DEADLINE_EXCEEDED"}),
    # A valid request that needs seconds of CPU, sent with a deadline far shorter: the watchdog
    # must abandon the conversion (its process is stopped) and the worker keep serving.
    "too_slow": (1, api.ConvertDiagramRequest(source=SLOW, target_format="bpmn"), 0.3, {"DEADLINE_EXCEEDED"}),
}


def server_rss(pid: int) -> int:
    import psutil

    parent = psutil.Process(pid)
    total = 0
    for process in [parent, *parent.children(recursive=True)]:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


class Tally:
    def __init__(self) -> None:
        self.statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.wrong: list[tuple[str, str, str]] = []
        self.hangs: list[tuple[str, float]] = []
        self.unavailable = 0
        self.calls = 0


async def caller(address: str, stop_at: float, tally: Tally, seed: int) -> None:
    import grpc

    rng = random.Random(seed)
    names = list(KINDS)
    weights = [KINDS[name][0] for name in names]
    data = {name: KINDS[name][1].SerializeToString() for name in names}
    async with grpc.aio.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
        rpc = channel.unary_unary(METHOD)
        while time.monotonic() < stop_at:
            kind = rng.choices(names, weights)[0]
            _, _, deadline, right = KINDS[kind]
            started = time.monotonic()
            try:
                await rpc(data[kind], timeout=deadline)
                status, details = "OK", ""
            except grpc.aio.AioRpcError as error:
                status, details = error.code().name, error.details() or ""
            elapsed = time.monotonic() - started
            tally.calls += 1
            tally.statuses[kind][status] += 1
            if elapsed > deadline + HANG_SLACK:
                tally.hangs.append((kind, elapsed))
            if status == "UNAVAILABLE":
                tally.unavailable += 1  # in flight on a worker that was killed
            elif status not in right:
                tally.wrong.append((kind, status, details[:200]))


async def killer(server: ServerProcess, every: float, stop_at: float, killed: list[int]) -> None:
    import psutil

    while time.monotonic() + every < stop_at:
        await asyncio.sleep(every)
        workers = []
        for child in psutil.Process(server.pid).children():  # the workers are spawned interpreters
            try:
                if "spawn_main" in " ".join(child.cmdline()):
                    workers.append(child)
            except psutil.NoSuchProcess:
                pass
        if workers:
            victim = random.choice(workers)
            os.kill(victim.pid, signal.SIGKILL)
            killed.append(victim.pid)


async def sampler(pid: int, every: float, stop_at: float, samples: list[tuple[float, int]]) -> None:
    started = time.monotonic()
    while time.monotonic() < stop_at:
        samples.append((time.monotonic() - started, server_rss(pid)))
        await asyncio.sleep(every)


async def soak(address: str, server: ServerProcess, args) -> tuple[Tally, list, list]:
    stop_at = time.monotonic() + args.duration
    tally, killed, samples = Tally(), [], []
    tasks = [caller(address, stop_at, tally, seed) for seed in range(args.callers)]
    tasks.append(killer(server, args.kill_every, stop_at, killed))
    tasks.append(sampler(server.pid, max(1.0, args.duration / 20), stop_at, samples))
    await asyncio.gather(*tasks)
    return tally, killed, samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of traffic (default 600)")
    parser.add_argument("--callers", type=int, default=32)
    parser.add_argument("--kill-every", type=float, default=60.0, help="seconds between worker kills (default 60)")
    parser.add_argument("--workers", type=int, default=None, help="server workers (default: the server's)")
    parser.add_argument("server_args", nargs="*", help="more server flags (after --)")
    args = parser.parse_args()
    flags = [*(["--workers", str(args.workers)] if args.workers else []), "--log-level", "warning", *args.server_args]
    with ServerProcess(*flags) as server:
        serving = server.events("serving")[0]
        print(f"server: {serving['workers']} workers, isolation {serving.get('isolation')}; "
              f"{args.callers} callers for {args.duration:g} s; a worker killed every {args.kill_every:g} s")
        tally, killed, samples = asyncio.run(soak(server.address, server, args))
        code = server.stop()
    print(f"\ncalls: {tally.calls:,}")
    for kind, statuses in tally.statuses.items():
        print(f"  {kind:15} " + ", ".join(f"{status} {count:,}" for status, count in statuses.most_common()))
    print(f"workers killed: {len(killed)}; calls UNAVAILABLE (in flight on a killed worker): {tally.unavailable}")
    print(f"wrong statuses: {len(tally.wrong)}")
    for kind, status, details in tally.wrong[:10]:
        print(f"  {kind}: {status}: {details}")
    print(f"calls hanging more than {HANG_SLACK:g} s past their deadline: {len(tally.hangs)}")
    for kind, elapsed in tally.hangs[:10]:
        print(f"  {kind}: {elapsed:.2f} s")
    if samples:
        first, last, peak = samples[0][1], samples[-1][1], max(rss for _, rss in samples)
        print(f"server RSS (supervisor + workers + conversion processes): {first / 2**20:.1f} MiB at the start, "
              f"{last / 2**20:.1f} MiB at the end ({(last - first) / first * 100:+.1f} %), peak {peak / 2**20:.1f} MiB")
        print("  samples (s, MiB): " + " ".join(f"{t:.0f}:{rss / 2**20:.0f}" for t, rss in samples))
    print(f"server stopped with exit status {code}")
    return 1 if tally.wrong or tally.hangs else 0


if __name__ == "__main__":
    sys.exit(main())
