"""gRPC service benchmark: what converting costs on top of serving a call, and what metrics cost.

    .venv/bin/python benchmarks/bench_service.py            # full run (100,000 calls; a few minutes)
    .venv/bin/python benchmarks/bench_service.py --quick    # 10,000 calls, shorter phases
    .venv/bin/python benchmarks/bench_service.py --quick --ratio-only   # throughput and CPU per call only
    .venv/bin/python benchmarks/bench_service.py --quick --server-flag=--isolation=thread   # no watchdog

One server (``python -m server --enable-echo``, default workers and log level) on a loopback
port; the same client drives, in the same run:
- ConverterService.ConvertDiagram on the reference example (FlowZap → Mermaid when the mermaid
  writer is registered, else FlowZap → YAML), and
- EchoService.Echo (benchmark-only, served exactly the same way minus the conversion) with the
  reference example as payload,
alternating phases, on two servers at once (metrics off, and on with ``--metrics-address``), and
reports the throughput ratio (target ≥ 0.65), the cost of the metrics (target ≤ 5 % of throughput),
p50/p99 latency with 1 and 32 concurrent callers, and the server's memory (supervisor, workers and
their conversion processes, RSS) after warm-up and after 100,000 calls (target: growth ≤ 10 %).

It also gives the CPU time each call costs, by process (client, worker, conversion process, and
this script, which reads the server's log lines), measured over the same throughput phases: on a
machine whose cores client and server share, the throughput ratio follows the ratio of these
totals, which move less than throughput when other work shares the machine.

The client is several processes (asyncio, one connection per caller, requests pre-serialized) so
that it is not the bottleneck of a Python-versus-Python measurement; client and server share the
machine's cores.

Instruction counts (valgrind's callgrind), steady where timings are not: ``--instructions`` counts,
per call, what the conversion process does for ConvertDiagram and for Echo (``Work.execute``),
each step of a conversion (FlowZap read, Mermaid write, ``grouped``, the response built and
serialized), and FlowZap -> FlowZap of the reference against a bare lark parse (bench_core.py's
pair). One valgrind process per step: it warms up, then runs the step N times inside ``eval``
(only that is counted, ``--toggle-collect=builtin_eval``), and once more 0 times (what start-up
leaves in the count); the difference / N is printed. ``--step NAME`` counts the named steps only.

    .venv/bin/python benchmarks/bench_service.py --instructions [--step read ...] [--calls N]
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from converters import all_formats  # noqa: E402
from server.gen.flowzap.benchmark.v1 import echo_service_pb2  # noqa: E402
from server.gen.flowzap.converter.v1 import converter_service_pb2 as api  # noqa: E402
from server.testing import ServerProcess  # noqa: E402

REFERENCE = (ROOT / "examples" / "auth_flow.fz").read_text(encoding="utf-8")
CONVERT = "/flowzap.converter.v1.ConverterService/ConvertDiagram"
ECHO = "/flowzap.benchmark.v1.EchoService/Echo"


def target_format() -> str:
    return "mermaid" if any(f.name == "mermaid" and f.can_write for f in all_formats()) else "yaml"


def payload(method: str, target: str) -> bytes:
    if method == ECHO:
        return echo_service_pb2.EchoRequest(payload=REFERENCE).SerializeToString()
    return api.ConvertDiagramRequest(source=REFERENCE, target_format=target).SerializeToString()


# -- the client: one process drives `callers` concurrent callers ---------------------------------

async def _drive(address: str, method: str, data: bytes, callers: int, seconds: float, calls: int | None):
    import grpc

    latencies: list[int] = []
    failures = 0
    done = 0
    stop_at = time.perf_counter() + seconds

    async def caller() -> None:
        nonlocal failures, done
        async with grpc.aio.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
            rpc = channel.unary_unary(method)
            await channel.channel_ready()
            while time.perf_counter() < stop_at and (calls is None or done < calls):
                done += 1
                started = time.perf_counter_ns()
                try:
                    await rpc(data, timeout=30)
                except grpc.aio.AioRpcError:
                    failures += 1
                latencies.append(time.perf_counter_ns() - started)

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(callers)))
    return latencies, failures, time.perf_counter() - started


def _client_process(args, queue) -> None:
    import grpc  # noqa: F401 — imported before the CPU clock starts

    started = time.process_time()
    latencies, failures, elapsed = asyncio.run(_drive(*args))
    queue.put((latencies, failures, elapsed, time.process_time() - started))


def run_phase(address: str, method: str, data: bytes, callers: int, seconds: float,
              processes: int, calls: int | None = None) -> dict:
    """``callers`` concurrent callers spread over ``processes`` client processes."""
    processes = max(1, min(processes, callers))
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    share = [callers // processes + (1 if i < callers % processes else 0) for i in range(processes)]
    per_process_calls = None if calls is None else -(-calls // processes)
    workers = [context.Process(target=_client_process, args=((address, method, data, n, seconds, per_process_calls),
                                                              queue)) for n in share]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=seconds + 600) for _ in workers]
    for worker in workers:
        worker.join()
    latencies = sorted(l for r in results for l in r[0])
    elapsed = max(r[2] for r in results)
    return {
        "calls": len(latencies),
        "client_cpu": sum(r[3] for r in results),
        "failures": sum(r[1] for r in results),
        "rps": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] / 1e6,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] / 1e6,
    }


def server_rss(pid: int) -> int:
    import psutil

    parent = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)])


ROLES = ("client", "worker", "conversion", "supervisor", "bench")


def server_processes(pid: int) -> dict[str, list]:
    """The server's processes by role: the supervisor, its workers (and multiprocessing's resource
    tracker, counted with the supervisor), and each worker's conversion processes (with their fork
    server)."""
    import psutil

    supervisor = psutil.Process(pid)
    roles: dict[str, list] = {"supervisor": [supervisor], "worker": [], "conversion": []}
    for child in supervisor.children():
        if "spawn_main" in " ".join(child.cmdline()):
            roles["worker"].append(child)
            roles["conversion"].extend(child.children(recursive=True))
        else:
            roles["supervisor"].append(child)
    return roles


def cpu_by_role(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the server's processes, by role, and by this script."""
    import psutil

    totals = {}
    for role, processes in server_processes(pid).items():
        seconds = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:  # a conversion process replaced meanwhile
                continue
            seconds += times.user + times.system
        totals[role] = seconds
    totals["bench"] = time.process_time()
    return totals


