"""Label text: the model's any-text labels ⇄ PlantUML text that PlantUML draws as that text.

Writing: a newline is PlantUML's ``\\n``; every character that PlantUML (or its creole markup, its
preprocessor, or a statement's own delimiters) gives a meaning to, and every invisible or control
character, is written as a numeric character reference ``&#N;``, which PlantUML draws as the
character itself. Plain letters, digits, spaces inside the text and non-ASCII letters stay as they
are, so the text stays readable.

Reading: ``&#N;``/``&#xH;`` references, ``<U+XXXX>`` and ``\\n`` (``\\l``/``\\r``: left/right
aligned newlines) are decoded; everything else is kept as written (creole markup included).
"""
from __future__ import annotations

import re
import unicodedata

from .blocks import text_block_word, valueless_setting
from .source import is_statement

# Characters with a meaning wherever they stand: statement delimiters, creole's escape, HTML-like
# tags, entities, the preprocessor's variables and our own escapes.
_ALWAYS = frozenset(";|<>[]{}\"&\\~%$")
_PARENTHESES = frozenset("()")  # delimiters of if/while/case labels only
# Creole markup when doubled (**bold**, //italic//, --strike--, __underline__, ==, ^^, ``).
_DOUBLED = frozenset("*/-_=^`'")
# Meaningful at the start of a line: creole lists and headings, preprocessor directives,
# @enduml, comments, a sequence note's or message's own colon.
_LINE_START = frozenset("*#=-|!@':.+")
_INVISIBLE = frozenset(("Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs", "Zs"))
_REFERENCE = re.compile(r"&#(?:([0-9]{1,7})|[xX]([0-9a-fA-F]{1,6}));|<U\+([0-9a-fA-F]{4,6})>|\\([nlr])")


def _needs_reference(text: str, index: int, parentheses: bool) -> bool:
    char = text[index]
    if char in _ALWAYS or (parentheses and char in _PARENTHESES):
        return True
    if char == " ":
        return index == 0 or index == len(text) - 1 or text[index - 1] == "\n"  # PlantUML trims
    previous = text[index - 1] if index else "\n"
    following = text[index + 1] if index + 1 < len(text) else ""
    if previous == "\n" and char in _LINE_START:
        return True
    if char in _DOUBLED and (previous == char or following == char):
        return True
    if (char == "'" and "/" in (previous, following)) or (char == "/" and "'" in (previous, following)):
        return True  # block comments /' … '/
    if char == "*" and (previous == "(" or following == ")"):
        return True  # (*): the old syntax's start and end circle, which would change the diagram's kind
    return unicodedata.category(char) in _INVISIBLE


# Most labels are plain words: they need no reference at all (checked by the engine, not per character).
_PLAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9,.?]| (?! ))*[A-Za-z0-9.?]?\Z")


def encode(text: str, parentheses: bool = False) -> str:
    """``text`` as PlantUML label text on one line (newlines as ``\\n``); ``parentheses``: also
    ``(`` and ``)``, for the labels PlantUML writes between them (``if (…) then (…)``)."""
    if _PLAIN.match(text) and not text.endswith(" "):
        return text
    out: list[str] = []
    for index, char in enumerate(text):
        if char == "\n":
            out.append("\\n")
        elif _needs_reference(text, index, parentheses):
            out.append(f"&#{ord(char)};")
        else:
            out.append(char)
    return "".join(out)


def encode_title(text: str) -> str:
    """A ``title`` line's text: PlantUML 1.2026.8 refuses ``title ±`` (one sign alone), so a
    first character that is not a letter or digit is written as a reference."""
    if text and not text[0].isalnum() and text[0] not in "\n":
        return f"&#{ord(text[0])};" + encode(text[1:])
    return encode(text)


def _replace(match: re.Match) -> str:
    decimal, hexadecimal, unicode, newline = match.groups()
    if newline is not None:
        return "\n"
    value = int(decimal) if decimal is not None else int(hexadecimal or unicode, 16)
    if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        return match.group()
    return chr(value)


