"""BPMN 2.0 XML → model.

Real files from any modeller: namespaces are matched by URI (any prefix), every pool becomes its
lanes (a pool without lanes is one lane, a black-box pool an empty lane), every flow node keeps its
exact BPMN type (``bpmn.type`` when it is not the kind's default element), expanded sub-processes
keep their contents (a ``subprocess`` group), boundary events are linked from their host, message
flows and associations are dotted edges, vendor attributes and extensions are kept as attributes.
DI positions give the author's order of pools, lanes and nodes.

A file this converter wrote (``exporter="flowzap-converter"``) is read back exactly: each element's
``fz:meta`` restores what BPMN has no place for, and the elements the writer added for linters
(``synthetic``) are removed again.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import repeat
from operator import itemgetter
from dataclasses import dataclass, field

from lxml import etree

from ..diagnostics import Diagnostic, Diagnostics
from ..model import (
    Diagram,
    Edge,
    EdgeStyle,
    Group,
    GroupKind,
    Lane,
    Node,
    NodeKind,
    Side,
)
from . import extensions, safexml
from .extensions import Meta
from .vocabulary import (
    BPMNDI_NS,
    CONTAINERS,
    DATA,
    DC_NS,
    EVENT_DEFINITIONS,
    FLOW_NODES,
    KIND_ELEMENT,
    KNOWN_PROCESS_CHILDREN,
    MODEL_NS,
    NATIVE_ATTRIBUTES,
    kind_of,
)
from .xmlparts import FEW_ATTRIBUTES, LOCAL_NAMES, attribute_items, model_local, serialize, split, strip_prefix

EXPORTER = "flowzap-converter"
_M = f"{{{MODEL_NS}}}"
_get = etree._Element.get  # element.get without making a bound method each call (hot loops)
# Children of a flow node or flow that the model reads itself (everything else is kept raw).
_CONSUMED_CHILDREN = frozenset({"documentation", "extensionElements", "incoming", "outgoing",
                                "dataInputAssociation", "dataOutputAssociation",
                                # group membership (the model's groups hold it) and engine monitoring
                                "categoryValueRef", "auditing", "monitoring"})
# Raw children that must stay before the data associations when written back (XSD order).
_BEFORE_DATA = frozenset({"ioSpecification", "property", "dataInput", "dataOutput"})
# A process's own children kept raw, in XSD order: those before its lanes and flow elements, and
# those after its artifacts.
_PROCESS_HEAD = frozenset({"supportedInterfaceRef", "ioSpecification", "ioBinding", "property"})
_PROCESS_TAIL = frozenset({"resourceRole", "correlationSubscription", "supports"})
_NODE_ELEMENTS = FLOW_NODES | DATA  # what the model holds as nodes that data may flow from or to
_SHAPE, _BOUNDS = f"{{{BPMNDI_NS}}}BPMNShape", f"{{{DC_NS}}}Bounds"
_CATEGORY_VALUE, _COLLABORATION = f"{_M}categoryValue", f"{_M}collaboration"
_NODE_TAGS = FLOW_NODES | DATA | frozenset({"textAnnotation"})  # what the walk reads as nodes
_KINDS = {local: kind_of(local) for local in _NODE_TAGS}
# node elements that are not the default element of their kind (a serviceTask): bpmn.type says which
_OWN_TYPE = frozenset(local for local, kind in _KINDS.items() if local != KIND_ELEMENT[kind])
# node elements add_node asks more of (special_node)
_SPECIAL_NODES = CONTAINERS | frozenset({"boundaryEvent", "dataObjectReference", "dataStoreReference"})
_FLOW_CONTENT = FLOW_NODES | DATA | frozenset({
    "sequenceFlow", "textAnnotation", "association", "group", "dataObject", "laneSet",
})
# Attributes the model reads itself (no ``bpmn.*`` copy): most attributes of a file, skipped first.
_PLAIN_ATTRIBUTES = frozenset({"id", "name", "sourceRef", "targetRef", "attachedToRef", "processRef"})
# Children of a flow node that nothing reads (a foreign element's local name is None)
_FLOW_REFS = frozenset({"incoming", "outgoing", None})
_NOT_ROOT_ELEMENTS = frozenset({None, "process", "collaboration", "category"})  # root children read elsewhere
_NOT_RAW = _CONSUMED_CHILDREN | _FLOW_CONTENT | {"text"}  # children raw_content does not keep


class _Bands:
    """Horizontal bands (top, bottom, value) of a drawing, found by a y coordinate in O(log n):
    which lane or pool a node drawn at y is in. Bands of a drawing do not overlap; when they do,
    the nearest few above y are tried."""

    NEAREST = 8

    def __init__(self, bands) -> None:
        self.bands = sorted(bands, key=lambda band: band[0])
        self.tops = [band[0] for band in self.bands]

    def at(self, y: float):
        end = bisect_right(self.tops, y)
        for top, bottom, value in reversed(self.bands[max(0, end - self.NEAREST):end]):
            if top <= y <= bottom:
                return value
        return None


@dataclass(slots=True)
class _Pool:
    participant: object | None  # lxml element
    process: object | None
    id: str
    name: str | None
    lanes: list[Lane] = field(default_factory=list)
    lane_of_node: dict[str, str] = field(default_factory=dict)
    bands: list[tuple[float, float, str]] = field(default_factory=list)  # DI (top, bottom, lane id)
    band_index: _Bands | None = None  # made from bands once they are all known


@dataclass(slots=True)
class _Flow:
    element: object
    kind: str  # sequenceFlow, messageFlow, association, attachment, dataInputAssociation, ...
    source: str | None
    target: str | None
    scope: str | None = None
    order: int = 0
    edge_id: str | None = None  # the model edge's id when it is not the element's (a split association)
    # What the edge needs from the element, read while the walk is at it (a large file's elements
    # are then read in the order they lie in memory, not again at the end)
    meta: Meta | None = None
    derived: dict[str, str] | None = None  # native attributes and raw content (sequence and message flows, associations)
    attributes: dict[str, str] | None = None  # the element's own attributes, when the walk listed them


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = Diagnostics()
        self.diagram = Diagram()
        self.ours = False
        self.elements: dict[str, object] = {}
        self.model_elements: list = []  # every element of the BPMN namespace (index), kept alive
        self.bounds: dict[str, tuple[float, float, float, float]] = {}
        self.nodes: dict[str, Node] = {}
        self.node_scope: dict[str, str] = {}
        self.node_pool: dict[str, str] = {}
        self.node_order: dict[str, int] = {}
        self.synthetic: set[str] = set()
        self.flows: list[_Flow] = []
        self.pools: list[_Pool] = []
        self.groups: list[tuple[object, str | None, str | None]] = []  # (element, parent group, lane)
        self.categories: dict[str, str] = {}
        self.participants: dict[str, _Pool] = {}
        self.collaborations: list = []  # lxml elements, in document order
        self.child_lists: dict[object, list] = {}  # process element → its children (process_children)
        self.root_list: list | None = None  # the definitions' children (root_children)
        # (BPMN id, scope, linkEventDefinition) of the nodes with one, in the order they are read
        self.links: list[tuple[str, str, object]] = []
        self.element_id: dict[str, str] = {}  # BPMN id → model id (they differ only when renamed)
        self.diagram_meta: Meta | None = None
        self.expanded: set[str] = set()  # sub-processes the DI draws expanded
        self.note_index: dict[str, int] = {}  # annotations of our own output: their model position
        self.id_numbers: dict[str, int] = {}  # fresh_id's next number per base
        self.subprocess_groups: dict[str, Group] = {}
        self.pool_bands: _Bands | None = None  # pools by their drawn top and bottom
        # nodes by their drawn x centre
        self.centres: tuple[list[float], list[tuple[float, float, int, str]]] | None = None

    # -- entry ---------------------------------------------------------------------------
    def run(self) -> tuple[Diagram, list[Diagnostic]]:
        root = safexml.parse(self.text, self.out)
        if root is None:
            return self.diagram, self.out.items
        if root.tag != f"{_M}definitions":
            ns, local = split(root.tag)
            self.out.add("NOT_BPMN", f"the root element is {local!r} in namespace {ns or 'none'}; BPMN 2.0 "
                         f"files start with <definitions xmlns=\"{MODEL_NS}\">", line=root.sourceline,
                         column=_start_tag_column(self.text, root))
            return self.diagram, self.out.items
        self.ours = root.get("exporter") == EXPORTER
        self.index(root)
        self.read_pools(root)
        for pool in self.pools:
            self.diagram.lanes.extend(pool.lanes)
            if pool.process is not None:
                self.walk(self.process_children(pool.process), pool, pool.process.get("id"), None)
        if self.collaborations:
            self.read_collaborations(root)
        self.read_root_elements(root)
        if self.flows:  # (each step below costs a call and its set-up even with nothing to do)
            self.resolve_flows()
        if self.groups:
            self.read_groups()
        if self.links:
            self.check_links()
        if len(self.diagram.nodes) > 1:
            self.order_nodes()
        if not self.pools:
            self.out.add("NO_PROCESS", "the definitions hold no process and no pool: an empty diagram",
                         line=root.sourceline)
        return self.diagram, self.out.items

    # -- indexes -------------------------------------------------------------------------
    def index(self, root) -> None:
        """The ids of the BPMN model's elements (and their duplicates), DI bounds, category values,
        collaborations. lxml picks the elements of each kind itself, in C (the DI's edges,
        waypoints and labels, often half a file, never become Python objects; a walk in C costs
        less than asking each element its tag in Python)."""
        # Only the model's elements are referred to by id; vendor and fz: elements may say "id" too.
        # The loops are comprehensions and dict(zip()) (in C), not statements per element.
        found = list(root.iter(f"{_M}*"))
        ids = list(map(_get, found, repeat("id")))  # (no bytecode per element)
        # the first element of each id (a reversed dict keeps the earliest); None is no id
        elements = self.elements = dict(zip(reversed(ids), reversed(found)))
        # kept: the walk lists these elements' children again and then finds their Python objects
        # made (lxml makes one per element, the first time it is asked for, and frees it with the last reference)
        self.model_elements = found
        elements.pop(None, None)
        duplicates = []
        if len(elements) + ids.count(None) != len(ids):  # some id is given twice (rare): find which, in order
            seen: set[str] = set()
            for element_id, element in zip(ids, found):
                if element_id is not None:
                    if element_id in seen:
                        duplicates.append(element)
                    seen.add(element_id)
        # category values and collaborations in one walk (making a tag-filtered iterator costs
        # ≈ 7,000 instructions, a few thousand more than the walk itself in most files)
        both = list(root.iter(_CATEGORY_VALUE, _COLLABORATION))
        if both:
            tags = [element.tag for element in both]
            for element, tag in zip(both, tags):
                if tag == _CATEGORY_VALUE:
                    category_id = element.get("id")
                    if category_id:
                        self.categories[category_id] = element.get("value")
            self.collaborations = [element for element, tag in zip(both, tags) if tag == _COLLABORATION]
        self.read_shapes(root)
        for element in duplicates:  # references name the first; the later one gets an id of its own
            old = element.get("id")
            new = self.fresh_id(old, element)
            self.out.add("DUPLICATE_ELEMENT_ID", f"id {old!r} is already used at line {elements[old].sourceline}; "
                         f"this element is read as {new!r}", line=element.sourceline, element=old)

    def read_shapes(self, root) -> None:
        """Each DI shape's bounds (the first shape of an element) and expanded flag. One loop over
        the shapes as lxml yields them: measured against a version that mapped lxml's ``get`` over
        all shapes in C (no bytecode per shape), that one ran 3.4–5.7 M more instructions over a quarter
        of the corpus (the cost is lxml's ``get``, ≈ 1,800 instructions each, not the loop)."""
        bounds, expanded = self.bounds, self.expanded
        for shape in root.iter(_SHAPE):
            target = _get(shape, "bpmnElement")
            if target is None:
                continue
            target = target.strip()  # (strip_prefix, inlined: one call per shape)
            if ":" in target:
                target = target.split(":", 1)[1]
            if _get(shape, "isExpanded") == "true":
                expanded.add(target)
            if target in bounds:
                continue
            # its own Bounds (a label has Bounds of its own, one level down): the first child in
            # every modeller's output (indexing costs less than an iterator), else the first of its kind
            box = shape[0] if len(shape) else None
            if box is not None and box.tag != _BOUNDS:
                box = next((child for child in shape if child.tag == _BOUNDS), None)
            if box is not None:
                try:
                    bounds[target] = (float(_get(box, "x", "0")), float(_get(box, "y", "0")),
                                      float(_get(box, "width", "0")), float(_get(box, "height", "0")))
                except ValueError:
                    self.out.add("INVALID_DI", f"DI bounds of {target!r} are not numbers; ignored",
                                 line=box.sourceline, element=target)

    def fresh_id(self, base: str, element=None) -> str:
        """An id no element of the document has, given to ``element`` when there is one (numbered
        per base, so n elements with one id cost O(n))."""
        number = self.id_numbers.get(base, 2)
        while f"{base}_{number}" in self.elements:
            number += 1
        self.id_numbers[base] = number + 1
        new = f"{base}_{number}"
        if element is not None:
            element.set("id", new)
        self.elements[new] = element
        return new

    def process_children(self, process) -> list[tuple[str | None, object]]:
        """A process's children, listed once for all who ask (its attributes, its lanes, the walk
        over its flow elements)."""
        children = self.child_lists.get(process)
        if children is None:
            children = self.child_lists[process] = _children(process)
        return children

    def root_children(self, root) -> list[tuple[str | None, object]]:
        """The definitions' children, listed once for the processes and the root elements (no
        tag-filtered iterator: making one costs more than listing a few children)."""
        if self.root_list is None:
            self.root_list = _children(root)
        return self.root_list

    def meta(self, element, first: dict | None = None) -> Meta | None:
        """The element's fz:meta (``first``: ``_firsts`` of its children, when known)."""
        if first is None:
            first = _firsts(_children(element))
        found = extensions.decode(first.get("extensionElements"))
        if found is None and self.ours:
            return Meta()
        return found

    # -- pools and lanes -----------------------------------------------------------------
    def read_pools(self, root) -> None:
        processes = [child for local, child in self.root_children(root) if local == "process"]
        referenced: set[str] = set()
        pools: list[_Pool] = []
        for collaboration in self.collaborations:
            if self.diagram.title is None and collaboration.get("name"):
                self.diagram.title = collaboration.get("name")
            meta = extensions.decode(next(collaboration.iterchildren(f"{_M}extensionElements"), None))
            if meta is not None:
                self.apply_diagram_meta(meta)
            for participant in collaboration.iter(f"{_M}participant"):
                process = None
                ref = strip_prefix(participant.get("processRef"))
                if ref:
                    process = self.elements.get(ref)
                    if process is None or process.tag != f"{_M}process":
                        self.out.add("UNRESOLVED_REFERENCE", f"participant {participant.get('id')!r} refers to "
                                     f"process {ref!r}, which does not exist: read as a black-box pool",
                                     line=participant.sourceline, element=participant.get("id"))
                        process = None
                    elif ref in referenced:  # (a collaboration copied twice): the process is read once
                        self.out.add("PROCESS_IN_TWO_POOLS", f"participant {participant.get('id')!r} refers to "
                                     f"process {ref!r}, which an earlier participant holds: read as a black-box pool",
                                     line=participant.sourceline, element=participant.get("id"))
                        process = None
                    else:
                        referenced.add(ref)
                pool = _Pool(participant, process, participant.get("id") or f"Participant_{len(pools) + 1}",
                             participant.get("name") or (process.get("name") if process is not None else None))
                pools.append(pool)
                self.participants[pool.id] = pool
        for process in processes:
            if process.get("id") not in referenced:
                pools.append(_Pool(None, process, process.get("id") or f"Process_{len(pools) + 1}", process.get("name")))
        if not self.ours and len(pools) > 1:  # the author's order: pools top to bottom as drawn
            position = {id(p): i for i, p in enumerate(pools)}
            pools.sort(key=lambda p: (self.bounds.get(p.id, (0, float("inf")))[1], position[id(p)]))
        self.pools = pools
        if self.diagram.title is None and len(pools) == 1 and pools[0].process is not None:
            self.diagram.title = pools[0].process.get("name") if pools[0].participant is None else None
        for pool in pools:
            self.read_lanes(pool, several=len(pools) > 1)

    def read_root_elements(self, root) -> None:
        """Messages, errors, signals, escalations, data stores, item definitions…: what event
        definitions and tasks refer to. Kept whole (``bpmn.rootElements``) and written back."""
        kept = [child for local, child in self.root_children(root) if local not in _NOT_ROOT_ELEMENTS]
        native = (self.diagram_meta.get("native") or "").split() if self.diagram_meta is not None else None
        if kept and (native is None or "bpmn.rootElements" in native):
            self.diagram.attributes["bpmn.rootElements"] = serialize(kept)

    def apply_diagram_meta(self, meta: Meta) -> None:
        self.diagram_meta = meta
        if meta.get("direction"):
            self.diagram.direction = meta.get("direction")
        if meta.get("noTitle") == "true":
            self.diagram.title = None
        elif meta.get("title") is not None:
            self.diagram.title = meta.get("title")
        self.diagram.attributes.update(meta.attributes)

    def read_lanes(self, pool: _Pool, several: bool) -> None:
        leaves: list[tuple[object, object | None]] = []  # (lane element, parent lane element)
        if pool.process is not None:
            for local, lane_set in self.process_children(pool.process):
                if local == "laneSet":
                    self.collect_leaves(lane_set, None, leaves)
        if not self.ours and len(leaves) > 1:
            position = {id(lane): i for i, (lane, _) in enumerate(leaves)}
            leaves.sort(key=lambda item: (self.bounds.get(item[0].get("id"), (0, float("inf")))[1],
                                          position[id(item[0])]))
        for element, parent in leaves:
            children = _children(element)  # (once for its fz:meta, documentation and flowNodeRefs)
            first = _firsts(children)
            meta = self.meta(element, first)
            lane_id = element.get("id")
            model_id = (meta.get("id") if meta else None) or lane_id
            lane = Lane(model_id, element.get("name"), line=element.sourceline)
            self.element_id[lane_id] = model_id
            if meta is not None:
                lane.attributes.update(meta.attributes)
                if meta.get("noLabel") == "true":
                    lane.label = None
                elif meta.get("label") is not None:
                    lane.label = meta.get("label")
            else:
                self.native_attributes(element, lane.attributes, first)
                if parent is not None:
                    lane.attributes["bpmn.parentLane"] = parent.get("id")
                    if parent.get("name"):
                        lane.attributes["bpmn.parentLaneName"] = parent.get("name")
                if several:
                    self.pool_attributes(pool, lane.attributes)
                elif len(leaves) == 1:  # one lane in one pool: its pool says it is a lane, not the pool
                    lane.attributes["bpmn.process"] = pool.process.get("id") or pool.id
            pool.lanes.append(lane)
            box = self.bounds.get(lane_id)
            if box:
                pool.bands.append((box[1], box[1] + box[3], model_id))
            for ref in (child for local, child in children if local == "flowNodeRef"):
                node_id = (ref.text or "").strip()
                if node_id not in self.elements:
                    self.out.add("UNRESOLVED_REFERENCE", f"lane {lane_id!r} lists node {node_id!r}, which does not "
                                 "exist", line=ref.sourceline, element=lane_id)
                elif node_id in pool.lane_of_node:
                    self.out.add("NODE_IN_TWO_LANES", f"node {node_id!r} is in two lanes: "
                                 f"{pool.lane_of_node[node_id]!r} and {model_id!r}; kept in the first",
                                 line=ref.sourceline, element=node_id)
                else:
                    pool.lane_of_node[node_id] = model_id
        if not pool.lanes:  # a pool without lanes (or a black-box pool) is one lane
            element = pool.participant if pool.participant is not None else pool.process
            meta = None
            if element is not None:
                meta = self.meta(element, _firsts(self.process_children(element)) if element is pool.process else None)
            model_id = (meta.get("id") if meta else None) or pool.id
            lane = Lane(model_id, pool.name, line=element.sourceline if element is not None else None)
            self.element_id[pool.id] = model_id
            if meta is not None:
                lane.attributes.update(meta.attributes)
                if meta.get("noLabel") == "true":
                    lane.label = None
                elif meta.get("label") is not None:
                    lane.label = meta.get("label")
            elif several:
                self.pool_attributes(pool, lane.attributes)
                if pool.process is None:
                    lane.attributes["bpmn.blackBox"] = "true"
            pool.lanes.append(lane)
        if not self.ours and not several:
            if pool.participant is not None and pool.name and leaves:
                self.diagram.attributes.setdefault("bpmn.poolName", pool.name)
            if pool.process is not None and pool.process.get("isExecutable"):
                self.diagram.attributes["bpmn.isExecutable"] = pool.process.get("isExecutable")
            self.diagram.attributes.update(self.process_attributes(pool))

    def pool_attributes(self, pool: _Pool, attributes: dict[str, str]) -> None:
        if pool.participant is not None:
            attributes["bpmn.participant"] = pool.id
            if pool.name:
                attributes["bpmn.poolName"] = pool.name
        if pool.process is not None:
            attributes["bpmn.process"] = pool.process.get("id")
            if pool.process.get("isExecutable"):
                attributes["bpmn.isExecutable"] = pool.process.get("isExecutable")
            if not pool.lanes:  # the pool's first lane carries what its process says
                attributes.update(self.process_attributes(pool))

    def process_attributes(self, pool: _Pool) -> dict[str, str]:
        """A process's vendor attributes, documentation and extension elements (Camunda's
        history time to live, Zeebe's version tag, …), as ``bpmn.process:<key>``."""
        found: dict[str, str] = {}
        if pool.process is not None:
            children = self.process_children(pool.process)
            self.native_attributes(pool.process, found, _firsts(children))
            # its data inputs and outputs, properties, resources: what data associations refer to
            before = [c for local, c in children if local in _PROCESS_HEAD]
            after = [c for local, c in children if local in _PROCESS_TAIL]
            if before:
                found["bpmn.content"] = serialize(before)
            if after:
                found["bpmn.contentTail"] = serialize(after)
        found.pop("bpmn.isExecutable", None)
        return {f"bpmn.process:{key}": value for key, value in found.items()}

    def collect_leaves(self, lane_set, parent, leaves: list) -> None:
        for lane in lane_set.iterchildren(f"{_M}lane"):
            children = next(lane.iterchildren(f"{_M}childLaneSet"), None)
            if children is not None and next(children.iterchildren(f"{_M}lane"), None) is not None:
                self.collect_leaves(children, lane, leaves)
            else:
                leaves.append((lane, parent))

    # -- flow elements -------------------------------------------------------------------
    def walk(self, children: list, pool: _Pool, scope: str, group: str | None, lane_hint: str | None = None) -> None:
        """The flow elements among ``children`` (``_children`` of a process or sub-process)."""
        for local, child in children:
            if local is None:
                continue
            if local in _NODE_TAGS:
                node = self.add_node(child, local, pool, scope, group, lane_hint)
                if node is not None and local in CONTAINERS:
                    inner = self.child_lists.pop(child, None) or _children(child)
                    if not any(name in FLOW_NODES for name, _ in inner):
                        continue
                    contents = Group(node.id, GroupKind.SUBPROCESS, node.label, [], node.lane, group,
                                     line=child.sourceline)
                    self.diagram.groups.append(contents)
                    self.subprocess_groups[node.id] = contents
                    self.walk(inner, pool, child.get("id"), node.id, node.lane)
            elif local == "sequenceFlow" or local == "association":
                self.add_flow(child, local, scope)
            elif local == "group":
                self.groups.append((child, group, lane_hint))
            elif local not in KNOWN_PROCESS_CHILDREN and local not in _FLOW_CONTENT:
                self.out.add("UNKNOWN_BPMN_ELEMENT", f"<{local}> is not a BPMN 2.0 element; left out",
                             line=child.sourceline, element=child.get("id"))

    def add_flow(self, element, kind: str, scope: str | None) -> None:
        """A sequence flow, message flow or association: an edge once its ends are known."""
        items = element.items() if len(element.attrib) <= FEW_ATTRIBUTES else attribute_items(element)  # (inlined)
        attributes = dict(items)
        flow = _Flow(element, kind, strip_prefix(attributes.get("sourceRef")), strip_prefix(attributes.get("targetRef")),
                     scope, len(self.flows), attributes=attributes)
        self.flows.append(flow)
        if not len(element):  # the common case: no children, hence no fz:meta and no raw content
            if self.ours:
                flow.meta = Meta()
            flow.derived = derived = {}
            if not attributes.keys() <= _PLAIN_ATTRIBUTES:
                _native_attributes(items, derived)
            return
        children = _children(element)
        first = _firsts(children)
        extension = first.get("extensionElements")  # (self.meta, inlined: once per flow)
        flow.meta = extensions.decode(extension) if extension is not None else None
        if flow.meta is None and self.ours:
            flow.meta = Meta()
        if flow.meta is None or not flow.meta.synthetic:
            flow.derived = derived = {}
            if not attributes.keys() <= _PLAIN_ATTRIBUTES:
                _native_attributes(items, derived)
            self.child_attributes(first, derived)
            self.raw_content(element, derived, children=children)

    def read_data_associations(self, element_id: str, children: list, scope: str) -> set:
        """The data associations of an activity or event whose data ends are data objects or
        stores (nodes) become edges; those that connect a data input or output of an
        ``ioSpecification``, or a ``property``, are no edge of the model: they are returned, to be
        kept raw with their element's content. A reference to nothing is a warning."""
        keep = set()
        for local, association in children:
            if local not in ("dataInputAssociation", "dataOutputAssociation"):
                continue
            if local == "dataInputAssociation":
                ends = [strip_prefix(r.text) for r in association.findall(f"{_M}sourceRef")]
            else:
                target = association.find(f"{_M}targetRef")
                ends = [strip_prefix(target.text)] if target is not None else []
            missing = [end for end in ends if end not in self.elements]
            for end in missing:
                self.out.add("UNRESOLVED_REFERENCE", f"{local} {association.get('id')!r} of {element_id!r} refers to "
                             f"{end!r}, which does not exist; left out", line=association.sourceline,
                             element=association.get("id"))
            present = [end for end in ends if end not in missing]
            if not present or not all(model_local(self.elements[end].tag) in _NODE_ELEMENTS for end in present):
                if not missing:
                    keep.add(association)
                continue
            if len(present) > 1:
                self.out.add("SPLIT_DATA_ASSOCIATION", f"{local} {association.get('id')!r} has {len(present)} "
                             "sources; read as one edge from each", line=association.sourceline,
                             element=association.get("id"))
            for k, end in enumerate(present):
                source, target = (end, element_id) if local == "dataInputAssociation" else (element_id, end)
                flow = _Flow(association, local, source, target, scope, len(self.flows))
                flow.meta = self.meta(association)
                if k:
                    flow.edge_id = self.fresh_id(association.get("id") or "DataAssociation")
                self.flows.append(flow)
        return keep

    def add_node(self, element, local: str, pool: _Pool, scope: str, group: str | None,
                 lane_hint: str | None) -> Node | None:
        # listed once (lxml's get costs about as much as this for all); attribute_items, inlined
        items = element.items() if len(element.attrib) <= FEW_ATTRIBUTES else attribute_items(element)
        attributes = dict(items)
        bpmn_id = attributes.get("id")
        if not bpmn_id:
            bpmn_id = self.fresh_id(local, element)
            self.out.add("MISSING_ELEMENT_ID", f"a <{local}> without an id; read as {bpmn_id!r}",
                         line=element.sourceline, element=bpmn_id)
        if self.elements.get(bpmn_id) is not element:
            return None  # a duplicate id, already reported
        try:  # each child's local name, one dict lookup each (_children's first half, inlined)
            names = [LOCAL_NAMES[child.tag] for child in element]
        except (KeyError, TypeError):
            names = [model_local(child.tag) for child in element]
        # Most nodes hold only their incoming and outgoing references, which nothing below reads:
        # no fz:meta, link, documentation, extension, data association or raw content to look for,
        # and no list of (name, child) pairs to make.
        plain = _FLOW_REFS.issuperset(names)
        if plain and local not in CONTAINERS:
            children = first = None
        else:
            children = list(zip(names, element))
            if local in CONTAINERS:
                self.child_lists[element] = children  # the walk goes on into them
            first = _firsts(children)
        if plain:
            meta = Meta() if self.ours else None
        else:
            extension = first.get("extensionElements")  # (self.meta, inlined: once per node)
            meta = extensions.decode(extension) if extension is not None else None
            if meta is None and self.ours:
                meta = Meta()
            link = first.get("linkEventDefinition")
            if link is not None:
                self.links.append((bpmn_id, scope, link))
            if meta is not None and meta.synthetic:
                self.synthetic.add(bpmn_id)
                self.node_scope[bpmn_id] = scope
                self.node_pool[bpmn_id] = pool.id
                return None
        kind, label, shape, model_id = _KINDS[local], attributes.get("name"), local, bpmn_id
        if local == "textAnnotation":
            text = None if plain else first.get("text")
            label = text.text if text is not None else None
        if meta is None:
            derived: dict[str, str] = {"bpmn.type": local} if local in _OWN_TYPE else {}
        else:  # what BPMN could not say, or XML could not hold as it is
            if meta.get("kind"):
                kind = self.meta_value(NodeKind, meta.get("kind"), kind, element)
            shape = None if meta.get("noShape") == "true" else meta.get("shape", local)
            if meta.get("noLabel") == "true":
                label = None
            elif meta.get("label") is not None:
                label = meta.get("label")
            model_id = meta.get("id") or bpmn_id
            derived = {"bpmn.type": local} if local != KIND_ELEMENT[kind] else {}
        self.element_id[bpmn_id] = model_id
        if not attributes.keys() <= _PLAIN_ATTRIBUTES:
            _native_attributes(items, derived)
        if not plain:
            self.child_attributes(first, derived)
            raw = self.read_data_associations(bpmn_id, children, scope) if local in FLOW_NODES and (
                "dataInputAssociation" in first or "dataOutputAssociation" in first) else set()
            definitions = self.raw_content(element, derived, raw, children)
            if definitions:
                derived["bpmn.eventDefinition"] = ",".join(d[: -len("EventDefinition")] for d in definitions)
        if local in _SPECIAL_NODES:
            self.special_node(element, local, bpmn_id, attributes, meta, scope, derived)
        if meta is not None:
            derived = self.choose_attributes(derived, meta)
            if (meta.get("index") or "").isdecimal():
                self.note_index[model_id] = int(meta.get("index"))
        lane = pool.lane_of_node.get(bpmn_id)  # (the common case of lane_for, without a call)
        if lane is None:  # (lane_for's next two cases, inlined)
            if lane_hint is not None:
                lane = lane_hint
            elif len(pool.lanes) == 1:
                lane = pool.lanes[0].id
            else:
                lane = self.lane_for(bpmn_id, pool, lane_hint, local, element)
        node = Node(model_id, lane, kind, label, shape, derived, element.sourceline)
        self.nodes[model_id] = node
        self.node_scope[bpmn_id] = scope
        self.node_pool[bpmn_id] = pool.id
        self.node_order[model_id] = len(self.node_order)
        self.diagram.nodes.append(node)
        if group is not None:
            self.subprocess_groups[group].members.append(model_id)
        return node

    def special_node(self, element, local: str, bpmn_id: str, attributes: dict, meta: Meta | None, scope: str,
                     derived: dict[str, str]) -> None:
        """What a boundary event, a sub-process or a data reference says beyond other nodes."""
        if local == "boundaryEvent":
            derived["bpmn.attachedTo"] = strip_prefix(attributes.get("attachedToRef")) or ""
            index = meta.get("attachmentIndex") if meta is not None else None
            self.flows.append(_Flow(element, "attachment", derived["bpmn.attachedTo"], bpmn_id, scope,
                                    int(index) if index and index.isdecimal() else len(self.flows) + 10**9))
        if local in CONTAINERS and bpmn_id in self.expanded:
            derived["bpmn.isExpanded"] = "true"
        if local == "dataObjectReference" and attributes.get("dataObjectRef"):
            derived["bpmn.dataObjectRef"] = attributes["dataObjectRef"]
        if local == "dataStoreReference" and attributes.get("dataStoreRef"):
            derived["bpmn.dataStoreRef"] = attributes["dataStoreRef"]

    def meta_value(self, kind, value: str | None, default, element):
        """``value`` as the enum ``kind``; ``default`` (with a warning) when fz:meta says what this
        converter never writes (a file edited by hand, or by a tool that does not know fz:)."""
        if value is None:
            return default
        try:
            return kind(value)
        except ValueError:
            self.out.add("INVALID_FZ_META", f"fz:meta says {value!r}, which is not a {kind.__name__}; ignored",
                         line=element.sourceline, element=element.get("id"))
            return default

    def choose_attributes(self, derived: dict[str, str], meta: Meta | None) -> dict[str, str]:
        """All that was read from the element, or, for this converter's own output, exactly the
        keys the writer expressed natively plus those it kept in ``fz:meta``."""
        if meta is None:
            return derived
        native = (meta.get("native") or "").split()
        result = {key: derived[key] for key in native if key in derived}
        result.update(meta.attributes)
        order = (meta.get("order") or "").split()
        if order and set(order) == set(result):
            result = {key: result[key] for key in order}
        return result

    def native_attributes(self, element, into: dict[str, str], first: dict | None = None,
                          items: list[tuple[str, str]] | None = None) -> None:
        _native_attributes(attribute_items(element) if items is None else items, into)
        self.child_attributes(_firsts(_children(element)) if first is None else first, into)

    @staticmethod
    def child_attributes(first: dict, into: dict[str, str]) -> None:
        """Documentation and vendor extension elements (``first``: ``_firsts`` of the children)."""
        documentation = first.get("documentation")
        if documentation is not None and documentation.text and documentation.text.strip():
            into["description"] = documentation.text.strip()
        extension = first.get("extensionElements")
        if extension is not None:
            vendor = [c for c in extension if isinstance(c.tag, str) and c.tag != extensions.META]
            if vendor:
                into["bpmn.extensionElements"] = serialize(vendor)

    def raw_content(self, element, into: dict[str, str], associations: set = frozenset(),
                    children: list | None = None) -> list[str]:
        """Children the model has no place for, kept as XML text (with ``associations``, the data
        associations that are no edge); returns the event definitions among them (local names)."""
        before, after, definitions = [], [], []
        # bpmn-js' placeholder property is the target of the data inputs the model holds as edges
        # (the writer makes its own); one that a kept association names stays.
        targets = {strip_prefix(t.text) for a in associations for t in a.iterfind(f"{_M}targetRef")} \
            if associations else ()
        if children is None:
            children = _children(element)
        for local, child in children:
            if associations and child in associations:
                before.append(child)
                continue
            if local is None or local in _NOT_RAW:
                continue
            if local in EVENT_DEFINITIONS:
                definitions.append(local)
            if local == "potentialOwner" and "owner" not in into:
                owner = _owner(child)
                if owner is not None:  # a FlowZap taskbox's owner, as BPMN says it
                    into["owner"] = owner
                    continue
            if local == "property" and child.get("name") == "__targetRef_placeholder" and \
                    child.get("id") not in targets:
                continue  # bpmn-js' target of a data input association: rewritten with it
            (before if local in _BEFORE_DATA else after).append(child)
        if before:
            into["bpmn.content"] = serialize(before)
        if after:
            into["bpmn.contentTail"] = serialize(after)
        return definitions

    def lane_for(self, bpmn_id: str, pool: _Pool, lane_hint: str | None, local: str, element) -> str:
        lane = pool.lane_of_node.get(bpmn_id)
        if lane is not None:
            return lane
        if lane_hint is not None:
            return lane_hint
        if len(pool.lanes) == 1:
            return pool.lanes[0].id
        box = self.bounds.get(bpmn_id)
        if box is not None:
            if pool.band_index is None:
                pool.band_index = _Bands(pool.bands)
            lane_id = pool.band_index.at(box[1] + box[3] / 2)
            if lane_id is not None:
                return lane_id
        if local in FLOW_NODES:
            self.out.add("NODE_WITHOUT_LANE", f"{local} {bpmn_id!r} is in no lane of its pool; placed in "
                         f"lane {pool.lanes[0].id!r}", line=element.sourceline, element=bpmn_id)
        return pool.lanes[0].id

    # -- collaborations: message flows and artifacts ---------------------------------------
    def read_collaborations(self, root) -> None:
        for collaboration in self.collaborations:
            first_lane = self.pools[0].lanes[0].id if self.pools and self.pools[0].lanes else None
            for child in collaboration:
                local = model_local(child.tag)
                if local == "messageFlow" or local == "association":
                    self.add_flow(child, local, None)
                elif local == "textAnnotation" and first_lane is not None:
                    pool = self.pool_at(child.get("id")) or self.pools[0]
                    self.add_node(child, local, pool, pool.id, None, None)
                elif local == "group":
                    self.groups.append((child, None, None))

    def pool_at(self, element_id: str | None) -> _Pool | None:
        box = self.bounds.get(element_id or "")
        if box is None:
            return None
        if self.pool_bands is None:
            drawn = ((self.bounds[p.id], p) for p in self.pools if p.id in self.bounds)
            self.pool_bands = _Bands([(b[1], b[1] + b[3], pool) for b, pool in drawn])
        return self.pool_bands.at(box[1] + box[3] / 2)

    def resolve_flows(self) -> None:
        """Flows become edges once every node is known; ends are checked here, with the line of
        the flow, and ends the writer added (synthetic gateways and events) are bridged."""
        entering: dict[str, str] = {}  # synthetic node → the source of the flow into it
        leaving: dict[str, str] = {}  # synthetic node → the target of the flow out of it
        kept: list[_Flow] = []
        for flow in self.flows:
            meta = flow.meta
            if meta is not None and meta.synthetic:
                if flow.target in self.synthetic:
                    entering[flow.target] = flow.source
                if flow.source in self.synthetic:
                    leaving[flow.source] = flow.target
                continue
            kept.append(flow)

        def through(end: str, table: dict[str, str], seen: int = 0) -> str:
            while end in self.synthetic and end in table and seen < 64:
                end, seen = table[end], seen + 1
            return end

        indexed: list[tuple[float, Edge]] = []
        element_id, bridged = self.element_id, bool(self.synthetic)
        scopes, pools, elements = self.node_scope, self.node_pool, self.elements
        for flow in kept:
            meta, source, target, kind = flow.meta, flow.source, flow.target, flow.kind
            # check_ends' common case first, without a call: both ends are nodes of one scope
            if not (source and target and source in scopes and target in scopes and source in elements and
                    target in elements and (kind != "sequenceFlow" or (
                        pools[source] == pools[target] and scopes[source] == scopes[target] == flow.scope))) and \
                    not self.check_ends(flow):
                continue
            if bridged:
                source, target = through(source, entering), through(target, leaving)
            source, target = element_id.get(source, flow.source), element_id.get(target, flow.target)
            if meta is None and kind != "attachment":  # (make_edge's common case, inlined)
                derived = flow.derived if flow.derived is not None else {"bpmn.type": kind}
                style = EdgeStyle.SOLID
                if kind != "sequenceFlow":
                    derived["bpmn.type"] = kind
                    style = EdgeStyle.DOTTED
                own = flow.attributes
                if own is None:
                    own = {"name": flow.element.get("name"), "id": flow.element.get("id")}
                indexed.append((1e10 + flow.order, Edge(source, target, own.get("name"), None, None, style,
                                                        flow.edge_id or own.get("id"), derived, flow.element.sourceline)))
                continue
            edge = self.make_edge(flow, meta, source, target)
            if edge is None:
                continue
            if meta is not None and (meta.get("index") or "").isdecimal():
                order = float(meta.get("index"))
            elif kind == "attachment" and flow.order < 10**9:
                order = float(flow.order)  # the boundary event's fz:meta remembers its edge's place
            else:
                order = 1e10 + flow.order
            indexed.append((order, edge))
        indexed.sort(key=itemgetter(0))
        self.diagram.edges.extend(edge for _, edge in indexed)

    def check_ends(self, flow: _Flow) -> bool:
        """Whether the flow becomes an edge. A fault a modeller's export may hold is a warning
        with the flow's line: an end that does not exist or is no node (the flow is left out), a
        sequence flow across pools or out of its sub-process (read as an edge all the same)."""
        source, target, scopes = flow.source, flow.target, self.node_scope
        if source and target and source in scopes and target in scopes and source in self.elements and \
                target in self.elements and (flow.kind != "sequenceFlow" or (
                    self.node_pool[source] == self.node_pool[target] and scopes[source] == scopes[target] == flow.scope)):
            return True  # the common case, without building the texts of warnings that are not given
        element = flow.element
        flow_id = element.get("id") if flow.kind != "attachment" else None
        what = f"{flow.kind} {flow_id!r}" if flow_id else flow.kind
        for role, end in (("source", flow.source), ("target", flow.target)):
            if not end or end not in self.elements:
                if flow.kind == "attachment":
                    self.out.add("UNRESOLVED_REFERENCE", f"boundary event {flow.target!r} is attached to {end!r}, "
                                 "which does not exist; read without its host", line=element.sourceline,
                                 element=flow.target)
                else:
                    self.out.add("UNRESOLVED_REFERENCE", f"{what}: its {role} {end!r} does not exist; the flow "
                                 "is left out", line=element.sourceline, element=flow_id)
                return False
        if flow.kind == "messageFlow":
            for end in (flow.source, flow.target):
                if end in self.participants and end not in self.node_scope:
                    self.pool_node(end, what, element)
        known = [end in self.node_scope for end in (flow.source, flow.target)]
        if not all(known):
            if flow.kind in ("association",):
                self.out.add("ARTIFACT_DROPPED", f"{what} connects an element that is no node "
                             f"({flow.source} → {flow.target}); not kept", line=element.sourceline, element=flow_id)
            elif flow.kind == "attachment":
                self.out.add("UNRESOLVED_REFERENCE", f"boundary event {flow.target!r} is attached to "
                             f"{flow.source!r}, which is not an activity; read without its host",
                             line=element.sourceline, element=flow.target)
            else:
                self.out.add("UNRESOLVED_REFERENCE", f"{what} connects {flow.source!r} → {flow.target!r}, "
                             "which are not both flow nodes; the flow is left out", line=element.sourceline,
                             element=flow_id)
            return False
        if flow.kind == "sequenceFlow":
            source_pool, target_pool = self.node_pool[flow.source], self.node_pool[flow.target]
            if source_pool != target_pool:
                self.out.add("SEQUENCE_FLOW_ACROSS_POOLS", f"{what} goes from pool {source_pool!r} to pool "
                             f"{target_pool!r}, where only message flows may cross; read as an edge",
                             line=element.sourceline, element=flow_id)
            elif not (self.node_scope[flow.source] == self.node_scope[flow.target] == flow.scope):
                self.out.add("SEQUENCE_FLOW_ACROSS_SCOPES", f"{what} leaves its (sub-)process: {flow.source!r} is "
                             f"in {self.node_scope[flow.source]!r}, {flow.target!r} in "
                             f"{self.node_scope[flow.target]!r}; read as an edge", line=element.sourceline,
                             element=flow_id)
        return True

    def pool_node(self, participant_id: str, what: str, flow_element) -> None:
        """A message flow that ends on a pool (often a black box: "Customer"): the pool stands as a
        node of its lane, so the flow is an edge like any other (``bpmn.type=participant``; the
        writer draws the flow to the pool again)."""
        pool = self.participants[participant_id]
        node = Node(participant_id, pool.lanes[0].id, NodeKind.TASK, pool.name, "participant",
                    {"bpmn.type": "participant"}, line=pool.participant.sourceline)
        self.out.add("MESSAGE_FLOW_TO_POOL", f"{what} ends on pool {participant_id!r}: the pool stands as a node "
                     "of its lane", line=flow_element.sourceline, element=participant_id)
        self.element_id[participant_id] = participant_id
        self.nodes[participant_id] = node
        link = self.elements[participant_id].find(f"{_M}linkEventDefinition")
        if link is not None:
            self.links.append((participant_id, pool.id, link))
        self.node_scope[participant_id] = pool.id
        self.node_pool[participant_id] = pool.id
        self.node_order[participant_id] = len(self.node_order)
        self.diagram.nodes.append(node)

    def make_edge(self, flow: _Flow, meta: Meta | None, source: str, target: str) -> Edge | None:
        element = flow.element
        if flow.kind == "attachment":
            return Edge(source, target, None, style=EdgeStyle.DOTTED, attributes={"bpmn.type": "attachment"},
                        line=element.sourceline)
        derived: dict[str, str] = flow.derived if flow.derived is not None else {"bpmn.type": flow.kind}
        style = EdgeStyle.SOLID
        if flow.kind != "sequenceFlow":
            derived["bpmn.type"] = flow.kind
            style = EdgeStyle.DOTTED
        own = flow.attributes  # (listed by add_flow: no lxml call; ids do not change after the index)
        if own is None:
            own = {"name": element.get("name"), "id": element.get("id")}
        edge = Edge(source, target, own.get("name"), id=flow.edge_id or own.get("id"), style=style,
                    line=element.sourceline)
        if meta is not None:
            edge.style = self.meta_value(EdgeStyle, meta.get("style", "solid"), EdgeStyle.SOLID, element)
            edge.source_side = self.meta_value(Side, meta.get("sourceSide"), None, element)
            edge.target_side = self.meta_value(Side, meta.get("targetSide"), None, element)
            if meta.get("noId") == "true":
                edge.id = None
            elif meta.get("id"):
                edge.id = meta.get("id")
        edge.attributes = self.choose_attributes(derived, meta)
        if meta is not None and meta.get("label") is not None:
            edge.label = meta.get("label")
        return edge

    # -- groups, links, order ------------------------------------------------------------
    def read_groups(self) -> None:
        for element, parent, _lane in self.groups:
            meta = self.meta(element)
            label = self.categories.get(strip_prefix(element.get("categoryValueRef")) or "")
            group = Group((meta.get("id") if meta else None) or element.get("id") or f"Group_{len(self.diagram.groups) + 1}",
                          GroupKind.GROUP, label, line=element.sourceline)
            if meta is not None:
                group.kind = GroupKind.parse(meta.get("groupKind", "group")) or GroupKind.GROUP
                # written as BPMN ids (model ids may hold spaces); older files wrote model ids
                members = (self.element_id.get(m, m) for m in (meta.get("members") or "").split())
                group.members = [m for m in members if m in self.nodes]
                group.lane = meta.get("lane")
                group.parent = meta.get("parent")
                if meta.get("noLabel") == "true":
                    group.label = None
                elif meta.get("label") is not None:
                    group.label = meta.get("label")
                group.attributes = dict(meta.attributes)
            else:
                group.parent = parent
                group.members = self.nodes_inside(element.get("id"))
            self.diagram.groups.append(group)

    def nodes_inside(self, element_id: str | None) -> list[str]:
        """The nodes whose drawn centre is inside the drawn box of ``element_id`` (a BPMN group
        holds what it is drawn around), in document order; by x first, so that n groups over n
        nodes do not cost n² when each frames a few."""
        box = self.bounds.get(element_id or "")
        if box is None:
            return []
        if self.centres is None:
            found = []
            for order, (bpmn_id, model_id) in enumerate(self.element_id.items()):
                node_box = self.bounds.get(bpmn_id)
                if model_id in self.nodes and node_box is not None:
                    found.append((node_box[0] + node_box[2] / 2, node_box[1] + node_box[3] / 2, order, model_id))
            found.sort(key=lambda centre: centre[0])
            self.centres = ([centre[0] for centre in found], found)
        xs, centres = self.centres
        x, y, w, h = box
        inside = [c for c in centres[bisect_left(xs, x):bisect_right(xs, x + w)] if y <= c[1] <= y + h]
        return [c[3] for c in sorted(inside, key=lambda c: c[2])]

    def check_links(self) -> None:
        catches: dict[tuple[str, str], list[Node]] = {}
        throws: list[tuple[Node, str]] = []
        for bpmn_id, scope, link in self.links:
            element = self.elements[bpmn_id]
            if bpmn_id not in self.element_id:
                continue
            name = link.get("name") or element.get("name") or ""
            node = self.nodes[self.element_id[bpmn_id]]
            if element.tag == f"{_M}intermediateCatchEvent":
                catches.setdefault((scope, name), []).append(node)
            else:
                throws.append((node, scope))
        for (_scope, name), nodes in catches.items():
            if len(nodes) > 1:
                self.out.add("LINK_CATCH_AMBIGUOUS", f"link {name!r} has {len(nodes)} catch events in one "
                             f"scope ({', '.join(n.id for n in nodes)}): a throw cannot tell which it goes to",
                             line=nodes[1].line, element=nodes[1].id)
        inverse = {model: bpmn for bpmn, model in self.element_id.items()} if throws else {}
        for node, scope in throws:
            element = self.elements.get(inverse.get(node.id, node.id))
            link = element.find(f"{_M}linkEventDefinition")
            name = link.get("name") or element.get("name") or ""
            if (scope, name) not in catches:
                self.out.add("LINK_EVENT_UNPAIRED", f"link throw event {node.id!r} ({name!r}) has no catch event "
                             "of that name in its scope", line=node.line, element=node.id)

    def order_nodes(self) -> None:
        if self.ours:  # written in model order, but annotations after the flow elements (XSD order)
            placed = sorted(((i, n) for n, i in self.note_index.items() if n in self.nodes), key=lambda p: p[0])
            if placed:  # each at its index, in one merge (inserting one by one costs n per note)
                moved = {n for _, n in placed}
                others = iter([node for node in self.diagram.nodes if node.id not in moved])
                nodes: list[Node] = []
                for index, node_id in placed:
                    while len(nodes) < index:
                        node = next(others, None)
                        if node is None:
                            break
                        nodes.append(node)
                    nodes.append(self.nodes[node_id])
                nodes.extend(others)
                self.diagram.nodes = nodes
            return
        lane_index = {lane.id: i for i, lane in enumerate(self.diagram.lanes)}
        bounds, node_order, nodes = self.bounds, self.node_order, self.diagram.nodes
        # the key of each node in one comprehension (no key function called per node); a node's
        # drawing is found by its BPMN id, which is its model id unless fz:meta renamed it (the
        # two lists compared in C)
        get = bounds.get
        if list(self.element_id) != list(self.element_id.values()):
            inverse = {model: bpmn for bpmn, model in self.element_id.items()}
            keys = [(lane_index.get(node.lane, 0), 1, 0.0, 0.0, node_order[node.id])
                    if (box := get(inverse.get(node.id, node.id))) is None else
                    (lane_index.get(node.lane, 0), 0, box[0], box[1], node_order[node.id]) for node in nodes]
        else:
            keys = [(lane_index.get(node.lane, 0), 1, 0.0, 0.0, node_order[node.id]) if (box := get(node.id)) is None else
                    (lane_index.get(node.lane, 0), 0, box[0], box[1], node_order[node.id]) for node in nodes]
        order = sorted(range(len(nodes)), key=keys.__getitem__)
        self.diagram.nodes = [nodes[i] for i in order]


def _start_tag_column(text: str, element) -> int:
    """The column of ``element``'s start tag on its line (lxml tells the line only): the first
    ``<name`` there, else 1. For an error's position: one pass over the text, once."""
    line = element.sourceline or 1
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return 1
    end = text.find("\n", start)
    name = f"{element.prefix}:{split(element.tag)[1]}" if element.prefix else split(element.tag)[1]
    found = text.find(f"<{name}", start, end if end >= 0 else len(text))
    return found - start + 1 if found >= 0 else 1


def _native_attributes(items: list[tuple[str, str]], into: dict[str, str]) -> None:
    """The element's attributes the model has no field for, as ``bpmn.*``."""
    for key, value in items:
        if key[0] == "{":
            ns = key[1:].partition("}")[0]
            if ns != MODEL_NS:
                into[f"bpmn.{key}"] = value  # vendor attribute, Clark notation keeps its namespace
        elif key in _PLAIN_ATTRIBUTES:
            continue
        elif key in NATIVE_ATTRIBUTES:
            into[f"bpmn.{key}"] = value
        elif key == "default":
            into["bpmn.default"] = value


def _children(element) -> list[tuple[str | None, object]]:
    """(local name in the BPMN namespace or None, child) of each child of ``element``: listed once,
    then each question about them (fz:meta, documentation, extensions, raw content) is answered from
    the list (lxml's ``find`` costs microseconds a call)."""
    try:  # tags seen before: one dict lookup each, in the comprehension
        return [(LOCAL_NAMES[child.tag], child) for child in element]
    except (KeyError, TypeError):
        return [(model_local(child.tag), child) for child in element]


def _firsts(children: list[tuple[str | None, object]]) -> dict:
    """The first child of each local name in the BPMN namespace (what ``element.find`` gives),
    in one dict made in C (the earlier child overwrites the later)."""
    return dict(reversed(children))


def _owner(potential_owner) -> str | None:
    """The text of ``potentialOwner/resourceAssignmentExpression/formalExpression`` when that is
    all the element says (anything richer stays raw XML)."""
    children = list(potential_owner)
    if len(children) != 1 or children[0].tag != f"{_M}resourceAssignmentExpression":
        return None
    expressions = list(children[0])
    if len(expressions) != 1 or expressions[0].tag != f"{_M}formalExpression" or len(expressions[0]):
        return None
    return expressions[0].text or ""


def read(text: str) -> tuple[Diagram, list[Diagnostic]]:
    return _Reader(text).run()
