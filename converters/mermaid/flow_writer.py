"""Model → Mermaid ``flowchart`` or ``swimlane-beta``.

The diagram's direction; one subgraph per lane, in order, titled with the lane's label (the lane
of nodes outside every subgraph, ``main``, is written without one); nested subgraph groups inside
their lane; every node declared once inside its lane's block, with the shape of its kind (or its
own ``mermaid.shape`` when that means the same); every label quoted and encoded (``escape.py``);
edges after the blocks (an edge written inside a subgraph would pull its ends into it); then
classDef/class/style/linkStyle/click from the ``mermaid.*`` attributes. Ids that Mermaid could
misread (keywords such as ``end``, ``graph``, ``style``; characters outside ``[A-Za-z0-9_]``) are
renamed and reported.

What Mermaid has no place for is reported per element (loss diagnostics), or with
``extras=comments`` written as ``%% flowzap {…}`` comments that the reader applies back.
"""
from __future__ import annotations

import itertools
import re

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram, Edge, EdgeStyle, Group, GroupKind, Lane, Node, NodeKind, Side, edge_name
from ..model.diagram import EVENT_KINDS, implied_event_kind
from . import comments
from .escape import (
    SAFE_ID,
    IdMap,
    flow_text,
    has_markup,
    header_lines,
    markdown_text,
    mermaid_ids,
    one_line,
    plain_string,
    single_line,
    statement_value,
    style_value,
    yaml_label,
)
from .flowchart import OUTSIDE_LANE
from .shapes import BRACKETS, KIND_SHAPE, kind_of, same_meaning, shape_error

FLOW_KEYWORDS = frozenset({
    "end", "graph", "flowchart", "subgraph", "style", "default", "linkStyle", "interpolate", "classDef",
    "class", "click", "call", "href", "direction", "accTitle", "accDescr", "v", "TB", "BT", "RL", "LR", "TD",
    "BR", "swimlane", "o", "x",
})
# Indentation shows nesting to a reader; past this depth it would make the text grow with the
# square of the depth (issue 11), so deeper blocks are indented as this one.
MAX_INDENT = 8
# Node attributes the flowchart writer turns into Mermaid syntax.
_NODE_KEYS = {"mermaid.shape", "mermaid.labelType", "mermaid.props", "mermaid.data", "mermaid.style",
              "mermaid.class", "mermaid.link", "mermaid.linkTarget", "mermaid.callback", "mermaid.callbackArgs",
              "mermaid.tooltip", "mermaid.markup"}
_EDGE_KEYS = {"mermaid.arrow", "mermaid.length", "mermaid.labelType", "mermaid.linkStyle", "mermaid.curve",
              "mermaid.class", "mermaid.data", "mermaid.source", "mermaid.target", "mermaid.markup"}
# A subgraph's attributes that its statements carry back. A ``click`` on a subgraph is no link to
# mermaid (it only gets the class "clickable"), and a sequence participant's keys have no flowchart
# form: those are reported. The lane of the nodes outside every subgraph has no statement at all.
_LANE_KEYS = {"mermaid.direction", "mermaid.labelType", "mermaid.class", "mermaid.style", "mermaid.lane",
              "mermaid.autoId", "mermaid.markup"}
_OUTSIDE_LANE_KEYS = {"mermaid.lane", "mermaid.markup"}
_DIAGRAM_KEYS = {"diagram", "mermaid.diagram", "mermaid.config", "mermaid.init", "mermaid.accTitle", "mermaid.accDescr",
                 "mermaid.linkStyle.default", "mermaid.linkStyle.default.interpolate", "mermaid.comments"}
_CLASS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_HEADS = {
    "arrow_point": ("", ">"), "arrow_open": ("", ""), "arrow_circle": ("", "o"), "arrow_cross": ("", "x"),
    "double_arrow_point": ("<", ">"), "double_arrow_circle": ("o", "o"), "double_arrow_cross": ("x", "x"),
}
_ICON = re.compile(r"(?:^|[,{\s])(?:icon|img)\s*:")
_V11_OF_CLASSIC = {"square": "rect", "round": "rounded", "subroutine": "fr-rect", "cylinder": "cyl",
                   "diamond": "diam", "hexagon": "hex", "doublecircle": "dbl-circ", "lean_right": "lean-r",
                   "lean_left": "lean-l", "trapezoid": "trap-b", "inv_trapezoid": "trap-t", "ellipse": "circle"}


def is_outside_lane(lane: Lane) -> bool:
    marker = lane.attributes.get("mermaid.lane")
    if marker == "outside":
        return True
    if marker == "subgraph":
        return False
    return lane.id == OUTSIDE_LANE and lane.label in (None, OUTSIDE_LANE)


def _markup(attributes: dict[str, str]) -> bool:
    return attributes.get("mermaid.markup") == "true"


