"""Mermaid → model: ``flowchart``/``graph``, ``swimlane-beta`` and ``sequenceDiagram``.

The text goes through mermaid's own preprocessing (``preprocess.py``) and mermaid's own grammar
(``jison.py`` with the tables of mermaid 11.17), so the reader accepts what mermaid accepts and
rejects what it rejects. Positions are those of the text as written (mermaid counts lines after
removing front matter and comments; the reader maps them back).

The reader follows the one reader contract (``converters/formats.py``): it returns the diagram and
every diagnostic, and never raises for bad input; a rejected text gives an empty diagram and at
least one ERROR diagnostic.
"""
from __future__ import annotations

import re

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram
from . import flowchart, jison, sequence
from .comments import apply as apply_comments
from .preprocess import ENTITY_CLOSE, ENTITY_NUMERIC_OPEN, ENTITY_OPEN, Preprocessed, decode_entities, preprocess

_TOKEN_WORDS = {
    "EOF": "the end of the text",
    "NEWLINE": "a line break",
    "SPACE": "a space",
    "PE": "')'",
    "PS": "'('",
    "SQE": "']'",
    "SQS": "'['",
    "DIAMOND_STOP": "'}'",
    "DIAMOND_START": "'{'",
    "PIPE": "'|'",
    "end": "'end'",
    "LINK": "an arrow",
    "START_LINK": "the start of an arrow",
    "NODE_STRING": "a node id",
    "TEXT": "text",
    "STR": "a string",
    "AMP": "'&'",
    "SEMI": "';'",
}
_READS = ("flowchart", "flowchart-v2", "swimlane", "sequence")
_NUMERIC_ENTITY = re.compile(ENTITY_NUMERIC_OPEN + r"(\+?[0-9]+)" + ENTITY_CLOSE)


def _word(token: str | None) -> str:
    if token is None:
        return "text"
    return _TOKEN_WORDS.get(token.strip("'"), f"'{token.strip(chr(39))}'")


def read(text: str) -> tuple[Diagram, list[Diagnostic]]:
    out = Diagnostics()
    diagram = _read(text, out)
    return diagram, out.items


def _read(text: str, out: Diagnostics) -> Diagram:
    pre = preprocess(text)
    if pre.error is not None:
        message, line, column = pre.error
        out.add("SYNTAX_ERROR", message, line=line, column=column)
        return Diagram()
    if pre.unterminated is not None:
        line, column, to_the_end = pre.unterminated
        what = ("mermaid reads it to the end of the text and ignores it: nothing after it is part of the diagram"
                if to_the_end else "mermaid ignores it")
        out.add("UNTERMINATED_DIRECTIVE", f"this %%{{ directive is never closed with }}%%: {what}",
                line=line, column=column)
    if not _check_type(pre, out):
        return Diagram()
    _report_unencodable_entities(pre, out)
    kind = pre.diagram_type
    try:
        if kind == "sequence":
            diagram = sequence.read(pre, out)
        else:
            db = flowchart.parse(pre)
            diagram = flowchart.build(db, pre, out, swimlane=(kind == "swimlane"))
    except jison.JisonError as exc:
        if not (kind != "sequence" and exc.token in ("EOF", "end of input") and _unclosed(pre, out)):
            _report(exc, pre, out)
        return Diagram()
    except (flowchart.FlowError, sequence.SequenceError) as exc:
        line = pre.original_line(exc.loc[0]) if exc.loc is not None else None
        column = exc.loc[2] + 1 if exc.loc is not None else None
        out.add(getattr(exc, "code", "SYNTAX_ERROR"), exc.message, line=line, column=column)
        return Diagram()
    # ``%%`` comments: those the writer left (``%% flowzap: …``) are read back into the model; the
    # others are kept as text so that a Mermaid round trip keeps them.
    apply_comments(diagram, pre.comments)
    return diagram


