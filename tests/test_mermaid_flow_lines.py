"""The flowchart lines read whole (``converters/mermaid/flow_lines.py``) read as mermaid's grammar does.

The shortcut must never change what is read: for every Mermaid text of the tests, for generated
diagrams written by our writer, and for those texts cut, spliced and sprinkled with the tokens the
shortcut's checks are about, reading with the shortcut and without it (``flowchart.parse(pre,
whole_lines=False)``: mermaid's grammar token by token) gives the same mermaid db (vertices, edges,
subgraphs, … with their positions) or the same error, and the same diagram and diagnostics, line
and column included. And the shortcut does read the common lines (else it would be a slower no-op).
"""
from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from converters import write_with_diagnostics
from converters.model import Diagram, Edge, Lane, Node, NodeKind
from converters.mermaid import flow_lines, flowchart, jison, reader
from converters.mermaid.preprocess import preprocess
from tests.conftest import IN_CI, ROOT
from tests.strategies import any_models
from tests.test_mermaid_fuzz import SEEDS, TOKENS, mutated

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "150" if IN_CI else "40"))
FUZZ = settings(max_examples=EXAMPLES * 3, deadline=None, derandomize=not IN_CI,
                suppress_health_check=list(HealthCheck),
                phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink))

MERMAID_FILES = sorted(p for p in ROOT.joinpath("tests").rglob("*") if p.suffix in (".mmd", ".mermaid"))
_PARSE = flowchart.parse

# What the shortcut's checks are about (each is a way a line could be cut into other tokens), and
# lines it reads, to splice.
EDGE_CASES = [
    "x", "o", "v", "end", "end-x", "style", "class", "default", "call", "href", "click", "_self", "graph", "a-",
    "-a", "1", "12a", "a-b", "A1", "@", "@{", "@{ shape: rect }", "@{shape: bad}", "@{ label: \"q\" }", "}", "~",
    "~~~", "`", '"`', "-", "--", "==", ".", "-.-", "|", "||", "| ", "|  ", "\r\n", "\r", "\u00a0", "\t", "  ", "((",
    "))", "(((", ")))", "([", "])", "[[", "]]", "[/", "[\\", "(-", "-)", "{{", "}}", ":::", "&", ";", "direction",
    "direction TB", "#quot;", "e1@-->", '"', "A[a@b]", "A-->|a@b|B", "A --- B", "A ==> B", "A -.-> B", "A ~~~ B",
    "A --o B", "A <--> B", "x--> B", "A -- t --> B", "A[~~~ x]", "A[ ~~~]", "A[x ~~~]", "A -->|~~~| B",
    "A -->| ~~~t| B", "A --> B\n", '    n1["x"] --> n2\n', "  A -->|t| B\n",
    "\n  --> C\n", "\n==> C\n", "\n.-> C\n", "n1 --> n2 --> n3\n", 'A("r") --> B((c)) --> C{d}\n', "A[t]\n", "A[]\n",
    'A[""]\n', "A-->B & C\n", "subgraph S\n", "end\n", "%% c\n", "accTitle: t\n", "linkStyle 0 stroke:red\n",
]


def _db(text: str, whole_lines: bool):
    """What mermaid's db holds after the parse, or the error it stops with (everything it says)."""
    try:
        db = _PARSE(preprocess(text), whole_lines)
    except jison.JisonError as error:
        return ("JisonError", error.message, error.line, error.column, error.token, error.text, error.expected,
                error.token_line, error.token_column)
    except flowchart.FlowError as error:
        return ("FlowError", error.message, error.loc, error.code)
    return (db.vertices, db.edges, db.edge_ids, db.pair_count, db.classes, db.subgraphs, db.in_subgraph,
            db.direction, db.acc_title, db.acc_descr, db.default_style, db.default_interpolate, db.sub_count, db.notes)


def _read(text: str, whole_lines: bool, monkeypatch):
    monkeypatch.setattr(flowchart, "parse", lambda pre: _PARSE(pre, whole_lines))
    try:
        return reader.read(text)
    finally:
        monkeypatch.setattr(flowchart, "parse", _PARSE)


def assert_same(text: str, monkeypatch) -> None:
    pre = preprocess(text)
    if pre.error is None and pre.diagram_type in ("flowchart", "flowchart-v2", "swimlane"):
        assert _db(text, True) == _db(text, False), text
    with_shortcut, without = _read(text, True, monkeypatch), _read(text, False, monkeypatch)
    assert with_shortcut == without, text
    # (line and column are not part of the model's equality)
    for a, b in zip(with_shortcut[0].nodes + with_shortcut[0].edges, without[0].nodes + without[0].edges):
        assert (a.line, a.column) == (b.line, b.column), (a, text)


def test_there_are_mermaid_files_to_compare():
    assert len(MERMAID_FILES) > 250


