"""FlowZap Code reader: the corpus, the lenient variants, and one test per error code with its
line and column."""
from __future__ import annotations

from pathlib import Path

import pytest

from converters import InputError, read_with_diagnostics
from converters.diagnostics import CODES, Severity
from converters.model import NodeKind, Side

DATA = Path(__file__).parent / "data" / "flowzap"
CORPUS = sorted(p for p in DATA.glob("[0-9]*.fz") if not p.name.startswith("90"))


def read_fz(text: str):
    return read_with_diagnostics(text, "flowzap")


def errors_of(text: str) -> list[tuple[str, int | None, int | None]]:
    with pytest.raises(InputError) as caught:
        read_fz(text)
    return [(d.code, d.line, d.column) for d in caught.value.errors]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_every_valid_corpus_file_is_read_without_warnings(path):
    result = read_fz(path.read_text(encoding="utf-8"))
    assert result.diagram.nodes and result.diagram.lanes
    warnings = [d for d in result.diagnostics if d.severity is not Severity.INFO]
    assert warnings == []


def test_reference_example_model():
    diagram = read_fz((DATA / "00_seed_auth_flow.fz").read_text()).diagram
    assert [(lane.id, lane.label) for lane in diagram.lanes] == [
        ("User", "User"), ("AuthServer", "Auth Server"), ("MFA", "Multi-Factor Auth")]
    assert len(diagram.nodes) == 19 and len(diagram.edges) == 22
    nodes = diagram.node_by_id()
    assert nodes["n1"].kind is NodeKind.START and nodes["n6"].kind is NodeKind.END
    assert nodes["n9"].kind is NodeKind.DECISION and nodes["n7"].lane == "AuthServer"
    edge = diagram.edges[2]
    assert (edge.source, edge.target, edge.label) == ("n3", "n7", "Login request")
    assert (edge.source_side, edge.target_side) == (Side.BOTTOM, Side.TOP)
    assert (edge.line, edge.column) == (10, 1)
    assert (nodes["n16"].line, nodes["n16"].column) == (38, 1)


def test_interleaved_ids_and_cross_lane_loop():
    diagram = read_fz((DATA / "03_auth_flow_guidelines.fz").read_text()).diagram
    (loop,) = diagram.groups
    assert (loop.kind, loop.label, loop.members, loop.lane) == ("loop", "retry until valid format", ["n2", "n3", "n7", "n8"], "User")
    assert diagram.node_by_id()["n14"].lane == "Application"


def test_node_used_before_declaration():
    result = read_fz((DATA / "12_mcp_get_syntax_order_processing.fz").read_text())
    assert all(edge.source in result.diagram.node_by_id() for edge in result.diagram.edges)


def test_taskbox_attributes_kept():
    diagram = read_fz((DATA / "10_taskbox_ops.fz").read_text()).diagram
    box = next(n for n in diagram.nodes if n.kind is NodeKind.USER_TASK)
    assert box.label is None and {"owner", "description", "system"} <= set(box.attributes)


def test_invalid_legacy_file_is_rejected_with_every_error_on_its_line():
    text = (DATA / "90_invalid_legacy_syntax.fz").read_text()
    assert errors_of(text) == [
        ("UNKNOWN_SHAPE", 4, 13), ("CHAINED_EDGE", 6, 3), ("UNKNOWN_SHAPE", 11, 12),
        ("UNKNOWN_SHAPE", 12, 9), ("CHAINED_EDGE", 14, 3),
    ]
    with pytest.raises(InputError) as caught:
        read_fz(text)
    assert "did you mean 'rectangle'" in caught.value.errors[0].message


def test_lenient_variants_each_reported_where_they_are():
    result = read_fz((DATA / "lenient_variants.fz").read_text())
    found = {(d.code, d.line, d.column) for d in result.diagnostics}
    assert {
        ("LINE_COMMENT", 1, 1),
        ("LANE_LABEL_ON_NEXT_LINE", 3, 1),
        ("UPPERCASE_KEYWORD", 4, 8),
        ("UNKNOWN_ATTRIBUTE", 4, 46),
        ("UPPERCASE_KEYWORD", 6, 14),
        ("MISSING_LANE_PREFIX", 7, 22),
        ("LEGACY_EDGE_LABEL", 7, 38),
        ("REDUNDANT_LANE_PREFIX", 8, 1),
        ("MISSING_HANDLE", 8, 1),
        ("MISSING_LANE_LABEL", 10, 1),
        ("STATEMENT_OUTSIDE_LANE", 14, 1),
        ("REDUNDANT_LANE_PREFIX", 14, 1),
        ("STATEMENT_OUTSIDE_LANE", 15, 1),
        ("NONCANONICAL_ID", 4, 1),
    } <= found, sorted(found)
    diagram = result.diagram
    nodes = diagram.node_by_id()
    assert diagram.lanes[0].label == "Client app" and diagram.lanes[1].label == "Server"
    assert nodes["start"].attributes == {"owner": "web team", "colour": "blue"}
    assert nodes["n2"].label == 'Say "hi" \\ wave'
    assert diagram.edges[1].label == "Request"
    assert diagram.groups[0].lane == "Client"  # a loop outside the lanes: its first node decides
    assert diagram.edges[2].source_side is None  # sides left for the writer's layout


