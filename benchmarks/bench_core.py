"""Core benchmarks (issues 2 and 13): FlowZap → model → FlowZap of the reference example, against
a bare lark LALR parse of the same text (``flowzap_tokens.lark``: the grammar a reasonable person
would write from the language's description, no transformer), and
reading and writing generated diagrams of 500, 5,000 and 50,000 nodes.

    .venv/bin/python benchmarks/bench_core.py [--quick]

Medians of repeated runs, in one process, after warm-up. Peak memory at 50,000 nodes is measured
with tracemalloc in a separate pass (tracemalloc slows the code it watches)."""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from converters import read_with_diagnostics, write_with_diagnostics  # noqa: E402
from converters.flowzap import read as read_flowzap, write as write_flowzap  # noqa: E402

# The generated-size runs go through the public API, as users call it (format checks, model
# checks and the collector pause of converters/gcpause.py included).
def read_flowzap_api(text): return read_with_diagnostics(text, "flowzap")  # noqa: E704
def write_flowzap_api(model): return write_with_diagnostics(model, "flowzap")  # noqa: E704
def read_yaml_api(text): return read_with_diagnostics(text, "yaml")  # noqa: E704
def write_yaml_api(model): return write_with_diagnostics(model, "yaml")  # noqa: E704
from generate import generate  # noqa: E402

REFERENCE = ROOT / "tests" / "corpus" / "flowzap" / "00_seed_auth_flow.fz"
TOKEN_GRAMMAR = ROOT / "benchmarks" / "flowzap_tokens.lark"


