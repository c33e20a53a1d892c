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

from . import jison

# regexes.ts (directiveRegex), with JavaScript's dot
DIRECTIVE = re.compile(
    r"%{2}{\s*(?:(\w+)\s*:|(\w+))\s*(?:(\w+)|((?:(?!}%{2})[^\n\r\u2028\u2029]|\r?\n)*))?\s*(?:}%{2})?",
    re.IGNORECASE | re.ASCII,
)
HTML_ATTR = re.compile(r'="([^"]*)"')
_TAG_START = re.compile(r"<(\w+)", re.ASCII)
_NEWLINES = re.compile(r"[\n\r]")
_SPACES = re.compile(r"\s*")

# Mermaid's other patterns (front matter, comments, HTML tags, the style/classDef ";" rule) are
# written here as loops: as regular expressions they re-scan the same text from every position
# (blank lines, spaces, an unclosed "<a" or "---"), in time that grows with the square of the text
# or worse (issue 11). Each function says which of mermaid's expressions it computes.

# JavaScript's \s, which mermaid's detectors use: it takes U+FEFF (a second byte-order mark,
# or one after a comment line) and not Python's \x1c-\x1f and \x85.
_JS_SPACES = f"[{jison._JS_SPACE}]*"
_JS_SPACES_AT_START = re.compile(_JS_SPACES)
# Diagram keywords, in mermaid's detector order for the ones that matter here.
_DETECT = [
    ("sequence", re.compile(_JS_SPACES + r"sequenceDiagram")),
    ("swimlane", re.compile(_JS_SPACES + r"swimlane-beta(?![A-Za-z0-9_])")),
    ("flowchart-v2", re.compile(_JS_SPACES + r"flowchart")),
    ("flowchart", re.compile(_JS_SPACES + r"graph")),
]
# Other diagram types mermaid knows: recognised so the error can say what the text is.
OTHER_TYPES = re.compile(
    _JS_SPACES + r"(classDiagram(?:-v2)?|erDiagram|gantt|pie|stateDiagram(?:-v2)?|journey|gitGraph|"
    r"requirementDiagram|mindmap|timeline|quadrantChart|sankey(?:-beta)?|xychart(?:-beta)?|block(?:-beta)?|"
    r"packet(?:-beta)?|architecture(?:-beta)?|kanban|radar(?:-beta)?|treemap(?:-beta)?|C4Context|C4Container|"
    r"C4Component|C4Dynamic|C4Deployment|info|zenuml|venn(?:-beta)?|ishikawa(?:-beta)?)\b"
)

def front_matter(text: str) -> tuple[str, str, int] | None:
    r"""mermaid's front matter at the start of ``text`` — the match of
    ``^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+`` (dot matching newlines) — as
    (indent, YAML body, end of the match), or None."""
    i = 0
    while i < len(text) and text[i].isspace() and text[i] not in "\n\r":
        i += 1
    indent = text[:i]
    if not text.startswith("---", i):
        return None
    run_start, run_end = i + 3, _SPACES.match(text, i + 3).end()
    # where the body may start: after any newline of the run, the last one first (\s* is greedy)
    openings = [m.end() for m in _NEWLINES.finditer(text, run_start, run_end)]
    if not openings:
        return None
    fence = indent + "---"
    for newline in _NEWLINES.finditer(text, openings[-1]):
        end = _closing(text, newline.start(), fence)
        if end is not None:
            return indent, text[openings[-1]:newline.start()], end
    # a shorter opening run: the body can then only end on the newline just before the fence
    # that closes the run itself ("---\n\n---\n": an empty body)
    b = run_end - len(indent) - 1
    if b >= run_start and text[b] in "\n\r":
        end = _closing(text, b, fence)
        if end is not None:
            for opening in reversed(openings):
                if opening <= b:
                    return indent, text[opening:b], end
    return None


def _closing(text: str, newline: int, fence: str) -> int | None:
    r"""``[\n\r]\1-{3}\s*[\n\r]+`` at ``newline``: the end of the match, or None."""
    if not text.startswith(fence, newline + 1):
        return None
    after = newline + 1 + len(fence)
    run_end = _SPACES.match(text, after).end()
    last = max(text.rfind("\n", after, run_end), text.rfind("\r", after, run_end))
    return last + 1 if last >= 0 else None


