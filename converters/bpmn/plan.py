"""What the writer will write, before any XML: pools, the BPMN element of every node, every
connection (sequence flow, message flow, association, data association), and the elements added so
that bpmnlint's recommended rules pass.

bpmnlint calls a flow that splits or starts implicitly an error, which flowcharts do all the time.
With ``structure=bpmnlint`` (the default) the writer makes it explicit, as a modeller would: a
parallel gateway after an activity with several outgoing flows, a join gateway before a gateway
that both joins and forks, one start event before the nodes nothing leads to (when the process has
no start event) and an end event after each node that leads nowhere. Each added element is marked
``synthetic`` in ``fz:meta`` and the reader removes it again, so nothing changes in the model.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostics
from ..model import Diagram, Edge, GroupKind, Node, NodeKind, Side
from .vocabulary import (
    CONTAINERS,
    EVENTS,
    GATEWAYS,
    KIND_ELEMENT,
    KIND_ELEMENTS,
    SUBPROCESSES,
    TASKS,
)

ACTIVITIES = TASKS | SUBPROCESSES
_ARTIFACTS = frozenset((NodeKind.DATA, NodeKind.NOTE))


@dataclass(slots=True)
class PlanNode:
    id: str  # model id (or the synthetic node's own id)
    lane: str
    tag: str
    node: Node | None = None  # None for synthetic nodes
    name: str | None = None
    host: str | None = None  # boundary events: the activity they are attached to
    event_definition: str | None = None  # synthetic events: e.g. "messageEventDefinition"
    container: str | None = None  # the expanded sub-process it is written inside (None: the process)
    xml_id: str = ""  # its BPMN id (naming.assign; on the node rather than in a dict keyed by id)
    box: tuple | None = None  # its shape's bounds (placement; None: not drawn)
    cell: tuple | None = None  # the grid cell it is centred in (placement)
    # Its flows, filled in by the emitter's index (on the node rather than in dicts keyed by id):
    incoming: list[str] | None = None  # ids of the sequence flows that end at it
    outgoing: list[str] | None = None  # ids of the sequence flows that leave it
    data_in: list[Connection] | None = None  # data input associations that end at it
    data_out: list[Connection] | None = None  # data output associations that leave it


@dataclass(slots=True)
class Connection:
    source: str
    target: str
    kind: str  # sequenceFlow | messageFlow | association | dataInputAssociation | dataOutputAssociation
    edge: Edge | None = None  # the model edge it carries (None: synthetic)
    index: int | None = None  # the model edge's position
    source_side: Side | None = None
    target_side: Side | None = None
    # Filled in by the later stages, on the connection itself rather than in dicts keyed by
    # id(connection) (at 50,000 nodes each such look-up is a cache miss):
    xml_id: str = ""  # its BPMN id (naming.assign)
    drawn: tuple | None = None  # (plane, its index among the plane's connections), when drawn in one (placement)
    points: list | None = None  # its waypoints, when drawn in a plane (placement)


@dataclass(slots=True)
class Plan:
    nodes: list[PlanNode] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)
    pool_of_lane: dict[str, str] = field(default_factory=dict)
    pools: list[list[str]] = field(default_factory=list)  # lane ids of each pool, in order
    attachments: dict[str, int] = field(default_factory=dict)  # boundary node id → its edge index
    by_id: dict[str, PlanNode] = field(default_factory=dict)
    # Pools written as one lane that is the pool itself (no laneSet), and among them the black
    # boxes: a participant without a process (nothing in it to run).
    single_lane_pools: set[int] = field(default_factory=set)
    black_boxes: set[int] = field(default_factory=set)


def element_for(node: Node, out: Diagnostics) -> str:
    wanted = node.attributes.get("bpmn.type")
    if wanted == "participant":
        return wanted  # a pool standing as a node: its flows are drawn to the pool itself
    if wanted is not None:
        if wanted in KIND_ELEMENTS[node.kind]:
            return wanted
        out.add("CHANGED_KIND", f"node {node.id}: bpmn.type {wanted!r} does not fit a {node.kind.value}; "
                f"written as {KIND_ELEMENT[node.kind]}", line=node.line, column=node.column, element=node.id)
    return KIND_ELEMENT[node.kind]


def pools_for(diagram: Diagram, mode: str) -> list[list[str]]:
    lanes = [lane.id for lane in diagram.lanes]
    if mode == "per-lane":
        return [[lane] for lane in lanes]
    if mode == "auto":
        keys = [lane.attributes.get("bpmn.participant") or lane.attributes.get("bpmn.process")
                for lane in diagram.lanes]
        if len({key for key in keys if key}) > 1:
            pools: dict[str, list[str]] = {}
            for lane, key in zip(lanes, keys):
                pools.setdefault(key or f"\0{lane}", []).append(lane)
            return list(pools.values())
    return [lanes] if lanes else []


def build(diagram: Diagram, mode: str, lint_safe: bool, out: Diagnostics) -> Plan:
    plan = Plan()
    plan.pools = pools_for(diagram, mode)
    for index, lanes in enumerate(plan.pools):
        for lane in lanes:
            plan.pool_of_lane[lane] = str(index)
    for node in diagram.nodes:
        item = PlanNode(node.id, node.lane, element_for(node, out), node, node.label)
        plan.nodes.append(item)
        plan.by_id[node.id] = item
    for item in plan.nodes:  # boundary events need a host activity in their own pool
        if item.tag == "boundaryEvent":
            host = plan.by_id.get(item.node.attributes.get("bpmn.attachedTo", ""))
            if host is None or host.tag not in ACTIVITIES or \
                    plan.pool_of_lane.get(host.lane) != plan.pool_of_lane.get(item.lane):
                out.add("CHANGED_KIND", f"node {item.id} is a boundary event without a host activity in its "
                        "pool; written as an intermediate catch event", line=item.node.line, element=item.id)
                item.tag = "intermediateCatchEvent"
            else:
                item.host = host.id
    for index, edge in enumerate(diagram.edges):
        kind = connection_kind(plan, edge)
        if kind == "attachment":
            plan.attachments[edge.target] = index
            continue
        plan.connections.append(Connection(edge.source, edge.target, kind, edge, index,
                                           edge.source_side, edge.target_side))
    _nest(plan, diagram)
    if lint_safe:
        _make_explicit(plan)
    _pool_kinds(plan, diagram, mode)
    return plan


def has_lane_set(lanes: list[str], diagram: Diagram, lane_by_id: dict, mode: str, pools: int) -> bool:
    """A pool gets a laneSet unless it is one lane that stands for the pool itself."""
    if len(lanes) != 1:
        return True
    if mode == "per-lane":
        return False
    # One lane is its pool, unless the BPMN source had a pool around a lane.
    lane = lane_by_id[lanes[0]]
    owner = lane.attributes.get("bpmn.participant") or lane.attributes.get("bpmn.process")
    if owner is not None and owner != lane.id:
        return True
    pool_name = lane.attributes.get("bpmn.poolName")
    if pool_name is None and pools == 1:
        pool_name = diagram.attributes.get("bpmn.poolName")
    return pool_name is not None and lane.attributes.get("bpmn.participant") != lane.id


def _pool_kinds(plan: Plan, diagram: Diagram, mode: str) -> None:
    lane_by_id = diagram.lane_by_id()
    plan.single_lane_pools = {i for i, lanes in enumerate(plan.pools)
                              if not has_lane_set(lanes, diagram, lane_by_id, mode, len(plan.pools))}
    # A pool with nothing in it is a black box (an empty process would break bpmnlint's
    # start/end rules and engines).
    occupied = {plan.pool_of_lane.get(item.lane) for item in plan.nodes
                if item.node is None or (item.node.kind is not NodeKind.NOTE and item.tag != "participant")}
    plan.black_boxes = {i for i in plan.single_lane_pools if str(i) not in occupied and (
        mode == "per-lane" or lane_by_id[plan.pools[i][0]].attributes.get("bpmn.blackBox") == "true")}


def _nest(plan: Plan, diagram: Diagram) -> None:
    """Expanded sub-processes (groups of kind ``subprocess`` named after a sub-process node) hold
    their members, as in the BPMN they came from, unless a sequence flow crosses their border
    (BPMN forbids it; such a sub-process is written collapsed with its contents beside it)."""
    container: dict[str, str] = {}
    candidates = {}
    for group in diagram.groups:
        host = plan.by_id.get(group.id)
        if group.kind == GroupKind.SUBPROCESS and host is not None and host.tag in CONTAINERS:
            candidates[group.id] = group
    for group in candidates.values():
        pool = plan.pool_of_lane.get(plan.by_id[group.id].lane)
        for member in group.members:
            item = plan.by_id.get(member)
            if item is not None and member != group.id and member not in container:
                if plan.pool_of_lane.get(item.lane) != pool:
                    continue  # (an annotation is held too: BPMN sub-processes hold artifacts)
                container[member] = group.id

    def chain(node_id: str) -> list[str]:
        result, seen = [], set()
        while node_id in container and node_id not in seen:
            seen.add(node_id)
            node_id = container[node_id]
            result.append(node_id)
        return result

    # A container inside itself (a cycle of groups) is no container: found in one walk (each
    # node is visited once), its members let go.
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    in_cycle: set[str] = set()
    for start in list(container):
        path, node = [], start
        while node in container and node not in state:
            state[node] = 1
            path.append(node)
            node = container[node]
        if state.get(node) == 1:  # the walk met itself: the nodes from there on form a cycle
            in_cycle.update(path[path.index(node):])
        for step in path:
            state[step] = 2
    if in_cycle:
        for member in [m for m, c in container.items() if c in in_cycle and c in candidates]:
            del container[member]
    changed = True
    while changed:
        changed = False
        for connection in plan.connections:
            if connection.kind != "sequenceFlow" or container.get(connection.source) == container.get(connection.target):
                continue  # (the same scope: the common case, decided without walking up)
            a, b = chain(connection.source), chain(connection.target)
            if (a[0] if a else None) != (b[0] if b else None):
                for host in set(a) ^ set(b):
                    for member in [m for m, c in container.items() if c == host]:
                        parent = container.get(host)
                        if parent is None:
                            del container[member]
                        else:
                            container[member] = parent
                    changed = True
    for node_id, host in container.items():
        plan.by_id[node_id].container = host


def scope_of(plan: Plan, item: PlanNode) -> str:
    return item.container if item.container is not None else f"pool:{plan.pool_of_lane.get(item.lane)}"


def connection_kind(plan: Plan, edge: Edge) -> str:
    source, target = plan.by_id[edge.source], plan.by_id[edge.target]
    wanted = edge.attributes.get("bpmn.type")
    if "participant" in (source.tag, target.tag):
        return "messageFlow"
    if wanted == "attachment" and target.host == source.id:
        return "attachment"
    artifacts = _ARTIFACTS
    if source.node.kind in artifacts or target.node.kind in artifacts:
        if wanted == "dataInputAssociation" and source.node.kind is NodeKind.DATA and target.tag in ACTIVITIES:
            return wanted
        if wanted == "dataOutputAssociation" and target.node.kind is NodeKind.DATA and source.tag in ACTIVITIES:
            return wanted
        return "association"
    if wanted == "association":
        return "association"
    if plan.pool_of_lane.get(source.lane) != plan.pool_of_lane.get(target.lane):
        return "messageFlow"
    return "sequenceFlow"


def _conditional(connection: Connection) -> bool:
    edge = connection.edge
    return edge is not None and any("conditionExpression" in edge.attributes.get(key, "")
                                    for key in ("bpmn.content", "bpmn.contentTail"))


def _make_explicit(plan: Plan) -> None:
    counter = [0]

    def new_node(tag: str, lane: str, name: str | None, container: str | None = None) -> PlanNode:
        counter[0] += 1
        item = PlanNode(f"fz_synthetic_{counter[0]}", lane, tag, None, name, container=container)
        plan.nodes.append(item)
        plan.by_id[item.id] = item
        return item

    def sequence(node_id: str, direction: str) -> list[Connection]:
        return [c for c in by_end[direction].get(node_id, []) if c.kind == "sequenceFlow"]

    by_end: dict[str, dict[str, list[Connection]]] = {"out": {}, "in": {}}

    def index_connections() -> None:
        by_end["out"].clear()
        by_end["in"].clear()
        for connection in plan.connections:
            by_end["out"].setdefault(connection.source, []).append(connection)
            by_end["in"].setdefault(connection.target, []).append(connection)

    index_connections()
    originals = [item for item in plan.nodes if item.node is not None and item.node.kind not in
                 (NodeKind.DATA, NodeKind.NOTE) and item.tag != "participant"]
    # An activity or event with several unconditional outgoing flows: a parallel fork after it.
    for item in originals:
        if item.tag in GATEWAYS:
            continue
        default = item.node.attributes.get("bpmn.default")
        plain = [c for c in sequence(item.id, "out")
                 if not _conditional(c) and not (default is not None and c.edge is not None and c.edge.id == default)]
        if len(plain) > 1:
            fork = new_node("parallelGateway", item.lane, None, item.container)
            plan.connections.append(Connection(item.id, fork.id, "sequenceFlow", source_side=plain[0].source_side))
            for connection in plain:
                connection.source, connection.source_side = fork.id, None
    index_connections()
    # A gateway that both joins and forks: a join gateway of its type before it.
    for item in originals:
        if item.tag not in GATEWAYS:
            continue
        incoming, outgoing = sequence(item.id, "in"), sequence(item.id, "out")
        if len(incoming) > 1 and len(outgoing) > 1:
            join = new_node(item.tag if item.tag != "eventBasedGateway" else "exclusiveGateway", item.lane, None,
                            item.container)
            for connection in incoming:
                connection.target, connection.target_side = join.id, None
            plan.connections.append(Connection(join.id, item.id, "sequenceFlow"))
    # Two flows with the same ends (bpmnlint: a duplicate): the later ones pass a gateway.
    seen: set[tuple[str, str]] = set()
    for connection in list(plan.connections):
        if connection.kind != "sequenceFlow":
            continue
        ends = (connection.source, connection.target)
        if ends in seen:
            target = plan.by_id[connection.target]
            relay = new_node("exclusiveGateway", target.lane, None, target.container)
            plan.connections.append(Connection(relay.id, connection.target, "sequenceFlow",
                                               target_side=connection.target_side))
            connection.target, connection.target_side = relay.id, None
        seen.add(ends)
    index_connections()  # (the duplicates' pass above reads no index: none is rebuilt for it)
    # Implicit starts and ends, process by process.
    scopes: dict[str, list[PlanNode]] = {}
    for item in originals:
        scopes.setdefault(scope_of(plan, item), []).append(item)
    for members in scopes.values():
        inside = members[0].container
        if inside is not None and plan.by_id[inside].tag == "adHocSubProcess":
            continue  # an ad-hoc sub-process's activities have no flow to start or end
        starts = [item for item in members if item.tag == "startEvent"]
        exempt = {"boundaryEvent"}
        no_in = [item for item in members if item.tag not in exempt | {"startEvent"} and not sequence(item.id, "in")
                 and not _is_link(item, catch=True) and item.node.attributes.get("bpmn.isForCompensation") != "true"
                 and item.node.attributes.get("bpmn.triggeredByEvent") != "true"]
        if no_in and starts and inside is None:
            # A process that has its start: a node that only messages reach starts on a message.
            for item in no_in:
                messages = [c for c in by_end["in"].get(item.id, []) if c.kind == "messageFlow"]
                if not messages:
                    continue
                start = new_node("startEvent", item.lane, messages[0].edge.label if messages[0].edge and
                                 messages[0].edge.label else "Message received", inside)
                start.event_definition = "messageEventDefinition"
                for connection in messages:
                    connection.target = start.id
                plan.connections.append(Connection(start.id, item.id, "sequenceFlow"))
        if not no_in and not starts and inside is None:
            # A process that is one cycle: nothing starts it. Start it where the model begins.
            first = next((item for item in members if item.tag not in exempt), None)
            if first is not None:
                start = new_node("startEvent", first.lane, "Start", inside)
                plan.connections.append(Connection(start.id, first.id, "sequenceFlow"))
        if no_in and not starts:
            start = new_node("startEvent", no_in[0].lane, "Start", inside)
            if len(no_in) == 1:
                plan.connections.append(Connection(start.id, no_in[0].id, "sequenceFlow"))
            else:
                fork = new_node("parallelGateway", no_in[0].lane, None, inside)
                plan.connections.append(Connection(start.id, fork.id, "sequenceFlow"))
                for item in no_in:
                    plan.connections.append(Connection(fork.id, item.id, "sequenceFlow"))
        for item in members:
            if item.tag in {"endEvent"} or sequence(item.id, "out") or _is_link(item, catch=False):
                continue
            if item.tag in ACTIVITIES and item.node.attributes.get("bpmn.isForCompensation") == "true":
                continue
            if item.tag == "subProcess" and item.node.attributes.get("bpmn.triggeredByEvent") == "true":
                continue
            if item.tag == "boundaryEvent" and "compensate" in item.node.attributes.get("bpmn.eventDefinition", ""):
                continue
            end = new_node("endEvent", item.lane, "End", inside)
            plan.connections.append(Connection(item.id, end.id, "sequenceFlow"))


def _is_link(item: PlanNode, catch: bool) -> bool:
    wanted = "intermediateCatchEvent" if catch else "intermediateThrowEvent"
    return item.tag == wanted and "link" in (item.node.attributes.get("bpmn.eventDefinition") or "").split(",")


__all__ = ["ACTIVITIES", "CONTAINERS", "EVENTS", "Connection", "Plan", "PlanNode", "build"]
