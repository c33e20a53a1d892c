"""PlantUML text → the model: one diagram, read by the reader of its kind."""
from __future__ import annotations

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram
from .activity_reader import read_activity
from .legacy_reader import read_legacy
from .sequence_reader import read_sequence
from .source import split


def read(text: str) -> tuple[Diagram, list[Diagnostic]]:
    out = Diagnostics()
    source = split(text, out)
    if source.kind == "other":
        where = source.start
        out.add("PLANTUML_DIAGRAM_TYPE", f"{where.text if where else 'this'}: only activity and sequence diagrams "
                "are read", line=where.number if where else None, column=1)
        return Diagram(), out.items
    if source.kind == "empty" and source.start is not None:
        return Diagram(), out.items  # PlantUML accepts an empty diagram (and draws its welcome page)
    if source.kind == "empty":
        out.add("EMPTY_DIAGRAM", "the PlantUML text holds no statement",
                line=source.start.number if source.start else 1, column=1)
        return Diagram(), out.items
    if source.kind == "sequence":
        diagram = read_sequence(source, out)
    elif source.kind == "legacy":
        diagram = read_legacy(source, out)
    else:
        diagram = read_activity(source, out)
    for line in source.directives:
        if line.text[:12].lower().startswith(("!include", "!import")):
            out.add("PLANTUML_INCLUDE", f"{line.text[:80]!r}: the included text is not read (the converter reads "
                    "no files); kept as written, for PlantUML to include", line=line.number, column=line.column)
        previous = diagram.attributes.get("plantuml.preamble")
        diagram.attributes["plantuml.preamble"] = line.text if previous is None else previous + "\n" + line.text
    return diagram, out.items
