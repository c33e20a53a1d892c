"""Generated diagrams of any size for benchmarks: lanes, forward flow with decisions, cross-lane
hand-offs, back edges and loops; a third of the edges without sides so the writers lay them out."""
from __future__ import annotations

import random

from converters.model import Diagram, Edge, Group, Lane, Node, NodeKind, Side


def generate(nodes: int, lanes: int = 6, seed: int = 7) -> Diagram:
    rng = random.Random(seed)
    diagram = Diagram(lanes=[Lane(f"Lane{i}", f"Lane number {i}") for i in range(lanes)])
    kinds = [NodeKind.TASK] * 6 + [NodeKind.DECISION, NodeKind.USER_TASK]
    for i in range(nodes):
        kind = NodeKind.START if i == 0 else NodeKind.END if i == nodes - 1 else rng.choice(kinds)
        lane = f"Lane{min(lanes - 1, int(i / nodes * lanes + rng.random() * 1.5))}"
        node = Node(f"n{i + 1}", lane, kind, f"Step {i + 1} of the generated process")
        if kind is NodeKind.USER_TASK:
            node.attributes = {"owner": "Team", "system": "ERP"}
        diagram.nodes.append(node)
    for i in range(nodes - 1):
        source, target = f"n{i + 1}", f"n{i + 2}"
        edge = Edge(source, target, "Yes" if diagram.nodes[i].kind is NodeKind.DECISION else None)
        if i % 3:
            edge.source_side, edge.target_side = Side.RIGHT, Side.LEFT
        diagram.edges.append(edge)
        if diagram.nodes[i].kind is NodeKind.DECISION:
            back = max(1, i + 1 - rng.randint(1, 8))
            diagram.edges.append(Edge(source, f"n{back}", "No"))
    for i in range(0, nodes - 3, 50):
        diagram.groups.append(Group(f"loop{i}", "loop", "until done", [f"n{i + 1}", f"n{i + 2}", f"n{i + 3}"]))
    return diagram
