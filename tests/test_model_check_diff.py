"""``check_diagram`` and the Mermaid writer's ``report_lost_characters`` make one pass over each
element list, without a joined copy of every text (issue 13: at 50,000 nodes every further pass
over the model misses the cache per element); on any model, valid or not, they must give the very
same diagnostics in the same order as the versions they replaced (tests/model_check_reference.py,
tests/mermaid_lost_reference.py): hostile models, broken ones (duplicate ids, dangling references,
bad kinds and directions, parent cycles, lone surrogates and control characters anywhere), every
model read from the files under tests/, and past the limit of diagnostics per code."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converters import read_with_diagnostics
from converters.errors import FlowzapError
from converters.mermaid.writer import report_lost_characters
from converters.model import Diagram, Edge, Group, GroupKind, Lane, Node, check_diagram
from tests.mermaid_lost_reference import report_lost_characters as lost_reference
from tests.model_check_reference import check_diagram as check_reference
from tests.strategies import any_models

TESTS = Path(__file__).resolve().parent
BREAKS = ["\ud800", "\udfff", "a\udc00b", "\x00", "\x1f", "\r", "\r\n", "\x85", "\ufffe", "\n", "\t", "ok", ""]


def assert_same(diagram: Diagram) -> None:
    assert check_diagram(diagram) == check_reference(diagram)
    assert report_lost_characters(diagram) == lost_reference(diagram)


@st.composite
def broken_models(draw) -> Diagram:
    """A model of ``any_models`` with some of every problem the checks look for."""
    diagram = draw(any_models(max_nodes=8))
    elements = [*diagram.lanes, *diagram.nodes, *diagram.edges, *diagram.groups]
    for _ in range(draw(st.integers(0, 8))):
        choice = draw(st.integers(0, 11))
        if choice == 0 and elements:  # a duplicate id (or the same edge twice)
            element = copy.copy(draw(st.sampled_from(elements)))
            target = {Lane: diagram.lanes, Node: diagram.nodes, Edge: diagram.edges, Group: diagram.groups}[type(element)]
            target.insert(draw(st.integers(0, len(target))), element)
        elif choice == 1 and diagram.nodes:
            draw(st.sampled_from(diagram.nodes)).lane = draw(st.sampled_from(["nowhere", *BREAKS[:3]]))
        elif choice == 2 and diagram.edges:
            edge = draw(st.sampled_from(diagram.edges))
            setattr(edge, draw(st.sampled_from(["source", "target"])), draw(st.sampled_from(["missing", "\ud801"])))
        elif choice == 3 and diagram.groups:
            group = draw(st.sampled_from(diagram.groups))
            group.kind = draw(st.sampled_from(["nope", "loop", GroupKind.ALT, ""]))
            group.members = [*group.members, draw(st.sampled_from(["ghost", *group.members[:1]]))]
        elif choice == 4 and diagram.groups:
            group = draw(st.sampled_from(diagram.groups))
            group.lane = draw(st.sampled_from([None, "nolane", *[lane.id for lane in diagram.lanes]]))
            group.parent = draw(st.sampled_from([None, "orphan", *[g.id for g in diagram.groups]]))  # cycles too
        elif choice == 5:
            diagram.direction = draw(st.sampled_from(["LR", "TD", "", "\ud800"]))
        elif choice == 6 and elements:  # a bad character in a text of an element
            element = draw(st.sampled_from(elements))
            field = draw(st.sampled_from(["label", "id", "attribute key", "attribute value"]))
            text = draw(st.sampled_from(BREAKS))
            if field == "label":
                element.label = (element.label or "") + text
            elif field == "id" and (text or isinstance(element, Edge)):
                element.id = (element.id or "") + text
            elif field == "attribute key":
                element.attributes = {**element.attributes, f"k{text}": "v"}
            else:
                element.attributes = {**element.attributes, "k": f"v{text}"}
        elif choice == 7:
            diagram.title = draw(st.sampled_from([None, *BREAKS]))
        elif choice == 8:
            diagram.attributes = {**diagram.attributes, draw(st.sampled_from(["a", "\ud800"])): draw(st.sampled_from(BREAKS))}
        elif choice == 9 and diagram.edges:
            draw(st.sampled_from(diagram.edges)).id = draw(st.sampled_from([None, "", "e0", "e\ud800"]))
        elif choice == 10:
            diagram.nodes.append(Node("lonely", "nowhere", label="\x01"))
        elif choice == 11 and diagram.groups:
            first, last = diagram.groups[0], diagram.groups[-1]
            first.parent, last.parent = last.id, first.id
    return diagram


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_models(max_nodes=12))
def test_the_same_diagnostics_as_before_on_any_model(model):
    assert_same(model)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_models())
def test_the_same_diagnostics_as_before_on_broken_models(model):
    assert_same(model)


def _models_of_the_test_files():
    for path in sorted(p for p in (TESTS / "corpus").rglob("*") if p.is_file() and p.suffix != ".md"):
        yield path
    for path in sorted(p for p in (TESTS / "goldens").rglob("*") if p.is_file() and p.suffix != ".md"):
        yield path


def test_the_same_diagnostics_as_before_on_every_model_read_from_the_test_files():
    compared = 0
    for path in _models_of_the_test_files():
        try:
            diagram = read_with_diagnostics(path.read_bytes(), filename=path.name).diagram
        except FlowzapError:
            continue  # a file its reader refuses (the corpus keeps invalid ones on purpose)
        assert_same(diagram)
        compared += 1
    assert compared > 500


def test_past_the_limit_of_diagnostics_per_code_the_same_summary():
    nodes = [Node(f"n{i}", "nowhere", label=f"bad\x01{i}") for i in range(300)] + [Node("n1", "L", label="\ud800")]
    edges = [Edge(f"n{i}", f"m{i}", label="\r") for i in range(300)]
    diagram = Diagram(lanes=[Lane("L"), Lane("L")], nodes=nodes, edges=edges,
                      groups=[Group("g", "bad", members=["zz"] * 200, parent="g")])
    assert len(check_diagram(diagram)) > 100
    assert_same(diagram)


def test_every_problem_at_once_in_the_order_of_the_checks():
    lanes = [Lane("L"), Lane("L", "\ud800"), Lane("M\x01")]
    nodes = [Node("a", "L"), Node("a", "nowhere", label="\udc00"), Node("b", "L", attributes={"k": "\x02"})]
    edges = [Edge("a", "b", id="e"), Edge("a", "zz", "\r", id="e"), Edge("yy", "b", attributes={"\ud800": ""})]
    groups = [Group("g", "nope", "\ud800", ["a", "ghost"], "nolane", "h"), Group("g", GroupKind.LOOP),
              Group("h", GroupKind.LOOP, parent="g")]
    diagram = Diagram("\ud800", "XX", lanes, nodes, edges, groups, {"k": "\udfff"})
    found = check_diagram(diagram)
    assert [d.code for d in found] == ["DUPLICATE_ID"] * 4 + ["INVALID_VALUE", "DANGLING_REFERENCE", "DANGLING_REFERENCE",
                                                                "DANGLING_REFERENCE", "INVALID_VALUE"] + \
        ["DANGLING_REFERENCE"] * 2 + ["INVALID_VALUE"] * 8
    assert_same(diagram)


@pytest.mark.parametrize("text", ["\ud800", "x\udbff", "\x00", "\r", "\r\n", "a\nb", "\ufffe", "ok"])
def test_each_bad_character_in_each_place(text):
    for place in ("lane", "node", "edge", "group", "title", "attributes"):
        diagram = Diagram(lanes=[Lane("L", "l")], nodes=[Node("a", "L", label="x"), Node("b", "L")],
                          edges=[Edge("a", "b", "y")], groups=[Group("g", GroupKind.LOOP, "z", ["a"])])
        if place == "title":
            diagram.title = text
        elif place == "attributes":
            diagram.attributes = {"k": text}
        else:
            element = {"lane": diagram.lanes[0], "node": diagram.nodes[0], "edge": diagram.edges[0],
                       "group": diagram.groups[0]}[place]
            element.label = text
        assert_same(diagram)
