"""The flowchart lines most diagrams are made of, read whole (a ``jison.Shortcut`` for ``flowchart.parse``).

A generated flowchart of 5,000 nodes has 11,000 lines, nearly all of three shapes — ``n1["Step 1"]``,
``n1 --> n2``, ``n7 -->|"Yes"| n8`` — and mermaid's documentation writes the same ones. Token by
token, each costs a dozen lexer steps and thirty parser steps; here one anchored regular expression
per node and per link reads it, and the semantic actions are called as the grammar would call them.

What a line may hold to be read here (anything else goes through mermaid's grammar token by token):
indentation of spaces and tabs; a chain ``node (link node)*``; a newline. A node is an id (a plain
word, words joined by ``-``, or digits), optionally a shape ``[…]``, ``(…)``, ``((…))`` or ``{…}``
with a quoted (``"…"``) or plain label on the line, optionally shape data ``@{ … }`` on the line. A
link is one of mermaid's arrows (``-->``, ``---``, ``==>``, ``-.->``, ``~~~``, with ``x o <``
heads, any length), optionally with ``|label|``. The checks below keep out every text on which
mermaid's lexer would cut other tokens than these (its rules are tried in order and the first that
matches wins, whatever comes after):

- ids: not a keyword of the lexer (``end``, ``style``, ``v``, …; ``x`` and ``o``, which start
  arrows), alone or before a ``-``; the character after an id is one no NODE_STRING can go on with;
- no ``@`` outside quotes but the ``@{`` of shape data (``A[a@b]`` starts an edge id, rule 61);
- no line holding ``direction`` when the text holds it (``.*direction\\s+TB`` takes the whole line);
- labels: on the line, without ``~`` (``~~~`` inside a label is an arrow), not starting with ``/``,
  ``\\``, ``-`` or a backquote (other shapes, markdown strings); a closing bracket not followed by
  another one (``])`` is a stadium's end);
- arrows: only the spaces and tabs around them (mermaid's ``\\s*`` also takes a newline), and no
  arrow where mermaid starts an edge text (``-- text -->``); after the line's newlines, spaces or
  tabs and a character no arrow starts with (else mermaid may read the next line as this one's
  continuation);
- the line is one line: no newline in a label or in shape data.

``tests/test_mermaid_flow_lines.py`` reads every Mermaid text of the tests, and generated and
mutated ones, with and without this shortcut, and requires the same diagram and diagnostics.
"""
from __future__ import annotations

import re
from functools import cache

from . import jison

_SPACE = f"[{jison._JS_SPACE}]"  # JavaScript's \s
# ids the lexer reads as keywords (or as the start of an arrow), alone or before a "-"
KEYWORDS = ("style", "default", "linkStyle", "interpolate", "classDef", "class", "href", "click", "call", "graph",
            "flowchart", "swimlane", "subgraph", "end", "_self", "_blank", "_parent", "_top", "v", "x", "o",
            "accTitle", "accDescr", "direction")
_KEYWORD_START = "".join(sorted({word[0] for word in KEYWORDS}))  # (a cheap test first)
_ID = (rf"(?:(?:(?![{_KEYWORD_START}])|(?!(?:{'|'.join(KEYWORDS)})(?![A-Za-z0-9_])))"
       r"[A-Za-z_][A-Za-z0-9_]*+(?:-[A-Za-z0-9_]++)*+|[0-9]++)")
# what would make mermaid's NODE_STRING (or NUM) token go on after the id
_ID_END = r"""(?![A-Za-z0-9!"\#$%&'*+.`?\\_/]|-[^>\-.])"""
# a label: quoted (mermaid's STR), or plain (its TEXT: one token up to the closing bracket); a label
# or shape data holding a newline is refused with its line (``FlowLines._line``)
_LABEL = r'''(?:"(?!`)[^"]++"|[^\[\](){}|"~@/\\\-][^\[\](){}|"~@]*+)'''
_SHAPE = (rf"(?>\[{_LABEL}\](?![\])])|\(\({_LABEL}\)\)(?![\])])|\({_LABEL}\)(?![\])])|\{{{_LABEL}\}})")
_NODE = rf"({_ID}){_ID_END}({_SHAPE})?(?:@\{{([^}}^\"@]++)\}})?"


