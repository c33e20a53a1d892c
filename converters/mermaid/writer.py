"""Model → Mermaid: ``diagram=flowchart`` (default), ``swimlane`` (swimlane-beta) or ``sequence``.

``flow_writer.py`` writes flowcharts and swimlanes, ``sequence_writer.py`` sequence diagrams
(docs/sequence.md), both with the text encoding of ``escape.py``. ``diagram=auto`` writes a model
read from a sequence diagram as a sequence diagram and any other as a flowchart.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram, edge_name
from .escape import LOST
from .flow_writer import FlowchartWriter, is_outside_lane
from .sequence_writer import SequenceWriter


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


def write(diagram: Diagram, options: dict[str, str]) -> tuple[str, list[Diagnostic]]:
    kind = options.get("diagram", "auto")
    if kind == "auto":
        kind = "sequence" if diagram.attributes.get("diagram") == "sequence" else \
            "swimlane" if diagram.attributes.get("mermaid.diagram") == "swimlane" else "flowchart"
    keep = options.get("extras", "report") == "comments"
    if kind == "sequence":
        text, found = SequenceWriter(diagram, keep).write()
    else:
        text, found = FlowchartWriter(diagram, keep, swimlane=(kind == "swimlane")).write()
    return text, found + report_lost_characters(diagram)


__all__ = ["is_outside_lane", "write"]