def _check_type(pre: Preprocessed, out: Diagnostics) -> bool:
    """Whether the text is a diagram this reader takes; if not, says what it is."""
    kind = pre.diagram_type
    if kind in _READS:
        return True
    if kind is None:
        stripped = pre.code.strip()
        if not stripped:
            out.add("EMPTY_DIAGRAM", "no diagram: the text holds no flowchart, graph, swimlane-beta or "
                    "sequenceDiagram", line=1, column=1)
        else:
            first = decode_entities(stripped.split("\n", 1)[0])
            out.add("SYNTAX_ERROR", f"no diagram type detected: {first[:40]!r} is not a Mermaid diagram "
                    "keyword (flowchart, graph, swimlane-beta, sequenceDiagram, …)",
                    line=pre.original_line(1), column=1)
        return False
    out.add("UNSUPPORTED_DIAGRAM", f"this is a Mermaid {kind}; the reader takes flowchart, graph, "
            "swimlane-beta and sequenceDiagram", line=pre.original_line(1), column=1)
    return False


def _report_unencodable_entities(pre: Preprocessed, out: Diagnostics) -> None:
    """A warning at each numeric entity code (``#1;``, ``#55296;``, ``#65535;``) for a character no
    text can carry: the labels read it as U+FFFD (``preprocess.decode_entities``)."""
    if ENTITY_NUMERIC_OPEN not in pre.code:
        return
    code = pre.code
    line, column, counted = 1, 0, 0  # the line and 0-based column (as written) of offset ``counted``
    for match in _NUMERIC_ENTITY.finditer(code):
        if decode_entities(match.group()) != "\ufffd":
            continue
        segment = code[counted:match.start()]
        newlines = segment.count("\n")
        if newlines:
            line += newlines
            segment = segment[segment.rfind("\n") + 1:]
            column = 0
        column += len(_as_written(segment))
        counted = match.start()
        out.add("UNENCODABLE_ENTITY", f"#{match.group(1)}; is the code of a character no text can carry (a control, "
                "a surrogate or a noncharacter); read as U+FFFD", line=pre.original_line(line), column=column + 1)


def _as_written(code: str) -> str:
    """Preprocessed code with its entity markers back as ``#…;``, as mermaid's own decoding does."""
    return code.replace(ENTITY_NUMERIC_OPEN, "#").replace(ENTITY_OPEN, "#").replace(ENTITY_CLOSE, ";")


def _report(exc: jison.JisonError, pre: Preprocessed, out: Diagnostics) -> None:
    line = pre.original_line(exc.line)
    column = exc.column + 1
    if exc.token is None:  # lexical error
        text = decode_entities(exc.text[:20])
        out.add("SYNTAX_ERROR", f"mermaid cannot read the text here ({text!r})", line=line, column=column)
        return
    expected = ", ".join(_word(e) for e in exc.expected[:8])
    more = " …" if len(exc.expected) > 8 else ""
    got = _word(exc.token)
    if exc.text and exc.token not in ("EOF", "end of input"):
        shown = decode_entities(exc.text.strip()[:30])
        got += f" {shown!r}" if shown else ""
    where = ""
    if exc.token_line is not None and (exc.token_line, exc.token_column) != (exc.line, exc.column):
        where = f" at line {pre.original_line(exc.token_line)}, column {exc.token_column + 1}"
    out.add("SYNTAX_ERROR", f"mermaid's parser stops after this token: found {got}{where}; "
            f"expected {expected}{more}", line=line, column=column)


def _unclosed(pre: Preprocessed, out: Diagnostics) -> bool:
    """At the end of the text, an error caused by a subgraph that was never closed: say which."""
    g = jison.grammar("flow")
    lexer = jison.Lexer(g, pre.code)
    opened: list[tuple[int, int, int]] = []  # (line, column, offset after the keyword)
    subgraph, end = g.symbols["subgraph"], g.symbols["end"]
    try:
        while True:
            token = lexer.lex()
            if token == subgraph:
                opened.append((lexer.loc[0], lexer.loc[2], lexer.pos))
            elif token == end and opened:
                opened.pop()
            elif token in (jison.EOF, g.symbols.get("EOF")):
                break
    except jison.JisonError:
        return False
    if not opened:
        return False
    line, column, after = opened[-1]
    newline = pre.code.find("\n", after)
    rest = decode_entities(pre.code[after:newline if newline >= 0 else len(pre.code)].strip()[:60])
    name = f" {rest!r}" if rest else ""
    out.add("SYNTAX_ERROR", f"subgraph{name} is opened here and never closed with end",
            line=pre.original_line(line), column=column + 1)
    return True
