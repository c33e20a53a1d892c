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
# A lexer step (``Grammar.steps``): (match, rule per group number or None, the rule when one, fail_until slot or -1)
Step = tuple
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
# (how the lexer uses them: ``Lexer``)
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


ACCEPT = -(1 << 30)  # parse's code for accept (shift and reduce codes never reach it)


def _code(act: list) -> int:
    """A table action ([1, state] shift, [2, production] reduce, [3] accept) as parse's number."""
    if act[0] == 1:
        return act[1]
    if act[0] == 2:
        return -act[1]
    return ACCEPT


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
        # The same tables as plain numbers for ``parse``: per state, terminal → shift ``s`` as s,
        # reduce ``p`` as -p, accept as ACCEPT; nonterminal → the state it goes to; the action
        # taken without reading a token, or None; per production (lhs, length).
        self.actions_of: list[dict[int, int]] = [
            {symbol: _code(act) for symbol, act in state.items() if isinstance(act, list)} for state in self.table
        ]
        self.goto: list[dict[int, int]] = [
            {symbol: target for symbol, target in state.items() if not isinstance(target, list)} for state in self.table
        ]
        self.default_code = [_code(self.default_actions[state]) if state in self.default_actions else None
                             for state in range(len(self.table))]
        self.reduce_info = [tuple(p) if isinstance(p, list) else (0, 0) for p in self.productions]
        self.cycles: list[tuple[int, int, int, int]] = []
        self._find_cycles()
        # (state below, state, lookahead) → the run of one-symbol reductions taken there (``unit_run``);
        # filled as parses meet them, bounded by the tables (never by the text)
        self.unit_runs: dict[tuple, tuple[int, tuple[int, ...]]] = {}
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
        # Per rule: its compiled pattern, its scan (the rule's leading repeated class, or None) and
        # the characters it can start with.
        self.flags = flags
        self.rule_match = []
        self.rule_atom: list[str | None] = []
        first_chars = []
        ignore_case = bool(flags & re.IGNORECASE)
        # (rule, text every match holds) for the rules with a leading repeated class: a text without
        # it never needs the rule tried (``.*direction\s+TB…`` on every line of a text without
        # "direction")
        self.required: list[tuple[int, str]] = []
        for index, source in enumerate(self.rule_sources):
            items = _sre_parse.parse(source, flags).data
            atom = _scan_atom(source, items)
            compiled = re.compile(source, flags)
            if compiled.groups:
                raise ValueError(f"lexer rule {index} of {name} captures a group: {source}")
            self.rule_match.append(compiled.match)
            self.rule_atom.append(atom)
            first_chars.append(_first_chars(items, ignore_case))
            literal = _required_literal(items)
            if atom is not None and literal and not ignore_case:
                self.required.append((index, literal))
        self.rule_count = len(self.rule_sources)
        # state → (candidate rules for each ASCII character, for any other character, at the end)
        self.candidates: dict[str, tuple[list[tuple[int, ...]], tuple[int, ...], tuple[int, ...]]] = {}
        for state, spec in lexer["conditions"].items():
            rules = spec["rules"]
            by_char = [tuple(r for r in rules if c in first_chars[r][0] or first_chars[r][2]) for c in range(128)]
            other = tuple(r for r in rules if first_chars[r][1] or first_chars[r][2])
            self.candidates[state] = (by_char, other, tuple(rules))
        # The steps a Lexer takes, per set of rules left out (see ``steps``), and the scans of the
        # steps made of scan rules, one slot each.
        self._steps: dict[frozenset[int], dict[str, tuple[list[tuple], tuple, tuple]]] = {}
        self._step_cache: dict[tuple[int, ...], Step] = {}
        self.slot_of: dict[tuple[int, ...], int] = {}
        self.slot_scans: list[Callable] = []
        self.steps(frozenset())  # the common case, made once here

    def steps(self, dead: frozenset[int]) -> dict[str, tuple[list[tuple], tuple, tuple]]:
        """Per lexer state: (steps for each ASCII first character, for any other, at the end of the
        text), leaving out the ``dead`` rules (those whose required text the input lacks).

        A step is one compiled alternation of consecutive candidate rules, in rule order, so one
        ``match`` call tries them all and ``lastindex`` names the rule that matched: Python tries
        the alternatives left to right and takes the first that matches, as jison tries its rules.
        Consecutive rules that start with the same repeated class (``\\s*…``) form a step of their
        own with a ``fail_until`` slot (see ``Lexer``); the others are merged freely."""
        table = self._steps.get(dead)
        if table is None:
            table = self._steps[dead] = {}
            for state, (by_char, other, at_end) in self.candidates.items():
                table[state] = ([self._plan(rules, dead) for rules in by_char], self._plan(other, dead),
                                self._plan(at_end, dead))
        return table

    def _plan(self, rules: tuple[int, ...], dead: frozenset[int]) -> tuple:
        groups: list[list[int]] = []
        for rule in rules:
            if rule in dead:
                continue
            atom = self.rule_atom[rule]
            if groups and self.rule_atom[groups[-1][-1]] == atom:
                groups[-1].append(rule)
            else:
                groups.append([rule])
        return tuple(self._step(tuple(group)) for group in groups)

    def _step(self, rules: tuple[int, ...]) -> Step:
        step = self._step_cache.get(rules)
        if step is None:
            if len(rules) == 1:
                match = self.rule_match[rules[0]]
                by_group = None
            else:
                match = re.compile("|".join(f"({self.rule_sources[r]})" for r in rules), self.flags).match
                by_group = (None, *rules)
            atom = self.rule_atom[rules[0]]
            slot = -1
            if atom is not None:
                slot = self.slot_of.get(rules)
                if slot is None:
                    slot = self.slot_of[rules] = len(self.slot_scans)
                    self.slot_scans.append(re.compile(f"(?:{atom})*", self.flags).match)
            step = self._step_cache[rules] = (match, by_group, rules[0], slot)
        return step

    def _find_cycles(self) -> None:
        """The one-token lines of a left-recursive list (``document: document line`` with ``line:
        SPACE``): in state X, token t shifts to S, whose every action is to reduce ``line: t``; the
        goto on ``line`` from X is L, whose every action is to reduce ``document: document line``;
        and X is the state ``document`` goes to, so the parser is back in X. Such a (X, t) gets the
        code ``ACCEPT - 1 - i`` for ``self.cycles[i] = (S, line production, L, list production)``,
        which ``parse`` runs in one step (reading the next token in S and L as jison does)."""
        accessing: dict[int, int] = {}  # state → the symbol every way into it reads (an LR property)
        for row in self.table:
            for symbol, target in row.items():
                if not isinstance(target, list):
                    accessing[target] = symbol
                elif target[0] == 1:
                    accessing[target[1]] = symbol

        def only_reduce(state: int, length: int) -> int | None:
            codes = set(self.actions_of[state].values())
            if self.default_code[state] is not None or len(codes) != 1:
                return None
            code = codes.pop()
            if code >= 0 or code <= ACCEPT or self.reduce_info[-code][1] != length:
                return None
            return -code

        for x, row in enumerate(self.actions_of):
            if self.default_code[x] is not None:
                continue
            for symbol, code in row.items():
                if code < 0:
                    continue
                line = only_reduce(code, 1)
                if line is None:
                    continue
                after = self.goto[x].get(self.reduce_info[line][0])
                if after is None:
                    continue
                append = only_reduce(after, 2)
                if append is None or accessing.get(x) != self.reduce_info[append][0]:
                    continue
                row[symbol] = ACCEPT - 1 - len(self.cycles)
                self.cycles.append((code, line, after, append))

    def unit_run(self, below: int, state: int, symbol) -> tuple[int, tuple[int, ...]]:
        """(the state reached, the productions reduced in order) when, in ``state`` over ``below``
        with ``symbol`` ahead (None: not read yet), the parser reduces one-symbol productions one
        after the other: each replaces the top state by a goto from ``below``."""
        key = (below, state, symbol)
        reduced: list[int] = []
        while True:
            act = self.default_code[state]
            if act is None and symbol is not None:
                act = self.actions_of[state].get(symbol)
            if act is None or act >= 0 or act <= ACCEPT:  # (not a reduction)
                break
            lhs, length = self.reduce_info[-act]
            if length != 1:
                break
            reduced.append(-act)
            state = self.goto[below][lhs]
        run = self.unit_runs[key] = (state, tuple(reduced))
        return run

    def terminal_name(self, symbol) -> str:
        if isinstance(symbol, int):
            return self.terminals.get(symbol, str(symbol))
        return str(symbol)


