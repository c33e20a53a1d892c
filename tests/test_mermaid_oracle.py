"""The Mermaid reader against mermaid's own parser (npm mermaid 11.17 in node).

For every text here — hand-picked traps, every shape, every edge kind, the corpus, and texts made
up at random from Mermaid's tokens — mermaid and the reader must agree: both accept (and then
see the same nodes, labels, edges, edge labels and subgraphs) or both reject (at the same line).
The lexer is compared token by token with mermaid's lexer, and the grammar tables with the ones
the installed mermaid has.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from converters import InputError, read_with_diagnostics
from converters.mermaid import jison
from converters.mermaid.preprocess import preprocess
from tests.conftest import CORPUS, require_tool
from tests.oracles.mermaid_oracle import (
    available, mermaid_oracle, mermaid_view, model_view, sequence_model_view,
)

CORPUS = sorted((CORPUS / "mermaid").glob("*.mmd"))
GRAMMAR = Path(__file__).resolve().parent.parent / "converters" / "mermaid" / "grammar"

pytestmark = pytest.mark.oracle


@pytest.fixture(scope="module")
def oracle():
    require_tool("mermaid's parser (node + npm mermaid + jsdom)", available(), "bash tests/oracles/mermaid/install.sh")
    return mermaid_oracle()


def agree(oracle, text: str) -> dict:
    """Asserts that mermaid and the reader agree on ``text``; returns mermaid's answer."""
    seen = oracle.parse(text)
    try:
        result = read_with_diagnostics(text, "mermaid")
        diagram = result.diagram
    except InputError as exc:
        if exc.code == "UNSUPPORTED_DIAGRAM":  # a diagram type mermaid draws and we do not read
            assert seen["ok"] and seen["diagramType"] not in ("flowchart", "flowchart-v2", "swimlane", "sequence")
            return seen
        assert not seen["ok"], f"mermaid accepts what we reject: {exc.message}\n{text}"
        unclosed = "never closed with end" in exc.errors[0].message  # said where the subgraph opens
        if seen.get("line") is not None and "Parse error" in seen.get("error", "") and not unclosed:
            pre = preprocess(text)
            first = exc.errors[0]
            assert first.line == pre.original_line(seen["line"]), (exc.message, seen)
            assert first.column == seen["column"] + 1, (exc.message, seen)
        return seen
    assert seen["ok"], f"mermaid rejects what we accept: {seen.get('error')}\n{text}"
    if "vertices" in seen:
        expected = mermaid_view(seen)
        # an edge ending on a subgraph with no node inside is left out, and reported
        empty = _empty_subgraphs(expected)
        if empty:
            kept = [e for e in expected["edges"] if e[0] not in empty and e[1] not in empty]
            if len(kept) < len(expected["edges"]):
                assert any(d.code == "EDGE_TO_SUBGRAPH" for d in result.diagnostics)
            expected["edges"] = kept
        # an edge from or to an edge id (`e1 --> C` after `A e1@--> B`) has an end mermaid makes no
        # vertex for, and mermaid fails to draw it: left out, and reported
        ends = set(expected["nodes"]) | set(expected["subgraphs"])
        drawable = [e for e in expected["edges"] if e[0] in ends and e[1] in ends]
        if len(drawable) < len(expected["edges"]):
            assert any(d.code == "IGNORED_STATEMENT" for d in result.diagnostics)
            expected["edges"] = drawable
        assert model_view(diagram) == expected, text
        assert diagram.direction == (seen["direction"] if seen["direction"] in ("LR", "RL", "TB", "BT") else "TB")
    elif "actors" in seen:
        assert sequence_model_view(diagram) == mermaid_view(seen), text
    return seen


def _empty_subgraphs(expected: dict) -> set[str]:
    """Subgraphs with no node inside, nested ones included, in ``mermaid_view``'s subgraphs: there a
    repeated id is one subgraph and the nesting is a tree (a subgraph named inside itself or inside
    one of its own nested subgraphs is left out there, as the reader leaves it out)."""
    subs = {sid: members for sid, (_, members) in expected["subgraphs"].items()}

    def has_node(sid):
        return any(n not in subs or has_node(n) for n in subs[sid])

    return {sid for sid in subs if not has_node(sid)}


