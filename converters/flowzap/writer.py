"""Model → FlowZap Code, in the one canonical form (docs/flowzap.md §3).

Lanes in order, each ``laneId { # Label``; inside a lane its nodes, then the edges leaving them,
then its loops; ids renumbered n1…nN in that order; both handles on every edge (chosen by the
layout when the model has no side); cross-lane targets prefixed with their lane.
"""
from __future__ import annotations

import re

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram, EdgeStyle, layout
from ..model.diagram import EVENT_KINDS, implied_event_kind
from .syntax import APPROXIMATED_KINDS, IDENTIFIER, KIND_SHAPE, quote

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def lane_identifiers(diagram: Diagram) -> dict[str, str]:
    """FlowZap lane ids for the model's lanes: kept when already plain identifiers, else made
    readable from the label ("Auth Server" → AuthServer), always unique."""
    result: dict[str, str] = {}
    taken: set[str] = set()
    for lane in diagram.lanes:
        if IDENTIFIER.match(lane.id) and lane.id not in taken:
            result[lane.id] = lane.id
            taken.add(lane.id)
    for lane in diagram.lanes:
        if lane.id in result:
            continue
        base = _camel(lane.label or "") or _camel(lane.id) or "Lane"
        candidate, counter = base, 2
        while candidate in taken:
            candidate, counter = f"{base}{counter}", counter + 1
        result[lane.id] = candidate
        taken.add(candidate)
    return result


