"""The activity writer: the model → PlantUML new-syntax activity text.

Stage 1 (``restructure``) turns the graph into PlantUML's blocks; stage 2 (here) spells them,
declares one swimlane per lane in the model's order, and reports per element what the activity
language cannot carry — or, with ``extras=comments``, keeps it in ``' flowzap`` comments.
"""
from __future__ import annotations

import re

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram, EdgeStyle, IdAllocator, Node, NodeKind, edge_name
from . import extras
from .activity_reader import DEFAULT_STEREOTYPE, IMPLICIT_LANE
from .colours import known_colour, writable_colour
from .restructure import Restructure, Step
from .text import encode, header_lines

_ALIAS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WORD = re.compile(r"\w+")
_NUMBERED = re.compile(r"n[1-9][0-9]*")  # the ids the reader gives back
_WANTED_FORM = {NodeKind.START: "start", NodeKind.END: "stop", NodeKind.NOTE: "note"}
# Indentation is for people; deep nesting (a long chain of decisions) must not make the text
# quadratic in size.
_MAX_INDENT = 8
_STYLE = {EdgeStyle.DOTTED: "-[dashed]->", EdgeStyle.THICK: "-[bold]->", EdgeStyle.INVISIBLE: "-[hidden]->"}
# Attributes the activity language itself carries (read back by the reader).
_CARRIED_NODE = {"plantuml.stereotype", "plantuml.color", "plantuml.end", "plantuml.decision", "gateway",
                 "plantuml.join", "placement", "plantuml.note"}
_CARRIED_LANE = {"plantuml.color", "plantuml.lane"}
_CARRIED_DIAGRAM = {"plantuml.preamble", "plantuml.comments", "diagram"}


def _label(text: str | None) -> str:
    return encode(text) if text else ""


def _condition(text: str | None) -> str:
    """A label written between parentheses (a test, an outcome, a case)."""
    return encode(text, parentheses=True) if text else ""