@cache
def grammar(name: str) -> Grammar:
    return Grammar(name)


class Lexer:
    """jison-lex's ``lex`` over the tables' rules (non-flex: the first rule that matches).

    Jison tries every rule of the current state, in order, at every token. Three things keep that
    linear and cheap here: each state's rules are pre-sorted by the first character they can start
    with, so a token tries only the rules that can start with its first character; consecutive
    rules are tried in one compiled alternation (``Grammar.steps``); and a rule that starts with a
    repeated class (``\\s*…``, ``.*direction…``, ``[^\\s"]+@…``) scans that class ahead of the
    token: when it fails at a position, it fails at every later position of the same run (whatever
    matched from there also matches from here), so the lexer does not try it again until the run
    ends (``fail_until``, per step of such rules). Without this, a line of n spaces or n tokens
    costs n² (issue 11)."""

    __slots__ = (
        "actions",
        "dispatch",
        "done",
        "end",
        "fail_until",
        "first_graph",
        "g",
        "loc",
        "pos",
        "scans",
        "simple",
        "stack",
        "text",
        "tokens",
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
        self.dispatch = g.steps(frozenset(rule for rule, literal in g.required if literal not in text))
        self.simple = g.simple
        self.actions = g.actions
        self.scans = g.slot_scans
        # per step of scan rules: the position before which it is known to fail
        self.fail_until = [0] * len(self.scans)
        self.tokens = self._tokens()

    def lex(self):
        """The next token (rules whose action returns nothing are skipped, as jison does)."""
        return next(self.tokens)

    def _tokens(self):
        """The tokens, one per ``next``; ``pos``, ``loc``, ``yytext`` and ``yylineno`` say where the
        last one was. (A generator keeps the scan's state in locals from one token to the next.)"""
        text, end, fail_until, scans = self.text, self.end, self.fail_until, self.scans
        dispatch, simple, stack = self.dispatch, self.simple, self.stack
        pos, loc, yylineno = self.pos, self.loc, self.yylineno
        while True:
            if pos >= end:
                steps = dispatch[stack[-1]][2]
                for match, by_group, rule, _slot in steps:  # (rules that match the empty text, at the end)
                    found = match(text, pos)
                    if found is not None:
                        if by_group is not None:
                            rule = by_group[found.lastindex]
                        break
                else:
                    while True:
                        yield EOF
                self.done = True
                loc = self.loc = (loc[1], yylineno + 1, loc[3], loc[3])
                self.yytext = ""
                token = simple[rule]
                if token is None:
                    token = self._act(rule)
                while True:  # jison's lexer is done after the end: EOF from then on
                    if token:
                        yield token
                    token = EOF
            by_char, other, _ = dispatch[stack[-1]]
            code = ord(text[pos])
            for match, by_group, rule, slot in (by_char[code] if code < 128 else other):
                if slot >= 0 and fail_until[slot] > pos:
                    continue
                found = match(text, pos)
                if found is not None:
                    if by_group is not None:
                        rule = by_group[found.lastindex]
                    break
                if slot >= 0:
                    fail_until[slot] = scans[slot](text, pos).end() + 1
            else:
                line, column = loc[1], loc[3]
                raise JisonError(
                    f"Lexical error on line {yylineno + 1}. Unrecognized text.", line, column,
                    text=text[pos:pos + 20], token_line=line, token_column=column,
                )
            matched = found.group()
            if "\n" in matched:
                yylineno += matched.count("\n")
                self.yylineno = yylineno
                loc = (loc[1], yylineno + 1, loc[3], len(matched) - matched.rfind("\n") - 1)
            else:
                loc = (loc[1], yylineno + 1, loc[3], loc[3] + len(matched))
            self.loc = loc
            self.yytext = matched
            pos += len(matched)
            self.pos = pos
            token = simple[rule]
            if token is None:  # a rule with actions of its own
                token = self._act(rule)
            if token:
                yield token

    def _act(self, rule: int):
        for op in self.actions[rule]:
            kind = op[0]
            if kind == "return":
                return op[1]
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
        return False

    def resume(self, pos: int, loc: Loc, yylineno: int, yytext: str) -> None:
        """Goes on from ``pos`` as if a token ``yytext`` at ``loc`` had just been read there (a
        ``Shortcut`` read the text before it); the lexer states stay as they are."""
        self.pos, self.loc, self.yylineno, self.yytext = pos, loc, yylineno, yytext
        self.tokens = self._tokens()

    def upcoming(self) -> str:
        return self.text[self.pos:self.pos + 20].replace("\n", " ")


Action = Callable[[int, list, list], Any]
Handler = Callable[[Any, list, list], Any]


class Accept(Exception):
    """Raised by a semantic action that ends the parse with a value (jison's ``return``)."""

    def __init__(self, value) -> None:
        self.value = value


@cache
def handlers_for(g: Grammar, custom: frozenset[int] | None = None) -> list[Handler | None]:
    """Handlers that call one action function over production numbers: with them, ``parse``'s
    context is ``action`` and it is called as ``action(p, values, locations)`` for the productions
    in ``custom`` (every one when None); the others take the default value."""
    def bind(p: int) -> Handler:
        return lambda action, values, locations: action(p, values, locations)

    return [bind(p) if custom is None or p in custom else None for p in range(len(g.productions))]


SHORTCUT = 2 * ACCEPT  # codes at or below: a ``Shortcut`` is tried first (below every cycle code)


class Shortcut:
    """A faster way through the statements a text is mostly made of, for ``parse``.

    In each of ``states`` (those a list of statements is read in) with one of ``symbols`` ahead,
    ``parse`` first calls ``read(context, lexer, values, locations)`` (its stacks): it either returns
    None, having changed nothing, and ``parse`` goes on token by token, or it has read one or more
    whole statements as the grammar would, from where the token ahead starts: it has appended to the
    list on top of the stacks what the grammar appends (the one-token lines, each statement but the
    last), called the semantic actions the parse would call, in the same order, and left the lexer
    after the last statement with ``separator`` read (``Lexer.resume``); it returns the value and
    location of the ``nonterminal`` that statement reduces to, and ``parse`` puts that on the stack
    and goes on with ``separator`` ahead, exactly where the token-by-token parse would be. Whatever
    follows, errors included, is then the grammar's own."""

    def __init__(self, g: Grammar, states, symbols, nonterminal: int, separator: int, read) -> None:
        self.read = read
        self.nonterminal = nonterminal
        self.separator = separator
        self.originals: list[int] = []  # per shortcut code: the table's own action
        self.actions_of = [dict(row) for row in g.actions_of]
        for state in states:
            row = self.actions_of[state]
            for symbol in symbols:
                act = g.actions_of[state][symbol]
                if not (act >= 0 or SHORTCUT < act < ACCEPT):  # (``parse`` takes a shift or a cycle)
                    raise ValueError(f"no shortcut on a reduction: state {state}, symbol {symbol}")
                row[symbol] = SHORTCUT - len(self.originals)
                self.originals.append(act)


def parse(g: Grammar, text: str, handlers: list[Handler | None], context=None, lexer: Lexer | None = None,
          shortcut: Shortcut | None = None):
    """Parses ``text``; ``handlers[production](context, values, locations)`` returns each reduction's value,
    and a production whose handler is None takes jison's default value (the first symbol's). The
    list is read at each reduction, so a handler may swap entries while the parse runs.

    jison's loop, with one state per symbol on the stack (jison keeps the symbol too, unused);
    a reduction of one symbol replaces the top in place. The tables are ``Grammar.actions_of``
    (per state: terminal → shift ``s`` as s ≥ 0, reduce ``p`` as -p, ``ACCEPT``) and
    ``Grammar.goto``. ``lexer`` is the lexer to read with (one made over ``text`` when None),
    for actions that want to know where the parse is; ``shortcut`` reads whole statements where it can
    (``Shortcut``)."""
    if lexer is None:
        lexer = Lexer(g, text)
    actions_of, goto, reduce_info, chains, cycles = g.actions_of, g.goto, g.reduce_info, g.unit_runs, g.cycles
    if shortcut is not None:
        actions_of = shortcut.actions_of
    symbols = g.symbols
    defaults = g.default_code
    lex = lexer.tokens.__next__
    state = 0
    states = [0]
    vstack: list = [None]
    lstack: list = [lexer.loc]
    yyloc = lexer.loc
    yylineno = 0
    symbol = None
    while True:
        act = defaults[state]
        if act is None:
            if symbol is None:
                token = lex()
                symbol = token if token.__class__ is int else symbols.get(token, token)
            act = actions_of[state].get(symbol)
            if act is None:
                _parse_error(g, state, symbol, lexer, yylineno, yyloc)
        if act >= 0:  # shift
            state = act
            states.append(act)
            vstack.append(lexer.yytext)
            yyloc = lexer.loc
            lstack.append(yyloc)
            symbol = None
            yylineno = lexer.yylineno
        elif act > ACCEPT:  # reduce
            production = -act
            lhs, length = reduce_info[production]
            if length == 1:
                # a run of one-symbol reductions (``idString: idStringToken``, ``vertex: idString``,
                # …) goes at once to the state it ends in: the gotos all start from the same state
                # below, so the run depends on (that state, this state, the lookahead) only
                below = states[-2]
                run = chains.get((below, state, symbol))
                if run is None:
                    run = g.unit_run(below, state, symbol)
                state, reduced = run
                states[-1] = state
                for production in reduced:
                    handler = handlers[production]
                    if handler is not None:
                        try:
                            vstack[-1] = handler(context, vstack[-1:], lstack[-1:])
                        except Accept as done:
                            return done.value
            elif length:
                first, last = lstack[-length], lstack[-1]
                handler = handlers[production]
                if handler is not None:
                    try:
                        value = handler(context, vstack[-length:], lstack[-length:])
                    except Accept as done:
                        return done.value
                else:
                    value = vstack[-length]
                del states[-length:]
                del vstack[-length:]
                del lstack[-length:]
                state = goto[states[-1]][lhs]
                states.append(state)
                vstack.append(value)
                lstack.append((first[0], last[1], first[2], last[3]))
            else:
                value = None
                handler = handlers[production]
                if handler is not None:
                    try:
                        value = handler(context, [], [])
                    except Accept as done:
                        return done.value
                lstack.append(lstack[-1])
                state = goto[state][lhs]
                states.append(state)
                vstack.append(value)
        elif act == ACCEPT:
            return vstack[-1] if len(vstack) > 1 else True
        else:
            if act <= SHORTCUT:  # a statement may be read at once (``Shortcut``)
                done = shortcut.read(context, lexer, vstack, lstack)
                if done is not None:
                    state = goto[state][shortcut.nonterminal]
                    states.append(state)
                    vstack.append(done[0])
                    lstack.append(done[1])
                    symbol = shortcut.separator
                    lex = lexer.tokens.__next__
                    continue
                act = shortcut.originals[SHORTCUT - act]
                if act >= 0:  # a shift, as above
                    state = act
                    states.append(act)
                    vstack.append(lexer.yytext)
                    yyloc = lexer.loc
                    lstack.append(yyloc)
                    symbol = None
                    yylineno = lexer.yylineno
                    continue
            # a one-token line of a list, appended at once (``Grammar._find_cycles``)
            shifted, line, after, append = cycles[ACCEPT - 1 - act]
            value = lexer.yytext
            yyloc = loc = lexer.loc
            yylineno = lexer.yylineno
            token = lex()  # the next token, read in the shifted state as jison reads it
            symbol = token if token.__class__ is int else symbols.get(token, token)
            if symbol not in actions_of[shifted]:
                _parse_error(g, shifted, symbol, lexer, yylineno, yyloc)
            handler = handlers[line]
            if handler is not None:
                try:
                    value = handler(context, [value], [loc])
                except Accept as done:
                    return done.value
            if symbol not in actions_of[after]:
                _parse_error(g, after, symbol, lexer, yylineno, yyloc)
            first = lstack[-1]
            handler = handlers[append]
            if handler is not None:
                try:
                    vstack[-1] = handler(context, [vstack[-1], value], [first, loc])
                except Accept as done:
                    return done.value
            lstack[-1] = (first[0], loc[1], first[2], loc[3])


def _parse_error(g: Grammar, state: int, symbol, lexer: Lexer, yylineno: int, yyloc) -> None:
    terminals = g.terminals
    expected = [f"'{terminals[s]}'" for s in g.table[state] if s in terminals and s > TERROR]
    got = "end of input" if symbol == EOF else g.terminal_name(symbol)
    raise JisonError(
        f"Parse error on line {yylineno + 1}: expecting {', '.join(expected)}, got '{got}'",
        yyloc[0], yyloc[2], token=got, text=lexer.yytext, expected=expected,
        token_line=lexer.loc[0], token_column=lexer.loc[2],
    )