def test_the_oracle_is_the_mermaid_the_tables_came_from(oracle):
    for name in ("flow", "sequence"):
        assert jison.grammar(name).generated_from == f"mermaid {oracle.version}"


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_lexer_matches_mermaid_token_for_token(oracle, path):
    text = path.read_text(encoding="utf-8")
    pre = preprocess(text)
    name = "sequence" if pre.diagram_type == "sequence" else "flow"
    theirs = oracle.tokens(name, pre.code)
    g = jison.grammar(name)
    lexer = jison.Lexer(g, pre.code)
    ours = []
    for _ in range(len(theirs)):
        try:
            token = lexer.lex()
        except jison.JisonError:
            ours.append(["ERROR"])
            break
        loc = lexer.loc
        ours.append([g.terminal_name(token) if isinstance(token, int) else str(token), lexer.yytext,
                     [loc[0], loc[2], loc[1], loc[3]]])
        if token == jison.EOF:
            break
    if theirs and theirs[-1][0] == "ERROR":
        assert ours[-1] == ["ERROR"]
        ours, theirs = ours[:-1], theirs[:-1]
    assert ours == theirs


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_corpus_file_read_as_mermaid_sees_it(oracle, path):
    agree(oracle, path.read_text(encoding="utf-8"))


TRAPS = [
    # shapes, classic and v11
    "flowchart LR\n A[rect] --> B(round) --> C([stadium]) --> D[[sub]] --> E[(db)] --> F((circle))\n",
    "flowchart LR\n A>odd] --> B{rhombus} --> C{{hex}} --> D[/lr/] --> E[\\ll\\] --> F[/trap\\] --> G[\\inv/]\n",
    "flowchart LR\n A(((double))) --> B(-ellipse-)\n",
    "flowchart LR\n A@{ shape: notch-rect, label: \"Card\" } --> B@{ shape: cyl }\n",
    "flowchart LR\n A@{ shape: nosuchshape }\n",
    "flowchart LR\n A@{ shape: Rect }\n",
    "flowchart LR\n A[\"x\"]@{ shape: diam } --> B\n",
    "flowchart TD\n A@{ shape: docs, label: \"multi\n line\" }\n",
    # edges
    "flowchart LR\n A --- B\n B -.- C\n C === D\n D ~~~ E\n E --o F\n F --x G\n G <--> H\n H o--o I\n I x--x J\n",
    "flowchart LR\n A ----> B\n B -...-> C\n C ====> D\n",
    "flowchart LR\n A -- text --> B\n B -. dotted text .-> C\n C == thick text ==> D\n D -->|pipe| E\n",
    "flowchart LR\n A & B --> C & D\n A e1@--> B\n e1@{ animate: true }\n",
    "flowchart LR\n A -->|\"quoted | pipe\"| B\n",
    "flowchart LR\n A -->|unquoted | pipe| B\n",
    "flowchart LR\n A---oB\n A---xB\n",
    "flowchart LR\n A x-- text --> B\n",
    # ids and keywords
    "flowchart LR\n end --> B\n",
    "flowchart LR\n A --> endpoint\n B --> e\n",
    "flowchart LR\n A[\"direction TB is a label\"] --> B\n",
    "graph\n A --> B\n",
    "graph TD;A-->B;B-->C;\n",
    "flowchart RL\n 1 --> 2a\n",
    # subgraphs
    "flowchart LR\n subgraph one [One]\n  a1 --> a2\n end\n subgraph two\n  direction TB\n  b1 --> b2\n end\n a2 --> b1\n one --> two\n",
    "flowchart TB\n subgraph outer\n  subgraph inner\n   x\n  end\n  y\n end\n z --> x\n",
    "flowchart TB\n subgraph A Title with spaces\n  n1\n end\n",
    "flowchart TB\n a --> b\n subgraph S\n  b\n end\n subgraph T\n  b --> c\n end\n",
    "flowchart TB\n subgraph S\n  A\n",
    # styles, classes, links
    "flowchart LR\n A:::big --> B\n classDef big fill:#f9f,stroke:#333,stroke-width:4px;\n class B big\n style A fill:#f00\n linkStyle 0 stroke:#0f0\n",
    "flowchart LR\n A --> B\n linkStyle 3 stroke:#0f0\n",
    "flowchart LR\n A --> B\n click A \"https://example.com\" \"tip\" _blank\n click B call cb(\"x\")\n",
    # text
    "flowchart LR\n A[\"#quot;quoted#quot; &amp; <br/> broken\"] --> B[\"`**markdown** text`\"]\n",
    "flowchart LR\n A[Unicode ✓ 中文] --> B[\"entity #9829; #35;\"]\n",
    "---\ntitle: Hello\nconfig:\n  theme: forest\n---\nflowchart LR\n %% a comment\n A --> B\n",
    "%%{init: {'theme': 'dark'}}%%\nflowchart LR\n A --> B\n",
    "flowchart LR\n accTitle: Access\n accDescr: Describe\n A --> B\n",
    "flowchart LR\n  n1((Start) --> n2[Next\n",
    "flowchrt LR\n A --> B\n",
    "",
    # swimlane-beta
    "swimlane-beta LR\n subgraph c [Customer]\n  n1((Start)) --> n2[Order]\n end\n subgraph s [Shop]\n  n3{Stock?}\n end\n n2 -->|Handoff| n3\n",
    # sequence
    "sequenceDiagram\n participant A as Alice\n actor B as Bob\n A->>B: Hello\n B-->>A: Hi\n A-)B: async\n A-xB: cross\n A->>+B: act\n B->>-A: done\n",
    "sequenceDiagram\n A->>B: x\n loop Every minute\n  B->>C: y\n end\n alt ok\n  C->>A: z\n else not ok\n  C->>B: w\n end\n opt maybe\n  A->>A: self\n end\n",
    "sequenceDiagram\n par one\n  A->>B: p\n and two\n  A->>C: q\n end\n critical c\n  A->>B: r\n option o\n  B->>A: s\n end\n break b\n  A->>B: t\n end\n",
    "sequenceDiagram\n autonumber\n Note over A,B: a note\n Note left of A: left\n A->>B: x\n",
    "sequenceDiagram\n box Aqua Group\n participant A\n participant B\n end\n A->>B: x\n",
    "sequenceDiagram\n A->>-B: deactivate what is not active\n",
    "sequenceDiagram\n create participant C\n A->>B: not to C\n",
    "sequenceDiagram\n A->>B text without colon\n",
    "classDiagram\n A <|-- B\n",
    # JavaScript's \s before the keyword, which mermaid's detectors skip: a second byte-order mark, one
    # after a comment line or front matter, a paragraph separator; not Python's \x1c or \x85
    "\ufeff\ufeffflowchart LR\n A --> B\n",
    " \ufeffflowchart LR\n A --> B\n",
    "%% c\n\ufeffflowchart LR\n A --> B\n",
    "---\ntitle: t\n---\n\ufeffsequenceDiagram\n A->>B: x\n",
    "\u2029graph TD\n A --> B\n",
    "\ufeff\ufeffpie\n \"a\": 1\n",
    "\x1cflowchart LR\n A --> B\n",
]