def throughput(server, convert_data: bytes, echo_data: bytes, seconds: float, clients: int) -> tuple[dict, dict]:
    """Echo and ConvertDiagram alternated, twice, so that drift on a shared machine hits both.
    Returns calls/s and CPU seconds per call by role, for each method."""
    totals = {CONVERT: [0, 0.0], ECHO: [0, 0.0]}
    cpu = {method: dict.fromkeys(ROLES, 0.0) for method in totals}
    for _ in range(2):
        for method, data in ((ECHO, echo_data), (CONVERT, convert_data)):
            before = cpu_by_role(server.pid)
            phase = run_phase(server.address, method, data, 32, seconds, clients)
            after = cpu_by_role(server.pid)
            assert phase["failures"] == 0, phase
            totals[method][0] += phase["calls"]
            totals[method][1] += phase["calls"] / phase["rps"]
            cpu[method]["client"] += phase["client_cpu"]
            for role in after:
                cpu[method][role] += after[role] - before.get(role, 0.0)
    rates = {method: calls / elapsed for method, (calls, elapsed) in totals.items()}
    per_call = {method: {role: seconds / totals[method][0] for role, seconds in cpu[method].items()}
                for method in totals}
    return rates, per_call


def print_cpu(runs: list[dict]) -> None:
    """CPU milliseconds per call by process role (metrics off, the throughput phases)."""
    per_call = {m: {role: sum(r[m][role] for r in runs) / len(runs) * 1000 for role in ROLES} for m in (CONVERT, ECHO)}
    print("\nCPU per call, 32 callers, metrics off (ms; client and this script on the same cores):")
    print("                  " + "".join(f"{role:>11}" for role in ROLES) + "      total")
    for name, method in (("ConvertDiagram", CONVERT), ("Echo", ECHO)):
        row = per_call[method]
        print(f"  {name:14}  " + "".join(f"{row[role]:11.3f}" for role in ROLES) + f"{sum(row.values()):11.3f}")
    ratio = sum(per_call[ECHO].values()) / sum(per_call[CONVERT].values())
    print(f"  Echo CPU / ConvertDiagram CPU: {ratio:.2f}   (the throughput ratio when the cores are the limit)")


# -- instruction counts (callgrind), per step of a call ------------------------------------------

