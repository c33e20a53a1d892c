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
import re._constants as _sre
import re._parser as _sre_parse
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

_GRAMMAR_DIR = Path(__file__).resolve().parent / "grammar"
EOF = 1  # jison's end-of-input symbol
TERROR = 2

_WORD = "A-Za-z0-9_"
# JavaScript's \s (Python's also takes \x1c-\x1f and \x85, and not \ufeff)
_JS_SPACE = "\\t\\n\\x0b\\x0c\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_BOUNDARY = f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))"


def translate_js_regex(source: str) -> str:
    """A JavaScript regex source (jison's ``^(?:…)`` rules) as an equivalent Python pattern,
    anchored by ``match`` at a position instead of ``^``."""
    source = source.removeprefix("^")
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
            elif e == "s":
                out.append(_JS_SPACE if in_class else f"[{_JS_SPACE}]")
            elif e == "S" and not in_class:
                out.append(f"[^{_JS_SPACE}]")
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
_NEWLINE_SPACES = re.compile("\n[" + _JS_SPACE + "]*")  # jison's /\n\s*/g


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


# --- First characters and scan classes of the lexer's rules ---------------------------------
# Jison tries every rule of the current state, in order, at every token. Two things keep that
# linear and cheap here: each state's rules are pre-sorted by the first character they can
# start with (``_first_chars``), so a token tries only the rules that can start with its first
# character; and a rule that starts with a repeated class (``\s*…``, ``.*direction…``,
# ``[^\s"]+@…``) scans that class ahead of the token: when it fails at a position, it fails at
# every later position of the same run (whatever matched from there also matches from here), so
# the lexer does not try it again until the run ends (``Lexer.fail_until``). Without this, a line
# of n spaces or n tokens costs n² (issue 11).
_ALL_ASCII = frozenset(range(128))
_CATEGORY_TEST = {
    _sre.CATEGORY_SPACE: re.compile(r"\s"), _sre.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    _sre.CATEGORY_DIGIT: re.compile(r"\d"), _sre.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    _sre.CATEGORY_WORD: re.compile(r"\w"), _sre.CATEGORY_NOT_WORD: re.compile(r"\W"),
}


def _variants(code: int, ignore_case: bool) -> tuple[str, ...]:
    ch = chr(code)
    return (ch, ch.lower(), ch.upper()) if ignore_case else (ch,)


def _class_chars(items, ignore_case: bool) -> frozenset[int]:
    """The ASCII characters an ``IN`` item (a character class) matches."""
    negate = False
    chars: set[int] = set()
    for op, av in items:
        if op is _sre.NEGATE:
            negate = True
        elif op is _sre.LITERAL:
            chars.update(c for c in _ALL_ASCII if av in map(ord, _variants(c, ignore_case)))
        elif op is _sre.RANGE:
            lo, hi = av
            chars.update(c for c in _ALL_ASCII if any(lo <= ord(v) <= hi for v in _variants(c, ignore_case)))
        elif op is _sre.CATEGORY and av in _CATEGORY_TEST:
            chars.update(c for c in _ALL_ASCII if _CATEGORY_TEST[av].match(chr(c)))
        else:  # anything else: any character (a superset is always safe)
            return _ALL_ASCII
    return _ALL_ASCII - chars if negate else frozenset(chars)


def _class_has_other(items, ignore_case: bool) -> bool:
    """Whether a character class can match a character outside ASCII (a superset)."""
    for op, av in items:
        if op is _sre.LITERAL and (av >= 128 or (ignore_case and chr(av).isalpha())):
            return True
        if op is _sre.RANGE and (av[1] >= 128 or ignore_case):
            return True
        if op not in (_sre.LITERAL, _sre.RANGE):  # a negation, a category, …
            return True
    return False


