"""Checks any diagram, whatever format it came from: ids unique, references resolvable."""
from __future__ import annotations

from ..diagnostics import Diagnostic, Diagnostics
from .diagram import DIRECTIONS, Diagram, GroupKind
from .naming import edge_name


def check_diagram(diagram: Diagram) -> list[Diagnostic]:
    out = Diagnostics()

    def unique(kind: str, elements) -> set[str]:
        seen: set[str] = set()
        for element in elements:
            if element.id is None:
                continue
            if element.id in seen:
                out.add("DUPLICATE_ID", f"{kind} id {element.id!r} is used twice",
                        line=element.line, column=element.column, element=element.id)
            seen.add(element.id)
        return seen

    lanes = unique("lane", diagram.lanes)
    nodes = unique("node", diagram.nodes)
    groups = unique("group", diagram.groups)
    unique("edge", diagram.edges)

    if diagram.direction not in DIRECTIONS:
        out.add("INVALID_VALUE", f"direction {diagram.direction!r} is not one of {', '.join(DIRECTIONS)}")
    for node in diagram.nodes:
        if node.lane not in lanes:
            out.add("DANGLING_REFERENCE", f"node {node.id!r} is in lane {node.lane!r}, which does not exist",
                    line=node.line, column=node.column, element=node.id)
    for edge in diagram.edges:
        for end in (edge.source, edge.target):
            if end not in nodes:
                out.add("DANGLING_REFERENCE", f"edge {edge.source} -> {edge.target} names node {end!r}, which does not exist",
                        line=edge.line, column=edge.column, element=edge_name(edge))
    for group in diagram.groups:
        if GroupKind.parse(group.kind) is None:
            out.add("INVALID_VALUE", f"group {group.id!r} has kind {group.kind!r}, which is not one of "
                    f"{', '.join(k.value for k in GroupKind)}", line=group.line, column=group.column, element=group.id)
        for member in group.members:
            if member not in nodes:
                out.add("DANGLING_REFERENCE", f"group {group.id!r} lists node {member!r}, which does not exist",
                        line=group.line, column=group.column, element=group.id)
        if group.lane is not None and group.lane not in lanes:
            out.add("DANGLING_REFERENCE", f"group {group.id!r} is in lane {group.lane!r}, which does not exist",
                    line=group.line, column=group.column, element=group.id)
        if group.parent is not None and group.parent not in groups:
            out.add("DANGLING_REFERENCE", f"group {group.id!r} is inside group {group.parent!r}, which does not exist",
                    line=group.line, column=group.column, element=group.id)
    return out.items
