"""Text and ids as both Mermaid writers (flowchart/swimlane and sequence) write them.

Mermaid's lexers stop at characters its syntax reserves, and mermaid renders labels as HTML, so
a label is encoded, never copied: ``#`` and ``"`` as entity codes, line breaks as ``<br/>``,
a ``<`` as ``#lt;`` (the label is text, not markup: ``<b>`` shows as ``<b>``), and every
character a text file cannot carry (C0/C1 controls, lone surrogates, U+FFFE/U+FFFF) as a numeric
entity code, which mermaid decodes back to the character.
"""
from __future__ import annotations

import re

import yaml

from ..diagnostics import Diagnostics
from ..model import Diagram, IdAllocator

SAFE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9_]+")

# What a text file cannot carry, or a lexer treats as a line break: as entity codes.
_UNCARRIED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_DIRECTION_WORD = re.compile(r"(d)(irection\s+(?:TB|BT|RL|LR|TD))")
_WRAP_PREFIX = re.compile(r":?(?:no)?wrap:", re.IGNORECASE)


# What mermaid's entity codes cannot give back (its reader turns them into U+FFFD, or C1 codes into
# the characters browsers show for them): written as U+FFFD, reported by writer.report_lost_characters.
LOST = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def _code(match: re.Match) -> str:
    character = match.group()
    return "#65533;" if LOST.match(character) else f"#{ord(character)};"


