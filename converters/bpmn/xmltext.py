"""Any text as XML the reader reads back: escaping for attribute values and element content.

XML 1.0 cannot hold every character a model may: C0 controls other than tab, newline and carriage
return, U+FFFE, U+FFFF and lone surrogates have no form at all, not even a character reference.
The writer puts them nowhere in BPMN's own attributes (``holds_all`` says whether a text can go
there as it is; this module replaces what cannot with U+FFFD) and carries the exact text in
``fz:meta`` instead, base64-encoded (extensions.py). Everything else is written so that the parser
gives back the very same characters: tab, newline and carriage return as character references
(an attribute value would otherwise have them normalised to spaces, content its CR to LF), and
DEL and the C1 controls as character references too, because the library refuses them raw in any
input text (converters/text.py).
"""
from __future__ import annotations

import re

# What XML 1.0 cannot hold in any form.
_UNREPRESENTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_RAW_CONTROLS = re.compile("[\x7f-\x9f]")
_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def _table(special: str) -> dict[int, str]:
    """A str.translate table (one pass in C): ``special`` characters as entities or references,
    DEL and C1 controls as references, what XML cannot hold as U+FFFD."""
    table = {ord(c): _NAMED.get(c) or f"&#{ord(c)};" for c in special}
    table.update({code: f"&#{code};" for code in range(0x7F, 0xA0)})
    table.update(dict.fromkeys([*range(9), 11, 12, *range(14, 32), 65534, 65535], "�"))
    table.update(dict.fromkeys(range(55296, 57344), "�"))
    return table


_IN_ATTRIBUTE = _table('&<>"\t\n\r')
_IN_SINGLE_QUOTES = _table("&<>\t\n\r")
_IN_CONTENT = _table("&<>\r")


def holds_all(text: str) -> bool:
    """True when XML can carry ``text`` exactly."""
    return _UNREPRESENTABLE.search(text) is None


def replaced(text: str) -> str:
    """``text`` with each character XML cannot hold replaced by U+FFFD."""
    return _UNREPRESENTABLE.sub("\ufffd", text)


def attribute(text: str) -> str:
    """``text`` as a quoted attribute value, quotes included: in single quotes when it holds double
    quotes and no single one (as xml.sax.saxutils.quoteattr does), else in double quotes."""
    if '"' in text and "'" not in text:
        return "'" + text.translate(_IN_SINGLE_QUOTES) + "'"
    return '"' + text.translate(_IN_ATTRIBUTE) + '"'


def content(text: str) -> str:
    """``text`` as element content."""
    return text.translate(_IN_CONTENT)


def raw_controls_referenced(xml: str) -> str:
    """XML that lxml serialised, with DEL and C1 controls as references (lxml writes them raw,
    which XML allows and this library's input check does not). They can occur only inside text
    and attribute values: no XML name may hold them."""
    if xml.isascii() and "\x7f" not in xml:  # (both in C, without a regex scan: the common case)
        return xml
    return _RAW_CONTROLS.sub(lambda match: f"&#{ord(match.group())};", xml)
