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
        """The sides an edge should leave and enter by, following FlowZap's conventions: forward
        along a lane right → left, down to a lane below bottom → top, up top → bottom, and back
        along a lane top → top (over the boxes in between)."""
        edge = diagram.edges[edge_index]
        source_lane = self.lane_index.get(edge.source, 0)
        target_lane = self.lane_index.get(edge.target, 0)
        if target_lane > source_lane:
            return Side.BOTTOM, Side.TOP
        if target_lane < source_lane:
            return Side.TOP, Side.BOTTOM
        if edge_index in self.back_edges:
            return Side.TOP, Side.TOP
        source_col = self.column.get(edge.source, 0)
        target_col = self.column.get(edge.target, 0)
        if target_col > source_col:
            return Side.RIGHT, Side.LEFT
        if self.row.get(edge.target, 0) > self.row.get(edge.source, 0):
            return Side.BOTTOM, Side.TOP
        return Side.TOP, Side.BOTTOM


def _adjacency(diagram: Diagram) -> tuple[list[str], list[list[int]], list[int]]:
    """Node ids in model order; per node position, the indexes of its outgoing edges; per edge,
    its target's position (-1 when it names no node). Positions in lists rather than dicts keyed
    by id: the layout is memory-bound at 50,000 nodes."""
    ids = [node.id for node in diagram.nodes]
    position = {node_id: i for i, node_id in enumerate(ids)}
    outgoing: list[list[int]] = [[] for _ in ids]
    target_of = [position.get(edge.target, -1) for edge in diagram.edges]
    for index, edge in enumerate(diagram.edges):
        source = position.get(edge.source)
        if source is not None and target_of[index] >= 0:
            outgoing[source].append(index)
    return ids, outgoing, target_of


def find_back_edges(diagram: Diagram, adjacency=None) -> set[int]:
    """Indexes of the edges that close a cycle, by an iterative depth-first search that visits
    nodes and their edges in model order (deterministic; no recursion limit at 50,000 nodes)."""
    ids, outgoing, target_of = adjacency or _adjacency(diagram)
    WHITE, GREY, BLACK = 0, 1, 2
    state = [WHITE] * len(ids)
    back: set[int] = set()
    for root in range(len(ids)):
        if state[root] != WHITE:
            continue
        state[root] = GREY
        stack = [(root, iter(outgoing[root]))]
        while stack:
            node, pending = stack[-1]
            for index in pending:
                target = target_of[index]
                colour = state[target]
                if colour == GREY:
                    back.add(index)
                elif colour == WHITE:
                    state[target] = GREY
                    stack.append((target, iter(outgoing[target])))
                    break
            else:
                state[node] = BLACK
                stack.pop()
    return back


def layout(diagram: Diagram) -> Layout:
    result = Layout()
    lane_position = {lane.id: i for i, lane in enumerate(diagram.lanes)}
    adjacency = _adjacency(diagram)
    ids, outgoing, target_of = adjacency
    result.back_edges = back = find_back_edges(diagram, adjacency)

    # Longest path over forward edges (Kahn's algorithm: each edge relaxed once).
    count = len(ids)
    column = [0] * count
    successors: list[list[int]] = [[] for _ in range(count)]
    indegree = [0] * count
    for source in range(count):
        for index in outgoing[source]:
            if index not in back:
                target = target_of[index]
                successors[source].append(target)
                indegree[target] += 1
    ready = deque(i for i in range(count) if indegree[i] == 0)
    while ready:
        node = ready.popleft()
        next_column = column[node] + 1
        for target in successors[node]:
            if column[target] < next_column:
                column[target] = next_column
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    result.column = dict(zip(ids, column))
    result.columns = (max(column) + 1) if column else 0

    # Rows: nodes of one lane sharing a column are stacked in model order.
    lane_rows = [1] * len(diagram.lanes)
    used: dict[tuple[int, int], int] = {}
    lanes = [lane_position.get(node.lane, 0) for node in diagram.nodes]
    rows = [0] * count
    for i in range(count):
        key = (lanes[i], column[i])
        row = used.get(key, 0)
        used[key] = row + 1
        rows[i] = row
        if lane_rows and row + 1 > lane_rows[lanes[i]]:
            lane_rows[lanes[i]] = row + 1
    result.lane_index = dict(zip(ids, lanes))
    result.row = dict(zip(ids, rows))
    result.lane_rows = lane_rows
    return result
