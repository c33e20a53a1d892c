"""Model → Mermaid: ``diagram=flowchart`` (default), ``swimlane`` (swimlane-beta) or ``sequence``.

Flowchart / swimlane: the diagram's direction; one subgraph per lane, in order, titled with the
lane's label (the lane of nodes outside every subgraph, ``main``, is written without one); nested
subgraph groups inside their lane; every node declared once inside its lane's block, with the
shape of its kind (or its own ``mermaid.shape`` when that means the same); every label quoted and
escaped; edges after the blocks (an edge written inside a subgraph would pull its ends into it);
then classDef/class/style/linkStyle/click from the ``mermaid.*`` attributes. Ids that Mermaid
could misread (keywords such as ``end``, ``graph``, ``style``; characters outside
``[A-Za-z0-9_]``) are renamed and reported.

Sequence: FlowZap's sequence view — lanes are participants in order, cross-lane edges are
messages in model order (the order of a FlowZap file's lines), groups are fragments.

What Mermaid has no place for is reported per element (loss diagnostics), or with
``extras=comments`` written as ``%% flowzap {…}`` comments that the reader applies back.
"""
from __future__ import annotations

import re

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram, EdgeStyle, Group, Lane, Node, NodeKind
from ..model.diagram import EVENT_KINDS, implied_event_kind
from . import comments
from .flowchart import OUTSIDE_LANE
from .labels import markdown_quoted, quoted
from .shapes import BRACKETS, CANONICAL, KIND_SHAPE, same_meaning, shape_error

_SAFE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
FLOW_KEYWORDS = frozenset({
    "end", "graph", "flowchart", "subgraph", "style", "default", "linkStyle", "interpolate", "classDef",
    "class", "click", "call", "href", "direction", "accTitle", "accDescr", "v", "TB", "BT", "RL", "LR", "TD",
    "BR", "swimlane", "o", "x",
})
SEQUENCE_KEYWORDS = frozenset({
    "participant", "actor", "create", "destroy", "as", "loop", "rect", "opt", "alt", "else", "par", "par_over",
    "and", "critical", "option", "break", "end", "left", "right", "of", "links", "link", "properties", "details",
    "over", "note", "activate", "deactivate", "title", "acctitle", "accdescr", "sequencediagram", "autonumber",
    "off", "box",
})
_DIRECTION_WORD = re.compile(r"(d)(irection\s+(?:TB|BT|RL|LR|TD))")
_OWN_ATTRIBUTE = re.compile(r"mermaid\.")
# Node attributes the flowchart writer turns into Mermaid syntax.
_NODE_KEYS = {"mermaid.shape", "mermaid.labelType", "mermaid.props", "mermaid.data", "mermaid.style",
              "mermaid.class", "mermaid.link", "mermaid.linkTarget", "mermaid.callback", "mermaid.callbackArgs",
              "mermaid.tooltip"}
_EDGE_KEYS = {"mermaid.arrow", "mermaid.length", "mermaid.labelType", "mermaid.linkStyle", "mermaid.curve",
              "mermaid.class", "mermaid.data", "mermaid.source", "mermaid.target", "mermaid.message",
              "mermaid.activation"}
_LANE_KEYS = {"mermaid.direction", "mermaid.labelType", "mermaid.class", "mermaid.style", "mermaid.lane",
              "mermaid.autoId", "mermaid.link", "mermaid.linkTarget", "mermaid.tooltip", "mermaid.callback",
              "mermaid.callbackArgs", "mermaid.participant", "mermaid.box", "mermaid.links", "mermaid.link",
              "mermaid.properties", "mermaid.details", "mermaid.data", "mermaid.created", "mermaid.destroyed"}
_DIAGRAM_KEYS = {"mermaid.diagram", "mermaid.config", "mermaid.init", "mermaid.accTitle", "mermaid.accDescr",
                 "mermaid.linkStyle.default", "mermaid.linkStyle.default.interpolate", "mermaid.comments",
                 "mermaid.autonumber"}


def write(diagram: Diagram, options: dict[str, str]) -> tuple[str, list[Diagnostic]]:
    kind = options.get("diagram", "flowchart")
    keep = options.get("extras", "report") == "comments"
    if kind == "sequence":
        return _SequenceWriter(diagram, keep).write()
    return _FlowWriter(diagram, keep, swimlane=(kind == "swimlane")).write()


def is_outside_lane(lane: Lane) -> bool:
    marker = lane.attributes.get("mermaid.lane")
    if marker == "outside":
        return True
    if marker == "subgraph":
        return False
    return lane.id == OUTSIDE_LANE and lane.label in (None, OUTSIDE_LANE)


