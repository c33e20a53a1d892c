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


# header / footer / legend / title / caption: a block only when the line is the word alone (with an
# alignment before header and footer, positions after legend); ``header Page 1`` is one line
TEXT_LINES = {
    "one-line header": "header Page 1\n", "one-line footer": "footer Page %page%\n", "one-line legend": "legend L\n",
    "aligned one-line header": "left header x\n", "aligned header block": "center header\nmulti\nendheader\n",
    "legend with positions": "legend top left\nL\nendlegend\n", "footer block": "right footer\nF\nend footer\n",
    "title block": "title\nmulti title\nend title\n", "caption block": "caption\ncap\nendcaption\n",
    "header with a colon": "header: H\n", "footer with a colon": "footer:F\n", "legend with a colon": "legend: l\n",
}


@pytest.mark.parametrize("syntax", BODIES)
@pytest.mark.parametrize("lines", TEXT_LINES.values(), ids=TEXT_LINES.keys())
def test_header_footer_legend_title_and_caption_lines_are_read_as_plantuml_reads_them(syntax, lines):
    """Found by the fuzz campaign's probes (scripts/fuzz_campaign.py): ``header H`` was taken for the
    opening of a header block and the diagram refused as never closed; ``center header`` … ``endheader``
    and ``legend top left`` … ``endlegend`` were not taken for blocks at all."""
    text = "@startuml\n" + lines + BODIES[syntax] + "@enduml\n"
    assert oracle().check(text)[0] != "ERROR"
    diagram, diagnostics = read(text)
    assert not errors(diagnostics), errors(diagnostics)
    assert lines.split("\n")[0] in diagram.attributes["plantuml.preamble"]
    output, _ = write(diagram, {"extras": "report"})
    assert not errors(read(output)[1]), output
    assert oracle().check(output)[0] != "ERROR", output


@pytest.mark.parametrize("syntax", BODIES)
@pytest.mark.parametrize("line", ["title: T", "title:T", "title T", "title  T "])
def test_a_one_line_title_with_or_without_a_colon_is_the_title(syntax, line):
    """``title: T`` is PlantUML's title T in every syntax; the sequence and old-syntax readers refused it."""
    text = "@startuml\n" + line + "\n" + BODIES[syntax] + "@enduml\n"
    assert oracle().check(text)[0] != "ERROR"
    diagram, diagnostics = read(text)
    assert not errors(diagnostics) and diagram.title == "T"
