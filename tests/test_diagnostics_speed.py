"""Diagnostics made cheaper (issue 13) behave as before: a diagnostic ``Diagnostics.add`` builds
(without the frozen dataclass's ``__init__``) equals, hashes, prints, pickles and refuses
assignment like one built with ``Diagnostic(...)``; ``grouped`` (now two passes, no ids) gives
what the version it replaced gives, on any list of diagnostics."""
from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converters.diagnostics import CODES, LOSS_CODES, Diagnostic, Diagnostics, grouped


def grouped_before(items: list[Diagnostic]) -> list[Diagnostic]:
    """``grouped`` as it was up to 2026-11-30 (commit 51c889e)."""
    groups: dict[tuple[str, str], list[Diagnostic]] = {}
    for diagnostic in items:
        if diagnostic.code in LOSS_CODES and diagnostic.element and not diagnostic.elements:
            template = diagnostic.message.replace(diagnostic.element, "\0", 1)
            groups.setdefault((diagnostic.code, template), []).append(diagnostic)
    if all(len(members) == 1 for members in groups.values()):
        return items
    replaced: dict[int, Diagnostic | None] = {}
    for (code, template), members in groups.items():
        if len(members) == 1:
            continue
        names = tuple(d.element for d in members)
        first = members[0]
        if "\0" in template:
            message = template.replace("\0", ", ".join(names), 1)
        else:
            message = f"{first.message} ({', '.join(names)})"
        replaced[id(first)] = Diagnostic(code, first.severity, f"{len(members)}×: {message}", first.line,
                                         first.column, None, names)
        for other in members[1:]:
            replaced[id(other)] = None
    result = []
    for diagnostic in items:
        substitute = replaced.get(id(diagnostic), diagnostic)
        if substitute is not None:
            result.append(substitute)
    return result


def test_a_diagnostic_add_builds_is_a_diagnostic_in_every_way():
    built = Diagnostics(None).add("DROPPED_EDGE_SIDES", "edge a->b: sides", line=3, column=4, element="a->b")
    direct = Diagnostic("DROPPED_EDGE_SIDES", CODES["DROPPED_EDGE_SIDES"].severity, "edge a->b: sides", 3, 4, "a->b")
    assert type(built) is Diagnostic and built == direct and hash(built) == hash(direct)
    assert repr(built) == repr(direct) and built.to_dict() == direct.to_dict() and built.format() == direct.format()
    assert pickle.loads(pickle.dumps(built)) == direct
    assert dataclasses.replace(built, line=5) == dataclasses.replace(direct, line=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.line = 9  # type: ignore[misc]


CODE_NAMES = sorted(LOSS_CODES)[:4] + ["SYNTAX_ERROR", "MISSING_HANDLE"]
ELEMENTS = st.sampled_from([None, "", "a->b", "b->c", "n1", "n2", "x"])
MESSAGES = st.sampled_from(["edge {e}: gone", "edge {e}: gone (right → left)", "no element named", "{e} and {e}",
                            "{e}", ""])


@st.composite
def diagnostic_lists(draw):
    items = []
    for _ in range(draw(st.integers(0, 12))):
        code = draw(st.sampled_from(CODE_NAMES))
        element = draw(ELEMENTS)
        message = draw(MESSAGES).format(e=element)
        elements = draw(st.sampled_from([(), (), ("p", "q")]))
        items.append(Diagnostic(code, CODES[code].severity, message, draw(st.none() | st.integers(1, 5)),
                                draw(st.none() | st.integers(1, 5)), element, elements))
    return items


@settings(max_examples=1000, deadline=None)
@given(diagnostic_lists())
def test_grouped_gives_what_it_gave(items):
    assert grouped(items) == grouped_before(items)
    assert (grouped(items) is items) == (grouped_before(items) is items)
