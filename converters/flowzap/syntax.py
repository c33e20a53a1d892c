"""FlowZap Code's vocabulary, shared by the reader and the writer."""
from __future__ import annotations

import re

from ..model import NodeKind

SHAPES = ("circle", "rectangle", "diamond", "taskbox")
SIDES = ("left", "right", "top", "bottom")
# Node keys FlowZap defines; any other key is kept and reported.
NODE_KEYS = ("label", "owner", "description", "system")
EDGE_KEYS = ("label",)

SHAPE_KIND = {
    "circle": NodeKind.EVENT,  # start / end / intermediate, decided by its edges
    "rectangle": NodeKind.TASK,
    "diamond": NodeKind.DECISION,
    "taskbox": NodeKind.USER_TASK,
}
KIND_SHAPE = {
    NodeKind.START: "circle",
    NodeKind.END: "circle",
    NodeKind.EVENT: "circle",
    NodeKind.TASK: "rectangle",
    NodeKind.USER_TASK: "taskbox",
    NodeKind.DECISION: "diamond",
    NodeKind.GATEWAY: "diamond",
    NodeKind.SUBPROCESS: "rectangle",
    NodeKind.DATA: "rectangle",
    NodeKind.NOTE: "rectangle",
}
# Kinds FlowZap draws with a nearer shape: reading back gives the shape's own kind.
APPROXIMATED_KINDS = frozenset({NodeKind.GATEWAY, NodeKind.SUBPROCESS, NodeKind.DATA, NodeKind.NOTE})

IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
CANONICAL_ID = re.compile(r"n([1-9][0-9]*)\Z")

_ESCAPE = re.compile(r"\\(.)")
_UNESCAPE_MAP = {"n": "\n", "t": "\t"}


def unquote(quoted: str) -> str:
    """The value of a ``"…"`` literal: ``\\"`` is a quote, ``\\\\`` a backslash, ``\\n`` a newline."""
    body = quoted[1:-1]
    if "\\" not in body:
        return body
    return _ESCAPE.sub(lambda m: _UNESCAPE_MAP.get(m.group(1), m.group(1)), body)


def quote(value: str) -> str:
    if '"' in value or "\\" in value or "\n" in value or "\t" in value:
        value = (value.replace("\\", "\\\\").replace('"', '\\"')
                 .replace("\n", "\\n").replace("\t", "\\t"))
    return f'"{value}"'
