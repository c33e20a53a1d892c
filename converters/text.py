"""Turning the caller's bytes or str into text every reader can trust."""
from __future__ import annotations

import re

from .diagnostics import Diagnostics

# C0 controls other than tab, newline and carriage return, DEL, the C1 controls; lone surrogates
# (a ``str`` may hold them, no encoding can carry them: a reply could not even be sent); and the
# noncharacters U+FFFE and U+FFFF (not allowed in XML). Rejected here, before any reader, so that
# no reader lets them into the model and no writer emits them.
_UNACCEPTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Every ASCII character decode accepts: with these deleted, an acceptable ASCII text leaves
# nothing (one C pass over its bytes, several times cheaper than the search below).
_ACCEPTABLE_ASCII = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x7F)])
_AT_MOST = 50  # diagnostics for a text full of them (a binary file): fifty are enough to say so


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def decode(source: str | bytes, diagnostics: Diagnostics) -> str:
    """UTF-8 text with newlines normalised to \\n and a leading BOM removed; an invalid byte or
    a control character is an error at its line and column."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            good = data[: exc.start].decode("utf-8", errors="replace")
            line, column = position(good, len(good))
            diagnostics.add("INVALID_ENCODING", f"byte 0x{data[exc.start]:02x} is not valid UTF-8 ({exc.reason})",
                            line=line, column=column)
            return ""
    else:
        text = source
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii() and not text.encode("ascii").translate(None, _ACCEPTABLE_ASCII):
        return text
    for count, match in enumerate(_UNACCEPTABLE.finditer(text), 1):
        line, column = position(text, match.start())
        code = ord(match.group())
        if 0xD800 <= code <= 0xDFFF:
            diagnostics.add("INVALID_ENCODING", f"lone surrogate U+{code:04X}: no encoding can carry it",
                            line=line, column=column)
        elif code >= 0xFFFE:
            diagnostics.add("NONCHARACTER", f"noncharacter U+{code:04X} is not allowed", line=line, column=column)
        else:
            diagnostics.add("CONTROL_CHARACTER", f"control character U+{code:04X} is not allowed",
                            line=line, column=column)
        if count >= _AT_MOST:
            break
    return text


def unacceptable(text: str) -> str | None:
    """The first character of ``text`` that ``decode`` would refuse, or None (for checks on
    text that reached the model some other way than ``decode``: escapes, a caller's model)."""
    match = _UNACCEPTABLE.search(text)
    return match.group() if match else None


_SURROGATE = re.compile("[\ud800-\udfff]")


def first_surrogate(text: str) -> int | None:
    """Offset of the first lone surrogate in ``text`` (None when there is none)."""
    if text.isascii():
        return None
    match = _SURROGATE.search(text)
    return match.start() if match else None
