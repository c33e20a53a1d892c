"""The model's data types.

Plain mutable dataclasses with slots: readers build diagrams element by element and large diagrams
(50,000 nodes) must stay cheap. Source positions (``line``/``column``) are provenance, not content:
they are excluded from equality so that a diagram read from two formats can compare equal.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class NodeKind(str, Enum):
    """What a node means, independent of how any format draws it."""

    START = "start"  # start event: where the flow begins
    END = "end"  # end event
    EVENT = "event"  # intermediate event / milestone
    TASK = "task"  # a step
    USER_TASK = "user_task"  # a step assigned to someone (FlowZap taskbox, BPMN userTask)
    DECISION = "decision"  # exclusive choice; outgoing edge labels are the outcomes
    GATEWAY = "gateway"  # any other split/join (parallel, inclusive, ...); exact type in attributes
    SUBPROCESS = "subprocess"  # a collapsed or called process
    DATA = "data"  # a data object or store
    NOTE = "note"  # an annotation


EVENT_KINDS = frozenset({NodeKind.START, NodeKind.END, NodeKind.EVENT})


class Side(str, Enum):
    """Where an edge leaves or enters a node's box."""

    LEFT = "left"
    RIGHT = "right"
    TOP = "top"
    BOTTOM = "bottom"


class EdgeStyle(str, Enum):
    SOLID = "solid"
    DOTTED = "dotted"
    THICK = "thick"
    INVISIBLE = "invisible"


@dataclass(slots=True)
class Lane:
    id: str
    label: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    line: int | None = field(default=None, compare=False, repr=False)
    column: int | None = field(default=None, compare=False, repr=False)

    @property
    def display_label(self) -> str:
        return self.label if self.label is not None else self.id


@dataclass(slots=True)
class Node:
    id: str
    lane: str
    kind: NodeKind = NodeKind.TASK
    label: str | None = None
    # The shape as written in the source format ("circle", "stadium", "userTask", ...):
    # informative; a writer decides its own shape from ``kind`` and its own attributes.
    shape: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    line: int | None = field(default=None, compare=False, repr=False)
    column: int | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class Edge:
    source: str
    target: str
    label: str | None = None
    source_side: Side | None = None
    target_side: Side | None = None
    style: EdgeStyle = EdgeStyle.SOLID
    # Formats that name their edges (Mermaid edge ids, BPMN flow ids) keep the name here.
    id: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    line: int | None = field(default=None, compare=False, repr=False)
    column: int | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class Group:
    """An ordered set of nodes drawn as one region.

    ``kind`` says what the region is: ``loop`` (FlowZap loop, sequence ``loop``; ``label`` is the
    condition), ``subgraph`` (a nested Mermaid subgraph), ``group`` (BPMN group), ``alt``/``opt``/
    ``par``/... (sequence fragments), ``subprocess`` (an expanded BPMN sub-process).
    """

    id: str
    kind: str = "loop"
    label: str | None = None
    members: list[str] = field(default_factory=list)
    # The lane the group was written in, when the source format places it in one (FlowZap loops).
    lane: str | None = None
    # The enclosing group, for nested regions.
    parent: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    line: int | None = field(default=None, compare=False, repr=False)
    column: int | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class Diagram:
    title: str | None = None
    # Main flow direction, Mermaid-style: LR (FlowZap's swimlanes), RL, TB, BT.
    direction: str = "LR"
    lanes: list[Lane] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)

    def lane_by_id(self) -> dict[str, Lane]:
        return {lane.id: lane for lane in self.lanes}

    def node_by_id(self) -> dict[str, Node]:
        return {node.id: node for node in self.nodes}

    def nodes_by_lane(self) -> dict[str, list[Node]]:
        """Nodes of each lane, in model order (lanes without nodes map to empty lists)."""
        result: dict[str, list[Node]] = {lane.id: [] for lane in self.lanes}
        for node in self.nodes:
            result.setdefault(node.lane, []).append(node)
        return result

    def summary(self) -> dict[str, int]:
        return {
            "lanes": len(self.lanes),
            "nodes": len(self.nodes),
            "edges": len(self.edges),
            "groups": len(self.groups),
        }


DIRECTIONS = ("LR", "RL", "TB", "BT")


def implied_event_kind(incoming: bool, outgoing: bool) -> NodeKind:
    """The meaning an event shape gets from its edges alone (a FlowZap circle, a Mermaid circle):
    no incoming → start, no outgoing → end, both → intermediate; an isolated one is a milestone."""
    if incoming and not outgoing:
        return NodeKind.END
    if outgoing and not incoming:
        return NodeKind.START
    return NodeKind.EVENT


def infer_event_kinds(diagram: Diagram, event_nodes: list[Node] | None = None) -> None:
    """Give events their meaning from their edges (``implied_event_kind``). Used by formats whose
    event shape does not say which (FlowZap circles)."""
    nodes = event_nodes if event_nodes is not None else [n for n in diagram.nodes if n.kind in EVENT_KINDS]
    if not nodes:
        return
    has_in: set[str] = set()
    has_out: set[str] = set()
    for edge in diagram.edges:
        has_out.add(edge.source)
        has_in.add(edge.target)
    for node in nodes:
        node.kind = implied_event_kind(node.id in has_in, node.id in has_out)
