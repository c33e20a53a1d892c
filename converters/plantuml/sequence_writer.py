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
from .colours import known_colour
from .sequence_reader import PARTICIPANT_KINDS, parse_arrow
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
# What the reader makes of each fragment word (their sections: _SECTIONS of the fragment's kind).
_READ_AS = {"loop": GroupKind.LOOP, "alt": GroupKind.ALT, "opt": GroupKind.OPT, "par": GroupKind.PAR,
            "par2": GroupKind.PAR, "critical": GroupKind.CRITICAL, "break": GroupKind.BREAK,
            "group": GroupKind.GROUP, "partition": GroupKind.GROUP}
_SECTIONS = {GroupKind.ALT: GroupKind.ELSE, GroupKind.PAR: GroupKind.AND, GroupKind.CRITICAL: GroupKind.OPTION}
_ACTIVATION_MARKS = {"activate": " ++", "deactivate": " --", "both": " --++"}
# PlantUML (1.2026.8) refuses a message line longer than 2,000 characters, counted as Java does (UTF-16
# units): 2,000 reads, 2,001 is "Syntax Error?" for the whole diagram. A longer message is cut, and said.
MAX_MESSAGE_LINE = 2000
# A participant's name as the messages write it: a longer id is renamed (and said), so that the two names of
# a message line leave its text room under MAX_MESSAGE_LINE (the display name is written whole).
MAX_NAME = 200
MAX_DECORATION = 100  # likewise for an arrow as written (-[#red,dashed]->) and a message's colour marks
# Attributes the sequence language carries, when their value is one it can write (checked per element).
_LANE_KEYS = frozenset({"participant", "plantuml.stereotype", "plantuml.order", "plantuml.color", "created",
                        "destroyed"})
_NOTE_KEYS = frozenset({"placement", "over", "plantuml.note"})
_EDGE_KEYS = frozenset({"head", "plantuml.arrow", "plantuml.parallel", "activation", "plantuml.markers",
                        "plantuml.before"})