@pytest.mark.parametrize("text", TRAPS, ids=[f"trap{i}" for i in range(len(TRAPS))])
def test_traps_read_as_mermaid_sees_them(oracle, text):
    agree(oracle, text)


# -- made-up texts: token soup in Mermaid's own vocabulary ------------------------------------
_IDS = st.sampled_from(["A", "B", "c1", "end", "o", "x", "v", "Node_2", "1", "sub", "graph", "style", "é"])
_TEXT = st.sampled_from(["text", "two words", "\"quoted\"", "a|b", "(paren)", "#quot;", "<br/>", "x:y", "é ✓", ""])
_BRACKETS = st.sampled_from(["[{}]", "({})", "(({}))", "{{{}}}", "[[{}]]", "[({})]", ">{}]", "[/{}/]", "{{{{{}}}}}",
                             "([{}])", "(((({}))))", "[\"{}\"]", "@{{ shape: rounded, label: \"{}\" }}"])
_LINKS = st.sampled_from(["-->", "---", "-.->", "==>", "~~~", "--o", "--x", "<-->", "x--x", "--->", "-->|{}|",
                          "-- {} -->", "-. {} .->", "== {} ==>", "e9@-->", "-.-", "<==>"])


@st.composite
def flowcharts(draw):
    lines = [draw(st.sampled_from(["flowchart LR", "flowchart TD", "graph", "graph BT", "swimlane-beta LR"]))]
    depth = 0
    for _ in range(draw(st.integers(1, 8))):
        choice = draw(st.integers(0, 9))
        if choice <= 5:
            parts = []
            for i in range(draw(st.integers(1, 3))):
                node = draw(_IDS)
                if draw(st.booleans()):
                    node += draw(_BRACKETS).format(draw(_TEXT))
                parts.append(node)
                if i < 2 and draw(st.booleans()):
                    parts.append(draw(_LINKS).format(draw(_TEXT)))
            lines.append(" " + " ".join(parts))
        elif choice == 6:
            lines.append(f" subgraph {draw(_IDS)}" + (f" [{draw(_TEXT)}]" if draw(st.booleans()) else ""))
            depth += 1
        elif choice == 7 and depth:
            lines.append(" end")
            depth -= 1
        elif choice == 8:
            lines.append(draw(st.sampled_from([" style A fill:#f00", " classDef k fill:#0f0", " class A k",
                                               " linkStyle 0 stroke:#00f", " direction TB", " %% comment",
                                               " click A \"http://x\"", " A:::k", " A & B --> C"])))
        else:
            lines.append(" " + draw(_IDS) + draw(st.sampled_from([" -->", "[", " & ", "{", "|x|", "-- x"])))
    if draw(st.booleans()):
        lines.extend([" end"] * depth)
    return "\n".join(lines) + "\n"