def _line_breaks(text: str) -> str:
    """CR, CRLF and LF are each one line break in the model's text (a lone CR too)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# One pass each (a "#" replaced first would turn the ";" of "#35;" into another code).
_LABEL = str.maketrans({"&": "#38;", "#": "#35;", '"': "#quot;", "`": "#96;", "<": "#lt;", ">": "#gt;", "\n": "<br/>"})
_MARKUP_LABEL = str.maketrans({"&": "#38;", "#": "#35;", '"': "#quot;", "`": "#96;", "\n": "<br/>"})
_MESSAGE = str.maketrans({"&": "#38;", "#": "#35;", ";": "#59;", "<": "#lt;", ">": "#gt;", "\n": "<br/>"})
_MARKUP_MESSAGE = str.maketrans({"&": "#38;", "#": "#35;", ";": "#59;", "\n": "<br/>"})
# A "<" that opens no tag: text even in a label whose tags are markup.
# (Bounded: a text of many unclosed "<a " costs linear time, issue 11.)
_TAG_START = re.compile(r"<(?!/?[A-Za-z][A-Za-z0-9]{0,40}(?:\s[^<>]{0,400})?/?>)")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,40}(?:\s[^<>]{0,400})?/?>")


def _encoded(text: str, table: dict, markup: bool) -> str:
    text = _line_breaks(text)
    if markup and "<" in text:
        # the model's line breaks are "\n" (written <br/>); a <br> in its text would read back as
        # one, so it is text there
        text = "<br/>".join(_text_breaks(part, table) for part in text.split("\n"))
        text = _TAG_START.sub("#lt;", text)
    else:
        text = text.translate(table)
    return _kept_ends(_UNCARRIED.sub(_code, text))


_BR_TAG = re.compile(r"<(br\s*/?>)", re.IGNORECASE)
# Whatever flow_text may change (either table's characters, a line break, an uncarried character,
# "%" of a "%%", the "irection" of a direction word); a label holding none of it, without white
# space at either end, is written as it is (one search instead of five passes).
_FLOW_AS_IS = re.compile('[&#"`<>%\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]|irection')


def _text_breaks(part: str, table: dict) -> str:
    pieces = []
    last = 0
    for match in _BR_TAG.finditer(part):
        pieces.append(part[last:match.start()].translate(table))
        pieces.append("#lt;" + match.group(1).translate(table))
        last = match.end()
    pieces.append(part[last:].translate(table))
    return "".join(pieces)


def _kept_ends(text: str) -> str:
    """White space at either end as entity codes: mermaid trims labels but decodes entity codes
    after trimming, so they come back. One pass from each end."""
    if not text or not (text[0].isspace() or text[-1].isspace()):
        return text
    start = 0
    while start < len(text) and text[start].isspace():
        start += 1
    end = len(text)
    while end > start and text[end - 1].isspace():
        end -= 1
    head = "".join(f"#{ord(c)};" for c in text[:start])
    tail = "".join(f"#{ord(c)};" for c in text[end:])
    return head + text[start:end] + tail


def flow_text(label: str, markup: bool = False) -> str:
    """A flowchart label as a Mermaid string: ``"…"``. Tags are text (``#lt;``) unless ``markup``
    (a label read from Mermaid whose tags were Mermaid's markup); an empty label is one space
    (mermaid's strings cannot be empty, and it trims labels)."""
    if label and _FLOW_AS_IS.search(label) is None and not label[0].isspace() and not label[-1].isspace():
        return f'"{label}"'  # the common label: nothing below would change it
    text = _encoded(label, _MARKUP_LABEL if markup else _LABEL, markup)
    if "irection" in text:
        text = _DIRECTION_WORD.sub(r"#100;\2", text)  # "direction LR" inside a label changes the flow
    if "%%" in text:
        text = text.replace("%", "#37;")  # a line with "%%" is a comment to mermaid's preprocessor
    if not text.strip():
        text = " "
    return f'"{text}"'


def markdown_text(label: str) -> str:
    """A markdown label (``"`…`"``): its markup is the point, so only what breaks the string is encoded."""
    text = _UNCARRIED.sub(_code, _line_breaks(label).translate(_MARKDOWN))
    if "%%" in text:
        text = text.replace("%", "#37;")
    return f'"`{text}`"'


_MARKDOWN = str.maketrans({"#": "#35;", '"': "#quot;", "`": "#96;"})


def message_text(text: str, markup: bool = False) -> str:
    """Text after ``:`` in a sequence message, note, participant alias or fragment condition: no raw
    ``#``, ``;`` or line break (the lexer stops there), no leading ``wrap:`` (mermaid takes it as an
    option), tags as text unless ``markup``; mermaid trims it, so an empty text is one space."""
    text = _encoded(text, _MARKUP_MESSAGE if markup else _MESSAGE, markup)
    if "%%" in text:
        text = text.replace("%", "#37;")
    text = text.strip(" \t")
    if _WRAP_PREFIX.match(text):
        text = f"#{ord(text[0])};{text[1:]}"
    return text or " "


def yaml_label(label: str) -> str:
    """A label inside ``@{ }``: a YAML double-quoted string whose characters mermaid's lexer lets
    through (no raw quote or line break: entity codes and <br/>)."""
    return '"' + _encoded(label.replace("\\", "\\\\"), _LABEL, False) + '"'


def yaml_string(text: str) -> str:
    """A YAML double-quoted string for front matter (``title:``), on one line."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\n", "\\n").replace("\t", "\\t")
    # "<" as \x3C: mermaid rewrites <word …="…"> spans of the whole text before reading it
    text = text.replace("<", "\\x3C")
    return '"' + _UNCARRIED.sub(lambda m: f"\\x{ord(m.group()):02X}" if ord(m.group()) < 0x100
                                else f"\\u{ord(m.group()):04X}", text) + '"'


_ENTITY_LIKE = re.compile(r"#\w+;")


def plain_string(text: str) -> str | None:
    """A ``click`` link or tooltip as a quoted string, or None: mermaid decodes nothing there, so
    a quote, line break, control or entity-like ``#name;`` cannot be carried."""
    if '"' in text or _UNCARRIED.search(text) or "\n" in text or "\r" in text or _ENTITY_LIKE.search(text) \
            or "%%" in text:
        return None
    return f'"{text}"'


def one_line(text: str) -> str:
    """A one-line value (``accTitle:``): line breaks and controls as spaces."""
    return _UNCARRIED.sub(" ", _line_breaks(text).replace("\n", " ")).strip()


def single_line(text: str) -> str:
    """A ``%%`` comment's text: controls and line breaks as spaces, nothing trimmed."""
    return _UNCARRIED.sub(" ", _line_breaks(text).replace("\n", " "))


def statement_value(text: str) -> str | None:
    """A value copied into a statement (a classDef's or style's CSS, a linkStyle): the text if it
    stays one statement, else None (a line break, ``;`` or control would start another)."""
    if not text.strip() or "\n" in text or "\r" in text or ";" in text or _UNCARRIED.search(text) or "%%" in text:
        return None
    return text


# What mermaid's lexer takes in a style statement (classDef, style, linkStyle): its STYLE tokens —
# letters and digits, COLON, COMMA, NUM, UNIT, BRKT (#), PCT, NODE_STRING's punctuation, spaces.
# Anything else ({, (, [, <, =, |, ~, ^, @, non-ASCII letters…) is a parse error in mermaid 11.
_STYLE_VALUE = re.compile(r"[0-9A-Za-z!\"#$%&'*+,\-./:?\\_` ]+")


def style_value(text: str) -> str | None:
    """A style statement's value (``classDef c <value>``, ``style n <value>``, ``linkStyle 0
    <value>``) when mermaid takes it as written, else None: it is then reported, not written."""
    if statement_value(text) is None or _STYLE_VALUE.fullmatch(text) is None:
        return None
    return text


_HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")


def tag_spans(text: str) -> list[str]:
    """The HTML tags in ``text`` (bounded pattern: linear time)."""
    return _TAG.findall(text)


def has_markup(text: str | None) -> bool:
    """Whether a label as mermaid read it holds HTML: a tag (``<b>``, ``<img …>``) or an entity (``&amp;``)."""
    return bool(text) and (("<" in text and _TAG.search(text) is not None)
                           or ("&" in text and _HTML_ENTITY.search(text) is not None))


def mark_markup(diagram: Diagram, plain: set[int] = frozenset()) -> None:
    """After reading Mermaid: the elements whose label holds HTML get ``mermaid.markup: "true"``,
    so that the writer writes their tags and entities as Mermaid markup again; in any other label
    the writer encodes ``<``, ``>`` and ``&`` as text (a FlowZap label ``<b>`` is text). ``plain``:
    ``id()`` of the elements known to hold text (the writer said so in a comment).

    Decided on the decoded label, so a label written with entity codes (``#lt;b#gt;``) counts as
    markup too; the flowchart reader, which sees the raw label, is the better place (docs/mermaid.md)."""
    for element in (*diagram.lanes, *diagram.nodes, *diagram.edges, *diagram.groups):
        if id(element) not in plain and has_markup(element.label) \
                and element.attributes.get("mermaid.labelType") != "markdown":
            element.attributes["mermaid.markup"] = "true"


# -- ids -------------------------------------------------------------------------------------------
def _clean_id(original: str) -> str:
    base = _UNSAFE_ID_CHARS.sub("_", original).strip("_")
    if base and not base[0].isalpha():
        base = f"i{base}"
    return base


def _safe(candidate: str) -> bool:
    return bool(SAFE_ID.match(candidate))


def mermaid_ids(keywords: frozenset[str], fold: bool = False) -> IdAllocator:
    """One Mermaid id namespace: ``[A-Za-z][A-Za-z0-9_]*``, no keyword, unique."""
    return IdAllocator(_safe, _clean_id, fold=fold, reserved=keywords)


class IdMap:
    """The Mermaid id of each model element of one kind (node, lane, group), reporting renames."""

    def __init__(self, allocator: IdAllocator, what: str, out: Diagnostics) -> None:
        self.allocator = allocator
        self.what = what
        self.out = out
        self.ids: dict[str, str] = {}

    def reserve(self, original: str) -> None:
        if original not in self.ids and self.allocator.reserve(original):
            self.ids[original] = original

    def reserve_all(self, originals) -> int:
        """``reserve`` of each of ``originals``, in one call to the allocator; returns how many
        were kept as they are."""
        ids = self.ids
        kept = self.allocator.reserve_all(o for o in originals if o not in ids)
        for original in kept:
            ids[original] = original
        return len(kept)

    def assign(self, original: str, element) -> str:
        if original in self.ids:
            return self.ids[original]
        given = self.allocator.allocate(original, fallback=self.what)
        self.ids[original] = given
        if given != original:
            self.out.add("RENAMED_ID", f"{self.what} id {original!r} is written {given!r} (Mermaid would misread it)",
                         line=element.line, column=element.column, element=original)
        return given

    def __getitem__(self, original: str) -> str:
        return self.ids[original]

    def get(self, original: str, default=None):
        return self.ids.get(original, default)

    def __contains__(self, original: str) -> bool:
        return original in self.ids


# -- the lines before the diagram keyword ----------------------------------------------------------
def header_lines(diagram: Diagram, out: Diagnostics) -> list[str]:
    """Front matter (title, config) and ``%%{init}%%`` directives, as read."""
    lines: list[str] = []
    config = diagram.attributes.get("mermaid.config")
    if config is not None and not _closed_yaml(config):
        out.add("DROPPED_ATTRIBUTE", "diagram: the mermaid.config front matter would not read back; left out",
                element="diagram")
        config = None
    if diagram.title == "":
        out.add("DROPPED_TITLE", "an empty title is not written (mermaid reads none)", element="diagram")
    if diagram.title or config:
        lines.append("---")
        if diagram.title:
            lines.append(f"title: {yaml_string(diagram.title)}")
        if config:
            lines.append("config:")
            lines.extend("  " + row for row in config.split("\n"))
        lines.append("---")
    init = diagram.attributes.get("mermaid.init")
    if init:
        if _whole_directives(init):
            lines.extend(init.split("\n"))
        else:
            out.add("DROPPED_ATTRIBUTE", "diagram: a %%{init}%% directive that is not closed or not one would not "
                    "read back; left out", element="diagram")
    return lines


_DIRECTIVE_LINE = re.compile(r"[ \t]*%%\{[^\n]*\}%%[ \t]*\Z")


def _whole_directives(init: str) -> bool:
    """Every line one closed ``%%{ … }%%`` directive (how the reader keeps them), nothing else."""
    return all(_DIRECTIVE_LINE.match(row) and "%%" not in row.strip()[2:-2] and not _UNCARRIED.search(row)
               for row in init.split("\n"))


def _closed_yaml(config: str) -> bool:
    """Config rows that stay inside the front matter (no ``---`` line, no control character) and
    read as YAML there (the reader refuses front matter that does not)."""
    if any(row.startswith("---") for row in config.split("\n")) or _UNCARRIED.search(config) or "\r" in config:
        return False
    try:
        yaml.safe_load("config:\n" + "\n".join("  " + row for row in config.split("\n")))
    except yaml.YAMLError:
        return False
    return True