def instruction_steps(target: str) -> dict:
    """Step name -> a function doing that step once on the reference example (built outside the count)."""
    from lark import Lark

    from converters import convert, registry
    from converters.diagnostics import grouped
    from converters.flowzap import read as read_flowzap
    from converters.limits import MAX_NODES
    from server import messages
    from server.work import Work

    work = Work(MAX_NODES)
    convert_data, echo_data = payload(CONVERT, target), payload(ECHO, target)
    fmt = registry.get_format(target)
    resolved = registry.resolve_options(fmt, None)
    diagram, read_found = read_flowzap(REFERENCE)
    written = fmt.writer(diagram, resolved)[1]
    result = convert(REFERENCE, target_format=target)
    parser = Lark((ROOT / "benchmarks" / "flowzap_tokens.lark").read_text(encoding="utf-8"), parser="lalr")
    return {
        "convert": lambda: work.execute("ConvertDiagram", "bench", convert_data),
        "echo": lambda: work.execute("Echo", "bench", echo_data),
        "detect": lambda: registry.detect_format(REFERENCE, None, None),
        "read": lambda: read_flowzap(REFERENCE),
        "write": lambda: fmt.writer(diagram, resolved),
        "grouped": lambda: grouped([*read_found, *written]),
        "response": lambda: api.ConvertDiagramResponse(
            content=result.content, source_format=result.source_format, target_format=result.target_format,
            diagnostics=messages.diagnostic_messages(result.diagnostics)).SerializeToString(),
        "fz_fz": lambda: convert(REFERENCE, source_format="flowzap", target_format="flowzap"),
        "lark": lambda: parser.parse(REFERENCE),
    }


STEP_TITLES = {
    "convert": 'Work.execute("ConvertDiagram"), what the conversion process does',
    "echo": 'Work.execute("Echo")',
    "detect": "  format detection (registry.detect_format, no source_format)",
    "read": "  FlowZap read (converters.flowzap.read)",
    "write": "  the target's writer",
    "grouped": "  grouped() of the diagnostics",
    "response": "  the response built and serialized",
    "fz_fz": "FlowZap -> FlowZap of the reference (convert, bench_core.py)",
    "lark": "a bare lark LALR parse of the same text (bench_core.py)",
}


def _count_worker(steps: list[str], calls: int, target: str) -> None:
    """Runs under valgrind: for each step, warm-up, then ``calls`` runs inside one ``eval`` and
    none inside another (callgrind counts inside ``eval`` only and dumps after each)."""
    functions = instruction_steps(target)
    for step in steps:
        function = functions[step]
        for _ in range(20):
            function()

        def work(times: int) -> None:
            for _ in range(times):
                function()  # noqa: B023

        eval("work(calls)", {"work": work, "calls": calls})
        eval("work(0)", {"work": work})


