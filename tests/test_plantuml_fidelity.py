"""What PlantUML 1.2026.8 accepts and draws, read as it draws it; what it refuses, refused (or
warned about) at its line. Each case was found by scripts/fuzz_campaign.py ("seen and left",
benchmarks/RESULTS.md) and checked against the real PlantUML here."""
from __future__ import annotations

import pytest

from converters.plantuml import read
from tests.test_plantuml import errors, oracle  # one oracle check and error filter for the PlantUML tests


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


# -- item 3: PlantUML refuses it, the reader took it ----------------------------------------------
def refused(text: str, code: str, line: int) -> None:
    verdict = oracle().check(text)
    assert verdict[0] == "ERROR" and verdict[1].startswith(f"{line}:"), verdict
    _, diagnostics = read(text)
    assert [(d.code, d.line) for d in errors(diagnostics)] == [(code, line)], diagnostics


@pytest.mark.parametrize("before", [":a;", "start", "stop", "fork\nend fork", "if (x) then\nendif",
                                    "#red:a;\n:b;", "partition P {\n}", "group G\nend group", "package P {\n}",
                                    "partition P\nend partition"])
def test_a_swimlane_after_boxes_outside_swimlanes_is_refused(before):
    """"This swimlane must be defined at the start of the diagram." A group before any swimlane
    counts, even an empty one (PlantUML says "Syntax Error?" there; found by the fuzz campaign)."""
    text = f"@startuml\n{before}\n|A|\n:c;\n@enduml\n"
    refused(text, "PLANTUML_LATE_SWIMLANE", 2 + before.count("\n") + 1)


@pytest.mark.parametrize("before", ["-> x;", "floating note: n", "note right: n", "title T", "'c", "label x",
                                    "skinparam x y"])
def test_a_swimlane_after_what_draws_no_box_is_taken(before):
    accepted(f"@startuml\n{before}\n|A|\n:c;\n|B|\n:d;\n@enduml\n")


@pytest.mark.parametrize(("body", "line"), [(":a;", 3), (":a\nb;", 4)])
def test_an_action_in_a_switch_before_its_first_case_is_refused(body, line):
    """"No 'case' in this switch", at the line that ends the action."""
    refused(f"@startuml\nswitch (x)\n{body}\ncase (1)\n:c;\nendswitch\n@enduml\n", "PLANTUML_SWITCH_WITHOUT_CASE",
            line)


@pytest.mark.parametrize("body", ["", "-> l;", "note right: n", "(A)", "stop", "if (y) then\nendif",
                                  "fork\nend fork"])
def test_what_plantuml_takes_in_a_switch_before_its_first_case(body):
    accepted(f"@startuml\n:z;\nswitch (x)\n{body}\ncase (1)\n:c;\nendswitch\n@enduml\n")


@pytest.mark.parametrize("text", ["@startuml\n:a;\nskinparam ArrowColor\n@enduml\n",
                                  "@startuml\nparticipant A\nskinparam x\nA -> B\n@enduml\n",
                                  "@startuml\n(*) --> \"A\"\nskinparam x\n\"A\" --> (*)\n@enduml\n"])
def test_a_skinparam_without_a_value_is_refused(text):
    verdict = oracle().check(text)
    assert verdict[0] == "ERROR", verdict
    _, diagnostics = read(text)
    assert [(d.code, d.line) for d in errors(diagnostics)] == [("SYNTAX_ERROR", 3)]


def test_the_writer_does_not_write_a_skinparam_without_a_value():
    from converters.model import Diagram, Lane, Node, NodeKind
    from converters.plantuml import write
    model = Diagram(direction="TB", lanes=[Lane("L")], nodes=[Node("a", "L", NodeKind.TASK, "a")],
                    attributes={"plantuml.preamble": "skinparam x\nskinparam ArrowColor red"})
    out, diagnostics = write(model, {"diagram": "activity"})
    assert oracle().check(out)[0] == "ACTIVITY", out
    assert "skinparam ArrowColor red" in out
    assert [d.code for d in diagnostics if d.element == "diagram"] == ["DROPPED_ATTRIBUTE"]