class ActivityWriter:
    def __init__(self, diagram: Diagram, keep: bool) -> None:
        self.diagram = diagram
        self.keep = keep
        self.out = Diagnostics()
        self.lines: list[str] = []
        self.lane_switch: dict[str, str] = {}  # lane id → its |swimlane| line
        self.lane_extras: list[dict] = []
        self.current_lane: str | None = None  # the swimlane PlantUML is in
        self.coloured: set[str] = set()  # the nodes whose plantuml.color is written
        # node id → model position, for the comments that keep it (only they need it)
        self.order = {n.id: i for i, n in enumerate(diagram.nodes)} if keep else {}

    def write(self) -> tuple[str, list[Diagnostic]]:
        d = self.diagram
        lines = self.lines
        lines.extend(header_lines(d, self.out))
        self.declare_lanes()
        plan = Restructure(d)
        plan.run(self.spell)  # each step spelled as it is made
        self.report_nodes(plan)
        self.report_edges()
        self.report_rest()
        self.write_comments()
        if all(line.startswith("!") for line in lines[1:]):
            report_empty(d, self.out)
        lines.append("@enduml")
        lines.append("")  # the last newline in the one join (no copy of the text for it)
        return "\n".join(lines), self.out.items

    def write_comments(self) -> None:
        """Plain ``'`` comments of a PlantUML source, kept as comments (read back in order)."""
        text = self.diagram.attributes.get("plantuml.comments")
        if text is None:
            return
        lines = text.split("\n")
        if all(_plain_comment(line) for line in lines):
            self.lines.extend("'" + line for line in lines)
        elif not self.keep:
            self.out.add("DROPPED_ATTRIBUTE", "diagram: plantuml.comments holds a line a comment cannot carry",
                         element="diagram")

    # -- lanes ---------------------------------------------------------------------------------
    def declare_lanes(self) -> None:
        lanes = self.diagram.lanes
        # (a lane with no node is there only when declared)
        implicit = len(lanes) == 1 and lanes[0].attributes.get("plantuml.lane") == "implicit" and \
            bool(self.diagram.nodes)
        ids = IdAllocator(lambda s: bool(_ALIAS.match(s)),
                          lambda s: re.sub(r"[^A-Za-z0-9_]", "_", s).strip("_") or "lane")
        kept = {lane.id for lane in lanes if ids.reserve(lane.id)}
        for lane in lanes:
            if implicit:
                self.implicit_lane(lane)
                continue
            colour = lane.attributes.get("plantuml.color", "")
            if known_colour(colour):
                colour += "|"
            elif colour:
                self.lost("DROPPED_ATTRIBUTE", f"lane {lane.id!r}: plantuml.color {colour[:60]!r} is not a colour "
                          "PlantUML knows", lane, lane.id, None)
                colour = ""
            payload: dict = {}
            if lane.label is None and lane.id.strip() == lane.id and lane.id:
                read_id = lane.id
                switch = declaration = f"|{colour}{encode(lane.id)}|"
            else:
                read_id = lane.id if lane.id in kept else ids.allocate(lane.id, "lane")
                switch = f"|{colour}{read_id}|"
                display = lane.label if lane.label is not None else lane.id
                declaration = f"{switch} {encode(display)}" if display else switch
                if read_id != lane.id:
                    payload["id"] = lane.id
                    self.lost("RENAMED_ID", f"lane {lane.id!r}: a titled swimlane is named by a plain word; "
                              f"written as {read_id!r}", lane, lane.id, payload)
                if lane.label != (display or None) or lane.label == "":
                    payload["label"] = lane.label
                    self.lost("CHANGED_LABEL", f"lane {lane.id!r}: its title reads back as {display or None!r}",
                              lane, lane.id, payload)
            self.lane_switch[lane.id] = switch
            self.lines.append(declaration)
            self.current_lane = lane.id
            extra = {k: v for k, v in lane.attributes.items() if k not in _CARRIED_LANE}
            if "plantuml.lane" in lane.attributes:
                extra["plantuml.lane"] = lane.attributes["plantuml.lane"]  # written as a declared swimlane
            if extra:
                payload["attributes"] = lane.attributes
                self.lost("DROPPED_ATTRIBUTE", f"lane {lane.id!r}: {', '.join(sorted(extra))}", lane, lane.id,
                          payload)
            if payload and self.keep:
                payload["lane"] = read_id
                self.lane_extras.append(payload)

    def implicit_lane(self, lane) -> None:
        """The one lane of a PlantUML activity without swimlanes: no declaration, so only its being
        implicit is written."""
        extra = sorted(k for k in lane.attributes if k != "plantuml.lane")
        payload: dict = {}
        if extra:
            payload["attributes"] = lane.attributes
            self.lost("DROPPED_ATTRIBUTE", f"lane {lane.id!r}: {', '.join(extra)}", lane, lane.id, payload)
        if lane.id != IMPLICIT_LANE:
            payload["id"] = lane.id
            self.lost("RENAMED_ID", f"lane {lane.id!r}: an activity without swimlanes reads back with one lane "
                      f"{IMPLICIT_LANE!r}", lane, lane.id, payload)
        if lane.label is not None:
            payload["label"] = lane.label
            self.lost("CHANGED_LABEL", f"lane {lane.id!r}: an activity without swimlanes has no lane title", lane,
                      lane.id, payload)
        if payload and self.keep:
            payload["lane"] = IMPLICIT_LANE
            self.lane_extras.append(payload)

    # -- steps ---------------------------------------------------------------------------------
    def spell(self, step: Step) -> None:
        pad = "  " * min(step.depth, _MAX_INDENT)
        op = step.op
        add = self.lines.append
        if op == "node":
            self.node_comment(step.node, pad)
            add(pad + self.node_text(step.node, step.text))
        elif op == "lane":
            switch = self.lane_switch.get(step.text)
            if switch and step.text != self.current_lane:
                add(pad + switch)
            self.current_lane = step.text
        elif op == "connector":
            add(f"{pad}({step.text})")
        elif op == "detach":
            add(pad + "detach")
        elif op == "arrow":
            arrow = _STYLE.get(step.style, "->")
            add(f"{pad}{arrow} {_label(step.label)};" if step.label else f"{pad}{arrow}")
        elif op == "if":
            self.node_comment(step.node, pad)
            then = f" ({_condition(step.edge.label)})" if step.edge is not None and step.edge.label else ""
            add(f"{pad}if ({_condition(step.node.label)}) then{then}")
        elif op == "else":
            add(f"{pad}else ({_condition(step.edge.label)})" if step.edge.label else pad + "else")
        elif op == "switch":
            self.node_comment(step.node, pad)
            add(f"{pad}switch ({_condition(step.node.label)})")
        elif op == "case":
            add(f"{pad}case ({_condition(step.edge.label)})")
        elif op in ("fork", "split"):
            if op == "fork":
                self.node_comment(step.node, pad)
            add(pad + op)
        elif op == "note":
            self.node_comment(step.node, pad)
            placement = step.node.attributes.get("placement", "right")
            placement = placement if placement in ("left", "right") else "right"
            add(f"{pad}floating note {placement}: {_label(step.node.label)}")
        else:  # endif, endswitch, fork again, end fork, split again, end split
            add(pad + op)

    def node_text(self, node: Node, form: str) -> str:
        if node.kind is NodeKind.START and form == "start":
            return "start"
        if node.kind is NodeKind.END and form == "stop":
            return "end" if node.attributes.get("plantuml.end") == "end" else "stop"
        stereotype = node.attributes.get("plantuml.stereotype") or DEFAULT_STEREOTYPE.get(node.kind)
        text = f":{_label(node.label)};"
        if stereotype and _WORD.fullmatch(stereotype):
            text += f" <<{stereotype}>>"
        # PlantUML 1.2026.8 colours an action only by a stereotype after its ';': the old "#red:" prefix
        # is ignored there and joins the action to the lines after it (converters/plantuml/colours.py).
        colour = node.attributes.get("plantuml.color")
        if colour and writable_colour(colour):
            text += f" <<{colour}>>"
            self.coloured.add(node.id)
        return text

    def node_comment(self, node: Node, pad: str) -> None:
        if not self.keep:
            return
        payload = {"node": node.id, "i": self.order[node.id]}
        if node.kind is not NodeKind.TASK:
            payload["kind"] = node.kind.value
        if node.label is not None:
            payload["label"] = node.label
        if node.shape is not None:
            payload["shape"] = node.shape
        if node.attributes:
            payload["attributes"] = node.attributes
        self.lines.append(pad + extras.comment(payload))

    # -- losses --------------------------------------------------------------------------------
    def lost(self, code: str, message: str, element, name: str, payload: dict | None) -> None:
        if self.keep and payload is not None:
            return
        self.out.add(code, message, line=getattr(element, "line", None), column=getattr(element, "column", None),
                     element=name)

    def report_nodes(self, plan: Restructure) -> None:
        if self.keep:
            return
        written = plan.written_as
        for index, node in enumerate(self.diagram.nodes):
            form = written(index) or "action"
            wanted = _WANTED_FORM.get(node.kind)
            if node.kind is NodeKind.DECISION:
                wanted = form if form in ("if", "switch") else "if"
            if node.kind is NodeKind.GATEWAY:
                wanted = "fork"
            if wanted is not None and form != wanted:
                self.out.add("CHANGED_KIND", f"{node.kind.value} {node.id!r} is written as an action: PlantUML's "
                             f"{wanted} cannot have these edges", line=node.line, column=node.column, element=node.id)
            if form in ("start", "stop", "fork") and node.label:
                self.out.add("CHANGED_LABEL", f"{node.kind.value} {node.id!r}: PlantUML's {form} has no label; "
                             f"{node.label!r} is not drawn", line=node.line, column=node.column, element=node.id)
            elif node.label == "":
                self.out.add("CHANGED_LABEL", f"node {node.id!r}: an empty label reads back as none",
                             line=node.line, column=node.column, element=node.id)
            extra = [k for k in node.attributes if k not in _CARRIED_NODE] if node.attributes else None
            decision = node.attributes.get("plantuml.decision")
            if decision is not None and not (decision == "switch" and form == "switch"):
                self.out.add("DROPPED_ATTRIBUTE", f"node {node.id!r}: plantuml.decision {decision!r}: written as "
                             f"{'if/else and connectors' if form == 'if' else 'a ' + form}, which reads back the same "
                             "graph", line=node.line, column=node.column, element=node.id)
            if "plantuml.color" in node.attributes and node.id not in self.coloured:
                extra.append("plantuml.color")  # not an action, or not a colour PlantUML knows
            if extra:
                self.out.add("DROPPED_ATTRIBUTE", f"node {node.id!r}: {', '.join(sorted(extra))}", line=node.line,
                             column=node.column, element=node.id)
            if node.shape is not None:
                pass  # informative only
        ids = [n.id for n in self.diagram.nodes if not _NUMBERED.fullmatch(n.id)]
        if ids:
            self.out.add("RENAMED_ID", f"PlantUML activities have no ids; {len(ids)} node(s) read back as n1…nN",
                         element=", ".join(ids[:20]))

    def report_edges(self) -> None:
        if self.keep:
            for index, edge in enumerate(self.diagram.edges):
                payload = {"edge": [edge.source, edge.target, edge.label or None], "i": index}
                if edge.source_side or edge.target_side:
                    payload["sides"] = [edge.source_side.value if edge.source_side else None,
                                        edge.target_side.value if edge.target_side else None]
                if edge.id is not None:
                    payload["id"] = edge.id
                if edge.attributes:
                    payload["attributes"] = edge.attributes
                self.lines.append(extras.comment(payload))
            return
        for edge in self.diagram.edges:
            name = edge_name(edge)
            if edge.source_side or edge.target_side:
                self.out.add("DROPPED_EDGE_SIDES", f"edge {name}: PlantUML places arrows itself", line=edge.line,
                             column=edge.column, element=name)
            if edge.id is not None:
                self.out.add("DROPPED_EDGE_ID", f"edge {name}: PlantUML arrows have no ids", line=edge.line,
                             column=edge.column, element=name)
            if edge.attributes:
                self.out.add("DROPPED_ATTRIBUTE", f"edge {name}: {', '.join(sorted(edge.attributes))}",
                             line=edge.line, column=edge.column, element=name)
            if edge.label == "":
                self.out.add("CHANGED_LABEL", f"edge {name}: an empty label reads back as none", line=edge.line,
                             column=edge.column, element=name)

    def report_rest(self) -> None:
        d = self.diagram
        if self.keep:
            self.lines.extend(extras.comment(payload) for payload in self.lane_extras)
            for group in d.groups:
                self.lines.append(extras.comment({"group": group.id, "kind": str(group.kind), "label": group.label,
                                                  "members": group.members, "lane": group.lane,
                                                  "parent": group.parent, "attributes": group.attributes}))
            extra = {k: v for k, v in d.attributes.items() if k not in _CARRIED_DIAGRAM}
            payload = {"direction": d.direction}
            if extra:
                payload["attributes"] = extra
            if d.title is not None and not d.title:
                payload["title"] = d.title
            self.lines.append(extras.comment({"diagram": payload}))
            return
        for group in d.groups:
            self.out.add("DROPPED_GROUP", f"{group.kind} {group.label or group.id!r}: the restructured flow does "
                         "not keep its members together", line=group.line, column=group.column, element=group.id)
        extra = sorted(k for k in d.attributes if k not in _CARRIED_DIAGRAM)
        if extra:
            self.out.add("DROPPED_ATTRIBUTE", f"diagram: {', '.join(extra)}", element="diagram")
        if d.direction != "TB":
            self.out.add("DROPPED_DIRECTION", f"PlantUML activities run top to bottom; {d.direction} is not kept",
                         element="diagram")
        if d.title == "":
            self.out.add("DROPPED_TITLE", "an empty title is not written", element="diagram")


def _plain_comment(line: str) -> bool:
    """A line that ``'`` + line reads back as: printable, no space at its end, not one of our own
    ``' flowzap {…}`` comments."""
    return line == line.rstrip() and (line.isprintable() or all(c.isprintable() or c == "\t" for c in line)) and \
        extras.payload(line) is None


def report_empty(diagram: Diagram, out: Diagnostics) -> None:
    """A text with no statement reads back as an empty diagram: nothing of the diagram's own is kept."""
    if diagram.direction != "LR":
        out.add("DROPPED_DIRECTION", "a PlantUML text with no statement keeps no direction", element="diagram")
    if diagram.attributes:
        out.add("DROPPED_ATTRIBUTE", f"diagram: {', '.join(sorted(diagram.attributes))}: a PlantUML text with no "
                "statement keeps none", element="diagram")


def write_activity(diagram: Diagram, keep: bool) -> tuple[str, list[Diagnostic]]:
    return ActivityWriter(diagram, keep).write()