@pytest.mark.parametrize("path", MERMAID_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_mermaid_file_of_the_tests_reads_the_same_with_the_shortcut(path, monkeypatch):
    assert_same(path.read_text(encoding="utf-8", errors="replace"), monkeypatch)


@pytest.mark.parametrize("line", EDGE_CASES)
def test_each_edge_case_reads_the_same_inside_a_diagram(line, monkeypatch):
    for text in (f"flowchart LR\n{line}\n", f"flowchart LR\n  A --> B\n  {line}\n  C --> D\n",
                 f"graph TD\n  A[a] --> B\n  B{line} --> C\n", f"flowchart LR\n  A -->{line} B\n",
                 f"flowchart LR\n  subgraph S\n    A[\"x\"]{line}\n  end\n"):
        assert_same(text, monkeypatch)


@st.composite
def spliced_texts(draw) -> str:
    """A Mermaid text of the tests or one our writer made from a generated model, cut, spliced and
    sprinkled with the tokens the shortcut's checks are about."""
    if draw(st.booleans()):
        text = draw(st.sampled_from(SEEDS))
    else:
        text, _ = write_with_diagnostics(draw(any_models(max_nodes=8)), "mermaid",
                                         {"diagram": draw(st.sampled_from(["flowchart", "swimlane"]))},
                                         loss_policy="ignore")
    return mutated(draw, text, EDGE_CASES + TOKENS, 0)


@FUZZ
@given(spliced_texts())
def test_generated_and_mutated_texts_read_the_same_with_the_shortcut(text):
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert_same(text, monkeypatch)


def test_random_lines_of_the_read_shapes_read_the_same(monkeypatch):
    """Lines built from the pieces the shortcut reads and the ones next to them, many at a time."""
    rng = random.Random(13)
    ids = ["A", "b2", "n10", "my-node", "a_b", "7", "x", "o", "end", "xo", "v", "vx", "endx", "7a", "A.b", "é"]
    shapes = ["", '["q"]', "[plain text]", '("r")', "(r)", '(("c"))', "((c))", '{"d"}', "{d}", "[/t/]", "([s])",
              "[[s]]", '[""]', "[a@b]", "[t~~~]", "[~~~t]", "( ~~~ )", '["`m`"]', "[-x]", "(-x-)", "{{h}}"]
    data = ["", "@{ shape: rect }", "@{shape: notch-rect}", "@{ shape: nope }", "@{ label: x }", "@{}"]
    arrows = [" --> ", "-->", " --- ", " ==> ", " -.-> ", " ~~~ ", " --o ", " <--> ", " x--x ", " ---- ",
              " -- t --> ", "->", " -->|t| ", ' -->|"q t"| ', " -->|t|  ", " -->|a@b| ", " -->|t|", " --> |t| ",
              " -->|~~~| ", " -->|t~~~| "]
    for _ in range(400):
        lines = []
        for _ in range(rng.randint(1, 6)):
            parts = [rng.choice(["", "  ", "\t", "    "])]
            for i in range(rng.randint(1, 3)):
                if i:
                    parts.append(rng.choice(arrows))
                parts.append(rng.choice(ids) + rng.choice(shapes) + rng.choice(data))
            lines.append("".join(parts) + rng.choice(["\n", "\n", "\n\n", "  \n", ";\n", "\r\n"]))
        assert_same("flowchart LR\n" + "".join(lines), monkeypatch)


def _generated(nodes: int) -> Diagram:
    """A diagram like benchmarks/generate.py's: lanes, tasks, decisions with a way back, user tasks."""
    rng = random.Random(7)
    diagram = Diagram(lanes=[Lane(f"Lane{i}", f"Lane number {i}") for i in range(3)])
    kinds = [NodeKind.TASK] * 6 + [NodeKind.DECISION, NodeKind.USER_TASK]
    for i in range(nodes):
        kind = NodeKind.START if i == 0 else NodeKind.END if i == nodes - 1 else rng.choice(kinds)
        diagram.nodes.append(Node(f"n{i + 1}", f"Lane{i * 3 // nodes}", kind, f"Step {i + 1} of the process"))
    for i in range(nodes - 1):
        decision = diagram.nodes[i].kind is NodeKind.DECISION
        diagram.edges.append(Edge(f"n{i + 1}", f"n{i + 2}", "Yes" if decision else None))
        if decision:
            diagram.edges.append(Edge(f"n{i + 1}", f"n{max(1, i - 3)}", "No"))
    return diagram


def test_the_shortcut_reads_the_lines_generated_diagrams_are_made_of(monkeypatch):
    text, _ = write_with_diagnostics(_generated(300), "mermaid", loss_policy="ignore")
    read_whole = []
    run = flow_lines.FlowLines._run

    def counting(self, db, statements, steps, base, line):
        read_whole.append(line)
        return run(self, db, statements, steps, base, line)

    monkeypatch.setattr(flow_lines.FlowLines, "_run", counting)
    reader.read(text)
    node_and_edge_lines = [line for line in text.splitlines()[1:] if line.strip() not in ("end",)
                           and not line.lstrip().startswith("subgraph")]
    assert len(read_whole) == len(node_and_edge_lines) > 600


def test_the_arrows_are_mermaids_link_rules_in_their_order():
    cores = flow_lines._arrow_cores()
    assert cores == [("[xo<]?--+[-xo>]", True), ("[xo<]?--", False), ("[xo<]?==+[=xo>]", True), ("[xo<]?==", False),
                     ("[xo<]?-?\\.+-[xo>]?", True), ("[xo<]?-\\.", False), ("~~[\\~]+", True)]
