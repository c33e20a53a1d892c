"""Model → Mermaid: ``diagram=flowchart`` (default), ``swimlane`` (swimlane-beta) or ``sequence``.

``flow_writer.py`` writes flowcharts and swimlanes, ``sequence_writer.py`` sequence diagrams
(docs/sequence.md), both with the text encoding of ``escape.py``. ``diagram=auto`` writes a model
read from a sequence diagram as a sequence diagram and any other as a flowchart.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic
from ..model import Diagram
from .flow_writer import FlowchartWriter, is_outside_lane
from .sequence_writer import SequenceWriter


def write(diagram: Diagram, options: dict[str, str]) -> tuple[str, list[Diagnostic]]:
    kind = options.get("diagram", "auto")
    if kind == "auto":
        kind = "sequence" if diagram.attributes.get("diagram") == "sequence" else "flowchart"
    keep = options.get("extras", "report") == "comments"
    if kind == "sequence":
        return SequenceWriter(diagram, keep).write()
    return FlowchartWriter(diagram, keep, swimlane=(kind == "swimlane")).write()


__all__ = ["is_outside_lane", "write"]
