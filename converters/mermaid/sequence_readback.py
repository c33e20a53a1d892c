"""What the sequence reader will make of the sequence writer's output, worked out as the writer
emits it, so that every element that comes back different is named (issue 8, no silent loss).

A sequence diagram has no node or group ids: the reader names a message's step ``m<n>``, a note
``note<n>``, a sender's first tail ``<participant>_start``, a fragment ``<kind><n>`` and a box
``box<n>`` (``sequence.py``), and a message leaves from its sender's latest step. A model read from
a sequence diagram has exactly those names and comes back equal; any other model (FlowZap, BPMN,
a PlantUML sequence) is renamed, and its messages may leave from other steps. This follows the
reader's counters event by event (one pass), then compares each element with the model's.
"""
from __future__ import annotations

from ..diagnostics import Diagnostics
from ..model import Diagram, Edge, Group, GroupKind, Node, NodeKind, edge_name

_DIGITS = "0123456789"
# Attributes the sequence form carries, per element (docs/sequence.md and the writer).
DIAGRAM_KEYS = frozenset({"mermaid.config", "mermaid.init", "mermaid.accTitle", "mermaid.accDescr", "mermaid.comments",
                          "autonumber"})
LANE_KEYS = frozenset({"participant", "created", "destroyed", "mermaid.data", "mermaid.links", "mermaid.link",
                       "mermaid.properties", "mermaid.details", "mermaid.markup"})
EDGE_KEYS = frozenset({"head", "activation", "activations", "activations_before", "mermaid.message",
                       "mermaid.activation", "mermaid.markup"})
NOTE_KEYS = frozenset({"placement", "over", "mermaid.markup"})
STEP_KEYS = frozenset({"mermaid.markup"})
GROUP_KEYS = frozenset({"mermaid.markup"})
BOX_KEYS = frozenset({"lanes", "mermaid.markup"})


