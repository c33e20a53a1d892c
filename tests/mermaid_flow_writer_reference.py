"""The Mermaid flowchart writer as it was before it held its graph by position (commit 51c889e), kept
for tests/test_mermaid_flow_writer_diff.py: the new one must write the same text and diagnostics.

Only the seven methods that change made different are kept here, as they were; the writer's other
methods (labels, shapes, styles, extras, subgraph blocks) are inherited: they are not what the
differential test compares.
"""
from __future__ import annotations

from converters.diagnostics import Diagnostic, Diagnostics
from converters.mermaid import comments, flow_writer
from converters.mermaid.escape import (
    SAFE_ID,
    IdMap,
    flow_text,
    header_lines,
    mermaid_ids,
    one_line,
    statement_value,
    yaml_label,
)
from converters.mermaid.flow_writer import (
    FLOW_KEYWORDS,
    _EDGE_KEYS,
    _ICON,
    _PLAIN_ARROW,
    _SIDE_NAME,
    _arrow,
    _v11_name,
    comment_lines,
    is_outside_lane,
)
from converters.mermaid.shapes import BRACKETS, KIND_SHAPE, same_meaning, shape_error
from converters.model import Diagram, Edge, Group, GroupKind, Node, edge_name


class FlowchartWriter(flow_writer.FlowchartWriter):
    def __init__(self, diagram: Diagram, keep: bool, swimlane: bool) -> None:
        self.d = diagram
        self.keep = keep
        self.swimlane = swimlane
        self.out = Diagnostics()
        allocator = mermaid_ids(FLOW_KEYWORDS)
        self.node_ids = IdMap(allocator, "node", self.out)
        self.lane_ids = IdMap(allocator, "lane", self.out)
        self.group_ids = IdMap(allocator, "group", self.out)
        self.nodes = diagram.node_by_id()
        self.has_in = {e.target for e in diagram.edges}
        self.has_out = {e.source for e in diagram.edges}
        self.pending_kind: dict[str, str] = {}  # node id → model kind, for its extras comment
        self.pending_attributes: dict[str, dict[str, str]] = {}
        self.lines: list[str] = []
        self.extras: list[str] = []
        self.tail: list[str] = []
        self.edge_count = 0
        self.written_order: list[str] = []  # node ids in the order the blocks declare them
        self.declared: set[str] = set()

    def assign_ids(self) -> None:
        subgraph_lanes = [lane for lane in self.d.lanes if not is_outside_lane(lane)]
        subgraphs = [g for g in self.d.groups if g.kind == GroupKind.SUBGRAPH]
        self.node_ids.reserve_all([node.id for node in self.d.nodes])
        self.lane_ids.reserve_all([lane.id for lane in subgraph_lanes])
        self.group_ids.reserve_all([group.id for group in subgraphs])
        kept = self.node_ids.ids
        for node in self.d.nodes:
            if node.id not in kept:
                self.node_ids.assign(node.id, node)
        for lane in subgraph_lanes:
            self.lane_ids.assign(lane.id, lane)
        for group in subgraphs:
            self.group_ids.assign(group.id, group)

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
        text = "\n".join(self.lines + self.tail + self.extras) + "\n"
        return text, self.out.items

    def place_groups(self) -> tuple[dict[str, list[Group]], list[Group]]:
        """Subgraph groups that fit inside one lane, by lane; the others cannot be drawn."""
        node_lane = {n.id: n.lane for n in self.d.nodes}
        lanes = {lane.id for lane in self.d.lanes}
        by_lane: dict[str, list[Group]] = {}
        stray: list[Group] = []
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

    def node_text(self, node: Node) -> str:
        nid = self.node_ids.ids[node.id]
        self.written_order.append(node.id)
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
            if given is not None:  # the same report as the writer's since CI found the loss (7th session)
                self.shape_not_written(node, given, shape)
        elif shape == KIND_SHAPE[node.kind] and self.keep:
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

    def write_edges(self) -> None:
        keep = self.keep
        ids = self.node_ids.ids
        lines = self.lines
        rank: dict[tuple[str, str], int] = {}
        auto_count: dict[tuple[str, str], int] = {}
        seen_ids: set[str] = set()
        subgraph_ids: dict[str, str | None] | None = None  # made for the first edge with attributes
        for edge in self.d.edges:
            a = edge.attributes
            source = ids[edge.source]
            target = ids[edge.target]
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
            r = 0
            if keep:  # the rank names the edge in its extras comment
                r = rank.get(key, 0)
                rank[key] = r + 1
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
            self.out.add("DROPPED_EDGE_SIDES", f"edge {element}: Mermaid chooses where lines attach "
                         f"({_SIDE_NAME[edge.source_side]} → {_SIDE_NAME[edge.target_side]} not kept)",
                         line=edge.line, column=edge.column, element=element)
        if extra:
            self.out.add("DROPPED_ATTRIBUTE", f"edge {element}: Mermaid cannot carry {', '.join(extra)}",
                         line=edge.line, column=edge.column, element=element)
