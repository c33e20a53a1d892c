"""The model → PlantUML: an activity diagram (new syntax) or a sequence diagram."""
from __future__ import annotations

from ..diagnostics import Diagnostic
from ..model import Diagram
from .activity_writer import write_activity
from .sequence_writer import is_sequence, write_sequence


def write(diagram: Diagram, options: dict[str, str]) -> tuple[str, list[Diagnostic]]:
    kind = options.get("diagram", "auto")
    keep = options.get("extras", "report") == "comments"
    if kind == "auto":
        kind = "sequence" if is_sequence(diagram) else "activity"
    if kind == "sequence":
        return write_sequence(diagram, keep)
    return write_activity(diagram, keep)
