"""Model → BPMN 2.0 XML with full diagram interchange (DI).

``definitions`` → ``collaboration`` with one pool per process (by default one pool whose laneSet
has one lane per model lane, in order; ``pools=per-lane``: each lane its own pool, cross-lane
edges as message flows) → processes with their lanes, flow nodes, sequence flows and artifacts →
one ``BPMNDiagram`` placing every pool, lane, node and flow (see geometry.py).

What BPMN has no element for travels in ``fz:meta`` (extensions.py); model attributes the writer
expresses natively (``bpmn.type`` as the element, ``description`` as documentation, vendor
attributes and extension elements as themselves) are listed in the meta's ``native`` so that the
reader restores exactly the model it was given.
"""
from __future__ import annotations

import re

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram, EdgeStyle, Group, GroupKind, Lane, NodeKind
from . import geometry
from .extensions import encode
from .naming import Names, assign
from .placement import Placement
from .plan import ACTIVITIES, Connection, Plan, PlanNode, build
from .reader import EXPORTER
from .vocabulary import (
    EVENT_DEFINITIONS,
    EVENTS,
    GATEWAYS,
    KIND_ELEMENT,
    MODEL_NS,
    NATIVE_ATTRIBUTES,
    NCNAME,
    PREFIXES,
    kind_of,
)
from .xmlparts import fragment_children, model_local, serialize
from .xmltext import attribute, content, holds_all

VERSION = "0.1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"  # bound to xml: by XML itself, never declared
XMLNS_NS = "http://www.w3.org/2000/xmlns/"
_CONTENT = ("bpmn.content", "bpmn.contentTail")  # raw child elements of an element, read from BPMN
# A namespace name this writer declares as it is: no space, quote or markup character.
_FOREIGN_URI = re.compile(r"[^\s\"'<>&\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]+\Z")
_KNOWN_PREFIXES = {
    "http://camunda.org/schema/1.0/bpmn": "camunda",
    "http://camunda.org/schema/zeebe/1.0": "zeebe",
    "http://camunda.org/schema/modeler/1.0": "modeler",
    "http://www.signavio.com": "signavio",
    "http://bpmn.io/schema/bpmn/biocolor/1.0": "bioc",
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0": "color",
}


