"""BPMN 2.0 XML: reading real files, writing with DI, round trips, hostile input, diagnostics.

The real tools (XSD, bpmn-moddle, bpmnlint, SpiffWorkflow, bpmn-js) judge the output in
test_bpmn_oracles.py; these tests need nothing but the library.
"""
from __future__ import annotations

import re
import time
import tracemalloc
from pathlib import Path

import pytest
from lxml import etree

from converters import (
    InputError,
    convert,
    detect_format,
    read,
    read_with_diagnostics,
    write,
)
from converters.bpmn.reader import read as bpmn_read
from converters.bpmn.vocabulary import BPMNDI_NS, DC_NS, DI_NS, MODEL_NS
from converters.diagnostics import Severity
from converters.model import Diagram, Edge, EdgeStyle, Group, Lane, Node, NodeKind, Side

from .conftest import CORPUS, DATA

BPMN_DATA = DATA / "bpmn"
FLOWZAP_CORPUS = CORPUS / "flowzap"
SEED = FLOWZAP_CORPUS / "00_seed_auth_flow.fz"
NS = {"bpmn": MODEL_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}


def data(name: str) -> str:
    return (BPMN_DATA / name).read_text(encoding="utf-8")


def seed_text() -> str:
    if not SEED.exists():
        pytest.fail("tests/corpus is missing from this checkout")
    return SEED.read_text(encoding="utf-8")


def codes(error: InputError) -> list[str]:
    return [d.code for d in error.diagnostics]


def flowzap_corpus() -> list[Path]:
    return sorted(p for p in FLOWZAP_CORPUS.glob("*.fz") if "invalid" not in p.name)


# -- FlowZap → BPMN → FlowZap is lossless --------------------------------------------------------

@pytest.mark.parametrize("options", [{}, {"pools": "per-lane"}, {"structure": "as-is"}],
                         ids=["one-pool", "per-lane", "as-is"])
def test_flowzap_corpus_round_trips_exactly(options):
    files = flowzap_corpus()
    if not files:
        pytest.fail("tests/corpus is missing from this checkout")
    for path in files:
        diagram = read(path.read_text(encoding="utf-8"), "flowzap")
        back = read(write(diagram, "bpmn", options), "bpmn")
        assert back == diagram, path.name  # the whole model: kinds, shapes, sides, loops, attributes
        assert write(back, "flowzap") == write(diagram, "flowzap"), path.name


def test_model_features_without_bpmn_element_survive():
    diagram = Diagram(
        title=None, direction="TB",
        lanes=[Lane("A", "Alpha", {"team": "x"}), Lane("B", None)],
        nodes=[Node("s", "A", NodeKind.START, "Go", "circle"), Node("t", "A", NodeKind.USER_TASK, None, None,
                                                                  {"owner": "Ann", "description": " padded "}),
               Node("d", "B", NodeKind.DATA, "Doc"), Node("n", "B", NodeKind.NOTE, "Remember"),
               Node("1bad id", "B", NodeKind.END, "Stop")],
        edges=[Edge("s", "t", "go", Side.TOP, Side.BOTTOM, EdgeStyle.THICK, attributes={"mermaid.x": "1"}),
               Edge("t", "1bad id", None, id="my-edge"), Edge("t", "d"), Edge("n", "t", "see")],
        groups=[Group("g1", "loop", "until done", ["s", "t"], "A"), Group("g2", "subgraph", None, ["d"])],
        attributes={"mermaid.theme": "dark"},
    )
    text, diagnostics = convert_model(diagram)
    assert read(text, "bpmn") == diagram
    assert "DROPPED_EDGE_STYLE" in [d.code for d in diagnostics]  # thick has no BPMN drawing (kept in fz:meta)


def convert_model(diagram, options=None):
    found: list = []
    text = write(diagram, "bpmn", options, diagnostics=found)
    return text, found


def test_bpmn_round_trip_is_a_fixpoint_for_the_test_files():
    for path in sorted(BPMN_DATA.glob("*.bpmn")):
        if path.name.startswith(("billion", "xxe")):
            continue
        first = read(path.read_text(encoding="utf-8"), "bpmn")
        second = read(write(first, "bpmn"), "bpmn")
        assert read(write(second, "bpmn"), "bpmn") == second, path.name
        assert len(second.nodes) == len(first.nodes) and len(second.edges) == len(first.edges), path.name


# -- writing ------------------------------------------------------------------------------------

