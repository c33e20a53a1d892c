"""PlantUML sequence diagrams → the model, in the shape docs/sequence.md gives every format.

Participants are lanes in PlantUML's order (declaration or first use, then ``order N``); each
message is an edge from the sender's latest step to a new step (a task) in the receiver's lane;
fragments are groups of the steps made inside them, their ``else`` sections child groups; notes are
note nodes. What the model has no place for (dividers, delays, spacing, ``ref``, activation lines)
is reported, never silently dropped.
"""
from __future__ import annotations

import re

from .. import limits
from ..diagnostics import Diagnostics
from ..model import Diagram, Edge, EdgeStyle, Group, GroupKind, Lane, Node, NodeKind
from .blocks import Block, check_closed_block, check_skinparam, text_block_word, unclosed_block
from .colours import known_colour, readable_colour
from .source import Line, Source
from .text import decode, label_or_none, one_line_text, split_note

PARTICIPANT_KINDS = ("participant", "actor", "boundary", "control", "entity", "database", "collections", "queue")
_FRAGMENTS = {"alt": GroupKind.ALT, "opt": GroupKind.OPT, "loop": GroupKind.LOOP, "par": GroupKind.PAR,
              "par2": GroupKind.PAR, "break": GroupKind.BREAK, "critical": GroupKind.CRITICAL,
              "group": GroupKind.GROUP, "partition": GroupKind.GROUP}
_SECTION_OF = {GroupKind.ALT: GroupKind.ELSE, GroupKind.PAR: GroupKind.AND, GroupKind.CRITICAL: GroupKind.OPTION}

_DECLARATION = re.compile(r"(create\s+)?(" + "|".join(PARTICIPANT_KINDS) + r")\s+(.+)$", re.I)
_NAME = re.compile(r"\"([^\"]*)\"|([^\s\"<>#]+)")
_STEREOTYPE = re.compile(r"<<([^<>]*)>>")
_COLOUR = re.compile(r"(#[\w#/\-]+)")
# What PlantUML allows after a participant's name, in its order (CommandParticipant): stereotypes
# (group 1, to the last ">>"), order N (group 2), a [[link]], a colour (group 3: the whole word, so that
# "#red;line:blue", which PlantUML refuses as "No such color", is checked whole). Each part is read
# from its own place only: "<<order 5>>" is a stereotype, not an order. Taken with match(), never
# fullmatch(): each part is tried once, so the time is linear; what is left after the match is refused.
_DECLARATION_TAIL = re.compile(r"\s*(<<.*>>)?\s*(?:order\s+(-?\d+))?\s*(?:\[\[[^\]]*\]\])?\s*(#\S*)?\s*")
# Greedy, and no two adjacent parts that can match the same spaces: linear on any line.
_FRAGMENT = re.compile(r"(alt|opt|loop|par2?|break|critical|group|partition)\b\s*(#\w+\s*)?(.*)$", re.I)
_SECTION = re.compile(r"(else|also)\b\s*(#\w+\s*)?(.*)$", re.I)
_REF = re.compile(r"ref\s+over\s+[^:]*(:.*)?$", re.I)
_ARROW_SIGNS = frozenset("-<>ox/\\*")
_SLANT = re.compile(r"\(\d+\)")  # right after an arrow that points right: A ->(10) B
# What may follow a message's receiver: activation, creation and destruction marks, a colour.
_MARKERS = frozenset(("++", "--", "++--", "--++", "**", "!!", "++--++"))
# The arrow of a message: heads and decorations around one or two dashes and an optional [style].
HEADS = {"->": None, "->>": "async", "-\\": "async", "-/": "async", "-\\\\": "async", "-//": "async"}


