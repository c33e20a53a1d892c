"""Mermaid's node shapes: the classic bracket forms, the v11 ``@{ shape: … }`` names, what each
means in the model, and which shape the writer draws for each model kind.

The v11 names are mermaid 11.17's ``shapesDefs`` (short name, aliases, internal aliases) plus the
shapes it keeps for its own diagrams; ``@{ shape: X }`` with any other name is rejected by mermaid
("No such shape"), and so by the reader.
"""
from __future__ import annotations

from ..model import NodeKind

# Classic bracket syntax: the type mermaid's db records → (open, close).
BRACKETS: dict[str, tuple[str, str]] = {
    "square": ("[", "]"),
    "round": ("(", ")"),
    "stadium": ("([", "])"),
    "subroutine": ("[[", "]]"),
    "cylinder": ("[(", ")]"),
    "circle": ("((", "))"),
    "doublecircle": ("(((", ")))"),
    "ellipse": ("(-", "-)"),
    "odd": (">", "]"),
    "diamond": ("{", "}"),
    "hexagon": ("{{", "}}"),
    "lean_right": ("[/", "/]"),
    "lean_left": ("[\\", "\\]"),
    "trapezoid": ("[/", "\\]"),
    "inv_trapezoid": ("[\\", "/]"),
}

# v11 shapes: short name → aliases (mermaid 11.17 shapesDefs).
_V11: dict[str, tuple[str, ...]] = {
    "rect": ("proc", "process", "rectangle", "squareRect"),
    "rounded": ("event", "roundedRect"),
    "stadium": ("terminal", "pill"),
    "fr-rect": ("subprocess", "subproc", "framed-rectangle", "subroutine"),
    "cyl": ("db", "database", "cylinder"),
    "datastore": ("data-store",),
    "folder": ("directory",),
    "bucket": (),
    "console": (),
    "browser": (),
    "person": (),
    "circle": ("circ",),
    "bang": (),
    "cloud": (),
    "diam": ("decision", "diamond", "question"),
    "hex": ("hexagon", "prepare"),
    "lean-r": ("lean-right", "in-out", "lean_right"),
    "lean-l": ("lean-left", "out-in", "lean_left"),
    "trap-b": ("priority", "trapezoid-bottom", "trapezoid"),
    "trap-t": ("manual", "trapezoid-top", "inv-trapezoid", "inv_trapezoid"),
    "dbl-circ": ("double-circle", "doublecircle"),
    "text": (),
    "notch-rect": ("card", "notched-rectangle"),
    "lin-rect": ("lined-rectangle", "lined-process", "lin-proc", "shaded-process"),
    "sm-circ": ("start", "small-circle", "stateStart"),
    "fr-circ": ("stop", "framed-circle", "stateEnd"),
    "fork": ("join", "forkJoin"),
    "hourglass": ("collate",),
    "brace": ("comment", "brace-l"),
    "brace-r": (),
    "braces": (),
    "bolt": ("com-link", "lightning-bolt"),
    "doc": ("document",),
    "delay": ("half-rounded-rectangle",),
    "h-cyl": ("das", "horizontal-cylinder"),
    "lin-cyl": ("disk", "lined-cylinder"),
    "curv-trap": ("curved-trapezoid", "display"),
    "div-rect": ("div-proc", "divided-rectangle", "divided-process"),
    "tri": ("extract", "triangle"),
    "win-pane": ("internal-storage", "window-pane"),
    "f-circ": ("junction", "filled-circle"),
    "notch-pent": ("loop-limit", "notched-pentagon"),
    "flip-tri": ("manual-file", "flipped-triangle"),
    "sl-rect": ("manual-input", "sloped-rectangle"),
    "docs": ("documents", "st-doc", "stacked-document"),
    "st-rect": ("procs", "processes", "stacked-rectangle"),
    "bow-rect": ("stored-data", "bow-tie-rectangle"),
    "cross-circ": ("summary", "crossed-circle"),
    "tag-doc": ("tagged-document",),
    "tag-rect": ("tagged-rectangle", "tag-proc", "tagged-process"),
    "flag": ("paper-tape",),
    "odd": ("rect_left_inv_arrow",),
    "lin-doc": ("lined-document",),
}
# Shapes mermaid keeps for its other diagrams (valid in a flowchart, undocumented).
_UNDOCUMENTED = (
    "state", "choice", "note", "composite", "rectWithTitle", "labelRect", "block_arrow",
    "collapsedGroup", "iconSquare", "iconCircle", "icon", "iconRounded", "imageSquare", "anchor",
    "kanbanItem", "mindmapCircle", "defaultMindmapNode", "classBox", "erBox", "requirementBox",
)

CANONICAL: dict[str, str] = {}  # any v11 name or alias → its short name
for _short, _aliases in _V11.items():
    CANONICAL[_short] = _short
    for _alias in _aliases:
        CANONICAL.setdefault(_alias, _short)
for _name in _UNDOCUMENTED:
    CANONICAL.setdefault(_name, _name)
VALID_SHAPES = frozenset(CANONICAL)


def shape_error(shape: str) -> str | None:
    """Mermaid's own check on ``@{ shape: … }`` (flowDb.addVertex): None when accepted."""
    if shape != shape.lower() or "_" in shape:
        return f"No such shape: {shape}. Shape names should be lowercase."
    if shape not in VALID_SHAPES:
        return f"No such shape: {shape}."
    return None


# What a shape means. Classic types and v11 short names both appear here.
_EVENT = {"circle", "doublecircle", "ellipse", "sm-circ", "fr-circ", "dbl-circ", "f-circ", "cross-circ"}
_DECISION = {"diamond", "diam", "choice"}
_USER_TASK = {"notch-rect"}
_SUBPROCESS = {"subroutine", "fr-rect"}
_DATA = {"cylinder", "cyl", "datastore", "h-cyl", "lin-cyl"}
_NOTE = {"brace", "brace-r", "braces", "note"}


def kind_of(shape: str | None) -> NodeKind:
    """The model kind a mermaid shape (db type or v11 name) stands for."""
    if shape is None:
        return NodeKind.TASK
    name = CANONICAL.get(shape, shape) if shape not in BRACKETS else shape
    if name in _EVENT:
        return NodeKind.EVENT
    if name in _DECISION:
        return NodeKind.DECISION
    if name in _USER_TASK:
        return NodeKind.USER_TASK
    if name in _SUBPROCESS:
        return NodeKind.SUBPROCESS
    if name in _DATA:
        return NodeKind.DATA
    if name in _NOTE:
        return NodeKind.NOTE
    return NodeKind.TASK


# The shape the writer draws for each kind (a classic type, or a v11 short name), chosen so that
# the reader gives the same kind back — except GATEWAY, which mermaid has no shape for.
KIND_SHAPE: dict[NodeKind, str] = {
    NodeKind.START: "circle",
    NodeKind.END: "circle",
    NodeKind.EVENT: "circle",
    NodeKind.TASK: "square",
    NodeKind.USER_TASK: "notch-rect",
    NodeKind.DECISION: "diamond",
    NodeKind.GATEWAY: "hexagon",
    NodeKind.SUBPROCESS: "subroutine",
    NodeKind.DATA: "cylinder",
    NodeKind.NOTE: "brace",
}


def same_meaning(shape: str, kind: NodeKind) -> bool:
    """True when reading ``shape`` back gives ``kind`` (start/end/event all read as events)."""
    read = kind_of(shape)
    if read is NodeKind.EVENT:
        return kind in (NodeKind.START, NodeKind.END, NodeKind.EVENT)
    return read is kind
