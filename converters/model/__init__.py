"""The shared diagram model: every reader produces it, every writer consumes it.

It knows nothing about any file format. What a format has and the model does not carry in a
field travels in ``attributes`` (a str → str map on the diagram, lanes, nodes, edges and groups):
plain keys (``owner``, ``description``, ``system``, …) are format-neutral, keys of the form
``<format>.<name>`` (``mermaid.shape``, ``bpmn.type``) belong to one format and are read back by
that format's writer, so a round trip through the same format loses nothing.
"""
from .diagram import (
    Diagram,
    Edge,
    EdgeStyle,
    Group,
    GroupKind,
    Lane,
    Node,
    NodeKind,
    Side,
)
from .layout import Layout, layout
from .naming import IdAllocator, edge_name
from .validate import check_diagram

__all__ = [
    "Diagram",
    "Edge",
    "EdgeStyle",
    "Group",
    "GroupKind",
    "Lane",
    "Layout",
    "Node",
    "NodeKind",
    "IdAllocator",
    "Side",
    "edge_name",
    "check_diagram",
    "layout",
]