class SequenceReader:
    def __init__(self, source: Source, out: Diagnostics) -> None:
        self.source = source
        self.out = out
        self.diagram = Diagram(direction="LR")
        self.lanes: dict[str, Lane] = {}
        self.last: dict[str, str] = {}  # participant → its latest step
        self.open: list[Group] = []
        self.counter = 0
        self.group_counter = 0
        self.box: Group | None = None
        self.autonumber: str | None = None
        self.note_lines: list[str] | None = None
        self.note_item: tuple[Line, str, list[str]] | None = None
        self.ref_open: Line | None = None
        self.last_message: Edge | None = None
        self.callers: list[tuple[str, str]] = []  # (caller, callee) of activations, for return
        self.orders: dict[str, int] = {}
        self.held: list[str] = []
        self.block: Block | None = None  # legend … endlegend, skinparam x { … }, <style> … </style>
        self.too_deep = False  # fragments nest past max_depth: reported, and the reading stops

    def read(self) -> Diagram:
        d = self.diagram
        d.attributes["diagram"] = "sequence"
        for line in self.source.lines:
            if self.note_lines is not None:
                if re.fullmatch(r"end\s*[hr]?note", line.text, re.I):
                    self.finish_note()
                else:
                    self.note_lines.append(line.text)
                continue
            if self.block is not None:
                if self.block.take(line.text):
                    check_closed_block(self.block, self.out)
                    self.keep(self.block.text)
                    self.block = None
                continue
            if self.ref_open is not None:
                if re.fullmatch(r"end\s*ref", line.text, re.I):
                    self.ref_open = None
                self.hold(line.text)
                continue
            self.statement(line)
            if self.too_deep:
                return d
        if self.note_lines is not None and self.note_item is not None:
            self.out.add("SYNTAX_ERROR", "note without end note", line=self.note_item[0].number,
                         column=self.note_item[0].column)
        for group in self.open:
            self.out.add("SYNTAX_ERROR", f"{group.kind} without end", line=group.line, column=group.column)
        unclosed_block(self.block, self.out)
        if self.held:
            d.attributes["plantuml.after"] = "\n".join(self.held)
        if self.orders:
            position = {lane.id: i for i, lane in enumerate(d.lanes)}
            d.lanes.sort(key=lambda lane: (self.orders.get(lane.id, 0), position[lane.id]))
        return d

    # -- statements ------------------------------------------------------------------------
    def statement(self, line: Line) -> None:
        text = line.text
        lower = text.lower()
        word = lower.split(None, 1)[0] if lower else ""
        key = word.split(":", 1)[0]  # title: T, header:H
        if key == "title" and lower != "title":  # a title alone opens a title block
            self.diagram.title = label_or_none(one_line_text(text))
            return
        match = _DECLARATION.match(text)
        if match:
            self.declare(line, match)
            return
        if word in ("note", "hnote", "rnote"):
            self.note(line)
            return
        if word == "end" or lower in ("end", "end box", "endbox"):
            self.end(line)
            return
        match = _FRAGMENT.match(text)
        if match and word in _FRAGMENTS:
            self.fragment(line, match)
            return
        match = _SECTION.match(text)
        if match and word in ("else", "also"):
            self.section(line, match)
            return
        if word == "box":
            self.open_box(line)
            return
        if word in ("activate", "deactivate", "destroy", "create"):
            self.lifeline(line, word, text.split(None, 1)[1] if len(text.split(None, 1)) > 1 else "")
            return
        if word == "return":
            self.return_message(line, text[6:].strip())
            return
        if word == "autonumber":
            rest = text[10:].strip()
            if rest.lower() not in ("stop", "resume", "off") and "autonumber" not in self.diagram.attributes:
                self.diagram.attributes["autonumber"] = rest or "on"
            elif rest or "autonumber" in self.diagram.attributes:
                self.hold(text)
            return
        if word in ("autoactivate", "newpage"):
            self.hold(text)
            return
        opens = text_block_word(lower)
        if opens is not None or (word == "skinparam" and text.endswith("{")) or lower.startswith("<style>"):
            if lower.startswith("<style>") and lower.endswith("</style>"):
                self.keep(text)
            else:
                self.block = Block(line, "</style>" if lower.startswith("<style>") else "}" if word == "skinparam" else opens)
            return
        if key in ("skinparam", "hide", "show", "scale", "mainframe", "caption", "header", "footer", "legend",
                    "center", "left", "right", "footbox"):
            check_skinparam(line, self.out)
            self.keep(text)
            return
        if text.startswith("==") or text.startswith("...") or text.startswith("||"):
            self.hold(text)
            return
        if _REF.match(text):
            if ":" not in text:
                self.ref_open = line
            self.hold(text)
            return
        if self.message(line):
            return
        self.out.add("SYNTAX_ERROR", f"not a sequence statement: {text[:60]!r}", line=line.number, column=line.column)

    def keep(self, text: str) -> None:
        previous = self.diagram.attributes.get("plantuml.preamble")
        self.diagram.attributes["plantuml.preamble"] = text if previous is None else previous + "\n" + text

    def hold(self, text: str) -> None:
        """A line with a place in time but no element in the model (a divider, a delay, spacing,
        a ``ref``, an activation): kept on the next message (``plantuml.before``), or on the
        diagram (``plantuml.after``) when none follows; the PlantUML writer puts it back."""
        self.held.append(text)

    # -- participants ------------------------------------------------------------------------
    def lane(self, name: str, line: Line | None = None) -> Lane:
        lane = self.lanes.get(name)
        if lane is None:
            lane = Lane(name, line=line.number if line else None, column=line.column if line else None)
            self.lanes[name] = lane
            self.diagram.lanes.append(lane)
            if self.box is not None:
                self.add_to_box(name)
        return lane

    def add_to_box(self, name: str) -> None:
        members = self.box.attributes.get("lanes")
        self.box.attributes["lanes"] = name if not members else members + "," + name

    def declare(self, line: Line, match: re.Match) -> None:
        created, kind, rest = match.group(1), match.group(2).lower(), match.group(3)
        first = _NAME.match(rest)
        if first is None:
            self.out.add("SYNTAX_ERROR", "a participant needs a name", line=line.number, column=line.column)
            return
        name, label = (first.group(1) if first.group(1) is not None else first.group(2)), None
        tail = rest[first.end():]
        alias = re.match(r"\s+as\s+(\"[^\"]*\"|[^\s\"<>#]+)", tail, re.I)
        if alias:
            other = alias.group(1).strip('"')
            if first.group(1) is not None:  # "Long name" as A
                name, label = other, first.group(1)
            else:  # A as "Long name"
                label = other if alias.group(1).startswith('"') else other
                if not alias.group(1).startswith('"'):
                    name, label = other, first.group(2)
            tail = tail[alias.end():]
        elif first.group(1) is not None:
            label = None
        existing = name in self.lanes
        lane = self.lane(name, line)
        if not existing:
            lane.line, lane.column = line.number, line.column
        if label is not None:
            decoded = decode(label)
            lane.label = decoded if decoded != name else None
        if kind != "participant":
            lane.attributes["participant"] = kind
        parts = _DECLARATION_TAIL.match(tail)
        leftover = tail[parts.end():]
        if leftover:
            self.out.add("SYNTAX_ERROR", f"PlantUML refuses {leftover[:40]!r} here: after a participant's name come, "
                         "in this order, <<stereotype>>, order N, [[link]] and #colour", line=line.number,
                         column=line.column + len(line.text) - len(leftover))
        stereotypes, order, colour = parts.groups()
        stereotype = _STEREOTYPE.search(stereotypes) if stereotypes else None
        if stereotype:
            lane.attributes["plantuml.stereotype"] = stereotype.group(1)
        if colour:
            self.check_colour(colour, line, known_colour)
            lane.attributes["plantuml.color"] = colour
        if order:
            self.orders[name] = int(order)
            lane.attributes["plantuml.order"] = order
        if created:
            lane.attributes["created"] = "true"

    def open_box(self, line: Line) -> None:
        rest = line.text[3:].strip()
        title = re.match(r"\"([^\"]*)\"|([^#\s]+)", rest)
        self.group_counter += 1
        box = Group(f"box{self.group_counter}", GroupKind.BOX,
                    decode(title.group(1) or title.group(2)) if title else None, [], line=line.number,
                    column=line.column)
        colour = _COLOUR.search(rest[title.end():] if title else rest)
        if colour:
            self.check_colour(colour.group(1), line, known_colour)
            box.attributes["plantuml.color"] = colour.group(1)
        self.diagram.groups.append(box)
        self.box = box

    def lifeline(self, line: Line, word: str, rest: str) -> None:
        name = rest.split()[0].strip('"') if rest.split() else ""
        if not name:
            self.out.add("SYNTAX_ERROR", f"{word} needs a participant", line=line.number, column=line.column)
            return
        if word == "create":
            if name.lower() in PARTICIPANT_KINDS and len(rest.split()) > 1:
                self.declare(line, _DECLARATION.match(f"create {rest}"))
                return
            self.lane(name, line).attributes["created"] = "true"
        elif word == "destroy":
            self.lane(name, line).attributes["destroyed"] = "true"
            self.hold(f"destroy {rest.strip()}")
        else:
            self.lane(name, line)
            self.hold(f"{word} {rest.strip()}")

    # -- messages ----------------------------------------------------------------------------
    def message(self, line: Line) -> bool:
        text = line.text
        parallel = text.startswith("&")
        if parallel:
            text = text[1:].lstrip()
        body, _, label = text.partition(":")
        scan = _Scan(body)
        labels: dict[str, str] = {}  # "Long name" as L, L as "Long name": a participant named in the message
        left = scan.named_participant(labels)
        scan.spaces()
        arrow_start = scan.at
        arrow = scan.arrow()
        if arrow is None:
            return False
        slant = _SLANT.match(body, scan.at) if not arrow.reverse else None
        if slant is not None:  # A ->(10) B: PlantUML draws the arrow slanted down by 10
            scan.at = slant.end()
        scan.spaces()
        rights: list[str | None] = []
        right = scan.named_participant(labels)
        rights.append(right)
        scan.spaces()
        while scan.peek() == "&":
            scan.at += 1
            scan.spaces()
            if scan.peek() == '"':
                return False  # A -> X & "Y" (or "Y" as Y2): PlantUML 1.2026.8 takes only plain names after &
            rights.append(scan.participant())  # (an "as" after it is left over, and refused below)
            scan.spaces()
        markers = scan.rest().strip()
        if (left is None and right is None) or (slant is not None and right is None):
            return False  # (A ->(10) alone is a use case diagram's to PlantUML)
        if any(token not in _MARKERS and not token.startswith("#") for token in markers.split()):
            return False  # B----x, B foo: not a message PlantUML reads either
        reverse = arrow.reverse
        if slant is not None:
            self.out.add("IGNORED_STATEMENT", f"the slant {slant.group()} of this message: the model has no place for "
                         "it (the message is kept, drawn level)", line=line.number,
                         column=line.column + arrow_start + len(arrow.written))
        label_text = label_or_none(label) if _ else None
        for target_name in rights:
            source_name, target_name2 = (target_name, left) if reverse else (left, target_name)
            self.add_message(line, source_name, target_name2, arrow, label_text, markers, parallel, arrow_start)
        for name, long_name in labels.items():
            lane = self.lanes.get(name)
            if lane is not None and lane.label is None and decode(long_name) != name:
                lane.label = decode(long_name)
        return True

    def add_message(self, line, source_name, target_name, arrow, label, markers, parallel, column) -> None:
        d = self.diagram
        exo_source = source_name in (None, "[", "]", "?")
        exo_target = target_name in (None, "[", "]", "?")
        if exo_source and exo_target:
            self.out.add("SYNTAX_ERROR", "a message needs a participant at one end", line=line.number,
                         column=line.column)
            return
        if exo_source:
            lane = self.lane(target_name, line)
            start = self.new_node(lane.id, NodeKind.START, None, line)
            start.attributes["exogenous"] = "left" if source_name in (None, "[") else "right"
            source = start.id
        else:
            self.lane(source_name, line)
            source = self.last.get(source_name)
            if source is None:
                start = self.new_node(source_name, NodeKind.START, self.lanes[source_name].label or source_name, line)
                source = start.id
                self.last[source_name] = source
        if exo_target:
            lane = self.lane(source_name, line)
            end = self.new_node(lane.id, NodeKind.END, label, line)
            end.attributes["exogenous"] = "right" if target_name in (None, "]") else "left"
            target = end.id
        else:
            self.lane(target_name, line)
            step = self.new_node(target_name, NodeKind.TASK, label, line)
            target = step.id
        edge = Edge(source, target, label, style=arrow.style, line=line.number, column=line.column)
        if arrow.head:
            edge.attributes["head"] = arrow.head
        if arrow.written not in ("->", "-->", "<-", "<--"):
            edge.attributes["plantuml.arrow"] = arrow.written
        if parallel:
            edge.attributes["plantuml.parallel"] = "true"
        tokens = markers.split()
        marks = "".join(t for t in tokens if t in _MARKERS)
        for marker, value in (("++", "activate"), ("--", "deactivate")):
            if marker in marks:
                edge.attributes["activation"] = value if "activation" not in edge.attributes else "both"
        if "**" in marks and not exo_target:
            self.lanes[target_name].attributes["created"] = "true"
        if "!!" in marks and not exo_target:
            self.lanes[target_name].attributes["destroyed"] = "true"
        colours = " ".join(t for t in tokens if t not in _MARKERS)
        if colours:
            for colour in colours.split():
                self.check_colour(colour, line)
            edge.attributes["plantuml.markers"] = colours
        if self.held:
            edge.attributes["plantuml.before"] = "\n".join(self.held)
            self.held = []
        d.edges.append(edge)
        if not exo_target:
            self.last[target_name] = target
            if "++" in markers and not exo_source:
                self.callers.append((source_name, target_name))
        self.last_message = edge
        self.join_groups(target)

    def new_node(self, lane: str, kind: NodeKind, label: str | None, line: Line) -> Node:
        self.counter += 1
        node = Node(f"m{self.counter}" if kind is not NodeKind.START else f"s{self.counter}", lane, kind, label,
                    line=line.number, column=line.column)
        self.diagram.nodes.append(node)
        return node

    def return_message(self, line: Line, text: str) -> None:
        if self.callers:
            caller, callee = self.callers.pop()
        elif self.last_message is not None:
            nodes = self.diagram.node_by_id()
            caller, callee = nodes[self.last_message.source].lane, nodes[self.last_message.target].lane
        else:
            self.out.add("SYNTAX_ERROR", "return with no message to return from", line=line.number,
                         column=line.column)
            return
        arrow = _Arrow("-->", EdgeStyle.DOTTED, None, False)
        self.add_message(line, callee, caller, arrow, label_or_none(text), "", False, line.column)
        self.last_message.attributes["plantuml.return"] = "true"

    # -- notes and fragments -----------------------------------------------------------------
    def note(self, line: Line) -> None:
        words, body = split_note(line.text)
        shape = words[0].lower()
        placement = words[1].lower() if len(words) > 1 else "right"
        if placement not in ("left", "right", "over", "across", "top", "bottom"):
            self.out.add("SYNTAX_ERROR", "a note needs left, right, over or across", line=line.number,
                         column=line.column)
            return
        rest = words[2:]
        if rest and rest[0].lower() == "of":
            rest = rest[1:]
        participants = [p.strip('"') for p in " ".join(rest).split(",") if p.strip()]
        participants = [p.strip() for p in participants]
        if placement in ("top", "bottom"):
            placement = "right"
        if not participants and placement != "across":
            # "note left : x" right after a message stands by it
            where = self.last_message_lane()
            participants = [where] if where else []
        item = (line, placement, participants, shape)
        if body is None:
            self.note_lines = []
            self.note_item = item
            return
        self.add_note(item, body)

    def last_message_lane(self) -> str | None:
        if self.last_message is None:
            return self.diagram.lanes[0].id if self.diagram.lanes else None
        return self.diagram.node_by_id()[self.last_message.source].lane

    def finish_note(self) -> None:
        item = self.note_item
        lines = self.note_lines or []
        self.note_lines = None
        self.note_item = None
        self.add_note(item, "\\n".join(lines))

    def add_note(self, item, body: str) -> None:
        line, placement, participants, shape = item
        if not participants:
            if not self.diagram.lanes:
                self.out.add("SYNTAX_ERROR", "a note with no participant to stand by", line=line.number,
                             column=line.column)
                return
            participants = [lane.id for lane in self.diagram.lanes] if placement == "across" else \
                [self.diagram.lanes[0].id]
        lane = self.lane(participants[0], line)
        node = self.new_node(lane.id, NodeKind.NOTE, label_or_none(body), line)
        node.attributes["placement"] = "over" if placement == "across" else placement
        if placement == "across":
            node.attributes["plantuml.note"] = "across"
        if len(participants) > 1 and placement != "across":
            node.attributes["over"] = ",".join(participants)
        if shape != "note":
            node.attributes["plantuml.note"] = shape
        self.join_groups(node.id)

    def fragment(self, line: Line, match: re.Match) -> None:
        kind = _FRAGMENTS[match.group(1).lower()]
        self.group_counter += 1
        group = Group(f"{kind.value}{self.group_counter}", kind, label_or_none(match.group(3)), [],
                      parent=self.open[-1].id if self.open else None, line=line.number, column=line.column)
        if match.group(1).lower() in ("partition", "par2"):
            group.attributes["plantuml.fragment"] = match.group(1).lower()
        if match.group(2):
            self.check_colour(match.group(2).strip(), line)
            group.attributes["plantuml.color"] = match.group(2).strip()
        self.opened(group, line)

    def check_colour(self, colour: str, line: Line, known=readable_colour) -> None:
        if not known(colour):
            self.out.add("PLANTUML_NO_SUCH_COLOR", f"{colour[:60]!r} is not a colour PlantUML knows (PlantUML refuses "
                         "the diagram: \"No such color\")", line=line.number, column=line.column)

    def opened(self, group: Group, line: Line) -> None:
        """A fragment or a section opens. The model's groups nest as deep as max_depth allows: past it,
        refused at this line, before the rest is read (the API's own check could name no line)."""
        self.diagram.groups.append(group)
        self.open.append(group)
        limit = limits.depth_over(len(self.open))
        if limit is not None:
            self.too_deep = True
            self.out.add("INPUT_TOO_LARGE", f"fragments nest more than {limit} deep (max_depth)", line=line.number,
                         column=line.column)

    def section(self, line: Line, match: re.Match) -> None:
        if self.open and self.open[-1].kind.is_section:
            self.open.pop()
        if not self.open:
            self.out.add("SYNTAX_ERROR", "else outside a fragment", line=line.number, column=line.column)
            return
        parent = self.open[-1]
        self.group_counter += 1
        kind = _SECTION_OF.get(parent.kind, GroupKind.ELSE)
        group = Group(f"{kind.value}{self.group_counter}", kind, label_or_none(match.group(3)), [],
                      parent=parent.id, line=line.number, column=line.column)
        if match.group(1).lower() == "also":
            group.attributes["plantuml.fragment"] = "also"
        if match.group(2):
            self.check_colour(match.group(2).strip(), line)
            group.attributes["plantuml.color"] = match.group(2).strip()
        self.opened(group, line)

    def end(self, line: Line) -> None:
        lower = line.text.lower().replace(" ", "")
        if lower == "endbox":
            if self.box is None:
                self.out.add("SYNTAX_ERROR", "end box without box", line=line.number, column=line.column)
            self.box = None
            return
        if lower not in ("end", "endalt", "endloop", "endopt", "endpar", "endgroup", "endcritical", "endbreak"):
            self.out.add("SYNTAX_ERROR", f"not a sequence statement: {line.text[:60]!r}", line=line.number,
                         column=line.column)
            return
        if self.open and self.open[-1].kind.is_section:
            self.open.pop()
        if not self.open:
            self.out.add("SYNTAX_ERROR", "end without a fragment", line=line.number, column=line.column)
            return
        self.open.pop()

    def join_groups(self, node_id: str) -> None:
        for group in self.open:
            group.members.append(node_id)


