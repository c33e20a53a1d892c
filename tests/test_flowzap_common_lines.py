"""The FlowZap reader's one-match path for usual node and edge lines (``_COMMON_LINE``) gives
exactly what the scanner and the statement handlers give: the same model, with the same lines
and columns on every element, and the same diagnostics."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converters.flowzap import reader
from tests.strategies import hostile_texts

DATA = Path(__file__).parent / "data" / "flowzap"
CORPUS = sorted([*DATA.glob("*.fz"), *(Path(__file__).parent / "corpus" / "flowzap").glob("*.fz")])


def _dump(text: str):
    diagram, diagnostics = reader.read(text)

    def where(element):  # line and column are left out of the elements' equality
        return element.line, element.column

    return (
        [(lane, where(lane)) for lane in diagram.lanes],
        [(node, where(node)) for node in diagram.nodes],
        [(edge, where(edge)) for edge in diagram.edges],
        [(group, where(group)) for group in diagram.groups],
        [(d.code, d.severity, d.message, d.line, d.column, d.element) for d in diagnostics],
    )


def _without_common_lines(text: str, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(reader, "_COMMON_LINE", reader.re.compile(r"(?!)"))  # matches nothing
        return _dump(text)


def test_the_common_path_is_taken_on_the_reference_example(monkeypatch):
    text = (DATA / "00_seed_auth_flow.fz").read_text(encoding="utf-8")
    common = reader._COMMON_LINE
    matched = sum(1 for line in text.split("\n") if common.match(line))
    assert matched == 41  # 19 nodes and 22 edges: every one of them
    assert _dump(text) == _without_common_lines(text, monkeypatch)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_same_result_on_every_file(path, monkeypatch):
    text = path.read_text(encoding="utf-8")
    assert _dump(text) == _without_common_lines(text, monkeypatch)


# Usual lines and their near misses: spacing, tabs, a lane prefix on either end, upper case,
# misspelt sides and shapes, escapes and extra attributes, duplicates, unknown nodes, CR.
LINES = [
    "A { # Lane A", "B { # Lane B", "A {", "# late label", "}", "", "   ", "// note",
    'n1: circle label:"Start"', 'n2: rectangle label:"Step"', "n3: diamond", 'n4: taskbox label:""',
    '\tn5:rectangle\tlabel:"Tabbed"  ', 'n1: circle label:"again"', 'n6: Circle label:"x"', 'n7: rect label:"x"',
    'n8: rectangle label:"a \\" quote"', 'n9: rectangle label:"x" owner:"me"', 'n10: rectangle label:x',
    "n1.handle(right) -> n2.handle(left)", 'n2.handle(bottom) -> B.n3.handle(top) [label="Yes"]',
    "n2.handle(right)->n4.handle(left)", '  n3.handle(top) -> A.n1.handle(left)  [label="back"] ',
    "A.n1.handle(right) -> n2.handle(left)", "n1.handle(Right) -> n2.handle(left)", "n1.handle(rite) -> n2.handle(left)",
    "n1 -> n2", "n1.handle(right) -> n99.handle(left)", 'n1.handle(right) -> n2.handle(left) [label:"legacy"]',
    'n1.handle(right) -> n2.handle(left) [label="a", color="red"]', "n1.handle (right) -> n2.handle(left)",
    "handle.handle(right) -> n2.handle(left)", "n2.handle(right) -> A.handle.handle(left)", 'handle: circle label:"h"',
    "loop [again] n1 n2", "n1.handle(right) -> n2.handle(left) -> n3.handle(left)", "n1: circle\r", "n\u00e91: circle",
    "\u00a0n1: circle", "n1: circle\u00a0",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LINES) | hostile_texts, max_size=14).map("\n".join))
def test_same_result_on_random_line_mixes(text):
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _dump(text) == _without_common_lines(text, monkeypatch)