def test_one_pool_with_a_lane_per_model_lane_in_order():
    root = etree.fromstring(convert(seed_text(), source_format="flowzap", target_format="bpmn").content.encode())
    participants = root.findall(".//bpmn:participant", NS)
    assert len(participants) == 1
    lanes = root.findall(".//bpmn:lane", NS)
    assert [lane.get("name") for lane in lanes] == ["User", "Auth Server", "Multi-Factor Auth"]
    assert root.find(".//bpmn:laneSet", NS) is not None
    names = {el.get("name") for el in root.iter() if el.get("name")}
    assert {"Start", "User exists?", "Generate JWT token", "Login request", "Try again"} <= names
    assert root.find(".//bpmn:exclusiveGateway[@name='User exists?']", NS) is not None
    assert root.find(".//bpmn:sequenceFlow[@name='Login request']", NS) is not None
    start = root.find(".//bpmn:startEvent", NS)
    assert start.get("name") == "Start" and start.find("bpmn:outgoing", NS) is not None


def test_per_lane_pools_turn_cross_lane_edges_into_message_flows():
    text = convert(seed_text(), source_format="flowzap", target_format="bpmn", options={"pools": "per-lane"}).content
    root = etree.fromstring(text.encode())
    assert len(root.findall(".//bpmn:participant", NS)) == 3
    assert len(root.findall(".//bpmn:process", NS)) == 3
    flows = root.findall(".//bpmn:messageFlow", NS)
    assert any(flow.get("name") == "Login request" for flow in flows)
    for process in root.findall(".//bpmn:process", NS):  # no sequence flow leaves its process
        ids = {el.get("id") for el in process.iter() if el.get("id")}
        for flow in process.iter(f"{{{MODEL_NS}}}sequenceFlow"):
            assert flow.get("sourceRef") in ids and flow.get("targetRef") in ids


def test_task_kinds_and_source_types_pick_the_element():
    diagram = Diagram(lanes=[Lane("L", "L")], nodes=[
        Node("a", "L", NodeKind.START, "a"), Node("b", "L", NodeKind.USER_TASK, "b", attributes={"owner": "Bo"}),
        Node("c", "L", NodeKind.TASK, "c", attributes={"bpmn.type": "serviceTask"}),
        Node("d", "L", NodeKind.GATEWAY, "d", attributes={"bpmn.type": "inclusiveGateway"}),
        Node("e", "L", NodeKind.EVENT, "e", attributes={"bpmn.eventDefinition": "timer"}),
        Node("f", "L", NodeKind.END, "f"), Node("g", "L", NodeKind.TASK, "g", attributes={"bpmn.type": "endEvent"})],
        edges=[Edge("a", "b"), Edge("b", "c"), Edge("c", "d"), Edge("d", "e"), Edge("e", "g"), Edge("g", "f")])
    found: list = []
    root = etree.fromstring(write(diagram, "bpmn", diagnostics=found).encode())
    tag = {el.get("id"): etree.QName(el).localname for el in root.iter() if el.get("id") in tuple("abcdefg")}
    assert tag == {"a": "startEvent", "b": "userTask", "c": "serviceTask", "d": "inclusiveGateway",
                   "e": "intermediateThrowEvent", "f": "endEvent", "g": "task"}
    assert root.find(".//bpmn:intermediateThrowEvent/bpmn:timerEventDefinition", NS) is not None
    owner = root.find(".//bpmn:userTask/bpmn:potentialOwner/bpmn:resourceAssignmentExpression/bpmn:formalExpression", NS)
    assert owner is not None and owner.text == "Bo"  # the taskbox's owner, as BPMN says it
    assert [d.element for d in found if d.code == "CHANGED_KIND"] == ["g"]  # a task cannot be an endEvent


def test_implicit_splits_and_starts_are_made_explicit_and_read_back_away():
    diagram = Diagram(lanes=[Lane("L", "L")], nodes=[
        Node("t1", "L", NodeKind.TASK, "one"), Node("t2", "L", NodeKind.TASK, "two"),
        Node("t3", "L", NodeKind.TASK, "three"), Node("g", "L", NodeKind.DECISION, "ok?")],
        edges=[Edge("t1", "t2"), Edge("t1", "t3"), Edge("t2", "g"), Edge("t3", "g"), Edge("g", "t1"), Edge("g", "t3")])
    text = write(diagram, "bpmn")
    root = etree.fromstring(text.encode())
    synthetic = [el for el in root.iter() if el.find(f"{{{MODEL_NS}}}extensionElements") is not None
                 and 'synthetic="true"' in etree.tostring(el, encoding="unicode")]
    tags = sorted(etree.QName(el).localname for el in synthetic)
    assert "parallelGateway" in tags  # t1 splits
    assert "exclusiveGateway" in tags  # g joins and forks
    assert read(text, "bpmn") == diagram
    as_is = etree.fromstring(write(diagram, "bpmn", {"structure": "as-is"}).encode())
    assert 'synthetic' not in etree.tostring(as_is, encoding="unicode")