class _Arrow:
    __slots__ = ("written", "style", "head", "reverse")

    def __init__(self, written: str, style: EdgeStyle, head: str | None, reverse: bool) -> None:
        self.written = written
        self.style = style
        self.head = head
        self.reverse = reverse


class _Scan:
    """A single left-to-right pass over a message line (no backtracking)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def spaces(self) -> None:
        while self.peek() in (" ", "\t") and self.peek():
            self.at += 1

    def rest(self) -> str:
        return self.text[self.at:]

    def participant(self) -> str | None:
        char = self.peek()
        if char in ("[", "]", "?"):
            following = self.text[self.at + 1:self.at + 2]
            if following in ("-", "<", "o", "x", "/", "\\", "") or self.at > 0:
                self.at += 1
                return char
        if char == '"':
            end = self.text.find('"', self.at + 1)
            if end < 0:
                return None
            name = self.text[self.at + 1:end]
            self.at = end + 1
            return name
        start = self.at
        while self.at < len(self.text) and self.text[self.at] not in ' \t-<>&"[]?':
            # a name may hold a dash only when not an arrow (A-B is rare; PlantUML reads an arrow)
            if (self.text[self.at] in "ox" and self.at > start and self.at + 1 < len(self.text)
                    and self.text[self.at + 1] in "-<"):
                break
            self.at += 1
        if self.at == start:
            return None
        return self.text[start:self.at]

    def named_participant(self, labels: dict[str, str]) -> str | None:
        """A participant, with the ``as`` that names it in a message as in a declaration: ``"Long
        name" as L`` and ``L as "Long name"`` are L, labelled Long name (put in ``labels``)."""
        quoted = self.peek() == '"'
        name = self.participant()
        if name is None or (not quoted and name in ("[", "]", "?")):
            return name
        after = self.at
        self.spaces()
        if self.at == after or self.text[self.at:self.at + 2].lower() != "as" or \
                self.text[self.at + 2:self.at + 3] not in (" ", "\t"):
            self.at = after
            return name
        self.at += 2
        self.spaces()
        other_quoted = self.peek() == '"'
        other = self.participant()
        if other is None or other_quoted == quoted:  # A as B, "A" as "B": not a message PlantUML reads
            self.at = after
            return name
        code, long_name = (other, name) if quoted else (name, other)
        labels[code] = long_name
        return code

    def arrow(self) -> _Arrow | None:
        start = self.at
        text = self.text
        depth = 0  # inside -[#red,dashed]-> any word character, # and , belong to the arrow
        while self.at < len(text):
            char = text[self.at]
            if char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
            elif char not in _ARROW_SIGNS and not (depth > 0 and (char.isalnum() or char in "#,._")):
                break
            self.at += 1
        written = text[start:self.at]
        if written.count("]") > written.count("["):  # A ->] : the diagram's right edge
            written = written[:-1]
            self.at -= 1
        # an o or x right after the arrow belongs to the arrow only when a space, the end or the
        # diagram's right edge follows (A ->x])
        if "-" not in written:
            self.at = start
            return None
        while written and written[-1] in "ox" and not written.endswith("-"):
            if self.at >= len(self.text) or self.text[self.at] in " \t]":
                break
            written = written[:-1]
            self.at -= 1
        style = EdgeStyle.DOTTED if "--" in written.replace("[", " ").split("]")[-1] or written.startswith("<--") \
            or "--" in written.split("[")[0] else EdgeStyle.SOLID
        bracket = re.search(r"\[([^\]]*)\]", written)
        if bracket:
            options = bracket.group(1).lower()
            if "dashed" in options or "dotted" in options:
                style = EdgeStyle.DOTTED
            if "hidden" in options:
                style = EdgeStyle.INVISIBLE
            if "bold" in options or "thickness" in options:
                style = EdgeStyle.THICK
        plain = re.sub(r"\[[^\]]*\]", "", written)
        reverse = plain.lstrip("ox").startswith("<") and not plain.rstrip("ox").endswith(">")
        both = plain.lstrip("ox").startswith("<") and plain.rstrip("ox").endswith(">")
        head = None
        if both:
            head = "both"
        elif plain.endswith("x") or plain.startswith("x"):
            head = "cross"
        elif ">>" in plain or "<<" in plain or plain.rstrip("ox").endswith(("\\", "/")) or \
                plain.lstrip("ox").startswith(("\\", "/")):
            head = "async"
        elif not plain.rstrip("ox").endswith(">") and not plain.lstrip("ox").startswith("<"):
            head = "open"
        return _Arrow(written, style, head, reverse)


def parse_arrow(text: str) -> _Arrow | None:
    """The arrow ``text`` starts with, as the reader takes it (its style, head and direction): the
    writer checks with it what an arrow it writes reads back as."""
    return _Scan(text + " X").arrow()


def read_sequence(source: Source, out: Diagnostics) -> Diagram:
    return SequenceReader(source, out).read()
