"""A simple layered layout on swimlanes, linear in the size of the diagram.

Lanes are horizontal bands in model order. Edges that close a cycle (found by a depth-first search
in model order) are set aside as back edges; every other edge points forward, and a node's column
is the length of the longest forward path reaching it. Within a lane, nodes sharing a column are
stacked in rows in model order, so the layout is stable: the same model always gets the same
picture. The FlowZap writer uses it to choose edge sides; the BPMN writer turns it into coordinates.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from .diagram import Diagram, Side


@dataclass(slots=True)
class Layout:
    lane_index: dict[str, int] = field(default_factory=dict)  # node id → lane position
    column: dict[str, int] = field(default_factory=dict)  # node id → column (0-based)
    row: dict[str, int] = field(default_factory=dict)  # node id → row inside its lane band
    lane_rows: list[int] = field(default_factory=list)  # rows per lane band (at least 1)
    columns: int = 0
    back_edges: set[int] = field(default_factory=set)  # indexes into diagram.edges

    def sides(self, diagram: Diagram, edge_index: int) -> tuple[Side, Side]:
        """The sides an edge should leave and enter by (see ``_sides``)."""
        edge = diagram.edges[edge_index]
        return _sides(self.lane_index.get(edge.source, 0), self.lane_index.get(edge.target, 0),
                      edge_index in self.back_edges, self.column.get(edge.source, 0), self.column.get(edge.target, 0),
                      self.row.get(edge.source, 0), self.row.get(edge.target, 0))


def _sides(source_lane: int, target_lane: int, back: bool, source_col: int, target_col: int, source_row: int,
           target_row: int) -> tuple[Side, Side]:
    """FlowZap's conventions: forward along a lane right → left, down to a lane below bottom →
    top, up top → bottom, and back along a lane top → top (over the boxes in between)."""
    if target_lane > source_lane:
        return Side.BOTTOM, Side.TOP
    if target_lane < source_lane:
        return Side.TOP, Side.BOTTOM
    if back:
        return Side.TOP, Side.TOP
    if target_col > source_col:
        return Side.RIGHT, Side.LEFT
    if target_row > source_row:
        return Side.BOTTOM, Side.TOP
    return Side.TOP, Side.BOTTOM


@dataclass(slots=True)
class _Adjacency:
    """The graph by list positions rather than dicts keyed by id, and the edges leaving each node
    as one flat array (``outgoing[first[i]:first[i + 1]]``) rather than a list per node: the
    layout is memory-bound at 50,000 nodes, where every dict and small list costs cache misses."""
    count: int  # nodes
    position: dict[str, int] | None  # node id → position (None when the caller gave the ends by position)
    source_of: list[int]  # per edge, its source's position (-1 when it names no node)
    target_of: list[int]  # per edge, its target's position (-1 when it names no node)
    first: list[int]  # per node position, where its edges start in ``outgoing`` (one more entry at the end)
    outgoing: list[int]  # edge indexes, grouped by source in model order, in edge order within a source


def adjacency(diagram: Diagram) -> _Adjacency:
    """The graph by list positions (see ``_Adjacency``); the PlantUML writer walks it too."""
    return _adjacency(diagram)


def _adjacency(diagram: Diagram, ends: tuple[list[int], list[int]] | None = None) -> _Adjacency:
    if ends is None:
        position = {node.id: i for i, node in enumerate(diagram.nodes)}
        get = position.get
        source_of = [get(edge.source, -1) for edge in diagram.edges]
        target_of = [get(edge.target, -1) for edge in diagram.edges]
    else:
        position, (source_of, target_of) = None, ends
    return _by_source(len(diagram.nodes), position, source_of, target_of)


def _by_source(nodes: int, position: dict[str, int] | None, source_of: list[int], target_of: list[int]) -> _Adjacency:
    count = [0] * (nodes + 1)
    for source, target in zip(source_of, target_of):
        if source >= 0 and target >= 0:
            count[source + 1] += 1
    for i in range(nodes):  # prefix sums: a counting sort of the edges by source
        count[i + 1] += count[i]
    first = count[:]
    outgoing = [0] * count[-1]
    for index, (source, target) in enumerate(zip(source_of, target_of)):
        if source >= 0 and target >= 0:
            outgoing[count[source]] = index
            count[source] += 1
    return _Adjacency(nodes, position, source_of, target_of, first, outgoing)


def find_back_edges(diagram: Diagram | None, adjacency: _Adjacency | None = None) -> set[int]:
    """Indexes of the edges that close a cycle, by an iterative depth-first search that visits
    nodes and their edges in model order (deterministic; no recursion limit at 50,000 nodes)."""
    graph = adjacency if adjacency is not None else _adjacency(diagram)  # type: ignore[arg-type]
    first, outgoing, target_of = graph.first, graph.outgoing, graph.target_of
    WHITE, GREY, BLACK = 0, 1, 2
    state = [WHITE] * graph.count
    back: set[int] = set()
    for root in range(graph.count):
        if state[root] != WHITE:
            continue
        state[root] = GREY
        stack = [(root, first[root])]  # (node, the next of its edges to follow)
        while stack:
            node, at = stack[-1]
            end = first[node + 1]
            while at < end:
                index = outgoing[at]
                at += 1
                target = target_of[index]
                colour = state[target]
                if colour == GREY:
                    back.add(index)
                elif colour == WHITE:
                    state[target] = GREY
                    stack[-1] = (node, at)
                    stack.append((target, first[target]))
                    break
            else:
                state[node] = BLACK
                stack.pop()
    return back


@dataclass(slots=True)
class _Placement:
    """The layout by node position (what ``layout`` turns into dicts keyed by id)."""
    graph: _Adjacency
    lanes: list[int]  # per node, its lane's position
    column: list[int]
    row: list[int]
    lane_rows: list[int]
    columns: int
    back_edges: set[int]

    def sides(self, index: int) -> tuple[Side, Side]:
        """What ``Layout.sides`` says of the edge at ``index``, by position."""
        s, t = self.graph.source_of[index], self.graph.target_of[index]
        lanes, column, row = self.lanes, self.column, self.row
        if s < 0 or t < 0:  # an end that names no node stands at lane, column and row 0, as in ``Layout.sides``
            return _sides(lanes[s] if s >= 0 else 0, lanes[t] if t >= 0 else 0, False, column[s] if s >= 0 else 0,
                          column[t] if t >= 0 else 0, row[s] if s >= 0 else 0, row[t] if t >= 0 else 0)
        return _sides(lanes[s], lanes[t], index in self.back_edges, column[s], column[t], row[s], row[t])


def place(lanes: list[int], lane_count: int, source_of: list[int], target_of: list[int]) -> _Placement:
    """The layout of a graph given by position only: each node's lane (its position among
    ``lane_count`` lanes) and each edge's ends (node positions, -1: no node). The same as
    ``layout`` of the diagram they describe, as lists in node order: the BPMN writer's placement
    builds no diagram and reads no dict keyed by id."""
    return _layered(_by_source(len(lanes), None, source_of, target_of), lanes, lane_count)


def _place(diagram: Diagram, ends: tuple[list[int], list[int]] | None = None) -> _Placement:
    lane_position = {lane.id: i for i, lane in enumerate(diagram.lanes)}
    lanes = [lane_position.get(node.lane, 0) for node in diagram.nodes]
    return _layered(_adjacency(diagram, ends), lanes, len(diagram.lanes))


def _layered(graph: _Adjacency, lanes: list[int], lane_count: int) -> _Placement:
    first, outgoing, target_of = graph.first, graph.outgoing, graph.target_of
    back = find_back_edges(None, graph)

    # Longest path over forward edges (Kahn's algorithm: each edge relaxed once).
    count = graph.count
    column = [0] * count
    indegree = [0] * count
    for index in outgoing:
        if index not in back:
            indegree[target_of[index]] += 1
    ready = deque(i for i in range(count) if indegree[i] == 0)
    while ready:
        node = ready.popleft()
        next_column = column[node] + 1
        for index in outgoing[first[node]:first[node + 1]]:
            if index in back:
                continue
            target = target_of[index]
            if column[target] < next_column:
                column[target] = next_column
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)

    # Rows: nodes of one lane sharing a column are stacked in model order.
    lane_rows = [1] * lane_count
    # per lane, column → rows used so far (a dict per lane keyed by the column, not one keyed by
    # a (lane, column) tuple made for every node)
    used: list[dict[int, int]] = [{} for _ in range(max(1, lane_count))]
    rows = [0] * count
    for i in range(count):
        lane = lanes[i]
        in_lane = used[lane]
        row = in_lane.get(column[i], 0)
        in_lane[column[i]] = row + 1
        rows[i] = row
        if lane_rows and row + 1 > lane_rows[lane]:
            lane_rows[lane] = row + 1
    return _Placement(graph, lanes, column, rows, lane_rows, (max(column) + 1) if column else 0, back)


def layout(diagram: Diagram) -> Layout:
    placed = _place(diagram)
    ids = [node.id for node in diagram.nodes]
    return Layout(lane_index=dict(zip(ids, placed.lanes)), column=dict(zip(ids, placed.column)),
                  row=dict(zip(ids, placed.row)), lane_rows=placed.lane_rows, columns=placed.columns,
                  back_edges=placed.back_edges)


def edge_sides(diagram: Diagram, ends: tuple[list[int], list[int]] | None = None) -> list[tuple[Side, Side]]:
    """The sides ``Layout.sides`` gives each edge, for all edges at once and by position (no dict
    keyed by id is built: the FlowZap writer needs nothing else of the layout). ``ends``: each
    edge's source and target as node positions (-1: no node), when the caller has them already —
    only for a model whose node ids are unique (else an id names its last node here)."""
    placed = _place(diagram, ends)
    lanes, column, row, back = placed.lanes, placed.column, placed.row, placed.back_edges
    sides = []
    for index, (s, t) in enumerate(zip(placed.graph.source_of, placed.graph.target_of)):
        if s < 0 or t < 0:  # an end that names no node stands at lane, column and row 0, as in ``sides``
            sides.append(_sides(lanes[s] if s >= 0 else 0, lanes[t] if t >= 0 else 0, False,
                                column[s] if s >= 0 else 0, column[t] if t >= 0 else 0,
                                row[s] if s >= 0 else 0, row[t] if t >= 0 else 0))
        else:
            sides.append(_sides(lanes[s], lanes[t], index in back, column[s], column[t], row[s], row[t]))
    return sides
