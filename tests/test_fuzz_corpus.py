"""Mutation fuzzing seeded by each reader's own real files (issue 8 and 10): a file of the format's
corpus (``tests/corpus``, plus the goldens and test data, which are YAML's only files), cut,
spliced and sprinkled with the tokens its syntax gives meaning to, is given to that format's
reader. The reader either refuses it with the library's own error, naming lines and columns that
exist, or reads it; and what it reads is then written by every writer, whose output must read
back without error (writer closure on what real, damaged files produce, not only on generated
models).

Examples per format: ``FUZZ_EXAMPLES`` (200 by default).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converters import FlowzapError, InputError, read_with_diagnostics, write_with_diagnostics
from converters.registry import all_formats, format_for_filename
from tests.conftest import IN_CI
from tests.test_closure import REFUSALS

TESTS = Path(__file__).parent
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
SEED_MAX_BYTES = 16_000  # larger files cost time per example without adding syntax

READERS = [f.name for f in all_formats() if f.can_read]
WRITERS = [f.name for f in all_formats() if f.can_write]

# What a mutation inserts: the punctuation and the words the formats give meaning to, the
# characters that need escaping, and text the library must refuse or replace.
TOKENS = list('{}[]()<>":;,.#/|-=\n\t \\&%@*') + [
    "->", "-->", "==>", "-.->", "end", "loop", "subgraph", "alt", "else", "participant", "note", "if", "then",
    "endif", "while", "fork", "@startuml", "@enduml", "%%", "%%{init", "#lt;", "#35;", "&#13;", "&#x0;", "&amp;",
    "<b>", "<br/>", "<![CDATA[", "]]>", "<!--", "xmlns=", "id=", "sourceRef=", "- ", ": ", "? ", "&a", "*a",
    "\x00", "\x1b", "\x85", "\ufeff", "\ufffe", "é", "🙂",
]


def seeds(fmt: str) -> list[str]:
    found = []
    for folder in (TESTS / "corpus", TESTS / "goldens", TESTS / "data"):
        for path in sorted(folder.rglob("*")):
            known = format_for_filename(path.name) if path.is_file() else None
            if known is not None and known.name == fmt and path.stat().st_size <= SEED_MAX_BYTES:
                found.append(path.read_text(encoding="utf-8", errors="replace"))
    return found


@st.composite
def mutated(draw, texts: list[str]) -> str:
    text = draw(st.sampled_from(texts))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate", "splice"]))
        if action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif action == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif action == "duplicate":
            text = text[:at] + text[max(0, at - draw(st.integers(1, 80))):at] + text[at:]
        else:  # a piece of another file of the same format
            other = draw(st.sampled_from(texts))
            start = draw(st.integers(0, len(other)))
            text = text[:at] + other[start:start + draw(st.integers(1, 200))] + text[at:]
    return text


def check(text: str, fmt: str) -> None:
    lines = text.count("\n") + 2
    try:
        model = read_with_diagnostics(text, fmt).diagram
    except FlowzapError as error:
        assert isinstance(error, InputError), f"{fmt} reader: {type(error).__name__}: {error}"
        for diagnostic in error.diagnostics:
            assert diagnostic.line is None or 1 <= diagnostic.line <= lines, diagnostic
            assert diagnostic.column is None or diagnostic.column >= 1, diagnostic
        return
    for target in WRITERS:
        try:
            output, _ = write_with_diagnostics(model, target)
        except InputError as error:
            assert error.code in REFUSALS.get(target, set()), f"{fmt} -> {target}: the writer refused: {error}"
            continue
        if target in READERS:
            try:
                read_with_diagnostics(output, target)
            except InputError as error:
                raise AssertionError(f"{fmt} -> {target}: the output does not read back: {error}\n"
                                     f"--- input ---\n{text}\n--- output ---\n{output}") from None


@pytest.mark.parametrize("fmt", READERS)
def test_mutated_real_files_are_refused_cleanly_or_written_readably_everywhere(fmt):
    texts = seeds(fmt)
    assert texts, f"no file of {fmt} in tests/corpus, tests/goldens or tests/data"

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not IN_CI,  # CI explores; a developer's run repeats
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutated(texts))
    def fuzz(text):
        check(text, fmt)

    fuzz()


@pytest.mark.parametrize("fmt", READERS)
@pytest.mark.parametrize("text", ["", "  \n\n", "\ufeff"])
def test_an_empty_text_is_refused_at_line_one(fmt, text):
    """Found by scripts/fuzz_campaign.py: the BPMN and PlantUML readers refused an empty text with
    no line (BPMN) or no line but a column (PlantUML); every other reader says 1:1."""
    with pytest.raises(InputError) as caught:
        read_with_diagnostics(text, fmt)
    assert [(e.code, e.line, e.column) for e in caught.value.errors] == [("EMPTY_DIAGRAM", 1, 1)]
