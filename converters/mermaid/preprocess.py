"""What ``mermaid.parse`` does to a text before its grammar sees it, step by step as in mermaid's
``preprocess.ts``, ``detectType.ts`` and ``Diagram.fromText``: front matter (title, config),
``%%{init: …}%%`` directives, ``%%`` comment lines, the diagram keyword, and the entity codes
(``#quot;``) that mermaid hides from its lexer.

Mermaid deletes front matter, directives and comment lines before parsing, so its line numbers
count the lines that remain. This module keeps a map back to the lines of the text as written, and
the reader reports those.
"""
from __future__ import annotations

import bisect
import html
import json
import re
from dataclasses import dataclass, field

import yaml

# regexes.ts
FRONT_MATTER = re.compile(r"^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+", re.S)
DIRECTIVE = re.compile(
    r"%{2}{\s*(?:(\w+)\s*:|(\w+))\s*(?:(\w+)|((?:(?!}%{2}).|\r?\n)*))?\s*(?:}%{2})?", re.I | re.A
)
ANY_COMMENT = re.compile(r"\s*%%.*\n", re.M)
COMMENT_LINE = re.compile(r"^\s*%%(?!{)[^\n]+\n?", re.M)
HTML_TAG = re.compile(r"<(\w+)([^>]*)>", re.A)
HTML_ATTR = re.compile(r'="([^"]*)"')

# Diagram keywords, in mermaid's detector order for the ones that matter here.
_DETECT = [
    ("sequence", re.compile(r"\s*sequenceDiagram")),
    ("swimlane", re.compile(r"\s*swimlane-beta(?![A-Za-z0-9_])")),
    ("flowchart-v2", re.compile(r"\s*flowchart")),
    ("flowchart", re.compile(r"\s*graph")),
]
# Other diagram types mermaid knows: recognised so the error can say what the text is.
OTHER_TYPES = re.compile(
    r"\s*(classDiagram(?:-v2)?|erDiagram|gantt|pie|stateDiagram(?:-v2)?|journey|gitGraph|"
    r"requirementDiagram|mindmap|timeline|quadrantChart|sankey(?:-beta)?|xychart(?:-beta)?|block(?:-beta)?|"
    r"packet(?:-beta)?|architecture(?:-beta)?|kanban|radar(?:-beta)?|treemap(?:-beta)?|C4Context|C4Container|"
    r"C4Component|C4Dynamic|C4Deployment|info|zenuml|venn(?:-beta)?|ishikawa(?:-beta)?)\b"
)

# Diagram.fromText → utils.encodeEntities: mermaid's lexer never sees "#quot;" or "#35;".
_STYLE_SEMI = re.compile(r"style.*:\S*#.*;")
_CLASSDEF_SEMI = re.compile(r"classDef.*:\S*#.*;")
_ENTITY = re.compile(r"#\w+;")
_INT = re.compile(r"\+?\d+\Z")
ENTITY_NUMERIC_OPEN = "\ufb02\u00b0\u00b0"  # "ﬂ°°"
ENTITY_OPEN = "\ufb02\u00b0"  # "ﬂ°"
ENTITY_CLOSE = "\u00b6\u00df"  # "¶ß"
_ENCODED = re.compile("\ufb02\u00b0(\u00b0)?(.*?)\u00b6\u00df")


def encode_entities(text: str) -> str:
    text = _STYLE_SEMI.sub(lambda m: m.group()[:-1], text)
    text = _CLASSDEF_SEMI.sub(lambda m: m.group()[:-1], text)

    def one(m: re.Match) -> str:
        inner = m.group()[1:-1]
        return (ENTITY_NUMERIC_OPEN if _INT.match(inner) else ENTITY_OPEN) + inner + ENTITY_CLOSE

    return _ENTITY.sub(one, text)


def decode_entities(text: str) -> str:
    """Mermaid's entity codes as the characters they stand for: ``#quot;`` → ``"``, ``#35;`` → ``#``,
    ``#9829;`` → ``♥``. An unknown name stays as written."""
    if ENTITY_OPEN not in text:
        return text

    def one(m: re.Match) -> str:
        numeric, inner = m.group(1), m.group(2)
        if numeric:
            try:
                return chr(int(inner.lstrip("+")))
            except (ValueError, OverflowError):
                return f"#{inner};"
        decoded = html.unescape(f"&{inner};")
        return decoded if decoded != f"&{inner};" else f"#{inner};"

    return _ENCODED.sub(one, text)


@dataclass(slots=True)
class Preprocessed:
    code: str  # what the grammar parses (entities encoded, trailing "\n" added)
    diagram_type: str | None  # "flowchart-v2", "flowchart", "swimlane", "sequence", other name, or None
    title: str | None = None
    config: dict | None = None  # front matter config
    front_matter: str | None = None  # the YAML text as written
    init: list[str] = field(default_factory=list)  # %%{init: …}%% directives as written
    init_config: dict | None = None
    comments: list[tuple[int, str]] = field(default_factory=list)  # (original line, text after %%)
    line_map: list[int] = field(default_factory=list)  # preprocessed line (0-based) → original line (1-based)
    error: tuple[str, int, int] | None = None  # (message, line, column) for a front matter that is not YAML
    last_line: int = 1  # the text's last line

    def original_line(self, line: int) -> int:
        """The line of the text as written for a 1-based line of the preprocessed code."""
        if not self.line_map:
            return line
        index = min(max(line - 1, 0), len(self.line_map) - 1)
        return min(self.line_map[index] + max(0, line - 1 - index), self.last_line)