def test_loops_become_groups_with_their_condition():
    text = convert("L { # Lane\nn1: circle label:\"a\"\nn2: rectangle label:\"b\"\nn3: rectangle label:\"c\"\n"
                   "n1.handle(right) -> n2.handle(left)\nn2.handle(right) -> n3.handle(left)\n"
                   "loop [until approved] n2 n3\n}\n", source_format="flowzap", target_format="bpmn").content
    root = etree.fromstring(text.encode())
    group = root.find(".//bpmn:group", NS)
    value = root.find(".//bpmn:categoryValue", NS)
    assert value.get("value") == "until approved"
    assert group.get("categoryValueRef") == value.get("id")
    assert root.find(f".//bpmndi:BPMNShape[@bpmnElement='{group.get('id')}']", NS) is not None


def test_di_places_every_node_inside_its_lane_without_overlaps():
    text = convert(seed_text(), source_format="flowzap", target_format="bpmn").content
    geometry = di_geometry(text)
    root = etree.fromstring(text.encode())
    lane_of = {}
    for lane in root.iter(f"{{{MODEL_NS}}}lane"):
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lane_of[ref.text] = lane.get("id")
    boxes = {node: geometry.shapes[node] for node in lane_of}
    for node, lane in lane_of.items():
        assert inside(boxes[node], geometry.shapes[lane]), node
    items = list(boxes.items())
    for i, (a, box_a) in enumerate(items):
        for b, box_b in items[i + 1:]:
            assert not overlap(box_a, box_b), (a, b)
    participant = geometry.shapes[root.find(".//bpmn:participant", NS).get("id")]
    for lane in root.iter(f"{{{MODEL_NS}}}lane"):
        assert inside(geometry.shapes[lane.get("id")], participant)


def test_edges_are_orthogonal_and_leave_and_enter_by_the_model_sides():
    text = convert(seed_text(), source_format="flowzap", target_format="bpmn").content
    geometry = di_geometry(text)
    diagram = read(seed_text(), "flowzap")
    root = etree.fromstring(text.encode())
    flows = {(f.get("sourceRef"), f.get("targetRef")): f.get("id") for f in root.iter(f"{{{MODEL_NS}}}sequenceFlow")}
    for edge in diagram.edges:
        points = geometry.edges[flows[(edge.source, edge.target)]]
        assert len(points) >= 2
        for (x1, y1), (x2, y2) in zip(points, points[1:]):
            assert x1 == x2 or y1 == y2, (edge, points)
        assert on_side(points[0], geometry.shapes[edge.source], edge.source_side), (edge, points)
        assert on_side(points[-1], geometry.shapes[edge.target], edge.target_side), (edge, points)
        for (x1, y1), (x2, y2) in zip(points[1:-2], points[2:-1]):  # inner segments cross no node
            for node, box in geometry.shapes.items():
                if node in diagram.node_by_id() and node not in (edge.source, edge.target):
                    assert not segment_hits(box, (x1, y1), (x2, y2)), (edge, node)


def test_labels_are_placed():
    text = convert(seed_text(), source_format="flowzap", target_format="bpmn").content
    root = etree.fromstring(text.encode())
    labelled = {f.get("id") for f in root.iter(f"{{{MODEL_NS}}}sequenceFlow") if f.get("name")}
    with_label = {e.get("bpmnElement") for e in root.iter(f"{{{BPMNDI_NS}}}BPMNEdge")
                  if e.find("bpmndi:BPMNLabel/dc:Bounds", NS) is not None}
    assert labelled and labelled <= with_label


class _Geometry:
    def __init__(self):
        self.shapes: dict[str, tuple[float, float, float, float]] = {}
        self.edges: dict[str, list[tuple[float, float]]] = {}