def decode(text: str) -> str:
    """PlantUML label text as the text it draws (references and ``\\n`` decoded)."""
    if "&" not in text and "\\" not in text and "<" not in text:
        return text
    return _REFERENCE.sub(_replace, text)


def one_line_text(statement: str) -> str:
    """The text of a one-line ``title T`` / ``title: T`` (PlantUML: the word, spaces, at most one colon)."""
    rest = statement[len("title"):].lstrip()
    return rest[1:] if rest.startswith(":") else rest


def label_or_none(text: str) -> str | None:
    decoded = decode(text.strip())
    return decoded if decoded != "" else None


_PREAMBLE_WORDS = frozenset(("skinparam", "title", "hide", "show", "scale", "caption", "header", "footer", "legend",
                             "endlegend", "endheader", "endfooter", "center", "left", "right", "top", "mainframe",
                             "end", "allowmixing", "allow_mixing", "<style>", "</style>"))


def preamble_lines(text: str) -> tuple[list[str], list[str]]:
    """The lines of a kept preamble (``plantuml.preamble``) that are safe to write back — settings,
    titles, ``!`` directives and the bodies of ``{ … }``, ``<style>``, ``legend``/``header``/
    ``footer`` blocks — and those that are not (any other statement, or one that would end the
    diagram). An unclosed block is closed, so that it cannot swallow the diagram."""
    kept: list[str] = []
    refused: list[str] = []
    closers: list[str] = []
    in_skinparam = False  # whether the outermost open block is a skinparam block
    for line in text.split("\n"):
        stripped = line.strip()
        lower = stripped.lower()
        word = lower.split(None, 1)[0].split(":", 1)[0] if lower else ""  # header: H
        if stripped.startswith("@") or stripped.startswith("'"):
            refused.append(line)
            continue
        if closers and is_statement(stripped) and lower.replace(" ", "") != closers[-1]:
            refused.append(line)  # a statement inside a settings block would change the diagram's kind
            continue
        if closers:
            if (in_skinparam and lower.replace(" ", "") != closers[-1] and not stripped.endswith("{")
                    and valueless_setting(stripped)):
                refused.append(line)  # a setting without a value: PlantUML refuses the block (blocks.Block)
                continue
            kept.append(line)
            if lower.replace(" ", "") == closers[-1]:
                closers.pop()
            elif stripped.endswith("{") and closers[-1] == "}":  # braces nest in brace blocks only (blocks.py)
                closers.append("}")
            continue
        if word == "skinparam" and not stripped.endswith("{") and len(stripped.split(None, 2)) < 3:
            refused.append(line)  # a skinparam without a value: PlantUML refuses it (blocks.check_skinparam)
        elif word in _PREAMBLE_WORDS or stripped.startswith("!") or lower.startswith("<style"):
            kept.append(line)
            in_skinparam = word == "skinparam"
            if stripped.endswith("{"):
                closers.append("}")
            elif lower.startswith("<style") and "</style>" not in lower:
                closers.append("</style>")
            elif text_block_word(lower) is not None:
                closers.append("end" + text_block_word(lower))
        elif stripped:
            refused.append(line)
    kept.extend(closer if closer != "</style>" else "</style>" for closer in reversed(closers))
    return kept, refused


def split_note(text: str) -> tuple[list[str], str | None]:
    """A note statement as the words before its colon and the text after it (None without a
    colon: the note goes on to ``end note``). A plain split, linear on any line."""
    head, colon, body = text.partition(":")
    return head.replace(",", " , ").split(), (body[1:] if body.startswith(" ") else body) if colon else None


def header_lines(diagram, out) -> list[str]:
    """``@startuml``, the title and the kept settings lines that open every PlantUML text; a
    preamble line that is not a setting is reported on ``out`` rather than written."""
    lines = ["@startuml"]
    if diagram.title:
        lines.append(f"title {encode_title(diagram.title)}")
    if diagram.attributes.get("plantuml.preamble"):
        kept, refused = preamble_lines(diagram.attributes["plantuml.preamble"])
        lines.extend(kept)
        if refused:
            out.add("DROPPED_ATTRIBUTE", f"plantuml.preamble: {len(refused)} line(s) that are not settings",
                    element="diagram")
    return lines
