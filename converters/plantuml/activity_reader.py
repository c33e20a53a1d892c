"""PlantUML activity diagrams, new syntax ("activity3") → the model.

The graph is the one PlantUML draws, built in one pass with the flow's loose ends: each statement
that draws a box takes the arrows of the ends before it and becomes the only end. An ``if``,
``switch`` or loop test is a decision node with its labelled outcomes; branches merge into the
next statement (no merge node); ``while``/``repeat`` loops have their back edges; ``fork`` is a
parallel gateway and its ``end fork`` a join (made only when some branch reaches it); ``split``
draws no node: its branches start from the ends before it. Connectors ``(A)`` of one name are
joined: the flows that end in one lead to the statement after the one that starts a flow.
``goto``/``label`` are read the same way. Partitions and groups are groups; notes are note nodes.
Unclosed blocks are closed where the text ends, as PlantUML does, with a warning.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from .. import limits
from ..diagnostics import Diagnostics
from ..model import Diagram, Edge, EdgeStyle, Group, GroupKind, Lane, Node, NodeKind
from . import extras
from .blocks import Block, check_closed_block, check_skinparam, text_block_word, unclosed_block
from .colours import action_end, known_colour, readable_colour
from .source import Line, Source
from .text import decode, label_or_none, one_line_text, split_note

# An action ends with ``;``; PlantUML 1.2026 draws SDL shapes and colours from the stereotypes after
# it (``:x; <<procedure>> <<#red>>``; the old ``:x|`` endings are no longer terminators).
STEREOTYPES = {"procedure": NodeKind.SUBPROCESS, "task": NodeKind.USER_TASK, "save": NodeKind.DATA,
               "load": NodeKind.DATA, "input": NodeKind.EVENT, "output": NodeKind.EVENT,
               "continuous": NodeKind.TASK}
DEFAULT_STEREOTYPE = {NodeKind.SUBPROCESS: "procedure", NodeKind.USER_TASK: "task", NodeKind.DATA: "save",
                      NodeKind.EVENT: "input"}
IMPLICIT_LANE = "main"
_PREFIX = 80
_GROUP_WORDS = {"partition": GroupKind.SUBGRAPH, "group": GroupKind.GROUP, "package": GroupKind.GROUP,
                "rectangle": GroupKind.GROUP, "card": GroupKind.GROUP}
_SWIMLANE = re.compile(r"\|(?:(#[^|]*)\|)?([^|]*)\|\s*(.*)$")
_CONNECTOR = re.compile(r"\((.)\)$")
_ARROW = re.compile(r"-(?:\[([^\]]*)\])?-*>(.*)$")
_KEEP = ("title", "caption", "header", "footer", "legend", "skinparam", "hide", "show", "scale", "left", "right",
         "top", "center", "mainframe", "allowmixing", "allow_mixing")


@dataclass(slots=True)
class End:
    """A loose end of the flow: the arrow that the next box will receive."""

    source: str | None  # a node id, or None for the flow leaving connector ``connector``
    label: str | None = None
    style: EdgeStyle = EdgeStyle.SOLID
    connector: str | None = None
    # When the arrow was begun: edges are ordered by it, so an edge joined through a connector at
    # the end keeps its branch's place (the writer's if/else order, a fixed point).
    serial: int = field(default_factory=itertools.count().__next__)


@dataclass(slots=True)
class Frame:
    word: str  # if, switch, while, repeat, fork, split, group
    line: Line
    node: str | None = None  # the decision / fork gateway
    branch_ends: list[End] = field(default_factory=list)
    start_ends: list[End] = field(default_factory=list)  # split: the ends every branch starts from
    breaks: list[End] = field(default_factory=list)
    has_else: bool = False
    entry: str | None = None  # repeat: the first box of the body
    backward: tuple[Line, str] | None = None
    group: Group | None = None
    opened_case: bool = False
    close: str = ""  # group: "}" or "end group"


_PAREN = re.compile(r"[()]")


def paren_groups(text: str) -> tuple[list[str], list[str]]:
    """Top-level ``( … )`` groups of ``text`` and the words between them, in one pass over the
    parentheses alone."""
    groups: list[str] = []
    words: list[str] = []
    depth = 0
    start = 0
    word_start = 0
    for match in _PAREN.finditer(text):
        index = match.start()
        if match.group() == "(":
            if depth == 0:
                words.append(text[word_start:index].strip())
                start = index + 1
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                groups.append(text[start:index])
                word_start = index + 1
    words.append(text[word_start:].strip() if depth == 0 else text[start:].strip())
    return groups, words


class ActivityReader:
    def __init__(self, source: Source, out: Diagnostics) -> None:
        self.source = source
        self.out = out
        self.diagram = Diagram(direction="TB")
        self.lanes: dict[str, Lane] = {}
        self.lane: str | None = None
        self.ends: list[End] = []
        self.frames: list[Frame] = []
        self.open_groups: list[Group] = []  # kept apart from frames: nesting depth must not cost per node
        self.counter = 0
        self.group_counter = 0
        self.awaiting_entry: list[Frame] = []
        self.connector_sources: dict[str, list[End]] = {}
        self.connector_targets: dict[str, list[tuple[str, End]]] = {}
        self.labels: dict[str, str] = {}  # label name → the box after it
        self.pending_label: list[str] = []
        self.gotos: list[tuple[str, End, Line]] = []
        self.action: tuple[Line, list[str], str | None] | None = None  # an action spanning lines
        self.note: tuple[Line, str, bool, list[str]] | None = None
        self.block: Block | None = None  # legend … endlegend, skinparam { … }, <style> … </style>
        self.extras = extras.Pending(source.comments)
        self.edges: list[tuple[int, Edge]] = []  # (serial of the arrow's start, edge)
        self.too_deep = False  # blocks nest past max_depth: reported, and the reading stops
        self.drawn_outside_lanes = False  # a box before any swimlane: PlantUML then refuses a swimlane

    # -- the pass ---------------------------------------------------------------------------
    def read(self) -> Diagram:
        for line in self.source.lines:
            if self.too_deep:
                break
            if self.action is not None:
                self.continue_action(line)
            elif self.note is not None:
                self.continue_note(line)
            elif self.block is not None:
                self.continue_block(line)
            else:
                self.statement(line)
        if self.action is not None:
            first = self.action[0]
            self.out.add("PLANTUML_UNCLOSED", "an action never ended with ';': PlantUML draws the rest of the "
                         "text in its box", line=first.number, column=first.column)
            self.finish_action(first, self.action[1], [], self.action[2])
        if self.note is not None:
            self.out.add("SYNTAX_ERROR", "note without end note", line=self.note[0].number,
                         column=self.note[0].column)
        unclosed_block(self.block, self.out)
        while self.frames and not self.too_deep:  # (the text was not read to its end: no frame is "unclosed")
            frame = self.frames[-1]
            self.out.add("PLANTUML_UNCLOSED", f"{frame.word} is never closed; closed where the text ends, as "
                         "PlantUML does", line=frame.line.number, column=frame.line.column)
            self.close_frame(frame, frame.line)
        self.join_connectors()
        self.edges.sort(key=lambda pair: pair[0])
        self.diagram.edges = [edge for _, edge in self.edges]
        self.extras.apply(self.diagram, self.out)
        return self.diagram

    def statement(self, line: Line) -> None:
        text = line.text
        # a statement is known by its start: look at a bounded prefix, not the whole (maybe huge) line
        lower = text[:_PREFIX].lower()
        short = len(text) <= _PREFIX
        if text.startswith(":") or (text.startswith("#") and ":" in text and not text.startswith("#:")):
            self.start_action(line)
            return
        if text.startswith("|"):
            self.swimlane(line)
            return
        if text.startswith("-") and ">" in text:
            self.arrow(line)
            return
        match = _CONNECTOR.match(text)
        if match:
            self.connector(match.group(1))
            return
        if text.startswith("(") and self.incoming_elseif(text):
            self.elseif(line)
            return
        head = lower.split("(", 1)[0].split(":", 1)[0].split(None, 1)  # empty for "()" or ":" at the start
        word = head[0] if head else ""
        handler = (self.HANDLERS.get(lower.rstrip(" ;")) if short else None) or self.HANDLERS.get(word)
        if handler is not None:
            handler(self, line)
            return
        if lower == "}" or lower.startswith("end group") or lower.startswith("end partition") or \
                lower == "endgroup":
            self.close_group(line)
            return
        if lower.startswith("<style>"):
            if text.lower().endswith("</style>"):
                self.append_preamble(line.text)
            else:
                self.block = Block(line, "</style>")
            return
        if word in _KEEP or lower.startswith("!"):
            self.keep(line)
            return
        self.out.add("SYNTAX_ERROR", f"not an activity statement: {text[:60]!r}", line=line.number,
                     column=line.column)

    # -- boxes --------------------------------------------------------------------------------
    def current_lane(self, line: Line) -> str:
        if self.lane is None:
            lane = Lane(IMPLICIT_LANE, line=line.number, column=line.column)
            lane.attributes["plantuml.lane"] = "implicit"
            self.lanes[IMPLICIT_LANE] = lane
            self.diagram.lanes.insert(0, lane)
            self.lane = IMPLICIT_LANE
        return self.lane

    def new_node(self, line: Line, kind: NodeKind, label: str | None, *, take: bool = True) -> Node:
        self.counter += 1
        node = Node(f"n{self.counter}", self.current_lane(line), kind, label, line=line.number, column=line.column)
        if kind is not NodeKind.NOTE and self.lanes[node.lane].attributes.get("plantuml.lane") == "implicit":
            self.drawn_outside_lanes = True
        self.diagram.nodes.append(node)
        for group in self.open_groups:
            group.members.append(node.id)
        self.extras.node(node)
        if take:
            self.take(node.id)
            self.ends = [End(node.id)]
        return node

    def take(self, node_id: str) -> None:
        """``node_id`` receives every loose end."""
        for end in self.ends:
            if end.connector is not None:
                self.connector_targets.setdefault(end.connector, []).append((node_id, end))
            else:
                self.edge(end.source, node_id, end.label, end.style, end.serial)
        self.ends = []
        for frame in self.awaiting_entry:
            frame.entry = node_id
        self.awaiting_entry.clear()
        for name in self.pending_label:
            self.labels[name] = node_id
        self.pending_label.clear()

    def edge(self, source: str, target: str, label: str | None, style: EdgeStyle = EdgeStyle.SOLID,
             serial: int | None = None) -> Edge:
        edge = Edge(source, target, label, style=style)
        self.edges.append((End(None).serial if serial is None else serial, edge))
        return edge

    def start_action(self, line: Line) -> None:
        text = line.text
        colour = None
        if text.startswith("#"):
            colour, _, text = text.partition(":")
            text = ":" + text
            self.out.add("PLANTUML_DEPRECATED_COLOR", f"{colour}:… is the old colour syntax: PlantUML 1.2026.8 "
                         f"ignores the colour and draws this action together with the lines up to the next one "
                         f"ending in ';' (refused when none does); write :…; <<{colour}>>. Read as a coloured "
                         "action of this line", line=line.number, column=line.column)
        self.action = (line, [], colour)
        self.continue_action(Line(line.number, line.column, text[1:]))

    def continue_action(self, line: Line) -> None:
        first, parts, colour = self.action
        text = line.text
        end = action_end(text) if text.endswith(";") or text.endswith(">") else None
        if end is None:
            parts.append(text)
            return
        parts.append(text[:end[0]])
        self.action = None
        self.finish_action(first, parts, end[1], colour, line)

    def finish_action(self, line: Line, parts: list[str], labels: list[str], colour: str | None,
                      last: Line | None = None) -> None:
        """An action box; ``labels``: the stereotypes after its ``;`` (on ``last``), which give its
        shape (the first one PlantUML knows as a shape) and its colour (the last ``#…`` one)."""
        self.check_case(last or line, "an action")
        label = label_or_none("\n".join(parts))
        stereotypes = [name for name in labels if not name.startswith("#")]
        colours = [name for name in labels if name.startswith("#")]
        stereotype = next((name for name in stereotypes if name.lower() in STEREOTYPES), None) or \
            (stereotypes[0] if stereotypes else None)
        kind = STEREOTYPES.get(stereotype.lower(), NodeKind.TASK) if stereotype else NodeKind.TASK
        node = self.new_node(line, kind, label)
        if stereotype and DEFAULT_STEREOTYPE.get(kind) != stereotype.lower():
            node.attributes["plantuml.stereotype"] = stereotype
        where = last or line
        if len(stereotypes) > 1:
            self.out.add("IGNORED_STATEMENT", f"stereotypes {', '.join(s for s in stereotypes if s != stereotype)!r}: "
                         f"PlantUML draws only the first shape ({stereotype!r}); the others are left out",
                         line=where.number, column=where.column)
        if colours:
            colour = colours[-1]  # PlantUML draws the last one
            self.check_colour(colour, where)
        if colour:
            node.attributes["plantuml.color"] = colour

    def check_colour(self, colour: str, line: Line, known=readable_colour) -> None:
        if not known(colour):
            self.out.add("PLANTUML_NO_SUCH_COLOR", f"{colour[:60]!r} is not a colour PlantUML knows (PlantUML refuses "
                         "the diagram: \"No such color\")", line=line.number, column=line.column)

    def start(self, line: Line) -> None:
        self.new_node(line, NodeKind.START, None)

    def stop(self, line: Line) -> None:
        node = self.new_node(line, NodeKind.END, None)
        if line.text.lower().startswith("end"):
            node.attributes["plantuml.end"] = "end"
        self.ends = []

    def check_case(self, line: Line, what: str) -> None:
        """PlantUML 1.2026.8 refuses an action (and crashes on detach/kill) in a switch before its
        first case ("No 'case' in this switch"); arrows, notes, blocks, stop are taken there."""
        if self.frames and self.frames[-1].word == "switch" and not self.frames[-1].opened_case:
            self.out.add("PLANTUML_SWITCH_WITHOUT_CASE", f"{what} in a switch before its first case: PlantUML refuses "
                         "it (\"No 'case' in this switch\")", line=line.number, column=line.column)

    def detach(self, line: Line) -> None:
        self.check_case(line, line.text.split(None, 1)[0])
        if line.text.lower().startswith("kill"):
            pass
        self.ends = []

    def arrow(self, line: Line) -> None:
        match = _ARROW.match(line.text)
        if match is None:
            self.out.add("SYNTAX_ERROR", f"not an arrow: {line.text[:60]!r}", line=line.number, column=line.column)
            return
        text = match.group(2).strip()
        options, label = (match.group(1) or "").lower(), label_or_none(text[:-1] if text.endswith(";") else text)
        style = EdgeStyle.SOLID
        if "dashed" in options or "dotted" in options:
            style = EdgeStyle.DOTTED
        elif "hidden" in options:
            style = EdgeStyle.INVISIBLE
        elif "bold" in options or "thickness" in options:
            style = EdgeStyle.THICK
        for end in self.ends:
            if label is not None:
                end.label = label
            if style is not EdgeStyle.SOLID:
                end.style = style

    def connector(self, name: str) -> None:
        if self.ends:
            self.connector_sources.setdefault(name, []).extend(self.ends)
        self.ends = [End(None, connector=name)]

    def join_connectors(self) -> None:
        for name, sources in self.connector_sources.items():
            targets = self.connector_targets.get(name)
            if not targets:
                continue
            target, after = targets[0]
            for end in sources:
                if end.connector is not None:
                    continue
                self.edge(end.source, target, end.label if end.label is not None else after.label,
                          end.style if end.style is not EdgeStyle.SOLID else after.style, end.serial)
        for name, end, line in self.gotos:
            target = self.labels.get(name)
            if target is None:
                self.out.add("SYNTAX_ERROR", f"goto {name}: no label {name}", line=line.number, column=line.column)
            elif end.connector is None:
                self.edge(end.source, target, end.label, end.style, end.serial)

    # -- swimlanes, notes, kept lines --------------------------------------------------------
    def swimlane(self, line: Line) -> None:
        match = _SWIMLANE.match(line.text)
        if match is None:
            self.out.add("SYNTAX_ERROR", f"not a swimlane: {line.text[:60]!r}", line=line.number, column=line.column)
            return
        colour, name, title = match.group(1), match.group(2).strip(), match.group(3).strip()
        lane_id = decode(name)
        lane = self.lanes.get(lane_id)
        if lane is None and self.drawn_outside_lanes:
            self.out.add("PLANTUML_LATE_SWIMLANE", "this swimlane comes after boxes drawn outside any swimlane: "
                         "PlantUML refuses it (\"This swimlane must be defined at the start of the diagram\")",
                         line=line.number, column=line.column)
        if lane is None:
            lane = Lane(lane_id, line=line.number, column=line.column)
            self.lanes[lane_id] = lane
            self.diagram.lanes.append(lane)
        if title:
            lane.label = decode(title)
        if colour:
            self.check_colour(colour, line, known_colour)
            lane.attributes["plantuml.color"] = colour
        self.lane = lane_id

    def note_start(self, line: Line) -> None:
        words, body = split_note(line.text)
        lower = [w.lower() for w in words]
        floating = bool(lower) and lower[0] == "floating"
        if floating:
            lower = lower[1:]
        if not lower or lower[0] != "note" or len(lower) > 2 or (len(lower) == 2 and lower[1] not in ("left", "right")):
            self.out.add("SYNTAX_ERROR", f"not a note: {line.text[:60]!r}", line=line.number, column=line.column)
            return
        placement = lower[1] if len(lower) == 2 else "right"
        if body is not None:
            self.add_note(line, placement, floating, body)
        else:
            self.note = (line, placement, floating, [])

    def continue_note(self, line: Line) -> None:
        if re.fullmatch(r"end\s*note", line.text, re.I):
            first, placement, floating, parts = self.note
            self.note = None
            self.add_note(first, placement, floating, "\\n".join(parts))
        else:
            self.note[3].append(line.text)

    def add_note(self, line: Line, placement: str, floating: bool, text: str) -> None:
        node = self.new_node(line, NodeKind.NOTE, label_or_none(text), take=False)
        node.attributes["placement"] = placement
        if floating:
            node.attributes["plantuml.note"] = "floating"

    def keep(self, line: Line) -> None:
        lower = line.text.lower()
        word = lower.split(None, 1)[0].split(":", 1)[0]  # title: T
        if word == "title" and lower != "title":
            self.diagram.title = label_or_none(one_line_text(line.text))
            return
        opens = text_block_word(lower)
        if opens is not None or lower.endswith("{"):
            self.block = Block(line, "}" if lower.endswith("{") else opens)
            return
        check_skinparam(line, self.out)
        self.append_preamble(line.text)

    def continue_block(self, line: Line) -> None:
        if self.block.take(line.text):
            check_closed_block(self.block, self.out)
            self.append_preamble(self.block.text)
            self.block = None

    def append_preamble(self, text: str) -> None:
        previous = self.diagram.attributes.get("plantuml.preamble")
        self.diagram.attributes["plantuml.preamble"] = text if previous is None else previous + "\n" + text

    # -- blocks -------------------------------------------------------------------------------
    def push(self, word: str, line: Line, **values) -> Frame:
        frame = Frame(word, line, **values)
        self.frames.append(frame)
        if word == "group":
            # Partitions and groups become the model's groups, whose nesting max_depth bounds: refused
            # at the line that passes it, before the rest is read. Control blocks (if, while, fork…)
            # are not groups: the writer nests them as deep as a long flow of decisions goes, and
            # reading them costs linear time at any depth (tests/test_plantuml_complexity.py).
            limit = limits.depth_over(len(self.open_groups) + 1)
            if limit is not None and not self.too_deep:
                self.too_deep = True  # read() stops here
                self.out.add("INPUT_TOO_LARGE", f"groups nest more than {limit} deep (max_depth)",
                             line=line.number, column=line.column)
        return frame

    def innermost(self, words: tuple[str, ...], line: Line, what: str) -> Frame | None:
        if self.frames and self.frames[-1].word in words:
            return self.frames[-1]
        self.out.add("SYNTAX_ERROR", f"{what} without {' or '.join(words)}", line=line.number, column=line.column)
        return None

    def decision(self, line: Line, condition: str) -> Node:
        node = self.new_node(line, NodeKind.DECISION, label_or_none(condition))
        return node

    def needs_test(self, line: Line, word: str) -> bool:
        if "(" in line.text:
            return True
        self.out.add("SYNTAX_ERROR", f"{word} needs its test in parentheses: {line.text[:60]!r}",
                     line=line.number, column=line.column)
        return False

    def if_(self, line: Line) -> None:
        if not self.needs_test(line, "if"):
            return
        groups, words = paren_groups(line.text[2:])
        condition = groups[0] if groups else ""
        then_label = groups[-1] if len(groups) > 1 and words[-1].lower() == "" else None
        if len(groups) > 1 and words[-2].lower() in ("then",):
            then_label = groups[-1]
        node = self.decision(line, condition)
        self.ends = [End(node.id, label_or_none(then_label) if then_label is not None else None)]
        self.push("if", line, node=node.id)

    def elseif(self, line: Line) -> None:
        frame = self.innermost(("if",), line, "elseif")
        if frame is None:
            return
        groups, _ = paren_groups(line.text)
        # ``(no) elseif (c) then (yes)``: a label before elseif is the edge from the test before
        # into the new one (PlantUML's INCOMING)
        incoming = groups.pop(0) if line.text.startswith("(") and groups else None
        frame.branch_ends.extend(self.ends)
        self.ends = [End(frame.node, label_or_none(incoming) if incoming is not None else None)]
        condition = groups[0] if groups else ""
        node = self.decision(line, condition)
        then_label = groups[1] if len(groups) > 1 else None
        self.ends = [End(node.id, label_or_none(then_label) if then_label is not None else None)]
        frame.node = node.id

    @staticmethod
    def incoming_elseif(text: str) -> bool:
        """``(no) elseif (c) then``: the word after the first parenthesised group is elseif."""
        _, words = paren_groups(text)
        word = words[1].lower() if len(words) > 1 else ""
        return word.startswith("elseif") or (word.startswith("else") and word[4:].lstrip().startswith("if"))

    def else_(self, line: Line) -> None:
        lower = line.text.lower()
        if lower.startswith("else if") or lower.startswith("elseif"):
            self.elseif(line)
            return
        frame = self.innermost(("if",), line, "else")
        if frame is None:
            return
        groups, _ = paren_groups(line.text[4:])
        frame.branch_ends.extend(self.ends)
        frame.has_else = True
        self.ends = [End(frame.node, label_or_none(groups[0]) if groups else None)]

    def endif(self, line: Line) -> None:
        frame = self.innermost(("if",), line, "endif")
        if frame is not None:
            self.close_frame(frame, line)

    def switch(self, line: Line) -> None:
        if not self.needs_test(line, "switch"):
            return
        groups, _ = paren_groups(line.text[6:])
        node = self.decision(line, groups[0] if groups else "")
        node.attributes["plantuml.decision"] = "switch"
        self.ends = []
        self.push("switch", line, node=node.id)

    def case(self, line: Line) -> None:
        frame = self.innermost(("switch",), line, "case")
        if frame is None:
            return
        groups, _ = paren_groups(line.text[4:])
        if frame.opened_case:
            frame.branch_ends.extend(self.ends)
        frame.opened_case = True
        self.ends = [End(frame.node, label_or_none(groups[0]) if groups else None)]

    def endswitch(self, line: Line) -> None:
        frame = self.innermost(("switch",), line, "endswitch")
        if frame is not None:
            self.close_frame(frame, line)

    def while_(self, line: Line) -> None:
        if not self.needs_test(line, "while"):
            return
        groups, words = paren_groups(line.text[5:])
        node = self.decision(line, groups[0] if groups else "")
        node.attributes["plantuml.decision"] = "while"
        label = groups[1] if len(groups) > 1 else None
        self.ends = [End(node.id, label_or_none(label) if label is not None else None)]
        self.push("while", line, node=node.id)

    def endwhile(self, line: Line) -> None:
        frame = self.innermost(("while",), line, "endwhile")
        if frame is None:
            return
        groups, _ = paren_groups(line.text)
        frame.line = line
        frame.has_else = True
        frame.start_ends = [End(frame.node, label_or_none(groups[0]) if groups else None)]
        self.close_frame(frame, line)

    def break_(self, line: Line) -> None:
        for frame in reversed(self.frames):
            if frame.word in ("while", "repeat"):
                frame.breaks.extend(self.ends)
                self.ends = []
                return
        # PlantUML 1.2026.8 draws it: the flow stops there (its arrow leads nowhere, the next box
        # starts unconnected)
        self.out.add("IGNORED_STATEMENT", "break outside a loop: PlantUML ends the flow here with an arrow that "
                     "leads nowhere; read as the end of this flow", line=line.number, column=line.column)
        self.ends = []

    def repeat(self, line: Line) -> None:
        lower = line.text.lower()
        if lower.startswith("repeat while") or lower.startswith("repeatwhile") or \
                re.match(r"repeat\s+while", lower):
            self.repeat_while(line)
            return
        frame = self.push("repeat", line)
        self.awaiting_entry.append(frame)
        rest = line.text[6:].strip()
        if rest.startswith(":"):
            self.start_action(Line(line.number, line.column + 7, rest))

    def backward(self, line: Line) -> None:
        frame = self.innermost(("repeat",), line, "backward")
        if frame is None:
            return
        rest = line.text[8:].strip()
        if rest.startswith(":"):
            rest = rest[1:]
        end = action_end(rest)
        frame.backward = (line, rest[:end[0]] if end else rest)

    def repeat_while(self, line: Line) -> None:
        frame = self.innermost(("repeat",), line, "repeat while")
        if frame is None:
            return
        frame.line = line
        self.close_frame(frame, line)

    def fork(self, line: Line) -> None:
        lower = line.text.lower()
        if lower.startswith("fork again"):
            frame = self.innermost(("fork",), line, "fork again")
            if frame is not None:
                frame.branch_ends.extend(self.ends)
                self.ends = [End(frame.node)]
            return
        node = self.new_node(line, NodeKind.GATEWAY, None)
        node.attributes["gateway"] = "parallel"
        self.push("fork", line, node=node.id)

    def split(self, line: Line) -> None:
        lower = line.text.lower()
        if lower.startswith("split again"):
            frame = self.innermost(("split",), line, "split again")
            if frame is not None:
                frame.branch_ends.extend(self.ends)
                self.ends = [End(e.source, e.label, e.style, e.connector) for e in frame.start_ends]
            return
        self.push("split", line, start_ends=[End(e.source, e.label, e.style, e.connector) for e in self.ends])

    def end_word(self, line: Line) -> None:
        lower = " ".join(line.text.lower().split())
        if lower in ("end", "end;"):
            self.stop(line)
        elif lower.startswith("end fork") or lower.startswith("end merge"):
            frame = self.innermost(("fork",), line, lower)
            if frame is not None:
                frame.has_else = lower.startswith("end merge")
                self.close_frame(frame, line)
        elif lower.startswith("end split"):
            frame = self.innermost(("split",), line, "end split")
            if frame is not None:
                self.close_frame(frame, line)
        elif lower in ("end if",):
            self.endif(line)
        elif lower in ("end while",):
            self.endwhile(line)
        elif lower in ("end switch",):
            self.endswitch(line)
        elif lower.startswith("end group") or lower.startswith("end partition"):
            self.close_group(line)
        elif lower in ("end note", "endnote"):
            self.out.add("SYNTAX_ERROR", "end note without note", line=line.number, column=line.column)
        else:
            self.out.add("SYNTAX_ERROR", f"not an activity statement: {line.text[:60]!r}", line=line.number,
                         column=line.column)

    def group(self, line: Line) -> None:
        text = line.text
        word = text.split(None, 1)[0].lower()
        rest = text[len(word):].strip()
        brace = rest.endswith("{")
        if brace:
            rest = rest[:-1].strip()
        name = rest
        colour = None
        if name.startswith("#"):
            colour, _, name = name.partition(" ")
        if name.startswith('"') and name.endswith('"') and len(name) > 1:
            name = name[1:-1]
        self.group_counter += 1
        kind = _GROUP_WORDS[word]
        if self.lane is None or self.lane == IMPLICIT_LANE:
            self.drawn_outside_lanes = True  # PlantUML refuses a swimlane after a group, even an empty one
        group = Group(f"g{self.group_counter}", kind, label_or_none(name), [],
                      parent=self.innermost_group(), line=line.number, column=line.column)
        if word not in ("partition", "group"):
            group.attributes["plantuml.group"] = word
        if colour:
            self.check_colour(colour, line)
            group.attributes["plantuml.color"] = colour
        self.diagram.groups.append(group)
        self.push("group", line, group=group, close="}" if brace else "end")
        self.open_groups.append(group)

    def innermost_group(self) -> str | None:
        for frame in reversed(self.frames):
            if frame.group is not None:
                return frame.group.id
        return None

    def close_group(self, line: Line) -> None:
        if self.frames and self.frames[-1].word == "group":
            self.frames.pop()
            self.open_groups.pop()
            return
        self.out.add("SYNTAX_ERROR", "} or end group without a partition or group", line=line.number,
                     column=line.column)

    def label(self, line: Line) -> None:
        name = line.text[5:].strip()
        self.pending_label.append(name)

    def goto(self, line: Line) -> None:
        name = line.text[4:].strip()
        for end in self.ends:
            self.gotos.append((name, end, line))
        self.ends = []

    def close_frame(self, frame: Frame, line: Line) -> None:
        """Ends ``frame`` (the innermost), merging its branches into the loose ends."""
        if self.frames and self.frames[-1] is frame:
            self.frames.pop()
        else:
            self.frames.remove(frame)
        if frame.group is not None and self.open_groups and self.open_groups[-1] is frame.group:
            self.open_groups.pop()
        if frame in self.awaiting_entry:
            self.awaiting_entry.remove(frame)
        word = frame.word
        if word == "if":
            # Extended in place, the longer list kept, not copied per level (nested ifs without else
            # pile up loose ends): the order of ends does not matter, edges are sorted by End.serial.
            ends, more = (self.ends, frame.branch_ends) if len(self.ends) >= len(frame.branch_ends) else \
                (frame.branch_ends, self.ends)
            ends.extend(more)
            if not frame.has_else:
                ends.append(End(frame.node))
            self.ends = ends
        elif word == "switch":
            self.ends = frame.branch_ends + (self.ends if frame.opened_case else [])
            if not frame.opened_case:
                self.ends = [End(frame.node)]
        elif word == "while":
            for end in self.ends:
                if end.connector is not None:
                    self.connector_targets.setdefault(end.connector, []).append((frame.node, end))
                else:
                    self.edge(end.source, frame.node, end.label, end.style, end.serial)
            leave = frame.start_ends if frame.has_else else [End(frame.node)]
            self.ends = leave + frame.breaks
        elif word == "repeat":
            groups, words = paren_groups(line.text[6:].lstrip()[5:]) if line is frame.line else ([], [])
            node = self.decision(line, groups[0] if groups else "")
            node.attributes["plantuml.decision"] = "repeat"
            entry = frame.entry or node.id
            back_label = label_or_none(groups[1]) if len(groups) > 1 and "is" in words[1].lower().split() + [
                words[1].lower()] else None
            leave_label = None
            for index in range(1, len(groups)):
                if words[index].lower().strip() == "not":
                    leave_label = label_or_none(groups[index])
                elif words[index].lower().strip() == "is":
                    back_label = label_or_none(groups[index])
            if frame.backward is not None:
                back_line, text = frame.backward
                self.counter += 1
                back = Node(f"n{self.counter}", self.current_lane(back_line), NodeKind.TASK, label_or_none(text),
                            line=back_line.number, column=back_line.column)
                self.diagram.nodes.append(back)
                self.extras.node(back)
                self.edge(node.id, back.id, back_label)
                self.edge(back.id, entry, None)
            else:
                self.edge(node.id, entry, back_label)
            self.ends = [End(node.id, leave_label)] + frame.breaks
        elif word == "fork":
            ends = frame.branch_ends + self.ends
            if ends:
                join = self.new_node(line, NodeKind.GATEWAY, None, take=False)
                join.attributes["gateway"] = "parallel"
                if frame.has_else:
                    join.attributes["plantuml.join"] = "merge"
                self.ends = ends
                self.take(join.id)
                self.ends = [End(join.id)]
            else:
                self.ends = []
        elif word == "split":
            self.ends = frame.branch_ends + self.ends

    HANDLERS = {
        "start": start, "stop": stop, "end": end_word, "kill": detach, "detach": detach,
        "if": if_, "elseif": elseif, "else": else_, "endif": endif,
        "switch": switch, "case": case, "endswitch": endswitch,
        "while": while_, "endwhile": endwhile, "break": break_,
        "repeat": repeat, "repeatwhile": repeat_while, "backward": backward,
        "fork": fork, "split": split,
        "partition": group, "group": group, "package": group, "rectangle": group, "card": group,
        "note": note_start, "floating": note_start, "label": label, "goto": goto,
    }


def read_activity(source: Source, out: Diagnostics) -> Diagram:
    return ActivityReader(source, out).read()