# Found by the tests: a node id equal to a subgraph id, where flowDb's membership lists make a
# cycle (mermaid parses; its layout fails; see refused_nesting), or a repeated subgraph id; an edge id
# written as a node.
SHARED_ID_CASES = [
    "flowchart LR\n subgraph A\n subgraph c1\n A\n B\n end\n end\n",
    "flowchart LR\n subgraph A\n A\n A\n A\n subgraph A\n A\n A --> B\n end\n end\n",
    "flowchart LR\n subgraph A\n subgraph c1\n A\n A\n B\n end\n end\n",
    "flowchart LR\n subgraph A\n subgraph c1\n style A fill:#f00\n A & B --> C\n end\n end\n",
    "flowchart LR\n subgraph B\n subgraph A\n B\n c1\n end\n end\n",
    "flowchart LR\n subgraph A\n A[t] --> B\n subgraph C\n A\n end\n end\n",
    "flowchart LR\n A\n subgraph A\n style A fill:#f00\n end\n style A fill:#f00\n subgraph A\n subgraph C\n A --> B\n end\n"
    " end\n",
    "flowchart LR\n subgraph A\n A[t]\n subgraph B\n subgraph A\n end\n subgraph A\n end\n A[t]\n A[t] --> C\n end\n end\n",
    "flowchart LR\n A[t]\n subgraph A\n A[t]\n A[t]\n B[t]\n subgraph C\n subgraph A\n end\n end\n end\n",
    "flowchart LR\n A[t]\n A[t]\n A[t]\n subgraph A\n subgraph C\n A[t]\n A\n A[t]\n A[t]\n A[t]\n B\n end\n end\n",
    "flowchart LR\n subgraph S\n A --> T\n end\n subgraph T\n S\n end\n",
    # an edge id written as a node: listed in the subgraph, but no vertex; an edge from it is not drawn
    "flowchart LR\n subgraph S\n A e1@--> B\n e1@{ animate: true }\n end\n",
    "flowchart LR\n A --> B\n subgraph S\n L_A_B_0\n end\n S --> C\n",
    "flowchart LR\n A e1@--> B\n subgraph S\n e1\n end\n e1 --> C\n",
    "flowchart LR\n A[t]\n subgraph A\n subgraph B\n A\n end\n A e1@--> A --> e1\n end\n",
    "flowchart LR\n A --> A --> B\n subgraph A\n L_A_B_0[t]\n subgraph B\n A --> c1\n end\n end\n",
    "flowchart LR\n subgraph A\n A[t] --> A e1@--> A\n e1[t]\n subgraph B\n subgraph A\n end\n end\n end\n",
]


def _with_examples(cases):
    def decorate(test):
        for text in reversed(cases):
            test = example(text=text)(test)
        return test
    return decorate


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flowcharts())
@_with_examples(SHARED_ID_CASES)
def test_made_up_flowcharts_accepted_and_rejected_as_mermaid_does(oracle, text):
    agree(oracle, text)


