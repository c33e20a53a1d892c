"""PlantUML (``.puml``, ``.plantuml``, ``.pu``, ``.iuml``): activity diagrams (new syntax, and the
old one for reading) and sequence diagrams, both ways. See docs/plantuml.md."""
from __future__ import annotations

import re

from ..formats import Format, WriterOption
from .reader import read
from .writer import write

_START = re.compile(r"\s*(?:'[^\n]*\n\s*)*@startuml\b", re.I)


def sniff(text: str) -> bool:
    return bool(_START.match(text[:8192]))


FORMAT = Format(
    name="plantuml",
    title="PlantUML",
    extensions=(".puml", ".plantuml", ".pu", ".iuml"),
    reader=read,
    writer=write,
    options=(
        WriterOption("diagram", "auto", "activity (new-syntax activity diagram, one swimlane per lane) or sequence "
                     "(lanes as participants, cross-lane edges as messages); auto: sequence for a model read from "
                     "a sequence diagram, else activity", ("auto", "activity", "sequence")),
        WriterOption("extras", "report", "what PlantUML cannot carry (edge sides, ids, owners, groups, …): report "
                     "each loss, or keep it in ' flowzap comments that the reader applies back",
                     ("report", "comments")),
    ),
    sniff=sniff,
    aliases=("puml", "plant-uml"),
    media_type="text/vnd.plantuml",
    description="PlantUML activity diagrams (new and old syntax, swimlanes) and sequence diagrams",
    sniff_priority=10,
)

__all__ = ["FORMAT", "read", "write"]
