"""``check_diagram`` as it was before issue 13's growth pass (one joined string of every text of
the model searched for lone surrogates, a separate pass per check), kept to check the one-pass
version against (tests/test_model_check_diff.py). Only the functions that changed; the cycle
walk is the module's own."""
from __future__ import annotations

from converters.diagnostics import Diagnostic, Diagnostics
from converters.model.diagram import DIRECTIONS, Diagram, GroupKind
from converters.model.naming import edge_name
from converters.model.validate import _groups_in_cycles
from converters.text import first_surrogate


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