class _Ids:
    """Mermaid ids for the model's lanes, nodes and groups: one namespace, no keyword, unique."""

    def __init__(self, keywords: frozenset[str], out: Diagnostics, fold: bool = False) -> None:
        self.keywords = keywords
        self.fold = fold
        self.out = out
        self.taken: set[str] = set()
        self.map: dict[tuple[str, str], str] = {}

    def ok(self, candidate: str) -> bool:
        key = candidate.lower() if self.fold else candidate
        return bool(_SAFE_ID.match(candidate)) and key not in self.keywords and key not in self.taken

    def reserve(self, what: str, original: str) -> None:
        if self.ok(original):
            key = original.lower() if self.fold else original
            self.taken.add(key)
            self.map[(what, original)] = original

    def assign(self, what: str, original: str, element) -> str:
        if (what, original) in self.map:
            return self.map[(what, original)]
        base = re.sub(r"[^A-Za-z0-9_]+", "_", original).strip("_") or what
        if not base[0].isalpha():
            base = f"{what[0]}{base}"
        candidate, counter = base, 2
        while not self.ok(candidate):
            candidate = f"{base}_{counter}"
            counter += 1
        self.taken.add(candidate.lower() if self.fold else candidate)
        self.map[(what, original)] = candidate
        if candidate != original:
            self.out.add("RENAMED_ID", f"{what} id {original!r} is written {candidate!r} (Mermaid would misread it)",
                         line=element.line, column=element.column, element=original)
        return candidate


_TAG_START = re.compile(r"<(?!/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>)")


def _text(label: str) -> str:
    text = quoted(label)
    if "<" in text:
        text = _TAG_START.sub("#lt;", text)  # a "<" that opens no tag would be eaten as markup
    if "irection" in text:
        text = _DIRECTION_WORD.sub(r"#100;\2", text)
    if "%%" in text:
        text = text.replace("%", "#37;")
    return text