def cleanup_html(text: str) -> str:
    r"""mermaid's cleanupText: ``<(\w+)([^>]*)>`` with ``="…"`` inside turned into ``='…'``."""
    if "<" not in text:
        return text
    out: list[str] = []
    pos = 0
    while True:
        tag = _TAG_START.search(text, pos)
        if tag is None:
            break
        close = text.find(">", tag.end())
        if close < 0:  # no ">" after this tag: none after any later one either
            break
        out.append(text[pos:tag.start()])
        out.append("<" + tag.group(1) + HTML_ATTR.sub(r"='\1'", text[tag.end():close]) + ">")
        pos = close + 1
    out.append(text[pos:])
    return "".join(out)


def strip_any_comments(text: str) -> str:
    r"""``text.replace(/\s*%%.*\n/g, "\n")`` (mermaid's anyCommentRegex, as detectType uses it)."""
    if "%%" not in text:
        return text
    out: list[str] = []
    pos = 0
    while True:
        marker = text.find("%%", pos)
        if marker < 0:
            break
        newline = text.find("\n", marker + 2)
        if newline < 0:
            break
        start = marker
        while start > pos and text[start - 1].isspace():
            start -= 1
        out.append(text[pos:start])
        out.append("\n")
        pos = newline + 1
    out.append(text[pos:])
    return "".join(out)


def comment_lines(text: str):
    r"""The spans (start, end, position of %%) of ``/^\s*%%(?!{)[^\n]+\n?/gm`` — mermaid's comment
    lines, as preprocess removes them."""
    pos = search = 0
    n = len(text)
    while True:
        marker = text.find("%%", search)
        if marker < 0:
            return
        search = marker + 1
        if marker + 2 >= n or text[marker + 2] in "{\n":
            continue
        start = marker
        while start > pos and text[start - 1].isspace():
            start -= 1
        if start > 0 and text[start - 1] != "\n":  # the line starts inside the blank run, or not at all
            newline = text.find("\n", start, marker)
            if newline < 0:
                continue
            start = newline + 1
        end = text.find("\n", marker + 2)
        end = n if end < 0 else end + 1
        yield start, end, marker
        pos = search = end


# Diagram.fromText → utils.encodeEntities: mermaid's lexer never sees "#quot;" or "#35;".
_ENTITY = re.compile(r"#[A-Za-z0-9_]+;")  # JavaScript's \w
_INT = re.compile(r"\+?[0-9]+\Z")
_COLON_HASH = re.compile(r":[^\s:#]*#")
ENTITY_NUMERIC_OPEN = "\ufb02\u00b0\u00b0"  # "ﬂ°°"
ENTITY_OPEN = "\ufb02\u00b0"  # "ﬂ°"
ENTITY_CLOSE = "\u00b6\u00df"  # "¶ß"


def _drop_style_semicolon(line: str, keyword: str) -> str:
    r"""``line.replace(/KEYWORD.*:\S*#.*;/g, s => s.slice(0, -1))`` on one line: the line's last
    ";" goes when a ":" after the keyword is followed, with no space between, by a "#" that a
    ";" follows."""
    start = line.find(keyword)
    if start < 0:
        return line
    colon = _COLON_HASH.search(line, start + len(keyword))
    if colon is None:
        return line
    semicolon = line.rfind(";")
    if semicolon < colon.end():
        return line
    return line[:semicolon] + line[semicolon + 1:]


def encode_entities(text: str) -> str:
    if "style" in text or "classDef" in text:
        lines = text.split("\n")
        for index, line in enumerate(lines):
            if "style" in line:
                line = _drop_style_semicolon(line, "style")
            if "classDef" in line:
                line = _drop_style_semicolon(line, "classDef")
            lines[index] = line
        text = "\n".join(lines)
    if "#" not in text:
        return text

    def one(m: re.Match) -> str:
        inner = m.group()[1:-1]
        return (ENTITY_NUMERIC_OPEN if _INT.match(inner) else ENTITY_OPEN) + inner + ENTITY_CLOSE

    return _ENTITY.sub(one, text)


# Windows-1252 for the C1 range, as browsers read "&#128;"..."&#159;" (the HTML standard).
_WINDOWS_1252 = {
    0x80: "\u20ac", 0x82: "\u201a", 0x83: "\u0192", 0x84: "\u201e", 0x85: "\u2026", 0x86: "\u2020", 0x87: "\u2021",
    0x88: "\u02c6", 0x89: "\u2030", 0x8A: "\u0160", 0x8B: "\u2039", 0x8C: "\u0152", 0x8E: "\u017d", 0x91: "\u2018",
    0x92: "\u2019", 0x93: "\u201c", 0x94: "\u201d", 0x95: "\u2022", 0x96: "\u2013", 0x97: "\u2014", 0x98: "\u02dc",
    0x99: "\u2122", 0x9A: "\u0161", 0x9B: "\u203a", 0x9C: "\u0153", 0x9E: "\u017e", 0x9F: "\u0178",
}
REPLACEMENT = "\ufffd"


