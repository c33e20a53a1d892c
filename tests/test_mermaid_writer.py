"""The Mermaid writer: every text it writes is parsed by mermaid's own parser, and what mermaid
sees (vertices, labels, edges, edge labels, subgraphs / participants and messages) is the model.

Also: FlowZap → Mermaid → FlowZap is lossless with ``extras=comments``; Mermaid → Mermaid keeps
the whole corpus as mermaid sees it; random models with hostile labels survive; the reference
example's three Mermaid forms are golden files."""
from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converters import (
    InputError, OptionError, convert, read, read_with_diagnostics, write, write_with_diagnostics,
)
from converters.model import Diagram, Edge, EdgeStyle, Group, Lane, Node, NodeKind
from converters.mermaid.flow_writer import FlowchartWriter
from converters.mermaid.sequence_writer import SequenceWriter
from tests.conftest import CORPUS, require_tool
from tests.loss_names import named
from tests.oracles.mermaid_oracle import (
    available, mermaid_oracle, mermaid_view, model_text, model_view, sequence_model_view,
)

DATA = Path(__file__).resolve().parent / "data" / "mermaid"
FLOWZAP = sorted(p for p in (CORPUS / "flowzap").glob("*.fz") if not p.name.startswith("90_"))
MERMAID = sorted((CORPUS / "mermaid").glob("*.mmd"))
REFERENCE = CORPUS / "flowzap" / "00_seed_auth_flow.fz"


@pytest.fixture(scope="module")
def oracle():
    require_tool("mermaid's parser (node + npm mermaid + jsdom)", available(), "bash tests/oracles/mermaid/install.sh")
    return mermaid_oracle()


def written(diagram: Diagram, diagram_kind: str = "flowchart", extras: str = "report"):
    """The Mermaid text, and the ids the writer gave the model's nodes and its lanes/groups."""
    if diagram_kind == "sequence":
        writer = SequenceWriter(diagram, extras == "comments")
        text, _ = writer.write()
        return text, dict(writer.ids.ids), {}
    writer = FlowchartWriter(diagram, extras == "comments", swimlane=diagram_kind == "swimlane")
    text, _ = writer.write()
    nodes = dict(writer.node_ids.ids)
    subgraphs = {**writer.lane_ids.ids, **writer.group_ids.ids}
    return text, nodes, subgraphs


def assert_mermaid_sees(oracle, diagram: Diagram, diagram_kind: str = "flowchart", extras: str = "report") -> str:
    text, ids, subgraph_ids = written(diagram, diagram_kind, extras)
    seen = oracle.parse(text)
    assert seen["ok"], f"mermaid rejects what we wrote: {seen.get('error')}\n{text}"
    if diagram_kind == "sequence":
        assert seen["diagramType"] == "sequence"
        assert mermaid_view(seen) == sequence_model_view(diagram, ids), text
    else:
        assert seen["diagramType"] == ("swimlane" if diagram_kind == "swimlane" else "flowchart-v2")
        assert mermaid_view(seen) == model_view(diagram, ids, subgraph_ids), text
        assert seen["direction"] == diagram.direction
    return text


# -- FlowZap → Mermaid ------------------------------------------------------------------------------
@pytest.mark.oracle
@pytest.mark.parametrize("kind", ["flowchart", "swimlane", "sequence"])
@pytest.mark.parametrize("extras", ["report", "comments"])
@pytest.mark.parametrize("path", FLOWZAP, ids=[p.stem for p in FLOWZAP])
def test_flowzap_corpus_written_as_mermaid_is_what_mermaid_sees(oracle, path, kind, extras):
    diagram = read(path.read_text(encoding="utf-8"), "flowzap")
    assert_mermaid_sees(oracle, diagram, kind, extras)


@pytest.mark.parametrize("kind", ["flowchart", "swimlane"])
@pytest.mark.parametrize("path", FLOWZAP, ids=[p.stem for p in FLOWZAP])
def test_flowzap_mermaid_flowzap_is_lossless_with_comments(path, kind):
    source = path.read_text(encoding="utf-8")
    model = read(source, "flowzap")
    canonical = write(model, "flowzap")
    content, losses = write_with_diagnostics(model, "mermaid", {"diagram": kind, "extras": "comments"})
    assert [d for d in losses if d.code != "RENAMED_ID"] == []
    back = read(content, "mermaid")
    assert write(back, "flowzap") == canonical
    assert [(n.id, n.kind, n.label, n.attributes) for n in back.nodes] == \
        [(n.id, n.kind, n.label, n.attributes) for n in model.nodes]
    assert [(e.source, e.target, e.label, e.source_side, e.target_side) for e in back.edges] == \
        [(e.source, e.target, e.label, e.source_side, e.target_side) for e in model.edges]
    assert [(g.kind, g.label, g.members) for g in back.groups] == [(g.kind, g.label, g.members) for g in model.groups]


