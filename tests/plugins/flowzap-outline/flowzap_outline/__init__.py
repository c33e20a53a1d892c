"""An outline format: one lane per unindented line, its steps indented under it, in order.

    Team
      Write the plan
      Review it

Each lane's steps are chained by edges. Small on purpose: it is the example of a format plugin.
"""
from __future__ import annotations

from dataclasses import replace

from converters.diagnostics import Diagnostics
from converters.formats import Format, WriterOption
from converters.model import Diagram, Edge, Lane, Node


def read(text: str):
    out = Diagnostics()
    diagram = Diagram()
    lane = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if not line[0].isspace():
            lane = Lane(line.strip(), line=number, column=1)
            diagram.lanes.append(lane)
        elif lane is None:
            out.add("SYNTAX_ERROR", "a step before any lane", line=number, column=1)
        else:
            node = Node(f"s{len(diagram.nodes) + 1}", lane.id, label=line.strip(), line=number,
                        column=len(line) - len(line.lstrip()) + 1)
            previous = [n for n in diagram.nodes if n.lane == lane.id]
            diagram.nodes.append(node)
            if previous:
                diagram.edges.append(Edge(previous[-1].id, node.id))
    if not diagram.lanes and not out.has_errors():
        out.add("EMPTY_DIAGRAM", "no lane in the outline")
    return diagram, out.items


def write(diagram: Diagram, options: dict[str, str]):
    indent = " " * int(options["indent"]) if options["indent"].isdigit() else "  "
    out = Diagnostics()
    lines = []
    implied = set()  # the edges an outline says by itself: from each step to the next in its lane
    for lane in diagram.lanes:
        lines.append(lane.display_label.replace("\n", " "))
        steps = [node for node in diagram.nodes if node.lane == lane.id]
        lines += [indent + (node.label or node.id).replace("\n", " ") for node in steps]
        implied.update((a.id, b.id) for a, b in zip(steps, steps[1:]))
    for edge in diagram.edges:
        if (edge.source, edge.target) not in implied:
            out.add("DROPPED_EDGE", f"an outline cannot show the edge {edge.source} -> {edge.target}",
                    element=f"{edge.source}->{edge.target}")
    return "\n".join(lines) + "\n", out.items


FORMAT = Format(
    name="outline",
    title="Outline (example plugin)",
    extensions=(".outline",),
    reader=read,
    writer=write,
    options=(WriterOption("indent", "2", "spaces before each step"),),
    description="lanes and their steps as an indented list",
)

IMPOSTOR = replace(FORMAT, name="mermaid", extensions=(".mmd",))
