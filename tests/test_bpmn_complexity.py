"""The BPMN reader and writer take time linear in their input, whatever the input (issue 11):
each family of pathological input at size n and 10 n, time grows at most 12× (tests/complexity.py).
Sizes are chosen so that the small case takes tens of milliseconds: fixed costs then hide no growth,
and a noisy neighbour weighs less.
"""
from __future__ import annotations

import pytest

from converters.bpmn import read as bpmn_read
from converters.bpmn import write as bpmn_write
from converters.model import Diagram, Edge, Group, GroupKind, Lane, Node, NodeKind

from .complexity import CHECK_RATIO, assert_linear

pytestmark = pytest.mark.slow

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'id="D">\n')
TAIL = "</bpmn:definitions>\n"


def process(body: str) -> str:
    return f'{HEAD}<bpmn:process id="P">\n{body}</bpmn:process>\n{TAIL}'


def many_attributes(n: int) -> str:
    attributes = " ".join(f'camunda:a{i}="{i}"' for i in range(n))
    return process(f'<bpmn:task id="t" {attributes}/>\n')


def many_elements(n: int) -> str:
    tasks = "".join(f'<bpmn:task id="t{i}" name="Task {i}"/>\n' for i in range(n))
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="t{i}" targetRef="t{i + 1}"/>\n' for i in range(n - 1))
    return process(tasks + flows)


def many_flows(n: int) -> str:
    """Few nodes, very many flows between them (a hub)."""
    tasks = "".join(f'<bpmn:task id="t{i}"/>\n' for i in range(10))
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="t{i % 10}" targetRef="t{(i * 7 + 3) % 10}"/>\n'
                    for i in range(n))
    return process(tasks + flows)


def nested_sub_processes(n: int) -> str:
    """n sub-processes one inside the other (libxml2 refuses more than 256 levels: then an error,
    in linear time too)."""
    opening = "".join(f'<bpmn:subProcess id="s{i}"><bpmn:task id="t{i}"/>' for i in range(n))
    return process(opening + "</bpmn:subProcess>" * n + "\n")


def sibling_sub_processes(n: int) -> str:
    """A sub-process holding n sub-processes, each with content, then more content after them."""
    inner = "".join(f'<bpmn:subProcess id="s{i}"><bpmn:task id="t{i}"/></bpmn:subProcess>' for i in range(n))
    after = "".join(f'<bpmn:task id="u{i}"/>' for i in range(n))
    return process(f'<bpmn:subProcess id="outer">{inner}{after}</bpmn:subProcess>\n')


def many_lanes(n: int) -> str:
    lanes = "".join(f'<bpmn:lane id="L{i}" name="Lane {i}"><bpmn:flowNodeRef>t{i}</bpmn:flowNodeRef></bpmn:lane>'
                    for i in range(n))
    tasks = "".join(f'<bpmn:task id="t{i}"/>' for i in range(n))
    return process(f'<bpmn:laneSet id="LS">{lanes}</bpmn:laneSet>{tasks}\n')


def many_pools(n: int) -> str:
    participants = "".join(f'<bpmn:participant id="Pa{i}" processRef="P{i}"/>' for i in range(n))
    flows = "".join(f'<bpmn:messageFlow id="m{i}" sourceRef="t{i}" targetRef="t{i + 1}"/>' for i in range(n - 1))
    processes = "".join(f'<bpmn:process id="P{i}"><bpmn:task id="t{i}"/></bpmn:process>\n' for i in range(n))
    return f'{HEAD}<bpmn:collaboration id="C">{participants}{flows}</bpmn:collaboration>\n{processes}{TAIL}'


def long_names(n: int) -> str:
    return process(f'<bpmn:task id="t" name="{"x &amp; y " * n}"><bpmn:documentation>{"d " * n}'
                   "</bpmn:documentation></bpmn:task>\n")


def dangling_references(n: int) -> str:
    tasks = "".join(f'<bpmn:task id="t{i}"/>' for i in range(n))
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="t{i}" targetRef="missing{i}"/>\n' for i in range(n))
    return process(tasks + flows)


def duplicate_ids(n: int) -> str:
    return process("".join('<bpmn:task id="same"/>\n' for _ in range(n)))


def extension_elements(n: int) -> str:
    properties = "".join(f'<camunda:property name="p{i}" value="{i}"/>' for i in range(n))
    return process(f'<bpmn:task id="t"><bpmn:extensionElements><camunda:properties>{properties}'
                   "</camunda:properties></bpmn:extensionElements></bpmn:task>\n")


def many_shapes(n: int) -> str:
    """DI for every node (bounds give the author's order: a sort)."""
    tasks = "".join(f'<bpmn:task id="t{i}"/>' for i in range(n))
    shapes = "".join(f'<bpmndi:BPMNShape id="t{i}_di" bpmnElement="t{i}"><dc:Bounds x="{(i * 37) % 1000}" '
                     f'y="{i}" width="100" height="80"/></bpmndi:BPMNShape>' for i in range(n))
    return (f'{HEAD}<bpmn:process id="P">{tasks}</bpmn:process>\n<bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane '
            f'id="pl" bpmnElement="P">{shapes}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n{TAIL}')