@pytest.mark.parametrize("directive", ["!include missing.puml", "!include_many x.iuml", "!includeurl http://x/y",
                                       "!include <C4/C4_Container>"])
def test_an_include_is_kept_and_said_not_read(directive):
    """The converter reads no files: PlantUML refuses a missing file ("cannot include"), takes one that
    is there; either way its text is not in the model. Kept as written (PlantUML includes it when
    it can) with a warning at its line."""
    text = f"@startuml\n{directive}\n:a;\n@enduml\n"
    diagram, diagnostics = read(text)
    assert not errors(diagnostics)
    assert [(d.code, d.line) for d in diagnostics] == [("PLANTUML_INCLUDE", 2)]
    assert directive in diagram.attributes["plantuml.preamble"]


@pytest.mark.parametrize("message", ['A -> "X" as X2 & "Y" as Y2', 'A -> X & "Y" as Y2', 'A -> X & "Y"',
                                     'A -> X & Y as "Yy"', "A -> X as X2 & Y"])
def test_a_name_with_an_alias_or_quotes_after_an_ampersand_is_refused(message):
    refused(f"@startuml\nparticipant A\n{message}\n@enduml\n", "SYNTAX_ERROR", 3)


@pytest.mark.parametrize("message", ['A -> "X" as X2 & Y', '"A" as A2 -> B & C', "A -> X & Y"])
def test_a_multicast_plantuml_takes(message):
    diagram, _ = accepted(f"@startuml\nparticipant A\n{message}\n@enduml\n")
    assert len(diagram.edges) == 2


def test_an_error_in_an_old_syntax_statement_over_several_lines_stays_on_its_line():
    """Found by scripts/fuzz_campaign.py (session 6): a quoted label over several lines is read as one
    statement; an error after its target was placed at the joined text's offset, past the end of
    the first line (2:56 on a line of 40 characters). (PlantUML 1.2026.8 itself reads this text, joining
    the quoted label differently: left as a known divergence of the old-syntax reader.)"""
    text = ('@startuml\n(*) -left-> "this <size:20>action</size>\n(*) -left-> "this <size:20>action</size>\n'
            'is <b>very</b>\nthat contains <i>text</i>" as A1\n@enduml\n')
    _, diagnostics = read(text)
    lines = text.split("\n")
    assert errors(diagnostics)
    for d in diagnostics:
        assert 1 <= d.column <= len(lines[d.line - 1]) + 1, (d, lines[d.line - 1])


# -- seventh session: a participant's declaration, checked whole ----------------------------------
@pytest.mark.parametrize("spec", [
    "participant A order 10 #red", "participant A <<s>> order 10 #red", "participant A <<a>> <<b>> #red",
    "participant A [[http://x]] #red", "participant A <<s>> [[http://x]]", "participant A as \"B c\" #red",
    "participant \"B c\" as A <<s>> #red", "participant A #red/blue", "participant A #red\\blue", "participant A<<s>>",
    "participant A#red", "database A #red", "participant A  <<s>>  order 2  [[u]]  #FF0000",
])
def test_what_plantuml_takes_after_a_participant_is_taken(spec):
    diagram, _ = accepted(f"@startuml\n{spec}\nA -> B : hi\n@enduml\n")
    declared = next(lane for lane in diagram.lanes if lane.id == "A")  # (order N may put it after B)
    assert declared.attributes.get("plantuml.color", "").startswith("#") == ("#" in spec)