class FlowchartWriter:
    def __init__(self, diagram: Diagram, keep: bool, swimlane: bool) -> None:
        self.d = diagram
        self.keep = keep
        self.swimlane = swimlane
        self.out = Diagnostics()
        allocator = mermaid_ids(FLOW_KEYWORDS)
        self.node_ids = IdMap(allocator, "node", self.out)
        self.lane_ids = IdMap(allocator, "lane", self.out)
        self.group_ids = IdMap(allocator, "group", self.out)
        # What is kept per node in dicts and sets keyed by id is only what some step reads: at
        # 50,000 nodes every such table misses the cache on each look-up (issue 13).
        self.subgraphs = [g for g in diagram.groups if g.kind == GroupKind.SUBGRAPH]
        # node id → node: only subgraphs look nodes up by id
        self.nodes: dict[str, Node] = diagram.node_by_id() if self.subgraphs else {}
        # which events some edge ends at / leaves (what their circle means): only events are asked
        self.has_in: set[str] = set()
        self.has_out: set[str] = set()
        events = {n.id for n in diagram.nodes if n.kind in EVENT_KINDS}
        if events:  # (one pass over the edges)
            for edge in diagram.edges:
                if edge.target in events:
                    self.has_in.add(edge.target)
                if edge.source in events:
                    self.has_out.add(edge.source)
        # True when every node keeps its id (assign_ids): a node's Mermaid id is then its id, with
        # no look-up per node and per edge end
        self.kept_all = False
        self.pending_kind: dict[str, str] = {}  # node id → model kind, for its extras comment
        self.pending_attributes: dict[str, dict[str, str]] = {}  # node id → what its comment carries back
        self.lines: list[str] = []
        self.extras: list[str] = []
        self.tail: list[str] = []
        self.edge_count = 0
        self.written_order: list[str] = []  # node ids in the order the blocks declare them (extras comments only)
        self.declared: set[str] = set()  # the node ids declared so far (subgraphs only: a node is in one)

    # -- ids ---------------------------------------------------------------------------------
    def assign_ids(self) -> None:
        subgraph_lanes = [lane for lane in self.d.lanes if not is_outside_lane(lane)]
        subgraphs = self.subgraphs
        self.kept_all = self.node_ids.reserve_all([node.id for node in self.d.nodes]) == len(self.d.nodes)
        self.lane_ids.reserve_all([lane.id for lane in subgraph_lanes])
        self.group_ids.reserve_all([group.id for group in subgraphs])
        kept = self.node_ids.ids
        for node in () if self.kept_all else self.d.nodes:
            if node.id not in kept:
                self.node_ids.assign(node.id, node)
        for lane in subgraph_lanes:
            self.lane_ids.assign(lane.id, lane)
        for group in subgraphs:
            self.group_ids.assign(group.id, group)

    # -- the whole text ------------------------------------------------------------------------
    def write(self) -> tuple[str, list[Diagnostic]]:
        d = self.d
        self.assign_ids()
        self.lines.extend(header_lines(d, self.out))
        keyword = "swimlane-beta" if self.swimlane else "flowchart"
        self.lines.append(f"{keyword} {d.direction}")
        for key in ("accTitle", "accDescr"):
            if d.attributes.get(f"mermaid.{key}") and one_line(d.attributes[f"mermaid.{key}"]):
                self.lines.append(f"  {key}: {one_line(d.attributes[f'mermaid.{key}'])}")
        self.lines.extend(comment_lines(d, self.out))
        self.diagram_extras()

        by_lane = d.nodes_by_lane()
        groups_by_lane, stray_groups = self.place_groups()
        for lane in d.lanes:
            members = by_lane.get(lane.id, [])
            groups = groups_by_lane.get(lane.id, [])
            if is_outside_lane(lane):
                self.report_top_level_groups(lane, groups)
                self.write_block_body(members, groups, depth=1)
                self.lane_extras(lane)
                continue
            self.write_lane(lane, members, groups)
        for group in stray_groups:
            self.group_loss(group)
        if self.keep and self.written_order != [n.id for n in d.nodes]:
            # blocks declare nodes lane by lane; the model's order (FlowZap's n1…nN) comes back from this
            self.extras.append(comments.line({"order": [self.node_ids[n.id] for n in d.nodes]}))
        self.write_edges()
        self.write_styles()
        if self.edge_count > 500:
            self.out.add("MERMAID_LIMIT", f"{self.edge_count} edges: mermaid refuses more than 500 unless the page "
                         "that renders it raises maxEdges")
        lines = self.lines  # one join (no copy of the list, nor of the text for its last newline)
        lines += self.tail
        lines += self.extras
        lines.append("")
        text = "\n".join(lines)
        return text, self.out.items

    def diagram_extras(self) -> None:
        other = {k: v for k, v in self.d.attributes.items()
                 if k not in _DIAGRAM_KEYS and not k.startswith("mermaid.classDef.")}
        # what the reader gives back: no "diagram" key, "mermaid.diagram" only for a swimlane
        if "diagram" in self.d.attributes:
            other["diagram"] = self.d.attributes["diagram"]
        kind = self.d.attributes.get("mermaid.diagram")
        if kind is not None and (kind != "swimlane" or not self.swimlane):
            other["mermaid.diagram"] = kind
        if other:
            if self.keep:
                self.extras.append(comments.line({"diagram": {"attributes": other}}))
            else:
                self.out.add("DROPPED_ATTRIBUTE", f"diagram: Mermaid cannot carry {', '.join(other)}")

    # -- lanes, groups, nodes --------------------------------------------------------------------
    def place_groups(self) -> tuple[dict[str, list[Group]], list[Group]]:
        """Subgraph groups that fit inside one lane, by lane; the others cannot be drawn."""
        by_lane: dict[str, list[Group]] = {}
        stray: list[Group] = [g for g in self.d.groups if g.kind != GroupKind.SUBGRAPH]
        if not self.subgraphs:
            return by_lane, stray
        stray = []
        node_lane = {n.id: n.lane for n in self.d.nodes}
        lanes = {lane.id for lane in self.d.lanes}
        placed: dict[str, str] = {}
        for group in self.d.groups:
            if group.kind != GroupKind.SUBGRAPH:
                stray.append(group)
                continue
            member_lanes = {node_lane.get(m) for m in group.members}
            lane = group.lane if group.lane in lanes else (next(iter(member_lanes)) if len(member_lanes) == 1 else None)
            if group.parent is not None and group.parent in placed:
                lane = placed[group.parent] if lane in (None, placed[group.parent]) else None
            if lane is None or (member_lanes and member_lanes != {lane}):
                stray.append(group)
                continue
            placed[group.id] = lane
            by_lane.setdefault(lane, []).append(group)
        return by_lane, stray

    def write_lane(self, lane: Lane, members: list[Node], groups: list[Group]) -> None:
        lid = self.lane_ids[lane.id]
        self.lines.append("  " + self.subgraph_line(lid, lane.label, lane.id, lane.attributes))
        self.direction_line(lane.attributes, 2)
        self.write_block_body(members, groups, depth=2)
        self.lines.append("  end")
        self.lane_extras(lane)

    def report_top_level_groups(self, lane: Lane, groups: list[Group]) -> None:
        """Subgraphs of the nodes outside every lane are written at the top, where a subgraph is a
        lane: each comes back as a lane, its nodes and nested groups in it."""
        ids = {g.id for g in groups}
        tops = {g.id for g in groups if g.parent not in ids}
        for group in groups:
            if group.id in tops:
                self.out.add("CHANGED_LANE", f"subgraph {group.id!r} outside every lane is read back as a lane",
                             line=group.line, column=group.column, element=group.id)
            elif group.lane is not None or group.parent in tops:
                self.out.add("CHANGED_LANE", f"subgraph {group.id!r} is read back in lane of its top subgraph",
                             line=group.line, column=group.column, element=group.id)
        moved = dict.fromkeys(m for group in groups for m in group.members)  # in the groups' order
        for node_id in moved:
            node = self.nodes.get(node_id)
            if node is not None and node.lane == lane.id:
                self.out.add("CHANGED_LANE", f"node {node.id!r}: in a subgraph outside every lane, read back in "
                             "the lane that subgraph becomes", line=node.line, column=node.column, element=node.id)

    def write_block_body(self, members: list[Node], groups: list[Group], depth: int) -> None:
        """A lane's nodes outside its groups, then its top groups, each with its nested ones."""
        grouped: set[str] = set()
        for group in groups:
            grouped.update(group.members)
        pad = _pad(depth)
        for node in members:
            if node.id not in grouped:
                self.lines.append(pad + self.node_text(node))
        ids = {g.id for g in groups}
        children: dict[str, list[Group]] = {}
        for group in groups:
            if group.parent in ids:
                children.setdefault(group.parent, []).append(group)
        for group in groups:
            if group.parent not in ids:
                self.write_group(group, children, depth)

    def write_group(self, top: Group, children: dict[str, list[Group]], depth: int) -> None:
        """A group and its nested groups, depth first, with an explicit stack (any nesting depth)."""
        stack: list[tuple[Group, int, bool]] = [(top, depth, False)]
        while stack:
            group, level, closing = stack.pop()
            gid = self.group_ids[group.id]
            if closing:
                self.lines.append(_pad(level) + "end")
                extra = {k: v for k, v in group.attributes.items() if k not in _LANE_KEYS}
                self.attr_loss("group", group.id, group, extra, {"group": gid})
                self.styles_for(gid, group.attributes, clicks=False)
                continue
            self.lines.append(_pad(level) + self.subgraph_line(gid, group.label, group.id, group.attributes))
            self.direction_line(group.attributes, level + 1)
            if any(self.node_ids.get(m, m) != m for m in group.members):
                # its members come back under their new ids (named on each node, and here)
                self.out.add("RENAMED_ID", f"subgraph {group.id!r}: members renamed", line=group.line,
                             column=group.column, element=group.id)
            inner = children.get(group.id, [])
            in_children: set[str] = set()
            for child in inner:
                in_children.update(child.members)
            for member in group.members:
                if member in self.nodes and member not in in_children:
                    if member in self.declared:
                        # a node is in one subgraph only (and its enclosing ones): the first keeps it
                        self.out.add("DROPPED_GROUP", f"subgraph {group.id!r}: node {member!r} is already in "
                                     "another subgraph; it is not a member of this one", line=group.line,
                                     column=group.column, element=group.id)
                        continue
                    self.lines.append(_pad(level + 1) + self.node_text(self.nodes[member]))
            stack.append((group, level, True))
            stack.extend((child, level + 1, False) for child in reversed(inner))

    def direction_line(self, attributes: dict[str, str], depth: int) -> None:
        if attributes.get("mermaid.direction"):
            self.lines.append(_pad(depth) + f"direction {attributes['mermaid.direction']}")

    def subgraph_line(self, sid: str, label: str | None, original: str, attributes: dict[str, str]) -> str:
        if attributes.get("mermaid.autoId") == "true" and not label:
            return "subgraph"
        if attributes.get("mermaid.autoId") == "true":
            # mermaid numbers untitled-id subgraphs as it closes them; written with its id, the
            # subgraph keeps it, not the mark that mermaid chose it
            self.out.add("DROPPED_ATTRIBUTE", f"subgraph {original}: written with its id (mermaid.autoId not kept)",
                         element=original)
        if label is None:
            label = original
        if label == sid:
            return f"subgraph {sid}"
        return f"subgraph {sid} [{self.label_text(label, attributes)}]"

    @staticmethod
    def label_text(label: str, attributes: dict[str, str]) -> str:
        if attributes.get("mermaid.labelType") == "markdown":
            return markdown_text(label)
        return flow_text(label, _markup(attributes))

    def lane_extras(self, lane: Lane) -> None:
        if not lane.attributes and not self.keep:
            return  # nothing to carry, report or style
        keys = _OUTSIDE_LANE_KEYS if is_outside_lane(lane) else _LANE_KEYS
        extra = {k: v for k, v in lane.attributes.items() if k not in keys}
        self.attr_loss("lane", lane.id, lane, extra, {"lane": self.lane_ids.get(lane.id, lane.id)})
        if not is_outside_lane(lane):
            self.styles_for(self.lane_ids[lane.id], lane.attributes, clicks=False)

    def node_text(self, node: Node) -> str:
        nid = node.id if self.kept_all else self.node_ids.ids[node.id]
        if self.keep:
            self.written_order.append(node.id)
        if self.subgraphs:
            self.declared.add(node.id)
        a = node.attributes
        if not a:
            return self.plain_node_text(node, nid)
        given = shape = a.get("mermaid.shape")
        if shape is not None and not same_meaning(shape, node.kind):
            shape = None
        if shape is not None and shape not in BRACKETS and shape_error(shape):
            shape = None
        if shape is None:
            shape = KIND_SHAPE[node.kind]
            if given is not None:
                self.shape_not_written(node, given, shape)
        elif shape == KIND_SHAPE[node.kind] and self.keep:
            # the reader leaves the kind's own shape unsaid; the comment gives it back
            self.pending_attributes[node.id] = {"mermaid.shape": shape}
        self.kind_loss(node, shape)
        label = node.label if node.label is not None else node.id
        if label != label.strip() and label.strip():
            self.trimmed(node, node.id, label)
        markdown = a.get("mermaid.labelType") == "markdown"
        text = self.label_text(label, a)
        data = self.data_value(a, node.id, node)
        if data and _ICON.search(data):
            # mermaid blanks a bracket label equal to the id when @{} brings an icon or image:
            # the label goes inside @{ } instead
            inner = [] if shape == KIND_SHAPE[node.kind] and shape in ("square",) else [f"shape: {_v11_name(shape)}"]
            inner.append(f"label: {yaml_label(label)}")
            if not markdown:
                inner.append('labelType: "string"')
            inner.append(data)
            self.node_extras(node)
            return f"{nid}@{{ {', '.join(inner)} }}"
        if shape in BRACKETS:
            props = a.get("mermaid.props")
            if shape == "square" and props and statement_value(props) and "|" not in props:
                field, _, value = props.partition(":")
                body = f"{nid}[|{field}:{value}|{text}]"
            elif shape == "square" and "mermaid.shape" not in a and label == nid and not markdown:
                body = nid
            else:
                open_, close = BRACKETS[shape]
                body = f"{nid}{open_}{text}{close}"
            if data:
                body += f"@{{ {data} }}"
        else:
            inner = f"shape: {shape}"
            if data:
                inner += f", {data}"
            body = f"{nid}[{text}]@{{ {inner} }}"
        self.node_extras(node)
        return body

    def plain_node_text(self, node: Node, nid: str) -> str:
        """``node_text`` of a node without attributes: its kind's shape, its label; nothing to
        report but its kind (no markdown, no data, no style)."""
        shape = KIND_SHAPE[node.kind]
        self.kind_loss(node, shape)
        label = node.label if node.label is not None else node.id
        if shape == "square" and label == nid:
            body = nid
        elif shape in BRACKETS:
            open_, close = BRACKETS[shape]
            body = f"{nid}{open_}{flow_text(label)}{close}"
        else:
            body = f"{nid}[{flow_text(label)}]@{{ shape: {shape} }}"
        if self.keep:
            self.node_extras(node)
        return body

    def data_value(self, a: dict[str, str], ident: str, element) -> str | None:
        """``mermaid.data`` (the inside of ``@{ }``) when it stays one statement, else reported."""
        data = a.get("mermaid.data")
        if data is None:
            return None
        if statement_value(data) is None or data.count("{") != data.count("}"):
            self.out.add("DROPPED_ATTRIBUTE", f"{ident}: mermaid.data {data[:40]!r} would not stay one statement; "
                         "left out", line=element.line, column=element.column, element=ident)
            return None
        return data

    def trimmed(self, element, ident: str, label: str) -> None:
        """Spaces around a label are written as entity codes (``escape``), except in a markdown
        string, which mermaid trims."""
        if not self.keep and element.attributes.get("mermaid.labelType") == "markdown":
            self.out.add("CHANGED_LABEL", f"{ident}: mermaid trims the spaces around the label {label!r}",
                         line=element.line, column=element.column, element=ident)

    def kind_loss(self, node: Node, shape: str) -> None:
        kind = node.kind
        if _DRAWN_AS_ITSELF[kind] if shape == KIND_SHAPE[kind] else same_meaning(shape, kind):
            if kind in EVENT_KINDS:
                implied = implied_event_kind(node.id in self.has_in, node.id in self.has_out)
                if implied is not node.kind:
                    self.kind_extra(node, f"node {node.id} is a {node.kind.value} event but its edges make the "
                                    f"circle read as {implied.value}")
            return
        self.kind_extra(node, f"node {node.id} is a {node.kind.value}; Mermaid draws it as a {shape}")

    def shape_not_written(self, node: Node, given: str, drawn: str) -> None:
        """A ``mermaid.shape`` that is no Mermaid shape, or one that would read back as another
        kind, is not drawn: the kind's own shape is. The keeping comment carries it back; else it
        is reported."""
        if self.keep:
            self.pending_attributes[node.id] = {"mermaid.shape": given}
            return
        why = "is no Mermaid shape" if shape_error(given) and given not in BRACKETS else \
            f"would read back as a {kind_of(given).value}"
        self.out.add("DROPPED_ATTRIBUTE", f"node {node.id}: mermaid.shape {given[:40]!r} {why}; "
                     f"drawn as its kind's {drawn}", line=node.line, column=node.column, element=node.id)

    def kind_extra(self, node: Node, message: str) -> None:
        if self.keep:
            self.pending_kind[node.id] = node.kind.value
        else:
            self.out.add("CHANGED_KIND", message, line=node.line, column=node.column, element=node.id)

    def node_extras(self, node: Node) -> None:
        extra = {k: v for k, v in node.attributes.items() if k not in _NODE_KEYS}
        if self.pending_attributes:
            extra.update(self.pending_attributes.pop(node.id, ()))
        kind = self.pending_kind.pop(node.id, None)
        payload: dict = {"node": self.node_ids[node.id]}
        if kind:
            payload["kind"] = kind
        if node.label is None:
            payload["label"] = None  # Mermaid shows the id; the model has no label
        elif node.label != node.label.strip() and node.label.strip():
            payload["label"] = node.label  # mermaid trims labels
        if self.plain_text(node):
            payload["text"] = True
        if extra:
            payload["attributes"] = extra
            if not self.keep:
                self.out.add("DROPPED_ATTRIBUTE", f"node {node.id}: Mermaid cannot carry {', '.join(extra)}",
                             line=node.line, column=node.column, element=node.id)
        if self.keep and len(payload) > 1:
            self.extras.append(comments.line(payload))
        self.styles_for(self.node_ids[node.id], node.attributes, node.id, node)

    def plain_text(self, element) -> bool:
        """A label that looks like HTML but is text (written encoded): the reader is told so in a
        comment, else it would take it for markup."""
        return self.keep and not _markup(element.attributes) and has_markup(element.label)

    def attr_loss(self, what: str, ident: str, element, extra: dict, payload: dict) -> None:
        if self.keep and (extra or self.plain_text(element)):
            text = {"text": True} if self.plain_text(element) else {}
            self.extras.append(comments.line({**payload, **text, **({"attributes": extra} if extra else {})}))
            return
        if not extra:
            return
        if self.keep:
            self.extras.append(comments.line({**payload, "attributes": extra}))
        else:
            self.out.add("DROPPED_ATTRIBUTE", f"{what} {ident}: Mermaid cannot carry {', '.join(extra)}",
                         line=element.line, column=element.column, element=ident)

    def group_loss(self, group: Group) -> None:
        if self.keep:
            members = [self.node_ids[m] for m in group.members if m in self.node_ids]
            payload = {"group": group.id, "kind": str(group.kind), "label": group.label, "members": members}
            if group.lane is not None:
                payload["lane"] = self.lane_ids.get(group.lane, group.lane)
            if group.parent is not None:
                payload["parent"] = self.group_ids.get(group.parent, group.parent)
            if group.attributes:
                payload["attributes"] = group.attributes
            self.extras.append(comments.line(payload))
        else:
            what = str(group.kind) if group.kind in (GroupKind.LOOP, GroupKind.GROUP) else f"{group.kind} group"
            self.out.add("DROPPED_GROUP", f"{what} {group.label or group.id!r} has no Mermaid flowchart form; "
                         "its nodes are kept, the region is not", line=group.line, column=group.column,
                         element=group.id)

    # -- edges ---------------------------------------------------------------------------------
    def write_edges(self) -> None:
        keep = self.keep
        ids = self.node_ids.ids
        lines = self.lines
        rank: dict[tuple[str, str], int] = {}
        # how many edges before have the same written ends (mermaid's L_<source>_<target>_<n>), and
        # the subgraphs' ids: made for the first edge with attributes (no table of every edge before)
        auto_count: dict[tuple[str, str], int] | None = None
        seen_ids: set[str] = set()
        subgraph_ids: dict[str, str | None] | None = None
        key = None  # (the extras comment's name of the edge: with keep only)
        edges = self.d.edges
        kept_all = self.kept_all
        for index, edge in enumerate(edges):
            a = edge.attributes
            if kept_all:  # (the model's checks make every end a node's id)
                source, target = edge.source, edge.target
            else:
                source, target = ids[edge.source], ids[edge.target]
            if keep:
                key = (source, target)
            if a:
                if subgraph_ids is None:
                    subgraph_ids = self.subgraph_ids()
                if a.get("mermaid.source") and subgraph_ids.get(a["mermaid.source"]):
                    source = subgraph_ids[a["mermaid.source"]]
                if a.get("mermaid.target") and subgraph_ids.get(a["mermaid.target"]):
                    target = subgraph_ids[a["mermaid.target"]]
                self.subgraph_end_loss(edge, subgraph_ids)
                arrow = _arrow(edge.style, a.get("mermaid.arrow"), a.get("mermaid.length"))
            else:
                arrow = _PLAIN_ARROW[edge.style]
            r = count = 0
            if keep:  # the rank names the edge in its extras comment
                r = rank.get(key, 0)
                rank[key] = r + 1
            if a and auto_count is None:
                auto_count = self.pair_counts(itertools.islice(edges, index))
            if auto_count is not None:  # (every edge from the first with attributes on)
                pair = (source, target)
                count = auto_count.get(pair, 0)
                auto_count[pair] = count + 1
            label = ""
            if edge.label is not None:
                if not a:  # no markdown label type: nothing to report about its ends
                    label = f"|{flow_text(edge.label)}|"
                else:
                    if edge.label != edge.label.strip() and edge.label.strip():
                        self.trimmed(edge, edge_name(edge), edge.label)
                    label = f"|{self.label_text(edge.label, a)}|"
            ident = ""
            if edge.id is not None:
                if SAFE_ID.match(edge.id) and edge.id not in seen_ids and self.node_ids.allocator.is_free(edge.id) \
                        and edge.id not in FLOW_KEYWORDS:
                    ident = f"{edge.id}@"
                    seen_ids.add(edge.id)
                elif not keep:
                    self.out.add("DROPPED_EDGE_ID", f"edge id {edge.id!r} cannot be written as a Mermaid edge id",
                                 line=edge.line, column=edge.column, element=edge.id)
            lines.append(f"  {source} {ident}{arrow}{label} {target}")
            if keep or a or edge.source_side is not None or edge.target_side is not None:
                self.edge_extras(edge, key, r, bool(ident))
            if a:
                self.edge_styles(edge, edge.id if ident else f"L_{source}_{target}_{0 if count == 0 else count + 1}")
            self.edge_count += 1

    def pair_counts(self, edges) -> dict[tuple[str, str], int]:
        """How many of ``edges`` (all without attributes: written between their ends' ids) join
        each pair of ids."""
        ids = self.node_ids.ids
        counts: dict[tuple[str, str], int] = {}
        for edge in edges:
            pair = (edge.source, edge.target) if self.kept_all else (ids[edge.source], ids[edge.target])
            counts[pair] = counts.get(pair, 0) + 1
        return counts

    def subgraph_ids(self) -> dict[str, str | None]:
        """The Mermaid id of every lane and written subgraph, by model id (an edge may end on one)."""
        result = {lane.id: self.lane_ids.get(lane.id) for lane in self.d.lanes}
        result.update({g.id: self.group_ids[g.id] for g in self.d.groups if g.id in self.group_ids})
        return result

    def subgraph_end_loss(self, edge: Edge, subgraph_ids: dict[str, str | None]) -> None:
        """An edge that ends on a subgraph keeps it in ``mermaid.source``/``mermaid.target``; the
        reader gives back the subgraph's id as written (renamed), and nothing for a subgraph that
        is not written (the edge then ends on the node)."""
        for key in ("mermaid.source", "mermaid.target"):
            value = edge.attributes.get(key)
            if value is not None and subgraph_ids.get(value) != value:
                self.out.add("DROPPED_ATTRIBUTE", f"edge {edge_name(edge)}: {key} {value[:40]!r} is read back as "
                             f"{subgraph_ids.get(value)!r}", line=edge.line, column=edge.column, element=edge_name(edge))

    def edge_styles(self, edge: Edge, ref: str) -> None:
        """linkStyle, data and classes of one edge; ``ref`` is how mermaid names it (an edge without
        an id is ``L_<source>_<target>_<n>``)."""
        a = edge.attributes
        for key, prefix in (("mermaid.linkStyle", ""), ("mermaid.curve", "interpolate ")):
            if a.get(key):
                if style_value(a[key]) is None:
                    self.unsafe_value(key, a[key], edge_name(edge), edge)
                else:
                    self.tail.append(f"  linkStyle {self.edge_count} {prefix}{a[key]}")
        data = self.data_value(a, edge_name(edge), edge)
        if data:
            self.tail.append(f"  {ref}@{{ {data} }}")
        self.class_lines(ref, a.get("mermaid.class", ""), edge_name(edge), edge)

    def edge_extras(self, edge: Edge, key: tuple[str, str], rank: int, has_id: bool) -> None:
        a = edge.attributes
        extra = {k: v for k, v in a.items() if k not in _EDGE_KEYS} if a else a
        sides = edge.source_side is not None or edge.target_side is not None
        element = edge_name(edge)
        if self.keep:
            payload: dict = {"edge": [key[0], key[1], rank]}
            if sides:
                payload["sides"] = [edge.source_side.value if edge.source_side else None,
                                    edge.target_side.value if edge.target_side else None]
            if extra:
                payload["attributes"] = extra
            if edge.id is not None and not has_id:
                payload["id"] = edge.id
            if edge.label is not None and edge.label != edge.label.strip() and edge.label.strip():
                payload["label"] = edge.label
            if self.plain_text(edge):
                payload["text"] = True
            if len(payload) > 1:
                self.extras.append(comments.line(payload))
            return
        if sides:
            # past the per-code limit a diagnostic is only counted, with its element: no message to make
            message = "" if self.out.over_limit("DROPPED_EDGE_SIDES") else (
                f"edge {element}: Mermaid chooses where lines attach "
                f"({_SIDE_NAME[edge.source_side]} → {_SIDE_NAME[edge.target_side]} not kept)")
            self.out.add("DROPPED_EDGE_SIDES", message, line=edge.line, column=edge.column, element=element)
        if extra:
            self.out.add("DROPPED_ATTRIBUTE", f"edge {element}: Mermaid cannot carry {', '.join(extra)}",
                         line=edge.line, column=edge.column, element=element)

    # -- styles ----------------------------------------------------------------------------------
    def unsafe_value(self, key: str, value: str, ident: str, element=None) -> None:
        self.out.add("DROPPED_ATTRIBUTE", f"{ident}: {key} {value[:40]!r} would not stay one Mermaid statement; "
                     "left out", line=element.line if element else None, column=element.column if element else None,
                     element=ident)

    def class_lines(self, mid: str, classes: str, ident: str, element) -> None:
        for cls in classes.split():
            if _CLASS_NAME.match(cls) and cls not in FLOW_KEYWORDS:
                self.tail.append(f"  class {mid} {cls}")
            else:
                self.unsafe_value("mermaid.class", cls, ident, element)

    def styles_for(self, mid: str, a: dict[str, str], ident: str | None = None, element=None,
                   clicks: bool = True) -> None:
        ident = ident or mid
        self.class_lines(mid, a.get("mermaid.class", ""), ident, element)
        if a.get("mermaid.style"):
            if style_value(a["mermaid.style"]) is None:
                self.unsafe_value("mermaid.style", a["mermaid.style"], ident, element)
            else:
                self.tail.append(f"  style {mid} {a['mermaid.style']}")
        if not clicks:
            return
        link, tooltip = a.get("mermaid.link"), a.get("mermaid.tooltip")
        tip = ""
        if tooltip:
            if plain_string(tooltip) is None:
                self.unsafe_value("mermaid.tooltip", tooltip, ident, element)
            else:
                tip = f" {plain_string(tooltip)}"
        if link:
            if plain_string(link) is None:
                self.unsafe_value("mermaid.link", link, ident, element)
                return
            line = f"  click {mid} href {plain_string(link)}{tip}"
            target = a.get("mermaid.linkTarget")
            if target and SAFE_ID.match(target.lstrip("_")):
                line += f" {target}"
            self.tail.append(line)
        elif a.get("mermaid.callback"):
            callback, args = a["mermaid.callback"], a.get("mermaid.callbackArgs") or ""
            if not SAFE_ID.match(callback) or statement_value(args or "x") is None or ")" in args:
                self.unsafe_value("mermaid.callback", callback, ident, element)
                return
            self.tail.append(f"  click {mid} call {callback}({args}){tip}")

    def write_styles(self) -> None:
        d = self.d
        head = []
        for key, value in d.attributes.items():
            if key.startswith("mermaid.classDef."):
                name = key[len("mermaid.classDef."):]
                if _CLASS_NAME.match(name) and name not in FLOW_KEYWORDS and style_value(value) is not None:
                    head.append(f"  classDef {name} {value}")
                else:
                    self.unsafe_value(key, value, "diagram")
        defaults = (("mermaid.linkStyle.default", ""), ("mermaid.linkStyle.default.interpolate", "interpolate "))
        for key, prefix in defaults:
            value = d.attributes.get(key)
            if value:
                if style_value(value) is None:
                    self.unsafe_value(key, value, "diagram")
                else:
                    head.append(f"  linkStyle default {prefix}{value}")
        self.tail = head + self.tail