class _Removals:
    """Deletions of whole spans, kept in the coordinates of the original text."""

    def __init__(self, text: str) -> None:
        self.original = text
        self.kept: list[tuple[int, int]] = [(0, len(text))]  # original spans that remain, in order

    def text(self) -> str:
        return "".join(self.original[a:b] for a, b in self.kept)

    def remove(self, spans: list[tuple[int, int]]) -> None:
        """Removes spans given in the coordinates of ``self.text()``."""
        if not spans:
            return
        starts = []
        offset = 0
        for a, b in self.kept:
            starts.append(offset)
            offset += b - a
        cut: list[tuple[int, int]] = []
        for s, e in spans:
            cut.append((self._to_original(s, starts), self._to_original(e, starts, end=True)))
        result = []
        for a, b in self.kept:
            pieces = [(a, b)]
            for cs, ce in cut:
                next_pieces = []
                for pa, pb in pieces:
                    if ce <= pa or cs >= pb:
                        next_pieces.append((pa, pb))
                        continue
                    if pa < cs:
                        next_pieces.append((pa, cs))
                    if ce < pb:
                        next_pieces.append((ce, pb))
                pieces = next_pieces
            result.extend(p for p in pieces if p[1] > p[0])
        self.kept = result

    def _to_original(self, position: int, starts: list[int], end: bool = False) -> int:
        i = bisect.bisect_right(starts, position) - 1
        if end and i > 0 and starts[i] == position:
            i -= 1
        i = max(i, 0)
        a, b = self.kept[i]
        return min(a + (position - starts[i]), b)

    def line_map(self) -> list[int]:
        """For each line of ``text()``, the 1-based original line it starts on."""
        orig = self.original
        result: list[int] = []
        newline_offsets = [m.start() for m in re.finditer("\n", orig)]

        def line_of(offset: int) -> int:
            return bisect.bisect_right(newline_offsets, offset - 1) + 1

        kept = [(a, b) for a, b in self.kept if b > a]
        if not kept:
            return [1]
        result.append(line_of(kept[0][0]))
        for index, (a, b) in enumerate(kept):
            pos = orig.find("\n", a, b)
            while pos != -1:
                # the line that follows starts with the next character that was kept
                if pos + 1 < b:
                    result.append(line_of(pos + 1))
                elif index + 1 < len(kept):
                    result.append(line_of(kept[index + 1][0]))
                else:
                    result.append(line_of(pos + 1))
                pos = orig.find("\n", pos + 1, b)
        return result


def detect_type(text: str) -> str | None:
    text = FRONT_MATTER.sub("", text, count=1)
    text = DIRECTIVE.sub("", text)
    text = ANY_COMMENT.sub("\n", text)
    for name, pattern in _DETECT:
        if pattern.match(text):
            return name
    other = OTHER_TYPES.match(text)
    if other:
        return other.group(1)
    return None


def preprocess(text: str) -> Preprocessed:
    # cleanupText: CR/LF (already done by converters.text.decode) and HTML attribute quotes.
    if "<" in text:
        text = HTML_TAG.sub(lambda m: "<" + m.group(1) + HTML_ATTR.sub(r"='\1'", m.group(2)) + ">", text)
    removals = _Removals(text)
    result = Preprocessed(code="", diagram_type=None)

    match = FRONT_MATTER.match(text)
    if match:
        indent, body = match.group(1), match.group(2)
        if indent:
            body = "\n".join(line[len(indent):] if line.startswith(indent) else line for line in body.split("\n"))
        result.front_matter = body
        try:
            parsed = yaml.safe_load(body) if body.strip() else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = (mark.line + 2) if mark is not None else 2
            column = (mark.column + 1) if mark is not None else 1
            result.error = (f"the front matter is not valid YAML: {getattr(exc, 'problem', None) or exc}", line, column)
            parsed = None
        if isinstance(parsed, dict):
            if parsed.get("title"):
                result.title = str(parsed["title"])
            if parsed.get("config") is not None:
                result.config = parsed["config"] if isinstance(parsed["config"], dict) else {"": parsed["config"]}
        removals.remove([(0, match.end())])

    current = removals.text()
    spans = []
    for m in DIRECTIVE.finditer(current):
        if m.end() == m.start():
            continue
        spans.append((m.start(), m.end()))
        kind = (m.group(1) or m.group(2) or "").lower()
        if kind in ("init", "initialize"):
            result.init.append(m.group())
            raw = m.group(4)
            if raw:
                try:
                    value = json.loads(raw.strip().replace("'", '"'))
                    if isinstance(value, dict):
                        result.init_config = {**(result.init_config or {}), **value}
                except ValueError:
                    pass  # mermaid logs and ignores a directive it cannot read
    removals.remove(spans)

    current = removals.text()
    spans = []
    line_map_before = removals.line_map()
    for m in COMMENT_LINE.finditer(current):
        spans.append((m.start(), m.end()))
        comment = m.group().strip()
        line_index = current.count("\n", 0, m.start() + (len(m.group()) - len(m.group().lstrip())))
        result.comments.append((line_map_before[min(line_index, len(line_map_before) - 1)], comment[2:]))
    removals.remove(spans)

    current = removals.text()
    stripped = len(current) - len(current.lstrip())
    if stripped:
        removals.remove([(0, stripped)])
        current = current[stripped:]

    result.diagram_type = detect_type(current)
    result.last_line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
    result.line_map = removals.line_map()
    result.code = encode_entities(current) + "\n"
    return result


def is_encoded(text: str) -> bool:
    return ENTITY_OPEN in text
