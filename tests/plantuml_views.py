"""Comparable views of a model for the PlantUML tests: the graph without ids (ids are not part of a
PlantUML activity), and a sequence diagram's participants and messages in order."""
from __future__ import annotations

from collections import Counter

from converters.model import Diagram, NodeKind

# What PlantUML's activity language draws a node as; kinds it has no shape for read back as these.
_ACTIVITY_KIND = {NodeKind.USER_TASK: NodeKind.USER_TASK}


def _text(value: str | None) -> str | None:
    return value if value else None


def lanes_view(diagram: Diagram) -> list[str]:
    return [lane.label if lane.label is not None else lane.id for lane in diagram.lanes]


def graph_view(diagram: Diagram, kinds: bool = True) -> tuple[Counter, Counter, list[str]]:
    """Nodes (lane, kind, label) and edges (source node, target node, label) as multisets, and
    the lanes' displayed names in order. Without ``kinds``, start and end events are compared
    without their labels (PlantUML's start and stop have none; extras=comments keeps them)."""
    lanes = {lane.id: (lane.label if lane.label is not None else lane.id) for lane in diagram.lanes}
    key = {}
    for node in diagram.nodes:
        label = _text(node.label)
        if not kinds and node.kind in (NodeKind.START, NodeKind.END):
            label = "(event)"
        key[node.id] = (lanes.get(node.lane), node.kind.value if kinds else "", label)
    nodes = Counter(key.values())
    edges = Counter((key[e.source], key[e.target], _text(e.label)) for e in diagram.edges)
    return nodes, edges, lanes_view(diagram)


def messages_view(diagram: Diagram) -> list[tuple[str, str, str | None]]:
    """A sequence diagram's messages in order, as (sender, receiver, text) by lane display name."""
    lanes = {lane.id: (lane.label if lane.label is not None else lane.id) for lane in diagram.lanes}
    lane_of = {n.id: n.lane for n in diagram.nodes}
    position = {n.id: i for i, n in enumerate(diagram.nodes)}
    edges = sorted(diagram.edges, key=lambda e: position[e.target])
    return [(lanes[lane_of[e.source]], lanes[lane_of[e.target]], _text(e.label)) for e in edges]


def written_graph(diagram: Diagram) -> tuple[Counter, Counter]:
    """Nodes (lane position, label) and edges (source, target, label) as multisets, with the labels
    PlantUML cannot draw taken out: the model's start, stop and fork nodes have none once written
    (the writer reports them), and an empty label is no label."""
    from converters.plantuml.restructure import Restructure

    plan = Restructure(diagram)
    lanes = {lane.id: index for index, lane in enumerate(diagram.lanes)}
    key = {}
    for node in diagram.nodes:
        label = None if plan.form(node) in ("start", "stop", "fork") else (node.label or None)
        key[node.id] = (lanes.get(node.lane), label)
    edges = Counter((key[e.source], key[e.target], e.label or None) for e in diagram.edges
                    if e.source in key and e.target in key)
    return Counter(key.values()), edges
