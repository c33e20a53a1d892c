"""XML from outside is hostile until proven otherwise.

Before any parsing: a size limit (a 100 MB upload is refused in microseconds, with no memory
spent on it) and no DTD at all (no ``<!DOCTYPE``, hence no entity can be declared: billion laughs,
external entities to local files or URLs are impossible). The parser itself is configured to
resolve no entity, load no DTD and touch no network, as a second line of defence.
"""
from __future__ import annotations

import re
import threading

from lxml import etree

from ..diagnostics import Diagnostics
from ..text import position

# Real BPMN files are kilobytes to a few megabytes (the largest file of the corpus is 0.23 MB);
# what this converter writes for 50,000 nodes with full DI is about 45 MB. 64 Mi characters
# leaves room for that and refuses the absurd (a 100 MB upload) before any parsing.
MAX_CHARS = 64 * 1024 * 1024

_DTD_AFTER_MARK = re.compile(r"DOCTYPE|ENTITY", re.IGNORECASE)  # what follows "<!" in a DTD or entity declaration

_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,  # libxml2's own limits on depth and text node size stay on
    "remove_comments": True,
    "remove_pis": True,
    "collect_ids": False,
    "encoding": "utf-8",  # the text is already decoded; ignore the declaration's encoding
}


_DECLARATION = re.compile(r"\s*<\?xml\b[^>]*\?>")


def _blank_declaration(text: str) -> str:
    """The XML declaration blanked out (same length, so lines and columns stay right): its
    encoding no longer applies to decoded text, and files in the wild put blank lines before it,
    which libxml2 refuses and bpmn.io accepts."""
    match = _DECLARATION.match(text)
    if not match:
        return text
    end = match.end()
    declaration = text[:end]
    # every character but newlines as a space (a regex substitution per character costs microseconds)
    if "\n" in declaration:
        blank = "\n".join(" " * len(part) for part in declaration.split("\n"))
    else:  # the common case: the declaration on the first line (no split and join)
        blank = " " * end
    return blank + text[end:]


def _dtd_at(text: str) -> int | None:
    """Where the first ``<!DOCTYPE`` or ``<!ENTITY`` (any case) starts, or None: the regex is tried
    only at each "<!", found by its "!" (a case-insensitive regex scan of the whole text costs ten
    times more, and files with CDATA sections hold "<!"). ``find("!")`` is a memchr in C, rare in
    XML; ``find("<!")`` looks at every "<" of the text and costs twenty times more."""
    mark = text.find("!")
    while mark >= 0:
        if mark and text[mark - 1] == "<" and _DTD_AFTER_MARK.match(text, mark + 1):
            return mark - 1
        mark = text.find("!", mark + 1)
    return None


_LOCAL = threading.local()


def _parser() -> etree.XMLParser:
    # One parser per thread: lxml parsers must not be shared between threads (the gRPC server
    # reads in several), and making one per call costs as much as parsing a small file.
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = etree.XMLParser(**_PARSER_OPTIONS)
    return parser


def parse(text: str, out: Diagnostics, max_chars: int = MAX_CHARS):
    """The root element of ``text``, or None after adding an error diagnostic."""
    if len(text) > max_chars:
        out.add("INPUT_TOO_LARGE", f"the XML is {len(text):,} characters; the limit is {max_chars:,} "
                "(refused before parsing)")
        return None
    start = _dtd_at(text)
    if start is not None:
        line, column = position(text, start)
        out.add("XML_DTD_FORBIDDEN", "a DTD or entity declaration: refused (BPMN needs none, and entities "
                "are how billion-laughs and external-entity attacks work)", line=line, column=column)
        return None
    if not text or text.isspace():  # (no copy of the text)
        out.add("EMPTY_DIAGRAM", "the text is empty", line=1, column=1)
        return None
    text = _blank_declaration(text)
    try:
        return etree.fromstring(text.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        message = (exc.msg or str(exc)).split(", line ")[0]
        out.add("SYNTAX_ERROR", f"not well-formed XML: {message}", line=line, column=(column or 0) + 1 if line else None)
        return None
