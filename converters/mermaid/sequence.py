"""Mermaid sequenceDiagram → the model (the reverse of FlowZap's sequence view).

Mermaid's own grammar (``jison.py`` with ``grammar/sequence.json``) parses the text; the actions
below build mermaid's statement list and ``apply`` walks it as ``sequenceDb.apply`` does (same
participant order, same errors for activations and created/destroyed participants). Then:

- each participant is a lane, in the order mermaid meets them; an alias is the lane's label;
- each message is a step (a task) in the receiving lane, labelled with the message, reached by an
  edge labelled with the message from the sender's latest step; a sender that has no step yet gets
  a start event (a circle named after it) to leave from;
- ``loop`` is a loop group of the steps made inside it; ``alt``/``opt``/``par``/``critical``/
  ``break``/``rect`` are groups of their kind, their ``else``/``and``/``option`` sections child groups;
- notes are note nodes in their participant's lane; ``autonumber``, boxes, participant links and
  properties are attributes; activations are kept on the messages that make them (``+``/``-``);
  ``activate``/``deactivate`` lines are reported (the model has no activations).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostics
from ..model import Diagram, Edge, EdgeStyle, Group, Lane, Node, NodeKind
from . import jison
from .labels import label_from_mermaid
from .preprocess import Preprocessed

GRAMMAR_VERSION = "mermaid 11.17.2"

# LINETYPE (sequenceDb.ts)
SOLID, DOTTED, SOLID_CROSS, DOTTED_CROSS, SOLID_OPEN, DOTTED_OPEN = 0, 1, 3, 4, 5, 6
SOLID_POINT, DOTTED_POINT, BIDIRECTIONAL_SOLID, BIDIRECTIONAL_DOTTED = 24, 25, 33, 34
ACTIVE_START, ACTIVE_END = 17, 18
_SIGNAL_TYPES = {  # production → LINETYPE
    79: 5, 80: 6, 81: 0, 82: 41, 83: 42, 84: 43, 85: 44, 86: 51, 87: 52, 88: 53, 89: 54, 90: 45, 91: 46,
    92: 47, 93: 48, 94: 55, 95: 56, 96: 57, 97: 58, 98: 33, 99: 1, 100: 34, 101: 3, 102: 4, 103: 24, 104: 25,
}
# LINETYPE → the arrow as written (for the attribute the writer reads back).
ARROWS = {
    0: "->>", 1: "-->>", 3: "-x", 4: "--x", 5: "->", 6: "-->", 24: "-)", 25: "--)", 33: "<<->>", 34: "<<-->>",
    41: "-|\\", 42: "-|/", 43: "-\\\\", 44: "-//", 45: "/|-", 46: "\\|-", 47: "//-", 48: "\\\\-",
    51: "--|\\", 52: "--|/", 53: "--\\\\", 54: "--//", 55: "/|--", 56: "\\|--", 57: "//--", 58: "\\\\--",
}
DOTTED_TYPES = {1, 4, 6, 25, 34, 51, 52, 53, 54, 55, 56, 57, 58}
_FRAGMENTS = {35: "loop", 36: "rect", 37: "opt", 38: "alt", 39: "par", 40: "par_over", 41: "critical", 42: "break"}
_SECTIONS = {44: ("option", "option"), 46: ("and", "and"), 48: ("else", "else")}


class SequenceError(Exception):
    def __init__(self, message: str, loc: jison.Loc | None) -> None:
        super().__init__(message)
        self.message = message
        self.loc = loc


def parse_message(text: str) -> str:
    text = text.strip()
    for prefix in (":wrap:", "wrap:", ":nowrap:", "nowrap:"):
        if text.startswith(prefix):
            return text[len(prefix):].strip()
    return text


# The productions with an action of their own (the rest keep their first symbol's value).
CUSTOM = frozenset(set(range(1, 106)) - {1, 2, 7, 13, 15, 18, 25, 26, 27, 28, 29, 43, 45, 47, 64, 65, 67})


def _actions():
    def action(p: int, v: list, locs: list):
        if p == 3:
            raise jison.Accept(v[1])
        if p in (4, 10):
            return []
        if p in (5, 11):
            v[0].append(v[1])
            return v[0]
        if p in (6, 12):
            return v[1]
        if p in (8, 9, 14):
            return []
        if p == 16:
            v[1]["type"] = "createParticipant"
            return v[1]
        if p == 17:
            return [{"type": "boxStart", "text": v[1].strip(), "loc": locs[0]}, *v[2], {"type": "boxEnd"}]
        if p in (19, 20, 21, 22):
            return {"type": "autonumber", "text": " ".join(str(x).strip() for x in v[1:-1]).strip(), "loc": locs[0]}
        if p in (23, 24):
            return {"type": "activeStart" if p == 23 else "activeEnd", "actor": v[1]["actor"], "loc": locs[0],
                    "statement": True}
        if p == 30:
            return {"type": "title", "text": v[0][6:]}
        if p == 31:
            return {"type": "title", "text": v[0][7:]}
        if p == 32:
            return {"type": "accTitle", "text": v[1].strip()}
        if p in (33, 34):
            return {"type": "accDescr", "text": v[-1].strip()}
        if p in _FRAGMENTS:
            return [{"type": "start", "kind": _FRAGMENTS[p], "text": parse_message(v[1]), "loc": locs[0]},
                    *_flatten(v[2]), {"type": "end"}]
        if p in _SECTIONS:
            kind = _SECTIONS[p][0]
            return [*_flatten(v[0]), {"type": "section", "kind": kind, "text": parse_message(v[2]), "loc": locs[1]},
                    *_flatten(v[3])]
        if p in (49, 51, 54, 56):
            actor = v[1]
            actor["draw"] = "participant" if p in (49, 54) else "actor"
            actor["type"] = "addParticipant"
            actor["description"] = parse_message(v[3])
            return actor
        if p in (50, 52, 55, 57):
            actor = v[1]
            actor["draw"] = "participant" if p in (50, 55) else "actor"
            actor["type"] = "addParticipant"
            return actor
        if p == 53:
            v[1]["type"] = "destroyParticipant"
            return v[1]
        if p == 58:
            return [v[2], {"type": "addNote", "placement": v[1], "actor": [v[2]["actor"]], "text": v[3], "loc": locs[0]}]
        if p == 59:
            pair = v[2] if isinstance(v[2], list) else [v[2]]
            return [v[2], {"type": "addNote", "placement": "over", "actor": [a["actor"] for a in pair],
                           "text": v[3], "loc": locs[0]}]
        if p in (60, 61, 62, 63):
            kind = {60: "links", 61: "link", 62: "properties", 63: "details"}[p]
            return [v[1], {"type": "actorData", "kind": kind, "actor": v[1]["actor"], "text": v[2]}]
        if p == 66:
            return [v[0], v[2]]
        if p == 68:
            return "left of"
        if p == 69:
            return "right of"
        if p in (70, 71, 72, 75):
            if p == 75:
                source, signal, target, text = v[0], v[1], v[2], v[3]
                marker = ""
            else:
                source, signal, target, text = v[0], v[1], v[3], v[4]
                marker = {70: "+", 71: "-", 72: "()"}[p]
            message = {"type": "addMessage", "from": source["actor"], "to": target["actor"], "signal": signal,
                       "msg": text, "marker": marker, "loc": locs[0]}
            extra = []
            if p == 70:
                extra.append({"type": "activeStart", "actor": target["actor"], "loc": locs[0]})
            elif p == 71:
                extra.append({"type": "activeEnd", "actor": source["actor"], "loc": locs[0]})
            return [source, target, message, *extra]
        if p == 73:
            return [v[0], v[3], {"type": "addMessage", "from": v[0]["actor"], "to": v[3]["actor"], "signal": v[2],
                                 "msg": v[4], "marker": "()<", "loc": locs[0]}]
        if p == 74:
            return [v[0], v[4], {"type": "addMessage", "from": v[0]["actor"], "to": v[4]["actor"], "signal": v[2],
                                 "msg": v[5], "marker": "()<>", "loc": locs[0]}]
        if p == 76:
            return {"type": "addParticipant", "actor": v[0], "config": v[1], "loc": locs[0]}
        if p == 77:
            return v[1].strip()
        if p == 78:
            return {"type": "addParticipant", "actor": v[0], "loc": locs[0]}
        if p in _SIGNAL_TYPES:
            return _SIGNAL_TYPES[p]
        if p == 105:
            return parse_message(v[0].strip()[1:])
        return v[0] if v else None

    return action


def _flatten(items):
    for item in items:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


@dataclass(slots=True)
class _State:
    diagram: Diagram
    out: Diagnostics
    pre: Preprocessed
    lanes: dict[str, Lane] = field(default_factory=dict)
    last: dict[str, str] = field(default_factory=dict)  # participant → its latest step
    active: dict[str, int] = field(default_factory=dict)
    open_groups: list[Group] = field(default_factory=list)
    counter: int = 0
    group_counter: int = 0
    box: str | None = None
    created: str | None = None
    destroyed: str | None = None


def read(pre: Preprocessed, out: Diagnostics) -> Diagram:
    statements = jison.parse(jison.grammar("sequence"), pre.code, _actions(), CUSTOM)
    diagram = Diagram(direction="LR")
    diagram.attributes["mermaid.diagram"] = "sequence"
    if pre.title:
        diagram.title = pre.title
    if pre.init:
        diagram.attributes["mermaid.init"] = "\n".join(pre.init)
    state = _State(diagram, out, pre)
    for item in _flatten(statements if isinstance(statements, list) else [statements]):
        _apply(state, item)
    if state.created is not None:
        pass  # mermaid only checks a created participant when a later message comes
    return diagram


def _where(state: _State, loc):
    if loc is None:
        return None, None
    return state.pre.original_line(loc[0]), loc[2] + 1


def _lane(state: _State, name: str, item: dict | None = None) -> Lane:
    lane = state.lanes.get(name)
    if lane is None:
        line, column = _where(state, item.get("loc") if item else None)
        lane = Lane(name, label_from_mermaid(name), line=line, column=column)
        state.lanes[name] = lane
        state.diagram.lanes.append(lane)
        if state.box is not None:
            lane.attributes["mermaid.box"] = state.box
    return lane


def _apply(state: _State, item) -> None:
    if not isinstance(item, dict):
        return
    kind = item.get("type")
    d = state.diagram
    if kind in ("addParticipant", "createParticipant"):
        name = item["actor"]
        if kind == "createParticipant":
            if name in state.lanes:
                raise SequenceError("It is not possible to have actors with the same id, even if one is destroyed "
                                    "before the next is created. Use 'AS' aliases to simulate the behavior",
                                    item.get("loc"))
            state.created = name
        lane = _lane(state, name, item)
        if item.get("description") is not None:
            lane.label = label_from_mermaid(item["description"]) or name
        if item.get("draw") == "actor":
            lane.attributes["mermaid.participant"] = "actor"
        if item.get("config"):
            lane.attributes["mermaid.data"] = item["config"]
        if kind == "createParticipant":
            lane.attributes["mermaid.created"] = "true"
    elif kind == "destroyParticipant":
        state.destroyed = item["actor"]
        _lane(state, item["actor"], item).attributes["mermaid.destroyed"] = "true"
    elif kind == "addMessage":
        _message(state, item)
    elif kind == "activeStart":
        state.active[item["actor"]] = state.active.get(item["actor"], 0) + 1
        _ignored(state, item, "activate")
    elif kind == "activeEnd":
        if state.active.get(item["actor"], 0) < 1:
            raise SequenceError(f"Trying to inactivate an inactive participant ({item['actor']})", item.get("loc"))
        state.active[item["actor"]] -= 1
        _ignored(state, item, "deactivate")
    elif kind == "addNote":
        actors = item["actor"]
        lane = _lane(state, actors[0])
        state.counter += 1
        line, column = _where(state, item.get("loc"))
        node = Node(f"note{state.counter}", lane.id, NodeKind.NOTE, label_from_mermaid(item["text"]),
                    shape="note", line=line, column=column)
        node.attributes["mermaid.note"] = item["placement"]
        if len(actors) > 1 and actors[1] != actors[0]:
            node.attributes["mermaid.noteOver"] = ",".join(actors)
        d.nodes.append(node)
        _join_groups(state, node.id)
    elif kind == "actorData":
        lane = _lane(state, item["actor"])
        lane.attributes[f"mermaid.{item['kind']}"] = item["text"]
    elif kind == "start":
        state.group_counter += 1
        line, column = _where(state, item.get("loc"))
        group = Group(f"{item['kind']}{state.group_counter}", item["kind"], label_from_mermaid(item["text"]) or None,
                      [], parent=state.open_groups[-1].id if state.open_groups else None, line=line, column=column)
        d.groups.append(group)
        state.open_groups.append(group)
    elif kind == "section":
        # an else/and/option section: a child group of the fragment, until the next section or end
        if state.open_groups and state.open_groups[-1].kind in ("else", "and", "option"):
            state.open_groups.pop()
        parent = state.open_groups[-1] if state.open_groups else None
        state.group_counter += 1
        line, column = _where(state, item.get("loc"))
        group = Group(f"{item['kind']}{state.group_counter}", item["kind"], label_from_mermaid(item["text"]) or None,
                      [], parent=parent.id if parent else None, line=line, column=column)
        d.groups.append(group)
        state.open_groups.append(group)
    elif kind == "end":
        if state.open_groups and state.open_groups[-1].kind in ("else", "and", "option"):
            state.open_groups.pop()
        if state.open_groups:
            state.open_groups.pop()
    elif kind == "boxStart":
        state.box = item["text"] or " "
    elif kind == "boxEnd":
        state.box = None
    elif kind == "autonumber":
        d.attributes["mermaid.autonumber"] = item["text"] or "on"
    elif kind == "title":
        d.title = item["text"].strip()
    elif kind == "accTitle":
        d.attributes["mermaid.accTitle"] = item["text"]
    elif kind == "accDescr":
        d.attributes["mermaid.accDescr"] = item["text"]


def _ignored(state: _State, item: dict, word: str) -> None:
    if item.get("statement"):  # an activate/deactivate line (a +/- on a message is kept on the edge)
        line, column = _where(state, item.get("loc"))
        state.out.add("IGNORED_STATEMENT", f"{word} {item['actor']}: the model has no activation bars; "
                      "left out", line=line, column=column, element=item["actor"])


def _message(state: _State, item: dict) -> None:
    source, target = item["from"], item["to"]
    if state.created is not None:
        if target != state.created:
            raise SequenceError(f"The created participant {state.created} does not have an associated creating "
                                "message after its declaration. Please check the sequence diagram.", item.get("loc"))
        state.created = None
    elif state.destroyed is not None:
        if target != state.destroyed and source != state.destroyed:
            raise SequenceError(f"The destroyed participant {state.destroyed} does not have an associated destroying "
                                "message after its declaration. Please check the sequence diagram.", item.get("loc"))
        state.destroyed = None
    d = state.diagram
    _lane(state, source, item)
    _lane(state, target, item)
    line, column = _where(state, item.get("loc"))
    text = label_from_mermaid(item["msg"])
    start = state.last.get(source)
    if start is None:
        state.counter += 1
        start = f"{source}_start" if not any(n.id == f"{source}_start" for n in d.nodes) else f"s{state.counter}"
        d.nodes.append(Node(start, source, NodeKind.START, state.lanes[source].label or source, shape="circle",
                            line=line, column=column))
        state.last[source] = start
    state.counter += 1
    step = f"m{state.counter}"
    d.nodes.append(Node(step, target, NodeKind.TASK, text, line=line, column=column))
    signal = item["signal"]
    edge = Edge(start, step, text, style=EdgeStyle.DOTTED if signal in DOTTED_TYPES else EdgeStyle.SOLID,
                line=line, column=column)
    arrow = ARROWS.get(signal, "->>")
    if arrow != "->>":
        edge.attributes["mermaid.message"] = arrow
    if item.get("marker"):
        edge.attributes["mermaid.activation"] = item["marker"]
    d.edges.append(edge)
    state.last[target] = step
    _join_groups(state, step)


def _join_groups(state: _State, node_id: str) -> None:
    for group in state.open_groups:
        group.members.append(node_id)


def fix_event_kinds(diagram: Diagram) -> None:
    """Start events made for first senders stay starts; nothing else is an event."""
    return None
