"""Splits FlowZap Code into statements, one token per line, with line and column.

The statements are defined by the lark grammar ``flowzap.lark``; lark loads and checks it and
resolves each statement terminal (built from smaller ones) into one regular expression. The
scanner joins those expressions into a single alternation and walks the text with it, counting
lines as it goes. It is lark's basic lexer without its per-token machinery (Token objects, a line
counter fed every token, ignore-type bookkeeping), which halves the reader's time on typical files;
``tests/test_flowzap_scanner.py`` checks that both produce the same tokens.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from lark import Lark

GRAMMAR = Lark.open("flowzap.lark", rel_to=__file__, parser="lalr", lexer="basic")

_TERMINALS = {t.name: t for t in GRAMMAR.terminals}
# The grammar's statements (the alternatives of its ``_statement`` rule), highest priority first,
# so that BAD_LINE, the catch-all, is tried last.
STATEMENTS = tuple(sorted(
    (rule.expansion[0].name for rule in GRAMMAR.rules if rule.origin.name == "_statement"),
    key=lambda name: -_TERMINALS[name].priority,
))
_STATEMENT = re.compile("|".join(f"(?P<{name}>{_TERMINALS[name].pattern.to_regexp()})" for name in STATEMENTS))
_BLANK = re.compile(r"[ \t\n]*")
_REST_OF_LINE = re.compile(r"[^\n]*\n?")
_BLANKS = frozenset(" \t\n")


class Statement(NamedTuple):
    kind: str  # the terminal's name: LANE_OPEN, NODE, EDGE, ..., BAD_LINE
    text: str  # the statement without its trailing newline and spaces
    line: int  # 1-based
    column: int  # 1-based


def scan(text: str) -> Iterator[tuple[str, str, int, int]]:
    """The statements of ``text`` as ``(kind, text, line, column)`` (the fields of ``Statement``;
    plain tuples, which cost less to make than named ones, one per line of the file)."""
    match_blank, match_statement = _BLANK.match, _STATEMENT.match
    position, line, line_start, end_of_text = 0, 1, 0, len(text)
    while True:
        # Most statements start a line with no indentation: only blanks need the blank pattern.
        skipped = match_blank(text, position).end() if text[position:position + 1] in _BLANKS else position
        if skipped != position:
            newlines = text.count("\n", position, skipped)
            if newlines:
                line += newlines
                line_start = text.rindex("\n", position, skipped) + 1
            position = skipped
        if position >= end_of_text:
            return
        match = match_statement(text, position)
        if match is None:  # a line starting with a space the grammar does not ignore (U+00A0 …)
            match, kind = _REST_OF_LINE.match(text, position), "BAD_LINE"
        else:
            kind = match.lastgroup
        value = match.group()
        yield kind, value.rstrip(), line, position - line_start + 1
        position = match.end()
        if value.endswith("\n"):
            line += 1
            line_start = position