def _instructions(steps: list[str], calls: int) -> dict[str, float]:
    """Instructions per call of each step: one valgrind process, a dump after each ``eval``; the
    last two dumps per step are its counted run and its empty run (evals at start-up come first)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        command = ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=builtin_eval",
                   "--dump-after=builtin_eval", f"--callgrind-out-file={folder}/cg.out", sys.executable, __file__,
                   "--calls", str(calls), *(f"--count-worker={step}" for step in steps)]
        subprocess.run(command, capture_output=True, text=True, check=True)
        dumps = sorted(Path(folder).glob("cg.out.*"), key=lambda path: int(path.suffix[1:]))
        totals = []
        for dump in dumps[-2 * len(steps):]:
            found = re.search(r"^totals: (\d+)", dump.read_text(), re.MULTILINE)
            totals.append(int(found.group(1)) if found else 0)
    return {step: (totals[2 * i] - totals[2 * i + 1]) / calls for i, step in enumerate(steps)}


def print_instructions(steps: list[str], calls: int) -> None:
    target = target_format()
    print(f"instructions per call (callgrind; {calls} calls minus none, after 20 warm-up calls), reference "
          f"example, flowzap -> {target}:")
    counts = _instructions(steps, calls)
    for step, count in counts.items():
        print(f"  {STEP_TITLES[step]:68} {count:>12,.0f}")
    if "fz_fz" in counts and "lark" in counts:
        print(f"  FlowZap -> FlowZap / lark: {counts['fz_fz'] / counts['lark']:.3f} (instructions, not time)")

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 calls for the memory check instead of 100,000, "
                        "shorter phases")
    parser.add_argument("--seconds", type=float, default=None, help="length of each throughput phase (default 5, "
                        "--quick 2)")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--ratio-only", action="store_true", help="throughput and CPU per call only: no latency, "
                        "memory or metrics-endpoint phases")
    parser.add_argument("--server-flag", action="append", default=[], metavar="FLAG",
                        help="extra server flag for both servers (repeat; e.g. --server-flag=--isolation=thread)")
    parser.add_argument("--instructions", action="store_true", help="callgrind instruction counts per step of a "
                        "call instead of the server runs")
    parser.add_argument("--step", action="append", choices=tuple(STEP_TITLES), help="with --instructions: "
                        "count this step only (repeat)")
    parser.add_argument("--calls", type=int, default=20, help="with --instructions: counted calls per step")
    parser.add_argument("--count-worker", action="append", choices=tuple(STEP_TITLES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count_worker:
        _count_worker(args.count_worker, args.calls, target_format())
        return 0
    if args.instructions:
        print_instructions(args.step or list(STEP_TITLES), args.calls)
        return 0
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    total_calls = 10_000 if args.quick else 100_000
    target = target_format()
    convert_data, echo_data = payload(CONVERT, target), payload(ECHO, target)
    cpus = len(os.sched_getaffinity(0))
    flags = ["--enable-echo", *args.server_flag]
    # Two servers at once, metrics off and on, measured in alternation: their ratio is the cost
    # of the metrics, with the machine's drift hitting both alike. An idle server costs nothing.
    with ServerProcess(*flags) as plain, ServerProcess(*flags, "--metrics-address", "127.0.0.1:0") as metered:
        serving = plain.events("serving")[0]
        clients = args.client_processes
        print(f"python {platform.python_version()}, {cpus} CPUs; server: {serving['workers']} workers (default), "
              f"isolation {serving.get('isolation')}, log level info, flags {flags}; client: {clients} processes")
        print(f"payload: reference example ({len(REFERENCE.encode())} bytes), ConvertDiagram flowzap -> {target}")
        calls = 0
        for server in (plain, metered):  # warm-up
            for method, data in ((CONVERT, convert_data), (ECHO, echo_data)):
                calls += run_phase(server.address, method, data, 32, 2.0, clients)["calls"]
        rss_warm = server_rss(plain.pid)

        results = {"off": [], "on": []}
        cpu_runs = []
        for _ in range(2):
            for name, server in (("off", plain), ("on", metered)):
                measured, per_call = throughput(server, convert_data, echo_data, seconds, clients)
                results[name].append(measured)
                if name == "off":
                    cpu_runs.append(per_call)
        rates = {name: {m: sum(r[m] for r in runs) / len(runs) for m in (CONVERT, ECHO)}
                 for name, runs in results.items()}
        print(f"\nthroughput, 32 concurrent callers, {4 * seconds:g} s per method and server:")
        print("                  metrics off   metrics on")
        print(f"  ConvertDiagram {rates['off'][CONVERT]:10.0f}   {rates['on'][CONVERT]:10.0f}   calls/s")
        print(f"  Echo           {rates['off'][ECHO]:10.0f}   {rates['on'][ECHO]:10.0f}   calls/s")
        print(f"  ratio          {rates['off'][CONVERT] / rates['off'][ECHO]:10.2f}   "
              f"{rates['on'][CONVERT] / rates['on'][ECHO]:10.2f}   (ConvertDiagram / Echo; target >= 0.65)")
        cost = (1 - rates["on"][CONVERT] / rates["off"][CONVERT]) * 100
        print(f"  metrics cost   {cost:+.1f} % of ConvertDiagram throughput   (target <= 5 %)")
        print_cpu(cpu_runs)
        if args.ratio_only:
            for server in (plain, metered):
                server.stop()
            return 0

        print("\nlatency (ms)                 metrics off        metrics on")
        print("                             p50      p99       p50      p99")
        for callers in (1, 32):
            for name, method, data in (("ConvertDiagram", CONVERT, convert_data), ("Echo", ECHO, echo_data)):
                row = []
                for server in (plain, metered):
                    phase = run_phase(server.address, method, data, callers, 3.0, 1 if callers == 1 else clients)
                    row += [phase["p50_ms"], phase["p99_ms"]]
                print(f"  {name:14} x{callers:<3}    " + "  ".join(f"{v:7.2f}" for v in row))

        remaining = max(0, total_calls - calls)
        started = time.perf_counter()
        while remaining > 0:
            phase = run_phase(plain.address, CONVERT, convert_data, 32, 600.0, clients, calls=remaining)
            assert phase["failures"] == 0, phase
            remaining -= phase["calls"]
            calls += phase["calls"]
        rss_after = server_rss(plain.pid)
        growth = (rss_after - rss_warm) / rss_warm * 100
        print(f"\nserver memory (RSS, supervisor + workers + conversion processes, metrics off): "
              f"{rss_warm / 2**20:.1f} MiB after warm-up, {rss_after / 2**20:.1f} MiB after {calls:,} calls: "
              f"{growth:+.1f} %   (target <= +10 %)")
        print(f"  (the last ConvertDiagram calls up to {total_calls:,}: {time.perf_counter() - started:.0f} s)")
        scrape = urllib.request.urlopen(f"http://{metered.events('serving')[0]['metrics']}/metrics", timeout=30).read()
        print(f"metrics endpoint: {len(scrape):,} bytes scraped after the run")
        for server, name in ((plain, "off"), (metered, "on")):
            code = server.stop()
            print(f"server (metrics {name}) stopped with exit status {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
