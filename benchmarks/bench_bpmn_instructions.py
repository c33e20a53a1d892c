"""Instructions (valgrind's callgrind) to read tests/corpus/bpmn-more/: our BPMN reader against a bare
``lxml.etree.fromstring`` of the same texts (issue 13). Instruction counts are steady on a busy
machine where CPU times move by ±30 %; they are no time (libxml2 runs more instructions per cycle
than the interpreter), so the timed ratio of bench_bpmn.py part 0 stays the figure of the issue.

    .venv/bin/python benchmarks/bench_bpmn_instructions.py [--step N] [--reader MODULE]

One valgrind process per side; each reads the files once to warm up, then once more inside
``eval`` — only that call is counted (``--toggle-collect=builtin_eval``), not start-up or imports.
Imports call ``eval`` too (namedtuple, dataclass machinery), so a few million start-up instructions
would be counted as well: each side is also run once with nothing to read, and that count is
subtracted (before 2026-11-30 06:55 UTC the figures included it: ≈ 5.5 M for our side).
``--step N`` reads every Nth file (a quicker run); ``--reader`` names another module with a
``read(text)`` (an older reader kept for comparison, say).
"""
from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MORE = ROOT / "tests" / "corpus" / "bpmn-more"


def texts(step: int) -> list[str]:
    return [f.read_text(encoding="utf-8") for f in sorted(MORE.glob("*/*.bpmn"))[::step]]


def worker(side: str, step: int, reader: str, empty: bool = False) -> None:
    """Runs under valgrind: one warm-up pass, then the counted pass (``empty``: no file)."""
    sys.path.insert(0, str(ROOT))
    corpus = [] if empty else texts(step)
    if side == "lxml":
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True,
                                 collect_ids=False)

        def work() -> None:
            for text in corpus:
                try:
                    etree.fromstring(text.lstrip().encode("utf-8"), parser)
                except etree.XMLSyntaxError:
                    pass
    else:
        read = importlib.import_module(reader).read

        def work() -> None:
            for text in corpus:
                read(text)
    work()
    eval("work()", {"work": work})  # the counted call (callgrind toggles collection on builtin_eval)


def callgrind_count(script: str, *args: str) -> int:
    """The instructions callgrind counts while ``python script args`` runs its counted call (inside
    ``eval``: collection is toggled on ``builtin_eval``). Also used by bench_bpmn_parsers.py."""
    command = ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=builtin_eval",
               "--callgrind-out-file=/dev/null", sys.executable, script, *args]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if not found:
        raise SystemExit(f"no instruction count in valgrind's output:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def count(side: str, step: int, reader: str, empty: bool = False) -> int:
    return callgrind_count(__file__, "--worker", side, "--step", str(step), "--reader", reader,
                           *(["--empty"] if empty else []))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", type=int, default=1, help="read every Nth file only")
    parser.add_argument("--reader", default="converters.bpmn.reader", help="module whose read(text) is measured")
    parser.add_argument("--worker", choices=("lxml", "ours"), help=argparse.SUPPRESS)
    parser.add_argument("--empty", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.step, args.reader, args.empty)
        return
    files = len(texts(args.step))
    # what start-up leaves in the count (imports that call eval) is subtracted
    bare = count("lxml", args.step, args.reader) - count("lxml", args.step, args.reader, empty=True)
    ours = count("ours", args.step, args.reader) - count("ours", args.step, args.reader, empty=True)
    print(f"reading {files} files of tests/corpus/bpmn-more/ (every {args.step}th), instructions (callgrind):")
    print(f"   lxml.etree.fromstring {bare:>14,d}")
    print(f"   {args.reader:21} {ours:>14,d}   ours / lxml = {ours / bare:.2f}")


if __name__ == "__main__":
    main()