_DIAGRAM_KEYS = frozenset({"diagram", "autonumber", "plantuml.preamble", "plantuml.after"})


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
        self.group_counter = 0  # the reader numbers boxes, fragments and sections in one count
        self.read_kind: dict[str, GroupKind] = {}  # group id → the kind it reads back as
        self.destroy_on: dict[int, str] = {}  # id(edge) → the lane its "!!" destroys
        self.written_nodes: set[str] = set()

    def write(self) -> tuple[str, list[Diagnostic]]:
        d = self.diagram
        lines = header_lines(d, self.out)
        lines.extend(self.participants())
        if d.attributes.get("autonumber"):
            lines.append(self.autonumber(d.attributes["autonumber"]))
        events = self.events()
        lines.extend(self.body(events))
        # a participant created with no message to it: `create` alone still marks it
        lines.extend(f"create {self.names[lane.id]}" for lane in d.lanes if lane.id in self.to_create)
        if d.attributes.get("plantuml.after"):
            lines.extend(self.kept_lines(d.attributes["plantuml.after"], d))
        lines.append("@enduml")
        self.report_diagram()
        self.report_nodes(events)
        return "\n".join(lines) + "\n", self.out.items

    def autonumber(self, value: str) -> str:
        if value == "on":
            return "autonumber"
        if not re.fullmatch(r"[0-9]{1,9}(?: [0-9]{1,9})?", value):  # a start and a step, as PlantUML takes them
            self.out.add("DROPPED_ATTRIBUTE", f"diagram: autonumber {value!r} is not a start and step PlantUML "
                         "reads back", element="diagram")
            return "autonumber"
        return f"autonumber {value}"

    def dropped(self, what: str, name: str, keys, element) -> None:
        if keys:
            self.out.add("DROPPED_ATTRIBUTE", f"{what} {name!r}: {', '.join(sorted(keys))}",
                         line=getattr(element, "line", None), column=getattr(element, "column", None), element=name)

    # -- participants --------------------------------------------------------------------------
    def participants(self) -> list[str]:
        d = self.diagram
        ids = IdAllocator(lambda s: bool(_IDENTIFIER.match(s)) and s.lower() not in _KEYWORDS and len(s) <= MAX_NAME,
                          lambda s: re.sub(r"[^A-Za-z0-9_]", "_", s[:MAX_NAME]).strip("_") or "P", fold=True,
                          reserved=_KEYWORDS)
        kept = {lane.id for lane in d.lanes if ids.reserve(lane.id)}
        boxes = {}
        for group in d.groups:
            if _kind(group) is GroupKind.BOX:
                for lane_id in (group.attributes.get("lanes") or "").split(","):
                    boxes.setdefault(lane_id, group)
        lines: list[str] = []
        open_box: Group | None = None
        box_lanes: dict[str, list[str]] = {}  # box id → the names of its participants, as written
        for lane in d.lanes:
            name = lane.id if lane.id in kept else ids.allocate(lane.id, "P")
            self.names[lane.id] = name
            box = boxes.get(lane.id)
            if box is not open_box:
                if open_box is not None:
                    lines.append("end box")
                if box is not None:
                    lines.append(self.box_line(box, box.id in box_lanes))
                    box_lanes.setdefault(box.id, [])
                open_box = box
            if box is not None:
                box_lanes[box.id].append(name)
            lines.append(self.participant_line(lane, name))
        if open_box is not None:
            lines.append("end box")
        for group in d.groups:
            if _kind(group) is GroupKind.BOX:
                self.check_box(group, box_lanes.get(group.id))
        return lines

    def participant_line(self, lane, name: str) -> str:
        kind = lane.attributes.get("participant", "participant")
        dropped = [k for k in lane.attributes if k not in _LANE_KEYS]
        if kind not in PARTICIPANT_KINDS:
            kind = "participant"
            dropped.append("participant")
        display = lane.label if lane.label is not None else lane.id
        line = f"{kind} {name}"
        if not display:
            self.out.add("CHANGED_LABEL", f"participant {lane.id!r}: PlantUML refuses an empty name; shown as "
                         f"{name!r}", line=lane.line, column=lane.column, element=lane.id)
        elif display != name:
            line = f'{kind} "{encode(display)}" as {name}'
        if name != lane.id:
            self.out.add("RENAMED_ID", f"participant {lane.id!r} is named {name!r} in PlantUML",
                         line=lane.line, column=lane.column, element=lane.id)
        elif lane.label is not None and lane.label == lane.id:
            self.out.add("CHANGED_LABEL", f"participant {lane.id!r}: a name equal to its id reads back as none",
                         line=lane.line, column=lane.column, element=lane.id)
        stereotype = lane.attributes.get("plantuml.stereotype")
        if stereotype is not None:
            if re.fullmatch(r"\w(?:[\w ]*\w)?", stereotype):
                line += f" <<{stereotype}>>"
            else:
                dropped.append("plantuml.stereotype")
        order = lane.attributes.get("plantuml.order")
        if order is not None:
            if re.fullmatch(r"-?[0-9]{1,9}", order) and str(int(order)) == order:
                line += f" order {order}"
            else:
                dropped.append("plantuml.order")
        colour = lane.attributes.get("plantuml.color")
        if colour is not None:
            if known_colour(colour):
                line += f" {colour}"
            else:
                dropped.append("plantuml.color")
        created = lane.attributes.get("created")
        if created == "true":
            self.to_create.add(lane.id)  # PlantUML wants `create` right before the creating message
        elif created is not None:
            dropped.append("created")
        if lane.attributes.get("destroyed") not in (None, "true"):
            dropped.append("destroyed")
        self.dropped("participant", lane.id, dropped, lane)
        return line

    def box_line(self, box: Group, again: bool) -> str:
        self.group_counter += 1
        if not again:
            self.check_group_id(box, GroupKind.BOX)
        colour = box.attributes.get("plantuml.color", "")
        colour = f" {colour}" if known_colour(colour) else ""
        return f'box "{encode(box.label)}"{colour}' if box.label else f"box{colour}"

    def check_box(self, box: Group, names: list[str] | None) -> None:
        if names is None:
            self.out.add("DROPPED_GROUP", f"box {box.label or box.id!r} holds no participant", line=box.line,
                         column=box.column, element=box.id)
            return
        dropped = [k for k in box.attributes if k not in ("lanes", "plantuml.color")]
        if "plantuml.color" in box.attributes and not known_colour(box.attributes["plantuml.color"]):
            dropped.append("plantuml.color")
        if box.attributes.get("lanes") != ",".join(names):
            dropped.append("lanes")  # renamed participants, or a box split in two
        self.dropped("box", box.id, dropped, box)
        if box.label == "":
            self.out.add("CHANGED_LABEL", f"box {box.id!r}: an empty title reads back as none", line=box.line,
                         column=box.column, element=box.id)
        if box.members or box.parent is not None or box.lane is not None:
            self.out.add("DROPPED_GROUP", f"box {box.id!r}: PlantUML boxes hold participants, not steps",
                         line=box.line, column=box.column, element=box.id)

    def check_group_id(self, group: Group, kind: GroupKind) -> None:
        """The reader names a group after the kind it reads and the count of groups before it."""
        self.read_kind[group.id] = kind
        if _kind(group) is not kind:
            self.out.add("CHANGED_KIND", f"{group.kind} {group.id!r} is written as a PlantUML {kind}",
                         line=group.line, column=group.column, element=group.id)
        if group.id != f"{kind.value}{self.group_counter}":
            self.out.add("RENAMED_ID", f"{group.kind} {group.id!r} reads back as "
                         f"{kind.value}{self.group_counter!s}", line=group.line, column=group.column,
                         element=group.id)

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
        self.plan_destroys(events)
        return events

    def plan_destroys(self, events) -> None:
        """A destroyed participant: ``!!`` on the last message, when the last thing it takes part in
        is a message to it without an activation mark (PlantUML refuses anything after the end
        of a lifeline, and ``!!`` beside ``++``), unless a kept ``destroy`` line says it already."""
        d = self.diagram
        last: dict[str, int] = {}  # lane → index of the last event it takes part in
        for index, (kind, item) in enumerate(events):
            if kind == "message":
                self.written_nodes.update((item.source, item.target))
                last[self.lane_of[item.source]] = last[self.lane_of[item.target]] = index
            else:
                self.written_nodes.add(item.id)
                for lane_id in [item.lane, *(item.attributes.get("over") or "").split(",")]:
                    last[lane_id] = index
        for lane in d.lanes:
            if lane.attributes.get("destroyed") != "true" or self.destroyed_by_kept_line(lane.id):
                continue
            index = last.get(lane.id)
            kind, edge = events[index] if index is not None else (None, None)
            later = [e.attributes.get("plantuml.before", "") for k, e in events[index + 1:] if k == "message"] \
                if index is not None else []
            later.append(d.attributes.get("plantuml.after", ""))
            mentioned = any(lane.id in line.replace(",", " ").split() for text in later for line in text.split("\n"))
            if kind == "message" and self.lane_of[edge.target] == lane.id and not mentioned and \
                    edge.attributes.get("activation") not in _ACTIVATION_MARKS and \
                    self.nodes[edge.target].attributes.get("exogenous") is None:
                self.destroy_on[id(edge)] = lane.id
            else:
                self.dropped("participant", lane.id, ["destroyed"], lane)

    def destroyed_by_kept_line(self, lane_id: str) -> bool:
        wanted = f"destroy {lane_id}"
        kept = [self.diagram.attributes.get("plantuml.after", "")]
        kept.extend(e.attributes.get("plantuml.before", "") for e in self.diagram.edges)
        return any(wanted in text.split("\n") for text in kept if text)

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
        placed: set[str] = set()
        lines: list[str] = []
        open_: list[tuple[Group, int]] = []
        section_at: dict[int, list[Group]] = {}
        for index, (kind, item) in enumerate(events):
            for group in sorted(starting.get(index, []), key=lambda g: -spans[g.id][1]):
                lines.append("  " * len(open_) + self.fragment_line(group))
                placed.add(group.id)
                open_.append((group, spans[group.id][1]))
                for section in sections.get(group.id, []):
                    section_at.setdefault(spans[section.id][0], []).append(section)
            for section in section_at.pop(index, []):
                if open_ and open_[-1][0].id == section.parent and index > spans[open_[-1][0].id][0]:
                    lines.append("  " * (len(open_) - 1) + self.section_line(section, open_[-1][0]))
                    placed.add(section.id)
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
        for group in groups:
            if group.id in spans and group.id not in placed and (_kind(group) in _FRAGMENT_WORDS
                                                                  or group.parent is not None):
                self.out.add("DROPPED_GROUP", f"{group.kind} {group.label or group.id!r}: its steps do not "
                             "follow its fragment's first step", line=group.line, column=group.column,
                             element=group.id)
        return lines

    def fragment_line(self, group: Group) -> str:
        self.group_counter += 1
        word = _FRAGMENT_WORDS[_kind(group)]
        fragment = group.attributes.get("plantuml.fragment")
        if fragment in ("partition", "par2") and _READ_AS[fragment] is _READ_AS[word]:
            word = fragment
        self.check_group_id(group, _READ_AS[word])
        return word + self.group_tail(group, {"partition", "par2"} & {word})

    def section_line(self, section: Group, parent: Group) -> str:
        self.group_counter += 1
        word = "also" if section.attributes.get("plantuml.fragment") == "also" else "else"
        self.check_group_id(section, _SECTIONS.get(self.read_kind.get(parent.id), GroupKind.ELSE))
        return word + self.group_tail(section, {"also"} & {word})

    def group_tail(self, group: Group, fragment: set[str]) -> str:
        """What follows a fragment's or section's word: its colour and label."""
        dropped = [k for k in group.attributes if k not in ("plantuml.color", "plantuml.fragment")]
        if "plantuml.fragment" in group.attributes and not fragment:
            dropped.append("plantuml.fragment")
        colour = group.attributes.get("plantuml.color")
        tail = ""
        if colour is not None:
            if re.fullmatch(r"#\w+", colour) and known_colour(colour):
                tail = f" {colour}"
            else:
                dropped.append("plantuml.color")
        self.dropped(str(group.kind), group.id, dropped, group)
        if group.label == "":
            self.out.add("CHANGED_LABEL", f"{group.kind} {group.id!r}: an empty label reads back as none",
                         line=group.line, column=group.column, element=group.id)
        return tail + (f" {encode(group.label)}" if group.label else "")

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

    def arrow(self, edge: Edge) -> tuple[str, list[str]]:
        """The arrow of a message, and the attributes it does not carry (checked with the reader's
        own arrow parser: what the arrow reads back as)."""
        head = edge.attributes.get("head")
        arrow = edge.attributes.get("plantuml.arrow")
        dropped = []
        if arrow is not None and (len(arrow) > MAX_DECORATION or
                                  not re.fullmatch(r"[-<>ox/\\*]+|[-<>ox/\\]*\[[#\w,. ]*\][-<>ox/\\]*", arrow) or
                                  arrow.startswith("<") and not arrow.endswith(">") or parse_arrow(arrow) is None
                                  or parse_arrow(arrow).written != arrow):
            dropped.append("plantuml.arrow")
            arrow = None
        if not arrow:
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
        read = parse_arrow(arrow)
        if read.head != (head if head != "arrow" else None):
            dropped.append("head")
        if read.style is not edge.style:
            self.out.add("DROPPED_EDGE_STYLE", f"edge {edge_name(edge)}: {edge.style.value} is drawn as "
                         f"{read.style.value} by its arrow {arrow!r}", line=edge.line, column=edge.column,
                         element=edge_name(edge))
        return arrow, dropped

    def message(self, edge: Edge) -> str:
        source_node, target_node = self.nodes[edge.source], self.nodes[edge.target]
        source = self.names[source_node.lane]
        target = self.names[target_node.lane]
        arrow, dropped = self.arrow(edge)
        dropped.extend(k for k in edge.attributes if k not in _EDGE_KEYS)
        left = "[" if source_node.attributes.get("exogenous") == "left" else (
            "]" if source_node.attributes.get("exogenous") == "right" else source)
        right = "]" if target_node.attributes.get("exogenous") == "right" else (
            "[" if target_node.attributes.get("exogenous") == "left" else target)
        if parse_arrow(arrow).reverse:  # A <- B is a message from B: the receiver goes on the left
            left, right = right, left
        if right == "[" and len(left) != 1:  # to the left edge: PlantUML reads only [<- A
            turned = _reversed(arrow)
            read, wanted = parse_arrow(turned), parse_arrow(arrow)
            if read is not None and read.reverse and (read.head, read.style) == (wanted.head, wanted.style):
                left, right, arrow = right, left, turned
                if "plantuml.arrow" in edge.attributes:
                    dropped.append("plantuml.arrow")  # read back as written, turned
            else:
                dropped.append("exogenous")
        if left in "[]" and len(left) == 1:
            line = f"{left}{arrow} {right}"
        elif right in "[]" and len(right) == 1:
            line = f"{left} {arrow}{right}"
        else:
            line = f"{left} {arrow} {right}"
        activation = edge.attributes.get("activation", "")
        marker = _ACTIVATION_MARKS.get(activation, "")
        if activation and not marker:
            dropped.append("activation")
        if id(edge) in self.destroy_on:
            marker += " !!"
        colours = edge.attributes.get("plantuml.markers")
        if colours is not None:
            if len(colours) <= MAX_DECORATION and re.fullmatch(r"#[\w#/\-]+(?: #[\w#/\-]+)*", colours) and \
                    all(known_colour(colour) for colour in colours.split()):
                marker += f" {colours}"
            else:
                dropped.append("plantuml.markers")
        parallel = edge.attributes.get("plantuml.parallel")
        if parallel == "true":
            line = "& " + line
        elif parallel is not None:
            dropped.append("plantuml.parallel")
        self.dropped("edge", edge_name(edge), dropped, edge)
        text = edge.label if edge.label is not None else target_node.label
        if edge.label == "":
            self.out.add("CHANGED_LABEL", f"edge {edge_name(edge)}: an empty message text reads back as none",
                         line=edge.line, column=edge.column, element=edge_name(edge))
        if not text:
            return line + marker
        head = f"{line}{marker} : "
        body = encode(text)
        if _java_length(head) + _java_length(body) > MAX_MESSAGE_LINE:
            body = self.cut_message(edge, text, MAX_MESSAGE_LINE - _java_length(head))
        return head + body

    def cut_message(self, edge: Edge, text: str, room: int) -> str:
        """The longest start of ``text`` whose encoding fits in ``room`` (cut in the model's text,
        so that no escape is split), reported."""
        low, high = 0, len(text)  # encode(text[:low]) fits; text[:high + 1] does not (binary search: O(n log n))
        while low < high:
            middle = (low + high + 1) // 2
            if _java_length(encode(text[:middle])) <= room:
                low = middle
            else:
                high = middle - 1
        self.out.add("CHANGED_LABEL", f"edge {edge_name(edge)}: the message is cut after {low} of its {len(text)} "
                     f"characters (PlantUML refuses a message line over {MAX_MESSAGE_LINE} characters)",
                     line=edge.line, column=edge.column, element=edge_name(edge))
        return encode(text[:low]).rstrip("\\")  # a trailing backslash would join the next line

    def note(self, node: Node) -> str:
        name = self.names.get(node.lane, node.lane)
        placement = node.attributes.get("placement", "right")
        label = encode(node.label or "")
        if node.attributes.get("plantuml.note") == "across":
            return f"note across : {label}"
        shape = node.attributes.get("plantuml.note") if node.attributes.get("plantuml.note") in ("hnote", "rnote") \
            else "note"
        over = node.attributes.get("over")
        if placement == "over":
            names = [self.names[p] for p in over.split(",") if p in self.names] if over else [name]
            return f"{shape} over {', '.join(names or [name])} : {label}"
        placement = placement if placement in ("left", "right") else "right"
        return f"{shape} {placement} of {name} : {label}"

    # -- what the text does not say --------------------------------------------------------
    def report_diagram(self) -> None:
        d = self.diagram
        dropped = [k for k in d.attributes if k not in _DIAGRAM_KEYS]
        if d.attributes.get("diagram", "sequence") != "sequence":
            dropped.append("diagram")
        self.dropped("diagram", "diagram", dropped, None)
        if d.title == "":
            self.out.add("DROPPED_TITLE", "an empty title is not written", element="diagram")
        if d.direction != "LR":
            self.out.add("DROPPED_DIRECTION", f"PlantUML sequence diagrams run left to right; {d.direction} is not "
                         "kept", element="diagram")

    def report_nodes(self, events) -> None:
        lanes = self.diagram.lanes
        targets = {item.target for kind, item in events if kind == "message"}
        for node in self.diagram.nodes:
            if node.kind in (NodeKind.DECISION, NodeKind.GATEWAY):
                self.out.add("DROPPED_NODE", f"{node.kind.value} {node.label or node.id!r}: a sequence diagram "
                             "shows its messages, not the choice", line=node.line, column=node.column,
                             element=node.id)
                continue
            if node.id not in self.written_nodes:
                self.out.add("DROPPED_NODE", f"{node.kind.value} {node.label or node.id!r}: a sequence diagram "
                             "shows messages and notes, not steps of their own", line=node.line,
                             column=node.column, element=node.id)
                continue
            if node.kind is NodeKind.NOTE:
                self.check_note(node, lanes)
                continue
            # what the reader makes: a step for each message it receives, an end for one that leaves
            # the diagram, a start for a participant's first message sent
            exogenous = node.attributes.get("exogenous")
            wanted = (NodeKind.END if exogenous else NodeKind.TASK) if node.id in targets else NodeKind.START
            if node.kind is not wanted:
                self.out.add("CHANGED_KIND", f"{node.kind.value} {node.id!r} reads back as a {wanted.value}",
                             line=node.line, column=node.column, element=node.id)
            dropped = [k for k in node.attributes if k != "exogenous"]
            if exogenous not in (None, "left", "right"):
                dropped.append("exogenous")
            self.dropped("node", node.id, dropped, node)

    def check_note(self, node: Node, lanes) -> None:
        attributes = node.attributes
        dropped = [k for k in attributes if k not in _NOTE_KEYS]
        placement = attributes.get("placement")
        shape = attributes.get("plantuml.note")
        across = shape == "across"
        if placement is not None and (placement not in ("left", "right", "over") or across and placement != "over"):
            dropped.append("placement")
        if shape is not None and shape not in ("hnote", "rnote", "across"):
            dropped.append("plantuml.note")
        over = attributes.get("over")
        if over is not None:
            parts = over.split(",")
            if across or placement != "over" or len(parts) < 2 or any(p not in self.names for p in parts) or \
                    parts[0] != node.lane:
                dropped.append("over")
        self.dropped("note", node.id, dropped, node)
        if across and lanes and node.lane != lanes[0].id:
            self.out.add("CHANGED_LANE", f"note {node.id!r}: a note across every participant stands in the first",
                         line=node.line, column=node.column, element=node.id)
        if not node.label:
            if node.label == "":
                self.out.add("CHANGED_LABEL", f"note {node.id!r}: an empty note reads back with no text",
                             line=node.line, column=node.column, element=node.id)


def _java_length(text: str) -> int:
    """Length in UTF-16 units (a character past U+FFFF counts two), as PlantUML measures a line."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _reversed(arrow: str) -> str:
    """``arrow`` pointing the other way (``->>`` → ``<<-``); a ``[style]`` stays as written."""
    swap = {"<": ">", ">": "<", "/": "\\", "\\": "/"}
    start, end = arrow.find("["), arrow.rfind("]")
    if start >= 0 and end > start:
        return _reversed(arrow[end + 1:]) + arrow[start:end + 1] + _reversed(arrow[:start])
    return "".join(swap.get(c, c) for c in reversed(arrow))


def is_sequence(diagram: Diagram) -> bool:
    """A model read from a sequence diagram (docs/sequence.md; Mermaid's reader still names it
    under its own prefix)."""
    return "sequence" in (diagram.attributes.get("diagram"), diagram.attributes.get("mermaid.diagram"))


def _kind(group: Group) -> GroupKind | None:
    # a model built by hand (or by an older reader) may hold the kind as its string value
    return GroupKind.parse(group.kind)


def write_sequence(diagram: Diagram, keep: bool) -> tuple[str, list[Diagnostic]]:
    return SequenceWriter(diagram, keep).write()
