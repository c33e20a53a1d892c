"""Checks any diagram, whatever format it came from: ids unique, references resolvable."""
from __future__ import annotations

from ..diagnostics import Diagnostic, Diagnostics
from ..text import first_surrogate
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
    _check_encodable(diagram, out)
    for group in _groups_in_cycles(diagram):
        out.add("INVALID_VALUE", f"group {group.id!r} is inside itself (its parents form a cycle)",
                line=group.line, column=group.column, element=group.id)
    return out.items


def _texts(element) -> list[str]:
    texts = [value for value in (getattr(element, "id", None), getattr(element, "label", None)) if value]
    if element.attributes:
        texts.extend(element.attributes)
        texts.extend(element.attributes.values())
    return texts


def _all_texts(diagram: Diagram) -> str:
    parts = [diagram.title or ""]
    parts.extend(diagram.attributes)
    parts.extend(diagram.attributes.values())
    for elements in (diagram.lanes, diagram.nodes, diagram.groups):
        parts.extend(element.id for element in elements)
        parts.extend(element.label or "" for element in elements)
        for element in elements:
            if element.attributes:
                parts.extend(element.attributes)
                parts.extend(element.attributes.values())
    for edge in diagram.edges:
        parts.append(edge.label or "")
        parts.append(edge.id or "")
        if edge.attributes:
            parts.extend(edge.attributes)
            parts.extend(edge.attributes.values())
    return "\n".join(parts)


def _check_encodable(diagram: Diagram, out: Diagnostics) -> None:
    """Lone surrogates (a ``str`` can hold them, no encoding can carry them) in any text of the
    model: no writer could emit them. One joined search keeps the common case cheap."""
    if first_surrogate(_all_texts(diagram)) is None:
        return
    for elements in (diagram.lanes, diagram.nodes, diagram.edges, diagram.groups):
        for element in elements:
            if any(first_surrogate(text) is not None for text in _texts(element)):
                name = element.id if element.id is not None else edge_name(element)
                out.add("INVALID_VALUE", f"{type(element).__name__.lower()} {name!r} holds a lone surrogate, "
                        "which no encoding can carry", line=element.line, column=element.column, element=name)
    if first_surrogate("\n".join([diagram.title or ""] + _texts(diagram))) is not None:
        out.add("INVALID_VALUE", "the diagram's title or attributes hold a lone surrogate, which no encoding can carry")


def _parents(diagram: Diagram) -> dict[str, str]:
    return {group.id: group.parent for group in diagram.groups if group.parent is not None}


def _groups_in_cycles(diagram: Diagram) -> list:
    """Groups whose chain of parents comes back to them; each chain is walked once (linear)."""
    parent = _parents(diagram)
    if not parent:
        return []
    state: dict[str, int] = {}  # 1: on the chain being walked, 2: done
    cyclic: set[str] = set()
    for start in parent:
        chain = []
        current = start
        while current is not None and current not in state:
            state[current] = 1
            chain.append(current)
            current = parent.get(current)
        if current is not None and state.get(current) == 1:  # came back into this chain
            cyclic.update(chain[chain.index(current):])
        for member in chain:
            state[member] = 2
    return [group for group in diagram.groups if group.id in cyclic]


def nesting_depth(diagram: Diagram, stop_at: int | None = None) -> int:
    """How deep groups nest (1: no group inside another), in linear time; a cycle counts as
    ``stop_at`` + 1. Stops counting past ``stop_at``."""
    parent = _parents(diagram)
    if not diagram.groups:
        return 0
    depth: dict[str, int] = {}
    deepest = 1
    ceiling = stop_at + 1 if stop_at is not None else len(diagram.groups) + 1
    for group in diagram.groups:
        chain = []
        current = group.id
        while current is not None and current not in depth and len(chain) <= ceiling:
            chain.append(current)
            current = parent.get(current)
        if current is None:  # reached a top-level group
            base = 0
        elif len(chain) > ceiling:  # too deep, or a cycle
            base = ceiling
        else:
            base = depth[current]
        for offset, member in enumerate(reversed(chain), 1):
            depth[member] = min(base + offset, ceiling)
        deepest = max(deepest, depth.get(group.id, ceiling))
        if deepest >= ceiling:
            return deepest
    return deepest