# One case per error code: (code, text, line, column) of the first such error.
ERROR_CASES = [
    ("INVALID_ENCODING", b"A { # A\nn1: circle label:\"\xff\"\n}\n", 2, 19),
    ("CONTROL_CHARACTER", "A { # A\nn1: circle label:\"a\x07\"\n}\n", 2, 20),
    ("SYNTAX_ERROR", "A { # A\nn1: circle label: \"x\"\n}\n", 2, 1),
    ("SYNTAX_ERROR", "A { # A\nn1: circle\nn1.handle(up) -> n1.handle(left)\n}\n", 3, 11),
    ("EMPTY_DIAGRAM", "// nothing here\n", 1, 1),
    ("UNKNOWN_SHAPE", "A { # A\n  n1: rect label:\"x\"\n}\n", 2, 7),
    ("UNKNOWN_NODE", "A { # A\nn1: circle\nn1.handle(right) -> n9.handle(left)\n}\n", 3, 21),
    ("UNKNOWN_NODE", "A { # A\nn1: circle\nn2: circle\nloop [x] n1 n3\n}\n", 4, 13),
    ("DUPLICATE_NODE_ID", "A { # A\nn1: circle\n}\nB { # B\n n1: rectangle\n}\n", 5, 2),
    ("DUPLICATE_LANE_ID", "A { # A\nn1: circle\n}\nA { # again\n}\n", 4, 1),
    ("UNCLOSED_LANE", "A { # A\nn1: circle\nB { # B\nn2: circle\n}\n", 1, 1),
    ("UNCLOSED_LANE", "A { # A\nn1: circle\n", 1, 1),
    ("UNMATCHED_BRACE", "A { # A\nn1: circle\n}\n}\n", 4, 1),
    ("WRONG_LANE_PREFIX", "A { # A\nn1: circle\nn1.handle(bottom) -> A.n2.handle(top)\n}\nB { # B\nn2: circle\n}\n", 3, 22),
    ("CHAINED_EDGE", "A { # A\nn1: circle\nn2: circle\nn3: circle\n  n1 -> n2 -> n3\n}\n", 5, 3),
    ("LOOP_TOO_SHORT", "A { # A\nn1: circle\nloop [x] n1\n}\n", 3, 1),
    ("NODE_OUTSIDE_LANE", "n1: circle label:\"x\"\nA { # A\n}\n", 1, 1),
]


@pytest.mark.parametrize("code,text,line,column", ERROR_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(ERROR_CASES)])
def test_error_code_has_its_line_and_column(code, text, line, column):
    found = errors_of(text)
    assert (code, line, column) in found, found


def test_every_flowzap_error_code_has_a_case():
    flowzap_errors = {
        "UNKNOWN_SHAPE", "UNKNOWN_NODE", "DUPLICATE_NODE_ID", "DUPLICATE_LANE_ID", "UNCLOSED_LANE",
        "UNMATCHED_BRACE", "WRONG_LANE_PREFIX", "CHAINED_EDGE", "LOOP_TOO_SHORT", "NODE_OUTSIDE_LANE",
        "SYNTAX_ERROR", "EMPTY_DIAGRAM", "INVALID_ENCODING", "CONTROL_CHARACTER",
    }
    assert flowzap_errors <= {case[0] for case in ERROR_CASES}
    assert all(CODES[code].severity is Severity.ERROR for code in flowzap_errors)


def test_all_errors_reported_in_one_pass():
    text = "A { # A\nn1: rect\nn2: blob\nn1.handle(right) -> n7.handle(left)\nn1.handle(right) -> n8.handle(left)\n"
    codes = [code for code, _, _ in errors_of(text)]
    assert codes == ["UNCLOSED_LANE", "UNKNOWN_SHAPE", "UNKNOWN_SHAPE", "UNKNOWN_NODE", "UNKNOWN_NODE"]


def test_unknown_node_suggests_the_closest_id():
    with pytest.raises(InputError) as caught:
        read_fz("A { # A\nnode1: circle\nnode2: circle\nnode1.handle(right) -> nod2.handle(left)\n}\n")
    assert "did you mean 'node2'" in caught.value.errors[0].message


def test_crlf_and_bom_are_accepted():
    text = (DATA / "06_single_lane_minimal.fz").read_text()
    plain = read_fz(text).diagram
    assert read_fz("\ufeff" + text.replace("\n", "\r\n")).diagram == plain
