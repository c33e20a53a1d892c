"""Writer closure for PlantUML on any model (tests/strategies.py), and linear time."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from converters import read_with_diagnostics, write_with_diagnostics
from converters.diagnostics import Severity
from converters.model import Diagram, Edge, Lane, Node, NodeKind
from converters.plantuml import read, write
from tests.complexity import assert_linear, best_time
from tests.conftest import require_tool
from tests.oracles.plantuml_oracle import available, plantuml_oracle
from tests.plantuml_views import written_graph
from tests.strategies import any_models

SETTINGS = settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _errors(diagnostics):
    return [d for d in diagnostics if d.severity is Severity.ERROR]


@SETTINGS
@given(any_models())
def test_activity_output_reads_back_as_the_same_graph(model):
    text, _ = write(model, {"diagram": "activity", "extras": "report"})
    back, diagnostics = read(text)
    assert not _errors(diagnostics), (text, _errors(diagnostics))
    assert written_graph(back) == written_graph(model), text
    assert len(back.lanes) == len(model.lanes)


@SETTINGS
@given(any_models())
def test_activity_with_comments_keeps_the_model(model):
    text, _ = write(model, {"diagram": "activity", "extras": "comments"})
    back, diagnostics = read(text)
    assert not _errors(diagnostics), (text, _errors(diagnostics))
    assert [n.id for n in back.nodes] == [n.id for n in model.nodes]
    assert len(back.edges) == len(model.edges)


@SETTINGS
@given(any_models())
def test_sequence_output_reads_back(model):
    text, _ = write(model, {"diagram": "sequence", "extras": "report"})
    back, diagnostics = read(text)
    assert not _errors(diagnostics), (text, _errors(diagnostics))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_models(max_nodes=8))
def test_plantuml_accepts_what_the_writer_writes(model):
    require_tool("PlantUML 1.2026.8", available(), "bash tests/oracles/plantuml/install.sh")
    judge = plantuml_oracle()
    activity, _ = write(model, {"diagram": "activity", "extras": "comments"})
    verdict = judge.check(activity)
    assert verdict == ("ACTIVITY", "activity3") or (not model.nodes and verdict[0] in ("OTHER", "ACTIVITY")), \
        (verdict, activity)
    sequence, _ = write(model, {"diagram": "sequence", "extras": "report"})
    verdict = judge.check(sequence)
    assert verdict[0] in ("SEQUENCE", "OTHER"), (verdict, sequence)


def _message_model(label: str) -> Diagram:
    return Diagram(lanes=[Lane("A"), Lane("B")], nodes=[Node("a", "A", NodeKind.TASK, "a"), Node("b", "B", NodeKind.TASK, "b")],
                   edges=[Edge("a", "b", label)])


def test_a_message_over_plantumls_line_limit_is_cut_and_said():
    """PlantUML 1.2026.8 refuses a sequence message line over 2,000 characters (Java's UTF-16
    units: the astral characters count two). Found by the test above, on a ~600-character label
    of astral and control characters (each written as a ``&#…;`` code)."""
    require_tool("PlantUML 1.2026.8", available(), "bash tests/oracles/plantuml/install.sh")
    judge = plantuml_oracle()
    for label in ("x" * 3000, "\U0001d0eb" * 1500, "\x01" * 600, "a\nb" * 800):
        text, diagnostics = write(_message_model(label), {"diagram": "sequence"})
        assert judge.check(text)[0] == "SEQUENCE", text
        assert max(len(line.encode("utf-16-le")) // 2 for line in text.splitlines()) <= 2000
        cut = [d for d in diagnostics if d.code == "CHANGED_LABEL" and d.element == "a->b"]
        assert cut and "cut after" in cut[0].message, diagnostics
        back, found = read(text)
        assert not _errors(found) and back.edges[0].label and label.startswith(back.edges[0].label.replace("\n", "\n"))
    # a line of exactly 2,000 characters is kept whole
    head = len("A -> B : ")
    text, diagnostics = write(_message_model("y" * (2000 - head)), {"diagram": "sequence"})
    assert judge.check(text)[0] == "SEQUENCE" and not [d for d in diagnostics if d.code == "CHANGED_LABEL"], text


@pytest.mark.parametrize("part", ["participant id", "arrow", "colour marks"])
def test_a_message_line_stays_under_plantumls_limit_whatever_names_its_participants(part):
    """Found by scripts/fuzz_campaign.py (a Mermaid and a PlantUML file with one huge participant
    name): the participants' names and the arrow are written on every message line, and a 3,000-
    character id (or arrow, or colour list) made the line too long for PlantUML whatever the message
    text. Names over MAX_NAME are renamed, arrows and colour marks over MAX_DECORATION dropped: said."""
    require_tool("PlantUML 1.2026.8", available(), "bash tests/oracles/plantuml/install.sh")
    long_id = "a_b" * 1000
    model = _message_model("m")
    if part == "participant id":
        model.lanes[0] = Lane(long_id)
        model.nodes[0].lane = long_id
    else:
        key = "plantuml.arrow" if part == "arrow" else "plantuml.markers"
        model.edges[0].attributes[key] = "-" * 3000 + ">" if part == "arrow" else " ".join(["#abc"] * 700)
    text, diagnostics = write(model, {"diagram": "sequence"})
    assert plantuml_oracle().check(text)[0] == "SEQUENCE", text
    assert {"RENAMED_ID" if part == "participant id" else "DROPPED_ATTRIBUTE"} & {d.code for d in diagnostics}
    back, found = read(text)
    assert not _errors(found) and back.edges[0].label == "m"


def chain_with_jumps(n: int) -> Diagram:
    """n nodes in three lanes: a chain with a decision every fifth node that jumps back."""
    d = Diagram(lanes=[Lane("A"), Lane("B"), Lane("C")])
    lanes = "ABC"
    for i in range(n):
        kind = NodeKind.DECISION if i % 5 == 4 else NodeKind.TASK
        d.nodes.append(Node(f"n{i + 1}", lanes[i % 3], kind, f"step {i}"))
        if i:
            d.edges.append(Edge(f"n{i}", f"n{i + 1}", "yes" if (i - 1) % 5 == 4 else None))
        if kind is NodeKind.DECISION:
            d.edges.append(Edge(f"n{i + 1}", f"n{max(1, i - 2)}", "retry"))
    return d


# Through the API, as every caller converts (it pauses the cyclic collector for large diagrams).
def _write(diagram):
    return write_with_diagnostics(diagram, "plantuml", {"diagram": "activity", "extras": "report"})


def _read(text):
    return read_with_diagnostics(text, "plantuml")


def test_writer_is_linear():
    assert_linear(chain_with_jumps, _write, 2000, label="plantuml activity writer")


def test_reader_is_linear():
    assert_linear(lambda n: _write(chain_with_jumps(n))[0], _read, 2000, label="plantuml activity reader")


def test_sequence_is_linear():
    def build(n):
        lanes = "".join(f"participant P{i}\n" for i in range(10))
        return "@startuml\n" + lanes + "".join(f"P{i % 10} -> P{(i + 1) % 10} : m{i}\n" for i in range(n)) + "@enduml\n"
    assert_linear(build, _read, 1000, label="plantuml sequence reader")
    assert_linear(lambda n: read(build(n))[0],
                  lambda d: write_with_diagnostics(d, "plantuml", {"diagram": "sequence", "extras": "report"}), 1000,
                  label="plantuml sequence writer")


def test_hostile_lines_are_read_in_linear_time():
    # long runs of the characters the statement patterns look for, with nothing that ends them
    shapes = ["note left{}x", "-{}x", "->{}x", "if{}x", "==={}x", "(*) -->{}x", "A -> B{}x", "note over A{}x"]
    for shape in shapes:
        for filler in (" ", "-", "="):
            def build(n, shape=shape, filler=filler):
                return "@startuml\n" + shape.format(filler * n) + "\n@enduml\n"
            # four times the line: a quadratic pattern costs sixteen times as much. Best of three
            # each (the regex engine's first pass over a long line pays for growing its stacks).
            small, large = build(25000), build(100000)
            read(small)
            ratio = best_time(read, large, repeat=3) / max(best_time(read, small, repeat=3), 0.0003)
            assert ratio <= 12.0, f"{shape!r} with {filler!r}: ×{ratio:.1f} for ×4 the line"
