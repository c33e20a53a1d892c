"""Writer closure for Mermaid (issue 8): for any model (``tests/strategies.py`` ``any_models``, hostile
text in every field), each writer form — flowchart, swimlane, sequence — writes text that our
reader reads back without error, and the model read back is the one written up to what the writer
reported: ``tests/model_diff.py`` names each difference and the writer's diagnostics must name its
element. Plus the injections the fuzzing probe found: a classDef value with a line break, an
unterminated ``%%{init``."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from converters import read_with_diagnostics, write_with_diagnostics
from converters.model import Diagram, Edge, Lane, Node
from tests.loss_names import named
from tests.model_diff import differences, unexplained
from tests.strategies import any_models

EXAMPLES = int(os.environ.get("CLOSURE_EXAMPLES", "300"))
CLOSURE = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                   phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink))


def _read_back(text: str) -> Diagram:
    result = read_with_diagnostics(text, "mermaid")  # raises InputError on any error: the closure fails
    return result.diagram


def _check(diagram: Diagram, kind: str) -> None:
    """Written in ``kind``, read back: every difference (``tests/model_diff.py``: ids, lanes,
    labels, kinds, edges and their ends, groups and their members, attributes) is named by one of
    the writer's diagnostics."""
    text, diagnostics = write_with_diagnostics(diagram, "mermaid", {"diagram": kind})
    back = _read_back(text)
    missing = unexplained(differences(diagram, back, "mermaid"), diagnostics)
    assert not missing, "differences no diagnostic names:\n" + "\n".join(map(str, missing)) + f"\n--- output ---\n{text}"


@CLOSURE
@given(any_models())
def test_flowchart_output_reads_back_with_the_same_graph(diagram):
    _check(diagram, "flowchart")


@CLOSURE
@given(any_models())
def test_swimlane_output_reads_back_with_the_same_graph(diagram):
    _check(diagram, "swimlane")


@CLOSURE
@given(any_models())
def test_sequence_output_reads_back_with_the_same_messages(diagram):
    _check(diagram, "sequence")


@CLOSURE
@given(any_models())
def test_a_model_read_as_a_sequence_reads_back_with_the_same_messages(diagram):
    # the sequence form of a model that says it is one (FlowZap's sequence view, a foreign sequence)
    diagram.attributes["diagram"] = "sequence"
    _check(diagram, "auto")


# -- injections ------------------------------------------------------------------------------------
def test_a_classdef_or_style_with_a_line_break_injects_nothing_and_is_reported():
    model = Diagram(lanes=[Lane("A")], nodes=[Node("a", "A", attributes={"mermaid.style": "fill:#f00\nclick a call x()",
                                                                          "mermaid.class": "ok bad\nclass"})])
    model.attributes["mermaid.classDef.hot"] = "fill:#f00\n  a --> b"
    model.attributes["mermaid.linkStyle.default"] = "stroke:red;x"
    text, losses = write_with_diagnostics(model, "mermaid")
    back = _read_back(text)
    assert [n.id for n in back.nodes] == ["a"] and back.edges == []
    assert "click" not in text and "a --> b" not in text
    dropped = {d.message.split(": ")[1].split(" ")[0] for d in losses if d.code == "DROPPED_ATTRIBUTE"}
    assert {"mermaid.style", "mermaid.class", "mermaid.classDef.hot", "mermaid.linkStyle.default"} <= dropped


def test_an_unterminated_init_directive_is_not_copied():
    model = Diagram(lanes=[Lane("A")], nodes=[Node("a", "A")], attributes={"mermaid.init": "%%{init: {'theme':"})
    for kind in ("flowchart", "swimlane", "sequence"):
        text, losses = write_with_diagnostics(model, "mermaid", {"diagram": kind})
        _read_back(text)
        assert "%%{" not in text and "diagram" in named(losses) and any("%%{init}%%" in d.message for d in losses)


def test_html_in_a_label_is_shown_as_text_and_read_back_as_written():
    model = Diagram(lanes=[Lane("A", "<i>lane</i>")], nodes=[Node("a", "A", label="<b>bold</b> & a<b"),
                                                             Node("b", "A", label="x")],
                    edges=[Edge("a", "b", "<script>1</script>")])
    for kind in ("flowchart", "swimlane", "sequence"):
        text, _ = write_with_diagnostics(model, "mermaid", {"diagram": kind})
        assert "<b>" not in text and "<script>" not in text and "<i>" not in text, text
    back = _read_back(write_with_diagnostics(model, "mermaid")[0])
    assert [n.label for n in back.nodes] == ["<b>bold</b> & a<b", "x"]
    assert back.edges[0].label == "<script>1</script>"


@pytest.mark.parametrize("label", ["a\r\nb", "a\rb", "\x01\x1b\x7f\x85", "\u2028x\u2029", "\ufffe\uffff", "", " ",
                                   "#35;", "&#13;", "%%{init: {}}%%", "end", "`x`", "\\n", '"q"'])
def test_any_label_reads_back(label):
    model = Diagram(lanes=[Lane("A", label), Lane("B", label)],
                    nodes=[Node("a", "A", label=label), Node("b", "B", label=label)],
                    edges=[Edge("a", "b", label)])
    for kind in ("flowchart", "swimlane", "sequence"):
        text, _ = write_with_diagnostics(model, "mermaid", {"diagram": kind})
        back = _read_back(text)
        assert len(back.nodes) >= 2, text
