#!/usr/bin/env python3
"""A long fuzz campaign over real files, judged by the real tools (not a test: run it by hand).

    .venv/bin/python scripts/fuzz_campaign.py --budget 600 [--seed N] [--corpus DIR ...] [--out DIR]

1. Every real file (``tests/corpus`` by default; ``--corpus /work/shared/corpus`` adds the team's
   copy) is read by its reader and written to every format and writer variant; each output is judged
   by that format's real tool (Mermaid's parser, PlantUML 1.2026.8, the BPMN XSDs + reference checks
   and bpmn-moddle: ``tests/oracles``) and read back by our own reader.
2. Then, until the budget is spent, the files are mutated (a cut at a line, lines dropped, duplicated
   or moved, keywords swapped, unicode and control characters, CRLF, a BOM, tabs, huge labels, deep
   nesting) and each mutant goes through the same checks: no exception other than the library's own
   error escapes a reader or a writer; every error names a line and column inside the text; no output
   the real tool refuses; every output reads back. For Mermaid and PlantUML sources the real tool's
   verdict on the mutant is compared with the reader's (accept / reject), as a separate tally.

Findings are grouped by a signature (kind, formats, the first words of the message), with the
smallest input for each kept under ``--out`` (default ``/tmp/fuzz-campaign``), and a summary is
printed and written to ``summary.json`` there.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from converters import FlowzapError, InputError, read_with_diagnostics, write_with_diagnostics  # noqa: E402
from converters.diagnostics import Severity  # noqa: E402
from converters.registry import format_for_filename  # noqa: E402
from tests.oracles import bpmn_oracle, mermaid_oracle, plantuml_oracle  # noqa: E402

TARGETS = [
    ("flowzap", {}), ("yaml", {}),
    ("bpmn", {}), ("bpmn", {"pools": "per-lane", "structure": "as-is"}),
    ("mermaid", {"diagram": "flowchart"}), ("mermaid", {"diagram": "swimlane"}),
    ("mermaid", {"diagram": "sequence", "extras": "comments"}),
    ("plantuml", {"diagram": "activity", "extras": "comments"}), ("plantuml", {"diagram": "sequence"}),
]
SEED_MAX_CHARS = 40_000

KEYWORDS = {
    "mermaid": ["flowchart LR", "graph TD", "subgraph S", "end", "direction RL", "-->", "---", "-.->", "==>", "--o",
                "<-->", "~~~", "-- text -->", "|lbl|", "click A call f()", "style A fill:#f00", "classDef c fill:#fff",
                "class A c", ":::c", "A@{ shape: rect }", "[(db)]", "((c))", "{d}", "{{h}}", "[/p/]", ">a]", "&",
                "%%", "%%{init: {}}%%", "participant P", "actor X as Y", "->>", "-->>", "-x", "-)", "+", "-",
                "loop L", "alt A", "else B", "opt", "par", "and", "critical", "break", "rect rgb(1,2,3)", "box B",
                "Note right of A: n", "activate A", "deactivate A", "autonumber", "create participant Z",
                "destroy Z", "link A: L @ http://x", "title T", "accTitle: a", "---\ntitle: t\n---", "`**md**`",
                "\"quoted\"", "#quot;", "#9829;", "<br>", "A-->B-->C", "A & B --> C", "e1@-->"],
    "plantuml": ["start", "stop", "end", "detach", "kill", "if (a) then (yes)", "else (no)", "elseif (b) then (y)",
                 "endif", "while (w) is (x)", "endwhile (y)", "repeat", "repeat while (r) is (s)", "backward :b;",
                 "break", "fork", "fork again", "end fork {or}", "end merge", "split", "split again", "end split",
                 "switch (s)", "case (c)", "endswitch", "partition P {", "}", "group G", "end group", "|L|",
                 "|#red|M|", ":action;", ":multi\nline;", "-> label;", "-[#red,dashed]->", "#pink:c;", ":a|",
                 ":a<", ":a>", ":a/", ":a]", ":a}", "note left: n", "note right\nx\nend note", "floating note: f",
                 "(A)", "A -> B : m", "A --> B", "A ->x B", "A ->> B", "A <-> B", "A -> A", "[-> A", "A ->]",
                 "participant \"P q\" as P", "actor A", "database D", "queue Q", "alt c", "else", "opt", "loop 3",
                 "par", "critical", "ref over A : r", "box \"b\" #eee", "end box", "create C", "activate A",
                 "deactivate A", "destroy A", "return r", "autonumber", "== d ==", "...", "||45||", "newpage",
                 "hide footbox", "skinparam x y", "!pragma useVerticalIf on", "title t", "legend\nl\nendlegend",
                 "'comment", "/' block '/", "(*) --> \"A\"", "--> (*)", "if \"c\" then", "-->[lbl] \"B\"",
                 "===B1===", "@startuml", "@enduml", "!define X 1", "!include x", "<b>b</b>", "<color:red>r</color>"],
    "flowzap": ["n1: circle label=\"Start\"", "n2: rectangle label=\"T\"", "n3: diamond label=\"?\"",
                "n4: taskbox owner=\"o\" description=\"d\" system=\"s\"", "n1.handle(right) -> n2.handle(left)",
                "[label=\"x\"]", "loop [c] n1 n2", "lane {", "}", "# Label", "// c", "x.n1", "-> ", ".handle(top)"],
    "yaml": ["nodes:", "edges:", "lanes:", "- id: x", "  label: y", "source:", "target:", "&a", "*a", "<<: *a",
             "!!str", "? ", "---", "...", "{", "[", "|", ">", "\"\\u0000\"", "'", "#"],
    "bpmn": ["<task id=\"T9\"/>", "<exclusiveGateway id=\"G9\"/>", "<sequenceFlow id=\"F9\" sourceRef=\"T9\" "
             "targetRef=\"G9\"/>", "<!-- c -->", "<![CDATA[x]]>", "&amp;", "&#0;", "&#x1F600;", "&unknown;",
             "<subProcess id=\"S9\">", "</subProcess>", "<laneSet>", "<lane id=\"L9\">", "<flowNodeRef>T9</flowNodeRef>",
             "<boundaryEvent id=\"B9\" attachedToRef=\"T9\"/>", "<?xml version=\"1.0\"?>", "<!DOCTYPE x [<!ENTITY e \"x\">]>",
             "xmlns:foo=\"urn:x\"", "<foo:bar/>", "name=\"a&#10;b\""],
}
NESTERS = {
    "mermaid": ("subgraph S{i}", "end"),
    "plantuml": ("partition P{i} {{", "}}"),
    "flowzap": ("", ""),
    "yaml": ("", ""),
    "bpmn": ("<subProcess id=\"N{i}\">", "</subProcess>"),
}
INSERTS = ["\t", "\r", "\r\n", "\ufeff", "\u200b", "\u2028", "\u2029", "\x85", "\x00", "\x01", "\x1b", "\x7f",
           "\ud800", "\ufffe", "\uffff", "é", "e\u0301", "漢字", "🙂", "\U0001d0eb", "\u202e", " ", "\\", "\"", "'",
           "`", "#", ";", ":", "|", "&", "<", ">", "%%", "&#13;", "#35;", "{", "}", "[", "]", "(", ")"]


class Campaign:
    def __init__(self, out: Path, rng: random.Random) -> None:
        self.out = out
        self.rng = rng
        self.counts: Counter = Counter()
        self.findings: dict[str, dict] = {}
        self.divergences: dict[str, dict] = {}
        self.mermaid = mermaid_oracle.mermaid_oracle()
        self.plantuml = plantuml_oracle.plantuml_oracle()
        self.bpmn_python = bpmn_oracle.python_tools_available()
        self.bpmn_node = bpmn_oracle.node_tools_available()
        self.bpmn_dir = Path(tempfile.mkdtemp(prefix="fuzz-bpmn-"))
        self.bpmn_pending: list[tuple[Path, str, str]] = []  # (file, origin signature, input)
        self.bpmn_serial = 0

    # -- bookkeeping -------------------------------------------------------------------------
    def found(self, kind: str, where: str, message: str, text: str, output: str | None = None) -> None:
        first = re.sub(r"\d+", "N", message.strip().splitlines()[0] if message.strip() else "")[:90]
        signature = f"{kind} | {where} | {first}"
        self.counts["finding"] += 1
        known = self.findings.get(signature)
        if known is None or len(text) < len(known["input"]):
            self.findings[signature] = {"kind": kind, "where": where, "message": message[:2000], "input": text,
                                        "output": (output or "")[:20000], "hits": (known or {}).get("hits", 0)}
        self.findings[signature]["hits"] += 1

    def diverged(self, kind: str, source: str, message: str, text: str) -> None:
        signature = f"{kind} | {source} | {re.sub(r'[0-9]+', 'N', message)[:80]}"
        self.counts["divergence"] += 1
        known = self.divergences.get(signature)
        if known is None or len(text) < len(known["input"]):
            self.divergences[signature] = {"message": message[:600], "input": text, "hits": (known or {}).get("hits", 0)}
        self.divergences[signature]["hits"] += 1

    def dump(self, seed: int, started: float) -> dict:
        """The summary so far, written to summary.json (read it while the campaign runs)."""
        summary = {"seed": seed, "seconds": round(time.monotonic() - started), "counts": dict(self.counts),
                   "findings": self.findings, "divergences": self.divergences}
        (self.out / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")
        return summary

    # -- one input -----------------------------------------------------------------------------
    def read(self, text: str, fmt: str, origin: str):
        """The model, or None when refused (a refusal is checked for its line and column)."""
        self.counts[f"read {fmt}"] += 1
        try:
            return read_with_diagnostics(text, fmt)
        except InputError as error:
            self.check_positions(error, text, fmt, origin)
            return None
        except FlowzapError as error:
            self.found("reader raised", fmt, f"{type(error).__name__}: {error}", text)
        except Exception as error:  # any escape is what we look for
            self.found("reader crashed", fmt, f"{type(error).__name__}: {error}\n{traceback.format_exc()[-1500:]}", text)
        return None

    def check_positions(self, error: InputError, text: str, fmt: str, origin: str) -> None:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as converters/text.py reads it
        for d in error.diagnostics:
            if d.severity is not Severity.ERROR:
                continue
            if d.code in ("INPUT_TOO_LARGE",):
                continue
            if d.line is None or d.column is None:
                self.found("error without line/column", fmt, f"{d.code}: {d.message}", text)
                continue
            if not 1 <= d.line <= len(lines) + 1 or d.column < 1:
                self.found("error outside the text", fmt, f"{d.code} at {d.line}:{d.column}: {d.message}", text)
            elif d.line <= len(lines) and d.column > len(lines[d.line - 1]) + 2:
                self.found("column past the line end", fmt,
                           f"{d.code} at {d.line}:{d.column} (line has {len(lines[d.line - 1])}): {d.message}", text)

    def write_all(self, model, source: str, text: str) -> None:
        for target, options in TARGETS:
            where = f"{source} -> {target}{'/' + options.get('diagram', options.get('pools', '')) if options else ''}"
            self.counts["write"] += 1
            try:
                output, _ = write_with_diagnostics(model, target, options)
            except InputError as error:
                if error.code != "EMPTY_DIAGRAM":
                    self.found("writer refused", where, f"{error.code}: {error}", text)
                continue
            except Exception as error:
                self.found("writer crashed", where, f"{type(error).__name__}: {error}\n{traceback.format_exc()[-1500:]}",
                           text)
                continue
            try:
                read_with_diagnostics(output, target)
            except InputError as error:
                self.found("output does not read back", where, f"{error}", text, output)
            except Exception as error:
                self.found("output crashes our reader", where, f"{type(error).__name__}: {error}", text, output)
            self.judge(output, target, options, where, text)

    def judge(self, output: str, target: str, options: dict, where: str, text: str) -> None:
        if target == "mermaid" and self.mermaid is not None:
            self.counts["oracle mermaid"] += 1
            seen = self.tool(self.mermaid.parse, output, "mermaid", where, text)
            if seen is None:
                return
            if not seen.get("ok"):
                self.found("mermaid refuses our output", where, f"{seen.get('error')}", text, output)
        elif target == "plantuml" and self.plantuml is not None:
            self.counts["oracle plantuml"] += 1
            verdict = self.tool(self.plantuml.check, output, "plantuml", where, text)
            if verdict is None:
                return
            if verdict[0] == "ERROR":
                self.found("plantuml refuses our output", where, verdict[1], text, output)
        elif target == "bpmn" and (self.bpmn_python or self.bpmn_node):
            self.bpmn_serial += 1
            path = self.bpmn_dir / f"o{self.bpmn_serial}.bpmn"
            path.write_text(output, encoding="utf-8")
            # a BPMN source the tools refuse (the corpus' invalid/ folders, most BPMN mutants) may be refused
            # again as written back: told apart from output that a valid source made invalid
            self.bpmn_pending.append((path, where + (" (BPMN source)" if where.startswith("bpmn ") else ""), text))
            if len(self.bpmn_pending) >= 40:
                self.flush_bpmn()

    def flush_bpmn(self) -> None:
        pending, self.bpmn_pending = self.bpmn_pending, []
        if not pending:
            return
        paths = [p for p, _, _ in pending]
        # A BPMN source is checked by the same tools: output of a source they refuse (bpmn-js' and
        # SpiffWorkflow's tests hold many such files) is told apart from output a valid source made invalid.
        sources: dict[str, Path] = {}
        for path, where, text in pending:
            if where.endswith("(BPMN source)") and text not in sources:
                sources[text] = path.with_name(path.stem + "-source.bpmn")
                sources[text].write_text(text, encoding="utf-8")
        checked = paths + list(sources.values())
        self.counts["oracle bpmn"] += len(paths)
        xsd = bpmn_oracle.check_files(checked, require_di=True) if self.bpmn_python else {}
        moddle = bpmn_oracle.moddle(checked) if self.bpmn_node else {}
        for path, where, text in pending:
            output = path.read_text(encoding="utf-8")
            source = sources.get(text) if where.endswith("(BPMN source)") else None
            refused_source = source is not None and (xsd.get(str(source)) or moddle.get(str(source)))
            suffix = " (the source is refused too)" if refused_source else ""
            for message in xsd.get(str(path), [])[:3]:
                self.found("BPMN XSD/reference check refuses our output" + suffix, where, message, text, output)
            for message in moddle.get(str(path), [])[:3]:
                self.found("bpmn-moddle warns on our output" + suffix, where, message, text, output)
            path.unlink()
        for source in sources.values():
            source.unlink()

    def tool(self, ask, text: str, name: str, where: str, source: str):
        """The real tool's answer, or None when it gave none in time (tests/oracles/watchdog.py: the
        oracle is started again): recorded, since a text that makes the tool loop is worth keeping."""
        try:
            return ask(text)
        except TimeoutError as error:
            self.diverged(f"{name} gives no answer", where, str(error), source)
            return None

    def source_verdict(self, text: str, fmt: str, accepted: bool) -> None:
        """The real tool's verdict on a Mermaid / PlantUML source against the reader's."""
        if not _encodable(text):
            return  # a lone surrogate: no tool can be sent it (the reader refuses it, as text.py says)
        if fmt == "mermaid" and self.mermaid is not None:
            seen = self.tool(self.mermaid.parse, text, "mermaid", fmt, text)
            if seen is None:
                return
            if seen.get("ok") and not accepted and seen.get("diagramType") in ("flowchart-v2", "flowchart", "sequence"):
                self.diverged("mermaid accepts, we refuse", fmt, "", text)
            elif not seen.get("ok") and accepted:
                self.diverged("mermaid refuses, we accept", fmt, str(seen.get("error"))[:60], text)
        elif fmt == "plantuml" and self.plantuml is not None:
            lower = text.lower().replace("\r", "\n")
            if lower.rfind("\n@enduml") < lower.rfind("@startuml") or "@startuml" not in lower:
                return  # PlantUML's -pipe waits for the @enduml that never comes (a file without is no diagram)
            verdict = self.tool(self.plantuml.check, text, "plantuml", fmt, text)
            if verdict is None:
                return
            if verdict[0] in ("ACTIVITY", "SEQUENCE") and not accepted:
                self.diverged("plantuml accepts, we refuse", fmt, verdict[0], text)
            elif verdict[0] == "ERROR" and accepted:
                self.diverged("plantuml refuses, we accept", fmt, verdict[1].split(":", 1)[-1][:60], text)

    def one(self, text: str, fmt: str, origin: str, compare: bool) -> None:
        result = self.read(text, fmt, origin)
        if compare:
            self.source_verdict(text, fmt, result is not None)
        if result is not None:
            self.write_all(result.diagram, fmt, text)

    # -- mutations -----------------------------------------------------------------------------
    def mutate(self, text: str, fmt: str, others: list[str]) -> str:
        rng = self.rng
        for _ in range(rng.randint(1, 4)):
            lines = text.split("\n")
            at = rng.randrange(len(lines))
            action = rng.choice(["cut", "cutline", "drop", "duplicate", "move", "keyword", "swap", "insert", "crlf",
                                 "bom", "tabs", "huge", "nest", "splice", "indent"])
            if action == "cut":
                text = "\n".join(lines[:at + 1])
            elif action == "cutline":
                line = lines[at]
                lines[at] = line[:rng.randint(0, len(line))]
                text = "\n".join(lines)
            elif action == "drop":
                del lines[at]
                text = "\n".join(lines)
            elif action == "duplicate":
                lines.insert(rng.randrange(len(lines) + 1), lines[at])
                text = "\n".join(lines)
            elif action == "move":
                lines.insert(rng.randrange(len(lines)), lines.pop(at))
                text = "\n".join(lines)
            elif action == "keyword":
                lines.insert(at, rng.choice(KEYWORDS[fmt]))
                text = "\n".join(lines)
            elif action == "swap":  # a keyword of the line replaced by another
                words = [w for w in KEYWORDS[fmt] if w.split()[0] in lines[at]] if lines[at] else []
                if words:
                    old = rng.choice(words).split()[0]
                    lines[at] = lines[at].replace(old, rng.choice(KEYWORDS[fmt]), 1)
                    text = "\n".join(lines)
            elif action == "insert":
                spot = rng.randint(0, len(text))
                text = text[:spot] + rng.choice(INSERTS) * rng.choice([1, 1, 1, 3, 50]) + text[spot:]
            elif action == "crlf":
                text = text.replace("\n", rng.choice(["\r\n", "\r", "\n\n", "\r\r\n"]))
            elif action == "bom":
                text = "\ufeff" + text
            elif action == "tabs":
                text = text.replace("  ", "\t") if rng.random() < 0.5 else text.replace(" ", "\t")
            elif action == "huge":
                words = re.findall(r"[A-Za-z]{3,}", lines[at])
                if words:
                    lines[at] = lines[at].replace(rng.choice(words), rng.choice(["x", "é", "🙂", "a b", "<b>"]) *
                                                  rng.choice([700, 1100, 2100, 5000]), 1)
                    text = "\n".join(lines)
            elif action == "nest":
                opening, closing = NESTERS[fmt]
                if opening:
                    depth = rng.choice([5, 30, 120, 600])
                    end = min(len(lines), at + rng.randint(1, 5))
                    lines[at:end] = [opening.format(i=i) for i in range(depth)] + lines[at:end] + \
                        [closing.format(i=i) for i in range(depth)]
                    text = "\n".join(lines)
            elif action == "splice":
                other = rng.choice(others).split("\n")
                start = rng.randrange(len(other))
                lines[at:at] = other[start:start + rng.randint(1, 8)]
                text = "\n".join(lines)
            else:  # indent
                lines[at] = rng.choice(["  ", "\t", "    "]) + lines[at]
                text = "\n".join(lines)
        return text


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def corpus_files(folders: list[Path]) -> dict[str, list[tuple[str, str]]]:
    """format → [(path, text)] for every file whose extension names a format that reads."""
    found: dict[str, list[tuple[str, str]]] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            fmt = format_for_filename(path.name) if path.is_file() else None
            if fmt is None or not fmt.can_read or path.stat().st_size > SEED_MAX_CHARS:
                continue
            found.setdefault(fmt.name, []).append((str(path), path.read_text(encoding="utf-8", errors="replace")))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=300, help="seconds for the whole campaign")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--corpus", type=Path, action="append", default=[],
                        help="a folder of real files (repeatable; default tests/corpus)")
    parser.add_argument("--formats", default="", help="source formats to mutate (comma-separated; default all)")
    parser.add_argument("--skip-real", action="store_true", help="skip the unmutated pass over every file")
    parser.add_argument("--real-only", action="store_true", help="only the unmutated pass over every file")
    parser.add_argument("--out", type=Path, default=Path("/tmp/fuzz-campaign"))
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    folders = args.corpus or [ROOT / "tests" / "corpus"]
    files = corpus_files(folders)
    if args.formats:
        files = {f: v for f, v in files.items() if f in args.formats.split(",")}
    args.out.mkdir(parents=True, exist_ok=True)
    campaign = Campaign(args.out, random.Random(seed))
    deadline = time.monotonic() + args.budget
    started = time.monotonic()
    print(f"seed {seed}; files: " + ", ".join(f"{f} {len(v)}" for f, v in files.items()), flush=True)
    print(f"oracles: mermaid {campaign.mermaid is not None}, plantuml {campaign.plantuml is not None}, "
          f"bpmn xsd {campaign.bpmn_python}, bpmn-moddle {campaign.bpmn_node}", flush=True)
    if not args.skip_real:
        for fmt, entries in files.items():
            for path, text in entries:
                if time.monotonic() > deadline:
                    break
                campaign.counts["real file"] += 1
                campaign.one(text, fmt, path, compare=False)
        campaign.flush_bpmn()
        campaign.dump(seed, started)
        print(f"real files done in {time.monotonic() - started:.0f} s: {len(campaign.findings)} finding kinds",
              flush=True)
    formats = sorted(files)
    mutants = 0
    while time.monotonic() < deadline and formats and not args.real_only:
        fmt = formats[mutants % len(formats)]
        texts = [t for _, t in files[fmt]]
        text = campaign.mutate(campaign.rng.choice(texts), fmt, texts)
        mutants += 1
        campaign.counts["mutant"] += 1
        campaign.one(text, fmt, "mutant", compare=True)
        if mutants % 200 == 0:
            campaign.dump(seed, started)
            print(f"{time.monotonic() - started:.0f} s: {mutants} mutants, {len(campaign.findings)} finding kinds, "
                  f"{len(campaign.divergences)} divergence kinds", flush=True)
    campaign.flush_bpmn()
    summary = campaign.dump(seed, started)
    print(json.dumps(summary["counts"], indent=1))
    for signature, finding in sorted(campaign.findings.items(), key=lambda kv: -kv[1]["hits"]):
        print(f"[{finding['hits']}] {signature}  (input {len(finding['input'])} chars)")
    print(f"-- divergences between the real tool and our reader on sources ({len(campaign.divergences)} kinds)")
    for signature, divergence in sorted(campaign.divergences.items(), key=lambda kv: -kv[1]["hits"]):
        print(f"[{divergence['hits']}] {signature}")
    print(f"summary: {args.out / 'summary.json'}")
    return 1 if campaign.findings else 0


if __name__ == "__main__":
    sys.exit(main())