class _FlowWriter:
    def __init__(self, diagram: Diagram, keep: bool, swimlane: bool) -> None:
        self.d = diagram
        self.keep = keep
        self.swimlane = swimlane
        self.out = Diagnostics()
        self.ids = _Ids(FLOW_KEYWORDS, self.out)
        self.lines: list[str] = []
        self.extras: list[str] = []
        self.tail: list[str] = []

    # -- ids ---------------------------------------------------------------------------------
    def assign_ids(self) -> None:
        subgraph_lanes = [lane for lane in self.d.lanes if not is_outside_lane(lane)]
        for node in self.d.nodes:
            self.ids.reserve("node", node.id)
        for lane in subgraph_lanes:
            self.ids.reserve("lane", lane.id)
        for group in self.d.groups:
            if group.kind == "subgraph":
                self.ids.reserve("group", group.id)
        for node in self.d.nodes:
            self.ids.assign("node", node.id, node)
        for lane in subgraph_lanes:
            self.ids.assign("lane", lane.id, lane)
        for group in self.d.groups:
            if group.kind == "subgraph":
                self.ids.assign("group", group.id, group)

    def nid(self, node_id: str) -> str:
        return self.ids.map[("node", node_id)]

    # -- the whole text ------------------------------------------------------------------------
    def write(self) -> tuple[str, list[Diagnostic]]:
        d = self.d
        self.assign_ids()
        self.header()
        keyword = "swimlane-beta" if self.swimlane else "flowchart"
        self.lines.append(f"{keyword} {d.direction}")
        if d.attributes.get("mermaid.accTitle"):
            self.lines.append(f"  accTitle: {_one_line(d.attributes['mermaid.accTitle'])}")
        if d.attributes.get("mermaid.accDescr"):
            self.lines.append(f"  accDescr: {_one_line(d.attributes['mermaid.accDescr'])}")
        for comment in filter(None, d.attributes.get("mermaid.comments", "").split("\n")):
            self.lines.append(f"  %%{comment}" if comment.startswith(" ") else f"  %% {comment}")
        self.diagram_extras()

        by_lane = d.nodes_by_lane()
        groups_by_lane, stray_groups = self.place_groups()
        for lane in d.lanes:
            members = by_lane.get(lane.id, [])
            if is_outside_lane(lane):
                grouped = self.grouped_nodes(groups_by_lane.get(lane.id, []))
                for node in members:
                    if node.id not in grouped:
                        self.lines.append("  " + self.node_text(node))
                for group in groups_by_lane.get(lane.id, []):
                    if group.parent is None or group.parent not in {g.id for g in groups_by_lane.get(lane.id, [])}:
                        self.write_group(group, groups_by_lane.get(lane.id, []), by_lane_nodes=members, indent=1)
                self.lane_extras(lane)
                continue
            self.write_lane(lane, members, groups_by_lane.get(lane.id, []))
        for group in stray_groups:
            self.group_loss(group)
        self.write_edges()
        self.write_styles()
        if self.edge_index > 500:
            self.out.add("MERMAID_LIMIT", f"{self.edge_index} edges: mermaid refuses more than 500 unless the page "
                         "that renders it raises maxEdges")
        text = "\n".join(self.lines + self.tail + self.extras) + "\n"
        return text, self.out.items

    def header(self) -> None:
        d = self.d
        config = d.attributes.get("mermaid.config")
        if d.title or config:
            self.lines.append("---")
            if d.title:
                self.lines.append(f"title: {_yaml_string(d.title)}")
            if config:
                self.lines.append("config:")
                self.lines.extend("  " + row for row in config.split("\n"))
            self.lines.append("---")
        if d.attributes.get("mermaid.init"):
            self.lines.extend(d.attributes["mermaid.init"].split("\n"))

    def diagram_extras(self) -> None:
        d = self.d
        other = {k: v for k, v in d.attributes.items() if k not in _DIAGRAM_KEYS and not k.startswith("mermaid.classDef.")}
        if d.attributes.get("mermaid.diagram") == "sequence":
            pass
        if other:
            if self.keep:
                self.extras.append(comments.line({"diagram": {"attributes": other}}))
            else:
                self.out.add("DROPPED_ATTRIBUTE", f"diagram: Mermaid cannot carry {', '.join(other)}")

    # -- lanes, groups, nodes --------------------------------------------------------------------
    def place_groups(self) -> tuple[dict[str, list[Group]], list[Group]]:
        """Subgraph groups that fit inside one lane, by lane; the others cannot be drawn."""
        node_lane = {n.id: n.lane for n in self.d.nodes}
        lanes = {lane.id for lane in self.d.lanes}
        by_lane: dict[str, list[Group]] = {}
        stray: list[Group] = []
        placed: dict[str, str] = {}
        for group in self.d.groups:
            if group.kind != "subgraph":
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

    @staticmethod
    def grouped_nodes(groups: list[Group]) -> set[str]:
        result: set[str] = set()
        for group in groups:
            result.update(group.members)
        return result

    def write_lane(self, lane: Lane, members: list[Node], groups: list[Group]) -> None:
        lid = self.ids.map[("lane", lane.id)]
        self.lines.append("  " + self.subgraph_line(lid, lane.label, lane.id, lane.attributes))
        if lane.attributes.get("mermaid.direction"):
            self.lines.append(f"    direction {lane.attributes['mermaid.direction']}")
        grouped = self.grouped_nodes(groups)
        for node in members:
            if node.id not in grouped:
                self.lines.append("    " + self.node_text(node))
        group_ids = {g.id for g in groups}
        for group in groups:
            if group.parent is None or group.parent not in group_ids:
                self.write_group(group, groups, members, indent=2)
        self.lines.append("  end")
        self.lane_extras(lane)

    def write_group(self, group: Group, groups: list[Group], by_lane_nodes: list[Node], indent: int) -> None:
        pad = "  " * indent
        gid = self.ids.map[("group", group.id)]
        self.lines.append(pad + self.subgraph_line(gid, group.label, group.id, group.attributes))
        if group.attributes.get("mermaid.direction"):
            self.lines.append(pad + f"  direction {group.attributes['mermaid.direction']}")
        children = [g for g in groups if g.parent == group.id]
        in_children = self.grouped_nodes(children)
        nodes = self.d.node_by_id()
        for member in group.members:
            if member in nodes and member not in in_children:
                self.lines.append(pad + "  " + self.node_text(nodes[member]))
        for child in children:
            self.write_group(child, groups, by_lane_nodes, indent + 1)
        self.lines.append(pad + "end")
        extra = {k: v for k, v in group.attributes.items() if k not in _LANE_KEYS}
        if extra:
            self.attr_loss("group", group.id, group, extra, {"group": gid})
        self.styles_for(gid, group.attributes)

    def subgraph_line(self, sid: str, label: str | None, original: str, attributes: dict[str, str]) -> str:
        if attributes.get("mermaid.autoId") == "true" and not label:
            return "subgraph"
        if label is None:
            label = original
        if label == sid:
            return f"subgraph {sid}"
        text = markdown_quoted(label) if attributes.get("mermaid.labelType") == "markdown" else _text(label)
        return f"subgraph {sid} [{text}]"

    def lane_extras(self, lane: Lane) -> None:
        extra = {k: v for k, v in lane.attributes.items() if k not in _LANE_KEYS}
        if extra:
            self.attr_loss("lane", lane.id, lane, extra, {"lane": self.ids.map.get(("lane", lane.id), lane.id)})
        if not is_outside_lane(lane):
            self.styles_for(self.ids.map[("lane", lane.id)], lane.attributes)

    def node_text(self, node: Node) -> str:
        nid = self.nid(node.id)
        a = node.attributes
        shape = a.get("mermaid.shape")
        if shape is not None and not same_meaning(shape, node.kind):
            shape = None
        if shape is not None and shape not in BRACKETS and shape_error(shape):
            shape = None
        if shape is None:
            shape = KIND_SHAPE[node.kind]
        self.kind_loss(node, shape)
        label = node.label if node.label is not None else node.id
        if label != label.strip() and label.strip():
            self.trimmed(node, node.id, label)
        markdown = a.get("mermaid.labelType") == "markdown"
        text = markdown_quoted(label) if markdown else _text(label)
        data = a.get("mermaid.data")
        if data and _ICON.search(data):
            # mermaid blanks a bracket label equal to the id when @{} brings an icon or image:
            # the label goes inside @{ } instead
            inner = [] if shape == KIND_SHAPE[node.kind] and shape in ("square",) else [f"shape: {_v11_name(shape)}"]
            inner.append(f"label: {_yaml_label(label)}")
            if not markdown:
                inner.append('labelType: "string"')
            inner.append(data)
            self.node_extras(node)
            return f"{nid}@{{ {', '.join(inner)} }}"
        if shape in BRACKETS:
            if shape == "square" and a.get("mermaid.props"):
                field, _, value = a["mermaid.props"].partition(":")
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

    def trimmed(self, element, ident: str, label: str) -> None:
        if not self.keep:
            self.out.add("CHANGED_LABEL", f"{ident}: mermaid trims the spaces around the label {label!r}",
                         line=element.line, column=element.column, element=ident)

    def kind_loss(self, node: Node, shape: str) -> None:
        if same_meaning(shape, node.kind):
            if node.kind in EVENT_KINDS:
                implied = self.implied_event(node.id)
                if implied is not node.kind:
                    self.kind_extra(node, f"node {node.id} is a {node.kind.value} event but its edges make the "
                                    f"circle read as {implied.value}")
            return
        self.kind_extra(node, f"node {node.id} is a {node.kind.value}; Mermaid draws it as a {shape}")

    def kind_extra(self, node: Node, message: str) -> None:
        if self.keep:
            self.pending_kind = getattr(self, "pending_kind", {})
            self.pending_kind[node.id] = node.kind.value
        else:
            self.out.add("CHANGED_KIND", message, line=node.line, column=node.column, element=node.id)

    def implied_event(self, node_id: str) -> NodeKind:
        if not hasattr(self, "_in"):
            self._in = {e.target for e in self.d.edges}
            self._out = {e.source for e in self.d.edges}
        return implied_event_kind(node_id in self._in, node_id in self._out)

    def node_extras(self, node: Node) -> None:
        extra = {k: v for k, v in node.attributes.items() if k not in _NODE_KEYS}
        kind = getattr(self, "pending_kind", {}).pop(node.id, None)
        payload: dict = {"node": self.nid(node.id)}
        if kind:
            payload["kind"] = kind
        if node.label is None:
            payload["label"] = None  # Mermaid shows the id; the model has no label
        elif node.label != node.label.strip() and node.label.strip():
            payload["label"] = node.label  # mermaid trims labels
        if extra:
            payload["attributes"] = extra
            if not self.keep:
                self.out.add("DROPPED_ATTRIBUTE", f"node {node.id}: Mermaid cannot carry {', '.join(extra)}",
                             line=node.line, column=node.column, element=node.id)
        if self.keep and len(payload) > 1:
            self.extras.append(comments.line(payload))
        self.styles_for(self.nid(node.id), node.attributes)

    def attr_loss(self, what: str, ident: str, element, extra: dict, payload: dict) -> None:
        if self.keep:
            payload = {**payload, "attributes": extra}
            self.extras.append(comments.line(payload))
        else:
            self.out.add("DROPPED_ATTRIBUTE", f"{what} {ident}: Mermaid cannot carry {', '.join(extra)}",
                         line=element.line, column=element.column, element=ident)

    def group_loss(self, group: Group) -> None:
        members = [self.nid(m) for m in group.members if ("node", m) in self.ids.map]
        if self.keep:
            payload = {"group": group.id, "kind": group.kind, "label": group.label, "members": members}
            if group.lane is not None:
                payload["lane"] = self.ids.map.get(("lane", group.lane), group.lane)
            if group.parent is not None:
                payload["parent"] = self.ids.map.get(("group", group.parent), group.parent)
            if group.attributes:
                payload["attributes"] = group.attributes
            self.extras.append(comments.line(payload))
        else:
            what = group.kind if group.kind in ("loop", "group") else f"{group.kind} group"
            self.out.add("DROPPED_GROUP", f"{what} {group.label or group.id!r} has no Mermaid flowchart form; "
                         "its nodes are kept, the region is not", line=group.line, column=group.column,
                         element=group.id)

    # -- edges ---------------------------------------------------------------------------------
    def write_edges(self) -> None:
        d = self.d
        rank: dict[tuple[str, str], int] = {}
        auto_count: dict[tuple[str, str], int] = {}
        self.edge_index = 0
        seen_ids: set[str] = set()
        subgraph_ids = {lane.id: self.ids.map.get(("lane", lane.id)) for lane in d.lanes}
        subgraph_ids.update({g.id: self.ids.map.get(("group", g.id)) for g in d.groups if ("group", g.id) in self.ids.map})
        for edge in d.edges:
            a = edge.attributes
            source, target = self.nid(edge.source), self.nid(edge.target)
            if a.get("mermaid.source") and subgraph_ids.get(a["mermaid.source"]):
                source = subgraph_ids[a["mermaid.source"]]
            if a.get("mermaid.target") and subgraph_ids.get(a["mermaid.target"]):
                target = subgraph_ids[a["mermaid.target"]]
            key = (self.nid(edge.source), self.nid(edge.target))
            r = rank.get(key, 0)
            rank[key] = r + 1
            pair = (source, target)
            count = auto_count.get(pair, 0)
            auto_count[pair] = count + 1
            arrow = _arrow(edge.style, a.get("mermaid.arrow"), a.get("mermaid.length"))
            label = ""
            if edge.label is not None and edge.label != edge.label.strip() and edge.label.strip():
                self.trimmed(edge, edge.id or f"{edge.source}->{edge.target}", edge.label)
            if edge.label is not None:
                text = markdown_quoted(edge.label) if a.get("mermaid.labelType") == "markdown" else _text(edge.label)
                label = f"|{text}|"
            ident = ""
            if edge.id is not None:
                if _SAFE_ID.match(edge.id) and edge.id not in seen_ids and not self.ids.map.get(("node", edge.id)) \
                        and edge.id not in FLOW_KEYWORDS:
                    ident = f"{edge.id}@"
                    seen_ids.add(edge.id)
                elif self.keep:
                    pass
                else:
                    self.out.add("DROPPED_EDGE_ID", f"edge id {edge.id!r} cannot be written as a Mermaid edge id",
                                 line=edge.line, column=edge.column, element=edge.id)
            self.lines.append(f"  {source} {ident}{arrow}{label} {target}")
            self.edge_extras(edge, key, r, bool(ident))
            if a.get("mermaid.linkStyle"):
                self.tail.append(f"  linkStyle {self.edge_index} {a['mermaid.linkStyle']}")
            if a.get("mermaid.curve"):
                self.tail.append(f"  linkStyle {self.edge_index} interpolate {a['mermaid.curve']}")
            # mermaid names an edge without an id L_<source>_<target>_<n>; data and classes use it
            ref = edge.id if ident else f"L_{source}_{target}_{0 if count == 0 else count + 1}"
            if a.get("mermaid.data"):
                self.tail.append(f"  {ref}@{{ {a['mermaid.data']} }}")
            for cls in a.get("mermaid.class", "").split():
                self.tail.append(f"  class {ref} {cls}")
            self.edge_index += 1

    def edge_extras(self, edge, key, rank: int, has_id: bool) -> None:
        a = edge.attributes
        extra = {k: v for k, v in a.items() if k not in _EDGE_KEYS}
        lost: list[str] = []
        sides = edge.source_side is not None or edge.target_side is not None
        element = edge.id or f"{edge.source}->{edge.target}"
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
            if len(payload) > 1:
                self.extras.append(comments.line(payload))
            return
        if sides:
            self.out.add("DROPPED_EDGE_SIDES", f"edge {element}: Mermaid chooses where lines attach "
                         f"({_side(edge.source_side)} → {_side(edge.target_side)} not kept)",
                         line=edge.line, column=edge.column, element=element)
        if extra or lost:
            self.out.add("DROPPED_ATTRIBUTE", f"edge {element}: Mermaid cannot carry {', '.join(list(extra) + lost)}",
                         line=edge.line, column=edge.column, element=element)

    # -- styles ----------------------------------------------------------------------------------
    def styles_for(self, mid: str, a: dict[str, str]) -> None:
        for cls in a.get("mermaid.class", "").split():
            self.tail.append(f"  class {mid} {cls}")
        if a.get("mermaid.style"):
            self.tail.append(f"  style {mid} {a['mermaid.style']}")
        if a.get("mermaid.link"):
            line = f"  click {mid} href {_plain_string(a['mermaid.link'])}"
            if a.get("mermaid.tooltip"):
                line += f" {_plain_string(a['mermaid.tooltip'])}"
            if a.get("mermaid.linkTarget"):
                line += f" {a['mermaid.linkTarget']}"
            self.tail.append(line)
        elif a.get("mermaid.callback"):
            line = f"  click {mid} call {a['mermaid.callback']}({a.get('mermaid.callbackArgs') or ''})"
            if a.get("mermaid.tooltip"):
                line += f" {_plain_string(a['mermaid.tooltip'])}"
            self.tail.append(line)

    def write_styles(self) -> None:
        d = self.d
        head = []
        for key, value in d.attributes.items():
            if key.startswith("mermaid.classDef."):
                head.append(f"  classDef {key[len('mermaid.classDef.'):]} {value}")
        if d.attributes.get("mermaid.linkStyle.default"):
            head.append(f"  linkStyle default {d.attributes['mermaid.linkStyle.default']}")
        if d.attributes.get("mermaid.linkStyle.default.interpolate"):
            head.append(f"  linkStyle default interpolate {d.attributes['mermaid.linkStyle.default.interpolate']}")
        self.tail = head + self.tail