def against_lark(repeat: int) -> tuple[float, float]:
    """Median seconds of FlowZap → FlowZap of the reference through the public API (``convert``,
    as the CLI and the service call it) and of a bare lark LALR parse of the same text, measured
    alternately in the same run so that both see the same machine."""
    from lark import Lark

    from converters import convert

    text = REFERENCE.read_text(encoding="utf-8")
    parser = Lark(TOKEN_GRAMMAR.read_text(encoding="utf-8"), parser="lalr")
    ours = lambda: convert(text, source_format="flowzap", target_format="flowzap")  # noqa: E731
    bare = lambda: parser.parse(text)  # noqa: E731
    ours_times, lark_times = [], []
    for _ in range(5):  # alternate rounds: a noisy neighbour hurts both the same
        ours_times.append(median_time(ours, max(1, repeat // 5), warmup=50))
        lark_times.append(median_time(bare, max(1, repeat // 5), warmup=20))
    return statistics.median(ours_times), statistics.median(lark_times)


def growth_rows(small: int, factor: int = 10) -> list[tuple[str, float, float]]:
    """For every registered format that reads and writes: write and read times of a generated
    diagram of ``small`` and ``factor`` × ``small`` nodes, through the public API. Each time is the
    best CPU time of several runs (5 at the small size, 3 at the large one), as ``timeit`` advises:
    on a shared machine the other runs measure the neighbours, and one run at 50,000 nodes moved
    the ratio by ±3× from one run of the script to the next."""
    from converters.registry import all_formats

    rows = []
    models = {count: generate(count) for count in (small, small * factor)}
    for fmt in all_formats():
        if not (fmt.can_read and fmt.can_write):
            continue
        times = {}
        for count, model in models.items():
            repeat = 5 if count <= 5000 else 3
            text = write_with_diagnostics(model, fmt.name)[0]
            write_time = best_cpu_time(lambda: write_with_diagnostics(model, fmt.name), repeat, 1)  # noqa: B023
            # 50,000 BPMN nodes are ≈ 48 MB, past the library's default 32 MiB: a benchmark lifts it.
            read_time = best_cpu_time(lambda: read_with_diagnostics(text, fmt.name, max_bytes=None), repeat, 1)  # noqa: B023
            times[count] = (write_time, read_time)
        for index, what in enumerate(("write", "read")):
            rows.append((f"{fmt.name} {what}", times[small][index], times[small * factor][index]))
    return rows


def best_cpu_time(function, repeat: int, warmup: int = 1) -> float:
    """The least process CPU time of ``repeat`` runs after ``warmup`` (the result of each run is
    freed inside its timing, as a caller's would be)."""
    for _ in range(warmup):
        function()
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best


def median_time(function, repeat: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def reference(repeat: int) -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    ours, bare = against_lark(repeat)
    print(f"FlowZap -> FlowZap (convert) {ours * 1e3:.3f} ms against a bare lark LALR parse {bare * 1e3:.3f} ms: "
          f"{ours / bare:.2f}x   (issue 13 target <= 0.19x)")

    def round_trip():
        diagram, _ = read_flowzap(text)
        return write_flowzap(diagram, {})[0]

    assert round_trip() == text
    through_api = lambda: write_with_diagnostics(read_with_diagnostics(text, "flowzap").diagram, "flowzap")  # noqa: E731
    core = median_time(round_trip, repeat, warmup=200)
    api = median_time(through_api, repeat, warmup=200)
    read_only = median_time(lambda: read_flowzap(text), repeat, warmup=200)
    print(f"reference example ({len(text.encode())} bytes), median of {repeat}:")
    print(f"  FlowZap -> model -> FlowZap (reader + writer):  {core * 1e3:.3f} ms   (target <= 0.5 ms)")
    print(f"  the same through the public API (checks incl.): {api * 1e3:.3f} ms")
    print(f"  read alone:                                     {read_only * 1e3:.3f} ms")


def sizes(counts: list[int]) -> None:
    print("generated diagrams (median of 5; read = text -> model, write = model -> text):")
    print(f"  {'nodes':>7} {'edges':>7} {'fz bytes':>10} {'read fz':>9} {'write fz':>9} {'read yaml':>10} {'write yaml':>11}")
    results = {}
    for count in counts:
        model = generate(count)
        fz_text = write_flowzap_api(model)[0]
        yaml_text = write_yaml_api(model)[0]
        repeat = 5 if count <= 5000 else 3
        timings = (
            median_time(lambda: read_flowzap_api(fz_text), repeat, 1),
            median_time(lambda: write_flowzap_api(model), repeat, 1),
            median_time(lambda: read_yaml_api(yaml_text), repeat, 1),
            median_time(lambda: write_yaml_api(model), repeat, 1),
        )
        # A plain linear pass over the same model (an adjacency dict): how this machine's memory
        # hierarchy alone scales with size, so growth above 10x can be told apart from algorithm.
        def linear_pass():
            adjacency = {node.id: [] for node in model.nodes}
            for edge in model.edges:
                adjacency[edge.source].append(edge.target)
        timings = timings + (median_time(linear_pass, repeat, 1),)
        results[count] = timings
        print(f"  {count:>7} {len(model.edges):>7} {len(fz_text):>10} " + " ".join(
            f"{t * 1e3:>8.1f}ms" if i < 2 else f"{t * 1e3:>9.1f}ms " for i, t in enumerate(timings[:4]))
            + f"  (linear pass {timings[4] * 1e3:.2f}ms)")
    counts_sorted = sorted(results)
    for small, big in zip(counts_sorted, counts_sorted[1:]):
        ratios = [b / s for s, b in zip(results[small], results[big])]
        print(f"  growth {small} -> {big} nodes ({big // small}x): read fz {ratios[0]:.1f}x, write fz {ratios[1]:.1f}x, "
              f"read yaml {ratios[2]:.1f}x, write yaml {ratios[3]:.1f}x   (target <= 12x; "
              f"a plain linear pass grows {ratios[4]:.1f}x here)")


def peak_memory(count: int) -> None:
    model = generate(count)
    text = write_flowzap(model, {})[0]
    del model
    gc.collect()
    tracemalloc.start()
    write_flowzap_api(read_flowzap_api(text).diagram)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory, read + write FlowZap at {count} nodes ({len(text) / 1e6:.1f} MB of text): {peak / 2**20:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and no 50,000-node run")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}")
    reference(500 if args.quick else 3000)
    sizes([500, 5000] if args.quick else [500, 5000, 50000])
    if not args.quick:
        peak_memory(50000)


if __name__ == "__main__":
    main()
