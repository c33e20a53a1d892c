"""``report_lost_characters`` of the Mermaid writer as it was before issue 13's growth pass (one
joined string of every text searched first), kept to check the version without the joined copy
against (tests/test_model_check_diff.py)."""
from __future__ import annotations

from converters.diagnostics import Diagnostic, Diagnostics
from converters.mermaid.escape import LOST
from converters.model import Diagram, edge_name


def _all_texts(diagram: Diagram) -> str:
    """Every text ``report_lost_characters`` looks at, joined (a newline is no lost character)."""
    parts = [diagram.title or ""]
    for elements in (diagram.lanes, diagram.nodes, diagram.edges, diagram.groups):
        parts.extend(element.label or "" for element in elements)
        for element in elements:
            if element.attributes:
                parts.extend(element.attributes.values())
    parts.extend(lane.id for lane in diagram.lanes)
    parts.extend(node.id for node in diagram.nodes)
    parts.extend(group.id for group in diagram.groups)
    return "\n".join(parts)


def report_lost_characters(diagram: Diagram) -> list[Diagnostic]:
    """Characters no Mermaid text can give back (C0/C1 controls, non-characters, lone surrogates:
    mermaid's entity codes for them read as U+FFFD or as other characters) are written as U+FFFD
    by ``escape``; each element whose text holds one is named here. One linear scan."""
    if LOST.search(_all_texts(diagram)) is None:  # the common case: one search over every text
        return []
    out = Diagnostics()
    # (the title is carried whole: front matter is YAML, whose escapes hold any character)
    elements = [(lane.id, lane, lane.id) for lane in diagram.lanes]
    elements += [(node.id, node, node.id) for node in diagram.nodes]
    elements += [(edge_name(edge), edge, None) for edge in diagram.edges]
    elements += [(group.id, group, group.id) for group in diagram.groups]
    for name, element, identifier in elements:
        texts = [element.label or "", identifier or "", *element.attributes.values()]
        if any(LOST.search(text.replace("\r", "")) for text in texts if text):
            out.add("CHANGED_LABEL", f"{name!r}: control characters written as U+FFFD (Mermaid cannot carry them)",
                    line=element.line, column=element.column, element=name)
        elif element.label and "\r" in element.label:
            out.add("CHANGED_LABEL", f"{name!r}: a CR or CRLF line break is written as a line break (<br/>), read "
                    "back as LF", line=element.line, column=element.column, element=name)
    return out.items