def test_without_comments_every_loss_is_reported_per_element():
    model = read(REFERENCE.read_text(encoding="utf-8"), "flowzap")
    _, losses = write_with_diagnostics(model, "mermaid")
    sides = named(losses, "DROPPED_EDGE_SIDES")
    assert len(sides) == len(model.edges) == 22
    loop_model = read("A { # A\nn1: rectangle label:\"x\"\nn2: taskbox label:\"y\" owner:\"Ops\"\n"
                      "n1.handle(right) -> n2.handle(left)\nloop [again] n1 n2\n}\n", "flowzap")
    _, losses = write_with_diagnostics(loop_model, "mermaid")
    codes = {(code, element) for code in ("DROPPED_GROUP", "DROPPED_ATTRIBUTE") for element in named(losses, code)}
    assert ("DROPPED_GROUP", "loop1") in codes and ("DROPPED_ATTRIBUTE", "n2") in codes


@pytest.mark.parametrize("kind", ["flowchart", "swimlane", "sequence"])
def test_reference_example_golden(kind, update_goldens):
    result = convert(REFERENCE.read_text(encoding="utf-8"), source_format="flowzap", target_format="mermaid",
                     options={"diagram": kind})
    golden = DATA / f"auth_flow.{kind}.mmd"
    if update_goldens:
        golden.write_text(result.content, encoding="utf-8")
    assert result.content == golden.read_text(encoding="utf-8")


def test_reference_example_as_sequence_keeps_message_order_and_reports_the_rest():
    result = convert(REFERENCE.read_text(encoding="utf-8"), source_format="flowzap", target_format="mermaid",
                     options={"diagram": "sequence"})
    messages = [line.strip() for line in result.content.splitlines() if "->>" in line]
    assert messages[0] == "User->>AuthServer: Login request"
    assert messages[-1] == "MFA->>User: Retry"
    dropped = named(result.diagnostics, "DROPPED_EDGE")
    assert "n1->n2" in dropped and len(dropped) == 15
    # every node is reached by a written message or named in a diagnostic (decisions among them)
    model = read(REFERENCE.read_text(encoding="utf-8"), "flowzap")
    lane_of = {n.id: n.lane for n in model.nodes}
    reached = {e.target for e in model.edges if lane_of[e.source] != lane_of[e.target]}
    reported = named(result.diagnostics, "DROPPED_NODE")
    assert {"n9", "n12", "n13", "n18"} <= reported
    assert reported == {n.id for n in model.nodes} - reached


def test_sequence_loops_become_loop_blocks():
    source = ("Client { # Client\nn1: circle label:\"Start\"\nn2: rectangle label:\"Send\"\n"
              "n1.handle(right) -> n2.handle(left)\nn2.handle(bottom) -> Server.n3.handle(top) [label=\"Request\"]\n"
              "loop [retry until ok] n2 n3\n}\nServer { # Server\nn3: rectangle label:\"Handle\"\n"
              "n3.handle(top) -> Client.n2.handle(bottom) [label=\"Response\"]\n}\n")
    text = convert(source, source_format="flowzap", target_format="mermaid", options={"diagram": "sequence"}).content
    assert "  loop retry until ok\n    Client->>Server: Request\n    Server->>Client: Response\n  end\n" in text


def test_keywords_and_odd_ids_are_renamed_and_reported():
    model = Diagram(lanes=[Lane("end", "End lane"), Lane("my lane", None)], nodes=[
        Node("end", "end", label="end"), Node("graph", "end"), Node("a-b", "my lane"), Node("1x", "my lane"),
        Node("style", "my lane")])
    model.edges = [Edge("end", "graph"), Edge("a-b", "1x")]
    text, losses = write_with_diagnostics(model, "mermaid")
    renamed = named(losses, "RENAMED_ID")
    assert renamed == {"end", "graph", "a-b", "1x", "style", "my lane"}
    back = read(text, "mermaid")
    assert sorted(n.label for n in back.nodes) == sorted(["end", "graph", "a-b", "1x", "style"])


def test_writer_options_are_checked():
    model = read(REFERENCE.read_text(encoding="utf-8"), "flowzap")
    with pytest.raises(OptionError):
        write(model, "mermaid", {"diagram": "state"})
    with pytest.raises(OptionError):
        write(model, "mermaid", {"extra": "comments"})


