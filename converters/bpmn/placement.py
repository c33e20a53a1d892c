"""The writer's third stage: where everything is drawn (BPMN diagram interchange).

Every plane (the collaboration's, and each expanded sub-process's) is laid out by the core's
layered layout (converters/model/layout.py) on a grid (geometry.py); a sub-process drawn expanded in
place is as large as its contents, which then move inside it; boundary events sit on their host's
border; every connection is routed orthogonally along the gutters. ``Placement(...)`` does it all
when it is made and holds the result; the emitter only reads it.
"""
from __future__ import annotations

from ..model import Diagram, Side
from ..model.layout import place
from . import geometry
from .plan import Connection, Plan, PlanNode
from .vocabulary import size_of

INLINE_TITLE = 20  # room for an expanded sub-process's name above its contents


class Placement:
    def __init__(self, diagram: Diagram, plan: Plan, nested_lanes: bool) -> None:
        self.diagram = diagram
        self.plan = plan
        self.nested_lanes = nested_lanes  # a parent lane's header strip takes room
        # Each node's box and cell are on its PlanNode (no dicts keyed by id): on the node its id
        # names, which is itself unless two nodes share an id (refused by the checks; the writer
        # called directly still draws such a model as before, the last of them winning).
        by_id = plan.by_id
        self.own = (lambda item: item) if len(by_id) == len(plan.nodes) else (lambda item: by_id[item.id])
        self.depths: dict[str, int] = {}  # expanded sub-process → how deep it is nested
        self.layout_top: dict[str, str] = {}  # node id → the node of the main plane's layout that stands for it
        self.pool_connections: list[Connection] = []  # message flows that end on a pool itself
        self.drawn: dict[str | None, list[Connection]] = {}  # plane → the connections drawn in it
        self.inline: set[str] = set()  # sub-processes drawn expanded in place
        self.display: dict[str | None, str | None] = {None: None}  # plane → the BPMNPlane it is drawn in
        self.top: dict[str, str] = {}  # node id → the node drawn for it in its display plane's connections
        self.planes: dict[str | None, dict] = {}
        self.place()
        self.grid: geometry.Grid = self.planes[None]["grid"]
        for connection in plan.connections:  # (its waypoints on the connection: no dict keyed by id(connection))
            if connection.drawn is not None:
                connection.points = self.route(connection)

    def place(self) -> None:
        """Coordinates for every node. The collaboration's plane holds pools, lanes and the
        top-level nodes; an expanded sub-process's contents are drawn inside it in place (when
        the BPMN source drew it expanded, or when a message flow or association reaches into it)
        or in a drill-down plane of their own (bpmn-js shows the sub-process collapsed)."""
        plan = self.plan
        members: dict[str | None, list[PlanNode]] = {None: []}
        for item in plan.nodes:
            if item.tag != "participant":
                members.setdefault(item.container, []).append(item)
        nested = len(members) > 1 or any(item.container is not None for item in plan.nodes)
        if not nested:  # no node inside a sub-process: each stands for itself (no memo of n ids to build)
            self.layout_top = self.top = _Itself()
        for item in plan.nodes if nested else ():
            _topmost(item.id, self.container_of, self.layout_top)
        drawn = self.drawn
        for connection in plan.connections:
            source, target = plan.by_id[connection.source], plan.by_id[connection.target]
            if "participant" in (source.tag, target.tag):
                self.pool_connections.append(connection)
                continue
            plane = source.container if source.container == target.container else None
            drawn.setdefault(plane, []).append(connection)
        self.inline = self.inline_containers(members, drawn)
        for plane in members:
            path = []
            while plane not in self.display:
                path.append(plane)
                plane = plan.by_id[plane].container if plane in self.inline else plane
                if plane == path[-1]:
                    self.display[plane] = plane
            for step in path:
                self.display[step] = self.display[plane]
        for item in plan.nodes if nested else ():
            _topmost(item.id, lambda node: self.container_of(node) if self.display[self.container_of(node)] is not None
                     else None, self.top)
        lane_ids = [lane.id for lane in self.diagram.lanes]
        pool_of = plan.pool_of_lane
        breaks = {i for i in range(1, len(lane_ids)) if pool_of.get(lane_ids[i]) != pool_of.get(lane_ids[i - 1])}
        lanes_inside = any(i not in plan.single_lane_pools for i in range(len(plan.pools)))
        extents: dict[str, tuple[float, float]] = {}
        # Inner planes first: an inline sub-process is as large as its contents.
        for plane in sorted(members, key=lambda p: -self.depth(p)):
            self.place_plane(plane, members[plane], drawn.get(plane, []), extents, lane_ids, lanes_inside, breaks)
        for plane in sorted(members, key=self.depth):  # then contents move into their sub-process
            if plane is not None and plane in self.inline:
                x, y, _, _ = plan.by_id[plane].box
                self.translate(plane, x, y + INLINE_TITLE)
        for plane, items in members.items():
            self.finish_plane(plane, items)

    def container_of(self, node_id: str) -> str | None:
        return self.plan.by_id[node_id].container

    def depth(self, plane: str | None) -> int:
        """How deep a plane is nested (memoised: n planes nested n deep cost n, not n²)."""
        path = []
        while plane is not None and plane not in self.depths:
            path.append(plane)
            plane = self.plan.by_id[plane].container
        depth = self.depths.get(plane, 0)
        for step in reversed(path):
            depth += 1
            self.depths[step] = depth
        return self.depths.get(path[0], 0) if path else depth

    def inline_containers(self, members, drawn) -> set[str]:
        """Sub-processes drawn expanded in place: as the source drew them, and every one a
        connection drawn in the main plane reaches into (bpmn-js draws no edge to a node that is
        only in a drill-down plane)."""
        plan = self.plan
        inline = {plane for plane in members if plane is not None and
                  plan.by_id[plane].node is not None and
                  plan.by_id[plane].node.attributes.get("bpmn.isExpanded") == "true"}
        for connection in drawn.get(None, []):
            for end in (connection.source, connection.target):
                node = plan.by_id[end].container
                while node is not None:
                    inline.add(node)
                    node = plan.by_id[node].container
        for plane in list(inline):  # an inline sub-process inside a drill-down one stays there
            if plane not in members:
                inline.discard(plane)
        return inline

    def place_plane(self, plane, items, connections, extents, lane_ids, lanes_inside, breaks) -> None:
        # Boundary events take no cell: they sit on their host's border, and their flows leave
        # from the host's place in the layout (so their targets follow the host).
        hosted = [i for i in items if i.host is not None]
        present = {i.id for i in items} if hosted else set()
        on_host = {i.id: i.host for i in hosted if i.host in present}
        placed_items = [i for i in items if i.id not in on_host] if on_host else items
        # The layout of the plane by position in ``placed_items`` (no diagram of it is built, and
        # no dict keyed by id is read): each node's lane, each connection's ends.
        position = {item.id: at for at, item in enumerate(placed_items)}
        get = position.get
        if plane is None:
            lane_position = {lane.id: i for i, lane in enumerate(self.diagram.lanes)}
            lanes, lane_count = [lane_position.get(item.lane, 0) for item in placed_items], len(self.diagram.lanes)
            top = self.layout_top
            ends = [(top[c.source], top[c.target]) for c in connections]
        else:
            lanes, lane_count = [0] * len(placed_items), 1
            ends = [(c.source, c.target) for c in connections]
        if on_host:
            ends = [(on_host.get(source, source), on_host.get(target, target)) for source, target in ends]
        placed = place(lanes, lane_count, [get(source, -1) for source, _ in ends], [get(target, -1) for _, target in ends])
        lane_at, row_at, column_at = placed.lanes, placed.row, placed.column
        # Only the cells that a node larger than a standard cell widens or heightens (the rest
        # would change nothing in build_grid).
        sizes: dict[tuple[int, int, int], tuple[float, float]] = {}
        item_size: list[tuple[float, float]] = []
        for at, item in enumerate(placed_items):
            size = extents.get(item.id) or size_of(item.tag)
            if item.tag == "textAnnotation" and item.node is not None and item.node.label:
                size = geometry.annotation_size(item.node.label)
            item_size.append(size)
            if geometry.widens_cell(size):
                key = (lane_at[at], row_at[at], column_at[at])
                old = sizes.get(key, (0, 0))
                sizes[key] = (max(old[0], size[0]), max(old[1], size[1]))
        if plane is None:
            grid = geometry.build_grid(lane_ids, placed.lane_rows, placed.columns, lanes_inside, breaks,
                                       extra_headers=1 if self.nested_lanes else 0, sizes=sizes)
        elif plane in self.inline:
            grid = geometry.build_grid(["\0plane"], placed.lane_rows, placed.columns, False, set(), sizes=sizes,
                                       origin=(0, 0))
            extents[plane] = (grid.right, grid.bottom + INLINE_TITLE)
        else:
            grid = geometry.build_grid(["\0plane"], placed.lane_rows, placed.columns, False, set(), sizes=sizes)
        own, centred = self.own, geometry.centred
        for at, item in enumerate(placed_items):
            cell = grid.cell(lane_at[at], row_at[at], column_at[at])
            item = own(item)
            item.cell = cell
            item.box = centred(cell, item_size[at])
        for index, connection in enumerate(connections):
            connection.drawn = (plane, index)
        self.planes[plane] = {"layout": placed, "grid": grid, "items": items, "on_host": on_host}

    def translate(self, plane: str, dx: float, dy: float) -> None:
        """Moves a plane laid out at (0, 0) into its sub-process's box (outer planes move first,
        so a nested sub-process's box is already where it belongs when its turn comes)."""
        for item in self.planes[plane]["items"]:
            if item.id in self.planes[plane]["on_host"]:
                continue
            item = self.own(item)
            x, y, w, h = item.box
            item.box = (x + dx, y + dy, w, h)
            x, y, w, h = item.cell
            item.cell = (x + dx, y + dy, w, h)

    def finish_plane(self, plane: str | None, items: list[PlanNode]) -> None:
        """Boundary events onto their hosts, and what stands where, for straight edges."""
        on_host = self.planes[plane]["on_host"]
        hosted: dict[str, int] = {}
        occupancy = geometry.Occupancy()
        for item in items:
            if item.id in on_host:  # on the host's lower border, right to left
                host = self.plan.by_id[item.host]
                hx, hy, hw, hh = host.box
                k = hosted.get(item.host, 0)
                hosted[item.host] = k + 1
                item = self.own(item)
                item.box = (hx + hw - 28 - 40 * k, hy + hh - 18, 36, 36)
                item.cell = host.cell
            else:
                occupancy.add(self.own(item).box)
        occupancy.finish()
        self.planes[plane]["occupancy"] = occupancy

    def route(self, connection: Connection) -> list[geometry.Point]:
        plane_key, index = connection.drawn
        plane = self.planes[plane_key]
        if plane_key is None:  # the nodes drawn for its ends (inner nodes of inline sub-processes)
            source_id, target_id = self.top[connection.source], self.top[connection.target]
        else:
            source_id, target_id = connection.source, connection.target
        source_side, target_side = connection.source_side, connection.target_side
        if source_side is None or target_side is None:
            chosen = plane["layout"].sides(index)  # (by position: see place_plane)
            source_side, target_side = source_side or chosen[0], target_side or chosen[1]
        source, target = self.plan.by_id[source_id], self.plan.by_id[target_id]
        if source.host is not None and connection.source_side is None:
            source_side = Side.BOTTOM  # a boundary event's flows leave downwards, away from its host
        return geometry.route(source.box, source.cell, source_side, target.box, target.cell, target_side,
                              plane["occupancy"])


class _Itself(dict):
    """node id → the node itself: what ``_topmost`` gives every node when none is inside a
    sub-process (``get`` too: an id of no node is then looked up in the boxes as itself, and
    found there no more than None would be)."""

    def __missing__(self, key: str) -> str:
        return key

    def get(self, key: str, default=None) -> str:
        return key


def _topmost(node: str, parent, memo: dict[str, str]) -> str:
    """The last of ``node``, ``parent(node)``, ``parent(parent(node))``, … before ``parent`` says
    None, memoised in ``memo`` for every node on the way (so all nodes together cost linear time)."""
    path: list[str] = []
    seen: set[str] = set()
    while node not in memo:
        up = parent(node)
        if up is None or node in seen:  # (a cycle cannot occur: plan.py breaks them; stop anyway)
            memo[node] = node
            break
        seen.add(node)
        path.append(node)
        node = up
    for step in path:
        memo[step] = memo[node]
    return memo[node]
