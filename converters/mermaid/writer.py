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


def report_lost_characters(diagram: Diagram) -> list[Diagnostic]:
    """Characters no Mermaid text can give back (C0/C1 controls, non-characters, lone surrogates:
    mermaid's entity codes for them read as U+FFFD or as other characters) are written as U+FFFD
    by ``escape``; each element whose text holds one is named here. One pass over each element list
    (the title is carried whole: front matter is YAML, whose escapes hold any character)."""
    out = Diagnostics()
    for elements, named in ((diagram.lanes, True), (diagram.nodes, True), (diagram.edges, False), (diagram.groups, True)):
        for element in elements:
            # The common case, without a regex: every character ``LOST`` finds (and CR) is one
            # ``str.isprintable`` refuses, so a printable text holds none.
            label, attributes = element.label, element.attributes
            if (label is None or label.isprintable()) and (not named or _printable(element.id)) and \
                    (not attributes or all(_printable(value) for value in attributes.values())):
                continue
            name = element.id if named else edge_name(element)
            texts = [label or "", (element.id if named else None) or "", *attributes.values()]
            if any(LOST.search(text.replace("\r", "")) for text in texts if text):
                out.add("CHANGED_LABEL", f"{name!r}: control characters written as U+FFFD (Mermaid cannot carry them)",
                        line=element.line, column=element.column, element=name)
            elif label and "\r" in label:
                out.add("CHANGED_LABEL", f"{name!r}: a CR or CRLF line break is written as a line break (<br/>), read "
                        "back as LF", line=element.line, column=element.column, element=name)
    return out.items


def _printable(text: str | None) -> bool:
    return not text or text.isprintable()


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