# -- Mermaid → Mermaid -----------------------------------------------------------------------------
@pytest.mark.oracle
@pytest.mark.parametrize("path", MERMAID, ids=[p.name for p in MERMAID])
def test_mermaid_corpus_round_trips_through_the_model(oracle, path):
    text = path.read_text(encoding="utf-8")
    try:
        model = read_with_diagnostics(text, "mermaid").diagram
    except InputError:
        return  # the file mermaid rejects (tests/test_mermaid_corpus.py)
    kind = model.attributes.get("diagram") or model.attributes.get("mermaid.diagram", "flowchart")
    assert_mermaid_sees(oracle, model, kind)
    text, ids, subgraph_ids = written(model, kind)
    again = read(text, "mermaid")
    assert {n.id: (n.kind, n.label, n.attributes) for n in again.nodes} == \
        {ids.get(n.id, n.id): (n.kind, n.label, n.attributes) for n in model.nodes}
    renamed = lambda attrs: {k: subgraph_ids.get(v, v) if k in ("mermaid.source", "mermaid.target") else v  # noqa: E731
                             for k, v in attrs.items()}
    assert [(e.style, e.label, e.attributes) for e in again.edges] == \
        [(e.style, e.label, renamed(e.attributes)) for e in model.edges]


# -- random models with hostile labels -------------------------------------------------------------
_LABEL = st.text(alphabet=string.ascii_letters + string.digits + " \"#;|[](){}<>%&`*_~:-.=/\\'\n@!?,^" + "é✓中",
                 min_size=0, max_size=24)
_KINDS = st.sampled_from(list(NodeKind))


@st.composite
def models(draw):
    lane_count = draw(st.integers(1, 3))
    lanes = [Lane(f"L{i}" if draw(st.booleans()) else draw(st.sampled_from([f"lane {i}", f"end{i}", f"sub-{i}"])),
                  draw(st.none() | _LABEL)) for i in range(lane_count)]
    ids = [f"L{i}" for i in range(lane_count)]
    for i, lane in enumerate(lanes):
        if lane.id in {l.id for l in lanes[:i]}:
            lane.id = ids[i]
    nodes = []
    for i in range(draw(st.integers(1, 7))):
        node_id = draw(st.sampled_from([f"n{i}", f"end{i}" if i else "end", f"x {i}", f"o{i}", f"graph{i}"]))
        if node_id in {n.id for n in nodes}:
            node_id = f"n{i}_"
        nodes.append(Node(node_id, draw(st.sampled_from(lanes)).id, draw(_KINDS), draw(st.none() | _LABEL)))
    edges = []
    for _ in range(draw(st.integers(0, 8))):
        a, b = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
        edges.append(Edge(a.id, b.id, draw(st.none() | _LABEL), style=draw(st.sampled_from(list(EdgeStyle)))))
    diagram = Diagram(title=draw(st.none() | _LABEL.filter(lambda t: t.strip())), direction=draw(st.sampled_from(["LR", "TB", "RL", "BT"])),
                      lanes=lanes, nodes=nodes, edges=edges)
    lane0 = [n.id for n in nodes if n.lane == lanes[0].id]
    if lane0 and draw(st.booleans()):
        diagram.groups.append(Group("g1", "subgraph", draw(_LABEL), lane0[:2], lane=lanes[0].id))
    return diagram


@pytest.mark.oracle
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(models(), st.sampled_from(["flowchart", "swimlane"]))
def test_random_models_are_written_as_mermaid_sees_them(oracle, diagram, kind):
    text = assert_mermaid_sees(oracle, diagram, kind)
    back = read(text, "mermaid")
    assert sorted(model_text(n.label if n.label is not None else n.id) for n in back.nodes) == \
        sorted(model_text(n.label if n.label is not None else n.id) for n in diagram.nodes)


@pytest.mark.oracle
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(models())
def test_random_models_are_written_as_sequences_mermaid_accepts(oracle, diagram):
    assert_mermaid_sees(oracle, diagram, "sequence")


def test_spaces_around_labels_are_kept_though_mermaid_trims_labels():
    # mermaid trims a label, then decodes its entity codes: spaces at either end are written as codes
    model = Diagram(lanes=[Lane("A", "\tlane "), Lane("B")], nodes=[Node("a", "A", label=" x "), Node("b", "B", label="y")],
                    edges=[Edge("a", "b", " go "), Edge("b", "a", "")])
    for kind in ("flowchart", "swimlane", "sequence"):
        text, losses = write_with_diagnostics(model, "mermaid", {"diagram": kind})
        # (a sequence diagram shows messages: its steps take their message's text, and say so)
        assert not [d for d in losses if d.code == "CHANGED_LABEL" and d.element in ("A", "a->b", "b->a")], text
        back = read(text, "mermaid")
        assert back.lanes[0].label == "\tlane " and [e.label for e in back.edges][:2] == [" go ", ""], text
        if kind != "sequence":
            assert [n.label for n in back.nodes] == [" x ", "y"], text
    assert '"#32;x#32;"' in write(model, "mermaid")
