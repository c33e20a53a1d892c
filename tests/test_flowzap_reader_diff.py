"""The FlowZap reader decodes the lines in canonical form with one ``findall`` over the whole text
(``_CANONICAL``) where it matched each line alone: on any text it must give exactly what the
reader it replaced gives (tests/flowzap_reader_reference.py): the same model, with the same lines
and columns on every element, and the same diagnostics. It also checks that the canonical lines
are decoded at once (the fast path is taken) and that ``_CANONICAL`` gives one match per line."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converters.flowzap import reader
from tests import flowzap_reader_reference as reference
from tests.strategies import hostile_texts, texts

TESTS = Path(__file__).parent
FILES = sorted(TESTS.rglob("*.fz"))


def dump(read, text: str):
    diagram, diagnostics = read(text)

    def where(element):  # line and column are left out of the elements' equality
        return element.line, element.column

    return (
        (diagram.title, diagram.direction, diagram.attributes),
        [(lane, where(lane)) for lane in diagram.lanes],
        [(node, where(node)) for node in diagram.nodes],
        [(edge, where(edge)) for edge in diagram.edges],
        [(group, where(group)) for group in diagram.groups],
        [(d.code, d.severity, d.message, d.line, d.column, d.element, d.elements) for d in diagnostics],
    )


def assert_same(text: str) -> None:
    assert dump(reader.read, text) == dump(reference.read, text)


def test_there_are_files_to_compare():
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(TESTS)))
def test_same_result_on_every_file_of_the_tests(path):
    text = path.read_text(encoding="utf-8")
    assert_same(text)
    # and with the lines indented, CRLF line ends, no final newline, a blank line on top
    assert_same("\n".join("  \t" + line for line in text.split("\n")))
    assert_same(text.replace("\n", "\r\n"))
    assert_same(text.rstrip("\n"))
    assert_same("\n" + text)


def test_every_line_of_the_reference_is_decoded_at_once(monkeypatch):
    text = (TESTS / "data" / "flowzap" / "00_seed_auth_flow.fz").read_text(encoding="utf-8")
    decoded = [m for m in reader._CANONICAL.findall(text) if m[0]]
    assert len(decoded) == 44  # 3 lanes, 19 nodes and 22 edges: every one of them
    long_way = []
    monkeypatch.setattr(reader._Reader, "statement", lambda self, source, line: long_way.append(source))
    reader.read(text)
    assert long_way == [""]  # the empty line after the last newline; the closing braces are taken at once too


# Usual lines and their near misses: spacing, tabs, a lane prefix on either end, upper case,
# misspelt sides and shapes, escapes and extra attributes, duplicates, unknown nodes, CR,
# statements outside the lanes, late labels, loops.
LINES = [
    "A { # Lane A", "B { # Lane B", "A {", "B {", "# late label", "}", "", "   ", "// note", "\t",
    'n1: circle label:"Start"', 'n2: rectangle label:"Step"', "n3: diamond", 'n4: taskbox label:""',
    '\tn5:rectangle\tlabel:"Tabbed"  ', 'n1: circle label:"again"', 'n6: Circle label:"x"', 'n7: rect label:"x"',
    'n8: rectangle label:"a \\" quote"', 'n9: rectangle label:"x" owner:"me"', 'n10: rectangle label:x',
    'n11: rectangle  label:"two spaces"', 'n12: rectangle label:"x"y', 'n13 : diamond label:"spaced"',
    "n1.handle(right) -> n2.handle(left)", 'n2.handle(bottom) -> B.n3.handle(top) [label="Yes"]',
    "n2.handle(right)->n4.handle(left)", '  n3.handle(top) -> A.n1.handle(left)  [label="back"] ',
    "A.n1.handle(right) -> n2.handle(left)", "n1.handle(Right) -> n2.handle(left)", "n1.handle(rite) -> n2.handle(left)",
    "n1 -> n2", "n1.handle(right) -> n99.handle(left)", 'n1.handle(right) -> n2.handle(left) [label:"legacy"]',
    'n1.handle(right) -> n2.handle(left) [label="a", color="red"]', "n1.handle (right) -> n2.handle(left)",
    'n1.handle(right) -> n2.handle(left) [label=""]', 'n1.handle(right) -> B.n2.handle(left) [label="x"] ',
    "n1.handle(right) -> A.n2.handle(left)", "n3.handle(right) -> B.n1.handle(left)", "n3.handle(right) -> n1.handle(left)",
    "handle.handle(right) -> n2.handle(left)", "n2.handle(right) -> A.handle.handle(left)", 'handle: circle label:"h"',
    "loop [again] n1 n2", "loop [x] A.n1 n3", "n1.handle(right) -> n2.handle(left) -> n3.handle(left)", "n1: circle\r",
    "n\u00e91: circle", "\u00a0n1: circle", "n1: circle\u00a0", "n1.handle(right) -> n2.handle(left)\r", "{", "} }",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(LINES) | hostile_texts, max_size=16).map("\n".join))
def test_same_result_on_random_line_mixes(text):
    assert_same(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=12), st.lists(texts, max_size=4))
def test_same_result_with_hostile_text_inside_lines(lines, insertions):
    text = "\n".join(lines)
    for index, insertion in enumerate(insertions):  # hostile text cut into lines at spread places
        at = (index * 7919) % (len(text) + 1)
        text = text[:at] + insertion + text[at:]
    assert_same(text)


@settings(max_examples=500, deadline=None)
@given(hostile_texts)
def test_canonical_gives_one_match_per_line(text):
    lines = text.split("\n")
    matches = reader._CANONICAL.findall(text)
    # one more, empty, when the text does not end with a newline
    assert len(matches) == len(lines) + (0 if text == "" or text.endswith("\n") else 1)
    assert all(not any(m) for m in matches[len(lines):])
    assert [m[-1] for m in matches[:len(lines)] if not m[0]] == [line for line, m in zip(lines, matches) if not m[0]]