def groups_over_shapes(n: int) -> str:
    """n groups and n nodes with DI: group membership comes from the drawing."""
    tasks = "".join(f'<bpmn:task id="t{i}"/>' for i in range(n))
    groups = "".join(f'<bpmn:group id="g{i}"/>' for i in range(n))
    shapes = "".join(f'<bpmndi:BPMNShape id="t{i}_di" bpmnElement="t{i}"><dc:Bounds x="{i * 150}" y="0" '
                     'width="100" height="80"/></bpmndi:BPMNShape>' for i in range(n))
    shapes += "".join(f'<bpmndi:BPMNShape id="g{i}_di" bpmnElement="g{i}"><dc:Bounds x="{i * 150 - 10}" y="-10" '
                      'width="120" height="100"/></bpmndi:BPMNShape>' for i in range(n))
    return (f'{HEAD}<bpmn:process id="P">{tasks}{groups}</bpmn:process>\n<bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane '
            f'id="pl" bpmnElement="P">{shapes}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n{TAIL}')


READER_FAMILIES = {
    "many attributes": (many_attributes, 10_000),
    "many elements": (many_elements, 1_000),
    "many flows": (many_flows, 3_000),
    "nested sub-processes": (nested_sub_processes, 20),
    "sibling sub-processes": (sibling_sub_processes, 200),
    "many lanes": (many_lanes, 500),
    "many pools": (many_pools, 300),
    "long names": (long_names, 50_000),
    "dangling references": (dangling_references, 1_000),
    "duplicate ids": (duplicate_ids, 1_000),
    "extension elements": (extension_elements, 6_000),
    "many shapes": (many_shapes, 1_000),
    "groups over shapes": (groups_over_shapes, 100),
}


@pytest.mark.parametrize("family", sorted(READER_FAMILIES))
def test_reader_is_linear(family):
    build, n = READER_FAMILIES[family]
    # ×20 allowed (a quadratic walk shows ×100): since the reader does little Python work per
    # element (issue 13), lxml's tree and the allocator weigh more at 10n, and many lanes, flows,
    # pools or sibling sub-processes grew ×15–18 in time in CI while their function calls grow
    # exactly ×10 (cProfile: 104,127 calls at 2,000 lanes, 832,127 at 16,000).
    assert_linear(build, bpmn_read, n, max_ratio=20.0, label=f"BPMN reader, {family}")


def chain(n: int, lanes: int = 3) -> Diagram:
    lane_ids = [f"L{i}" for i in range(lanes)]
    nodes = [Node(f"n{i}", lane_ids[i % lanes], NodeKind.TASK, f"Task {i}") for i in range(n)]
    edges = [Edge(f"n{i}", f"n{i + 1}", f"go {i}") for i in range(n - 1)]
    return Diagram("T", lanes=[Lane(i, i) for i in lane_ids], nodes=nodes, edges=edges)


def many_model_lanes(n: int) -> Diagram:
    return chain(n, lanes=n)


def nested_groups(n: int) -> Diagram:
    diagram = chain(n)
    diagram.groups = [Group(f"g{i}", GroupKind.GROUP, f"G{i}", [f"n{i}"], parent=f"g{i - 1}" if i else None)
                      for i in range(n)]
    return diagram


def nested_sub_process_groups(n: int) -> Diagram:
    """Each sub-process holds the next: expanded sub-processes n deep."""
    nodes = [Node(f"s{i}", "L", NodeKind.SUBPROCESS, f"S{i}", attributes={"bpmn.type": "subProcess"})
             for i in range(n)]
    nodes.append(Node("t", "L", NodeKind.TASK, "inner"))
    groups = [Group(f"s{i}", GroupKind.SUBPROCESS, f"S{i}", [f"s{i + 1}" if i + 1 < n else "t"],
                    parent=f"s{i - 1}" if i else None) for i in range(n)]
    return Diagram(lanes=[Lane("L", "L")], nodes=nodes, groups=groups)


def long_labels(n: int) -> Diagram:
    diagram = chain(3)
    diagram.nodes[0].label = "x\x00<&>\r\n\x85" * n
    diagram.nodes[1].attributes = {"description": "d" * n}
    return diagram


def many_attributes_model(n: int) -> Diagram:
    diagram = chain(3)
    diagram.nodes[0].attributes = {f"bpmn.{{http://example.com/a{i % 7}}}a{i}": str(i) for i in range(n)}
    return diagram


WRITER_FAMILIES = {
    "chain": (chain, 100, {}),
    "per-lane pools": (many_model_lanes, 60, {"pools": "per-lane"}),
    "many lanes": (many_model_lanes, 60, {}),
    "nested groups": (nested_groups, 60, {}),
    "nested sub-processes": (nested_sub_process_groups, 15, {}),
    "long labels": (long_labels, 20_000, {}),
    "many attributes": (many_attributes_model, 3_000, {}),
}


@pytest.mark.parametrize("family", sorted(WRITER_FAMILIES))
def test_writer_is_linear(family):
    build, n, options = WRITER_FAMILIES[family]
    full = {"pools": "auto", "structure": "bpmnlint", "executable": "auto", **options}
    # Long labels: megabyte strings copied by str.translate grow ×13–16 in time here while the work
    # grows ×10 (call counts and instruction counts are exactly linear): fresh memory, not steps.
    limit = 20.0 if family == "long labels" else CHECK_RATIO
    assert_linear(build, lambda diagram: bpmn_write(diagram, full), n, max_ratio=limit, label=f"BPMN writer, {family}")