def _first_chars(items, ignore_case: bool) -> tuple[frozenset[int], bool, bool]:
    """(ASCII characters a match can start with, whether it can start with any other character,
    whether it can match the empty string) for a parsed pattern — a superset: a construct not
    known here counts as "any character, maybe empty"."""
    first: set[int] = set()
    other = False
    for op, av in items:
        if op is _sre.LITERAL:
            first.update(c for c in _ALL_ASCII if av in map(ord, _variants(c, ignore_case)))
            # (under IGNORECASE an ASCII letter also matches a few others: "k" matches U+212A)
            return frozenset(first), other or av >= 128 or (ignore_case and chr(av).isalpha()), False
        if op is _sre.NOT_LITERAL or op is _sre.ANY:
            first.update(_ALL_ASCII - ({10} if op is _sre.ANY else set(map(ord, _variants(av, ignore_case)))))
            return frozenset(first), True, False
        if op is _sre.IN:
            first.update(_class_chars(av, ignore_case))
            return frozenset(first), other or _class_has_other(av, ignore_case), False
        if op is _sre.ASSERT_NOT and not av[1]:
            return frozenset(first), other, False  # (?!) never matches: nothing after it counts
        if op is _sre.SUBPATTERN or op is _sre.ATOMIC_GROUP:
            sub = av[-1] if op is _sre.SUBPATTERN else av
            chars, more, nullable = _first_chars(sub, ignore_case)
        elif op is _sre.BRANCH:
            chars, more, nullable = set(), False, False
            for alternative in av[1]:
                c, m, n = _first_chars(alternative, ignore_case)
                chars |= c
                more = more or m
                nullable = nullable or n
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            low, _high, sub = av
            chars, more, nullable = _first_chars(sub, ignore_case)
            nullable = nullable or low == 0
        elif op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue  # zero-width: the next item decides (a superset for lookarounds)
        else:
            return _ALL_ASCII, True, True
        first.update(chars)
        other = other or more
        if not nullable:
            return frozenset(first), other, False
    return frozenset(first), other, True


def _required_literal(items) -> str:
    """The longest run of plain characters every match holds (at the top level of the rule)."""
    best, run = "", []
    for op, av in [*items, (None, None)]:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if len(run) > len(best):
            best = "".join(run)
        run = []
    return best


def _scan_atom(source: str, items) -> str | None:
    """For a rule that is one sequence starting with a repeated single-character class (``C*…``
    or ``C+…``), that class as a pattern; else None."""
    if not items or items[0][0] not in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        return None
    _low, high, sub = items[0][1]
    if high is not _sre.MAXREPEAT or len(sub) != 1 or sub[0][0] not in (_sre.IN, _sre.LITERAL, _sre.NOT_LITERAL,
                                                                       _sre.ANY):
        return None
    text = source.removeprefix("(?:")
    if text.startswith("["):
        i = 1
        if text[i:i + 1] == "^":
            i += 1
        while i < len(text) and text[i] != "]":
            i += 2 if text[i] == "\\" else 1
        atom = text[:i + 1]
    elif text.startswith("\\"):
        atom = text[:2]
    else:
        atom = text[:1]
    if text[len(atom):len(atom) + 1] not in ("*", "+"):
        return None
    return atom


# Rules rewritten into an equivalent form that a backtracking engine runs in linear time (the
# jison source as mermaid ships it → the pattern used here). Each is checked against the
# original translation on generated text by tests/test_mermaid_complexity.py.
_NODE_CHAR = r"""[A-Za-z0-9!"\#$%&'*+\.`?\\_/]"""
_SEQUENCE_ACTOR = (r"^(?:[^\/\\\+\()\+<\->\->:\n,;]+((?!(-x|--x|-\)|--\)|-\|\\|-\\|-\/|-\/\/|-\|\/|\/\|-|\\\|-|"
                   r"\/\/-|\\\\-|\/\|-|--\|\\|--|\(\)))[\-]*[^\+<\->\->:\n,;]+)*)")
