"""FlowZap writer: everything it writes reads back, what it cannot carry is reported per element,
and node order survives through the ids (docs/flowzap.md §3, docs/sequence.md)."""
from __future__ import annotations

import pytest

from converters import InputError, read_with_diagnostics, write_with_diagnostics
from converters.model import Diagram, Edge, EdgeStyle, Group, GroupKind, Lane, Node, NodeKind, Side


def written(model: Diagram):
    text, diagnostics = write_with_diagnostics(model, "flowzap")
    return text, diagnostics, read_with_diagnostics(text, "flowzap").diagram


def test_hostile_text_is_escaped_or_reported_and_always_reads_back():
    hostile = 'a "q" \\ # { } -> [x] \r\n\t\x01\x85\ufffe é 漢 🙂'
    model = Diagram(lanes=[Lane("L", hostile)], nodes=[
        Node("a", "L", NodeKind.TASK, hostile, attributes={"owner": hostile}), Node("b", "L", label="")],
        edges=[Edge("a", "b", hostile, Side.RIGHT, Side.LEFT)],
        groups=[Group("g", GroupKind.LOOP, hostile, ["a", "b"])])
    text, diagnostics, back = written(model)
    changed = {d.element for d in diagnostics if d.code == "CHANGED_LABEL"}
    assert changed == {"L", "a", "a->b", "g"}
    node = back.nodes[0]
    assert node.label == node.attributes["owner"] == 'a "q" \\ # { } -> [x] \n\t é 漢 🙂'
    assert back.nodes[1].label == "" and back.edges[0].label == node.label
    assert back.lanes[0].label == 'a "q" \\ # { } -> [x]  \t é 漢 🙂'
    assert back.groups[0].label == 'a "q" \\ # { } -> [x)  \t é 漢 🙂'


def test_edges_carry_only_their_label_and_report_the_rest():
    model = Diagram(lanes=[Lane("L")], nodes=[Node("a", "L"), Node("b", "L")],
                    edges=[Edge("a", "b", "go", style=EdgeStyle.DOTTED, id="e1", attributes={"weight": "3"})])
    text, diagnostics, back = written(model)
    assert "weight" not in text and '[label="go"]' in text
    assert {(d.code, d.element) for d in diagnostics} == {
        ("DROPPED_ATTRIBUTE", "e1"), ("DROPPED_EDGE_STYLE", "e1"), ("DROPPED_EDGE_ID", "e1")}
    assert back.edges[0].attributes == {}


def test_an_empty_diagram_is_refused_with_a_clear_error():
    with pytest.raises(InputError) as caught:
        write_with_diagnostics(Diagram(title="nothing"), "flowzap")
    assert caught.value.code == "EMPTY_DIAGRAM"
    # A lane with nothing in it is a diagram FlowZap can write.
    assert written(Diagram(lanes=[Lane("L")]))[2].lanes[0].id == "L"


def test_nodes_are_numbered_in_model_order_and_read_back_in_it():
    model = Diagram(lanes=[Lane("A"), Lane("B")], nodes=[
        Node("x", "B"), Node("y", "A"), Node("z", "B"), Node("w", "A")],
        edges=[Edge("x", "y", "1"), Edge("y", "z", "2"), Edge("z", "w", "3")])
    text, _, back = written(model)
    assert text.splitlines()[1:3] == ["n2: rectangle", "n4: rectangle"]  # lane A holds n2 and n4
    assert [node.id for node in back.nodes] == ["n1", "n2", "n3", "n4"]
    assert [node.lane for node in back.nodes] == ["B", "A", "B", "A"]
    # The canonical form is a fixed point.
    assert write_with_diagnostics(back, "flowzap")[0] == text


def test_many_lanes_with_one_label_get_unique_ids_in_linear_time():
    model = Diagram(lanes=[Lane(f"lane {i}", "Same") for i in range(2000)])
    text, diagnostics, back = written(model)
    ids = [lane.id for lane in back.lanes]
    assert len(set(ids)) == 2000 and ids[:3] == ["Same", "Same2", "Same3"]
    renamed = [d for d in diagnostics if d.code == "RENAMED_ID"]
    assert len(renamed) == 101 and len(renamed[-1].elements) == 1900  # 100, then one summary naming the rest
