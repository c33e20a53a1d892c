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


class GroupKind(str, Enum):
    """What a group (a region drawn around nodes) is. A ``str`` enum: its values are the stable
    names that YAML and the ``fz:meta`` extension carry."""

    LOOP = "loop"  # FlowZap loop, sequence ``loop``: ``label`` is the condition
    SUBGRAPH = "subgraph"  # a nested Mermaid subgraph / PlantUML partition
    GROUP = "group"  # a BPMN group, a PlantUML group/package/rectangle/card
    SUBPROCESS = "subprocess"  # an expanded BPMN sub-process
    # Sequence-diagram fragments (Mermaid and PlantUML).
    ALT = "alt"
    OPT = "opt"
    PAR = "par"
    CRITICAL = "critical"
    BREAK = "break"
    PAR_OVER = "par_over"
    RECT = "rect"
    BOX = "box"  # participants boxed together
    # A section of the enclosing fragment: ``else`` of an ``alt``, ``and`` of a ``par``,
    # ``option`` of a ``critical``; its ``parent`` is the fragment.
    ELSE = "else"
    AND = "and"
    OPTION = "option"

    # Written in messages and files as its value ("loop"), as the bare strings it replaced were.
    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def is_section(self) -> bool:
        return self in (GroupKind.ELSE, GroupKind.AND, GroupKind.OPTION)

    @classmethod
    def parse(cls, value: str | GroupKind) -> GroupKind | None:
        try:
            return cls(value)
        except ValueError:
            return None


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

    ``kind`` says what the region is (``GroupKind``); compare with the enum, never a bare string.
    """

    id: str
    kind: GroupKind = GroupKind.LOOP
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