_HEADS = {
    "arrow_point": ("", ">"), "arrow_open": ("", ""), "arrow_circle": ("", "o"), "arrow_cross": ("", "x"),
    "double_arrow_point": ("<", ">"), "double_arrow_circle": ("o", "o"), "double_arrow_cross": ("x", "x"),
}


def _arrow(style: EdgeStyle, heads: str | None, length: str | None) -> str:
    start, end = _HEADS.get(heads or "arrow_point", ("", ">"))
    extra = max(int(length) - 1, 0) if (length or "").isdigit() else 0
    if style is EdgeStyle.INVISIBLE:
        return "~~~" + "~" * extra
    if style is EdgeStyle.DOTTED:
        body = "-" + "." * (1 + extra) + "-"
    elif style is EdgeStyle.THICK:
        body = "==" + "=" * (extra + (0 if end else 1))
    else:
        body = "--" + "-" * (extra + (0 if end else 1))
    return f"{start}{body}{end}"


_ICON = re.compile(r"(?:^|[,{\s])(?:icon|img)\s*:")
_V11_OF_CLASSIC = {"square": "rect", "round": "rounded", "subroutine": "fr-rect", "cylinder": "cyl",
                   "diamond": "diam", "hexagon": "hex", "doublecircle": "dbl-circ", "lean_right": "lean-r",
                   "lean_left": "lean-l", "trapezoid": "trap-b", "inv_trapezoid": "trap-t", "ellipse": "circle"}


