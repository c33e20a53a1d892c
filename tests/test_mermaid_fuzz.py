"""Fuzzing the Mermaid reader and writer from Mermaid's own corpus (issues 8 and 10): real files of
``tests/corpus/mermaid`` and ``tests/corpus/mermaid-sequence`` (mermaid's own test diagrams), cut,
spliced and sprinkled with the tokens Mermaid's lexers give meaning to. Whatever the text:

- the reader raises nothing but the library's own error, with positions inside the text;
- a model it reads is written back, in each Mermaid form, as text the reader reads again without
  error, equal to the model up to what the writer reported (``tests/model_diff.py``).

Examples: ``PROPERTY_EXAMPLES`` (default 40 on a developer's machine, 150 in CI), per property.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from converters import FlowzapError, read_with_diagnostics, write_with_diagnostics
from tests.conftest import CORPUS, IN_CI
from tests.model_diff import differences, unexplained

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "150" if IN_CI else "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not IN_CI,
                suppress_health_check=list(HealthCheck),
                phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink))

FILES = sorted([*(CORPUS / "mermaid").glob("*.mmd"), *(CORPUS / "mermaid-sequence").glob("*.mmd")])
SEEDS = [path.read_text(encoding="utf-8") for path in FILES]

# What Mermaid's flowchart and sequence lexers give meaning to, and text that broke readers before.
TOKENS = [
    "\n", "\r\n", "\r", " ", "\t", '"', "'", "`", "|", ";", ":", ",", "#", "&", "<", ">", "(", ")", "[", "]", "{",
    "}", "-->", "---", "-.->", "==>", "~~~", "--o", "--x", "<-->", "-- x -->", "@{", "@{ shape: circle }", ":::",
    "e1@", "subgraph", "subgraph A [t]", "end", "direction TB", "style A fill:#f00", "classDef c fill:#0f0",
    "class A c", "click A href \"x\"", "linkStyle 0 stroke:red", "%%", "%% c", "%%{init: {}}%%", "%%{", "}%%",
    "---\ntitle: t\n---", "accTitle: a", "accDescr {", "graph", "flowchart LR", "sequenceDiagram", "participant",
    "actor", "as", "create", "destroy", "->>", "-->>", "-x", "-)", "<<->>", "+", "-", "activate A", "deactivate A",
    "Note over A,B: n", "Note left of A: n", "loop", "alt", "else", "par", "and", "critical", "option", "break",
    "rect rgb(0,0,0)", "box Aqua t", "autonumber", "links A: {}", "#35;", "#quot;", "#1;", "#lt;b#gt;", "&#13;",
    "<br/>", "<b>", "</b>", "\x00", "\x01", "\x85", "\u2028", "\ufffe", "é", "漢字", "🙂", "A", "B", "A1", "x y",
]


@st.composite
def mutated_corpus_texts(draw) -> str:
    """A corpus file, cut, spliced with another file or itself, and with tokens inserted."""
    text = draw(st.sampled_from(SEEDS))
    return mutated(draw, text, TOKENS, 1)


def mutated(draw, text: str, tokens: list[str], least: int) -> str:
    """``text`` after ``least`` to 6 edits: cut, ``tokens`` inserted, a piece of itself repeated,
    a piece of a corpus file spliced in."""
    for _ in range(draw(st.integers(least, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "insert", "duplicate", "splice"]))
        if action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 30)):]
        elif action == "insert":
            text = text[:at] + draw(st.sampled_from(tokens)) + text[at:]
        elif action == "duplicate":
            text = text[:at] + text[max(0, at - 40):at] + text[at:]
        else:
            other = draw(st.sampled_from(SEEDS))
            start = draw(st.integers(0, len(other)))
            text = text[:at] + other[start:start + draw(st.integers(1, 80))] + text[at:]
    return text


def test_the_seeds_are_mermaids_own_files():
    assert len(FILES) > 200, FILES  # tests/corpus/mermaid (126) and mermaid-sequence (137)


def _read(text: str):
    """The model, or None when the reader rejects the text (with its own error, positioned)."""
    try:
        return read_with_diagnostics(text, "mermaid").diagram
    except FlowzapError as error:
        lines = text.count("\n") + 2
        for diagnostic in error.diagnostics:
            assert diagnostic.line is None or 1 <= diagnostic.line <= lines, diagnostic
            assert diagnostic.column is None or diagnostic.column >= 1, diagnostic
        return None


@FUZZ
@given(mutated_corpus_texts())
def test_mutated_corpus_files_are_read_or_rejected_with_the_librarys_error(text):
    _read(text)


@FUZZ
@given(mutated_corpus_texts(), st.sampled_from(["auto", "flowchart", "swimlane", "sequence"]))
def test_what_is_read_from_a_mutated_file_is_written_back_and_read_again(text, kind):
    model = _read(text)
    if model is None:
        return
    written, diagnostics = write_with_diagnostics(model, "mermaid", {"diagram": kind})
    try:
        back = read_with_diagnostics(written, "mermaid").diagram
    except FlowzapError as error:
        raise AssertionError(f"the reader refuses the writer's output: {error}\n--- input ---\n{text}\n"
                             f"--- output ---\n{written}") from None
    missing = unexplained(differences(model, back, "mermaid"), diagnostics)
    assert not missing, "differences no diagnostic names:\n" + "\n".join(map(str, missing)) + \
        f"\n--- input ---\n{text}\n--- output ---\n{written}"
