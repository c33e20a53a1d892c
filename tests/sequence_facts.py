"""What mermaid's own parser sees in a sequence diagram, as comparable facts (tests only).

``facts(seen)`` takes the oracle's answer for a ``sequenceDiagram`` and returns its
participants (id, shown name, kind) in order, messages (ends, text, arrow type) in order, notes,
the frame (block markers with messages and notes as placeholders, in order), activations (with
messages as placeholders), created and destroyed participants, boxes. ``renamed`` maps
participant ids as the writer renamed them back to the originals.
"""
from __future__ import annotations

from tests.oracles.mermaid_oracle import SIGNAL_TYPES, visible_text

NOTE, ACTIVE_START, ACTIVE_END, AUTONUMBER = 2, 17, 18, 26
CENTRAL = frozenset({59, 60, 61})  # central connections mermaid records around a message ("()")


def facts(seen: dict, renamed: dict[str, str] | None = None) -> dict:
    back = {v: k for k, v in (renamed or {}).items()}
    name = lambda x: back.get(x, x)
    items = seen["messages"]
    frame, activity = [], []
    for m in items:
        t = m["type"]
        if t in SIGNAL_TYPES:
            frame.append("message")
            activity.append("message")
        elif t == NOTE:
            frame.append("note")
        elif t in (ACTIVE_START, ACTIVE_END):
            activity.append((t, name(m["from"])))
        elif t == AUTONUMBER or t in CENTRAL:
            continue
        else:
            frame.append((t, visible_text(m["message"]) if isinstance(m["message"], str) else m["message"]))
    return {
        "participants": [(name(a["name"]), visible_text(a["description"]), a["type"]) for a in seen["actors"]],
        "messages": [(name(m["from"]), name(m["to"]), visible_text(m["message"]), m["type"]) for m in items
                     if m["type"] in SIGNAL_TYPES],
        "notes": [(name(m["from"]), name(m["to"]), m.get("placement"), visible_text(m["message"])) for m in items
                  if m["type"] == NOTE],
        "frame": frame,
        "activations": activity,
        "created": sorted(map(name, seen.get("created", []))),
        "destroyed": sorted(map(name, seen.get("destroyed", []))),
        "boxes": [(b["name"], [name(k) for k in b["actorKeys"]]) for b in seen.get("boxes", [])],
    }
