"""Checks any diagram, whatever format it came from: ids unique, references resolvable."""
from __future__ import annotations

from ..diagnostics import Diagnostic, Diagnostics
from ..text import first_surrogate
from .diagram import DIRECTIONS, Diagram, GroupKind
from .naming import edge_name


def check_diagram(diagram: Diagram) -> list[Diagnostic]:
    """One pass over each element list (lanes, nodes, groups, edges) makes every check of that
    list: ids unique, references resolvable, texts encodable. The model of 50,000 nodes does not
    fit a cache, so each further pass over it (or a copy of all its texts) costs a miss per
    element. The problems are reported in the order of the checks, not of the passes."""
    found = _Found()
    lanes = _ids("lane", diagram.lanes, found.duplicate_lanes, found.encoding_lanes)
    nodes = _nodes(diagram.nodes, lanes, found)
    groups = _ids("group", diagram.groups, found.duplicate_groups, found.encoding_groups)
    _edges(diagram.edges, nodes, found)
    if diagram.direction not in DIRECTIONS:
        found.direction.append(("INVALID_VALUE", f"direction {diagram.direction!r} is not one of {', '.join(DIRECTIONS)}",
                                None))
    if diagram.groups:
        _groups(diagram.groups, lanes, nodes, groups, found)
    if _holds_surrogate(diagram.title) or _attributes_hold_surrogate(diagram.attributes):
        found.diagram.append(("INVALID_VALUE", "the diagram's title or attributes hold a lone surrogate, "
                              "which no encoding can carry", None))
    out = Diagnostics()
    for code, message, element in found.in_order():
        if element is None:
            out.add(code, message)
        else:
            name, where = element
            out.add(code, message, line=where.line, column=where.column, element=name)
    for group in _groups_in_cycles(diagram):
        out.add("INVALID_VALUE", f"group {group.id!r} is inside itself (its parents form a cycle)",
                line=group.line, column=group.column, element=group.id)
    return out.items


class _Found:
    """The problems each pass finds, by check (each list in its elements' order)."""

    __slots__ = ("duplicate_lanes", "duplicate_nodes", "duplicate_groups", "duplicate_edges", "direction",
                 "node_lanes", "edge_ends", "group_references", "encoding_lanes", "encoding_nodes",
                 "encoding_edges", "encoding_groups", "diagram")

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, [])

    def in_order(self):
        for name in self.__slots__:
            yield from getattr(self, name)


def _duplicate(kind: str, element) -> tuple:
    return ("DUPLICATE_ID", f"{kind} id {element.id!r} is used twice", (element.id, element))


def _unencodable(element, name) -> tuple:
    return ("INVALID_VALUE", f"{type(element).__name__.lower()} {name!r} holds a lone surrogate, "
            "which no encoding can carry", (name, element))


def _ids(kind: str, elements, duplicates: list, unencodable: list) -> set[str]:
    """The ids of lanes or groups, with their duplicates and their texts no encoding can carry."""
    seen: set[str] = set()
    for element in elements:
        if element.id is not None:
            if element.id in seen:
                duplicates.append(_duplicate(kind, element))
            seen.add(element.id)
        if _element_holds_surrogate(element):
            unencodable.append(_unencodable(element, element.id))
    return seen


def _nodes(nodes, lanes: set[str], found: _Found) -> set[str]:
    seen: set[str] = set()
    add = seen.add
    for node in nodes:
        identifier = node.id
        if identifier is not None:
            if identifier in seen:
                found.duplicate_nodes.append(_duplicate("node", node))
            add(identifier)
        if node.lane not in lanes:
            found.node_lanes.append(("DANGLING_REFERENCE", f"node {identifier!r} is in lane {node.lane!r}, which does "
                                     "not exist", (identifier, node)))
        label = node.label
        if not (identifier.__class__ is str and identifier.isascii() and (label is None or label.isascii())
                and not node.attributes) and _element_holds_surrogate(node):
            found.encoding_nodes.append(_unencodable(node, identifier))
    return seen


def _edges(edges, nodes: set[str], found: _Found) -> None:
    seen: set[str] = set()
    for edge in edges:
        identifier, source, target = edge.id, edge.source, edge.target
        if identifier is not None:
            if identifier in seen:
                found.duplicate_edges.append(_duplicate("edge", edge))
            seen.add(identifier)
        for end in (source, target):
            if end not in nodes:
                found.edge_ends.append(("DANGLING_REFERENCE", f"edge {source} -> {target} names node {end!r}, which "
                                        "does not exist", (edge_name(edge), edge)))
        label = edge.label
        if not ((identifier is None or identifier.isascii()) and (label is None or label.isascii())
                and not edge.attributes) and _element_holds_surrogate(edge):
            name = identifier if identifier is not None else edge_name(edge)
            found.encoding_edges.append(_unencodable(edge, name))


def _groups(groups, lanes: set[str], nodes: set[str], ids: set[str], found: _Found) -> None:
    problems = found.group_references
    for group in groups:
        where = (group.id, group)
        if GroupKind.parse(group.kind) is None:
            problems.append(("INVALID_VALUE", f"group {group.id!r} has kind {group.kind!r}, which is not one of "
                             f"{', '.join(k.value for k in GroupKind)}", where))
        for member in group.members:
            if member not in nodes:
                problems.append(("DANGLING_REFERENCE", f"group {group.id!r} lists node {member!r}, which does not exist",
                                 where))
        if group.lane is not None and group.lane not in lanes:
            problems.append(("DANGLING_REFERENCE", f"group {group.id!r} is in lane {group.lane!r}, which does not exist",
                             where))
        if group.parent is not None and group.parent not in ids:
            problems.append(("DANGLING_REFERENCE", f"group {group.id!r} is inside group {group.parent!r}, which does "
                             "not exist", where))


def _holds_surrogate(text) -> bool:
    """Whether ``text`` holds a lone surrogate (a ``str`` can hold one, no encoding can carry it);
    no text (None, empty) holds none."""
    return bool(text) and first_surrogate(text) is not None


def _attributes_hold_surrogate(attributes: dict) -> bool:
    return any(_holds_surrogate(key) or _holds_surrogate(value) for key, value in attributes.items()) if attributes \
        else False


def _element_holds_surrogate(element) -> bool:
    return _holds_surrogate(element.id) or _holds_surrogate(element.label) or \
        _attributes_hold_surrogate(element.attributes)


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
