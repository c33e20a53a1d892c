"""The activity writer's stage 1 holds the graph by node position (converters/plantuml/restructure.py)
where it held dicts and sets keyed by id: on any model it must make the very same steps and forms
as the version it replaced (tests/plantuml_restructure_reference.py)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converters.model import Diagram, Edge, Lane, Node, NodeKind
from converters.plantuml.restructure import Restructure
from tests.plantuml_restructure_reference import Restructure as Reference
from tests.strategies import any_models


def _steps(steps, node_forms: bool) -> list[tuple]:
    # (a node step now carries its form in ``text``, where the old one left it empty)
    return [(s.depth, s.op, id(s.node), s.label, s.style, "" if s.op == "node" and node_forms else s.text, id(s.edge))
            for s in steps]


def assert_same(diagram: Diagram) -> None:
    new, old = Restructure(diagram), Reference(diagram)
    new_steps, old_steps = new.run(), old.run()
    assert _steps(new_steps, True) == _steps(old_steps, False)
    assert [new.written_as(i) for i in range(len(diagram.nodes))] == \
        [old.written_as.get(n.id) for n in diagram.nodes]
    assert [s.text for s in new_steps if s.op == "node"] == [old.written_as[s.node.id] for s in old_steps if s.op == "node"]
    assert [new.form(n) for n in diagram.nodes] == [old.form(n) for n in diagram.nodes]
    # the writer takes the steps one by one as they are made (run(emit)): the same steps, nothing kept
    streamed: list = []
    streaming = Restructure(diagram)
    assert streaming.run(streamed.append) == []
    assert _steps(streamed, True) == _steps(new_steps, True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_models(max_nodes=14))
def test_the_same_steps_as_before_on_any_model(model):
    assert_same(model)


KINDS = [NodeKind.TASK, NodeKind.DECISION, NodeKind.GATEWAY, NodeKind.START, NodeKind.END, NodeKind.NOTE]


@st.composite
def dense_graphs(draw) -> Diagram:
    """Small graphs with many edges, cycles, edges naming no node and ids used twice (which the
    checks refuse, but a writer called directly must still handle as before)."""
    count = draw(st.integers(1, 9))
    ids = [f"n{draw(st.integers(0, count))}" for _ in range(count)]
    nodes = [Node(node_id, "L", draw(st.sampled_from(KINDS))) for node_id in ids]
    pairs = draw(st.lists(st.tuples(st.integers(0, count + 1), st.integers(0, count + 1)), max_size=3 * count))
    edges = [Edge(f"n{a}", f"n{b}", draw(st.sampled_from([None, "", "yes"]))) for a, b in pairs]
    return Diagram(lanes=[Lane("L")], nodes=nodes, edges=edges)


@settings(max_examples=500, deadline=None)
@given(dense_graphs())
def test_the_same_steps_as_before_on_dense_graphs_with_repeated_ids(model):
    assert_same(model)