def _arrow_cores() -> list[tuple[str, bool]]:
    """The flowchart lexer's arrow rules of the INITIAL state in order, without their ``\\s*`` ends:
    (pattern, whether its token is LINK — else START_LINK, where an edge text starts)."""
    g = jison.grammar("flow")
    link, start_link = g.symbols["LINK"], g.symbols["START_LINK"]
    import json  # (the rules as mermaid writes them; ``Grammar`` keeps them translated)
    rules = json.loads((jison._GRAMMAR_DIR / "flow.json").read_text(encoding="utf-8"))["lexer"]
    cores = []
    for index in rules["conditions"]["INITIAL"]["rules"]:
        source = rules["rules"][index]["source"]
        returns = [op[1] for op in g.actions[index] if op[0] == "return"]
        if returns and returns[0] in (link, start_link) and source.startswith("^(?:\\s*"):
            if not source.endswith("\\s*)"):
                raise ValueError(f"flow lexer rule {index} is not an arrow between \\s*: {source}")
            core = jison.translate_js_regex(source[len("^(?:\\s*"):-len("\\s*)")])
            cores.append((core, returns[0] == link))
    return cores


def _arrow() -> str:
    """An arrow as mermaid's lexer cuts it: the first arrow rule that matches decides, and an edge
    text start (START_LINK) fails the line."""
    pattern = "(?!)"
    for core, is_link in reversed(_arrow_cores()):
        pattern = f"(?>{core}|{pattern})" if is_link else f"(?!{core}){pattern}"
    return rf"[ \t]*+{pattern}[ \t]*+(?!{_SPACE})"


# the end of a line: its newlines (mermaid's NEWLINE token), when what follows them cannot start an
# arrow (mermaid's arrows start with \s*: one there would go on with this line); each pattern below
# ends with it when the line ends there
_END = r"(?:((?:\r?\n)++)(?=[ \t]*+[A-Za-np-wyz0-9_]|[ \t]*+[xo](?![-=.])|[ \t]*+\Z))?"


@cache
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """(first, first where the text says ``direction``, step), compiled at the first Mermaid read:
    the arrows come from the flowchart grammar, whose loading (~0.3 s) would otherwise be paid at
    import by every process, the CLI converting FlowZap to BPMN included."""
    first = re.compile(rf"([ \t]*+){_NODE}{_END}")  # groups: indent, id, shape, data, newlines
    first_no_direction = re.compile(rf"(?![^\n]*direction)([ \t]*+){_NODE}{_END}")
    # groups: arrow, label, space, id, shape, data, newlines (one space at most after the label:
    # ``link: linkStatement arrowText SPACE``)
    step = re.compile(rf"({_arrow()})(?:\|({_LABEL})\|([ \t]?+))?{_NODE}{_END}")
    return first, first_no_direction, step

_FIRST_END, _STEP_END = 5, 7
_SHAPES = {"[": "square", "(": "round", "{": "diamond"}


