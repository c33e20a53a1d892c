"""The activity writer's stage 1 as it was before it held the graph by position (2026-11-30): the
reference the differential test compares the new one with (tests/test_plantuml_restructure_diff.py).

Every node is placed once, every edge becomes one arrow:
- the walk starts from the nodes nothing reaches (in model order), then from any node left (cycles);
- a node's outgoing edges are its branches: a decision's as ``if``/``else`` (two) or ``switch``
  cases (one, or three and more), a parallel gateway's as ``fork`` branches, any other node's
  with several edges as ``split`` branches, a single edge as the next statement;
- a branch continues with its target in place when the target is not placed yet (a depth-first
  tree); otherwise it *jumps*: it ends in the target's connector ``(X)`` and ``detach``, and the
  target is written after the same connector, which PlantUML draws as a pair of labelled circles.
  ``goto``/``label`` would say the same, but PlantUML 1.2026 draws no arrow for a ``goto``.
The result is a flat list of steps with their nesting depth; ``emit`` spells them.
"""
from __future__ import annotations

from converters.model import Diagram, Edge, EdgeStyle, Node, NodeKind
# The step record and the connector names are not what the differential test compares: shared.
from converters.plantuml.restructure import Step, connector_names


class Restructure:
    def __init__(self, diagram: Diagram) -> None:
        self.diagram = diagram
        self.nodes = {n.id: n for n in diagram.nodes}
        self.outgoing: dict[str, list[Edge]] = {n.id: [] for n in diagram.nodes}
        self.in_degree: dict[str, int] = {n.id: 0 for n in diagram.nodes}
        for edge in diagram.edges:
            if edge.source in self.nodes and edge.target in self.nodes:
                self.outgoing[edge.source].append(edge)
                self.in_degree[edge.target] += 1
        self.placed: set[str] = set()
        self.connectors: dict[str, str] = {}
        self.names = connector_names()
        self.steps: list[Step] = []
        self.lane: str | None = None
        self.written_as: dict[str, str] = {}  # node id → start | stop | fork | if | switch | action | note

    def connector(self, node_id: str) -> str:
        name = self.connectors.get(node_id)
        if name is None:
            name = next(self.names, None) or "?"
            self.connectors[node_id] = name
        return name

    def form(self, node: Node) -> str:
        """How a node is written (the writer reports a change of kind)."""
        out = self.outgoing[node.id]
        incoming = self.in_degree[node.id]
        if node.kind is NodeKind.NOTE and not out and not incoming:
            return "note"
        if node.kind is NodeKind.START and not incoming:
            return "start"
        if node.kind is NodeKind.END and not out:
            return "stop"
        if node.kind is NodeKind.DECISION:
            # if/else for two outcomes; a lone outcome as a one-case switch (PlantUML refuses a
            # detach after an endif whose branch stopped); none as an empty if, then detach
            # (a switch read as one stays one when it has a case to write)
            switch = node.attributes.get("plantuml.decision") == "switch" and out
            return "if" if len(out) in (0, 2) and not switch else "switch"
        if node.kind is NodeKind.GATEWAY and out:
            return "fork"
        return "action"

    def run(self) -> list[Step]:
        roots = [n for n in self.diagram.nodes if self.in_degree[n.id] == 0]
        notes = []
        for node in roots + self.diagram.nodes:
            if node.id in self.placed:
                continue
            if self.form(node) == "note":
                self.placed.add(node.id)
                notes.append(node)
                continue
            self.walk(node, jumped_in=self.in_degree[node.id] > 0)
        for node in notes:
            self.switch_lane(node.lane, 0)
            self.steps.append(Step(0, "note", node))
            self.written_as[node.id] = "note"
        return self.steps

    def switch_lane(self, lane: str, depth: int) -> None:
        if lane != self.lane:
            self.steps.append(Step(depth, "lane", text=lane))
            self.lane = lane

    def walk(self, root: Node, jumped_in: bool) -> None:
        # An explicit stack (no recursion: a chain of 50,000 nodes is one deep walk).
        self.placed.add(root.id)
        stack: list[tuple] = [("node", root, 0, jumped_in)]
        steps = self.steps
        while stack:
            item = stack.pop()
            kind = item[0]
            if kind == "node":
                _, node, depth, from_jump = item
                self.switch_lane(node.lane, depth)
                if self.in_degree[node.id] > 1 or from_jump:
                    steps.append(Step(depth, "connector", text=self.connector(node.id)))
                form = self.form(node)
                self.written_as[node.id] = form
                out = self.outgoing[node.id]
                if form == "if":
                    steps.append(Step(depth, "if", node, edge=out[0] if out else None))
                    later: list[tuple] = []
                    if out:
                        later.append(("branch", out[0], depth + 1, True))
                        later.append(("step", Step(depth, "else", edge=out[1])))
                        later.append(("branch", out[1], depth + 1, True))
                    later.append(("step", Step(depth, "endif")))
                    if not out:
                        later.append(("step", Step(depth, "detach")))
                    stack.extend(reversed(later))
                elif form == "switch":
                    steps.append(Step(depth, "switch", node))
                    later = []
                    for edge in out:
                        later.append(("step", Step(depth + 1, "case", edge=edge)))
                        later.append(("branch", edge, depth + 2, True))
                    later.append(("step", Step(depth, "endswitch")))
                    stack.extend(reversed(later))
                elif form == "fork" or (len(out) > 1 and form != "stop"):
                    word = "fork" if form == "fork" else "split"
                    if form != "fork":
                        steps.append(Step(depth, "node", node))
                    steps.append(Step(depth, word, node))
                    later = []
                    for index, edge in enumerate(out):
                        if index:
                            later.append(("step", Step(depth, f"{word} again")))
                        later.append(("branch", edge, depth + 1, False))
                    later.append(("step", Step(depth, f"end {word}")))
                    stack.extend(reversed(later))
                else:
                    steps.append(Step(depth, "node", node))
                    if form == "stop":
                        continue
                    if out:
                        stack.append(("branch", out[0], depth, False))
                    elif form == "start":
                        # PlantUML refuses a detach right after start: end the flow in a connector
                        # that no statement continues
                        steps.append(Step(depth, "connector", text=next(self.names, None) or "?"))
                        steps.append(Step(depth, "detach"))
                    else:
                        steps.append(Step(depth, "detach"))
            elif kind == "step":
                steps.append(item[1])
            else:
                _, edge, depth, in_decision = item
                if not in_decision and (edge.label or edge.style is not EdgeStyle.SOLID):
                    steps.append(Step(depth, "arrow", label=edge.label, style=edge.style, edge=edge))
                elif in_decision and edge.style is not EdgeStyle.SOLID:
                    steps.append(Step(depth, "arrow", style=edge.style, edge=edge))
                target = self.nodes[edge.target]
                if edge.target not in self.placed:
                    self.placed.add(edge.target)
                    stack.append(("node", target, depth, False))
                else:
                    steps.append(Step(depth, "connector", text=self.connector(edge.target)))
                    steps.append(Step(depth, "detach"))
