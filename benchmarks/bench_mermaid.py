"""Mermaid benchmarks (issues 4 and 13).

    .venv/bin/python benchmarks/bench_mermaid.py [--repeat N] [--table] [--quick]

0. The issue 13 ratios, in one run: short doc-style diagrams (about 80 characters) read by our reader
   and by mermaid's own ``mermaid.parse`` (warm, node), per diagram (target: ours ≥ 15× faster); Mermaid
   read at 5,000 nodes (≤ 0.25 s) and 50,000 nodes (≤ 3 s), and the growth from one to the other (≤ 11×).

1. Our Mermaid reader against mermaid's own parser on the same corpus (tests/corpus/mermaid):
   for each diagram, the median time of ``mermaid.parse`` in one warmed node process (npm mermaid
   11.17 + jsdom, tests/oracles/mermaid) and the median time of our reader in this process
   (``converters.mermaid.read``: preprocessing, mermaid's grammar, the model), as a ratio
   ours / mermaid's (below 1: we are faster). ``--table`` prints every diagram.
2. FlowZap → Mermaid of the reference example (tests/corpus/flowzap/00_seed_auth_flow.fz), in
   process: the whole conversion through the public API (read FlowZap, write Mermaid), and the
   Mermaid writer alone, for each diagram kind.
3. Generated diagrams of 500 and 5,000 nodes: Mermaid write and read (the growth should be linear).
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from converters import convert, read, write_with_diagnostics  # noqa: E402
from converters.mermaid import read as read_mermaid, write as write_mermaid  # noqa: E402
from tests.oracles.mermaid_oracle import mermaid_oracle  # noqa: E402

SHARED = ROOT / "tests"
CORPUS = sorted((SHARED / "corpus" / "mermaid").glob("*.mmd"))
REFERENCE = SHARED / "corpus" / "flowzap" / "00_seed_auth_flow.fz"


def median_ms(function, repeat: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def quietly(function, text):
    def run():
        try:
            function(text)
        except Exception:  # the one file mermaid rejects is rejected here too: time the rejection
            pass
    return run


def corpus(repeat: int, show_table: bool) -> None:
    oracle = mermaid_oracle()
    if oracle is None:
        print("mermaid's parser is not installed (bash tests/oracles/mermaid/install.sh): corpus part skipped")
        return
    texts = [path.read_text(encoding="utf-8") for path in CORPUS]
    theirs = oracle.time(texts, repeat)
    ours = [median_ms(quietly(read_mermaid, text), repeat) for text in texts]
    ratios = [a / b for a, b in zip(ours, theirs)]
    print(f"corpus: {len(texts)} diagrams, median of {repeat} runs each, mermaid {oracle.version} "
          f"(mermaid.parse, node {oracle.ask({'op': 'version'}) and _node_version()}, warmed, one process)")
    if show_table:
        print(f"  {'diagram':40} {'bytes':>6} {'mermaid':>9} {'ours':>9} {'ratio':>6}")
        for path, text, a, b, r in zip(CORPUS, texts, theirs, ours, ratios):
            print(f"  {path.name:40} {len(text.encode()):6d} {a:8.3f}ms {b:8.3f}ms {r:6.2f}")
    print(f"  mermaid's parser: median {statistics.median(theirs):.3f} ms, total {sum(theirs):.1f} ms")
    print(f"  our reader:       median {statistics.median(ours):.3f} ms, total {sum(ours):.1f} ms")
    print(f"  ratio ours/mermaid per diagram: median {statistics.median(ratios):.2f}, "
          f"best {min(ratios):.2f}, worst {max(ratios):.2f}; faster on {sum(r < 1 for r in ratios)} of {len(ratios)}")


def _node_version() -> str:
    import subprocess
    return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()


def reference(repeat: int) -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    model = read(text, "flowzap")
    print(f"FlowZap -> Mermaid, reference example ({len(text.encode())} bytes, {len(model.nodes)} nodes, "
          f"{len(model.edges)} edges), median of {repeat}:")
    for kind in ("flowchart", "swimlane", "sequence"):
        options = {"diagram": kind}
        whole = median_ms(lambda: convert(text, source_format="flowzap", target_format="mermaid",
                                          options=options), repeat, warmup=100)
        writer = median_ms(lambda: write_mermaid(model, {"diagram": kind, "extras": "report"}), repeat, warmup=100)
        print(f"  {kind:9}  convert (read FlowZap + write Mermaid, public API): {whole:.3f} ms   writer alone: {writer:.3f} ms")
    keep = median_ms(lambda: write_mermaid(model, {"diagram": "flowchart", "extras": "comments"}), repeat, warmup=100)
    back = write_mermaid(model, {"diagram": "flowchart", "extras": "comments"})[0]
    again = median_ms(lambda: read_mermaid(back), repeat, warmup=100)
    print(f"  flowchart with extras=comments: write {keep:.3f} ms, read back {again:.3f} ms")


def generated(repeat: int) -> None:
    from generate import generate

    print(f"generated diagrams (median of {repeat}):")
    print(f"  {'nodes':>6} {'edges':>6} {'bytes':>8} {'write':>9} {'read':>9}")
    previous = None
    for size in (500, 5000):
        model = generate(size)
        text, _ = write_with_diagnostics(model, "mermaid", loss_policy="ignore")
        w = median_ms(lambda: write_with_diagnostics(model, "mermaid", loss_policy="ignore"), repeat, warmup=1)
        r = median_ms(lambda: read_mermaid(text), repeat, warmup=1)
        growth = f"   growth x10 nodes: write {w / previous[0]:.1f}x, read {r / previous[1]:.1f}x" if previous else ""
        print(f"  {size:6d} {len(model.edges):6d} {len(text.encode()):8d} {w:8.1f}ms {r:8.1f}ms{growth}")
        previous = (w, r)


# Short diagrams as mermaid's documentation writes them (about 80 characters each).
SHORT = [
    "flowchart LR\n    A[Start] --> B{Is it?}\n    B -->|Yes| C[OK]\n    B ---->|No| E[End]\n",
    "graph TD\n    A[Christmas] -->|Get money| B(Go shopping)\n    B --> C{Let me think}\n",
    "flowchart TD\n    A --> B\n    A --> C\n    B --> D\n    C --> D\n    D --> E[Done]\n",
    "flowchart LR\n    id1(Start)-->id2(Stop)\n    style id1 fill:#f9f,stroke:#333\n",
    "flowchart LR\n  subgraph one\n    a1-->a2\n  end\n  subgraph two\n    b1-->b2\n  end\n",
    "sequenceDiagram\n    Alice->>John: Hello John, how are you?\n    John-->>Alice: Great!\n",
]


def targets(repeat: int, quick: bool) -> None:
    """The issue 13 table: each figure with its target, measured in this run."""
    oracle = mermaid_oracle()
    print("issue 13 targets (this run):")
    if oracle is None:
        print("  mermaid's parser is not installed (bash tests/oracles/mermaid/install.sh): ratio skipped")
    else:
        theirs = oracle.time(SHORT, repeat)
        ours = [median_ms(quietly(read_mermaid, text), repeat, warmup=20) for text in SHORT]
        ratios = [a / b for a, b in zip(theirs, ours)]
        print(f"  mermaid.parse median {statistics.median(theirs):.3f} ms, ours {statistics.median(ours):.3f} ms")
        print(f"  short doc-style diagrams ({min(map(len, SHORT))}-{max(map(len, SHORT))} chars), mermaid.parse / ours "
              f"per diagram: median {statistics.median(ratios):.1f}x faster (worst {min(ratios):.1f}x, "
              f"best {max(ratios):.1f}x; target >= 15x)")
    from generate import generate

    times = {}
    for size in (5000, 50000):
        model = generate(size)
        text, _ = write_with_diagnostics(model, "mermaid", loss_policy="ignore")
        # through the public API, as a caller reads (it pauses the cyclic GC for large inputs)
        times[size] = median_ms(lambda: read(text, "mermaid"), 1 if quick or size > 5000 else 3, warmup=1) / 1000
    print(f"  Mermaid read at 5,000 nodes: {times[5000]:.3f} s (target <= 0.25 s); at 50,000 nodes: "
          f"{times[50000]:.2f} s (target <= 3 s); growth 5,000 -> 50,000: {times[50000] / times[5000]:.1f}x "
          "(target <= 11x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--table", action="store_true", help="print every corpus diagram")
    parser.add_argument("--quick", action="store_true", help="the issue 13 targets only, fewer repeats")
    args = parser.parse_args()
    gc.collect()
    print(f"python {sys.version.split()[0]}")
    if args.quick:
        targets(min(args.repeat, 20), True)
        return
    targets(args.repeat, False)
    corpus(args.repeat, args.table)
    reference(max(args.repeat * 20, 200))
    generated(max(3, args.repeat // 10))


if __name__ == "__main__":
    main()