def _code_point(value: int) -> str | None:
    """The character a numeric entity stands for as mermaid's page shows it, or None for one no
    text can carry: NUL, a surrogate, a noncharacter, a control other than tab and newline, or
    past U+10FFFF (browsers show U+FFFD for most of these)."""
    if value in _WINDOWS_1252:
        return _WINDOWS_1252[value]
    if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF or 0xFDD0 <= value <= 0xFDEF or (value & 0xFFFE) == 0xFFFE:
        return None
    if (value < 0x20 and value not in (9, 10)) or 0x7F <= value <= 0x9F:
        return None
    return chr(value)


def decode_entities(text: str, replaced: list[str] | None = None) -> str:
    """Mermaid's entity codes as the characters they stand for: ``#quot;`` → ``"``, ``#35;`` → ``#``,
    ``#9829;`` → ``♥``. An unknown name stays as written. A code for a character no text can
    carry (``#1;``, ``#55296;``, ``#65535;``) becomes U+FFFD, and the code is added to
    ``replaced``."""
    if ENTITY_OPEN not in text:
        return text
    out: list[str] = []
    pos = 0
    closing = -1  # the next "¶ß" at or after the opener being read
    newline = -1  # the next "\n" at or after it (an entity never spans lines)
    while True:
        opener = text.find(ENTITY_OPEN, pos)
        if opener < 0:
            break
        numeric = text.startswith(ENTITY_NUMERIC_OPEN, opener)
        inner_start = opener + (3 if numeric else 2)
        if closing < inner_start:
            closing = text.find(ENTITY_CLOSE, inner_start)
        if closing < 0:
            break
        if newline < inner_start:
            newline = text.find("\n", inner_start)
            if newline < 0:
                newline = len(text)
        if newline < closing:  # this opener has no closer on its line
            out.append(text[pos:opener + 1])
            pos = opener + 1
            continue
        inner = text[inner_start:closing]
        out.append(text[pos:opener])
        out.append(_entity(inner, numeric, replaced))
        pos = closing + 2
    out.append(text[pos:])
    return "".join(out)


def _entity(inner: str, numeric: bool, replaced: list[str] | None) -> str:
    if numeric:
        try:
            value = int(inner.lstrip("+"))
        except ValueError:
            return f"#{inner};"
        char = _code_point(value)
        if char is None:
            if replaced is not None:
                replaced.append(f"#{inner};")
            return REPLACEMENT
        return char
    decoded = html.unescape(f"&{inner};")
    return decoded if decoded != f"&{inner};" else f"#{inner};"


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
    line_map: LineMap | None = None  # preprocessed line (0-based) → original line (1-based)
    error: tuple[str, int, int] | None = None  # (message, line, column) for a front matter that is not YAML
    # (line, column, whether it takes the rest of the text) of a %%{ directive never closed with }%%
    unterminated: tuple[int, int, bool] | None = None
    last_line: int = 1  # the text's last line

    def original_line(self, line: int) -> int:
        """The line of the text as written for a 1-based line of the preprocessed code."""
        if not self.line_map:
            return line
        if len(self.line_map.starts) == 1:  # (no line removed, or only before the first kept one)
            return min(self.line_map.lines[0] + max(line - 1, 0), self.last_line)
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
        """Removes spans given in the coordinates of ``self.text()``, in order and not overlapping;
        one sweep over the kept pieces and the spans together."""
        if not spans:
            return
        result: list[tuple[int, int]] = []
        j, count = 0, len(spans)
        offset = 0  # where the current piece starts in text()
        for a, b in self.kept:
            low, high = offset, offset + (b - a)
            cursor = low
            while j < count and spans[j][0] < high:
                s, e = spans[j]
                if e <= cursor:
                    j += 1
                    continue
                if s > cursor:
                    result.append((a + cursor - low, a + s - low))
                if e >= high:  # the span goes on into the next piece
                    cursor = high
                    break
                cursor = e
                j += 1
            if cursor < high:
                result.append((a + cursor - low, b))
            offset = high
        self.kept = [(a, b) for a, b in result if b > a]

    def line_map(self) -> LineMap:
        """For each line of ``text()``, the 1-based original line it starts on: a line that starts
        right after a removal starts on the line of the next character that was kept. One pass over
        the kept pieces; lines are counted by ``str.count``, so the map costs the pieces, not the lines."""
        orig = self.original
        kept = [(a, b) for a, b in self.kept if b > a]
        if not kept:
            return LineMap([0], [1], 1)
        counted_to = newlines = 0

        def line_of(offset: int) -> int:  # (offsets only grow)
            nonlocal counted_to, newlines
            newlines += orig.count("\n", counted_to, offset)
            counted_to = offset
            return newlines + 1

        starts, lines = [0], [line_of(kept[0][0])]

        def segment(index: int, line: int) -> None:
            if lines[-1] + index - starts[-1] != line:
                starts.append(index)
                lines.append(line)

        index = 0  # the line of text() the piece starts in
        for i, (a, b) in enumerate(kept):
            count = orig.count("\n", a, b)
            if not count:
                continue
            first = orig.find("\n", a, b)
            at_piece_end = orig[b - 1] == "\n" and i + 1 < len(kept)
            if count > 1 or not at_piece_end:
                segment(index + 1, line_of(first + 1))
            if at_piece_end:  # the line after the piece starts in the next one
                segment(index + count, line_of(kept[i + 1][0]))
            index += count
        return LineMap(starts, lines, index + 1)


