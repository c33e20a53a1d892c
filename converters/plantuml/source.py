"""The text of one PlantUML diagram as numbered, trimmed lines, and which kind of diagram it is.

PlantUML reads the lines between ``@startuml`` and ``@enduml``; a line whose first non-blank
character is ``'`` is a comment, and ``/' … '/`` comments may span lines. Preprocessor lines
(``!pragma``, ``!theme``, ``!define`` …) are kept apart: the readers keep or report them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..diagnostics import Diagnostics


@dataclass(slots=True)
class Line:
    number: int  # 1-based line in the source text
    column: int  # 1-based column of the first non-blank character
    text: str  # trimmed


@dataclass(slots=True)
class Source:
    lines: list[Line] = field(default_factory=list)
    directives: list[Line] = field(default_factory=list)  # ! lines
    comments: list[Line] = field(default_factory=list)  # ' lines (the text after the ')
    start: Line | None = None  # the @startuml line
    kind: str = "activity"  # activity | legacy | sequence | other | empty


_START = re.compile(r"@start([a-z0-9_]+)\b", re.I)
_END = re.compile(r"@end[a-z0-9_]+\b", re.I)


def split(text: str, out: Diagnostics) -> Source:
    """The lines of the first diagram in ``text`` (all of the text when it has no ``@start``)."""
    source = Source()
    raw = text.split("\n")
    begin, finish = 0, len(raw)
    for index, row in enumerate(raw):
        match = _START.match(row.strip())
        if match:
            if match.group(1).lower() != "uml":
                source.kind = "other"
            source.start = Line(index + 1, len(row) - len(row.lstrip()) + 1, row.strip())
            begin = index + 1
            break
    if source.start is not None:
        for index in range(begin, len(raw)):
            if _END.match(raw[index].strip()):
                finish = index
                break
        else:
            out.add("SYNTAX_ERROR", "@startuml without @enduml", line=source.start.number, column=1)
    in_block = False
    for index in range(begin, finish):
        row = raw[index]
        stripped = row.strip()
        if in_block:
            end = row.find("'/")
            if end < 0:
                continue
            in_block = False
            row = " " * (end + 2) + row[end + 2:]
            stripped = row.strip()
        if stripped.startswith("/'"):
            start = row.find("/'")
            end = row.find("'/", start + 2)
            if end < 0:
                in_block = True
                continue
            row = row[:start] + " " * (end + 2 - start) + row[end + 2:]
            stripped = row.strip()
        if not stripped:
            continue
        line = Line(index + 1, len(row) - len(row.lstrip()) + 1, stripped)
        if stripped.startswith("'"):
            source.comments.append(Line(line.number, line.column, stripped[1:]))
        elif stripped.startswith("!"):
            source.directives.append(line)
        else:
            source.lines.append(line)
    if source.kind != "other":
        source.kind = classify(source.lines)
    return source


_LEGACY_ARROW = re.compile(r"^(?:\"[^\"]*\"\s*)?-+(?:(?:up|down|left|right|le?|ri?|do?|\[[^\]]*\])-*)?>"
                           r"\s*(?:\[[^\]]*\]\s*)?[\"(=\w]")
# "A" --> "B" (a quoted source, a plain or coloured arrow, a name): an old-syntax link and a sequence message
# both; PlantUML tries the sequence diagram first, so the line alone makes no old-syntax diagram.
_QUOTED_MESSAGE = re.compile(r"\"[^\"]*\"\s*-+(?:\[[^\]]*\]-*)?>\s*[\w\"]")
_ACTIVITY3 = re.compile(
    r"(?:start|stop|kill|detach|repeat|fork|fork again|end fork|end merge|split|split again|end split|"
    r"endif|endwhile|endswitch)\s*$|:|\|[^|]+\||(?:if|while|switch|elseif|else\s*if|case)\s*\(|"
    r"repeat\s*(?::|while)|end\s*(?:fork|merge|split)\b|partition\b|backward\s*:|label\s|goto\s",
    re.I)
_SEQUENCE = re.compile(
    r"(?:participant|actor|boundary|control|entity|database|collections|queue|create|activate|deactivate|"
    r"destroy|autonumber|return|alt|opt|loop|par|critical|ref\s+over|box|autoactivate)\b|"
    r"==[^=]|\.\.\.|\|\|\d*\|\|", re.I)
_NOT_IN_NAME = frozenset(' \t"-<>[]&:;()|')


def _looks_like_message(text: str) -> bool:
    """A participant (a word, a "quoted name", or [ ? for the diagram's edge), then an arrow.
    String operations, not a pattern: a name and an arrow's head can share letters (o, x)."""
    dash = text.find("-")
    if dash < 0:
        return False
    head = text[:dash].rstrip("<ox/\\*").rstrip()
    if head in ("", "[", "?"):
        return True
    named = head.lower().find(" as ")  # "Long name" as L, L as "Long name"
    if named > 0:
        first, second = head[:named].strip(), head[named + 4:].strip()
        return first.startswith('"') != second.startswith('"') and _is_name(first) and _is_name(second)
    return _is_name(head)


def _is_name(text: str) -> bool:
    if text.startswith('"'):
        return len(text) > 1 and text.endswith('"') and text.count('"') == 2
    return text != "" and not any(char in _NOT_IN_NAME for char in text)


def is_statement(text: str) -> bool:
    """True when ``classify`` counts the line as a statement of some diagram kind (a writer keeps
    no such line inside a settings block, where it would change what the text is read as)."""
    text = text.strip()
    return text.startswith((":", "|")) or "(*)" in text or "(*top)" in text or \
        (text.startswith("===") and text.endswith("===")) or bool(_LEGACY_ARROW.match(text)) or \
        bool(_SEQUENCE.match(text)) or bool(_ACTIVITY3.match(text)) or _looks_like_message(text)


def classify(lines: list[Line]) -> str:
    """The diagram PlantUML would assume: a legacy activity when a ``(*)`` or a ``===`` bar is
    there, a new-syntax activity when a statement only that language has is there, else a sequence
    when messages and participants outnumber them; empty without any statement."""
    if not lines:
        return "empty"
    activity = sequence = 0
    for line in lines:
        text = line.text
        if text.startswith(":") or (text.startswith("|") and not text.startswith("||")):
            activity += 1  # an action or a swimlane, whatever its text holds
            continue
        if "(*)" in text or "(*top)" in text or (text.startswith("===") and text.endswith("===")):
            return "legacy"
        if _LEGACY_ARROW.match(text) and not text.endswith(";"):
            if not _QUOTED_MESSAGE.match(text):
                return "legacy"
            sequence += 1
            continue
        if _SEQUENCE.match(text):
            sequence += 1
        elif _ACTIVITY3.match(text):
            activity += 1
        elif _looks_like_message(text) and not text.endswith(";"):
            sequence += 1
    # the language with more statements of its own (a sequence may hold a stray ``partition``)
    return "sequence" if sequence > activity else "activity"
