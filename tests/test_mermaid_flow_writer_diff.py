"""The Mermaid flowchart writer keeps per node and per edge only the tables some step reads (issue
13: at 50,000 nodes each table keyed by id misses the cache on every look-up); on any model it must
write the very same text and diagnostics as the version it replaced
(tests/mermaid_flow_writer_reference.py), in each mode: report or comments, flowchart or swimlane."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converters.mermaid.flow_writer import FlowchartWriter
from converters.model import Diagram, Edge, EdgeStyle, Group, GroupKind, Lane, Node, NodeKind, Side
from tests.mermaid_flow_writer_reference import FlowchartWriter as Reference
from tests.strategies import any_models

MODES = [(keep, swimlane) for keep in (False, True) for swimlane in (False, True)]


def assert_same(diagram: Diagram) -> None:
    for keep, swimlane in MODES:
        assert FlowchartWriter(diagram, keep, swimlane).write() == Reference(diagram, keep, swimlane).write()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_models(max_nodes=14))
def test_the_same_text_and_diagnostics_as_before_on_any_model(model):
    assert_same(model)


EDGE_ATTRIBUTES = [{}, {}, {"mermaid.class": "hot"}, {"mermaid.linkStyle": "stroke:red"}, {"mermaid.data": "animate: true"},
                   {"mermaid.source": "S"}, {"mermaid.target": "L"}, {"other": "x"}]


@st.composite
def mermaid_graphs(draw) -> Diagram:
    """Small graphs whose edges repeat the same ends (mermaid numbers them), some with attributes
    from any position on, edges ending on subgraphs and lanes, events with and without flows, nodes
    in subgraphs (and in two of them)."""
    count = draw(st.integers(1, 8))
    kinds = [NodeKind.TASK, NodeKind.START, NodeKind.END, NodeKind.DECISION, NodeKind.USER_TASK, NodeKind.EVENT]
    nodes = [Node(f"n{i}", draw(st.sampled_from(["L", "M"])), draw(st.sampled_from(kinds))) for i in range(count)]
    edges = []
    for _ in range(draw(st.integers(0, 3 * count))):
        edge = Edge(f"n{draw(st.integers(0, count - 1))}", f"n{draw(st.integers(0, count - 1))}",
                    draw(st.sampled_from([None, "yes"])), style=draw(st.sampled_from(list(EdgeStyle))))
        edge.attributes = dict(draw(st.sampled_from(EDGE_ATTRIBUTES)))
        edge.id = draw(st.sampled_from([None, None, "e1", "end", "e 2"]))
        if draw(st.booleans()):
            edge.source_side, edge.target_side = draw(st.sampled_from([None, *Side])), draw(st.sampled_from([None, *Side]))
        edges.append(edge)
    groups = []
    for i in range(draw(st.integers(0, 2))):
        members = draw(st.lists(st.sampled_from([n.id for n in nodes]), max_size=3))
        groups.append(Group(f"S{i}" if i else "S", draw(st.sampled_from([GroupKind.SUBGRAPH, GroupKind.LOOP])), None, members))
    return Diagram(lanes=[Lane("L"), Lane("M")], nodes=nodes, edges=edges, groups=groups)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mermaid_graphs())
def test_the_same_text_and_diagnostics_as_before_on_repeated_ends_and_subgraphs(model):
    assert_same(model)


def test_past_the_limit_of_diagnostics_per_code_the_same_summary():
    nodes = [Node(f"n{i}", "L", NodeKind.TASK) for i in range(300)]
    edges = [Edge(f"n{i}", f"n{i + 1}", source_side=Side.RIGHT, target_side=Side.LEFT) for i in range(299)]
    assert_same(Diagram(lanes=[Lane("L")], nodes=nodes, edges=edges))
