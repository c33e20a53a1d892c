"""The layered layout: columns by longest path, back edges set aside, stable rows, linear time."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from converters import read
from converters.model import Diagram, Edge, Lane, Node, Side, layout
from converters.model.layout import edge_sides, find_back_edges, place


def chain(n: int, lanes: int = 1) -> Diagram:
    d = Diagram(lanes=[Lane(f"L{i}") for i in range(lanes)])
    d.nodes = [Node(f"n{i}", f"L{i % lanes}") for i in range(n)]
    d.edges = [Edge(f"n{i}", f"n{i + 1}") for i in range(n - 1)]
    return d


def test_columns_follow_the_longest_path_and_back_edges_are_found():
    d = chain(4)
    d.edges.append(Edge("n0", "n3"))  # a shortcut does not pull n3 left
    d.edges.append(Edge("n3", "n1"))  # a back edge
    placed = layout(d)
    assert [placed.column[f"n{i}"] for i in range(4)] == [0, 1, 2, 3]
    assert placed.back_edges == {4}
    assert placed.sides(d, 4) == (Side.TOP, Side.TOP)
    assert placed.sides(d, 0) == (Side.RIGHT, Side.LEFT)


def test_sides_between_lanes_and_stacked_rows():
    d = Diagram(lanes=[Lane("A"), Lane("B")],
                nodes=[Node("a", "A"), Node("b", "B"), Node("c", "A"), Node("x", "A")],
                edges=[Edge("a", "b"), Edge("b", "c"), Edge("a", "x"), Edge("x", "c")])
    placed = layout(d)
    assert placed.sides(d, 0) == (Side.BOTTOM, Side.TOP)  # down to a lane below
    assert placed.sides(d, 1) == (Side.TOP, Side.BOTTOM)  # up to a lane above
    assert placed.row["x"] == 0 and placed.lane_rows == [1, 1]


def test_nodes_sharing_a_column_in_a_lane_are_stacked():
    d = Diagram(lanes=[Lane("A")], nodes=[Node("s", "A"), Node("y", "A"), Node("n", "A")],
                edges=[Edge("s", "y"), Edge("s", "n")])
    placed = layout(d)
    assert (placed.column["y"], placed.row["y"]) == (1, 0) and (placed.column["n"], placed.row["n"]) == (1, 1)
    assert placed.lane_rows == [2]


def test_reference_example_back_edges_are_the_try_again_edges():
    path = Path(__file__).parent / "data" / "flowzap" / "00_seed_auth_flow.fz"
    d = read(path.read_text(), "flowzap")
    labels = sorted(d.edges[i].label for i in find_back_edges(d))
    assert labels == ["Retry", "Try again", "Try again"]


def test_deep_chains_need_no_recursion():
    placed = layout(chain(60_000, lanes=3))
    assert placed.columns == 60_000


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_edge_sides_at_once_are_the_sides_of_each_edge(data):
    """The FlowZap writer takes every edge's sides from ``edge_sides`` (positions, no dicts), the
    BPMN writer from ``Layout``: both must give the same sides, edges naming no node included."""
    lanes = [Lane(f"L{i}") for i in range(data.draw(st.integers(1, 3)))]
    nodes = [Node(f"n{i}", data.draw(st.sampled_from([lane.id for lane in lanes] + ["nowhere"])))
             for i in range(data.draw(st.integers(0, 12)))]
    ends = st.sampled_from([node.id for node in nodes] + ["ghost"])
    edges = [Edge(data.draw(ends), data.draw(ends)) for _ in range(data.draw(st.integers(0, 20)))]
    d = Diagram(lanes=lanes, nodes=nodes, edges=edges)
    placed = layout(d)
    assert edge_sides(d) == [placed.sides(d, i) for i in range(len(edges))]
    # the FlowZap writer gives the ends by position (its ids are unique, as here)
    position = {node.id: i for i, node in enumerate(nodes)}
    given = ([position.get(e.source, -1) for e in edges], [position.get(e.target, -1) for e in edges])
    assert edge_sides(d, given) == edge_sides(d)
    # the BPMN placement lays out a graph given by position only: the same sides, the same places
    lane_position = {lane.id: i for i, lane in enumerate(lanes)}
    by_position = place([lane_position.get(n.lane, 0) for n in nodes], len(lanes), *given)
    assert [by_position.sides(i) for i in range(len(edges))] == edge_sides(d)
    assert [(by_position.lanes[i], by_position.column[i], by_position.row[i]) for i in range(len(nodes))] == \
        [(placed.lane_index[n.id], placed.column[n.id], placed.row[n.id]) for n in nodes]
    assert (by_position.lane_rows, by_position.columns, by_position.back_edges) == \
        (placed.lane_rows, placed.columns, placed.back_edges)
    # rows as they were numbered before (one dict keyed by (lane, column) tuples)
    used, rows = {}, []
    for node in nodes:
        key = (lane_position.get(node.lane, 0), placed.column[node.id])
        rows.append(used.get(key, 0))
        used[key] = rows[-1] + 1
    assert rows == [placed.row[n.id] for n in nodes]
