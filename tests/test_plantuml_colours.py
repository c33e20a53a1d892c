"""Colours in PlantUML activities, as PlantUML 1.2026.8 draws them (converters/plantuml/colours.py).

PlantUML 1.2026.8 colours an action only by a stereotype after its ``;`` (``:b; <<#red>>``); the
old ``#red:b;`` prefix is ignored there and opens an action that runs to the next line ending in
``;`` (refused when none follows: before ``stop``, ``endif``, a note …). Unknown colours make it
refuse the whole diagram ("No such color")."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings

from converters.model import Diagram, Edge, Lane, Node, NodeKind
from converters.plantuml import read, write
from tests.conftest import require_tool
from tests.oracles.plantuml_oracle import available, render_svg
from tests.plantuml_views import written_graph
from tests.strategies import coloured_models
from tests.test_plantuml import errors, oracle  # one oracle check and error filter for the PlantUML tests

# Every block end the activity writer emits (and the others PlantUML has), with what opens it.
BLOCK_ENDS = [
    ("", "stop"), ("", "end"), ("", "kill"), ("", "detach"), ("", ""), ("", "(A)"), ("", "-> x;\nstop"),
    ("", "note right: n"), ("", "floating note left: n"), ("if (x) then", "endif"),
    ("if (x) then", "else\n:c;\nendif"), ("if (x) then", "elseif (y) then\n:c;\nendif"),
    ("while (x)", "endwhile"), ("repeat", "repeat while (x)"), ("repeat", "backward:c;\nrepeat while (x)"),
    ("fork", "fork again\n:c;\nend fork"), ("fork\n:c;\nfork again", "end fork"),
    ("fork\n:c;\nfork again", "end merge"), ("split\n:c;\nsplit again", "end split"),
    ("partition P {", "}"), ("group G", "end group"), ("|A|", "|B|\n:c;"),
    ("switch (x)\ncase (1)", "case (2)\n:c;\nendswitch"), ("switch (x)\ncase (1)", "endswitch"),
]


def codes(diagnostics):
    return [d.code for d in diagnostics]


@pytest.mark.parametrize(("opening", "closing"), BLOCK_ENDS)
@pytest.mark.parametrize("action", [":b; <<#red>>", ":b; <<procedure>> <<#red>>", ":b; <<#red;line:blue>>"])
def test_the_written_colour_is_accepted_before_every_block_end(opening, closing, action):
    text = f"@startuml\n{opening}\n:a;\n{action}\n{closing}\n@enduml\n"
    assert oracle().check(text)[0] == "ACTIVITY", text
    diagram, diagnostics = read(text)
    assert not errors(diagnostics), errors(diagnostics)
    coloured = [(n.label, n.attributes.get("plantuml.color")) for n in diagram.nodes if n.label == "b"]
    assert coloured == [("b", action.rsplit("<<", 1)[1][:-2])]


@pytest.mark.parametrize(("opening", "closing"), [("", "stop"), ("if (x) then", "endif"), ("", "note right: n"),
                                                   ("fork\n:c;\nfork again", "end fork"), ("", "")])
def test_the_old_colour_prefix_is_refused_before_a_block_end_and_reported(opening, closing):
    """What the writer used to write: PlantUML 1.2026.8 refuses it at the coloured line. The reader
    still reads the action as coloured (what the author meant, and what older PlantUML drew), with
    a warning at that line."""
    text = f"@startuml\n{opening}\n:a;\n#red:b;\n{closing}\n@enduml\n"
    verdict = oracle().check(text)
    assert verdict[0] == "ERROR" and verdict[1].startswith(f"{4 + opening.count(chr(10))}:"), verdict
    diagram, diagnostics = read(text)
    warning = [d for d in diagnostics if d.code == "PLANTUML_DEPRECATED_COLOR"]
    assert [(d.line, d.column) for d in warning] == [(4 + opening.count("\n"), 1)]
    assert [n.attributes.get("plantuml.color") for n in diagram.nodes if n.label == "b"] == ["#red"]


def _model(colour: str) -> Diagram:
    d = Diagram(lanes=[Lane("L")])
    d.nodes += [Node("s", "L", NodeKind.START, None), Node("a", "L", NodeKind.TASK, "a"),
                Node("b", "L", NodeKind.TASK, "b", attributes={"plantuml.color": colour}),
                Node("c", "L", NodeKind.TASK, "c"), Node("e", "L", NodeKind.END, None)]
    d.edges += [Edge("s", "a"), Edge("a", "b"), Edge("b", "c"), Edge("c", "e")]
    return d


def test_plantuml_draws_the_written_colour_on_its_own_box():
    """Rendered: the coloured action is red and a box of its own (the old prefix drew no colour and
    one box "b;\\n:c" for the coloured action and the next one)."""
    require_tool("PlantUML 1.2026.8", available(), "bash tests/oracles/plantuml/install.sh")
    out, diagnostics = write(_model("#red"), {"diagram": "activity"})
    assert "DROPPED_ATTRIBUTE" not in codes(diagnostics)
    svg = render_svg(out)
    assert re.findall(r"<text[^>]*>([^<]*)</text>", svg) == ["a", "b", "c"], svg
    assert 'fill="#F00"' in svg
    old = out.replace(":b; <<#red>>", "#red:b;")
    assert old != out
    svg = render_svg(old)
    assert 'fill="#F00"' not in svg and "b;" in re.findall(r"<text[^>]*>([^<]*)</text>", svg)


@pytest.mark.parametrize("colour", ["#zzz", "#abcd", "#red/zzz", "#red;foo", "red", "#red>>", "#", "##red"])
def test_a_colour_plantuml_would_refuse_is_not_written_and_is_reported(colour):
    out, diagnostics = write(_model(colour), {"diagram": "activity"})
    assert oracle().check(out)[0] == "ACTIVITY", out
    assert "<<#" not in out
    assert [d.element for d in diagnostics if d.code == "DROPPED_ATTRIBUTE"] == ["b"]
    lane = Diagram(lanes=[Lane("L", "Lane", {"plantuml.color": colour})], nodes=[Node("a", "L", NodeKind.TASK, "a")])
    out, diagnostics = write(lane, {"diagram": "activity"})
    assert oracle().check(out)[0] == "ACTIVITY", out
    assert [d.element for d in diagnostics if d.code == "DROPPED_ATTRIBUTE"] == ["L"]


@pytest.mark.parametrize("statement", [":b; <<#zzz>>", ":b; <<#abcd>>", ":b; <<#red/zzz>>", ":b; <<#red;foo>>",
                                       ":b; <<#red/blue/green>>", "|#zzz|A|\n:b;", "partition #zzz P {\n:b;\n}",
                                       "group #zzz G\n:b;\nend group", "card #zzz P {\n:b;\n}"])
def test_an_unknown_colour_is_refused_where_plantuml_refuses_it(statement):
    text = f"@startuml\n{statement}\n:a;\n@enduml\n"
    verdict = oracle().check(text)
    assert verdict[0] == "ERROR" and "No such color" in verdict[1], verdict
    _, diagnostics = read(text)
    assert [(d.code, d.line) for d in errors(diagnostics)] == [("PLANTUML_NO_SUCH_COLOR", 2)]


@pytest.mark.parametrize("statement", [":b; <<#red;line:zzz>>", ":b; <<#red;line.foo>>", ":b; <<#red;>>",
                                       ":b; <<#Red>>", ":b; <<#1>>", ":b; <<#aabbccdd>>", ":b; <<#red|blue>>",
                                       ":b; <<#red\\blue>>", ":b; <<#transparent>>", "|#red/blue|A|\n:b;"])
def test_colours_plantuml_takes_are_read(statement):
    text = f"@startuml\n{statement}\n:a;\n@enduml\n"
    assert oracle().check(text)[0] == "ACTIVITY"
    diagram, diagnostics = read(text)
    assert not errors(diagnostics), errors(diagnostics)
    assert sum("plantuml.color" in e.attributes for e in [*diagram.nodes, *diagram.lanes]) == 1


def test_several_stereotypes_shape_by_the_first_known_colour_by_the_last():
    """``<<foo>> <<procedure>>`` draws a procedure box; ``<<#red>> <<#blue>>`` a blue one."""
    text = "@startuml\n:b; <<foo>> <<procedure>> <<#red>> <<#blue>>\n@enduml\n"
    assert oracle().check(text)[0] == "ACTIVITY"
    diagram, diagnostics = read(text)
    (node,) = diagram.nodes
    assert (node.kind, node.attributes.get("plantuml.color")) == (NodeKind.SUBPROCESS, "#blue")
    assert [d.code for d in diagnostics] == ["IGNORED_STATEMENT"]


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(coloured_models())
def test_coloured_models_read_back_with_their_colours(model):
    text, diagnostics = write(model, {"diagram": "activity", "extras": "report"})
    back, read_diagnostics = read(text)
    assert not errors(read_diagnostics), (text, errors(read_diagnostics))
    assert written_graph(back) == written_graph(model), text
    dropped = {d.message for d in diagnostics if d.code == "DROPPED_ATTRIBUTE" and "plantuml.color" in d.message}
    colours = sorted(n.attributes["plantuml.color"] for n in back.nodes if "plantuml.color" in n.attributes)
    kept = sorted(n.attributes["plantuml.color"] for n in model.nodes if "plantuml.color" in n.attributes
                  and not any(message.startswith(f"node {n.id!r}:") for message in dropped))
    assert colours == kept, text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(coloured_models(max_nodes=8))
