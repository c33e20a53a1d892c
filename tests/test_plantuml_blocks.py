"""Settings blocks (``skinparam … {``, ``<style>``, ``legend``) in every PlantUML syntax: braces
nest as PlantUML counts them, a block never closed is refused as PlantUML refuses it, and the
writer's output of a kept block reads back (found by tests/test_fuzz_corpus.py)."""
from __future__ import annotations

import pytest

from converters.diagnostics import Severity
from converters.plantuml import read, write
from tests.test_plantuml import oracle

NESTED = "skinparam {\n  activity {\n    BackgroundColor red\n  }\n}\n"
BODIES = {
    "activity": "start\n:A;\nstop\n",
    "legacy": '(*) --> "A"\n--> (*)\n',
    "sequence": "A -> B : hi\n",
}


def test_the_old_syntax_keeps_legend_blocks_as_plantuml_does():
    text = '@startuml\nlegend\n  a legend\nendlegend\n(*) --> "A"\n--> (*)\n@enduml\n'
    assert oracle().check(text)[0] == "ACTIVITY"
    diagram, diagnostics = read(text)
    assert not errors(diagnostics) and diagram.attributes["plantuml.preamble"] == "legend\na legend\nendlegend"


def errors(diagnostics):
    return [d for d in diagnostics if d.severity is Severity.ERROR]


@pytest.mark.parametrize("syntax", BODIES)
def test_nested_braces_are_one_block_for_plantuml_and_for_us(syntax):
    text = "@startuml\n" + NESTED + BODIES[syntax] + "@enduml\n"
    assert oracle().check(text)[0] != "ERROR"
    diagram, diagnostics = read(text)
    assert not errors(diagnostics)
    assert diagram.attributes["plantuml.preamble"].split("\n")[-1] == "}"  # both braces kept in the block
    output, _ = write(diagram, {"extras": "report"})
    assert not errors(read(output)[1]), output
    assert oracle().check(output)[0] != "ERROR", output


@pytest.mark.parametrize("syntax", BODIES)
@pytest.mark.parametrize("opening", ["skinparam activity {\n  BackgroundColor red\n", "skinparam {\n  a {\n  }\n",
                                     "legend\n  a legend\n"])
def test_a_block_never_closed_is_refused_at_its_first_line(syntax, opening):
    text = "@startuml\n" + opening + BODIES[syntax] + "@enduml\n"
    assert oracle().check(text)[0] == "ERROR"
    found = errors(read(text)[1])
    assert found and found[0].line == 2 and "never closed" in found[0].message, found
