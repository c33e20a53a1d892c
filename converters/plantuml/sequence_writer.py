"""The model → a PlantUML sequence diagram (docs/sequence.md is the shape it reads).

Participants are the lanes in order (kind, alias, created/destroyed); messages are the edges
between lanes — in the order of their target steps when the model is a timeline (every node has
at most one incoming edge, as every sequence reader makes), else in edge order (FlowZap's own
sequence view); notes are written where their step falls; groups become fragments around the
messages whose steps they hold. Same-lane edges of a flowchart, decisions and what else a sequence
cannot show are reported.
"""
from __future__ import annotations

import re

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram, Edge, EdgeStyle, Group, GroupKind, IdAllocator, Node, NodeKind, edge_name
from .sequence_reader import PARTICIPANT_KINDS
from .text import encode, header_lines

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_KEYWORDS = frozenset({*PARTICIPANT_KINDS, "as", "end", "else", "alt", "opt", "loop", "par", "break", "critical",
                       "group", "note", "box", "create", "destroy", "activate", "deactivate", "return", "ref",
                       "autonumber", "title", "partition", "also", "order"})
_FRAGMENT_WORDS = {GroupKind.LOOP: "loop", GroupKind.ALT: "alt", GroupKind.OPT: "opt", GroupKind.PAR: "par",
                   GroupKind.CRITICAL: "critical", GroupKind.BREAK: "break", GroupKind.GROUP: "group",
                   GroupKind.RECT: "group", GroupKind.SUBGRAPH: "group", GroupKind.PAR_OVER: "par"}
# Lines kept from a PlantUML sequence (plantuml.before / plantuml.after) that may be written back.
_KEPT_LINE = re.compile(r"(?:==[^=].*==|\.\.\.(?:.*\.\.\.)?|\|\|\d*\|\||\|\|\||ref\s+over\s+[^@].*|end\s*ref|"
                        r"(?:activate|deactivate|destroy)\s+[\w\"][^@]*|autonumber(?:\s+[\w .#\"<>/]*)?|"
                        r"autoactivate\s+(?:on|off)|newpage(?:\s+[^@].*)?)\Z", re.I)
_HEADS = {"async": "->>", "cross": "->x", "both": "<->", "open": "->"}


