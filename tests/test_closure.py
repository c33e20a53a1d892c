"""Writer closure (issue 8), for every registered format that reads and writes — formats added
later are covered by registering them: for any model (``tests/strategies.py``: hostile text in
every field), the writer's output is read back by the same format's reader without error, and the
model read back equals the one written up to what the writer reported (``tests/model_diff.py``).

A writer may refuse a model only with the library's own error (``EMPTY_DIAGRAM`` for FlowZap,
which is made of lanes and so has no form for a diagram without one).

Examples per format: ``PROPERTY_EXAMPLES`` (default 40 on a developer's machine; 50 in CI, where
``tests/test_every_path.py`` runs 2,000 through every format and pair).
Gaps other helpers are closing are listed in ``KNOWN_GAPS`` with the reason; they still run and
must still fail (strict xfail), so that a fix shows up as a pass to remove from the list.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from converters import InputError, read_with_diagnostics, write_with_diagnostics
from converters.registry import all_formats
from tests.conftest import IN_CI
from tests.model_diff import differences, unexplained
from tests.strategies import any_models

# Per format and per pair, few: tests/test_every_path.py puts 2,000 drawn models (in CI) through every
# format and every pair at once, since drawing a model costs far more than converting it. These
# per-pair tests name the failing pair and carry its known gaps.
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "50" if IN_CI else "40"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=not IN_CI,
                    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # known gaps: no shrinking in CI
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])

FORMATS = [f.name for f in all_formats() if f.can_read and f.can_write]

# format → why its closure does not hold yet (none today; a gap found goes here with its reason).
KNOWN_GAPS: dict[str, str] = {}

REFUSALS = {"flowzap": {"EMPTY_DIAGRAM"}}


def check_closure(model, fmt: str) -> None:
    try:
        text, written = write_with_diagnostics(model, fmt)
    except InputError as error:
        assert error.code in REFUSALS.get(fmt, set()), f"{fmt} writer refused the model: {error}"
        return
    try:
        back = read_with_diagnostics(text, fmt).diagram
    except InputError as error:
        raise AssertionError(f"{fmt} reader refuses its own writer's output: {error}\n--- output ---\n{text}") from None
    missing = unexplained(differences(model, back, fmt), written)
    assert not missing, f"{fmt}: differences no diagnostic names:\n" + "\n".join(map(str, missing)) + \
        f"\n--- output ---\n{text}"


def _marks(fmt: str):
    return [pytest.mark.xfail(reason=KNOWN_GAPS[fmt], strict=False)] if fmt in KNOWN_GAPS else []


@pytest.mark.parametrize("fmt", [pytest.param(f, marks=_marks(f)) for f in FORMATS])
def test_writer_output_reads_back_equal_up_to_what_it_reported(fmt):
    @SETTINGS
    @given(any_models())
    def closure(model):
        check_closure(model, fmt)

    closure()


def test_unnamed_nodes_pair_by_their_place_even_when_an_edge_label_changed():
    """Found by tests/test_every_path.py (about 1 model in 1,000): PlantUML writes start ``0`` (it
    has incoming edges) as an action and says so, and ``1 -> 0``'s empty label reads back as none
    and it says so; the pairing of PlantUML's unnamed nodes hashed the edges' labels into each
    node's place, lost both nodes, and gave the real start's name to the action."""
    from converters.model import Diagram, Edge, Lane, Node, NodeKind

    model = Diagram(lanes=[Lane("0")],
                    nodes=[Node(node_id, "0", NodeKind.START) for node_id in ("0", "1", "00", "000", "0000")],
                    edges=[Edge("0", "0"), Edge("1", "0", label="")])
    check_closure(model, "plantuml")


def test_a_chain_pairs_by_two_steps_of_the_graph_before_one():
    """Found by tests/test_corpus_fuzz_plantuml_bpmn.py: a second ``start`` after the first is a
    start with an incoming edge, written as an action (and said so). One step of the graph could
    not tell the next action from it; two steps can."""
    from pathlib import Path

    from converters.api import read_with_diagnostics

    text = (Path(__file__).parent / "corpus" / "plantuml" / "jgraph_comprehensive.puml").read_text(encoding="utf-8")
    assert "\nstart\n" in text
    model = read_with_diagnostics(text.replace("\nstart\n", "\nstart\nstart\n", 1), "plantuml").diagram
    check_closure(model, "plantuml")


def _event_with_shape(shape: str):
    from converters.model import Diagram, Lane, Node, NodeKind

    return Diagram(lanes=[Lane("0"), Lane("1")],
                   nodes=[Node("A", "0", NodeKind.EVENT, attributes={"mermaid.shape": shape})])


@pytest.mark.parametrize("shape", ["", "bogus", "Circle", "stadium", "circle"])
def test_a_mermaid_shape_the_writer_cannot_draw_is_reported_or_carried(shape):
    """Found by CI (tests/test_every_path.py): an event whose ``mermaid.shape`` was empty was drawn
    as the kind's circle and the attribute was lost without a word, since nothing else about the
    node needed a diagnostic. The same held for a name that is no Mermaid shape and for a shape
    that would read back as another kind. Now reported (``DROPPED_ATTRIBUTE``) or, with
    ``extras=comments``, carried back in the node's comment. The kind's own shape ("circle") is
    what the reader leaves unsaid: not a loss."""
    model = _event_with_shape(shape)
    check_closure(model, "mermaid")
    text, _ = write_with_diagnostics(model, "mermaid", {"extras": "comments"})
    back = read_with_diagnostics(text, "mermaid").diagram
    assert back.nodes[0].attributes.get("mermaid.shape") == shape, text
    reported = [d for d in write_with_diagnostics(model, "mermaid")[1] if d.code == "DROPPED_ATTRIBUTE"]
    assert bool(reported) == (shape != "circle"), reported
