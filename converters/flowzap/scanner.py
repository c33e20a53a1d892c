"""Splits FlowZap Code into statements, one token per line, with line and column.

The statements are defined by the lark grammar ``flowzap.lark``; lark loads and checks it and
resolves each statement terminal (built from smaller ones) into one regular expression. The
scanner joins those expressions into a single alternation and matches each line with it. It is
lark's basic lexer without its per-token machinery (Token objects, a line
counter fed every token, ignore-type bookkeeping), which halves the reader's time on typical files;
``tests/test_flowzap_scanner.py`` checks that both produce the same tokens.
"""
from __future__ import annotations

import re
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


class Statement(NamedTuple):
    kind: str  # the terminal's name: LANE_OPEN, NODE, EDGE, ..., BAD_LINE
    text: str  # the statement without its trailing newline and spaces
    line: int  # 1-based
    column: int  # 1-based


def statement_of(line: str) -> tuple[str, str, int] | None:
    """The statement of one line (no newline in it) as ``(kind, text, column)``, or None for a
    blank line (what ``scan`` makes of each line)."""
    statement = line.lstrip(" \t")
    if not statement:
        return None
    match = _STATEMENT.match(statement)
    # No match: a line starting with a space the grammar does not ignore (U+00A0 …).
    return (match.lastgroup if match is not None else "BAD_LINE", statement.rstrip(), len(line) - len(statement) + 1)


def scan(text: str) -> list[tuple[str, str, int, int]]:
    """The statements of ``text`` as ``(kind, text, line, column)`` (the fields of ``Statement``,
    as plain tuples, which cost less to make than named ones).

    Every statement terminal ends at the end of its line (``_EOL``, or ``[^\\n]*``) and no terminal
    spans lines, so each line, less its leading blanks, is one statement or none: the text is
    split into lines once and each is matched alone (less work per line than walking the text).
    The reader walks the lines itself (``statement_of`` for each line it does not decode at once)."""
    statements = []
    for number, line in enumerate(text.split("\n"), 1):
        statement = statement_of(line)
        if statement is not None:
            kind, body, column = statement
            statements.append((kind, body, number, column))
    return statements