def comment_lines(d: Diagram, out: Diagnostics) -> list[str]:
    """The ``%%`` comments the reader kept (``mermaid.comments``: the text after each ``%%``), one
    per line. A comment that would open a ``%%{`` directive gets a space, and is reported."""
    result = []
    changed = False
    for comment in filter(None, d.attributes.get("mermaid.comments", "").split("\n")):
        written = single_line(comment)
        if written.startswith("{"):
            written = " " + written
        changed = changed or written != comment
        result.append(f"  %%{written}")
    if changed:
        out.add("DROPPED_ATTRIBUTE", "diagram: a comment with a line break or a control character, or one that "
                "starts with '{', is written changed (mermaid.comments)", element="diagram")
    return result


def _pad(depth: int) -> str:
    return "  " * min(depth, MAX_INDENT)


def _arrow(style: EdgeStyle, heads: str | None, length: str | None) -> str:
    start, end = _HEADS.get(heads or "arrow_point", ("", ">"))
    extra = max(int(length) - 1, 0) if (length or "").isdigit() and len(length) < 3 else 0
    if style is EdgeStyle.INVISIBLE:
        return "~~~" + "~" * extra
    if style is EdgeStyle.DOTTED:
        body = "-" + "." * (1 + extra) + "-"
    elif style is EdgeStyle.THICK:
        body = "==" + "=" * (extra + (0 if end else 1))
    else:
        body = "--" + "-" * (extra + (0 if end else 1))
    return f"{start}{body}{end}"


def _v11_name(shape: str) -> str:
    return _V11_OF_CLASSIC.get(shape, shape)


# Tables made once: the arrow of each style without arrow attributes, the name of each side in a
# message, and whether the shape each kind is drawn as reads back as that kind.
_PLAIN_ARROW = {style: _arrow(style, None, None) for style in EdgeStyle}
_SIDE_NAME = {None: "auto", **{side: side.value for side in Side}}
_DRAWN_AS_ITSELF = {kind: same_meaning(KIND_SHAPE[kind], kind) for kind in NodeKind}


__all__ = ["FLOW_KEYWORDS", "FlowchartWriter", "comment_lines", "is_outside_lane"]