LINEAR_REWRITES = {
    # flow NEWLINE in the `dir` state: "(\r?\n)*" and "\s*" both take newlines, so a failing
    # match tries every split. Any whitespace run that holds a newline matches, up to its last one.
    r"^(?:(\r?\n)*\s*\n)": f"(?:[{_JS_SPACE}]*\\n)",
    # sequence ACTOR: the lookahead's "\s*" re-scans the spaces of the name at every position the
    # greedy name backs off to. A name ends at the run's end when a newline, ";" or the end of the
    # text follows; else at its last "#" (a space before that "#" is a shorter, so unchosen, match).
    r"^(?:[^<>:\n,;@]+(?=\s*[\n;#]|$))": r"(?:[^<>:\n,;@]+(?=[\n;#]|\Z))",
    # Repeated groups with nothing after them: the first (greedy) way through is the match, so
    # possessive repeats say the same, and Python's engine then keeps no backtracking state per
    # repetition (which made a 500,000-character id cost 25 times a 50,000-character one).
    # flow NODE_STRING ((?!) never matches: left out)
    r"""^(?:([A-Za-z0-9!"\#$%&'*+\.`?\\_\/]|-(?=[^\>\-\.])|(?!))+)""": f"(?:{_NODE_CHAR}++|-(?=[^>\\-.]))++",
    # flow NEWLINE
    r"^(?:(\r?\n)+)": r"(?:\r?\n)++",
    # sequence: spaces other than a newline, skipped
    r"^(?:((?!\n)\s)+)": "[" + _JS_SPACE.replace("\\n", "") + "]++",
    _SEQUENCE_ACTOR: translate_js_regex(_SEQUENCE_ACTOR)[:-2] + "*+)",
}


class Grammar:
    """One jison parser's tables, with each lexer state's rules sorted by first character."""

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
        # per state: the action jison takes there without reading a token, or None
        self.default_list = [self.default_actions.get(state) for state in range(len(self.table))]
        self._calls: dict[frozenset[int] | None, list[bool]] = {}
        lexer = data["lexer"]
        flags = 0
        if any("i" in rule["flags"] for rule in lexer["rules"]):
            flags |= re.IGNORECASE
        self.rule_sources = [LINEAR_REWRITES.get(rule["source"]) or translate_js_regex(rule["source"])
                             for rule in lexer["rules"]]
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
        # Per rule: (index, match, scan): scan matches the rule's leading repeated class, or is None.
        candidates = []
        first_chars = []
        ignore_case = bool(flags & re.IGNORECASE)
        # (rule, text every match holds) for the rules with a leading repeated class: a text without
        # it never needs the rule tried (``.*direction\s+TB…`` on every line of a text without
        # "direction")
        self.required: list[tuple[int, str]] = []
        for index, source in enumerate(self.rule_sources):
            items = _sre_parse.parse(source, flags).data
            atom = _scan_atom(source, items)
            scan = re.compile(f"(?:{atom})*", flags).match if atom else None
            candidates.append((index, re.compile(source, flags).match, scan))
            first_chars.append(_first_chars(items, ignore_case))
            literal = _required_literal(items)
            if scan is not None and literal and not ignore_case:
                self.required.append((index, literal))
        self.rule_count = len(candidates)
        # state → (candidates for each ASCII character, for any other character, at the end)
        self.dispatch: dict[str, tuple[list[tuple], tuple, tuple]] = {}
        for state, spec in lexer["conditions"].items():
            rules = spec["rules"]
            by_char = [tuple(candidates[r] for r in rules if c in first_chars[r][0] or first_chars[r][2])
                       for c in range(128)]
            other = tuple(candidates[r] for r in rules if first_chars[r][1] or first_chars[r][2])
            self.dispatch[state] = (by_char, other, tuple(candidates[r] for r in rules))

    def calls(self, custom: frozenset[int] | None) -> list[bool]:
        """Per production: whether ``parse`` calls the action for it."""
        flags = self._calls.get(custom)
        if flags is None:
            flags = self._calls[custom] = [custom is None or p in custom for p in range(len(self.productions))]
        return flags

    def terminal_name(self, symbol) -> str:
        if isinstance(symbol, int):
            return self.terminals.get(symbol, str(symbol))
        return str(symbol)


@cache
def grammar(name: str) -> Grammar:
    return Grammar(name)


