"""The FlowZap scanner produces exactly the tokens lark's own lexer makes from the grammar."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converters.flowzap.scanner import GRAMMAR, scan

DATA = Path(__file__).parent / "data" / "flowzap"


def lark_tokens(text: str):
    return [(t.type, t.value.rstrip(), t.line, t.column) for t in GRAMMAR.lex(text)]


def our_tokens(text: str):
    return [tuple(statement) for statement in scan(text)]


@pytest.mark.parametrize("path", sorted(DATA.glob("*.fz")), ids=lambda p: p.name)
def test_same_tokens_as_lark_on_every_file(path):
    text = path.read_text(encoding="utf-8")
    assert our_tokens(text) == lark_tokens(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "A { # Lane", "}", "n1: circle label:\"x\"", "  n2: rect", "n1.handle(right) -> B.n2.handle(left) [label=\"y\"]",
    "loop [again] n1 n2", "# label", "// note", "n1 -> n2 -> n3", "garbage here", "", "   ", "\t}", "n3:diamond",
]), max_size=12).map("\n".join))
def test_same_tokens_as_lark_on_random_line_mixes(text):
    assert our_tokens(text) == lark_tokens(text)