def test_plantuml_accepts_every_coloured_activity_written(model):
    judge = oracle()
    for extras in ("report", "comments"):
        text, _ = write(model, {"diagram": "activity", "extras": extras})
        verdict = judge.check(text)
        assert verdict == ("ACTIVITY", "activity3") or (not model.nodes and verdict[0] in ("OTHER", "ACTIVITY")), \
            (verdict, text)


# -- sequence diagrams: the same colours, the same refusal ------------------------------------------
@pytest.mark.parametrize("text", ["participant A #zzz\nA -> B", 'box "b" #zzz\nparticipant A\nend box\nA -> B',
                                  "A -> B #zzz", "alt #zzz c\nA -> B\nend", "alt c\nA -> B\nelse #zzz d\nA -> B\nend"])
def test_an_unknown_colour_in_a_sequence_is_refused_where_plantuml_refuses_it(text):
    text = f"@startuml\n{text}\n@enduml\n"
    verdict = oracle().check(text)
    assert verdict[0] == "ERROR" and "No such color" in verdict[1], verdict
    line = int(verdict[1].split(":", 1)[0])
    _, diagnostics = read(text)
    assert [(d.code, d.line) for d in errors(diagnostics)] == [("PLANTUML_NO_SUCH_COLOR", line)]


@pytest.mark.parametrize("text", ["participant A #red/blue\nA -> B", 'box "b" #LightBlue\nparticipant A\nend box\nA -> B',
                                  "A -> B ++ #red", "alt #Gold c\nA -> B\nelse #Pink d\nA -> B\nend"])