class Lexer:
    """jison-lex's ``next``/``lex`` over the tables' rules (non-flex: the first rule that matches)."""

    __slots__ = (
        "done",
        "end",
        "fail_until",
        "first_graph",
        "g",
        "loc",
        "pos",
        "stack",
        "text",
        "yylineno",
        "yytext",
    )

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
        # per rule with a leading repeated class: the position before which it is known to fail
        self.fail_until = [0] * g.rule_count
        for rule, literal in g.required:
            if literal not in text:
                self.fail_until[rule] = self.end + 1

    def lex(self):
        """The next token (rules whose action returns nothing are skipped, as jison does)."""
        while True:
            token = self.next()
            if token:
                return token

    def next(self):
        if self.done:
            return EOF
        text, pos = self.text, self.pos
        by_char, other, at_end = self.g.dispatch[self.stack[-1]]
        if pos >= self.end:
            self.done = True
            candidates = at_end
        else:
            code = ord(text[pos])
            candidates = by_char[code] if code < 128 else other
        fail_until = self.fail_until
        for rule, match, scan in candidates:
            if scan is not None and fail_until[rule] > pos:
                continue
            found = match(text, pos)
            if found is not None:
                break
            if scan is not None:
                fail_until[rule] = scan(text, pos).end() + 1
        else:
            if pos >= self.end:
                return EOF
            line, column = self.loc[1], self.loc[3]
            raise JisonError(
                f"Lexical error on line {self.yylineno + 1}. Unrecognized text.", line, column,
                text=text[pos:pos + 20], token_line=line, token_column=column,
            )
        matched = found.group()
        old = self.loc
        if "\n" in matched:
            self.yylineno += matched.count("\n")
            last_column = len(matched) - matched.rfind("\n") - 1
        else:
            last_column = old[3] + len(matched)
        self.loc = (old[1], self.yylineno + 1, old[3], last_column)
        self.yytext = matched
        self.pos = pos + len(matched)
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
                self.yytext = _NEWLINE_SPACES.sub("<br/>", self.yytext)
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
    default value (the first symbol's).

    jison's loop, with one state per symbol on the stack (jison keeps the symbol too, unused);
    a reduction of one symbol replaces the top in place."""
    lexer = Lexer(g, text)
    table, productions = g.table, g.productions
    symbols = g.symbols
    defaults = g.default_list
    calls = g.calls(custom)
    lex = lexer.lex
    states = [0]
    vstack: list = [None]
    lstack: list = [lexer.loc]
    yyloc = lexer.loc
    yylineno = 0
    symbol = None
    while True:
        act = defaults[states[-1]]
        if act is None:
            if symbol is None:
                token = lex()
                symbol = token if token.__class__ is int else symbols.get(token, token)
            act = table[states[-1]].get(symbol) if symbol.__class__ is int else None
            if not act:
                _parse_error(g, states[-1], symbol, lexer, yylineno, yyloc)
        kind = act[0]
        if kind == 1:  # shift
            states.append(act[1])
            vstack.append(lexer.yytext)
            yyloc = lexer.loc
            lstack.append(yyloc)
            symbol = None
            yylineno = lexer.yylineno
        elif kind == 2:  # reduce
            production = act[1]
            lhs, length = productions[production]
            if length == 1:
                if calls[production]:
                    try:
                        vstack[-1] = action(production, vstack[-1:], lstack[-1:])
                    except Accept as done:
                        return done.value
                states[-1] = table[states[-2]][lhs]
            elif length:
                first, last = lstack[-length], lstack[-1]
                if calls[production]:
                    try:
                        value = action(production, vstack[-length:], lstack[-length:])
                    except Accept as done:
                        return done.value
                else:
                    value = vstack[-length]
                del states[-length:]
                del vstack[-length:]
                del lstack[-length:]
                states.append(table[states[-1]][lhs])
                vstack.append(value)
                lstack.append((first[0], last[1], first[2], last[3]))
            else:
                value = None
                if calls[production]:
                    try:
                        value = action(production, [], [])
                    except Accept as done:
                        return done.value
                lstack.append(lstack[-1])
                states.append(table[states[-1]][lhs])
                vstack.append(value)
        else:  # accept
            return vstack[-1] if len(vstack) > 1 else True


def _parse_error(g: Grammar, state: int, symbol, lexer: Lexer, yylineno: int, yyloc) -> None:
    terminals = g.terminals
    expected = [f"'{terminals[s]}'" for s in g.table[state] if s in terminals and s > TERROR]
    got = "end of input" if symbol == EOF else g.terminal_name(symbol)
    raise JisonError(
        f"Parse error on line {yylineno + 1}: expecting {', '.join(expected)}, got '{got}'",
        yyloc[0], yyloc[2], token=got, text=lexer.yytext, expected=expected,
        token_line=lexer.loc[0], token_column=lexer.loc[2],
    )
