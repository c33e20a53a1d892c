"""Model → Mermaid ``sequenceDiagram``, from the model's one sequence shape (docs/sequence.md).

Lanes are participants, in order (``participant`` kind, alias as the lane label, ``created`` /
``destroyed`` written as ``create``/``destroy`` next to the message that makes or ends them);
messages are edges, in the order of their target steps when the model is a timeline (every node
reached by at most one edge, as every sequence reader makes it), else in edge order; notes are
NOTE nodes placed in that order; fragments are groups, written around the events of their
members, their sections as ``else``/``and``/``option``; ``BOX`` groups box their lanes.

A FlowZap model read as a sequence: edges inside one lane are flow, not messages (dropped and
reported), and every node that no message reaches is reported — nothing is left out silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram, Edge, EdgeStyle, Group, GroupKind, Lane, Node, NodeKind, edge_name
from .escape import IdMap, header_lines, mermaid_ids, message_text, one_line, statement_value
from .flow_writer import comment_lines
from .sequence_readback import ReadBack

SEQUENCE_KEYWORDS = frozenset({
    "participant", "actor", "create", "destroy", "as", "loop", "rect", "opt", "alt", "else", "par", "par_over",
    "and", "critical", "option", "break", "end", "left", "right", "of", "links", "link", "properties", "details",
    "over", "note", "activate", "deactivate", "title", "acctitle", "accdescr", "sequencediagram", "autonumber",
    "off", "box",
})
PARTICIPANT_KINDS = ("participant", "actor", "boundary", "control", "entity", "database", "collections", "queue")
_FRAGMENTS = {GroupKind.LOOP: "loop", GroupKind.ALT: "alt", GroupKind.OPT: "opt", GroupKind.PAR: "par",
              GroupKind.PAR_OVER: "par_over", GroupKind.CRITICAL: "critical", GroupKind.BREAK: "break",
              GroupKind.RECT: "rect"}
# The section keyword each fragment takes (mermaid's grammar accepts no other).
_SECTION_OF = {GroupKind.ALT: GroupKind.ELSE, GroupKind.PAR: GroupKind.AND, GroupKind.PAR_OVER: GroupKind.AND,
               GroupKind.CRITICAL: GroupKind.OPTION}
# (head, dotted) → the arrow (docs/sequence.md ``head``).
_ARROWS = {("arrow", False): "->>", ("arrow", True): "-->>", ("open", False): "->", ("open", True): "-->",
           ("cross", False): "-x", ("cross", True): "--x", ("async", False): "-)", ("async", True): "--)",
           ("both", False): "<<->>", ("both", True): "<<-->>"}
_MARKERS = {"activate": "+", "deactivate": "-"}
_CENTRAL = ("()", "()<", "()<>")  # mermaid's central connections, kept in ``mermaid.activation``
_PLACEMENTS = {"left": "left of", "right": "right of", "over": "over", "left of": "left of",
               "right of": "right of"}
_LINK_KEYS = ("links", "link", "properties", "details")
_ENTITY_LIKE = re.compile(r"#\w+;")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?|\.[0-9]{1,2}")  # mermaid's NUM token


@dataclass(slots=True)
class _Event:
    kind: str  # "msg" or "note"
    edge: Edge | None = None
    node: Node | None = None
    # participant lines (str) and activations ((word, lane)) written just before / after it
    before: list = field(default_factory=list)
    after: list = field(default_factory=list)


class SequenceWriter:
    def __init__(self, diagram: Diagram, keep: bool) -> None:
        self.d = diagram
        self.keep = keep
        self.out = Diagnostics()
        self.ids = IdMap(mermaid_ids(SEQUENCE_KEYWORDS, fold=True), "participant", self.out)
        self.lanes = diagram.lane_by_id()
        self.lane_of = {n.id: n.lane for n in diagram.nodes}
        self.nodes = diagram.node_by_id()
        self.node_index = {n.id: i for i, n in enumerate(diagram.nodes)}
        # same-lane edges are self-messages in a sequence model, flow inside a lane otherwise
        self.sequence = diagram.attributes.get("diagram") == "sequence" or is_timeline(diagram)
        self.body: list[str] = []
        self.active: dict[str, int] = {}  # lane → how many activations are open, as mermaid counts them
        self.back = ReadBack(diagram, self.ids, self.out)

    # -- the whole text ------------------------------------------------------------------------
    def write(self) -> tuple[str, list[Diagnostic]]:
        d = self.d
        lines = header_lines(d, self.out)
        lines.append("sequenceDiagram")
        autonumber = d.attributes.get("autonumber") or d.attributes.get("mermaid.autonumber")
        if autonumber:
            words = autonumber.split()
            if autonumber == "on":
                lines.append("  autonumber")
            elif autonumber == "off" or (all(_NUMBER.fullmatch(w) for w in words) and len(words) <= 2):
                lines.append(f"  autonumber {' '.join(words)}")
            else:
                self.out.add("DROPPED_ATTRIBUTE", f"diagram: autonumber {autonumber!r} has no Mermaid form",
                             element="autonumber")
        for key in ("accTitle", "accDescr"):
            if d.attributes.get(f"mermaid.{key}") and one_line(d.attributes[f"mermaid.{key}"]):
                lines.append(f"  {key}: {one_line(d.attributes[f'mermaid.{key}'])}")
        lines.extend(comment_lines(d, self.out))
        for lane in d.lanes:
            self.ids.reserve(lane.id)
        for lane in d.lanes:
            self.ids.assign(lane.id, lane)
        events = self.events()
        deferred = self.place_participants(events)
        lines.extend(self.participant_lines([lane for lane in d.lanes if lane.id not in deferred]))
        self.write_events(events)
        lines.extend(self.body)
        self.report_unwritten_nodes(events)
        self.back.report({d.element for d in self.out.items if d.element is not None and d.code.startswith("DROPPED_")
                          and d.code not in ("DROPPED_ATTRIBUTE", "DROPPED_EDGE_SIDES", "DROPPED_EDGE_STYLE")})
        return "\n".join(lines) + "\n", self.out.items

    # -- participants ----------------------------------------------------------------------------
    def participant_kind(self, lane: Lane) -> str:
        kind = lane.attributes.get("participant") or lane.attributes.get("mermaid.participant") or "participant"
        if kind not in PARTICIPANT_KINDS:
            self.out.add("DROPPED_ATTRIBUTE", f"lane {lane.id}: participant kind {kind!r} has no Mermaid form; "
                         "written as a participant", line=lane.line, column=lane.column, element=lane.id)
            return "participant"
        return kind

    def declaration(self, lane: Lane, create: bool = False) -> str:
        pid = self.ids[lane.id]
        kind = self.participant_kind(lane)
        word = "actor" if kind == "actor" else "participant"
        line = f"{'create ' if create else ''}{word} {pid}"
        data = lane.attributes.get("mermaid.data")
        if data is not None and (statement_value(data) is None or "}" in data or "#" in data):
            self.out.add("DROPPED_ATTRIBUTE", f"lane {lane.id}: mermaid.data would not stay one statement; left out",
                         line=lane.line, column=lane.column, element=lane.id)
            data = None
        if data is not None:
            line += f"@{{ {data} }}"
        elif kind not in ("actor", "participant"):
            line += f'@{{ "type": "{kind}" }}'
        label = lane.label if lane.label is not None else lane.id
        if label != pid:
            line += f" as {message_text(label, _markup(lane.attributes))}"
        return line

    def participant_lines(self, lanes: list[Lane]) -> list[str]:
        """Participants declared before the first message, boxed as their ``BOX`` groups say."""
        box_of: dict[str, Group] = {}
        for group in self.d.groups:
            if group.kind == GroupKind.BOX:
                for lane_id in (group.attributes.get("lanes") or "").split(","):
                    if lane_id in self.lanes and lane_id not in box_of:
                        box_of[lane_id] = group
        lines: list[str] = []
        open_box: Group | None = None
        closed: set[str] = set()
        for lane in lanes:
            box = box_of.get(lane.id)
            if box is not open_box:
                if open_box is not None:
                    lines.append("  end")
                    closed.add(open_box.id)
                if box is not None and box.id in closed:
                    self.out.add("DROPPED_GROUP", f"box {box.label or box.id!r}: its participants are not "
                                 f"adjacent; {lane.id} is written outside it", element=box.id)
                    box = None
                if box is not None:
                    lines.append(f"  box {self.box_title(box)}".rstrip())
                    self.back.box(box)
                open_box = box
            lines.append(("    " if open_box is not None else "  ") + self.declaration(lane))
            lines.extend(self.link_lines(lane, "    " if open_box is not None else "  "))
        if open_box is not None:
            lines.append("  end")
        return lines

    def box_title(self, box: Group) -> str:
        """A box's text (a colour, then a title), as written when it stays one statement."""
        label = box.label or ""
        if not label.strip():
            return ""
        if statement_value(label) is not None and "#" not in label.replace("#", "", 1) \
                and not _ENTITY_LIKE.search(label) and "<" not in label:
            return label.strip()
        return message_text(label, _markup(box.attributes))

    def link_lines(self, lane: Lane, pad: str) -> list[str]:
        result = []
        for key in _LINK_KEYS:
            value = lane.attributes.get(f"mermaid.{key}")
            if value is None:
                continue
            if "\n" in value or "\r" in value or ";" in value or "#" in value:
                self.out.add("DROPPED_ATTRIBUTE", f"lane {lane.id}: mermaid.{key} would not stay one statement; "
                             "left out", line=lane.line, column=lane.column, element=lane.id)
                continue
            result.append(f"{pad}{key} {self.ids[lane.id]}: {value}")
        return result

    def place_participants(self, events: list[_Event]) -> set[str]:
        """``create`` goes right before the first message to the participant, ``destroy`` right
        before the last message that involves it; a participant after a created one in lane order
        is declared before its first event, so that mermaid meets the participants in lane order."""
        first_to: dict[str, int] = {}
        first_use: dict[str, int] = {}
        last_use: dict[str, int] = {}
        for i, event in enumerate(events):
            for lane_id in self.event_lanes(event):
                first_use.setdefault(lane_id, i)
                last_use[lane_id] = i
            if event.kind == "msg":
                first_to.setdefault(self.lane_of[event.edge.target], i)
        deferred: set[str] = set()
        after_created = False
        for lane in self.d.lanes:
            created = (lane.attributes.get("created") or lane.attributes.get("mermaid.created")) == "true"
            if created and lane.id in first_to and first_use[lane.id] == first_to[lane.id]:
                events[first_to[lane.id]].before.append(self.declaration(lane, create=True))
                deferred.add(lane.id)
                after_created = True
            elif created:
                self.out.add("DROPPED_ATTRIBUTE", f"lane {lane.id}: created, but no message creates it before it "
                             "is used; declared as a participant", line=lane.line, column=lane.column, element=lane.id)
            elif after_created and lane.id in first_use and not self.has_links(lane) and not self.in_box(lane):
                events[first_use[lane.id]].before.append(self.declaration(lane))
                deferred.add(lane.id)
            destroyed = (lane.attributes.get("destroyed") or lane.attributes.get("mermaid.destroyed")) == "true"
            if destroyed:
                last_message = next((i for i in range(last_use.get(lane.id, -1), -1, -1)
                                     if events[i].kind == "msg" and lane.id in self.event_lanes(events[i])), None)
                if last_message is None:
                    self.out.add("DROPPED_ATTRIBUTE", f"lane {lane.id}: destroyed, but no message ends it",
                                 line=lane.line, column=lane.column, element=lane.id)
                else:
                    events[last_message].before.append(f"destroy {self.ids[lane.id]}")
        return deferred

    def has_links(self, lane: Lane) -> bool:
        return any(f"mermaid.{key}" in lane.attributes for key in _LINK_KEYS)

    def in_box(self, lane: Lane) -> bool:
        return any(g.kind == GroupKind.BOX and lane.id in (g.attributes.get("lanes") or "").split(",")
                   for g in self.d.groups)

    def event_lanes(self, event: _Event) -> list[str]:
        if event.kind == "msg":
            return [self.lane_of[event.edge.source], self.lane_of[event.edge.target]]
        over = event.node.attributes.get("over") or event.node.attributes.get("mermaid.noteOver")
        lanes = [event.node.lane]
        if over:
            lanes += [lane for lane in over.split(",") if lane in self.lanes]
        return lanes

    # -- order -----------------------------------------------------------------------------------
    def is_message(self, edge: Edge) -> bool:
        """A message: an edge between participants, or any edge of a model read as a sequence."""
        if self.lane_of[edge.source] != self.lane_of[edge.target] or self.sequence:
            return True
        name = edge_name(edge)
        self.out.add("DROPPED_EDGE", f"edge {name} stays inside lane {self.lane_of[edge.source]!r}; the sequence "
                     "view shows only messages between participants", line=edge.line, column=edge.column,
                     element=name)
        return False

    def events(self) -> list[_Event]:
        """Messages and notes in time order (docs/sequence.md, "Message order")."""
        d = self.d
        messages = [edge for edge in d.edges if self.is_message(edge)]
        if is_timeline(d):
            messages.sort(key=lambda e: self.node_index[e.target])
        notes = [n for n in d.nodes if n.kind is NodeKind.NOTE]
        events: list[_Event] = []
        position = 0
        for edge in messages:
            while position < len(notes) and self.node_index[notes[position].id] < self.node_index[edge.target]:
                events.append(_Event("note", node=notes[position]))
                position += 1
            events.append(_Event("msg", edge=edge))
            for key, where in (("activations_before", events[-1].before), ("activations", events[-1].after)):
                if edge.attributes.get(key):
                    where.extend(self.activation_lines(edge, edge.attributes[key]))
        events.extend(_Event("note", node=note) for note in notes[position:])
        return events

    def activation_lines(self, edge: Edge, activations: str) -> list[tuple[str, str]]:
        lines = []
        for statement in activations.split("\n"):
            word, _, lane = statement.partition(" ")
            if word in ("activate", "deactivate") and lane in self.lanes:
                lines.append((word, lane))
            else:
                self.out.add("DROPPED_ATTRIBUTE", f"edge {edge_name(edge)}: activation {statement[:40]!r} names no "
                             "participant", line=edge.line, column=edge.column, element=edge_name(edge))
        return lines

    # -- fragments -------------------------------------------------------------------------------
    def spans(self, events: list[_Event]) -> dict[str, tuple[int, int]]:
        """The first and last event of each group (a parent covers its children)."""
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for i, event in enumerate(events):
            key = event.edge.target if event.kind == "msg" else event.node.id
            first.setdefault(key, i)
            last[key] = i
        spans: dict[str, tuple[int, int]] = {}
        for group in self.d.groups:
            members = [m for m in group.members if m in first]
            if members:
                spans[group.id] = (min(first[m] for m in members), max(last[m] for m in members))
        # a parent covers its children: deepest first, each group widens its direct parent's span
        depth = self.depths()
        for group in sorted(self.d.groups, key=lambda g: -depth[g.id]):
            span = spans.get(group.id)
            if span is not None and group.parent in depth and group.parent != group.id:
                old = spans.get(group.parent, span)
                spans[group.parent] = (min(old[0], span[0]), max(old[1], span[1]))
        return spans

    def depths(self) -> dict[str, int]:
        """Each group's nesting depth (parents' depths computed once; a parent cycle counts as a root)."""
        by_id = {g.id: g for g in self.d.groups}
        depth: dict[str, int] = {}
        for group in self.d.groups:
            chain, current = [], group
            while current is not None and current.id not in depth and current.id not in chain:
                chain.append(current.id)
                current = by_id.get(current.parent) if current.parent else None
            base = depth[current.id] + 1 if current is not None and current.id in depth else 0
            for k, gid in enumerate(reversed(chain)):
                depth[gid] = base + k
        return depth

    def write_events(self, events: list[_Event]) -> None:
        spans = self.spans(events)
        fragments, sections = self.framing(spans)
        starts: dict[int, list[Group]] = {}
        for group in fragments:
            starts.setdefault(spans[group.id][0], []).append(group)
        section_starts: dict[int, Group] = {spans[s.id][0]: s for s in sections}
        stack: list[Group] = []
        for i, event in enumerate(events):
            while stack and spans[stack[-1].id][1] < i:
                stack.pop()
                self.body.append(_pad(len(stack) + 1) + "end")
                self.back.end()
            section = section_starts.get(i)
            if section is not None:
                while stack and stack[-1].id != section.parent:
                    stack.pop()
                    self.body.append(_pad(len(stack) + 1) + "end")
                    self.back.end()
                word = _SECTION_OF[self.group_kind(stack[-1])].value
                self.body.append(_pad(len(stack)) + f"{word} {self.condition(section)}".rstrip())
                self.back.section(section)
            for group in starts.get(i, []):
                self.body.append(_pad(len(stack) + 1) + f"{_FRAGMENTS[group.kind]} {self.condition(group)}".rstrip())
                stack.append(group)
                self.back.open_fragment(group)
            pad = _pad(len(stack) + 1)
            self.statements(pad, event.before, event)
            line = self.message_line(event.edge) if event.kind == "msg" else self.note_line(event.node)
            self.body.append(pad + line)
            self.statements(pad, event.after, event)
        while stack:
            stack.pop()
            self.body.append(_pad(len(stack) + 1) + "end")
            self.back.end()

    def statements(self, pad: str, items: list, event: _Event) -> None:
        """Participant lines as they are; activations only when mermaid accepts them (a participant
        is deactivated only while active)."""
        for item in items:
            if isinstance(item, str):
                self.body.append(pad + item)
                continue
            word, lane = item
            if word == "deactivate" and self.active.get(lane, 0) < 1:
                name = edge_name(event.edge)
                self.out.add("DROPPED_ATTRIBUTE", f"edge {name}: deactivate {lane}, which is not active there; "
                             "left out", line=event.edge.line, column=event.edge.column, element=name)
                continue
            self.active[lane] = self.active.get(lane, 0) + (1 if word == "activate" else -1)
            self.body.append(f"{pad}{word} {self.ids[lane]}")

    @staticmethod
    def group_kind(group: Group) -> GroupKind | None:
        """The group's kind as the enum (a reader not yet on ``GroupKind`` may give its value)."""
        return GroupKind.parse(group.kind)

    def condition(self, group: Group) -> str:
        label = group.label or ""
        return message_text(label, _markup(group.attributes)) if label.strip() else ""

    def framing(self, spans: dict[str, tuple[int, int]]) -> tuple[list[Group], list[Group]]:
        """The fragments and sections that nest properly, in start order; the others reported."""
        by_id = {g.id: g for g in self.d.groups}
        candidates = []
        for group in self.d.groups:
            if group.kind == GroupKind.BOX:
                continue
            if self.group_kind(group) is None:
                self.drop(group, "has no sequence form")
            elif group.id not in spans:
                self.drop(group, "holds no message or note, so the sequence view has nothing to frame")
            elif self.group_kind(group).is_section:
                parent = by_id.get(group.parent) if group.parent else None
                if parent is None or _SECTION_OF.get(parent.kind) != group.kind:
                    self.drop(group, f"is a {group.kind} section outside an "
                              f"{'/'.join(k.value for k, v in _SECTION_OF.items() if v == group.kind)} fragment")
                else:
                    candidates.append(group)
            elif group.kind in _FRAGMENTS:
                candidates.append(group)
            else:
                self.drop(group, "has no sequence form")
        # outer before inner: earlier start, then later end, then the parent first
        depth = self.depths()
        candidates.sort(key=lambda g: (spans[g.id][0], -spans[g.id][1], depth[g.id]))
        fragments: list[Group] = []
        sections: list[Group] = []
        open_: list[Group] = []  # the fragments whose span contains the current start
        last_section_end: dict[str, int] = {}
        taken_starts: set[int] = set()
        for group in candidates:
            start, end = spans[group.id]
            while open_ and spans[open_[-1].id][1] < start:
                open_.pop()
            if self.group_kind(group).is_section:
                parent = by_id[group.parent]
                # (fragments that ended before the section were popped above: its fragment must be on top)
                ok = bool(open_) and open_[-1].id == parent.id
                if ok and start > spans[parent.id][0] and start > last_section_end.get(parent.id, -1) \
                        and end <= spans[parent.id][1] and start not in taken_starts:
                    sections.append(group)
                    taken_starts.add(start)
                    last_section_end[parent.id] = end
                else:
                    self.drop(group, "does not follow its fragment's own messages in order")
                continue
            if open_ and end > spans[open_[-1].id][1]:
                self.drop(group, "overlaps another fragment without nesting in it")
                continue
            fragments.append(group)
            open_.append(group)
        return fragments, sections

    def drop(self, group: Group, why: str) -> None:
        self.out.add("DROPPED_GROUP", f"{group.kind} {group.label or group.id!r} {why}; its messages are kept, "
                     "the frame is not", line=group.line, column=group.column, element=group.id)

    # -- lines -----------------------------------------------------------------------------------
    def arrow(self, edge: Edge) -> str:
        a = edge.attributes
        dotted = edge.style is EdgeStyle.DOTTED
        written = a.get("mermaid.message")
        head = a.get("head", "arrow")
        if written and ("--" in written) == dotted:
            return written
        if (head, dotted) not in _ARROWS:
            self.out.add("DROPPED_ATTRIBUTE", f"edge {edge_name(edge)}: arrow head {head!r} has no Mermaid form",
                         line=edge.line, column=edge.column, element=edge_name(edge))
            head = "arrow"
        if edge.style in (EdgeStyle.THICK, EdgeStyle.INVISIBLE):
            self.out.add("DROPPED_EDGE_STYLE", f"edge {edge_name(edge)}: a {edge.style.value} line is a solid message",
                         line=edge.line, column=edge.column, element=edge_name(edge))
        return _ARROWS[(head, dotted)]

    def message_line(self, edge: Edge) -> str:
        source = self.ids[self.lane_of[edge.source]]
        target = self.ids[self.lane_of[edge.target]]
        arrow = self.arrow(edge)
        text = edge.label
        if text is None:
            target_node = self.nodes.get(edge.target)
            text = target_node.label if target_node is not None and target_node.label is not None else ""
        self.back.message(edge, source, target, text)
        text = message_text(text, _markup(edge.attributes))
        if edge.source_side is not None or edge.target_side is not None:
            self.out.add("DROPPED_EDGE_SIDES", f"edge {edge_name(edge)}: a sequence message has no attachment sides",
                         line=edge.line, column=edge.column, element=edge_name(edge))
        central = edge.attributes.get("mermaid.activation")
        if central == "()":
            return f"{source}{arrow}(){target}: {text}"
        if central == "()<":
            return f"{source}(){arrow}{target}: {text}"
        if central == "()<>":
            return f"{source}(){arrow}(){target}: {text}"
        marker = _MARKERS.get(edge.attributes.get("activation", ""), "")
        if edge.attributes.get("activation") and not marker:
            self.out.add("DROPPED_ATTRIBUTE", f"edge {edge_name(edge)}: activation "
                         f"{edge.attributes['activation']!r} is neither activate nor deactivate",
                         line=edge.line, column=edge.column, element=edge_name(edge))
        sender, receiver = self.lane_of[edge.source], self.lane_of[edge.target]
        if marker == "-" and self.active.get(sender, 0) < 1:
            self.out.add("DROPPED_ATTRIBUTE", f"edge {edge_name(edge)}: deactivates {sender}, which is not active "
                         "there; left out", line=edge.line, column=edge.column, element=edge_name(edge))
            marker = ""
        if marker:
            lane = receiver if marker == "+" else sender
            self.active[lane] = self.active.get(lane, 0) + (1 if marker == "+" else -1)
        return f"{source}{arrow}{marker}{target}: {text}"

    def note_line(self, node: Node) -> str:
        a = node.attributes
        placement = _PLACEMENTS.get(a.get("placement") or a.get("mermaid.note") or "over", "over")
        over = a.get("over") or a.get("mermaid.noteOver")
        text = message_text(node.label or "", _markup(a))
        self.back.note(node)
        if a.get("placement") not in (None, "left", "right", "over"):
            self.note_loss(node, f"placement {a['placement']!r} is read back as {placement.split()[0]!r}")
        if over and placement == "over":
            lanes = [lane for lane in over.split(",") if lane in self.lanes]
            if len(lanes) >= 2:
                if lanes[0] != node.lane or lanes[0] == lanes[-1] \
                        or over != f"{self.ids[lanes[0]]},{self.ids[lanes[-1]]}":
                    self.note_loss(node, f"a note over {over!r} is read back over its first and last participant")
                return f"Note over {self.ids[lanes[0]]},{self.ids[lanes[-1]]}: {text}"
        if a.get("over"):
            self.note_loss(node, f"a note over {over!r} is read back over {node.lane!r} alone")
        return f"Note {placement} {self.ids[node.lane]}: {text}"

    def note_loss(self, node: Node, why: str) -> None:
        self.out.add("DROPPED_ATTRIBUTE", f"note {node.id!r}: {why}", line=node.line, column=node.column,
                     element=node.id)

    # -- what is not written ---------------------------------------------------------------------
    def report_unwritten_nodes(self, events: list[_Event]) -> None:
        """Nodes that no message reaches and that are no note: a sender's start (made by a sequence
        reader, named after its participant) is the message's tail; anything else is reported."""
        written = {e.edge.target for e in events if e.kind == "msg"} | {e.node.id for e in events if e.kind == "note"}
        senders = {e.edge.source for e in events if e.kind == "msg"}
        for node in self.d.nodes:
            if node.kind in (NodeKind.DECISION, NodeKind.GATEWAY) and node.id in written:
                self.out.add("DROPPED_NODE", f"{node.kind.value} {node.label or node.id!r}: the sequence view shows "
                             "its messages, not the choice", line=node.line, column=node.column, element=node.id)
            if node.id in written:
                continue
            lane = self.lanes.get(node.lane)
            if node.kind is NodeKind.START and node.id in senders and lane is not None \
                    and node.label in (lane.label, lane.id):
                continue
            if node.kind in (NodeKind.DECISION, NodeKind.GATEWAY):
                why = "the sequence view shows its messages, not the choice"
            elif node.id in senders:
                why = "it only sends messages; the sequence view shows messages, not this step"
            else:
                why = "no message between participants reaches it"
            self.out.add("DROPPED_NODE", f"{node.kind.value} {node.label or node.id!r}: {why}",
                         line=node.line, column=node.column, element=node.id)


def is_timeline(diagram: Diagram) -> bool:
    """The model's node order is its time order (docs/sequence.md): every node is reached by at
    most one edge, and every edge goes forward in node order (a message leaves from a step made
    before the one it makes). A hand-written FlowZap file, whose nodes are in lane order, is not."""
    index = {n.id: i for i, n in enumerate(diagram.nodes)}
    reached: set[str] = set()
    for edge in diagram.edges:
        if edge.target in reached or (index[edge.source] >= index[edge.target] and edge.source != edge.target):
            return False
        reached.add(edge.target)
    return True


def _markup(attributes: dict[str, str]) -> bool:
    return attributes.get("mermaid.markup") == "true"


def _pad(depth: int) -> str:
    return "  " * min(depth, 8)


__all__ = ["SEQUENCE_KEYWORDS", "SequenceWriter", "is_timeline"]
