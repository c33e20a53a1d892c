"""Fuzz seeds from the readers' own corpora (issue 10; issue 8 for PlantUML and BPMN): real files
of ``tests/corpus/plantuml*`` and ``tests/corpus/bpmn*``, mutated, are read, and what reads is
written back by the same format and checked for closure (``tests/test_closure.py``: read back
without error, equal up to what the writer reported).

Mutations follow each format's grain: PlantUML is line-oriented (lines dropped, duplicated, moved,
keywords and trap text inserted); BPMN is XML (elements dropped or duplicated, ids and references
changed, names given hostile text, and byte-level cuts that break the XML). Any exception other
than the library's own error, escaping a reader or a writer, is a bug; so is output that does not
read back.

Examples: ``PROPERTY_EXAMPLES`` per format (as the closure test). The unmutated files themselves
go through every pair in ``tests/test_no_silent_loss.py``.
"""
from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import given
from hypothesis import strategies as st

from converters import FlowzapError, InputError, read_with_diagnostics
from converters.model.validate import check_diagram
from tests.conftest import CORPUS
from tests.strategies import TRAPS
from tests.test_closure import SETTINGS, check_closure


def _files(pattern: str, suffix: str) -> list[str]:
    paths = sorted(p for d in sorted(CORPUS.glob(pattern)) for p in d.rglob(f"*{suffix}") if p.is_file())
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths]


PLANTUML = _files("plantuml*", ".puml")
BPMN = _files("bpmn*", ".bpmn")

_PLANTUML_WORDS = ["start", "stop", "end", "detach", "kill", "if (a) then (yes)", "else (no)", "elseif (b) then",
                   "endif", "while (w)", "endwhile", "repeat", "repeat while (r)", "fork", "fork again",
                   "end fork", "split", "split again", "end split", "switch (s)", "case (c)", "endswitch",
                   "partition P {", "}", "group G", "end group", "|L|", "|#red|M| title", ":action;",
                   ":open", "note left", "end note", "floating note right: n", "(A)", "-> label;",
                   "-[#red,dashed]->", "A -> B : m", "participant A", "actor \"x\" as B", "alt c", "else",
                   "loop l", "box \"b\"", "end box", "create C", "activate A", "return r", "== d ==",
                   "...", "@startuml", "@enduml", "skinparam x {", "title t", "'comment", "/' block", "'/"]


@st.composite
def mutated_plantuml(draw) -> str:
    lines = draw(st.sampled_from(PLANTUML)).split("\n")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(["drop", "duplicate", "move", "keyword", "trap", "cut"]))
        if action == "drop" and at < len(lines):
            del lines[at]
        elif action == "duplicate" and at < len(lines):
            lines.insert(draw(st.integers(0, len(lines))), lines[at])
        elif action == "move" and at < len(lines):
            lines.insert(draw(st.integers(0, len(lines) - 1)), lines.pop(at))
        elif action == "keyword":
            lines.insert(at, draw(st.sampled_from(_PLANTUML_WORDS)))
        elif action == "trap" and at < len(lines):
            line = lines[at]
            cut = draw(st.integers(0, len(line)))
            lines[at] = line[:cut] + draw(st.sampled_from(TRAPS)) + line[cut:]
        elif action == "cut" and at < len(lines):
            line = lines[at]
            cut = draw(st.integers(0, len(line)))
            lines[at] = line[:cut]
    return "\n".join(lines)


_ELEMENT = re.compile(r"<(?:bpmn2?:|semantic:)?([A-Za-z]+)\b[^<>]*?(?:/>|>)")
_REFERENCE = re.compile(r'\b(id|sourceRef|targetRef|attachedToRef|processRef|bpmnElement|default|name)="([^"<>]*)"')


def _elements(text: str) -> list[re.Match]:
    return list(_ELEMENT.finditer(text))


@st.composite
def mutated_bpmn(draw) -> str:
    text = draw(st.sampled_from(BPMN))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["drop", "duplicate", "reference", "name", "bytes"]))
        if action in ("drop", "duplicate"):
            elements = _elements(text)
            if not elements:
                continue
            match = elements[draw(st.integers(0, len(elements) - 1))]
            start, end = match.span()
            if not match.group().endswith("/>"):  # a whole element: to its closing tag, when it is near
                close = text.find(f"</{match.group().split()[0][1:].rstrip('>')}>", end, end + 4000)
                if close != -1:
                    end = text.index(">", close) + 1
            piece = text[start:end]
            text = text[:start] + (piece + piece if action == "duplicate" else "") + text[end:]
        elif action in ("reference", "name"):
            references = list(_REFERENCE.finditer(text))
            if not references:
                continue
            match = references[draw(st.integers(0, len(references) - 1))]
            if action == "reference":
                others = [r.group(2) for r in references[:200]]
                value = draw(st.sampled_from(others + ["", "missing", "x y"]))
            else:
                value = "".join(draw(st.lists(st.sampled_from(TRAPS), min_size=1, max_size=4)))
            escaped = quoteattr(value).replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;")
            text = text[:match.start(2) - 1] + escaped + text[match.end(2) + 1:]
        else:
            at = draw(st.integers(0, len(text)))
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
    return text




def _round_trip(text: str, fmt: str) -> None:
    try:
        model = read_with_diagnostics(text, fmt).diagram
    except InputError:
        return  # refused with line and column: the reader's contract
    except FlowzapError as error:
        raise AssertionError(f"{fmt} reader: {type(error).__name__}: {error}") from None
    invalid = {d.code for d in check_diagram(model)}
    assert not invalid, f"the {fmt} reader made an invalid model: {check_diagram(model)}"
    check_closure(model, fmt)


@pytest.mark.parametrize("fmt,texts", [("plantuml", mutated_plantuml()), ("bpmn", mutated_bpmn())],
                         ids=["plantuml", "bpmn"])
def test_mutated_corpus_files_read_or_are_refused_and_write_back(fmt, texts):
    assert PLANTUML and BPMN, "tests/corpus is missing from this checkout"

    @SETTINGS
    @given(texts)
    def fuzz(text):
        _round_trip(text, fmt)

    fuzz()

