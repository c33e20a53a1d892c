"""Mermaid → model: ``flowchart``/``graph``, ``swimlane-beta`` and ``sequenceDiagram``.

The text goes through mermaid's own preprocessing (``preprocess.py``) and mermaid's own grammar
(``jison.py`` with the tables of mermaid 11.17), so the reader accepts what mermaid accepts and
rejects what it rejects. Positions are those of the text as written (mermaid counts lines after
removing front matter and comments; the reader maps them back).
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram
from . import flowchart, jison, sequence
from .preprocess import Preprocessed, preprocess

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


def _word(token: str | None) -> str:
    if token is None:
        return "text"
    return _TOKEN_WORDS.get(token.strip("'"), f"'{token.strip(chr(39))}'")


def read(text: str) -> tuple[Diagram, list[Diagnostic]]:
    out = Diagnostics()
    pre = preprocess(text)
    if pre.error is not None:
        message, line, column = pre.error
        out.add("SYNTAX_ERROR", message, line=line, column=column)
        out.raise_if_errors("mermaid")
    kind = pre.diagram_type
    if kind is None:
        stripped = pre.code.strip()
        if not stripped:
            out.add("EMPTY_DIAGRAM", "no diagram: the text holds no flowchart, graph, swimlane-beta or "
                    "sequenceDiagram", line=1, column=1)
        else:
            first = stripped.split("\n", 1)[0]
            out.add("SYNTAX_ERROR", f"no diagram type detected: {first[:40]!r} is not a Mermaid diagram "
                    "keyword (flowchart, graph, swimlane-beta, sequenceDiagram, …)",
                    line=pre.original_line(1), column=1)
        out.raise_if_errors("mermaid")
    if kind not in ("flowchart", "flowchart-v2", "swimlane", "sequence"):
        out.add("UNSUPPORTED_DIAGRAM", f"this is a Mermaid {kind}; the reader takes flowchart, graph, "
                "swimlane-beta and sequenceDiagram", line=pre.original_line(1), column=1)
        out.raise_if_errors("mermaid")
    try:
        if kind == "sequence":
            diagram = sequence.read(pre, out)
        else:
            db = flowchart.parse(pre)
            diagram = flowchart.build(db, pre, out, swimlane=(kind == "swimlane"))
    except jison.JisonError as exc:
        if not (kind != "sequence" and exc.token in ("EOF", "end of input") and _unclosed(pre, out)):
            _report(exc, pre, out)
    except (flowchart.FlowError, sequence.SequenceError) as exc:
        line = pre.original_line(exc.loc[0]) if exc.loc is not None else None
        column = exc.loc[2] + 1 if exc.loc is not None else None
        code = "UNKNOWN_SHAPE" if exc.message.startswith("No such shape") else "SYNTAX_ERROR"
        out.add(code, exc.message, line=line, column=column)
    out.raise_if_errors("mermaid")
    _keep_comments(diagram, pre)
    return diagram, out.items


def _report(exc: jison.JisonError, pre: Preprocessed, out: Diagnostics) -> None:
    line = pre.original_line(exc.line)
    column = exc.column + 1
    if exc.token is None:  # lexical error
        out.add("SYNTAX_ERROR", f"mermaid cannot read the text here ({exc.text[:20]!r})", line=line, column=column)
        return
    expected = ", ".join(_word(e) for e in exc.expected[:8])
    more = " …" if len(exc.expected) > 8 else ""
    got = _word(exc.token)
    if exc.text and exc.token not in ("EOF", "end of input"):
        got += f" {exc.text.strip()[:30]!r}" if exc.text.strip() else ""
    where = ""
    if exc.token_line is not None and (exc.token_line, exc.token_column) != (exc.line, exc.column):
        where = f" at line {pre.original_line(exc.token_line)}, column {exc.token_column + 1}"
    out.add("SYNTAX_ERROR", f"mermaid's parser stops after this token: found {got}{where}; "
            f"expected {expected}{more}", line=line, column=column)


def _unclosed(pre: Preprocessed, out: Diagnostics) -> bool:
    """At the end of the text, an error caused by a subgraph that was never closed: say which."""
    g = jison.grammar("flow")
    lexer = jison.Lexer(g, pre.code)
    opened: list[tuple[int, int, str]] = []
    subgraph, end = g.symbols["subgraph"], g.symbols["end"]
    try:
        while True:
            token = lexer.lex()
            if token == subgraph:
                rest = pre.code[lexer.pos:].split("\n", 1)[0].strip()
                opened.append((lexer.loc[0], lexer.loc[2], rest))
            elif token == end and opened:
                opened.pop()
            elif token in (jison.EOF, g.symbols.get("EOF")):
                break
    except jison.JisonError:
        return False
    if not opened:
        return False
    line, column, rest = opened[-1]
    name = f" {rest!r}" if rest else ""
    out.add("SYNTAX_ERROR", f"subgraph{name} is opened here and never closed with end",
            line=pre.original_line(line), column=column + 1)
    return True


def _keep_comments(diagram: Diagram, pre: Preprocessed) -> None:
    """``%%`` comments: those the writer left (``%% flowzap: …``) are read back into the model by
    ``comments.apply``; the others are kept as text so a Mermaid round trip keeps them."""
    from .comments import apply

    apply(diagram, pre.comments)