class _Emitter:
    """The writer's last stage: the XML text, from the plan, the names and the placement."""

    def __init__(self, diagram: Diagram, options: dict[str, str], plan: Plan, names: Names, placed: Placement,
                 drawn_groups: list[Group], roots: _RootElements, out: Diagnostics) -> None:
        self.diagram = diagram
        self.options = options
        self.plan = plan
        self.names = names
        self.placed = placed
        self.drawn_groups = drawn_groups  # groups written as BPMN groups (not as sub-process nesting)
        self.roots = roots
        self.out = out
        self.lane_by_id: dict[str, Lane] = diagram.lane_by_id()
        self._node_index: dict[str, int] | None = None  # node id → model position (built when first needed)
        self.foreign: dict[str, str] = {}  # namespace URI → prefix, for vendor attributes (filled while emitting)
        index = _FlowIndex(plan)
        # (a node's flows are on the PlanNode its id names: itself, unless two nodes share an id)
        self.flows_of = (lambda item: item) if len(plan.by_id) == len(plan.nodes) else \
            (lambda item: plan.by_id[item.id])
        self.pool_members, self.inside = index.pool_members, index.inside
        self.notes_inside = index.notes_inside  # annotations held by an expanded sub-process
        self.flows_inside, self.associations_of = index.flows_inside, index.associations_of
        # Nodes come in the document pool by pool, a sub-process's inside it: when that is not the
        # model's order, each node's fz:meta says its place (annotations always do).
        self.reordered = self.document_order() != [n.id for n in diagram.nodes if n.kind is not NodeKind.NOTE
                                                   and n.attributes.get("bpmn.type") != "participant"]

    def node_index(self, node_id: str) -> int:
        """The model position of a node (for the few whose place fz:meta must say)."""
        if self._node_index is None:
            self._node_index = {node.id: i for i, node in enumerate(self.diagram.nodes)}
        return self._node_index[node_id]

    def document_order(self) -> list[str]:
        order: list[str] = []
        for index in range(len(self.plan.pools)):
            stack = [iter(self.inside.get(("pool", index), []))]
            while stack:
                item = next(stack[-1], None)
                if item is None:
                    stack.pop()
                    continue
                if item.node is not None:
                    order.append(item.id)
                if item.id in self.inside:
                    stack.append(iter(self.inside[item.id]))
        return order

    def document(self) -> str:
        parts = [self.roots.xml]
        self.semantic(parts)
        di = self.diagram_interchange()
        namespaces = " ".join(f'xmlns:{p}="{u}"' for p, u in PREFIXES.items())
        namespaces += "".join(f' xmlns:{p}={attribute(u)}' for u, p in self.foreign.items())
        head = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<bpmn:definitions {namespaces} id="Definitions_1" '
                f'targetNamespace="https://flowzap.xyz/bpmn" exporter="{EXPORTER}" exporterVersion="{VERSION}">\n')
        # one join of every part (at 50,000 nodes the document is ≈ 48 MB: each + would copy it)
        parts[:0] = (head,)
        parts += (di, "</bpmn:definitions>\n")
        return "".join(parts)

    # -- semantic XML --------------------------------------------------------------------
    def semantic(self, parts: list[str]) -> None:
        """The semantic XML, appended to ``parts``."""
        plan = self.plan
        categories = [g for g in self.drawn_groups if g.label is not None]
        for group in categories:
            gid = self.names.group_xml_id[group.id]
            parts.append(f'  <bpmn:category id="Category_{gid}"><bpmn:categoryValue id="CategoryValue_{gid}" '
                         f'value={attribute(group.label)}/></bpmn:category>\n')
        parts.append(self.collaboration())
        for index, lanes in enumerate(plan.pools):
            if index not in self.plan.black_boxes:
                parts.append(self.process(index, lanes))

    def collaboration(self) -> str:
        diagram = self.diagram
        native = ["bpmn.rootElements"] if self.roots.native else []
        fields = {"direction": diagram.direction if diagram.direction != "LR" else None,
                  "noTitle": "true" if diagram.title is None else None, "title": _inexact(diagram.title, empty=True),
                  "native": " ".join(native) or None}
        rest = {k: v for k, v in diagram.attributes.items() if k not in native}
        meta = encode(fields, rest)
        name = f" name={attribute(diagram.title)}" if diagram.title else ""
        lines = [f'  <bpmn:collaboration id="Collaboration_1"{name}>\n']
        if meta:
            lines.append(f"    <bpmn:extensionElements>{meta}</bpmn:extensionElements>\n")
        lane_by_id = self.lane_by_id
        for index, lanes in enumerate(self.plan.pools):
            pid = self.names.participant_id.get(index)
            if index in self.plan.single_lane_pools:
                lane = lane_by_id[lanes[0]]
                pid = self.names.lane_xml_id[lane.id]
                pool_meta = self.lane_meta(lane)
                # bpmnlint wants every pool named; a lane without label names it after the diagram
                # (fz:meta noLabel keeps the model's missing label)
                label = f" name={attribute(lane.label if lane.label is not None else diagram.title or 'Process')}"
                ext = f"<bpmn:extensionElements>{pool_meta}</bpmn:extensionElements>" if pool_meta else ""
                ref = "" if index in self.plan.black_boxes else f' processRef="{self.names.process_id[index]}"'
                lines.append(f'    <bpmn:participant id="{pid}"{label}{ref}>{ext}</bpmn:participant>\n')
            else:
                first = lane_by_id[lanes[0]]
                pool_name = first.attributes.get("bpmn.poolName") or diagram.attributes.get("bpmn.poolName") \
                    or diagram.title or "Process"
                lines.append(f'    <bpmn:participant id="{pid}" name={attribute(pool_name)} '
                             f'processRef="{self.names.process_id[index]}"/>\n')
        for connection in self.plan.connections:
            if connection.kind == "messageFlow":
                lines.append(self.flow_xml(connection, "messageFlow", "    "))
        if len(self.plan.pools) != 1 or self.plan.black_boxes:
            # annotations of black-box pools have no process to live in: the collaboration holds them
            # (and the groups and associations, when the one pool is a black box or there is no pool)
            for item in self.plan.nodes:
                if item.node is not None and item.node.kind is NodeKind.NOTE and \
                        int(self.plan.pool_of_lane[item.lane]) in self.plan.black_boxes:
                    lines.append(self.annotation_xml(item))
            lines.extend(self.artifacts(None, "    "))
        lines.append("  </bpmn:collaboration>\n")
        return "".join(lines)

    def lane_runs(self, lanes: list[str]) -> list[tuple[str | None, list[tuple[str, Lane]]]]:
        """Lanes in runs under their parent lane (a nested laneSet read from BPMN): consecutive
        lanes naming the same ``bpmn.parentLane`` are written inside it, once."""
        lane_by_id = self.lane_by_id
        runs: list[tuple[str | None, list[tuple[str, Lane]]]] = []
        for lane_id in lanes:
            lane = lane_by_id[lane_id]
            parent = self.names.parent_xml_id.get(lane_id)
            if runs and parent is not None and runs[-1][0] == parent:
                runs[-1][1].append((lane_id, lane))
            else:
                runs.append((parent, [(lane_id, lane)]))
        return runs

    def lane_meta(self, lane: Lane) -> str:
        fields = {"id": lane.id if self.names.lane_xml_id[lane.id] != lane.id else None,
                  "noLabel": "true" if lane.label is None else None, "label": _inexact(lane.label, empty=True)}
        return encode(fields, dict(lane.attributes))

    def process(self, index: int, lanes: list[str]) -> str:
        plan = self.plan
        executable = self.options.get("executable", "auto")
        if executable == "auto":  # as the BPMN source had it, else not executable
            first = self.lane_by_id[lanes[0]] if lanes else None
            executable = (first.attributes.get("bpmn.isExecutable") if first is not None else None) \
                or self.diagram.attributes.get("bpmn.isExecutable") or "false"
            executable = executable if executable in ("true", "false") else "false"
        # the source process's own attributes, documentation and vendor extensions
        source = self.lane_by_id[lanes[0]].attributes if len(plan.pools) > 1 else self.diagram.attributes
        own = {k[len("bpmn.process:"):]: v for k, v in source.items() if k.startswith("bpmn.process:")}
        extra, head, tail, documentation, vendor = self.native_parts(own, [], "process", self.names.process_id[index])
        extensions = f"<bpmn:extensionElements>{vendor}</bpmn:extensionElements>" if vendor else ""
        opening = (f'  <bpmn:process id="{self.names.process_id[index]}" isExecutable="{executable}"{extra}>'
                   f"{documentation}{extensions}{head}\n")
        lines = [opening]
        members = self.pool_members.get(str(index), [])
        if index not in self.plan.single_lane_pools:
            lines.append(f'    <bpmn:laneSet id="LaneSet_{index + 1}">\n')
            refs: dict[str, list[str]] = {lane: [] for lane in lanes}
            for item in members:
                if item.container is None and item.tag != "participant" and (
                        item.node is None or item.node.kind not in (NodeKind.DATA, NodeKind.NOTE)):
                    refs[item.lane].append(item.xml_id)
            for parent, run in self.lane_runs(lanes):
                indent = "      "
                if parent is not None:  # a parent lane holds its children's nodes too (BPMN's rule)
                    name = run[0][1].attributes.get("bpmn.parentLaneName")
                    name_attr = f" name={attribute(name)}" if name is not None else ""
                    flow_refs = "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for _, l in run
                                        for r in refs[l.id])
                    lines.append(f'      <bpmn:lane id="{parent}"{name_attr}>{flow_refs}'
                                 f'<bpmn:childLaneSet id="{self.names.get(None, "LaneSet_" + parent)}">\n')
                    indent = "        "
                for lane_id, lane in run:
                    label = "" if lane.label is None else f" name={attribute(lane.label)}"
                    meta = self.lane_meta(lane)
                    ext = f"<bpmn:extensionElements>{meta}</bpmn:extensionElements>" if meta else ""
                    flow_refs = "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs[lane_id])
                    lines.append(f'{indent}<bpmn:lane id="{self.names.lane_xml_id[lane_id]}"{label}>'
                                 f"{ext}{flow_refs}</bpmn:lane>\n")
                if parent is not None:
                    lines.append("      </bpmn:childLaneSet></bpmn:lane>\n")
            lines.append("    </bpmn:laneSet>\n")
        lines.append(self.scope_xml(("pool", index), "    "))
        pool = str(index)
        for item in members:
            if item.node is not None and item.node.kind is NodeKind.NOTE and item.container is None:
                lines.append(self.annotation_xml(item))
        if len(plan.pools) == 1:
            lines.extend(self.artifacts(pool, "    "))
        else:
            lines.extend(self.artifacts(pool, "    ", associations_only=True))
        if tail:
            lines.append(f"    {tail}\n")
        lines.append("  </bpmn:process>\n")
        return "".join(lines)

    def scope_xml(self, container, indent: str) -> str:
        """The flow elements of a process (container ("pool", index)) or of an expanded sub-process."""
        out: list[str] = []
        self.write_scope(container, indent, out)
        return "".join(out)

    def write_scope(self, container, indent: str, out: list[str]) -> None:
        # into one list: nested sub-processes written n deep cost n, not n² in copies
        flows_of = self.flows_of
        for item in self.inside.get(container, []):
            flows = flows_of(item)
            self.node_xml(item, flows.incoming or [], flows.outgoing or [], flows.data_in or [], flows.data_out or [],
                          indent, out)
        out.extend(self.flow_xml(c, "sequenceFlow", indent) for c in self.flows_inside.get(container, []))
        out.extend(self.annotation_xml(item) for item in self.notes_inside.get(container, []))

    def artifacts(self, pool: str | None, indent: str, associations_only: bool = False) -> list[str]:
        """Associations (in the process when both ends are in it, else in the collaboration) and
        groups (in the process of a single pool, else in the collaboration)."""
        lines = [self.flow_xml(connection, "association", indent)
                 for connection in self.associations_of.get(pool, [])]
        if not associations_only:
            for group in self.drawn_groups:
                lines.append(self.group_xml(group, indent))
        return lines

    # -- elements ------------------------------------------------------------------------
    def node_xml(self, item: PlanNode, incoming: list[str], outgoing: list[str], data_in: list[Connection],
                 data_out: list[Connection], indent: str, out: list[str]) -> None:
        xml_id = item.xml_id
        tag = item.tag
        node = item.node
        attrs = f' id="{xml_id}"'
        unnamed = False
        if item.name is not None and tag != "textAnnotation":
            attrs += f" name={attribute(item.name)}"
        elif node is not None and tag in ACTIVITIES and node.attributes.get("description"):
            # bpmnlint (label-required) wants every activity named: a FlowZap taskbox often has
            # only a description. fz:meta noLabel gives the model back its missing label.
            attrs += f" name={attribute(node.attributes['description'])}"
            unnamed = True
        if node is None:
            meta = encode({"synthetic": "true"}, {})
            out.append(f"{indent}<bpmn:{tag}{attrs}><bpmn:extensionElements>{meta}</bpmn:extensionElements>"
                    + "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming)
                    + "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing)
                    + (f'<bpmn:{item.event_definition} id="{self.names.get(None, xml_id + "_definition")}"/>'
                       if item.event_definition else "")
                    + f"</bpmn:{tag}>\n")
            return
        native: list[str] = []
        rest = dict(node.attributes)
        extra_attrs, children_before, children_after, documentation, vendor = self.native_parts(
            rest, native, tag, node.id)
        if item.host is not None:
            extra_attrs += f' attachedToRef="{self.plan.by_id[item.host].xml_id}"'
            native.append("bpmn.attachedTo")
            rest.pop("bpmn.attachedTo", None)
        object_id = None
        if tag == "dataObjectReference":
            ref = rest.get("bpmn.dataObjectRef")
            object_id = self.names.get(ref, f"DataObject_{xml_id}") if ref and self.names.ids.is_free(ref) else \
                self.names.get(None, f"DataObject_{xml_id}")
            if ref == object_id:
                native.append("bpmn.dataObjectRef")
                rest.pop("bpmn.dataObjectRef")
            extra_attrs += f' dataObjectRef="{object_id}"'
        if tag == "dataStoreReference" and rest.get("bpmn.dataStoreRef") in self.roots.ids:
            extra_attrs += f' dataStoreRef="{rest.pop("bpmn.dataStoreRef")}"'
            native.append("bpmn.dataStoreRef")
        if (tag in GATEWAYS or tag in ACTIVITIES) and "bpmn.default" in rest:
            flow = self.names.edge_xml_id.get(rest["bpmn.default"])
            if flow is not None and any(f == flow for f in outgoing):
                extra_attrs += f' default="{flow}"'
                native.append("bpmn.default")
                rest.pop("bpmn.default")
        owner_xml = ""
        if tag == "userTask" and "owner" in rest and "potentialOwner" not in children_after and holds_all(rest["owner"]):
            # the taskbox's owner as BPMN's potential owner (engines and modellers read it)
            owner_id = self.names.get(None, f"PotentialOwner_{xml_id}")
            owner_xml = (f'<bpmn:potentialOwner id="{owner_id}"><bpmn:resourceAssignmentExpression '
                         f'id="{self.names.get(None, owner_id + "_expression")}"><bpmn:formalExpression>'
                         f'{content(rest.pop("owner"))}</bpmn:formalExpression></bpmn:resourceAssignmentExpression>'
                         "</bpmn:potentialOwner>")
            native.append("owner")
        if item.id in self.placed.inline and rest.get("bpmn.isExpanded") == "true":
            native.append("bpmn.isExpanded")  # said by the DI
            rest.pop("bpmn.isExpanded")
        if tag != KIND_ELEMENT[node.kind] and node.attributes.get("bpmn.type") == tag:
            native.append("bpmn.type")
            rest.pop("bpmn.type", None)
        fields = {"kind": None, "id": node.id if xml_id != node.id else None,
                  "noShape": "true" if node.shape is None else None,
                  "noLabel": "true" if unnamed else None, "label": _inexact(node.label),
                  "shape": node.shape if node.shape not in (None, tag) else None,
                  "attachmentIndex": str(self.plan.attachments[node.id]) if node.id in self.plan.attachments else None,
                  "index": str(self.node_index(node.id)) if self.reordered else None,
                  "native": " ".join(native) or None, "order": _order(node.attributes, native)}
        if kind_of(tag) is not node.kind:
            fields["kind"] = node.kind.value
        meta = encode(fields, rest)
        children = documentation
        if meta or vendor:
            children += f"<bpmn:extensionElements>{vendor}{meta}</bpmn:extensionElements>"
        children += "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming)
        children += "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing)
        if tag not in ACTIVITIES:
            children += children_before
        if tag in ACTIVITIES:
            # XSD order: properties, then data input associations, then output ones (the source's
            # own, kept raw, before those the model holds as edges)
            children, raw_in, raw_out = _split_data_associations(children, children_before)
            pid = self.names.get(None, f"Property_{xml_id}") if data_in else None
            if pid:  # the target of data inputs, as bpmn-js writes it (XSD: properties first)
                children += f'<bpmn:property id="{pid}" name="__targetRef_placeholder"/>'
            children += raw_in
            for connection in data_in:
                children += (f'<bpmn:dataInputAssociation id="{connection.xml_id}">'
                             f"{self.flow_extension(connection)}"
                             f"<bpmn:sourceRef>{self.plan.by_id[connection.source].xml_id}</bpmn:sourceRef>"
                             f"<bpmn:targetRef>{pid}</bpmn:targetRef></bpmn:dataInputAssociation>")
            children += raw_out
            for connection in data_out:
                children += (f'<bpmn:dataOutputAssociation id="{connection.xml_id}">'
                             f"{self.flow_extension(connection)}"
                             f"<bpmn:targetRef>{self.plan.by_id[connection.target].xml_id}</bpmn:targetRef>"
                             "</bpmn:dataOutputAssociation>")
        children += owner_xml
        children += children_after
        prefix = f'{indent}<bpmn:dataObject id="{object_id}"/>\n' if object_id else ""
        if item.id in self.inside:  # an expanded sub-process: its own flow elements
            out.append(f"{prefix}{indent}<bpmn:{tag}{attrs}{extra_attrs}>{children}\n")
            # indented up to a point (deeper, the output would grow with the square of the depth)
            self.write_scope(item.id, indent + "  " if len(indent) < 20 else indent, out)
            out.append(f"{indent}</bpmn:{tag}>\n")
        else:
            out.append(f"{prefix}{indent}<bpmn:{tag}{attrs}{extra_attrs}>{children}</bpmn:{tag}>\n")

    def native_parts(self, rest: dict[str, str], native: list[str], tag: str, element: str):
        """Model attributes BPMN has a place for, taken out of ``rest`` (the remainder goes to
        fz:meta): BPMN attributes, vendor attributes, documentation, extension elements, raw
        content (event definitions, conditions, loop characteristics, …)."""
        extra = ""
        for key in list(rest):
            if key.startswith("bpmn.{"):
                uri, _, local = key[len("bpmn.{"):].partition("}")
                if not NCNAME.match(local) or not _FOREIGN_URI.match(uri) or uri in (MODEL_NS, XMLNS_NS) \
                        or not holds_all(rest[key]):
                    continue  # kept in fz:meta: no BPMN tool could read it as written
                prefix = "xml" if uri == XML_NS else self.foreign.get(uri)
                if prefix is None:
                    prefix = _KNOWN_PREFIXES.get(uri)
                    if prefix is None or prefix in self.foreign.values() or prefix in PREFIXES:
                        prefix = f"ns{len(self.foreign) + 1}"
                    self.foreign[uri] = prefix
                extra += f" {prefix}:{local}={attribute(rest.pop(key))}"
                native.append(key)
            elif key.startswith("bpmn.") and key[5:] in NATIVE_ATTRIBUTES and key[5:] != "isExecutable" and \
                    holds_all(rest[key]):
                extra += f" {key[5:]}={attribute(rest.pop(key))}"
                native.append(key)
        documentation = ""
        description = rest.get("description")
        if description and description == description.strip() and holds_all(description):
            documentation = f"<bpmn:documentation>{content(rest.pop('description'))}</bpmn:documentation>"
            native.append("description")
        vendor = self.fragment(rest, "bpmn.extensionElements", native, element)
        before = self.fragment(rest, "bpmn.content", native, element)
        after = self.fragment(rest, "bpmn.contentTail", native, element)
        definitions = rest.get("bpmn.eventDefinition")
        if definitions is not None and tag in EVENTS:
            written = [model_local(c.tag) for c in (fragment_children(after) or []) if model_local(c.tag) in EVENT_DEFINITIONS]
            if after and ",".join(d[: -len("EventDefinition")] for d in written) == definitions:
                native.append("bpmn.eventDefinition")
                rest.pop("bpmn.eventDefinition")
            elif not after:
                names = [f"{d}EventDefinition" for d in definitions.split(",") if f"{d}EventDefinition" in EVENT_DEFINITIONS]
                if ",".join(n[: -len("EventDefinition")] for n in names) == definitions:
                    for name in names:
                        after += f'<bpmn:{name} id="{self.names.get(None, f"{name[0].upper()}{name[1:]}_{element}")}"/>'
                    native.append("bpmn.eventDefinition")
                    rest.pop("bpmn.eventDefinition")
        return extra, before, after, documentation, vendor

    def fragment(self, rest: dict[str, str], key: str, native: list[str], element: str) -> str:
        text = rest.get(key)
        if text is None:
            return ""
        children = fragment_children(text)
        if children is None:
            self.out.add("CHANGED_XML_FRAGMENT", f"{element}: {key} is not well-formed XML; kept as an fz attribute, "
                         "not as BPMN", element=element)
            return ""
        native.append(key)
        rest.pop(key)
        return serialize(children)

    def flow_extension(self, connection: Connection) -> str:
        edge = connection.edge
        if edge is None:
            return f"<bpmn:extensionElements>{encode({'synthetic': 'true'}, {})}</bpmn:extensionElements>"
        rest = dict(edge.attributes)
        native = []
        if rest.get("bpmn.type") == connection.kind:
            native.append(rest.pop("bpmn.type"))
        fields = {"index": str(connection.index), "noId": "true" if edge.id is None else None,
                  "id": edge.id if edge.id is not None and edge.id != connection.xml_id else None,
                  "style": edge.style.value if edge.style is not EdgeStyle.SOLID else None,
                  "sourceSide": edge.source_side.value if edge.source_side else None,
                  "targetSide": edge.target_side.value if edge.target_side else None,
                  "label": edge.label, "native": "bpmn.type" if native else None}
        return f"<bpmn:extensionElements>{encode(fields, rest)}</bpmn:extensionElements>"

    def flow_xml(self, connection: Connection, tag: str, indent: str) -> str:
        xml_id = connection.xml_id
        edge = connection.edge
        by_id = self.plan.by_id
        source, target = by_id[connection.source].xml_id, by_id[connection.target].xml_id
        attrs = f' id="{xml_id}" sourceRef="{source}" targetRef="{target}"'
        if edge is None:
            meta = encode({"synthetic": "true"}, {})
            return f"{indent}<bpmn:{tag}{attrs}><bpmn:extensionElements>{meta}</bpmn:extensionElements></bpmn:{tag}>\n"
        if edge.label is not None and tag != "association":
            attrs += f" name={attribute(edge.label)}"
        native: list[str] = []
        rest = dict(edge.attributes)
        # BPMN gives a message flow or an association no content (a condition of a sequence flow
        # that became one): kept in fz:meta
        held = {k: rest.pop(k) for k in _CONTENT if k in rest} if tag in ("messageFlow", "association") else {}
        extra, before, after, documentation, vendor = self.native_parts(rest, native, tag, xml_id)
        rest.update(held)
        attrs += extra  # isImmediate and foreign attributes of the flow
        if rest.get("bpmn.type") == tag:
            native.append("bpmn.type")
            rest.pop("bpmn.type")
        default_style = EdgeStyle.SOLID if tag == "sequenceFlow" else EdgeStyle.DOTTED
        fields = {
            "style": edge.style.value if edge.style is not EdgeStyle.SOLID else None,
            "sourceSide": edge.source_side.value if edge.source_side else None,
            "targetSide": edge.target_side.value if edge.target_side else None,
            "id": edge.id if edge.id is not None and edge.id != xml_id else None,
            "noId": "true" if edge.id is None else None,
            "index": str(connection.index),
            "native": " ".join(native) or None,
            "order": _order(edge.attributes, native),
            "label": edge.label if tag == "association" and edge.label is not None else _inexact(edge.label),
        }
        if edge.style is not default_style and edge.style is not EdgeStyle.SOLID and tag == "sequenceFlow":
            self.out.add("DROPPED_EDGE_STYLE", f"edge {edge.source} -> {edge.target} is {edge.style.value}; BPMN "
                         "draws sequence flows solid (the style is kept in fz:meta)", element=xml_id)
        meta = encode(fields, rest)
        children = documentation + f"<bpmn:extensionElements>{vendor}{meta}</bpmn:extensionElements>" + before + after
        return f"{indent}<bpmn:{tag}{attrs}>{children}</bpmn:{tag}>\n"

    def annotation_xml(self, item: PlanNode) -> str:
        node = item.node
        xml_id = item.xml_id
        native: list[str] = []
        rest = dict(node.attributes)
        _, _, _, documentation, vendor = self.native_parts(rest, native, "textAnnotation", xml_id)
        fields = {"id": node.id if xml_id != node.id else None, "noShape": "true" if node.shape is None else None,
                  "shape": node.shape if node.shape not in (None, "textAnnotation") else None,
                  "noLabel": "true" if node.label is None else None, "label": _inexact(node.label, empty=True),
                  "native": " ".join(native) or None,
                  "order": _order(node.attributes, native),
                  # annotations are written after the flow elements (XSD order): remember the place
                  "index": str(self.node_index(node.id))}
        meta = encode(fields, rest)
        ext = f"<bpmn:extensionElements>{vendor}{meta}</bpmn:extensionElements>" if meta or vendor else ""
        text = f"<bpmn:text>{content(node.label)}</bpmn:text>" if node.label is not None else ""
        return f'    <bpmn:textAnnotation id="{xml_id}">{documentation}{ext}{text}</bpmn:textAnnotation>\n'

    def group_xml(self, group, indent: str) -> str:
        gid = self.names.group_xml_id[group.id]
        by_id = self.plan.by_id
        members = [by_id[m].xml_id for m in group.members if m in by_id]  # NCNames: no spaces
        fields = {"id": group.id if gid != group.id else None, "groupKind": group.kind,
                  "members": " ".join(members) or None, "lane": group.lane, "parent": group.parent,
                  "label": _inexact(group.label)}
        meta = encode(fields, dict(group.attributes))
        category = f' categoryValueRef="CategoryValue_{gid}"' if group.label is not None else ""
        return (f'{indent}<bpmn:group id="{gid}"{category}><bpmn:extensionElements>{meta}'
                f"</bpmn:extensionElements></bpmn:group>\n")

    # -- diagram interchange -------------------------------------------------------------
    def diagram_interchange(self) -> str:
        grid, plan = self.placed.grid, self.plan
        lines = ['  <bpmndi:BPMNDiagram id="BPMNDiagram_1">\n',
                 '    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_1">\n']
        band_of = {band.key: band for band in grid.bands}
        pool_box: dict[str, geometry.Box] = {}
        left = geometry.ORIGIN_X
        width = grid.right - left
        for index, lanes in enumerate(plan.pools):
            bands = [band_of[lane] for lane in lanes]
            top, bottom = bands[0].top, bands[-1].top + bands[-1].height
            pid = self.names.participant_id[index]
            pool_box[pid] = (left, top, width, bottom - top)
            lines.append(self.shape(pid, (left, top, width, bottom - top), ' isHorizontal="true"'))
            if index not in self.plan.single_lane_pools:
                for parent, members in self.names.parent_band.items():
                    if members[0] in lanes:
                        first, last = band_of[members[0]], band_of[members[-1]]
                        lines.append(self.shape(parent, (left + geometry.HEADER, first.top, width - geometry.HEADER,
                                                         last.top + last.height - first.top), ' isHorizontal="true"'))
                for band in bands:
                    inset = geometry.HEADER * (2 if band.key in self.names.parent_xml_id else 1)
                    lines.append(self.shape(self.names.lane_xml_id[band.key],
                                            (left + inset, band.top, width - inset, band.height),
                                            ' isHorizontal="true"'))
        shown_in: dict[str | None, list] = {}
        for plane in self.placed.planes:
            shown_in.setdefault(self.placed.display[plane], []).append(plane)
        lines.extend(self.plane_di(None, shown_in.get(None, [])))
        for connection in self.placed.pool_connections:  # message flows that end on a pool itself
            ends = [(pool_box[self.plan.by_id[end].xml_id], None) if self.plan.by_id[end].tag == "participant"
                    else (self.plan.by_id[self.placed.top[end]].box, self.plan.by_id[self.placed.top[end]].cell)
                    for end in (connection.source, connection.target)]
            flow_id = connection.xml_id
            label = ""
            if ends[0][1] is not None and ends[1][1] is None:
                points = geometry.to_pool(ends[0][0], ends[0][1], ends[1][0])
            elif ends[1][1] is not None and ends[0][1] is None:
                points = geometry.to_pool(ends[1][0], ends[1][1], ends[0][0])[::-1]
            else:
                points = geometry.between(ends[0][0], ends[1][0])
            if connection.edge is not None and connection.edge.label:
                label = self.label(geometry.label_box(points, connection.edge.label))
            lines.append(f'      <bpmndi:BPMNEdge id="{self.names.get(None, flow_id + "_di")}" bpmnElement="{flow_id}">'
                         + "".join(f'<di:waypoint x="{x}" y="{y}"/>' for x, y in points)
                         + f"{label}</bpmndi:BPMNEdge>\n")
        for group in self.drawn_groups:
            # (a pool standing as a node has no box of its own: the frame goes round the rest)
            drawn = (self.plan.by_id.get(self.placed.top.get(m)) for m in group.members)
            boxes = [item.box for item in drawn if item is not None and item.box is not None]
            if boxes:
                x1 = min(b[0] for b in boxes) - 15
                y1 = min(b[1] for b in boxes) - (30 if group.label else 15)  # room for its label
                x2 = max(b[0] + b[2] for b in boxes) + 15
                y2 = max(b[1] + b[3] for b in boxes) + 15
            else:  # a group without members: a small frame under the pools
                y1 = (grid.bands[-1].top + grid.bands[-1].height if grid.bands else geometry.ORIGIN_Y) + 20
                x1, x2, y2 = left, left + 100, y1 + 60
            lines.append(self.shape(self.names.group_xml_id[group.id], (x1, y1, x2 - x1, y2 - y1)))
        lines.append("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n")
        for plane in self.placed.planes:
            if plane is None or self.placed.display[plane] != plane:
                continue
            xml_id = self.plan.by_id[plane].xml_id
            lines.append(f'  <bpmndi:BPMNDiagram id="{self.names.get(None, "BPMNDiagram_" + xml_id)}">\n'
                         f'    <bpmndi:BPMNPlane id="{self.names.get(None, "BPMNPlane_" + xml_id)}" '
                         f'bpmnElement="{xml_id}">\n')
            lines.extend(self.plane_di(plane, shown_in.get(plane, [])))
            lines.append("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n")
        return "".join(lines)

    def plane_di(self, display: str | None, shown: list) -> list[str]:
        """Shapes and edges of one BPMNPlane: its own nodes and those of the sub-processes drawn
        in place inside it (``shown``: the planes drawn in it)."""
        lines = []
        for item in (item for plane in shown for item in self.placed.planes[plane]["items"]):
            box = self.placed.own(item).box
            extra = ""
            if item.tag in ("subProcess", "adHocSubProcess", "transaction"):
                extra = f' isExpanded="{"true" if item.id in self.placed.inline else "false"}"'
            label = ""
            if item.name and (item.tag in EVENTS or item.tag in GATEWAYS or item.tag.startswith("data")):
                w, h = geometry.text_size(item.name)
                label = self.label((box[0] + box[2] / 2 - w / 2, box[1] + box[3] + 5, w, h))
            lines.append(self.shape(item.xml_id, box, extra, label))
        for connection in (c for plane in shown for c in self.placed.drawn.get(plane, [])):
            points = connection.points
            label = ""
            if connection.edge is not None and connection.edge.label and connection.kind != "association":
                label = self.label(geometry.label_box(points, connection.edge.label))
            xml_id = connection.xml_id
            waypoints = "".join(f'<di:waypoint x="{x}" y="{y}"/>' for x, y in points)
            lines.append(f'      <bpmndi:BPMNEdge id="{self.names.get(None, xml_id + "_di")}" bpmnElement="{xml_id}">'
                         f"{waypoints}{label}</bpmndi:BPMNEdge>\n")
        return lines

    def shape(self, element: str, box: geometry.Box, extra: str = "", label: str = "") -> str:
        x, y, w, h = (round(v) for v in box)
        return (f'      <bpmndi:BPMNShape id="{self.names.get(None, element + "_di")}" bpmnElement="{element}"{extra}>'
                f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/>{label}</bpmndi:BPMNShape>\n')

    @staticmethod
    def label(box: geometry.Box) -> str:
        x, y, w, h = (round(v) for v in box)
        return f'<bpmndi:BPMNLabel><dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/></bpmndi:BPMNLabel>'


class _RootElements:
    """The source's messages, errors, signals, data stores… (what its events refer to), kept in
    ``bpmn.rootElements`` and written back first; their ids are reserved before any other."""

    def __init__(self, diagram: Diagram, names: Names, out: Diagnostics) -> None:
        self.xml = ""
        self.native = False  # written as BPMN (else the attribute stays in fz:meta)
        self.ids: set[str] = set()
        text = diagram.attributes.get("bpmn.rootElements")
        if text is None:
            return
        children = fragment_children(text)
        if children is None:
            out.add("CHANGED_XML_FRAGMENT", "bpmn.rootElements is not well-formed XML; kept in fz:meta only")
            return
        self.native = True
        for child in children:
            for element in child.iter():
                if isinstance(element.tag, str) and element.get("id"):
                    names.reserve(element.get("id"))
                    self.ids.add(element.get("id"))
        self.xml = "".join(f"  {serialize([child])}\n" for child in children)


class _FlowIndex:
    """Once for all pools: each pool's members, each node's flows, each scope's contents (a scope
    is an expanded sub-process's id, or ("pool", index) for a process's top level)."""

    def __init__(self, plan: Plan) -> None:
        self.associations_of: dict[str | None, list[Connection]] = {}  # pool (str) or None: the collaboration
        self.pool_members: dict[str | None, list[PlanNode]] = {}
        self.inside: dict = {}
        self.flows_inside: dict = {}
        self.notes_inside: dict[str, list[PlanNode]] = {}
        by_id = plan.by_id
        pool_scope = {lane: ("pool", int(pool)) for lane, pool in plan.pool_of_lane.items()}  # one tuple per pool
        for connection in plan.connections:
            kind = connection.kind
            if kind == "sequenceFlow":
                flow_id = connection.xml_id
                source, target = by_id[connection.source], by_id[connection.target]
                if source.outgoing is None:
                    source.outgoing = [flow_id]
                else:
                    source.outgoing.append(flow_id)
                if target.incoming is None:
                    target.incoming = [flow_id]
                else:
                    target.incoming.append(flow_id)
                scope = source.container if source.container is not None else pool_scope[source.lane]
                self.flows_inside.setdefault(scope, []).append(connection)
            elif kind == "dataInputAssociation":
                target = by_id[connection.target]
                if target.data_in is None:
                    target.data_in = []
                target.data_in.append(connection)
            elif kind == "dataOutputAssociation":
                source = by_id[connection.source]
                if source.data_out is None:
                    source.data_out = []
                source.data_out.append(connection)
            elif kind == "association":
                ends = {plan.pool_of_lane[plan.by_id[end].lane] for end in (connection.source, connection.target)}
                homes = {None if int(end) in plan.black_boxes else end for end in ends}
                self.associations_of.setdefault(next(iter(homes)) if len(homes) == 1 else None, []).append(connection)
        for item in plan.nodes:
            self.pool_members.setdefault(plan.pool_of_lane.get(item.lane), []).append(item)
            if item.tag != "participant" and (item.node is None or item.node.kind is not NodeKind.NOTE):
                scope = item.container if item.container is not None else pool_scope[item.lane]
                self.inside.setdefault(scope, []).append(item)
            elif item.container is not None:
                self.notes_inside.setdefault(item.container, []).append(item)


def _split_data_associations(children: str, before: str) -> tuple[str, str, str]:
    """``children`` followed by the raw content that goes before an activity's data
    associations, and the source's own input and output associations (those that connect an
    ioSpecification's data or a property, which the model holds as no edge)."""
    if "DataInputAssociation" not in before and "DataOutputAssociation" not in before:
        return children + before, "", ""
    parts: dict[str | None, list] = {None: [], "dataInputAssociation": [], "dataOutputAssociation": []}
    for child in fragment_children(before) or []:
        local = model_local(child.tag)
        parts[local if local in parts else None].append(child)
    return (children + serialize(parts[None]), serialize(parts["dataInputAssociation"]),
            serialize(parts["dataOutputAssociation"]))


def _inexact(text: str | None, empty: bool = False) -> str | None:
    """``text`` when BPMN cannot give it back as it is (fz:meta then carries it exactly): it holds
    characters XML cannot, or it is empty where ``empty`` says the place reads as no text at all
    (a title, a pool's name, an annotation's text)."""
    return text if text is not None and (not holds_all(text) or (empty and not text)) else None


def _order(attributes: dict[str, str], native: list[str]) -> str | None:
    """The model's attribute order, when the reader would not restore it by itself (it puts the
    natively written keys first); None when it would, or when a key holds whitespace."""
    keys = list(attributes)
    written = set(native)
    natural = [k for k in native if k in attributes] + [k for k in keys if k not in written]
    if keys == natural or any(" " in k or "\t" in k or "\n" in k for k in keys):
        return None
    return " ".join(keys)


def _report_members_outside(diagram: Diagram, plan, nested: set[str], out: Diagnostics) -> None:
    """A sub-process written as nesting holds what is written inside it: members it cannot hold
    (nodes of another pool, nodes a sequence flow leads out of it) are named."""
    held: dict[str, set[str]] = {}
    for item in plan.nodes:
        if item.container is not None and item.node is not None:
            held.setdefault(item.container, set()).add(item.id)
    for group in diagram.groups:
        if group.kind == GroupKind.SUBPROCESS and group.id in nested:
            inside = held.get(group.id, set())
            outside = [m for m in group.members if m not in inside]
            if outside or len(inside) != len(set(group.members)):
                out.add("CHANGED_GROUP_MEMBERS", f"sub-process {group.id}: {', '.join(outside[:5]) or 'other nodes'}"
                        f"{' …' if len(outside) > 5 else ''} written outside it (BPMN holds there flow nodes of "
                        "its own pool that no sequence flow leads out of)", line=group.line, column=group.column,
                        element=group.id)


def _report_lone_pool_nodes(plan, out: Diagnostics) -> None:
    """A pool standing as a node is written as the pool: it reads back as a node only where a
    message flow ends on it."""
    flown = {end for c in plan.connections if c.kind == "messageFlow" for end in (c.source, c.target)}
    for item in plan.nodes:
        if item.tag == "participant" and item.node is not None and item.id not in flown:
            out.add("DROPPED_NODE", f"node {item.id}: a pool standing as a node, with no message flow, is written as "
                    "its pool alone", line=item.node.line, column=item.node.column, element=item.id)


def write(diagram: Diagram, options: dict[str, str]) -> tuple[str, list[Diagnostic]]:
    """Model → BPMN, in four stages: plan (what to write), names (ids), placement (DI), emit."""
    out = Diagnostics()
    mode = options.get("pools", "auto")
    plan = build(diagram, mode, options.get("structure", "bpmnlint") == "bpmnlint", out)
    names = Names()
    for fixed in ("Definitions_1", "Collaboration_1", "BPMNDiagram_1", "BPMNPlane_1"):
        names.reserve(fixed)
    roots = _RootElements(diagram, names, out)
    # Sub-process groups written as nesting need no BPMN group of their own.
    nested = {item.container for item in plan.nodes if item.container is not None}
    drawn_groups = [g for g in diagram.groups if not (g.kind == GroupKind.SUBPROCESS and g.id in nested)]
    _report_members_outside(diagram, plan, nested, out)
    _report_lone_pool_nodes(plan, out)
    assign(names, diagram, plan, mode, drawn_groups)
    placed = Placement(diagram, plan, nested_lanes=bool(names.parent_band))
    return _Emitter(diagram, options, plan, names, placed, drawn_groups, roots, out).document(), out.items