@st.composite
def flowcharts_sharing_ids(draw):
    """Few ids, used for nodes, subgraphs and edges alike, with nested and repeated subgraphs: where a
    node id equal to a subgraph id (or an edge id) changes what a subgraph holds."""
    ids = st.sampled_from(["A", "B", "C", "c1", "subGraph0", "e1", "L_A_B_0"])
    lines = [draw(st.sampled_from(["flowchart LR", "graph TD", "swimlane-beta LR"]))]
    depth = 0
    for _ in range(draw(st.integers(1, 14))):
        choice = draw(st.integers(0, 11))
        if choice <= 3:
            parts = [draw(ids)]
            for _ in range(draw(st.integers(0, 3))):
                parts += [draw(st.sampled_from(["-->", "---", "&", "-- x -->", "-->|y|", "e1@-->"])), draw(ids)]
            if draw(st.integers(0, 4)) == 0:
                parts[0] += draw(st.sampled_from(["[t]", "((c))", "{d}", "@{ shape: cyl }", "@{ animate: true }"]))
            lines.append(" " + " ".join(parts))
        elif choice <= 6:
            lines.append(" subgraph " + draw(st.sampled_from(["A", "B", "C", "c1", "two words", "A [T]", "B[\"q\"]"])))
            depth += 1
        elif choice <= 9 and depth:
            lines.append(" end")
            depth -= 1
        else:
            lines.append(draw(st.sampled_from([" style A fill:#f00", " direction TB", " class B k", " A --> c1",
                                               " A:::k", " click A \"http://x\"", " C --> subGraph0"])))
    if draw(st.booleans()):
        lines.extend([" end"] * depth)
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flowcharts_sharing_ids())
def test_made_up_subgraphs_sharing_ids_with_nodes_hold_what_mermaid_says(oracle, text):
    agree(oracle, text)


@st.composite
def sequences(draw):
    names = st.sampled_from(["A", "B", "Carl", "end", "x", "D2"])
    lines = ["sequenceDiagram"]
    depth = 0
    for _ in range(draw(st.integers(1, 8))):
        choice = draw(st.integers(0, 7))
        if choice <= 3:
            arrow = draw(st.sampled_from(["->>", "-->>", "->", "-->", "-x", "--x", "-)", "--)", "<<->>", "->>+", "->>-"]))
            lines.append(f" {draw(names)}{arrow}{draw(names)}: {draw(_TEXT)}")
        elif choice == 4:
            lines.append(f" {draw(st.sampled_from(['loop', 'alt', 'opt', 'par', 'critical', 'break', 'rect']))} {draw(_TEXT)}")
            depth += 1
        elif choice == 5 and depth:
            lines.append(draw(st.sampled_from([" end", " else x", " and y", " option z"])))
            depth -= lines[-1] == " end"
        elif choice == 6:
            lines.append(draw(st.sampled_from([" participant A as Alice", " actor B", " autonumber", " Note over A: n",
                                               " activate A", " deactivate A", " Note right of B: r"])))
        else:
            lines.append(f" {draw(names)} {draw(_TEXT)}")
    lines.extend([" end"] * depth)
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequences())
def test_made_up_sequence_diagrams_accepted_and_rejected_as_mermaid_does(oracle, text):
    agree(oracle, text)


def test_tables_are_what_generate_mjs_makes(oracle, tmp_path):
    """The committed tables are exactly what the installed mermaid gives (rerun generate.mjs after
    upgrading mermaid, then check the semantic actions still match the productions)."""
    for name in ("flow", "sequence"):
        data = json.loads((GRAMMAR / f"{name}.json").read_text(encoding="utf-8"))
        assert data["generated_from"] == f"mermaid {oracle.version}"
        assert data["lexer"]["actions"], name


def test_more_than_500_edges_read_with_a_warning_where_mermaid_refuses_by_default(oracle):
    """A deliberate difference: mermaid's default maxEdges (500) is a setting of the page that renders,
    not of the text, so the reader reads such a diagram and warns; the writer warns too."""
    text = "flowchart LR\n" + "".join(f" a{i} --> a{i + 1}\n" for i in range(600))
    assert "Edge limit exceeded" in oracle.parse(text)["error"]
    result = read_with_diagnostics(text, "mermaid")
    assert len(result.diagram.edges) == 600
    assert [d.code for d in result.diagnostics] == ["MERMAID_LIMIT"]
    from converters import write_with_diagnostics
    _, diagnostics = write_with_diagnostics(result.diagram, "mermaid")
    assert [d.code for d in diagnostics] == ["MERMAID_LIMIT"]


@pytest.mark.parametrize("text", [
    'flowchart LR\nA@{\tshape:\trect,\tlabel: "a\tb" }\nA-->B\n',
    "sequenceDiagram\nactor\tU@{\t\"type\"\t:\t\"boundary\",\t\"alias\":\t\"End\tUser\"\t}\nU->>B: x\n",
    'flowchart LR\nA@{\n\tshape: rect\n}\n',  # a tab indenting a block: refused by both
])
def test_tabs_between_the_tokens_of_an_at_mapping_read_as_mermaid_reads_them(oracle, text):
    """Found by scripts/fuzz_campaign.py (a corpus file with its spaces turned into tabs): mermaid's
    js-yaml takes a tab between the tokens of ``@{ … }``; PyYAML refused the line."""
    agree(oracle, text)
