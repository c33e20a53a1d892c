"""Label text between Mermaid and the model.

In the model a label is plain text: a line break is ``\\n`` and ``"`` is a quote. In Mermaid a
line break is ``<br/>`` (any ``<br>`` form is read), and characters the syntax reserves are
entity codes: ``#quot;`` for ``"``, ``#35;`` for ``#`` (mermaid reads ``#name;`` and ``#NN;``).
Other HTML in a label (``<b>``, ``&amp;``) is Mermaid's own markup and passes through unchanged.
"""
from __future__ import annotations

import re

from .preprocess import decode_entities, is_encoded

_BR = re.compile(r"<br\s*/?>", re.I)


def label_from_mermaid(text: str) -> str:
    if "<" in text:
        text = _BR.sub("\n", text)
    if is_encoded(text):
        text = decode_entities(text)
    return text


def quoted(label: str) -> str:
    """A label as a Mermaid string literal: ``"…"``, with ``"`` and ``#`` as entity codes and line
    breaks as ``<br/>``; an empty label is one space (mermaid's strings cannot be empty, and it
    trims labels)."""
    text = label.replace("#", "#35;").replace('"', "#quot;").replace("`", "#96;").replace("\n", "<br/>")
    if not text.strip():
        text = " "
    return f'"{text}"'


def markdown_quoted(label: str) -> str:
    text = label.replace("#", "#35;").replace('"', "#quot;").replace("`", "#96;")
    return f'"`{text}`"'


def flow_mapping(metadata: str) -> str:
    """A one-line ``@{ … }`` as the YAML flow mapping mermaid reads, with the tabs that separate its
    tokens turned into spaces: js-yaml takes a tab there (YAML 1.2), PyYAML does not. Tabs inside
    quotes are text and stay. One pass, linear."""
    if "\t" not in metadata:
        return "{\n" + metadata + "\n}"
    out = []
    quote = ""
    escaped = False
    for char in metadata:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "\t":
            char = " "
        out.append(char)
    return "{\n" + "".join(out) + "\n}"