def test_known_colours_in_a_sequence_are_read(text):
    text = f"@startuml\n{text}\n@enduml\n"
    assert oracle().check(text)[0] == "SEQUENCE"
    _, diagnostics = read(text)
    assert not errors(diagnostics)


@pytest.mark.parametrize("colour", ["#zzz", "#abcd", "#red/zzz"])
def test_the_sequence_writer_writes_only_colours_plantuml_knows(colour):
    model = Diagram(lanes=[Lane("A", None, {"plantuml.color": colour}), Lane("B")],
                    nodes=[Node("a", "A", NodeKind.TASK, "a"), Node("b", "B", NodeKind.TASK, "b")],
                    edges=[Edge("a", "b", "m", attributes={"plantuml.markers": colour})])
    out, diagnostics = write(model, {"diagram": "sequence"})
    assert oracle().check(out)[0] == "SEQUENCE", out
    assert colour not in out
    assert {d.code for d in diagnostics} >= {"DROPPED_ATTRIBUTE"}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(coloured_models(max_nodes=8))
def test_plantuml_accepts_every_coloured_sequence_written(model):
    text, _ = write(model, {"diagram": "sequence", "extras": "report"})
    verdict = oracle().check(text)
    assert verdict[0] in ("SEQUENCE", "OTHER"), (verdict, text)
    _, diagnostics = read(text)
    assert not errors(diagnostics), (text, errors(diagnostics))


@pytest.mark.parametrize("text", ["|#1|A|\n:a;", "|#a|A| T\n:a;", "participant A #1\nA -> B",
                                  'box "b" #1\nparticipant A\nend box\nA -> B'])
def test_a_one_character_colour_is_refused_on_a_lane_or_a_box(text):
    """PlantUML's swimlane, participant and box colours take two characters at least (``#1`` there is
    a "Syntax Error?"; ``<<#1>>`` on an action and ``A -> B #1`` are drawn)."""
    text = f"@startuml\n{text}\n@enduml\n"
    assert oracle().check(text)[0] == "ERROR"
    _, diagnostics = read(text)
    assert [(d.code, d.line) for d in errors(diagnostics)] == [("PLANTUML_NO_SUCH_COLOR", 2)]