def di_geometry(text: str) -> _Geometry:
    root = etree.fromstring(text.encode())
    result = _Geometry()
    for shape in root.iter(f"{{{BPMNDI_NS}}}BPMNShape"):
        b = shape.find("dc:Bounds", NS)
        result.shapes[shape.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
    for edge in root.iter(f"{{{BPMNDI_NS}}}BPMNEdge"):
        result.edges[edge.get("bpmnElement")] = [(float(w.get("x")), float(w.get("y")))
                                                  for w in edge.findall("di:waypoint", NS)]
    return result


def inside(box, outer) -> bool:
    return (outer[0] <= box[0] and outer[1] <= box[1] and box[0] + box[2] <= outer[0] + outer[2]
            and box[1] + box[3] <= outer[1] + outer[3])


def overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def on_side(point, box, side) -> bool:
    x, y, w, h = box
    return {Side.LEFT: point[0] == x, Side.RIGHT: point[0] == x + w,
            Side.TOP: point[1] == y, Side.BOTTOM: point[1] == y + h}[side]


def segment_hits(box, a, b) -> bool:
    x, y, w, h = box
    x1, x2 = sorted((a[0], b[0]))
    y1, y2 = sorted((a[1], b[1]))
    return x1 < x + w and x < x2 + (1 if x1 == x2 else 0) and y1 < y + h and y < y2 + (1 if y1 == y2 else 0) \
        and not (x1 == x2 and (x1 <= x or x1 >= x + w)) and not (y1 == y2 and (y1 <= y or y1 >= y + h))


# -- reading ------------------------------------------------------------------------------------

def test_any_prefix_reads_the_same():
    original = data("lanes_gateway.bpmn")
    expected = without_raw_xml(read(original, "bpmn"))
    default_ns = original.replace('xmlns:bpmn="', 'xmlns="').replace("<bpmn:", "<").replace("</bpmn:", "</")
    other = original.replace("bpmn:", "semantic:").replace("xmlns:bpmn=", "xmlns:semantic=")
    for text in (default_ns, other, original.replace("bpmn:", "bpmn2:").replace("xmlns:bpmn=", "xmlns:bpmn2=")):
        assert without_raw_xml(read(text, "bpmn")) == expected


def without_raw_xml(diagram: Diagram) -> Diagram:
    """The model with kept XML fragments reduced to their element names (their prefixes differ)."""
    for element in [*diagram.nodes, *diagram.edges]:
        for key, value in element.attributes.items():
            if key.startswith("bpmn.content"):
                element.attributes[key] = " ".join(re.findall(r"<(?:\w+:)?(\w+)[ >/]", value))
    return diagram


def test_types_vendor_extensions_and_lanes_are_kept():
    diagram = read(data("camunda-8-tutorials.absence-request.bpmn"), "bpmn")
    assert [lane.label for lane in diagram.lanes] == ["Employee", "Line Manager"]
    nodes = diagram.node_by_id()
    assert nodes["RequestAbsenceTask"].kind is NodeKind.USER_TASK
    assert nodes["GetLineManagerTask"].attributes["bpmn.type"] == "businessRuleTask"
    assert "zeebe:calledDecision" in nodes["GetLineManagerTask"].attributes["bpmn.extensionElements"]
    timer = nodes["Event_0z73nuo"]
    assert timer.attributes["bpmn.type"] == "boundaryEvent" and timer.attributes["bpmn.cancelActivity"] == "false"
    assert any(e.source == "ApproveAbsenceTask" and e.target == "Event_0z73nuo" and e.style is EdgeStyle.DOTTED
               for e in diagram.edges)  # the boundary event, linked from its host
    text = write(diagram, "bpmn")
    assert "zeebe:calledDecision" in text and 'cancelActivity="false"' in text and "<bpmn:boundaryEvent" in text
    assert "businessRuleTask" in text and "conditionExpression" in text


def test_several_pools_become_lanes_and_message_flows_dotted_edges():
    diagram = read(data("collaboration.message-flows.bpmn"), "bpmn")
    assert [lane.label for lane in diagram.lanes] == ["Participant 1", "Participant 2"]
    message = [e for e in diagram.edges if e.attributes.get("bpmn.type") == "messageFlow"]
    assert message and all(e.style is EdgeStyle.DOTTED for e in message)
    root = etree.fromstring(write(diagram, "bpmn").encode())
    assert len(root.findall(".//bpmn:participant", NS)) == 2 and root.find(".//bpmn:messageFlow", NS) is not None


def test_black_box_pool_is_an_empty_lane_and_stays_a_black_box():
    diagram = read(data("collaboration.black-box-participant.bpmn"), "bpmn")
    assert len(diagram.lanes) == 2 and not diagram.nodes_by_lane()[diagram.lanes[1].id]
    root = etree.fromstring(write(diagram, "bpmn").encode())
    assert [p.get("processRef") is None for p in root.findall(".//bpmn:participant", NS)] == [False, True]


def test_expanded_sub_processes_keep_their_contents():
    diagram = read(data("sub-process.nested-expanded.bpmn"), "bpmn")
    groups = {g.id: g for g in diagram.groups}
    assert groups["Activity_1a8tth6"].parent == "Activity_0str1n8"
    assert "Activity_1x6sbz2" in groups["Activity_1a8tth6"].members
    root = etree.fromstring(write(diagram, "bpmn").encode())
    inner = root.find(".//bpmn:subProcess[@id='Activity_0str1n8']/bpmn:subProcess[@id='Activity_1a8tth6']"
                      "/bpmn:task[@id='Activity_1x6sbz2']", NS)
    assert inner is not None  # written nested, as it was
    # drawn expanded in place, as the source drew it: the contents inside the sub-process's box
    shape = root.find(".//bpmndi:BPMNShape[@bpmnElement='Activity_0str1n8']", NS)
    assert shape.get("isExpanded") == "true"
    geometry = di_geometry(etree.tostring(root, encoding="unicode"))
    for member in ("Activity_1a8tth6", "Activity_1x6sbz2", "Event_0dkr1uz"):
        assert inside(geometry.shapes[member], geometry.shapes["Activity_0str1n8"]), member
    assert inside(geometry.shapes["Activity_1x6sbz2"], geometry.shapes["Activity_1a8tth6"])
    # without the source's DI it is collapsed, with a drill-down plane of its own
    for node in diagram.nodes:
        node.attributes.pop("bpmn.isExpanded", None)
    root = etree.fromstring(write(diagram, "bpmn").encode())
    planes = [p.get("bpmnElement") for p in root.iter(f"{{{BPMNDI_NS}}}BPMNPlane")]
    assert "Activity_0str1n8" in planes and "Activity_1a8tth6" in planes


def test_data_objects_annotations_and_groups_are_kept():
    data_diagram = read(data("data-object-and-store.basic.bpmn"), "bpmn")
    kinds = {n.id: n.kind for n in data_diagram.nodes}
    assert kinds["DataObjectReference_0662v3f"] is NodeKind.DATA and kinds["DataStoreReference_0l43z9o"] is NodeKind.DATA
    assert sum(e.attributes.get("bpmn.type") == "dataInputAssociation" for e in data_diagram.edges) == 2
    note = read(data("camunda-8-tutorials.absence-request.bpmn"), "bpmn")
    assert note.nodes[0].kind is NodeKind.NOTE and note.nodes[0].label.startswith("Triggered when an employee")
    assert any(e.attributes.get("bpmn.type") == "association" and e.target == note.nodes[0].id for e in note.edges)
    empty = read(data("text-annotation.basic.bpmn"), "bpmn")
    assert [n.label for n in empty.nodes if n.kind is NodeKind.NOTE] == [None]
    grouped = read(data("artifact.group.bpmn"), "bpmn")
    assert grouped.groups[0].label == "Foo" and len(grouped.groups[0].members) == 4  # members from DI


def test_di_gives_the_authors_order():
    diagram = read(data("lane.nested.bpmn"), "bpmn")
    assert [n.id for n in diagram.nodes] == ["StartEvent_1", "Activity_0op6ndt", "Activity_1yq0rcp", "Event_048jaza"]
    assert diagram.lanes[1].attributes["bpmn.parentLane"] == "Lane_0xuerpu"


def test_format_is_registered_by_extension_and_content():
    text = data("lanes_gateway.bpmn")
    assert detect_format(text).name == "bpmn"
    assert detect_format("", filename="x.bpmn").name == "bpmn"
    assert detect_format("", filename="x.bpmn2").name == "bpmn"
    assert detect_format(text.replace("bpmn:", "").replace("xmlns:bpmn", "xmlns")).name == "bpmn"


# -- hostile and broken input -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["billion_laughs.bpmn", "xxe_local_file.bpmn", "xxe_network.bpmn"])
def test_dtds_are_refused_before_parsing(name):
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        read(data(name), "bpmn")
    assert time.perf_counter() - started < 0.5
    assert codes(caught.value) == ["XML_DTD_FORBIDDEN"]
    assert caught.value.diagnostics[0].line == 2
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd anywhere


def test_a_100_mb_file_is_refused_fast_with_little_memory():
    head = '<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
    text = head + "<!-- padding -->" * (100 * 1024 * 1024 // 16) + "</bpmn:definitions>"
    tracemalloc.start()
    started = time.perf_counter()
    diagram, diagnostics = bpmn_read(text)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [d.code for d in diagnostics] == ["INPUT_TOO_LARGE"]
    assert elapsed < 0.1 and peak < 1024 * 1024
    with pytest.raises(InputError) as caught:
        read(text, "bpmn")
    assert codes(caught.value) == ["INPUT_TOO_LARGE"]


def test_malformed_xml_is_an_error_with_its_position():
    with pytest.raises(InputError) as caught:
        read('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">\n'
             "  <bpmn:process id='p'>\n  </bpmn:task>\n</bpmn:definitions>", "bpmn")
    error = caught.value.diagnostics[0]
    assert (error.code, error.line) == ("SYNTAX_ERROR", 3) and error.column


def test_xml_that_is_not_bpmn_is_refused():
    with pytest.raises(InputError) as caught:
        read("<svg xmlns='http://www.w3.org/2000/svg'/>", "bpmn")
    assert codes(caught.value) == ["NOT_BPMN"]


def test_a_root_outside_the_bpmn_namespace_is_refused_at_its_start_tag():
    """(found by the fuzz campaign: the error had a line and no column) Both BPMN's own names in no
    namespace and a prefixed root of another namespace."""
    for text, where in (('<?xml version="1.0"?>\n<definitions id="D">\n  <process id="p"/>\n</definitions>', (2, 1)),
                        ('<?xml version="1.0"?>\n\n  <x:definitions xmlns:x="urn:a"/>', (3, 3))):
        with pytest.raises(InputError) as caught:
            read(text, "bpmn")
        error = caught.value.diagnostics[0]
        assert (error.code, error.line, error.column) == ("NOT_BPMN", *where)


_SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">
  <bpmn:collaboration id="C">
    <bpmn:participant id="P1" processRef="A"/>
    <bpmn:participant id="P2" processRef="B"/>
  </bpmn:collaboration>
  <bpmn:process id="A">
    <bpmn:task id="t1"/>
    <bpmn:task id="t1"/>
    <bpmn:sequenceFlow id="f1" sourceRef="t1" targetRef="nowhere"/>
    <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="t2"/>
  </bpmn:process>
  <bpmn:process id="B">
    <bpmn:task id="t2"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_faults_a_modeller_exports_are_warnings_with_their_lines_and_the_rest_is_read():
    result = read_with_diagnostics(_SMALL, "bpmn")
    found = {(d.code, d.line) for d in result.diagnostics}
    assert found == {("DUPLICATE_ELEMENT_ID", 9), ("UNRESOLVED_REFERENCE", 10), ("SEQUENCE_FLOW_ACROSS_POOLS", 11)}
    assert all(d.severity is Severity.WARNING for d in result.diagnostics)
    diagram = result.diagram
    assert sorted(n.id for n in diagram.nodes) == ["t1", "t1_2", "t2"]  # the second t1 under an id of its own
    assert [(e.id, e.source, e.target) for e in diagram.edges] == [("f2", "t1", "t2")]
    text = write(diagram, "bpmn")
    assert '<bpmn:messageFlow id="f2" sourceRef="t1" targetRef="t2"' in text  # what may cross pools
    assert read(text, "bpmn") == diagram


_TWO_SOURCES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">
  <bpmn:process id="P">
    <bpmn:dataObjectReference id="d1" dataObjectRef="o1"/><bpmn:dataObject id="o1"/>
    <bpmn:dataObjectReference id="d2" dataObjectRef="o2"/><bpmn:dataObject id="o2"/>
    <bpmn:task id="t">
      <bpmn:property id="p" name="__targetRef_placeholder"/>
      <bpmn:dataInputAssociation id="a"><bpmn:sourceRef>d1</bpmn:sourceRef><bpmn:sourceRef>d2</bpmn:sourceRef>
        <bpmn:targetRef>p</bpmn:targetRef></bpmn:dataInputAssociation>
    </bpmn:task>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_data_association_with_two_sources_is_two_edges_that_every_writer_takes():
    result = read_with_diagnostics(_TWO_SOURCES, "bpmn")
    assert [(d.code, d.line) for d in result.diagnostics] == [("SPLIT_DATA_ASSOCIATION", 8)]
    edges = result.diagram.edges
    assert [(e.source, e.target) for e in edges] == [("d1", "t"), ("d2", "t")]
    assert len({e.id for e in edges}) == 2  # ids stay unique: the model check accepts it
    for target in ("bpmn", "flowzap", "mermaid", "yaml"):
        write(result.diagram, target)
    assert read(write(result.diagram, "bpmn"), "bpmn") == result.diagram


def test_data_associations_to_an_io_specification_are_kept_whole():
    path = CORPUS / "bpmn-more" / "bpmn-js" / "spec__import__elements__DataInputOutput.bpmn"
    text = write(read(path.read_text(encoding="utf-8"), "bpmn"), "bpmn")
    root = etree.fromstring(text.encode())
    for tag, end in (("dataInputAssociation", "sourceRef"), ("dataOutputAssociation", "targetRef")):
        association = root.find(f".//{{{MODEL_NS}}}{tag}")
        ref = association.find(f"{{{MODEL_NS}}}{end}").text
        assert root.find(f".//*[@id='{ref}']") is not None  # the process's dataInput / dataOutput
    assert write(read(text, "bpmn"), "bpmn") == text


INVALID_EXPECTED = {
    # file in tests/corpus/bpmn/invalid/ → the warnings our reader gives while reading it (each
    # file is faulty but meaningful: a modeller exported it, a converter meets it in the wild)
    "camunda-8-tutorials-rpa-orchestration-uipath.bpmn": {"SEQUENCE_FLOW_ACROSS_SCOPES"},
    "cross-scope-sequence-flow.bpmn": {"SEQUENCE_FLOW_ACROSS_SCOPES"},
    "duplicate-link-catch.bpmn": {"LINK_CATCH_AMBIGUOUS"},
    "invalid-boundary-host.bpmn": {"UNRESOLVED_REFERENCE"},
    "invalid-lane-membership.bpmn": {"NODE_IN_TWO_LANES"},
    "invalid-message-flow-endpoint.bpmn": {"UNRESOLVED_REFERENCE"},
    "invalid-participant-process-reference.bpmn": {"UNRESOLVED_REFERENCE"},
    "invalid-sequence-flow-endpoint.bpmn": {"UNRESOLVED_REFERENCE"},
    "unknown-visual-type.bpmn": {"UNKNOWN_BPMN_ELEMENT"},
    "unmatched-link-event.bpmn": {"LINK_EVENT_UNPAIRED"},
    # a black-box pool is an empty lane (issue 5); complex gateways are BPMN 2.0
    "collaboration-black-box-only.bpmn": set(),
    "unsupported-visual-element.bpmn": set(),
}


@pytest.mark.parametrize("name", sorted(INVALID_EXPECTED))
def test_faulty_corpus_is_read_with_the_right_warnings(name):
    path = CORPUS / "bpmn" / "invalid" / name
    if not path.exists():
        pytest.fail("tests/corpus is missing from this checkout")
    result = read_with_diagnostics(path.read_text(encoding="utf-8"), "bpmn")
    warnings = [d for d in result.diagnostics if d.severity is Severity.WARNING]
    assert {d.code for d in warnings} == INVALID_EXPECTED[name]
    assert all(d.line for d in warnings)
    back = read(write(result.diagram, "bpmn"), "bpmn")
    assert len(back.nodes) == len(result.diagram.nodes)


def test_every_corpus_file_is_read_or_rejected_as_expected():
    corpus = CORPUS / "bpmn"
    files = sorted(corpus.glob("*.bpmn"))
    if not files:
        pytest.fail("tests/corpus is missing from this checkout")
    assert sorted(p.name for p in (corpus / "invalid").glob("*.bpmn")) == sorted(INVALID_EXPECTED)
    for path in files:
        diagram = read(path.read_text(encoding="utf-8"), "bpmn")
        again = read(write(diagram, "bpmn"), "bpmn")
        assert read(write(again, "bpmn"), "bpmn") == again, path.name


def test_unknown_options_are_refused():
    from converters import OptionError

    with pytest.raises(OptionError):
        convert(seed_text(), source_format="flowzap", target_format="bpmn", options={"pools": "many"})


def test_output_ids_are_unique_ncnames():
    diagram = Diagram(lanes=[Lane("x y", "X"), Lane("n1", "clash")],
                      nodes=[Node("n1", "x y", NodeKind.TASK, "a"), Node("Process_1", "n1", NodeKind.TASK, "b")],
                      edges=[Edge("n1", "Process_1", id="n1")])
    text = write(diagram, "bpmn")
    ids = [el.get("id") for el in etree.fromstring(text.encode()).iter()
           if el.get("id") and etree.QName(el).namespace in (MODEL_NS, BPMNDI_NS)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z_][\w.\-]*", i) for i in ids)
    assert read(text, "bpmn") == diagram


def test_mutated_corpus_files_never_crash():
    """Truncated files, stray markup, ids swapped: an InputError with diagnostics or a model
    every writer can write, never another exception."""
    import random

    files = [p.read_text(encoding="utf-8") for p in sorted(BPMN_DATA.glob("*.bpmn"))
             if not p.name.startswith(("billion", "xxe"))]
    rng = random.Random(5)
    for _ in range(300):
        text = rng.choice(files)
        operation = rng.randrange(3)
        if operation == 0:
            text = text[:rng.randrange(len(text))]
        elif operation == 1:
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice(["<", ">", '"', "&", '</bpmn:task>', ' sourceRef="zz"', "<bpmn:foo/>"]) + text[at:]
        else:
            ids = re.findall(r'\bid="([^"]+)"', text)
            first, second = rng.choice(ids), rng.choice(ids)
            text = text.replace(f'"{first}"', f'"{second}"', 1)
        try:
            diagram = read(text, "bpmn")
        except InputError as error:
            assert error.diagnostics and all(d.code for d in error.diagnostics)
            continue
        write(diagram, "bpmn")
        write(diagram, "flowzap")


def test_a_file_re_saved_by_a_modeller_keeps_what_fz_meta_carries():
    """bpmn-js / Camunda Modeler keep unknown extension elements when they save: our fz:meta
    still restores sides, shapes and loops, and the added gateways and events are still removed,
    though the file no longer says this converter wrote it (so DI gives the node order)."""
    diagram = read(seed_text(), "flowzap")
    text = write(diagram, "bpmn").replace('exporter="flowzap-converter"', 'exporter="Camunda Modeler"')
    back = read(text, "bpmn")
    assert sorted(back.nodes, key=lambda n: n.id) == sorted(diagram.nodes, key=lambda n: n.id)
    assert back.edges == diagram.edges and back.lanes == diagram.lanes and back.groups == diagram.groups


def test_fz_meta_values_this_converter_never_writes_are_warnings_not_crashes():
    model = Diagram(lanes=[Lane("L", "L")], nodes=[Node("a", "L"), Node("b", "L")],
                    edges=[Edge("a", "b", style=EdgeStyle.DOTTED, source_side=Side.RIGHT)])
    text = write(model, "bpmn").replace('style="dotted"', 'style="wavy"').replace('sourceSide="right"',
                                                                                 'sourceSide="²"')
    result = read_with_diagnostics(text, "bpmn")
    assert [d.code for d in result.diagnostics] == ["INVALID_FZ_META", "INVALID_FZ_META"]
    assert result.diagram.edges[0].style is EdgeStyle.SOLID and result.diagram.edges[0].source_side is None


def test_xml_namespace_attributes_are_written_under_xml_and_read_back():
    text = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">
  <bpmn:process id="P"><bpmn:task id="t" name="Tâche" xml:lang="fr"/></bpmn:process>
</bpmn:definitions>
"""
    model = read(text, "bpmn")
    assert model.nodes[0].attributes["bpmn.{http://www.w3.org/XML/1998/namespace}lang"] == "fr"
    written = write(model, "bpmn")
    assert ' xml:lang="fr"' in written and "xmlns:ns" not in written  # the xml: prefix is never declared
    assert etree.fromstring(written.encode()) is not None
    assert read(written, "bpmn") == read(write(read(written, "bpmn"), "bpmn"), "bpmn")


def test_a_collaboration_given_twice_reads_each_process_once():
    # found by tests/test_corpus_fuzz_plantuml_bpmn.py: the process was read once per participant,
    # and the model held every lane and node twice (every writer then refused it: DUPLICATE_ID)
    twice = _SMALL.replace("  <bpmn:process id=\"A\">", "  <bpmn:collaboration id=\"C2\">\n"
                           "    <bpmn:participant id=\"P3\" processRef=\"A\"/>\n  </bpmn:collaboration>\n"
                           "  <bpmn:process id=\"A\">", 1)
    result = read_with_diagnostics(twice, "bpmn")
    assert ("PROCESS_IN_TWO_POOLS", 8) in {(d.code, d.line) for d in result.diagnostics}
    assert sorted(n.id for n in result.diagram.nodes) == ["t1", "t1_2", "t2"]
    read(write(result.diagram, "bpmn"), "bpmn")