class LineMap:
    """Preprocessed line (0-based) → original line (1-based), by segments: from line ``starts[k]``
    on, the lines follow one another from original line ``lines[k]``."""

    __slots__ = ("count", "lines", "starts")

    def __init__(self, starts: list[int], lines: list[int], count: int) -> None:
        self.starts = starts
        self.lines = lines
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> int:
        k = bisect.bisect_right(self.starts, index) - 1
        return self.lines[k] + index - self.starts[k]


def detect_type(text: str) -> str | None:
    found = front_matter(text)
    if found is not None:
        text = text[found[2]:]
    text = DIRECTIVE.sub("", text)
    text = strip_any_comments(text)
    for name, pattern in _DETECT:
        if pattern.match(text):
            return name
    other = OTHER_TYPES.match(text)
    if other:
        return other.group(1)
    return None


def preprocess(text: str) -> Preprocessed:
    # cleanupText: CR/LF (already done by converters.text.decode) and HTML attribute quotes.
    text = cleanup_html(text)
    removals = _Removals(text)
    result = Preprocessed(code="", diagram_type=None)

    found = front_matter(text)
    if found:
        indent, body, end = found
        if indent:
            body = "\n".join(line.removeprefix(indent) for line in body.split("\n"))
        result.front_matter = body
        try:
            parsed = yaml.safe_load(body) if body.strip() else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            # from the mark's character index: YAML counts U+0085, U+2028 and U+2029 as line breaks too
            at = min(mark.index, len(body)) if mark is not None else 0
            line = body.count("\n", 0, at) + 2
            column = at - body.rfind("\n", 0, at) + len(indent)
            result.error = (f"the front matter is not valid YAML: {getattr(exc, 'problem', None) or exc}", line, column)
            parsed = None
        if isinstance(parsed, dict):
            if parsed.get("title"):
                result.title = str(parsed["title"])
            if parsed.get("config") is not None:
                result.config = parsed["config"] if isinstance(parsed["config"], dict) else {"": parsed["config"]}
        removals.remove([(0, end)])

    current = removals.text()
    spans = []
    line_map_before: LineMap | None = None
    for m in DIRECTIVE.finditer(current):
        if m.end() == m.start():
            continue
        spans.append((m.start(), m.end()))
        kind = (m.group(1) or m.group(2) or "").lower()
        if not m.group().endswith("}%%"):
            # mermaid's directive pattern takes the rest of the text when "}%%" never comes, and
            # ignores it: so does the reader, and says so
            if line_map_before is None:
                line_map_before = removals.line_map()
            line_index = current.count("\n", 0, m.start())
            result.unterminated = (line_map_before[min(line_index, len(line_map_before) - 1)],
                                   m.start() - (current.rfind("\n", 0, m.start()) + 1) + 1,
                                   m.end() == len(current))
            continue
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
    line_map_before = removals.line_map() if "%%" in current else None
    counted, line_index = 0, 0
    for start, end, marker in comment_lines(current):
        spans.append((start, end))
        line_index += current.count("\n", counted, marker)
        counted = marker
        comment = current[marker:end].strip()
        result.comments.append((line_map_before[min(line_index, len(line_map_before) - 1)], comment[2:]))
    removals.remove(spans)

    current = removals.text()
    stripped = _JS_SPACES_AT_START.match(current).end()
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
