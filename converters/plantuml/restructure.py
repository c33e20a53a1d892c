"""Stage 1 of the activity writer: any graph → PlantUML's blocks, in one linear walk.

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

The graph is held by node position (``converters.model.layout.adjacency``: one dict from id to
position, the edges leaving each node as one flat array), not in dicts and sets keyed by id: at
50,000 nodes every look-up by id is a cache miss, and the walk would make several per node.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Diagram, Edge, EdgeStyle, Node, NodeKind
from ..model.layout import adjacency

# Connector names: PlantUML takes one character. Letters first, then further scripts' letters.
_RANGES = ((0x41, 0x5A), (0x61, 0x7A), (0x391, 0x3A9), (0x3B1, 0x3C9), (0x410, 0x44F), (0x5D0, 0x5EA),
           (0x4E00, 0x9FFF), (0xAC00, 0xD7A3))


def connector_names():
    for low, high in _RANGES:
        for code in range(low, high + 1):
            if code != 0x3A2:  # no capital final sigma
                yield chr(code)


@dataclass(slots=True)
class Step:
    depth: int
    op: str  # node, lane, arrow, connector, detach, if, else, endif, switch, case, endswitch, fork,
    #          fork again, end fork, split, split again, end split, note
    node: Node | None = None
    label: str | None = None
    style: EdgeStyle = EdgeStyle.SOLID
    text: str = ""  # connector name / lane id / a node step's form (start, stop, action, …)
    edge: Edge | None = None


class Restructure:
    def __init__(self, diagram: Diagram) -> None:
        self.diagram = diagram
        graph = adjacency(diagram)  # (edges naming no node are left out, as the walk ignores them)
        self.position = graph.position  # node id → position of the node of that id (the last, if named twice)
        self.first, self.outgoing, self.target_of = graph.first, graph.outgoing, graph.target_of
        count = len(diagram.nodes)
        in_degree = [0] * count
        target_of = graph.target_of
        for index in graph.outgoing:
            in_degree[target_of[index]] += 1
        self.in_degree = in_degree
        # Each node's own position, or that of the node its id names when two nodes share an id
        # (the checks refuse such models; a writer called directly still writes them as before).
        self.canonical = range(count) if len(graph.position) == count else \
            [graph.position[node.id] for node in diagram.nodes]
        self.placed = bytearray(count)
        self.connectors: list[str | None] = [None] * count
        self.names = connector_names()
        self.steps: list[Step] = []
        self.emit = self.steps.append  # where each step goes as it is made (``run``)
        self.lane: str | None = None
        self.forms: list[str | None] = [None] * count  # by position: start | stop | fork | if | switch | action | note

    def written_as(self, index: int) -> str | None:
        """How the node at ``index`` of the model was written (None: not at all)."""
        return self.forms[self.canonical[index]]

    def connector(self, at: int) -> str:
        name = self.connectors[at]
        if name is None:
            name = next(self.names, None) or "?"
            self.connectors[at] = name
        return name

    def out_edges(self, at: int) -> list[int]:
        return self.outgoing[self.first[at]:self.first[at + 1]]

    def form(self, node: Node) -> str:
        """How a node is written (the writer reports a change of kind)."""
        return self.form_at(node, self.position[node.id])

    def form_at(self, node: Node, at: int) -> str:
        outgoing = self.first[at + 1] - self.first[at]
        incoming = self.in_degree[at]
        if node.kind is NodeKind.NOTE and not outgoing and not incoming:
            return "note"
        if node.kind is NodeKind.START and not incoming:
            return "start"
        if node.kind is NodeKind.END and not outgoing:
            return "stop"
        if node.kind is NodeKind.DECISION:
            # if/else for two outcomes; a lone outcome as a one-case switch (PlantUML refuses a
            # detach after an endif whose branch stopped); none as an empty if, then detach
            # (a switch read as one stays one when it has a case to write)
            switch = node.attributes.get("plantuml.decision") == "switch" and outgoing
            return "if" if outgoing in (0, 2) and not switch else "switch"
        if node.kind is NodeKind.GATEWAY and outgoing:
            return "fork"
        return "action"

    def run(self, emit=None) -> list[Step]:
        """The steps, in order: in the list returned, or, given ``emit``, handed to it one by one as
        they are made (the list stays empty: at 50,000 nodes the writer spells 100,000 steps
        without holding them all and reading them in a second pass)."""
        if emit is not None:
            self.emit = emit
        nodes, canonical, in_degree, placed = self.diagram.nodes, self.canonical, self.in_degree, self.placed
        roots = [i for i in range(len(nodes)) if in_degree[canonical[i]] == 0]
        notes = []
        for i in roots + list(range(len(nodes))):
            at = canonical[i]
            if placed[at]:
                continue
            node = nodes[i]
            if self.form_at(node, at) == "note":
                placed[at] = 1
                notes.append((node, at))
                continue
            self.walk(node, at, jumped_in=in_degree[at] > 0)
        for node, at in notes:
            self.switch_lane(node.lane, 0)
            self.emit(Step(0, "note", node))
            self.forms[at] = "note"
        return self.steps

    def switch_lane(self, lane: str, depth: int) -> None:
        if lane != self.lane:
            self.emit(Step(depth, "lane", text=lane))
            self.lane = lane

    def walk(self, root: Node, root_at: int, jumped_in: bool) -> None:
        # An explicit stack (no recursion: a chain of 50,000 nodes is one deep walk).
        nodes, edges, target_of, placed = self.diagram.nodes, self.diagram.edges, self.target_of, self.placed
        placed[root_at] = 1
        stack: list[tuple] = [("node", root, root_at, 0, jumped_in)]
        emit = self.emit
        while stack:
            item = stack.pop()
            kind = item[0]
            if kind == "node":
                _, node, at, depth, from_jump = item
                self.switch_lane(node.lane, depth)
                if self.in_degree[at] > 1 or from_jump:
                    emit(Step(depth, "connector", text=self.connector(at)))
                form = self.form_at(node, at)
                self.forms[at] = form
                out = self.out_edges(at)
                if form == "if":
                    emit(Step(depth, "if", node, edge=edges[out[0]] if out else None))
                    later: list[tuple] = []
                    if out:
                        later.append(("branch", out[0], depth + 1, True))
                        later.append(("step", Step(depth, "else", edge=edges[out[1]])))
                        later.append(("branch", out[1], depth + 1, True))
                    later.append(("step", Step(depth, "endif")))
                    if not out:
                        later.append(("step", Step(depth, "detach")))
                    stack.extend(reversed(later))
                elif form == "switch":
                    emit(Step(depth, "switch", node))
                    later = []
                    for index in out:
                        later.append(("step", Step(depth + 1, "case", edge=edges[index])))
                        later.append(("branch", index, depth + 2, True))
                    later.append(("step", Step(depth, "endswitch")))
                    stack.extend(reversed(later))
                elif form == "fork" or (len(out) > 1 and form != "stop"):
                    word = "fork" if form == "fork" else "split"
                    if form != "fork":
                        emit(Step(depth, "node", node, text=form))
                    emit(Step(depth, word, node))
                    later = []
                    for number, index in enumerate(out):
                        if number:
                            later.append(("step", Step(depth, f"{word} again")))
                        later.append(("branch", index, depth + 1, False))
                    later.append(("step", Step(depth, f"end {word}")))
                    stack.extend(reversed(later))
                else:
                    emit(Step(depth, "node", node, text=form))
                    if form == "stop":
                        continue
                    if out:
                        stack.append(("branch", out[0], depth, False))
                    elif form == "start":
                        # PlantUML refuses a detach right after start: end the flow in a connector
                        # that no statement continues
                        emit(Step(depth, "connector", text=next(self.names, None) or "?"))
                        emit(Step(depth, "detach"))
                    else:
                        emit(Step(depth, "detach"))
            elif kind == "step":
                emit(item[1])
            else:
                _, index, depth, in_decision = item
                edge = edges[index]
                if not in_decision and (edge.label or edge.style is not EdgeStyle.SOLID):
                    emit(Step(depth, "arrow", label=edge.label, style=edge.style, edge=edge))
                elif in_decision and edge.style is not EdgeStyle.SOLID:
                    emit(Step(depth, "arrow", style=edge.style, edge=edge))
                target = target_of[index]
                if not placed[target]:
                    placed[target] = 1
                    stack.append(("node", nodes[target], target, depth, False))
                else:
                    emit(Step(depth, "connector", text=self.connector(target)))
                    emit(Step(depth, "detach"))
