"""PlantUML's old activity syntax → the model.

``(*) --> "A"`` starts at the start circle; ``"A" --> "B"`` links two activities named by their
text (or by ``as`` aliases); a line that begins with the arrow continues from the last activity;
``-->[label]`` labels the arrow; ``-right->``/``-[#red]->`` are drawn directions and colours;
``===B1===`` bars are parallel gateways; ``if "c" then`` … ``else`` … ``endif`` makes a decision
whose branches start from it; ``(*)`` as a target is the end circle; ``partition`` groups.
"""
from __future__ import annotations

import re

from ..diagnostics import Diagnostics
from ..model import Diagram, Edge, EdgeStyle, Group, GroupKind, Lane, Node, NodeKind
from .blocks import Block, check_closed_block, check_skinparam, text_block_word, unclosed_block
from .source import Line, Source
from .text import label_or_none, one_line_text, split_note

LANE = "main"
# Each searched from the start of a run of dashes, and the second run only after a direction or
# [style]: no two parts can match the same characters, so a line of any length is read in one pass.
_ARROW = re.compile(r"(?<![-.])(-+|\.+)(?:(?:(up|down|left|right|le?|ri?|do?|u)|\[([^\]]*)\])(-+|\.+))?>"
                    r"\s*(?:\[([^\]]*)\])?")
_TARGET = re.compile(r"\(\*(?:top)?\)|={2,}([^=]*)={2,}|\"([^\"]*)\"(?:\s+as\s+(\w+))?|(\w+)")


