"""What the PlantUML languages cannot say, kept in ``' flowzap {…}`` comments (``extras=comments``).

PlantUML ignores every line that starts with ``'``. The activity writer puts one comment right
before the statement that draws a node, naming the model's node (id, kind, label, attributes and
place in the model's order), and a block of comments at the end for edges (sides, ids,
attributes, order), lanes, groups and the diagram; the reader applies them back, so FlowZap →
PlantUML → FlowZap loses nothing. JSON is written with ASCII escapes only, so no comment can end
the diagram or hold a line break.
"""
from __future__ import annotations

import json

from ..diagnostics import Diagnostics
from ..model import Diagram, EdgeStyle, Group, GroupKind, Node, NodeKind, Side
from ..model.diagram import DIRECTIONS
from .source import Line

PREFIX = "flowzap "


def comment(payload: dict) -> str:
    return "' " + PREFIX + json.dumps(payload, ensure_ascii=True, separators=(",", ":"))


def payload(text: str) -> dict | None:
    body = text.strip()
    if not body.startswith(PREFIX.strip()):
        return None
    try:
        value = json.loads(body[len(PREFIX.strip()):].strip())
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class Pending:
    """The comments of a text, applied to what the reader builds."""

    def __init__(self, comments: list[Line]) -> None:
        self.by_line: dict[int, dict] = {}
        self.rest: list[tuple[Line, dict]] = []
        self.plain: list[str] = []
        self.renames: list[tuple[Node, dict]] = []
        for line in comments:
            found = payload(line.text)
            if found is None:
                self.plain.append(line.text)
            elif "node" in found:
                self.by_line[line.number] = found
            else:
                self.rest.append((line, found))

    def node(self, node: Node) -> None:
        """Called for each node as it is made: the comment on the line before names it."""
        if node.line is not None and (node.line - 1) in self.by_line:
            self.renames.append((node, self.by_line.pop(node.line - 1)))

    def apply(self, diagram: Diagram, out: Diagnostics) -> None:
        if self.plain:
            diagram.attributes["plantuml.comments"] = "\n".join(self.plain)
        if not self.renames and not self.rest:
            return
        # Two phases: every named node takes its name, then a node whose reader-made id one of
        # those names took is numbered anew (n4 may be read first as the model's n11).
        wanted: dict[int, str] = {}
        names: set[str] = set()
        order: dict[str, int] = {}
        for node, payload in self.renames:
            name = payload.get("node")
            if isinstance(name, str) and name and name not in names:
                wanted[id(node)] = name
                names.add(name)
        rename: dict[str, str] = {}
        fresh = 0
        taken = names | {n.id for n in diagram.nodes}
        for node in diagram.nodes:
            new = wanted.get(id(node))
            if new is None and node.id in names:
                fresh += 1
                while f"p{fresh}" in taken:
                    fresh += 1
                new = f"p{fresh}"
                taken.add(new)
            if new is not None and new != node.id:
                rename[node.id] = new
                node.id = new
        for node, payload in self.renames:
            _apply_node(node, payload)
            if isinstance(payload.get("i"), int):
                order[node.id] = payload["i"]
        for edge in diagram.edges:
            edge.source = rename.get(edge.source, edge.source)
            edge.target = rename.get(edge.target, edge.target)
        for group in diagram.groups:
            group.members = [rename.get(m, m) for m in group.members]
        if order:
            big = len(diagram.nodes) + (1 << 30)
            position = {n.id: i for i, n in enumerate(diagram.nodes)}
            diagram.nodes.sort(key=lambda n: (order.get(n.id, big), position[n.id]))
        edge_order: dict[int, int] = {}
        unmatched: dict[tuple, list[int]] = {}
        for index, edge in enumerate(diagram.edges):
            unmatched.setdefault((edge.source, edge.target, edge.label), []).append(index)
        for line, payload in self.rest:
            if "edge" in payload:
                _apply_edge(diagram, payload, unmatched, edge_order)
            elif "group" in payload:
                group = _group(payload)
                if group is not None:
                    group.line, group.column = line.number, line.column
                    diagram.groups.append(group)
            elif "lane" in payload:
                lane = diagram.lane_by_id().get(payload["lane"])
                if lane is not None:
                    if isinstance(payload.get("id"), str) and payload["id"] not in diagram.lane_by_id():
                        _rename_lane(diagram, lane.id, payload["id"])
                    if "label" in payload:
                        lane.label = payload["label"]
                    lane.attributes.update(_strings(payload.get("attributes")))
            elif "diagram" in payload and isinstance(payload["diagram"], dict):
                extra = payload["diagram"]
                diagram.attributes.update(_strings(extra.get("attributes")))
                if extra.get("direction") in DIRECTIONS:
                    diagram.direction = extra["direction"]
                if "title" in extra and (extra["title"] is None or isinstance(extra["title"], str)):
                    diagram.title = extra["title"]
        _drop_what_the_diagram_lacks(diagram, out)
        if edge_order:
            big = 1 << 30
            indexed = list(enumerate(diagram.edges))
            indexed.sort(key=lambda pair: (edge_order.get(pair[0], big), pair[0]))
            diagram.edges[:] = [edge for _, edge in indexed]