def _camel(text: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", text)
    name = "".join(w[:1].upper() + w[1:] for w in words)
    if name and not name[0].isalpha():
        name = "Lane" + name
    return name


def write(diagram: Diagram, options: dict[str, str]) -> tuple[str, list[Diagnostic]]:
    out = Diagnostics()
    lane_ids = lane_identifiers(diagram)
    nodes_by_lane = diagram.nodes_by_lane()

    # New ids, n1…nN, lane by lane in model order.
    new_id: dict[str, str] = {}
    lane_of: dict[str, str] = {}
    for lane in diagram.lanes:
        for node in nodes_by_lane.get(lane.id, ()):
            new_id[node.id] = f"n{len(new_id) + 1}"
            lane_of[node.id] = lane.id

    _report_diagram_losses(diagram, lane_ids, out)
    has_in = {edge.target for edge in diagram.edges}
    has_out = {edge.source for edge in diagram.edges}

    placement = None
    if any(edge.source_side is None or edge.target_side is None for edge in diagram.edges):
        placement = layout(diagram)

    edges_by_lane: dict[str, list[str]] = {lane.id: [] for lane in diagram.lanes}
    for index, edge in enumerate(diagram.edges):
        source_side, target_side = edge.source_side, edge.target_side
        if source_side is None or target_side is None:
            chosen = placement.sides(diagram, index)
            source_side = source_side or chosen[0]
            target_side = target_side or chosen[1]
        source_lane, target_lane = lane_of[edge.source], lane_of[edge.target]
        prefix = f"{lane_ids[target_lane]}." if target_lane != source_lane else ""
        attrs = []
        if edge.label is not None:
            attrs.append(f"label={quote(edge.label)}")
        element = edge.id or f"{edge.source}->{edge.target}"
        dropped = []
        for key, value in edge.attributes.items():
            if _PLAIN_KEY.match(key) and key != "label":
                attrs.append(f"{key}={quote(value)}")
            else:
                dropped.append(key)
        if dropped:
            out.add("DROPPED_ATTRIBUTE", f"edge {element}: FlowZap cannot carry {', '.join(dropped)}",
                    line=edge.line, column=edge.column, element=element)
        if edge.style is not EdgeStyle.SOLID:
            out.add("DROPPED_EDGE_STYLE", f"edge {element} is {edge.style.value}; FlowZap draws every edge solid",
                    line=edge.line, column=edge.column, element=element)
        if edge.id is not None:
            out.add("DROPPED_EDGE_ID", f"edge id {edge.id!r} has no place in FlowZap",
                    line=edge.line, column=edge.column, element=element)
        text = (f"{new_id[edge.source]}.handle({source_side.value}) -> "
                f"{prefix}{new_id[edge.target]}.handle({target_side.value})")
        if attrs:
            text += f" [{', '.join(attrs)}]"
        edges_by_lane[source_lane].append(text)

    loops_by_lane: dict[str, list[str]] = {lane.id: [] for lane in diagram.lanes}
    for group in diagram.groups:
        if group.kind != "loop":
            out.add("DROPPED_GROUP", f"{group.kind} {group.label or group.id!r} has no FlowZap form; "
                    "its nodes are kept, the region is not", line=group.line, column=group.column, element=group.id)
            continue
        members = [m for m in group.members if m in new_id]
        if len(members) < 2:
            out.add("DROPPED_GROUP", f"loop {group.id!r} has fewer than two nodes; FlowZap needs two",
                    line=group.line, column=group.column, element=group.id)
            continue
        lane = group.lane if group.lane in loops_by_lane else lane_of[members[0]]
        condition = (group.label or "").replace("]", ")").replace("\n", " ")
        if condition != (group.label or ""):
            out.add("CHANGED_LABEL", f"loop condition {group.label!r} cannot hold ']' or line breaks",
                    line=group.line, column=group.column, element=group.id)
        loops_by_lane[lane].append(f"loop [{condition}] {' '.join(new_id[m] for m in members)}")
        extra = [k for k in group.attributes]
        if extra or group.parent:
            out.add("DROPPED_ATTRIBUTE", f"loop {group.id!r}: FlowZap cannot carry "
                    f"{', '.join(extra + (['parent'] if group.parent else []))}", element=group.id)

    lines: list[str] = []
    for lane in diagram.lanes:
        label = lane.label if lane.label is not None else lane.id
        if "\n" in label:
            out.add("CHANGED_LABEL", f"lane {lane.id!r}: line breaks in its label become spaces", element=lane.id)
            label = label.replace("\n", " ")
        lines.append(f"{lane_ids[lane.id]} {{ # {label}")
        for node in nodes_by_lane.get(lane.id, ()):
            lines.append(_node_line(node, new_id[node.id], node.id in has_in, node.id in has_out, out))
        lines.extend(edges_by_lane[lane.id])
        lines.extend(loops_by_lane[lane.id])
        lines.append("}")
    return "\n".join(lines) + "\n", out.items


def _node_line(node, new_id: str, has_in: bool, has_out: bool, out: Diagnostics) -> str:
    shape = KIND_SHAPE[node.kind]
    parts = [f"{new_id}: {shape}"]
    if node.label is not None:
        parts.append(f"label:{quote(node.label)}")
    dropped = []
    for key, value in node.attributes.items():
        if _PLAIN_KEY.match(key) and key != "label":
            parts.append(f"{key}:{quote(value)}")
        else:
            dropped.append(key)
    if dropped:
        out.add("DROPPED_ATTRIBUTE", f"node {node.id}: FlowZap cannot carry {', '.join(dropped)}",
                line=node.line, column=node.column, element=node.id)
    if node.kind in APPROXIMATED_KINDS:
        out.add("CHANGED_KIND", f"node {node.id} is a {node.kind.value}; FlowZap draws it as a {shape}",
                line=node.line, column=node.column, element=node.id)
    elif node.kind in EVENT_KINDS:
        # A circle's meaning comes back from its edges; say so when that gives another one.
        implied = implied_event_kind(has_in, has_out)
        if implied is not node.kind:
            out.add("CHANGED_KIND", f"node {node.id} is a {node.kind.value} event but its edges make the "
                    f"circle read as {implied.value}", line=node.line, column=node.column, element=node.id)
    return " ".join(parts)


def _report_diagram_losses(diagram: Diagram, lane_ids: dict[str, str], out: Diagnostics) -> None:
    if diagram.title:
        out.add("DROPPED_TITLE", f"FlowZap has no diagram title ({diagram.title!r})")
    if diagram.direction != "LR":
        out.add("DROPPED_DIRECTION", f"FlowZap lanes always run left to right (the diagram is {diagram.direction})")
    if diagram.attributes:
        out.add("DROPPED_ATTRIBUTE", f"diagram: FlowZap cannot carry {', '.join(diagram.attributes)}")
    for lane in diagram.lanes:
        if lane_ids[lane.id] != lane.id:
            out.add("RENAMED_ID", f"lane id {lane.id!r} is not a FlowZap identifier; written as "
                    f"{lane_ids[lane.id]!r}", line=lane.line, column=lane.column, element=lane.id)
        if lane.attributes:
            out.add("DROPPED_ATTRIBUTE", f"lane {lane.id}: FlowZap cannot carry {', '.join(lane.attributes)}",
                    line=lane.line, column=lane.column, element=lane.id)
