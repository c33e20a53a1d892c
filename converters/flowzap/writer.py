"""Model → FlowZap Code, in the one canonical form (docs/flowzap.md §3).

Lanes in order, each ``laneId { # Label``; inside a lane its nodes, then the edges leaving them,
then its loops. Ids are renumbered n1…nN in MODEL order, so that the reader, which orders nodes
by their numbers, gives back the model's node order (a sequence diagram's time order,
docs/sequence.md); a lane's ids may therefore interleave with another's, as the language allows.
Both handles on every edge (chosen by the layout when the model has no side); cross-lane targets
prefixed with their lane.

Everything written reads back: text is escaped (``\\"``, ``\\\\``, ``\\n``, ``\\t``) or, where
FlowZap cannot hold it (control characters, carriage returns, ``]`` in a loop condition, a line
break in a lane label), changed and reported per element; what FlowZap has no place for (edge
attributes other than ``label``, edge styles and ids, groups other than loops, namespaced keys)
is reported per element and left out.
"""
from __future__ import annotations

import re

from ..diagnostics import Diagnostic, Diagnostics
from ..errors import InputError
from ..model import Diagram, EdgeStyle, GroupKind, IdAllocator, Node, Side, edge_name
from ..model.layout import edge_sides
from ..model.diagram import EVENT_KINDS, implied_event_kind
from .syntax import APPROXIMATED_KINDS, IDENTIFIER, KIND_SHAPE

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# What no FlowZap text may hold, even quoted: the reader refuses control characters (C0 but tab
# and newline, DEL, C1) and U+FFFE/U+FFFF. Carriage returns are line breaks, turned into \n first.
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_NEEDS_WORK = re.compile("[\"\\\\\n\t\r\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_WORDS = re.compile(r"[A-Za-z0-9]+")
_SIDE_NAME = {side: side.value for side in Side}  # a dict look-up is cheaper than the enum's .value


def _camel(text: str) -> str:
    name = "".join(w[:1].upper() + w[1:] for w in _WORDS.findall(text))
    if name and not name[0].isalpha():
        name = "Lane" + name
    return name


def lane_identifiers(diagram: Diagram) -> dict[str, str]:
    """FlowZap lane ids for the model's lanes: kept when already plain identifiers, else made
    readable from the label ("Auth Server" → AuthServer), always unique."""
    ids = IdAllocator(lambda candidate: IDENTIFIER.match(candidate) is not None, _camel, separator="")
    result: dict[str, str] = {}
    for lane in diagram.lanes:
        if lane.id not in result and ids.reserve(lane.id):
            result[lane.id] = lane.id
    for lane in diagram.lanes:
        if lane.id not in result:
            wanted = _camel(lane.label or "") or _camel(lane.id) or "Lane"
            result[lane.id] = ids.allocate(wanted, "Lane")
    return result


def node_identifiers(diagram: Diagram) -> dict[str, str]:
    """The FlowZap ids the writer gives the model's nodes: n1…nN in model order (nodes of lanes
    the diagram has; a node named twice keeps its first number)."""
    lanes = {lane.id for lane in diagram.lanes}
    result: dict[str, str] = {}
    for node in diagram.nodes:
        if node.lane in lanes and node.id not in result:
            result[node.id] = f"n{len(result) + 1}"
    return result


def _line_breaks(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Writer:
    def __init__(self, diagram: Diagram) -> None:
        self.diagram = diagram
        self.out = Diagnostics()
        self.lane_ids = lane_identifiers(diagram)
        # The written nodes by model position, not in dicts keyed by id (at 50,000 nodes each
        # look-up by id is a cache miss): one dict from id to position, then lists.
        self.position: dict[str, int] = {}  # node id → position of the written node of that id
        self.new_id: list[str | None] = []  # by position: its FlowZap id n1…nN (None: not written)
        self.has_in = bytearray()  # by position: some edge ends at it / leaves it (what a circle means)
        self.has_out = bytearray()

    # -- text --------------------------------------------------------------------------------
    def quoted(self, value: str, kind: str, element: str, field: str, line: int | None, column: int | None) -> str:
        """``value`` as a ``"…"`` literal; what FlowZap cannot hold is dropped and reported."""
        if _NEEDS_WORK.search(value) is None:
            return f'"{value}"'
        text = _line_breaks(value)
        cleaned = _UNWRITABLE.sub("", text)
        if cleaned != value:
            self.out.add("CHANGED_LABEL", f"{kind} {element!r}: {field}: FlowZap text cannot hold control characters or carriage "
                         "returns; line breaks are written as \\n, the other characters are left out",
                         line=line, column=column, element=element)
        escaped = (cleaned.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t"))
        return f'"{escaped}"'

    def one_line(self, value: str, what: str, element: str, line: int | None, column: int | None,
                 forbidden: str = "") -> str:
        """``value`` as the rest of a line (a lane label, a loop condition), as the reader will see
        it: no line breaks, no control characters, no surrounding white space."""
        text = _UNWRITABLE.sub("", _line_breaks(value).replace("\n", " "))
        for character in forbidden:
            text = text.replace(character, ")")
        text = text.strip()
        if text != value:
            self.out.add("CHANGED_LABEL", f"{what} {value!r} is written {text!r}: a FlowZap line cannot hold line "
                         f"breaks, control characters{', ' + repr(forbidden) if forbidden else ''} or white space "
                         "at its ends", line=line, column=column, element=element)
        return text

    # -- the diagram -------------------------------------------------------------------------
    def run(self) -> tuple[str, list[Diagnostic]]:
        diagram = self.diagram
        if not diagram.lanes:
            diagnostics = Diagnostics(None)
            diagnostics.add("EMPTY_DIAGRAM", "the diagram has no lane, and FlowZap Code is made of lanes: "
                            "there is nothing FlowZap can write")
            raise InputError(diagnostics.items, "model")
        self.report_diagram_losses()
        nodes_by_lane: dict[str, list[int]] = {lane.id: [] for lane in diagram.lanes}
        position, new_id = self.position, self.new_id
        new_id.extend([None] * len(diagram.nodes))
        self.has_in, self.has_out = bytearray(len(diagram.nodes)), bytearray(len(diagram.nodes))
        for index, node in enumerate(diagram.nodes):  # numbered in model order, written in their lanes
            lane_nodes = nodes_by_lane.get(node.lane)
            if lane_nodes is None or node.id in position:
                self.out.add("DROPPED_NODE", f"node {node.id!r} is in no lane of the diagram", line=node.line,
                             column=node.column, element=node.id)
                continue
            position[node.id] = index
            new_id[index] = f"n{len(position)}"
            lane_nodes.append(index)
        edges_by_lane = self.edges()
        loops_by_lane = self.loops()
        nodes, has_in, has_out = diagram.nodes, self.has_in, self.has_out

        lines: list[str] = []
        for lane in diagram.lanes:
            label = lane.label if lane.label is not None else lane.id
            label = self.one_line(label, f"lane {lane.id!r}: label", lane.id, lane.line, lane.column)
            lines.append(f"{self.lane_ids[lane.id]} {{ # {label}" if label else f"{self.lane_ids[lane.id]} {{")
            if not label and not lane.label:
                self.out.add("CHANGED_LABEL", f"lane {lane.id!r} has an empty label; FlowZap shows its id",
                             line=lane.line, column=lane.column, element=lane.id)
            node_line = self.node_line
            lines.extend([node_line(nodes[i], new_id[i], has_in[i], has_out[i]) for i in nodes_by_lane[lane.id]])
            lines.extend(edges_by_lane[lane.id])
            lines.extend(loops_by_lane[lane.id])
            lines.append("}")
        lines.append("")
        return "\n".join(lines), self.out.items

    def report_diagram_losses(self) -> None:
        diagram, out = self.diagram, self.out
        if diagram.title is not None:
            out.add("DROPPED_TITLE", f"FlowZap has no diagram title ({diagram.title!r})")
        if diagram.direction != "LR":
            out.add("DROPPED_DIRECTION", f"FlowZap lanes always run left to right (the diagram is {diagram.direction})")
        if diagram.attributes:
            out.add("DROPPED_ATTRIBUTE", f"diagram: FlowZap cannot carry {', '.join(diagram.attributes)}")
        for lane in diagram.lanes:
            if self.lane_ids[lane.id] != lane.id:
                out.add("RENAMED_ID", f"lane id {lane.id!r} is not a FlowZap identifier; written as "
                        f"{self.lane_ids[lane.id]!r}", line=lane.line, column=lane.column, element=lane.id)
            if lane.attributes:
                out.add("DROPPED_ATTRIBUTE", f"lane {lane.id}: FlowZap cannot carry {', '.join(lane.attributes)}",
                        line=lane.line, column=lane.column, element=lane.id)

    def node_line(self, node: Node, new_id: str, has_in: int, has_out: int) -> str:
        kind, label = node.kind, node.label
        shape = KIND_SHAPE[kind]
        if (not node.attributes and label is not None and kind not in EVENT_KINDS and kind not in APPROXIMATED_KINDS
                and _NEEDS_WORK.search(label) is None):  # the common case: a plain labelled step
            return f'{new_id}: {shape} label:"{label}"'
        parts = [f"{new_id}: {shape}"]
        if label is not None:
            parts.append(f"label:{self.quoted(label, 'node', node.id, 'label', node.line, node.column)}")
        dropped = []
        for key, value in node.attributes.items():
            if _PLAIN_KEY.match(key) and key != "label":
                value = self.quoted(value, "node", node.id, key, node.line, node.column)
                parts.append(f"{key}:{value}")
            else:
                dropped.append(key)
        if dropped:
            self.out.add("DROPPED_ATTRIBUTE", f"node {node.id}: FlowZap cannot carry {', '.join(dropped)}",
                         line=node.line, column=node.column, element=node.id)
        if node.kind in APPROXIMATED_KINDS:
            self.out.add("CHANGED_KIND", f"node {node.id} is a {node.kind.value}; FlowZap draws it as a {shape}",
                         line=node.line, column=node.column, element=node.id)
        elif node.kind in EVENT_KINDS:
            # A circle's meaning comes back from its edges; say so when that gives another one.
            implied = implied_event_kind(bool(has_in), bool(has_out))
            if implied is not node.kind:
                self.out.add("CHANGED_KIND", f"node {node.id} is a {node.kind.value} event but its edges make the "
                             f"circle read as {implied.value}", line=node.line, column=node.column, element=node.id)
        return " ".join(parts)

    def edges(self) -> dict[str, list[str]]:
        diagram, out, new_id, lane_ids = self.diagram, self.out, self.new_id, self.lane_ids
        nodes, get, has_in, has_out = diagram.nodes, self.position.get, self.has_in, self.has_out
        needs_work = _NEEDS_WORK.search
        edges_by_lane: dict[str, list[str]] = {lane.id: [] for lane in diagram.lanes}
        placement = None
        source_of, target_of = [get(edge.source, -1) for edge in diagram.edges], [get(edge.target, -1) for edge in diagram.edges]
        for index, edge in enumerate(diagram.edges):
            source, target = source_of[index], target_of[index]
            if source >= 0:
                has_out[source] = 1
            if target >= 0:
                has_in[target] = 1
            if source < 0 or target < 0:
                element = edge_name(edge)
                out.add("DROPPED_EDGE", f"edge {element} names a node that is not written; FlowZap edges join "
                        "declared nodes", line=edge.line, column=edge.column, element=element)
                continue
            source_side, target_side = edge.source_side, edge.target_side
            if source_side is None or target_side is None:
                if placement is None:  # (the same positions as the layout's when every node is written)
                    placement = edge_sides(diagram, (source_of, target_of) if len(self.position) == len(nodes) else None)
                chosen = placement[index]
                source_side = source_side or chosen[0]
                target_side = target_side or chosen[1]
            source_lane, target_lane = nodes[source].lane, nodes[target].lane
            prefix = f"{lane_ids[target_lane]}." if target_lane != source_lane else ""
            text = (f"{new_id[source]}.handle({_SIDE_NAME[source_side]}) -> "
                    f"{prefix}{new_id[target]}.handle({_SIDE_NAME[target_side]})")
            label = edge.label
            if label is not None:
                if needs_work(label) is None:  # the common case, inline: no escape, no name to build
                    text += f' [label="{label}"]'
                else:
                    text += f" [label={self.quoted(label, 'edge', edge_name(edge), 'label', edge.line, edge.column)}]"
            if edge.attributes or edge.style is not EdgeStyle.SOLID or edge.id is not None:
                self.edge_losses(edge)
            edges_by_lane[source_lane].append(text)
        return edges_by_lane

    def edge_losses(self, edge) -> None:
        out, element = self.out, edge_name(edge)
        if edge.attributes:
            out.add("DROPPED_ATTRIBUTE", f"edge {element}: FlowZap edges carry only a label, not "
                    f"{', '.join(edge.attributes)}", line=edge.line, column=edge.column, element=element)
        if edge.style is not EdgeStyle.SOLID:
            out.add("DROPPED_EDGE_STYLE", f"edge {element} is {edge.style.value}; FlowZap draws every edge solid",
                    line=edge.line, column=edge.column, element=element)
        if edge.id is not None:
            out.add("DROPPED_EDGE_ID", f"edge id {edge.id!r} has no place in FlowZap",
                    line=edge.line, column=edge.column, element=element)

    def loops(self) -> dict[str, list[str]]:
        diagram, out, new_id, position = self.diagram, self.out, self.new_id, self.position
        loops_by_lane: dict[str, list[str]] = {lane.id: [] for lane in diagram.lanes}
        for group in diagram.groups:
            if group.kind is not GroupKind.LOOP and GroupKind.parse(group.kind) is not GroupKind.LOOP:
                out.add("DROPPED_GROUP", f"{group.kind} {group.label or group.id!r} has no FlowZap form; "
                        "its nodes are kept, the region is not", line=group.line, column=group.column,
                        element=group.id)
                continue
            members = [position[m] for m in group.members if m in position]
            if len(members) < 2:
                out.add("DROPPED_GROUP", f"loop {group.id!r} has fewer than two nodes; FlowZap needs two",
                        line=group.line, column=group.column, element=group.id)
                continue
            lane = group.lane if group.lane in loops_by_lane else diagram.nodes[members[0]].lane
            condition = ""
            if group.label is not None:
                condition = self.one_line(group.label, f"loop {group.id!r}: condition", group.id, group.line,
                                          group.column, forbidden="]")
                if group.label == "":
                    out.add("CHANGED_LABEL", f"loop {group.id!r}: an empty condition reads back as none",
                            line=group.line, column=group.column, element=group.id)
            loops_by_lane[lane].append(f"loop [{condition}] {' '.join(new_id[m] for m in members)}")
            extra = list(group.attributes) + (["parent"] if group.parent else [])
            if extra:
                out.add("DROPPED_ATTRIBUTE", f"loop {group.id!r}: FlowZap cannot carry {', '.join(extra)}",
                        line=group.line, column=group.column, element=group.id)
        return loops_by_lane


def write(diagram: Diagram, options: dict[str, str]) -> tuple[str, list[Diagnostic]]:
    return _Writer(diagram).run()