def _strings(value) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}


def _apply_node(node: Node, payload: dict) -> None:
    kind = payload.get("kind")
    if isinstance(kind, str) and kind in NodeKind._value2member_map_:
        node.kind = NodeKind(kind)
    if "label" in payload:
        node.label = payload["label"] if isinstance(payload["label"], str) else None
    if "shape" in payload:
        node.shape = payload["shape"] if isinstance(payload["shape"], str) else None
    if "attributes" in payload:
        node.attributes = _strings(payload["attributes"])


def _apply_edge(diagram: Diagram, payload: dict, unmatched: dict, edge_order: dict[int, int]) -> None:
    ends = payload.get("edge")
    if not isinstance(ends, list) or len(ends) != 3:
        return
    candidates = unmatched.get(tuple(ends))
    if not candidates:
        return
    index = candidates.pop(0)
    edge = diagram.edges[index]
    sides = payload.get("sides")
    if isinstance(sides, list) and len(sides) == 2:
        edge.source_side = Side(sides[0]) if sides[0] in Side._value2member_map_ else None
        edge.target_side = Side(sides[1]) if sides[1] in Side._value2member_map_ else None
    if isinstance(payload.get("id"), str):
        edge.id = payload["id"]
    if isinstance(payload.get("style"), str) and payload["style"] in EdgeStyle._value2member_map_:
        edge.style = EdgeStyle(payload["style"])
    if "attributes" in payload:
        edge.attributes = _strings(payload["attributes"])
    if isinstance(payload.get("i"), int):
        edge_order[index] = payload["i"]


def _group(payload: dict) -> Group | None:
    kind = GroupKind.parse(payload.get("kind", ""))
    members = payload.get("members")
    if kind is None or not isinstance(payload.get("group"), str) or not isinstance(members, list):
        return None
    return Group(payload["group"], kind, payload.get("label") if isinstance(payload.get("label"), str) else None,
                 [m for m in members if isinstance(m, str)],
                 payload.get("lane") if isinstance(payload.get("lane"), str) else None,
                 payload.get("parent") if isinstance(payload.get("parent"), str) else None,
                 _strings(payload.get("attributes")))


def _drop_what_the_diagram_lacks(diagram: Diagram, out: Diagnostics) -> None:
    """A comment edited by hand (or damaged) may name a group twice, or nodes, lanes and parent
    groups the text no longer has: what it names that is not there is left out, with a warning,
    so that the model read is always a valid one."""
    nodes = {node.id for node in diagram.nodes}
    lanes = {lane.id for lane in diagram.lanes}
    kept: list[Group] = []
    ids: set[str] = set()
    for group in diagram.groups:
        where = {"line": group.line, "column": group.column, "element": group.id}
        if group.id in ids:
            out.add("IGNORED_STATEMENT", f"a flowzap comment names group {group.id!r} a second time; left out", **where)
            continue
        ids.add(group.id)
        missing = [m for m in group.members if m not in nodes]
        if missing:
            out.add("IGNORED_STATEMENT", f"a flowzap comment puts nodes the diagram does not have in group {group.id!r} "
                    f"({', '.join(map(repr, missing[:5]))}{', …' if len(missing) > 5 else ''}); left out", **where)
            group.members = [m for m in group.members if m in nodes]
        if group.lane is not None and group.lane not in lanes:
            out.add("IGNORED_STATEMENT", f"a flowzap comment puts group {group.id!r} in lane {group.lane!r}, which the "
                    "diagram does not have; left out", **where)
            group.lane = None
        kept.append(group)
    for group in kept:
        if group.parent is not None and (group.parent not in ids or group.parent == group.id):
            out.add("IGNORED_STATEMENT", f"a flowzap comment puts group {group.id!r} inside group {group.parent!r}, "
                    "which the diagram does not have; left out", line=group.line, column=group.column, element=group.id)
            group.parent = None
    _break_parent_cycles(kept, out)
    diagram.groups[:] = kept


def _break_parent_cycles(groups: list[Group], out: Diagnostics) -> None:
    """Parents that lead back to their group (only damaged comments can say so): the link that
    closes the loop is dropped. One walk per group over groups not yet known to be safe: linear."""
    parent = {group.id: group for group in groups}
    safe: set[str] = set()
    for group in groups:
        path: list[Group] = []
        on_path: set[str] = set()
        current: Group | None = group
        while current is not None and current.id not in safe:
            if current.id in on_path:
                last = path[-1]  # its parent closes the loop
                out.add("IGNORED_STATEMENT", f"a flowzap comment puts group {last.id!r} inside group {last.parent!r}, "
                        "which is inside it; left out", line=last.line, column=last.column, element=last.id)
                last.parent = None
                break
            path.append(current)
            on_path.add(current.id)
            current = parent.get(current.parent) if current.parent is not None else None
        safe.update(on_path)


def _rename_lane(diagram: Diagram, old: str, new: str) -> None:
    for lane in diagram.lanes:
        if lane.id == old:
            lane.id = new
    for node in diagram.nodes:
        if node.lane == old:
            node.lane = new
    for group in diagram.groups:
        if group.lane == old:
            group.lane = new
