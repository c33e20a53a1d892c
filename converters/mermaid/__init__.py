"""Mermaid (``.mmd``, ``.mermaid``): flowchart/graph, swimlane-beta and sequenceDiagram, both ways.

Reading runs mermaid's own grammar (the tables of mermaid 11.17's jison parsers, see ``jison.py``),
so the reader accepts and rejects what mermaid does; writing emits ``flowchart`` (default),
``swimlane-beta`` or ``sequenceDiagram`` text that mermaid's parser accepts. See docs/mermaid.md.
"""
from __future__ import annotations

import re

from ..formats import Format, WriterOption
from .preprocess import DIRECTIVE, front_matter, strip_any_comments
from .reader import read
from .writer import write

# The keyword alone on its line (a direction may follow), as mermaid texts start; a FlowZap lane
# named "graph" ("graph { # …") is not one.
_KEYWORD = re.compile(r"\s*(?:(?:flowchart(?:-elk)?|graph|swimlane-beta)(?:[ \t]+(?:TB|TD|BT|RL|LR|[<>^v]))?"
                      r"|sequenceDiagram)[ \t]*(?:;|\n|\Z)")


def sniff(text: str) -> bool:
    head = text[:8192]
    found = front_matter(head)
    if found is not None:
        head = head[found[2]:]
    if "%%" in head:  # a directive starts with "%%": without one, the substitution is a long no-op
        head = DIRECTIVE.sub("", head)
    head = strip_any_comments(head)
    return bool(_KEYWORD.match(head))


FORMAT = Format(
    name="mermaid",
    title="Mermaid",
    extensions=(".mmd", ".mermaid"),
    reader=read,
    writer=write,
    options=(
        WriterOption("diagram", "auto", "flowchart (subgraph per lane), swimlane (swimlane-beta lanes), "
                     "sequence (lanes as participants, edges as messages), or auto: sequence for a model read "
                     "from a sequence diagram, else flowchart",
                     ("auto", "flowchart", "swimlane", "sequence")),
        WriterOption("extras", "report", "what Mermaid cannot carry (edge sides, loops, owners, …): report "
                     "each loss, or keep it in %% flowzap comments that the reader applies back",
                     ("report", "comments")),
    ),
    sniff=sniff,
    aliases=("mmd", "mermaid-js"),
    media_type="text/vnd.mermaid",
    description="Mermaid flowcharts (subgraphs as lanes), swimlane-beta and sequence diagrams",
    sniff_priority=10,
)

__all__ = ["FORMAT", "read", "write"]
