"""Turning the caller's bytes or str into text every reader can trust."""
from __future__ import annotations

import re

from .diagnostics import Diagnostics

# C0 controls other than tab, newline and carriage return, DEL, and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


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
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for match in _CONTROL.finditer(text):
        line, column = position(text, match.start())
        diagnostics.add("CONTROL_CHARACTER", f"control character U+{ord(match.group()):04X} is not allowed",
                        line=line, column=column)
        if len(diagnostics.items) >= 50:  # a binary file: fifty are enough to say so
            break
    return text