class LegacyReader:
    def __init__(self, source: Source, out: Diagnostics) -> None:
        self.source = source
        self.out = out
        self.diagram = Diagram(direction="TB")
        self.by_name: dict[str, str] = {}
        self.last: str | None = None
        self.counter = 0
        self.start: str | None = None
        self.end: str | None = None
        self.ifs: list[dict] = []
        self.groups: list[Group] = []
        self.note: tuple[Line, str, list[str]] | None = None
        self.pending: Line | None = None  # a statement whose "quoted label" goes on over lines
        self.first_line_length: dict[int, int] = {}  # a statement over lines → the length of its first line
        self.block: Block | None = None  # inside skinparam … { … }: its lines go to the preamble as they come

    def read(self) -> Diagram:
        lane = Lane(LANE)
        lane.attributes["plantuml.lane"] = "implicit"
        self.diagram.lanes.append(lane)
        self.diagram.attributes["plantuml.syntax"] = "legacy"
        for line in self.source.lines:
            if self.note is not None:
                if re.fullmatch(r"end\s*note", line.text, re.I):
                    first, placement, parts = self.note
                    self.note = None
                    self.add_note(first, placement, "\\n".join(parts))
                else:
                    self.note[2].append(line.text)
                continue
            if self.block is not None:
                if self.block.take(line.text):
                    check_closed_block(self.block, self.out)
                    self.block = None
                self.diagram.attributes["plantuml.preamble"] += "\n" + line.text
                continue
            if self.pending is not None:
                self.first_line_length.setdefault(self.pending.number, len(self.pending.text))
                line = Line(self.pending.number, self.pending.column, self.pending.text + "\\n" + line.text)
                self.pending = None
            if line.text.count('"') % 2:
                self.pending = line
                continue
            self.statement(line)
        if self.pending is not None:
            self.out.add("SYNTAX_ERROR", "a quoted label is never closed", line=self.pending.number,
                         column=self.pending.column)
        for frame in self.ifs:
            self.out.add("PLANTUML_UNCLOSED", "if is never closed", line=frame["line"].number,
                         column=frame["line"].column)
        unclosed_block(self.block, self.out)
        return self.diagram

    def node(self, line: Line, kind: NodeKind, label: str | None, name: str | None) -> str:
        if name is not None and name in self.by_name:
            return self.by_name[name]
        self.counter += 1
        node = Node(f"n{self.counter}", LANE, kind, label, line=line.number, column=line.column)
        self.diagram.nodes.append(node)
        for group in self.groups:
            group.members.append(node.id)
        if name is not None:
            self.by_name[name] = node.id
        return node.id

    def target(self, line: Line, text: str) -> tuple[str | None, str]:
        match = _TARGET.match(text)
        if match is None:
            return None, text
        whole = match.group(0)
        if whole.startswith("(*"):
            if self.start is None and self.last is None and not text[match.end():].strip():
                pass
            return "(*)", text[match.end():]
        if match.group(1) is not None or whole.startswith("="):
            node = self.node(line, NodeKind.GATEWAY, None, "===" + (match.group(1) or "").strip())
            return node, text[match.end():]
        if match.group(2) is not None:
            label = match.group(2)
            name = match.group(3) or label
            return self.node(line, NodeKind.TASK, label_or_none(label), name), text[match.end():]
        return self.node(line, NodeKind.TASK, label_or_none(match.group(4)), match.group(4)), text[match.end():]

    def statement(self, line: Line) -> None:
        text = line.text
        lower = text.lower()
        if lower.startswith("if "):
            condition = text[3:].strip()
            if condition.lower().endswith("then"):
                condition = condition[:-4].strip()
            decision = self.node(line, NodeKind.DECISION, label_or_none(condition.strip('"')), None)
            if self.last is not None:
                self.diagram.edges.append(Edge(self.last, decision))
            self.ifs.append({"line": line, "node": decision, "ends": []})
            self.last = decision
            return
        if lower == "else" or lower.startswith("else "):
            if not self.ifs:
                self.out.add("SYNTAX_ERROR", "else without if", line=line.number, column=line.column)
                return
            frame = self.ifs[-1]
            frame["ends"].append(self.last)
            self.last = frame["node"]
            return
        if lower in ("endif", "end if"):
            if not self.ifs:
                self.out.add("SYNTAX_ERROR", "endif without if", line=line.number, column=line.column)
                return
            frame = self.ifs.pop()
            self.last = self.last
            return
        if lower.startswith("partition"):
            name = text[9:].strip().rstrip("{").strip().strip('"')
            group = Group(f"g{len(self.diagram.groups) + 1}", GroupKind.SUBGRAPH, label_or_none(name), [],
                          parent=self.groups[-1].id if self.groups else None, line=line.number, column=line.column)
            self.diagram.groups.append(group)
            self.groups.append(group)
            return
        if lower in ("}", "end partition"):
            if self.groups:
                self.groups.pop()
            return
        if lower.startswith("note"):
            words, body = split_note(text)
            placement = words[1].lower() if len(words) > 1 and words[1].lower() in ("left", "right", "top",
                                                                                   "bottom") else "right"
            if body is not None:
                self.add_note(line, placement, body)
            else:
                self.note = (line, placement, [])
            return
        word = lower.split(None, 1)[0].split(":", 1)[0]  # title: T, header:H
        if word in ("skinparam", "title", "hide", "scale", "caption", "header", "footer", "legend", "left", "right",
                    "center"):
            if lower.endswith("{"):
                self.block = Block(line, "}")
            elif text_block_word(lower) is not None:
                self.block = Block(line, text_block_word(lower))  # legend … endlegend: the same blocks as the new syntax
            if word == "title" and lower != "title":
                self.diagram.title = label_or_none(one_line_text(text))
            else:
                if self.block is None:
                    check_skinparam(line, self.out)
                previous = self.diagram.attributes.get("plantuml.preamble")
                self.diagram.attributes["plantuml.preamble"] = text if previous is None else previous + "\n" + text
            return
        self.link(line, text)

    def column_of(self, line: Line, offset: int) -> int:
        """The column of ``offset`` in a statement; past the first line of a statement over several
        lines, the statement's own column (the error stays on its line)."""
        if offset > self.first_line_length.get(line.number, offset):
            return line.column
        return line.column + offset

    def link(self, line: Line, text: str) -> None:
        source: str | None
        arrow = _ARROW.search(text) if ("-" in text or "." in text) else None
        if arrow is None:
            self.out.add("SYNTAX_ERROR", f"not an activity statement: {text[:60]!r}", line=line.number,
                         column=line.column)
            return
        before = text[:arrow.start()].strip()
        if before:
            source, rest = self.target(line, before)
            if source is None or rest.strip():
                self.out.add("SYNTAX_ERROR", f"cannot read {before[:60]!r}", line=line.number, column=line.column)
                return
            if source == "(*)":
                if self.start is None:
                    self.start = self.node(line, NodeKind.START, None, None)
                source = self.start
        else:
            source = self.last
            if source is None:
                self.out.add("SYNTAX_ERROR", "an arrow with nothing before it", line=line.number, column=line.column)
                return
        after = text[arrow.end():].strip()
        if after.lower().startswith("if "):  # X --> if "c" then: the decision follows X
            self.last = source
            self.statement(Line(line.number, line.column, after))
            self.diagram.edges[-1].label = label_or_none(arrow.group(5)) if arrow.group(5) else None
            return
        target, rest = self.target(line, after)
        if target is None:
            self.out.add("SYNTAX_ERROR", f"an arrow needs a target: {text[:60]!r}", line=line.number,
                         column=line.column)
            return
        if not _target_tail(rest):
            self.out.add("SYNTAX_ERROR", f"cannot read {rest.strip()[:60]!r} after the arrow's target (PlantUML "
                         "allows <<stereotype>>, in Partition, #colour)", line=line.number,
                         column=self.column_of(line, len(text) - len(rest.lstrip())))
            return
        if rest.strip():  # PlantUML draws these; the model has no place for them: said, not lost silently
            self.out.add("IGNORED_STATEMENT", f"{rest.strip()[:60]!r} after the arrow's target is not kept (the model "
                         "has no stereotype, partition or colour for an old-syntax activity)", line=line.number,
                         column=self.column_of(line, len(text) - len(rest.lstrip())))
        if target == "(*)":
            if self.end is None:
                self.end = self.node(line, NodeKind.END, None, None)
            target = self.end
        label = arrow.group(5)
        style = EdgeStyle.DOTTED if arrow.group(1).startswith(".") else EdgeStyle.SOLID
        edge = Edge(source, target, label_or_none(label) if label else None, style=style, line=line.number,
                    column=line.column)
        if arrow.group(2):
            edge.attributes["plantuml.direction"] = arrow.group(2)
        self.diagram.edges.append(edge)
        self.last = target

    def add_note(self, line: Line, placement: str, text: str) -> None:
        self.counter += 1
        node = Node(f"n{self.counter}", LANE, NodeKind.NOTE, label_or_none(text), line=line.number,
                    column=line.column)
        node.attributes["placement"] = placement
        self.diagram.nodes.append(node)


def _target_tail(rest: str) -> bool:
    """True when ``rest`` (what follows an arrow's target) is what PlantUML allows there, in its
    order: ``<<stereotype>>``, ``in Partition``, ``#colour``; anything else (``: label``) it refuses."""
    rest = rest.strip()
    if rest.startswith("<<"):
        end = rest.rfind(">>")
        if end < 3:  # <<>> holds no stereotype
            return False
        rest = rest[end + 2:].lstrip()
    if rest[:3].lower() in ("in ", "in\t"):
        rest = rest[3:].lstrip()
        if rest.startswith('"'):
            close = rest.find('"', 1)
            if close < 0:
                return False
            rest = rest[close + 1:].lstrip()
        else:
            rest = rest.split(None, 1)[1] if len(rest.split(None, 1)) > 1 else ""
    if rest.startswith("#"):
        rest = rest[1:]
        return rest != "" and (rest.replace("_", "a").isalnum())
    return rest == ""


def read_legacy(source: Source, out: Diagnostics) -> Diagram:
    return LegacyReader(source, out).read()