class SequenceWriter:
    def __init__(self, diagram: Diagram, keep: bool) -> None:
        self.diagram = diagram
        self.keep = keep
        self.out = Diagnostics()
        self.names: dict[str, str] = {}
        self.to_create: set[str] = set()
        self.lane_of = {n.id: n.lane for n in diagram.nodes}
        self.nodes = diagram.node_by_id()
        self.is_sequence = is_sequence(diagram)

    def write(self) -> tuple[str, list[Diagnostic]]:
        d = self.diagram
        lines = header_lines(d, self.out)
        lines.extend(self.participants())
        if d.attributes.get("autonumber"):
            value = d.attributes["autonumber"]
            lines.append("autonumber" + ("" if value == "on" else f" {encode(value)}"))
        events = self.events()
        lines.extend(self.body(events))
        if d.attributes.get("plantuml.after"):
            lines.extend(self.kept_lines(d.attributes["plantuml.after"], d))
        lines.append("@enduml")
        return "\n".join(lines) + "\n", self.out.items

    # -- participants --------------------------------------------------------------------------
    def participants(self) -> list[str]:
        d = self.diagram
        ids = IdAllocator(lambda s: bool(_IDENTIFIER.match(s)) and s.lower() not in _KEYWORDS,
                          lambda s: re.sub(r"[^A-Za-z0-9_]", "_", s).strip("_") or "P", fold=True,
                          reserved=_KEYWORDS)
        kept = {lane.id for lane in d.lanes if ids.reserve(lane.id)}
        boxes = {}
        for group in d.groups:
            if _kind(group) is GroupKind.BOX:
                for lane_id in (group.attributes.get("lanes") or "").split(","):
                    boxes.setdefault(lane_id, group)
        lines: list[str] = []
        open_box: Group | None = None
        for lane in d.lanes:
            name = lane.id if lane.id in kept else ids.allocate(lane.id, "P")
            self.names[lane.id] = name
            box = boxes.get(lane.id)
            if box is not open_box:
                if open_box is not None:
                    lines.append("end box")
                if box is not None:
                    colour = box.attributes.get("plantuml.color", "")
                    colour = f" {colour}" if re.fullmatch(r"#[\w#/\-]+", colour) else ""
                    lines.append(f'box "{encode(box.label or "")}"{colour}' if box.label or colour else "box")
                open_box = box
            kind = lane.attributes.get("participant", "participant")
            if kind not in PARTICIPANT_KINDS:
                kind = "participant"
            display = lane.label if lane.label is not None else lane.id
            line = f"{kind} {name}"
            if not display:
                self.out.add("CHANGED_LABEL", f"participant {lane.id!r}: PlantUML refuses an empty name; shown as "
                             f"{name!r}", line=lane.line, column=lane.column, element=lane.id)
            elif display != name:
                line = f'{kind} "{encode(display)}" as {name}'
                if lane.label is None:
                    self.out.add("RENAMED_ID", f"participant {lane.id!r} is named {name!r} in PlantUML",
                                 line=lane.line, column=lane.column, element=lane.id)
            if lane.attributes.get("plantuml.stereotype") and re.fullmatch(r"[\w ]+", lane.attributes[
                    "plantuml.stereotype"]):
                line += f" <<{lane.attributes['plantuml.stereotype']}>>"
            if re.fullmatch(r"-?\d+", lane.attributes.get("plantuml.order", "")):
                line += f" order {lane.attributes['plantuml.order']}"
            colour = lane.attributes.get("plantuml.color", "")
            if re.fullmatch(r"#[\w#/\-]+", colour):
                line += f" {colour}"
            if lane.attributes.get("created") == "true":
                self.to_create.add(lane.id)  # PlantUML wants `create` right before the creating message
            lines.append(line)
        if open_box is not None:
            lines.append("end box")
        return lines

    # -- messages in order -----------------------------------------------------------------
    def events(self) -> list[tuple[str, object]]:
        d = self.diagram
        incoming: dict[str, int] = {}
        for edge in d.edges:
            incoming[edge.target] = incoming.get(edge.target, 0) + 1
        timeline = all(count <= 1 for count in incoming.values())
        position = {n.id: i for i, n in enumerate(d.nodes)}
        messages: list[Edge] = []
        for edge in d.edges:
            if edge.source not in self.lane_of or edge.target not in self.lane_of:
                continue
            same = self.lane_of[edge.source] == self.lane_of[edge.target]
            if same and not self.is_sequence:
                name = edge_name(edge)
                self.out.add("DROPPED_EDGE", f"edge {name} stays inside lane {self.lane_of[edge.source]!r}; a "
                             "sequence diagram shows only messages between participants", line=edge.line,
                             column=edge.column, element=name)
                continue
            messages.append(edge)
        if timeline:
            messages.sort(key=lambda e: position[e.target])
        notes = [n for n in d.nodes if n.kind is NodeKind.NOTE]
        events: list[tuple[str, object]] = []
        note_index = 0
        for edge in messages:
            while note_index < len(notes) and position[notes[note_index].id] < position[edge.target]:
                events.append(("note", notes[note_index]))
                note_index += 1
            events.append(("message", edge))
        events.extend(("note", n) for n in notes[note_index:])
        for node in d.nodes:
            if node.kind in (NodeKind.DECISION, NodeKind.GATEWAY):
                self.out.add("DROPPED_NODE", f"{node.kind.value} {node.label or node.id!r}: a sequence diagram "
                             "shows its messages, not the choice", line=node.line, column=node.column,
                             element=node.id)
        return events

    def spans(self, events) -> dict[str, tuple[int, int]]:
        index_of: dict[str, int] = {}
        for index, (kind, item) in enumerate(events):
            index_of[item.target if kind == "message" else item.id] = index
        spans: dict[str, tuple[int, int]] = {}
        by_id = {g.id: g for g in self.diagram.groups}
        for group in self.diagram.groups:
            hits = [index_of[m] for m in group.members if m in index_of]
            if hits:
                spans[group.id] = (min(hits), max(hits))
        # a fragment covers its sections and nested fragments
        for group in self.diagram.groups:
            span = spans.get(group.id)
            parent = by_id.get(group.parent) if group.parent else None
            seen = 0
            while span is not None and parent is not None and seen < len(by_id):
                old = spans.get(parent.id, span)
                spans[parent.id] = (min(old[0], span[0]), max(old[1], span[1]))
                span = spans[parent.id]
                parent = by_id.get(parent.parent) if parent.parent else None
                seen += 1
        return spans

    def body(self, events) -> list[str]:
        spans = self.spans(events)
        groups = [g for g in self.diagram.groups if _kind(g) is not GroupKind.BOX]
        starting: dict[int, list[Group]] = {}
        for group in groups:
            if group.id not in spans:
                self.out.add("DROPPED_GROUP", f"{group.kind} {group.label or group.id!r} holds no message",
                             line=group.line, column=group.column, element=group.id)
                continue
            kind = _kind(group)
            if kind is not None and kind.is_section:
                continue
            if kind not in _FRAGMENT_WORDS:
                self.out.add("DROPPED_GROUP", f"{group.kind} has no sequence form", line=group.line,
                             column=group.column, element=group.id)
                continue
            starting.setdefault(spans[group.id][0], []).append(group)
        sections: dict[str, list[Group]] = {}
        for group in groups:
            kind = _kind(group)
            if kind is not None and kind.is_section and group.parent and group.id in spans:
                sections.setdefault(group.parent, []).append(group)
        lines: list[str] = []
        open_: list[tuple[Group, int]] = []
        section_at: dict[int, list[Group]] = {}
        for index, (kind, item) in enumerate(events):
            for group in sorted(starting.get(index, []), key=lambda g: -spans[g.id][1]):
                while open_ and open_[-1][1] < spans[group.id][1]:
                    break
                word = _FRAGMENT_WORDS[_kind(group)]
                label = f" {encode(group.label)}" if group.label else ""
                lines.append("  " * len(open_) + word + label)
                open_.append((group, spans[group.id][1]))
                for section in sections.get(group.id, []):
                    section_at.setdefault(spans[section.id][0], []).append(section)
            for section in section_at.pop(index, []):
                if open_ and index > spans[open_[-1][0].id][0]:
                    label = f" {encode(section.label)}" if section.label else ""
                    lines.append("  " * (len(open_) - 1) + "else" + label)
            pad = "  " * len(open_)
            if kind == "message" and item.attributes.get("plantuml.before"):
                lines.extend(pad + kept for kept in self.kept_lines(item.attributes["plantuml.before"], item))
            if kind == "message" and self.lane_of[item.target] in self.to_create:
                self.to_create.discard(self.lane_of[item.target])
                lines.append(f"{pad}create {self.names[self.lane_of[item.target]]}")
            lines.append(pad + (self.message(item) if kind == "message" else self.note(item)))
            while open_ and open_[-1][1] <= index:
                open_.pop()
                lines.append("  " * len(open_) + "end")
        return lines

    def kept_lines(self, text: str, element) -> list[str]:
        lines: list[str] = []
        in_ref = False
        for line in text.split("\n"):
            safe = bool(_KEPT_LINE.match(line)) or (in_ref and line.strip() and line.lstrip()[0] not in "@!'")
            if not safe:
                name = edge_name(element) if isinstance(element, Edge) else "diagram"
                self.out.add("DROPPED_ATTRIBUTE", f"{name}: a kept line {line[:40]!r} is not a statement the "
                             "writer puts back", element=name)
                continue
            lower = line.lower()
            if lower.startswith("ref") and ":" not in line:
                in_ref = True
            elif re.match(r"end\s*ref", lower):
                in_ref = False
            lines.append(line)
        if in_ref:
            lines.append("end ref")
        return lines

    def message(self, edge: Edge) -> str:
        source_node, target_node = self.nodes[edge.source], self.nodes[edge.target]
        source = self.names[source_node.lane]
        target = self.names[target_node.lane]
        head = edge.attributes.get("head")
        arrow = edge.attributes.get("plantuml.arrow")
        if not arrow or not re.fullmatch(r"[-<>ox/\\*]+|[-<>ox/\\]*\[[#\w,. ]*\][-<>ox/\\]*", arrow) or \
                arrow.startswith("<") and not arrow.endswith(">"):
            arrow = _HEADS.get(head or "", "->")
            # The line's style goes between the heads: "<" of a two-headed arrow stays in front.
            front, arrow = ("<", arrow[1:]) if arrow.startswith("<") else ("", arrow)
            if edge.style is EdgeStyle.DOTTED:
                arrow = "-" + arrow
            elif edge.style is EdgeStyle.INVISIBLE:
                arrow = "-[hidden]" + arrow[1:]
            elif edge.style is EdgeStyle.THICK:
                arrow = "-[bold]" + arrow[1:]
            arrow = front + arrow
        left = "[" if source_node.attributes.get("exogenous") == "left" else (
            "]" if source_node.attributes.get("exogenous") == "right" else source)
        right = "]" if target_node.attributes.get("exogenous") == "right" else (
            "[" if target_node.attributes.get("exogenous") == "left" else target)
        if left in "[]" and len(left) == 1:
            line = f"{left}{arrow} {target}"
        elif right in "[]" and len(right) == 1:
            line = f"{source} {arrow}{right}"
        else:
            line = f"{source} {arrow} {target}"
        marker = {"activate": " ++", "deactivate": " --", "both": " --++"}.get(edge.attributes.get("activation", ""),
                                                                           "")
        if edge.attributes.get("plantuml.parallel") == "true":
            line = "& " + line
        text = edge.label if edge.label is not None else target_node.label
        return f"{line}{marker} : {encode(text)}" if text else line + marker

    def note(self, node: Node) -> str:
        name = self.names.get(node.lane, node.lane)
        placement = node.attributes.get("placement", "right")
        if node.attributes.get("plantuml.note") == "across":
            return f"note across : {encode(node.label or '')}"
        shape = node.attributes.get("plantuml.note") if node.attributes.get("plantuml.note") in ("hnote", "rnote") \
            else "note"
        over = node.attributes.get("over")
        if placement == "over":
            names = [self.names[p] for p in over.split(",") if p in self.names] if over else [name]
            return f"{shape} over {', '.join(names or [name])} : {encode(node.label or '')}"
        placement = placement if placement in ("left", "right") else "right"
        return f"{shape} {placement} of {name} : {encode(node.label or '')}"


def is_sequence(diagram: Diagram) -> bool:
    """A model read from a sequence diagram (docs/sequence.md; Mermaid's reader still names it
    under its own prefix)."""
    return "sequence" in (diagram.attributes.get("diagram"), diagram.attributes.get("mermaid.diagram"))


def _kind(group: Group) -> GroupKind | None:
    # a model built by hand (or by an older reader) may hold the kind as its string value
    return GroupKind.parse(group.kind)


def write_sequence(diagram: Diagram, keep: bool) -> tuple[str, list[Diagnostic]]:
    return SequenceWriter(diagram, keep).write()