def _v11_name(shape: str) -> str:
    return _V11_OF_CLASSIC.get(shape, shape)


def _yaml_label(label: str) -> str:
    """A label inside @{ }: a YAML double-quoted string whose characters mermaid's lexer lets
    through (no raw quote or line break: entity codes and <br/>)."""
    text = label.replace("\\", "\\\\").replace("#", "#35;").replace('"', "#quot;").replace("\n", "<br/>")
    return f'"{text}"'


def _side(side) -> str:
    return side.value if side is not None else "auto"


def _one_line(text: str) -> str:
    return text.replace("\n", " ")


def _yaml_string(text: str) -> str:
    # "<" as \x3C: mermaid rewrites <word …="…"> spans of the whole text before reading it
    return '"' + (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                  .replace("<", "\\x3C")) + '"'


def _plain_string(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


# -- sequence --------------------------------------------------------------------------------------
_SEQ_KEYWORDS = {"loop": "loop", "alt": "alt", "opt": "opt", "par": "par", "par_over": "par_over",
                 "critical": "critical", "break": "break", "rect": "rect"}
_SECTION_KEYWORDS = {"else": "else", "and": "and", "option": "option"}


_WRAP_PREFIX = re.compile(r":?(?:no)?wrap:", re.I)


def _message_text(text: str) -> str:
    """Text after ``:`` in a message, note or participant alias: no raw ``#``, ``;`` or line break
    (the lexer stops there), no leading ``wrap:`` (mermaid takes it as an option)."""
    text = text.replace(";", "\x00").replace("#", "#35;").replace("\x00", "#59;").replace("\n", "<br/>").strip()
    if _WRAP_PREFIX.match(text):
        text = f"#{ord(text[0])};{text[1:]}"
    if "<" in text:
        text = _TAG_START.sub("#lt;", text)
    return text or " "


class _SequenceWriter:
    def __init__(self, diagram: Diagram, keep: bool) -> None:
        self.d = diagram
        self.keep = keep
        self.out = Diagnostics()
        self.ids = _Ids(SEQUENCE_KEYWORDS, self.out, fold=True)

    def write(self) -> tuple[str, list[Diagnostic]]:
        d = self.d
        lines: list[str] = []
        if d.title or d.attributes.get("mermaid.config"):
            lines.append("---")
            if d.title:
                lines.append(f"title: {_yaml_string(d.title)}")
            if d.attributes.get("mermaid.config"):
                lines.append("config:")
                lines.extend("  " + row for row in d.attributes["mermaid.config"].split("\n"))
            lines.append("---")
        if d.attributes.get("mermaid.init"):
            lines.extend(d.attributes["mermaid.init"].split("\n"))
        lines.append("sequenceDiagram")
        if d.attributes.get("mermaid.autonumber"):
            value = d.attributes["mermaid.autonumber"]
            lines.append("  autonumber" + ("" if value == "on" else f" {value}"))
        for lane in d.lanes:
            self.ids.reserve("lane", lane.id)
        box = None
        for lane in d.lanes:
            pid = self.ids.assign("lane", lane.id, lane)
            lane_box = lane.attributes.get("mermaid.box")
            if lane_box != box:
                if box is not None:
                    lines.append("  end")
                if lane_box is not None:
                    lines.append(f"  box {lane_box}")
                box = lane_box
            word = "actor" if lane.attributes.get("mermaid.participant") == "actor" else "participant"
            label = lane.label if lane.label is not None else lane.id
            line = f"  {word} {pid}"
            if label != pid:
                line += f" as {_message_text(label)}"
            lines.append(line)
            for key in ("links", "link", "properties", "details"):
                if lane.attributes.get(f"mermaid.{key}"):
                    lines.append(f"  {key} {pid}: {lane.attributes[f'mermaid.{key}']}")
        if box is not None:
            lines.append("  end")

        node_by_id = d.node_by_id()
        lane_of = {n.id: n.lane for n in d.nodes}
        # What each group covers: the messages reaching its members.
        messages: list[tuple[int, str]] = []  # (edge index, line)
        events: list[tuple[str, object]] = []  # ("msg", edge) / ("note", node) in order
        note_after: dict[str, list[Node]] = {}
        for node in d.nodes:
            if node.kind is NodeKind.NOTE:
                events.append(("note", node))
        # order: edges in model order; notes placed after the last message reaching a step before them
        ordered = self.order_events(events)
        group_of_member: dict[str, list[Group]] = {}
        for group in d.groups:
            for member in group.members:
                group_of_member.setdefault(member, []).append(group)
        spans = self.group_spans(ordered)
        body: list[str] = []
        open_stack: list[Group] = []
        for index, (kind, item) in enumerate(ordered):
            # close groups that end before this event, open those that start here
            for group in list(reversed(open_stack)):
                if spans[group.id][1] < index:
                    body.append("  " * len(open_stack) + "end")
                    open_stack.pop()
            for group in self.groups_starting(spans, index):
                if group.kind in _SECTION_KEYWORDS:
                    body.append("  " * len(open_stack) + f"{_SECTION_KEYWORDS[group.kind]} {_message_text(group.label or '')}")
                    continue
                keyword = _SEQ_KEYWORDS.get(group.kind, "loop" if group.kind == "loop" else None)
                if keyword is None:
                    self.out.add("DROPPED_GROUP", f"{group.kind} {group.label or group.id!r} has no sequence form",
                                 line=group.line, column=group.column, element=group.id)
                    spans[group.id] = (-1, -2)
                    continue
                open_stack.append(group)
                body.append("  " * len(open_stack) + f"{keyword} {_message_text(group.label or '')}".rstrip())
            pad = "  " * (len(open_stack) + 1)
            if kind == "msg":
                body.append(pad + self.message_line(item, node_by_id))
            else:
                body.append(pad + self.note_line(item))
        while open_stack:
            body.append("  " * len(open_stack) + "end")
            open_stack.pop()
        for group in d.groups:
            if spans.get(group.id, (0, 0))[0] is None:
                self.out.add("DROPPED_GROUP", f"{group.kind} {group.label or group.id!r} holds no message, so the "
                             "sequence view has nothing to frame", line=group.line, column=group.column, element=group.id)
        lines.extend(body)
        for node in d.nodes:
            if node.kind in (NodeKind.DECISION, NodeKind.GATEWAY):
                self.out.add("DROPPED_NODE", f"decision {node.label or node.id!r}: the sequence view shows its "
                             "messages, not the choice", line=node.line, column=node.column, element=node.id)
        return "\n".join(lines) + "\n", self.out.items

    def order_events(self, notes):
        d = self.d
        lane_of = {n.id: n.lane for n in d.nodes}
        ordered: list[tuple[str, object]] = []
        note_nodes = [item for _, item in notes]
        node_index = {n.id: i for i, n in enumerate(d.nodes)}
        # a note goes after the last message whose step comes before it in model order
        pending = sorted(note_nodes, key=lambda n: node_index[n.id])
        for edge in d.edges:
            same_lane = lane_of.get(edge.source) == lane_of.get(edge.target)
            if same_lane and "mermaid.message" not in edge.attributes and "mermaid.activation" not in edge.attributes \
                    and not self.is_self_message(edge):
                element = edge.id or f"{edge.source}->{edge.target}"
                self.out.add("DROPPED_EDGE", f"edge {element} stays inside lane {lane_of.get(edge.source)!r}; the "
                             "sequence view shows only messages between participants", line=edge.line,
                             column=edge.column, element=element)
                continue
            while pending and node_index[pending[0].id] < node_index.get(edge.target, 0):
                ordered.append(("note", pending.pop(0)))
            ordered.append(("msg", edge))
        for note in pending:
            ordered.append(("note", note))
        return ordered

    def is_self_message(self, edge) -> bool:
        return self.d.attributes.get("mermaid.diagram") == "sequence"

    def group_spans(self, ordered) -> dict[str, tuple]:
        spans: dict[str, tuple] = {}
        for group in self.d.groups:
            members = set(group.members)
            hits = [i for i, (kind, item) in enumerate(ordered)
                    if (kind == "msg" and item.target in members) or (kind == "note" and item.id in members)]
            spans[group.id] = (hits[0], hits[-1]) if hits else (None, None)
        # a parent covers its children
        by_id = {g.id: g for g in self.d.groups}
        for group in self.d.groups:
            parent = by_id.get(group.parent) if group.parent else None
            start, end = spans[group.id]
            while parent is not None and start is not None:
                p_start, p_end = spans[parent.id]
                spans[parent.id] = (min(start, p_start) if p_start is not None else start,
                                    max(end, p_end) if p_end is not None else end)
                parent = by_id.get(parent.parent) if parent.parent else None
        return spans

    def groups_starting(self, spans, index):
        result = [g for g in self.d.groups if spans[g.id][0] == index]
        # parents before children, sections after their fragment
        depth = {}
        by_id = {g.id: g for g in self.d.groups}
        for g in result:
            n, p = 0, g.parent
            while p is not None and p in by_id:
                n, p = n + 1, by_id[p].parent
            depth[g.id] = n
        return sorted(result, key=lambda g: depth[g.id])

    def message_line(self, edge, nodes) -> str:
        lane_of = {n.id: n.lane for n in self.d.nodes} if not hasattr(self, "_lane_of") else self._lane_of
        self._lane_of = lane_of
        source = self.ids.map[("lane", lane_of[edge.source])]
        target = self.ids.map[("lane", lane_of[edge.target])]
        arrow = edge.attributes.get("mermaid.message") or ("-->>" if edge.style is EdgeStyle.DOTTED else "->>")
        text = edge.label
        if text is None:
            target_node = nodes.get(edge.target)
            text = target_node.label if target_node is not None and target_node.label is not None else ""
        marker = edge.attributes.get("mermaid.activation", "")
        if marker in ("+", "-"):
            return f"{source}{arrow}{marker}{target}: {_message_text(text)}"
        if marker == "()":
            return f"{source}{arrow}(){target}: {_message_text(text)}"
        if marker == "()<":
            return f"{source}(){arrow}{target}: {_message_text(text)}"
        if marker == "()<>":
            return f"{source}(){arrow}(){target}: {_message_text(text)}"
        if edge.source_side is not None or edge.target_side is not None:
            element = edge.id or f"{edge.source}->{edge.target}"
            self.out.add("DROPPED_EDGE_SIDES", f"edge {element}: a sequence message has no attachment sides",
                         line=edge.line, column=edge.column, element=element)
        return f"{source}{arrow}{target}: {_message_text(text)}"

    def note_line(self, node) -> str:
        lane = self.ids.map[("lane", node.lane)]
        placement = node.attributes.get("mermaid.note", "over")
        over = node.attributes.get("mermaid.noteOver")
        if over:
            actors = ",".join(self.ids.map.get(("lane", a), a) for a in over.split(","))
            return f"Note over {actors}: {_message_text(node.label or '')}"
        return f"Note {placement} {lane}: {_message_text(node.label or '')}"