class FlowLines:
    """``read`` for a ``jison.Shortcut`` over one text (``flowchart.parse``)."""

    __slots__ = ("arrows", "first", "step", "skip_until")

    def __init__(self, code: str) -> None:
        first, first_no_direction, step = _patterns()
        self.first = first_no_direction.match if "direction" in code else first.match
        self.step = step.match
        self.skip_until = 0  # a line the shortcut failed on is not tried again (one try per line)
        self.arrows: dict[str, tuple] = {}  # arrow as written → FlowDB.destruct_link's values, in this text

    def read(self, db, lexer: jison.Lexer, values: list, locations: list):
        """Reads lines from where the token ahead starts, as long as they are lines it reads; the
        last one's vertexStatement, or None (see ``jison.Shortcut``)."""
        start = lexer.pos - len(lexer.yytext)
        if start < self.skip_until or len(lexer.stack) != 1:
            return None
        text = lexer.text
        steps = self._line(text, start)
        if steps is None:
            return None
        statements = values[-1]
        line, column = lexer.loc[0], lexer.loc[2]
        yylineno = lexer.yylineno
        while True:
            value, loc = self._run(db, statements, steps, start - column, line)
            end = steps[-1]
            group = end.lastindex
            newlines = end.group(group)
            count = newlines.count("\n")
            newline_loc = (line, line + count, end.start(group) - start + column, 0)
            yylineno += count
            start, line, column = end.end(), line + count, 0
            steps = self._line(text, start)
            if steps is None:
                lexer.resume(start, newline_loc, yylineno, newlines)
                return value, loc
            # between two such lines the grammar shifts the newline, reads the next token (a space,
            # an id or a number) and reduces separator, statement, line and document: the statement's
            # nodes (``statement: vertexStatement separator``) join the list
            statements.append(value["rnodes"][::-1])
            first = locations[-1]
            locations[-1] = (first[0], newline_loc[1], first[2], 0)

    def _line(self, text: str, start: int) -> list[re.Match] | None:
        """The matches of a line from ``start``: the first node, then each link with its node, the
        last one with the newlines; None (and the line is not tried again) if it is not a line read
        here."""
        m = self.first(text, start)
        if m is None:
            return self._fail(text, start)
        steps = [m]
        if m.lastindex == _FIRST_END:
            if text.find("\n", start, m.start(_FIRST_END)) >= 0:
                return self._fail(text, start)
            return steps
        step = self.step
        while True:
            m = step(text, m.end())
            if m is None:
                return self._fail(text, start)
            steps.append(m)
            if m.lastindex == _STEP_END:
                break
        if text.find("\n", start, m.start(_STEP_END)) >= 0:  # (a label over more than one line)
            return self._fail(text, start)
        return steps

    def _fail(self, text: str, start: int) -> None:
        newline = text.find("\n", start)
        self.skip_until = newline if newline >= 0 else len(text)
        return None

    def _run(self, db, statements: list, steps: list[re.Match], base: int, line: int):
        """The semantic actions the grammar calls for one line (``steps``: its matches), in its
        order: each vertex when the token after it is read, its shape data and the link to it when
        the token after those is. Returns the vertexStatement's value and location; ``base``: the
        offset of column 0."""
        first = steps[0]
        indent, ident, shape, data, _ = first.groups()
        if indent:
            statements.extend(indent)  # each space is a line of its own (``line: SPACE``)
        node_end = _vertex(db, first, 2, ident, shape, data, line, base)
        previous = ident
        ids = [ident]
        arrows = self.arrows
        for m in steps[1:]:
            arrow, label, _, ident, shape, data, _ = m.groups()
            known = arrows.get(arrow)
            if known is None:
                link = db.destruct_link(arrow)
                known = arrows[arrow] = (link["type"], link["stroke"], link["length"])
            link = {"type": known[0], "stroke": known[1], "length": known[2]}
            id_start = m.start(4)
            if label is not None:
                link["text"] = _label(label)
                link_end = id_start  # (after the closing "|" and the space after it)
            else:
                link_end = m.end(1)
            node_end = _vertex(db, m, 4, ident, shape, data, line, base)
            # (``FlowDB.add_link`` of one start and one end, without an edge id)
            db.add_single_link(previous, ident, link, None, (line, line, m.start(1) - base, link_end - base))
            previous = ident
            ids.append(ident)
        return {"stmt": [previous], "rnodes": ids}, (line, line, steps[0].start(2) - base, node_end - base)


def _label(text: str) -> dict:
    """A label as the grammar's ``text`` value: a quoted one is a string (STR), a plain one text."""
    if text[0] == '"':
        return {"text": text[1:-1], "type": "string"}
    return {"text": text, "type": "text"}


def _vertex(db, match, group: int, ident: str, shape: str | None, data: str | None, line: int, base: int) -> int:
    """The vertex production of one node of ``match`` (its id is ``group``, its shape and shape data
    the two groups after), then its shape data as the grammar adds it; returns where the node ends."""
    id_start, id_end = match.span(group)
    id_loc = (line, line, id_start - base, id_end - base)
    if shape is None:
        db.add_vertex(ident, loc=id_loc)
        node_end = id_end
    else:
        _shaped_vertex(db, ident, shape, id_loc)
        node_end = match.end(group + 1)
    if data is not None:
        db.add_vertex(ident, metadata=data, loc=(line, line, id_start - base, node_end - base))
        node_end = match.end(group + 2)  # (the last SHAPE_DATA token ends before the "}")
    return node_end


def _shaped_vertex(db, ident: str, shape: str, loc) -> None:
    """The vertex production of a node with a shape (``vertex: idString SQS text SQE`` …)."""
    if shape[0] == "(" and shape[1] == "(":
        label, kind = shape[2:-2], "circle"
    else:
        label, kind = shape[1:-1], _SHAPES[shape[0]]
    if label[0] == '"':
        db.add_labelled_vertex(ident, label[1:-1], "string", kind, loc)
    else:
        db.add_labelled_vertex(ident, label, "text", kind, loc)