class ReadBack:
    """Fed by the writer in output order: boxes, fragment and section openings, ends, messages
    and notes; ``report`` then names every difference."""

    def __init__(self, diagram: Diagram, ids, out: Diagnostics) -> None:
        self.d = diagram
        self.ids = ids  # lane id → participant name as written
        self.out = out
        self.counter = 0
        self.group_counter = 0
        self.taken: set[str] = set()
        self.last: dict[str, str] = {}  # participant → its latest step
        self.open: list[Group] = []  # as the reader keeps them: a section on top of its fragment
        self.new_id: dict[str, str] = {}  # model node id → the id read back
        self.edge_ends: list[tuple[Edge, str, str]] = []
        self.group_id: dict[str, str] = {}
        self.parent: dict[str, str | None] = {}
        self.members: dict[str, list[str]] = {}
        self.step_text: dict[str, str] = {}  # model node id → the text its step comes back with
        self.starts: set[str] = set()  # model node ids read back as a sender's start
        self.notes: set[str] = set()

    # -- fed by the writer ---------------------------------------------------------------------
    def box(self, group: Group) -> None:
        self.group_counter += 1
        self.group_id[group.id] = f"box{self.group_counter}"

    def open_fragment(self, group: Group) -> None:
        self._open(group)

    def section(self, group: Group) -> None:
        if self.open and self.open[-1].kind.is_section:
            self.open.pop()
        self._open(group)

    def end(self) -> None:
        if self.open and self.open[-1].kind.is_section:
            self.open.pop()
        if self.open:
            self.open.pop()

    def _open(self, group: Group) -> None:
        self.group_counter += 1
        self.group_id[group.id] = f"{group.kind.value}{self.group_counter}"
        self.parent[group.id] = self.open[-1].id if self.open else None
        self.members[group.id] = []
        self.open.append(group)

    def message(self, edge: Edge, sender: str, receiver: str, text: str) -> None:
        start = self.last.get(sender)
        if start is None:
            self.counter += 1
            wanted = f"{sender}_start" if f"{sender}_start" not in self.taken else f"s{self.counter}"
            start = self._fresh(wanted)
            self.last[sender] = start
            if edge.source not in self.new_id:
                self.starts.add(edge.source)
        self.counter += 1
        step = self._fresh(f"m{self.counter}")
        self.last[receiver] = step
        self.new_id.setdefault(edge.source, start)
        if edge.target not in self.new_id:
            self.new_id[edge.target] = step
            self.step_text[edge.target] = text
        self.edge_ends.append((edge, start, step))
        self._join(step)

    def note(self, node: Node) -> None:
        self.counter += 1
        note_id = self._fresh(f"note{self.counter}")
        if node.id not in self.new_id:
            self.new_id[node.id] = note_id
            self.notes.add(node.id)
        self._join(note_id)

    def _fresh(self, wanted: str) -> str:
        while wanted in self.taken:
            self.counter += 1
            wanted = f"{wanted.rstrip(_DIGITS)}{self.counter}"
        self.taken.add(wanted)
        return wanted

    def _join(self, node_id: str) -> None:
        for group in self.open:
            self.members[group.id].append(node_id)

    # -- what comes back different -----------------------------------------------------------------
    def report(self, dropped: set[str]) -> None:
        """``dropped``: elements the writer already reported as not written."""
        self.report_diagram()
        self.report_lanes()
        self.report_nodes(dropped)
        self.report_edges(dropped)
        self.report_groups(dropped)

    def lost(self, code: str, element, name: str, message: str) -> None:
        self.out.add(code, message, line=element.line, column=element.column, element=name)

    def report_diagram(self) -> None:
        if self.d.direction != "LR":
            self.out.add("DROPPED_DIRECTION", f"diagram: a sequence diagram has no direction ({self.d.direction} "
                         "not kept)", element="diagram")
        a = self.d.attributes
        other = [k for k in a if k not in DIAGRAM_KEYS and not (k == "diagram" and a[k] == "sequence")]
        if other:
            self.out.add("DROPPED_ATTRIBUTE", f"diagram: a Mermaid sequence diagram cannot carry {', '.join(other)}",
                         element="diagram")

    def report_lanes(self) -> None:
        for lane in self.d.lanes:
            other = [k for k in lane.attributes if k not in LANE_KEYS]
            if lane.attributes.get("participant") == "participant":
                other.append("participant")  # the default kind: read back as no attribute
            if other:
                self.lost("DROPPED_ATTRIBUTE", lane, lane.id, f"lane {lane.id}: a Mermaid participant cannot carry "
                          f"{', '.join(other)}")

    def report_nodes(self, dropped: set[str]) -> None:
        lanes = self.d.lane_by_id()
        for node in self.d.nodes:
            if node.id in dropped or node.id not in self.new_id:
                continue
            new = self.new_id[node.id]
            if new != node.id:
                self.lost("RENAMED_ID", node, node.id, f"node {node.id!r}: a sequence diagram names no steps; read "
                          f"back as {new!r}")
            if node.id in self.notes:
                kind, keys, label = NodeKind.NOTE, NOTE_KEYS, node.label or ""
            elif node.id in self.starts:
                lane = lanes.get(node.lane)
                kind, keys = NodeKind.START, STEP_KEYS
                label = lane.label if lane is not None and lane.label else self.ids[node.lane]
            else:
                kind, keys, label = NodeKind.TASK, STEP_KEYS, self.step_text.get(node.id)
            if node.kind is not kind:
                self.lost("CHANGED_KIND", node, node.id, f"node {node.id!r}: read back from the sequence diagram as "
                          f"a {kind.value} (it was: {node.kind.value})")
            if node.label is not None and label is not None and node.label != label:
                self.lost("CHANGED_LABEL", node, node.id, f"node {node.id!r}: read back with the text of its "
                          "message or participant")
            other = [k for k in node.attributes if k not in keys]
            if other:
                self.lost("DROPPED_ATTRIBUTE", node, node.id, f"node {node.id!r}: a sequence diagram cannot carry "
                          f"{', '.join(other)}")

    def report_edges(self, dropped: set[str]) -> None:
        moved = 0
        for edge, start, step in self.edge_ends:
            name = edge_name(edge)
            if name in dropped:
                continue
            if edge.source != start or edge.target != step:
                moved += 1
                self.lost("RENAMED_ID", edge, name, f"message {name}: read back from step {start!r} to step {step!r} "
                          "(a message leaves from its sender's latest step)")
            if edge.id is not None:
                self.lost("DROPPED_EDGE_ID", edge, name, f"message {name}: a sequence message has no id")
            other = [k for k in edge.attributes if k not in EDGE_KEYS]
            if other:
                self.lost("DROPPED_ATTRIBUTE", edge, name, f"message {name}: a sequence message cannot carry "
                          f"{', '.join(other)}")
        if moved:
            # such a message joins renamed or other steps: to a comparison by ends, an edge may go
            # and another come
            self.out.add("RENAMED_ID", f"{moved} message(s) read back between renamed or other steps "
                         "(a sequence diagram has a step per message)", element="diagram")

    def report_groups(self, dropped: set[str]) -> None:
        for group in self.d.groups:
            if group.id in dropped:
                continue
            if group.id not in self.group_id:
                self.lost("DROPPED_GROUP", group, group.id, f"{group.kind} {group.id!r}: not written (a box with no "
                          "participant, or a group with no sequence form)")
                continue
            new = self.group_id[group.id]
            if new != group.id:
                self.lost("RENAMED_ID", group, group.id, f"{group.kind} {group.id!r}: read back as {new!r}")
            keys = BOX_KEYS if group.kind == GroupKind.BOX else GROUP_KEYS
            other = [k for k in group.attributes if k not in keys]
            if group.lane is not None:
                other.append("its lane")
            if group.kind != GroupKind.BOX:
                members = [self.new_id.get(m) for m in group.members]
                back = self.members.get(group.id, [])
                same = members == back if group.kind == GroupKind.LOOP else sorted(map(str, members)) == sorted(back)
                if not same:
                    other.append("its members (the messages and notes written inside it)")
                parent = self.group_id.get(group.parent) if group.parent is not None else None
                if group.parent is not None and parent != self.parent.get(group.id):
                    other.append("its parent")
            if other:
                self.lost("DROPPED_GROUP", group, group.id, f"{group.kind} {group.id!r}: the sequence diagram does "
                          f"not carry {', '.join(other)}")
