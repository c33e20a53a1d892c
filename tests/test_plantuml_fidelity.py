"""What PlantUML 1.2026.8 accepts and draws, read as it draws it; what it refuses, refused (or
warned about) at its line. Each case was found by scripts/fuzz_campaign.py ("seen and left",
benchmarks/RESULTS.md) and checked against the real PlantUML here."""
from __future__ import annotations

import pytest

from converters.diagnostics import Severity
from converters.plantuml import read
from tests.conftest import require_tool
from tests.oracles.plantuml_oracle import available, plantuml_oracle


def oracle():
    require_tool("PlantUML 1.2026.8", available(), "bash tests/oracles/plantuml/install.sh")
    return plantuml_oracle()


def errors(diagnostics):
    return [d for d in diagnostics if d.severity is Severity.ERROR]


def edges_by_label(diagram):
    label = {n.id: n.label if n.label is not None else n.kind.value for n in diagram.nodes}
    return {(label[e.source], label[e.target], e.label) for e in diagram.edges}


def accepted(text: str):
    verdict = oracle().check(text)
    assert verdict[0] in ("ACTIVITY", "SEQUENCE"), verdict
    diagram, diagnostics = read(text)
    assert not errors(diagnostics), errors(diagnostics)
    return diagram, diagnostics


# -- item 2: PlantUML draws it, the reader refused it -------------------------------------------
@pytest.mark.parametrize("line", ["(no) elseif (y) then (yes)", "(no) else if (y) then (yes)",
                                  "(no)elseif(y)then(yes)", "(no) elseif (y) is (yes) then"])
def test_a_label_before_elseif_is_the_arrow_into_the_next_test(line):
    """``(no) elseif …``: PlantUML's INCOMING label, drawn on the arrow from the test before."""
    text = f"@startuml\nif (x) then (ok)\n:a;\n{line}\n:b;\nelse (n2)\n:c;\nendif\n@enduml\n"
    diagram, _ = accepted(text)
    assert edges_by_label(diagram) == {("x", "a", "ok"), ("x", "y", "no"), ("y", "b", "yes"), ("y", "c", "n2")}


def test_a_label_before_else_alone_is_refused_as_plantuml_refuses_it():
    text = "@startuml\nif (x) then\n:a;\n(no) else (z)\n:b;\nendif\n@enduml\n"
    assert oracle().check(text)[0] == "ERROR"
    _, diagnostics = read(text)
    assert [(d.code, d.line) for d in errors(diagnostics)] == [("SYNTAX_ERROR", 4)]


@pytest.mark.parametrize("message", ["A ->(10) B", "A ->(0)B : hi", "A -->(5) B : hi", "A ->(10) B & C"])
def test_a_slanted_message_is_read_and_its_slant_reported(message):
    """``A ->(10) B``: PlantUML draws the message slanted down by 10; the model has no slant, so the
    message is kept and the slant reported at its column."""
    text = f"@startuml\nparticipant A\n{message}\n@enduml\n"
    diagram, diagnostics = accepted(text)
    lane = {n.id: n.lane for n in diagram.nodes}
    assert {(lane[e.source], lane[e.target]) for e in diagram.edges} >= {("A", "B")}
    assert any(e.label == "hi" for e in diagram.edges) == ("hi" in message)
    slant = [d for d in diagnostics if d.code == "IGNORED_STATEMENT"]
    assert [(d.line, d.column) for d in slant] == [(3, message.index("(") + 1)]


@pytest.mark.parametrize("message", ["A <-(10) B", "A ->( 10) B", "A ->(1a) B"])
def test_a_slant_plantuml_refuses_is_refused(message):
    text = f"@startuml\nparticipant A\n{message}\n@enduml\n"
    assert oracle().check(text)[0] == "ERROR"
    _, diagnostics = read(text)
    assert [(d.code, d.line) for d in errors(diagnostics)] == [("SYNTAX_ERROR", 3)]


def test_break_outside_a_loop_ends_the_flow_as_plantuml_draws_it():
    """PlantUML 1.2026.8 accepts ``break`` outside a loop and draws an arrow from ``a`` that leads
    nowhere, ``b`` unconnected (rendered and compared by hand: the arrow stops 10px above b)."""
    text = "@startuml\n:a;\nbreak\n:b;\n@enduml\n"
    diagram, diagnostics = accepted(text)
    assert [n.label for n in diagram.nodes] == ["a", "b"] and diagram.edges == []
    assert [(d.code, d.line) for d in diagnostics] == [("IGNORED_STATEMENT", 3)]
