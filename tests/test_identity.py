"""Identity and conversion cases across formats, written with tests/identity.py: the short,
readable cases that say what each format keeps and what it reports (pandoc's command tests,
sqlglot's validate_identity / validate_all). Each format's own test files use the same helpers."""
from __future__ import annotations

import pytest

from converters.errors import LossError

from .conftest import CORPUS
from .identity import assert_converts, assert_identity

FLOWZAP = """\
User { # User
n1: circle label:"Start"
n2: rectangle label:"Say \\"hi\\""
n1.handle(right) -> n2.handle(left) [label="go"]
}
"""


@pytest.mark.parametrize("path", sorted((CORPUS / "flowzap").glob("0*.fz"))[:1], ids=lambda p: p.name)
def test_the_reference_is_its_own_canonical_form(path):
    assert_identity(path.read_text(), "flowzap")


def test_flowzap_identity_with_escapes():
    assert_identity(FLOWZAP, "flowzap")


@pytest.mark.parametrize("fmt", ["yaml", "bpmn", "mermaid"])
def test_flowzap_model_survives_each_format(fmt):
    written = assert_converts(FLOWZAP, "flowzap", fmt).content
    assert_identity(written, fmt, compare="model")


def test_mermaid_reports_edge_sides_it_cannot_draw():
    assert_converts(FLOWZAP, "flowzap", "mermaid", losses={("DROPPED_EDGE_SIDES", "n1->n2")})
    assert_converts(FLOWZAP, "flowzap", "mermaid", LossError)


def test_mermaid_identity_of_a_plain_flowchart():
    assert_identity("flowchart LR\n    A[Start] --> B{Ok?}\n    B -->|yes| C[Done]\n", "mermaid",
                    expected=None, compare="model")


def test_yaml_is_lossless():
    written = assert_converts(FLOWZAP, "flowzap", "yaml").content
    assert_converts(written, "yaml", "flowzap", FLOWZAP)
