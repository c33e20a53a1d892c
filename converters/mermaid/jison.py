"""A small runtime for Mermaid's own jison parsers, driven by their tables.

Mermaid's flowchart (``flow.jison``, also used by ``swimlane-beta``) and sequence
(``sequenceDiagram.jison``) grammars are LALR(1) parsers with a stateful, first-match lexer.
``grammar/generate.mjs`` dumps their tables from the npm package into ``grammar/*.json``; this
module lexes and parses with those tables exactly as jison's generated JavaScript does (same
rules in the same order, same lexer states, same error positions), and calls the format's own
semantic actions (``flowchart.py`` / ``sequence.py``) on every reduction. So what mermaid
rejects, this rejects, at the same line and column.

JavaScript regular expressions are translated once, when the tables are loaded: ``$`` is the end of
input (``\\Z``), ``\\b``/``\\w``/``\\d`` are ASCII as in JavaScript, groups do not capture, and each
lexer state's rules become one alternation, which Python tries in order and takes the first that
matches — jison's own (non-``flex``) rule.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

_GRAMMAR_DIR = Path(__file__).resolve().parent / "grammar"
EOF = 1  # jison's end-of-input symbol
TERROR = 2

_WORD = "A-Za-z0-9_"
_BOUNDARY = f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))"


def translate_js_regex(source: str) -> str:
    """A JavaScript regex source (jison's ``^(?:…)`` rules) as an equivalent Python pattern,
    anchored by ``match`` at a position instead of ``^``."""
    if source.startswith("^"):
        source = source[1:]
    out: list[str] = []
    in_class = False
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n:
            e = source[i + 1]
            if e == "b" and not in_class:
                out.append(_BOUNDARY)
            elif e == "w":
                out.append(_WORD if in_class else f"[{_WORD}]")
            elif e == "d":
                out.append("0-9" if in_class else "[0-9]")
            elif e == "/":
                out.append("/")
            else:
                out.append(c + e)
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            out.append(c)
        elif c == "[":
            in_class = True
            out.append(c)
            if i + 1 < n and source[i + 1] == "^":
                out.append("^")
                i += 1
            if i + 1 < n and source[i + 1] == "]":  # a literal ] first in a class
                out.append("\\]")
                i += 1
        elif c == "$":
            out.append(r"\Z")
        elif c == ".":
            out.append("[^\\n\\r\\u2028\\u2029]")  # JavaScript's dot
        elif c == "(" and not source.startswith("(?", i):
            out.append("(?:")
        else:
            out.append(c)
        i += 1
    return "".join(out)


# A token's or a reduction's place, as jison's yylloc: (first_line, last_line, first_column,
# last_column); lines 1-based, columns 0-based. Plain tuples: one is made per token.
Loc = tuple


class JisonError(Exception):
    """A lexical or parse error, with mermaid's own position (1-based line, 0-based column)."""

    def __init__(self, message: str, line: int, column: int, *, token: str | None = None,
                 text: str = "", expected: list[str] | None = None,
                 token_line: int | None = None, token_column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.token = token
        self.text = text
        self.expected = expected or []
        self.token_line = token_line
        self.token_column = token_column


class Grammar:
    """One jison parser's tables, with each lexer state's rules compiled into one regex."""

    def __init__(self, name: str) -> None:
        data = json.loads((_GRAMMAR_DIR / f"{name}.json").read_text(encoding="utf-8"))
        self.name = name
        self.generated_from: str = data["generated_from"]
        self.symbols: dict[str, int] = data["symbols"]
        self.terminals: dict[int, str] = {int(k): v for k, v in data["terminals"].items()}
        self.productions: list = data["productions"]
        self.table: list[dict[int, Any]] = [
            {int(k): v for k, v in state.items()} for state in data["table"]
        ]
        self.default_actions = {int(k): v for k, v in data["default_actions"].items()}
        lexer = data["lexer"]
        flags = 0
        if any("i" in rule["flags"] for rule in lexer["rules"]):
            flags |= re.IGNORECASE
        self.rule_sources = [translate_js_regex(rule["source"]) for rule in lexer["rules"]]
        # Each rule's actions, resolved: ("begin", state) / ("pop",) / ("trim",) / ... / ("return", symbol)
        self.actions: list[tuple] = []
        for ops in lexer["actions"]:
            resolved = []
            for op in ops:
                if op[0] == "return":
                    token = op[1]
                    if isinstance(token, str):
                        token = self.symbols.get(token, token)
                    resolved.append(("return", token))
                else:
                    resolved.append(tuple(op))
            self.actions.append(tuple(resolved))
        # rules whose only action is to return a token: that token (else None)
        self.simple = [ops[0][1] if len(ops) == 1 and ops[0][0] == "return" and ops[0][1] else None
                       for ops in self.actions]
        self.conditions: dict[str, tuple[re.Pattern, list[int]]] = {}
        for state, spec in lexer["conditions"].items():
            rules = spec["rules"]
            if not rules:
                self.conditions[state] = (re.compile(r"(?!)"), [])
                continue
            pattern = "|".join(f"({self.rule_sources[r]})" for r in rules)
            self.conditions[state] = (re.compile(pattern, flags), list(rules))

    def terminal_name(self, symbol) -> str:
        if isinstance(symbol, int):
            return self.terminals.get(symbol, str(symbol))
        return str(symbol)


@lru_cache(maxsize=None)
def grammar(name: str) -> Grammar:
    return Grammar(name)


class Lexer:
    """jison-lex's ``next``/``lex`` over the tables' rules (non-flex: the first rule that matches)."""

    __slots__ = ("g", "text", "pos", "end", "yylineno", "loc", "stack", "done", "yytext", "first_graph")

    def __init__(self, g: Grammar, text: str) -> None:
        self.g = g
        self.text = text
        self.pos = 0
        self.end = len(text)
        self.yylineno = 0
        self.loc = (1, 1, 0, 0)
        self.stack = ["INITIAL"]
        self.done = False
        self.yytext = ""
        self.first_graph = True

    def lex(self):
        while True:
            token = self.next()
            if token:
                return token

    def next(self):
        if self.done:
            return EOF
        if self.pos >= self.end:
            self.done = True
        pattern, rules = self.g.conditions[self.stack[-1]]
        match = pattern.match(self.text, self.pos)
        if match is None:
            if self.pos >= self.end:
                return EOF
            line, column = self.loc[1], self.loc[3]
            raise JisonError(
                f"Lexical error on line {self.yylineno + 1}. Unrecognized text.", line, column,
                text=self.text[self.pos:self.pos + 20], token_line=line, token_column=column,
            )
        rule = rules[match.lastindex - 1]
        matched = match.group()
        old = self.loc
        if "\n" in matched:
            self.yylineno += matched.count("\n")
            last_column = len(matched) - matched.rfind("\n") - 1
        else:
            last_column = old[3] + len(matched)
        self.loc = (old[1], self.yylineno + 1, old[3], last_column)
        self.yytext = matched
        self.pos += len(matched)
        simple = self.g.simple[rule]
        if simple is not None:  # the common case: the rule only returns its token
            if self.done and self.pos < self.end:
                self.done = False
            return simple
        token = False
        for op in self.g.actions[rule]:
            kind = op[0]
            if kind == "return":
                token = op[1]
                break
            if kind == "begin":
                self.stack.append(op[1])
            elif kind == "pop":
                if len(self.stack) > 1:
                    self.stack.pop()
            elif kind == "trim":
                self.yytext = self.yytext.strip()
            elif kind == "set_text":
                self.yytext = op[1]
            elif kind == "newlines_to_br":
                self.yytext = re.sub(r"\n\s*", "<br/>", self.yytext)
            elif kind == "begin_if_first_graph":
                if self.first_graph:
                    self.first_graph = False
                    self.stack.append(op[1])
        if self.done and self.pos < self.end:
            self.done = False
        return token

    def upcoming(self) -> str:
        return self.text[self.pos:self.pos + 20].replace("\n", " ")


Action = Callable[[int, list, list], Any]


class Accept(Exception):
    """Raised by a semantic action that ends the parse with a value (jison's ``return``)."""

    def __init__(self, value) -> None:
        self.value = value


def parse(g: Grammar, text: str, action: Action, custom: frozenset[int] | None = None):
    """Parses ``text``; ``action(production, values, locations)`` returns each reduction's value.
    When ``custom`` is given, only those productions call ``action``; the others take jison's
    default value (the first symbol's)."""
    lexer = Lexer(g, text)
    table, productions, terminals = g.table, g.productions, g.terminals
    symbols = g.symbols
    default_actions = g.default_actions
    lex = lexer.lex
    stack = [0]
    vstack: list = [None]
    lstack: list = [lexer.loc]
    yyloc = lexer.loc
    yylineno = 0
    symbol = None
    while True:
        state = stack[-1]
        act = default_actions.get(state) if default_actions else None
        if act is None:
            if symbol is None:
                token = lex()
                symbol = token if token.__class__ is int else symbols.get(token, token)
            act = table[state].get(symbol) if symbol.__class__ is int else None
        if not act:
            expected = [f"'{terminals[s]}'" for s in table[state] if s in terminals and s > TERROR]
            got = "end of input" if symbol == EOF else g.terminal_name(symbol)
            raise JisonError(
                f"Parse error on line {yylineno + 1}: expecting {', '.join(expected)}, got '{got}'",
                yyloc[0], yyloc[2], token=got, text=lexer.yytext, expected=expected,
                token_line=lexer.loc[0], token_column=lexer.loc[2],
            )
        kind = act[0]
        if kind == 1:  # shift
            stack.append(symbol)
            vstack.append(lexer.yytext)
            loc = lexer.loc
            lstack.append(loc)
            stack.append(act[1])
            symbol = None
            yylineno = lexer.yylineno
            yyloc = loc
        elif kind == 2:  # reduce
            production = act[1]
            lhs, length = productions[production]
            if length:
                first, last = lstack[-length], lstack[-1]
                loc = (first[0], last[1], first[2], last[3])
                if custom is None or production in custom:
                    try:
                        value = action(production, vstack[-length:], lstack[-length:])
                    except Accept as done:
                        return done.value
                else:
                    value = vstack[-length]
                del stack[-2 * length:]
                del vstack[-length:]
                del lstack[-length:]
            else:
                loc = lstack[-1]
                if custom is None or production in custom:
                    try:
                        value = action(production, [], [])
                    except Accept as done:
                        return done.value
                else:
                    value = None
            stack.append(lhs)
            vstack.append(value)
            lstack.append(loc)
            stack.append(table[stack[-2]][lhs])
        else:  # accept
            return vstack[-1] if len(vstack) > 1 else True