@pytest.mark.parametrize("spec, code, column", [
    ("participant A #red;line:blue", "PLANTUML_NO_SUCH_COLOR", 1),  # the parts PlantUML takes on an action only
    ("participant \"A b\" as A #red;x", "PLANTUML_NO_SUCH_COLOR", 1),
    ("participant A #line:red", "PLANTUML_NO_SUCH_COLOR", 1),
    ("participant A #red order 10", "SYNTAX_ERROR", 20),  # order comes before the colour
    ("participant A order 10 <<s>>", "SYNTAX_ERROR", 24),  # the stereotype comes first
    ("participant A #red foo", "SYNTAX_ERROR", 20),
    ("participant A as B foo", "SYNTAX_ERROR", 20),
    ("participant A <<s>>x", "SYNTAX_ERROR", 20),
    ("participant A [[x]] order 3", "SYNTAX_ERROR", 21),
])
def test_what_plantuml_refuses_after_a_participant_is_refused_at_its_column(spec, code, column):
    """Found by the fuzz campaign ("seen and left" last session): the reader looked for a colour,
    an order and a stereotype anywhere after the name, so it took a colour with ``;line:`` parts and
    words PlantUML refuses (its CommandParticipant: stereotype, order, link, colour, end of line)."""
    text = f"@startuml\n{spec}\nA -> B : hi\n@enduml\n"
    assert oracle().check(text)[0] == "ERROR"
    _, diagnostics = read(text)
    assert [(d.code, d.line, d.column) for d in errors(diagnostics)] == [(code, 2, column)]


@pytest.mark.parametrize("body", ["  ArrowColor", "  sequence {\n    ArrowColor\n  }", "  ArrowColor red\n  Shadowing",
                                  "  ArrowColor:red"])
@pytest.mark.parametrize("diagram", ["start\n:x;\nstop", "A -> B : hi", "(*) --> \"A\"\n\"A\" --> (*)"])
def test_a_setting_without_a_value_in_a_skinparam_block_is_refused(body, diagram):
    """Found by the fuzz campaign ("seen and left" last session): PlantUML refuses the diagram at
    the block's first line; the reader kept the block as it was."""
    refused(f"@startuml\nskinparam {{\n{body}\n}}\n{diagram}\n@enduml\n", "SYNTAX_ERROR", 2)


@pytest.mark.parametrize("body", ["  ArrowColor red", "  sequence {\n    ArrowColor red\n  }", "  ' a comment", "",
                                  "  x y z", "  !if 1\n  ArrowColor red\n  !endif"])
def test_a_skinparam_block_of_settings_with_values_is_taken(body):
    accepted(f"@startuml\nskinparam sequence {{\n{body}\n}}\nA -> B : hi\n@enduml\n")


def test_the_writer_leaves_out_a_setting_without_a_value_from_a_kept_skinparam_block():
    from converters.model import Diagram, Lane, Node, NodeKind
    from converters.plantuml import write
    model = Diagram(direction="TB", lanes=[Lane("L")], nodes=[Node("a", "L", NodeKind.TASK, "a")],
                    attributes={"plantuml.preamble": "skinparam {\n  Shadowing\n  !if 1\n  ArrowColor red\n  !endif\n}\n"
                                                       "legend\n  x\nendlegend"})
    out, diagnostics = write(model, {"diagram": "activity"})
    assert oracle().check(out)[0] == "ACTIVITY", out
    assert "!if 1\n  ArrowColor red\n  !endif" in out and "Shadowing" not in out and "legend\n  x\nendlegend" in out
    assert [d.code for d in diagnostics if d.element == "diagram"] == ["DROPPED_ATTRIBUTE"]
    assert not errors(read(out)[1])


def test_order_inside_a_stereotype_is_no_order():
    """``<<order 5>>`` is a stereotype, not an order: PlantUML draws the same whatever the number in
    it (3 or 7 against B's order 6); the reader took the order from inside the stereotype."""
    import re

    from tests.oracles.plantuml_oracle import render_svg

    def drawn(number: int) -> list[str]:
        svg = render_svg(f"@startuml\nparticipant A <<order {number}>>\nparticipant B order 6\nA -> B : hi\n@enduml\n")
        return re.findall(r">([AB])<", svg)

    assert drawn(3) == drawn(7)
    diagram, _ = accepted("@startuml\nparticipant A <<order 7>>\nparticipant B order 6\nA -> B : hi\n@enduml\n")
    assert [lane.id for lane in diagram.lanes] == ["A", "B"]  # A has no order (0), B has 6: A comes first
    assert diagram.lanes[0].attributes == {"plantuml.stereotype": "order 7"}
