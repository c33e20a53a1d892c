"""Mermaid sequenceDiagram → the model (the reverse of FlowZap's sequence view).

Mermaid's own grammar (``jison.py`` with ``grammar/sequence.json``) parses the text; the actions
below build mermaid's statement list and ``apply`` walks it as ``sequenceDb.apply`` does (same
participant order, same errors for activations and created/destroyed participants). Then:

The model is the neutral sequence shape of docs/sequence.md:

- each participant is a lane, in the order mermaid meets them; an alias (``as`` or ``@{ alias }``)
  is the lane's label; ``actor`` or ``@{ type }`` its ``participant`` kind; ``create``/``destroy``
  mark it ``created``/``destroyed``;
- each message is a step (a task) in the receiving lane, labelled with the message, reached by an
  edge labelled with the message from the sender's latest step; a sender that has no step yet gets
  a start event (a circle named after it) to leave from;
- ``loop`` is a loop group of the steps made inside it; ``alt``/``opt``/``par``/``critical``/
  ``break``/``rect`` are groups of their kind, their ``else``/``and``/``option`` sections child groups;
- the arrow is the edge's ``style`` (dashed: DOTTED) and ``head``; ``+``/``-`` its ``activation``;
  an ``activate``/``deactivate`` line is kept on the message before it (``activations``), one
  before the first message on that message (``activations_before``);
- notes are note nodes in their participant's lane (``placement``, ``over``); boxes are BOX
  groups of their lanes; ``autonumber`` is an attribute, participant links and properties
  ``mermaid.*`` attributes;
- a text whose raw form holds HTML (``<b>``, ``&amp;``) is marked ``mermaid.markup``, so that the
  writer writes it as markup again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from .. import limits
from ..diagnostics import Diagnostics
from ..model import Diagram, Edge, EdgeStyle, Group, GroupKind, Lane, Node, NodeKind
from . import jison
from .escape import has_markup, tag_spans
from .labels import flow_mapping, label_from_mermaid
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
        self.code = "SYNTAX_ERROR"  # the diagnostic code the reader reports it under


def parse_message(text: str) -> str:
    text = text.strip()
    for prefix in (":wrap:", "wrap:", ":nowrap:", "nowrap:"):
        if text.startswith(prefix):
            return text[len(prefix):].strip()
    return text


# The productions with an action of their own (the rest keep their first symbol's value).
CUSTOM = frozenset(set(range(1, 106)) - {1, 2, 7, 13, 15, 18, 25, 26, 27, 28, 29, 43, 45, 47, 64, 65, 67})


# Productions that open a document (the diagram's, a block's, a section's) and those that close one.
_OPENS = frozenset({4, 10})
_CLOSES = frozenset({17, *range(35, 43), 44, 46, 48})


def _actions(lexer: jison.Lexer | None = None, max_documents: int | None = None):
    """The actions of sequenceDiagram.jison; past ``max_documents`` documents open at once (blocks
    nested deeper than max_depth), the parse stops with INPUT_TOO_LARGE where it is."""
    open_documents = 0

    def action(p: int, v: list, locs: list):
        nonlocal open_documents
        if p == 3:
            raise jison.Accept(v[1])
        if p in _OPENS:
            open_documents += 1
            if max_documents is not None and open_documents > max_documents:
                error = SequenceError(f"blocks nest more than {max_documents - 1} deep (max_depth)",
                                      lexer.loc if lexer is not None else None)
                error.code = "INPUT_TOO_LARGE"
                raise error
            return []
        if p in _CLOSES:
            open_documents -= 1
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
            return [{"type": "boxStart", "text": v[1].strip(), "loc": locs[0]}, v[2], {"type": "boxEnd"}]
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
                    v[2], {"type": "end"}]
        if p in _SECTIONS:
            kind = _SECTIONS[p][0]
            return [v[0], {"type": "section", "kind": kind, "text": parse_message(v[2]), "loc": locs[1]}, v[3]]
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
            return [v[2], {"type": "addNote", "placement": v[1], "actor": [v[2]["actor"]], "text": v[3],
                           "loc": locs[0]}]
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
    """The statements in order, however deeply the actions nested their lists: one explicit stack,
    so that each statement is visited once (nested fragments cost linear time, issue 11)."""
    stack = [iter(items)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                break
            yield item
        else:
            stack.pop()


# LINETYPE → the model's ``head`` (docs/sequence.md); "arrow" goes without saying.
_HEADS = {5: "open", 6: "open", 3: "cross", 4: "cross", 24: "async", 25: "async", 33: "both", 34: "both"}
_PLACEMENTS = {"left of": "left", "right of": "right", "over": "over"}
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SECTION_KINDS = (GroupKind.ELSE, GroupKind.AND, GroupKind.OPTION)


@dataclass(slots=True)
class _State:
    diagram: Diagram
    out: Diagnostics
    pre: Preprocessed
    lanes: dict[str, Lane] = field(default_factory=dict)
    node_ids: set[str] = field(default_factory=set)
    last: dict[str, str] = field(default_factory=dict)  # participant → its latest step
    active: dict[str, int] = field(default_factory=dict)
    open_groups: list[Group] = field(default_factory=list)
    last_message: Edge | None = None
    leading: list[str] = field(default_factory=list)  # activations before the first message
    counter: int = 0
    group_counter: int = 0
    box: Group | None = None
    created: str | None = None
    destroyed: str | None = None


def read(pre: Preprocessed, out: Diagnostics) -> Diagram:
    g = jison.grammar("sequence")
    lexer = jison.Lexer(g, pre.code)
    max_depth = limits.current().max_depth
    # the diagram's document and max_depth levels of blocks (or sections) in it; one more is refused
    # while reading
    actions = _actions(lexer, None if max_depth is None else max_depth + 1)
    statements = jison.parse(g, pre.code, jison.handlers_for(g, CUSTOM), actions, lexer)
    diagram = Diagram(direction="LR")
    diagram.attributes["diagram"] = "sequence"
    if pre.title:
        diagram.title = pre.title
    if pre.init:
        diagram.attributes["mermaid.init"] = "\n".join(pre.init)
    state = _State(diagram, out, pre)
    for item in _flatten(statements if isinstance(statements, list) else [statements]):
        _apply(state, item)
    if state.leading and state.last_message is None:
        out.add("IGNORED_STATEMENT", f"{', '.join(state.leading)} in a diagram without messages: the model keeps "
                "activations on messages; left out", line=1, column=1)
    return diagram


def _where(state: _State, loc):
    if loc is None:
        return None, None
    return state.pre.original_line(loc[0]), loc[2] + 1


def _text(raw: str, attributes: dict[str, str], state: _State, line: int | None, column: int | None) -> str:
    """A text as mermaid shows it, marked ``mermaid.markup`` when its raw form holds HTML. When it
    also holds entity-coded tags (``#lt;br/#gt;``, text to mermaid), the model cannot tell them from
    the real ones after decoding: that is said where it is read."""
    text = label_from_mermaid(raw)
    if has_markup(_BR.sub("", raw)):
        attributes["mermaid.markup"] = "true"
        if "<" in text and len(tag_spans(text)) > len(tag_spans(raw)):
            shown = text if len(text) <= 80 else text[:77] + "..."
            state.out.add("MIXED_MARKUP", f"the text {shown!r} holds HTML tags and entity-coded ones (text to mermaid); "
                          "written back, the entity-coded ones become tags", line=line, column=column)
    return text


def _lane(state: _State, name: str, item: dict | None = None) -> Lane:
    lane = state.lanes.get(name)
    if lane is None:
        line, column = _where(state, item.get("loc") if item else None)
        lane = Lane(name, None, line=line, column=column)
        lane.label = _text(name, lane.attributes, state, line, column)
        state.lanes[name] = lane
        state.diagram.lanes.append(lane)
        if state.box is not None:
            state.box.attributes["lanes"] = ",".join(filter(None, [state.box.attributes.get("lanes"), name]))
    return lane


def _config(item: dict) -> dict:
    """``@{ … }`` after a participant, read as mermaid does (YAML, JSON schema)."""
    metadata = item["config"]
    text = metadata if "\n" in metadata else flow_mapping(metadata)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SequenceError(f"participant {item['actor']}: its @{{ }} is not YAML: {str(exc).splitlines()[0]}",
                            item.get("loc")) from None
    return doc if isinstance(doc, dict) else {}


def _participant(state: _State, item: dict, kind: str) -> None:
    """sequenceDb.addActor: the kind from the keyword or ``type``, the alias from ``as`` or ``alias``."""
    name = item["actor"]
    if kind == "createParticipant":
        if name in state.lanes:
            raise SequenceError("It is not possible to have actors with the same id, even if one is destroyed "
                                "before the next is created. Use 'AS' aliases to simulate the behavior",
                                item.get("loc"))
        state.created = name
    doc = _config(item) if item.get("config") else {}
    description = item.get("description")
    if doc.get("alias") is not None and (description is None or description == name):
        description = str(doc["alias"])
    existed = name in state.lanes
    lane = _lane(state, name, item)
    if kind == "createParticipant":
        lane.attributes["created"] = "true"
    if existed and description is None:
        return  # mermaid keeps the first declaration
    participant = str(doc.get("type") or item.get("draw") or "participant")
    if participant != "participant":
        lane.attributes["participant"] = participant
    else:
        lane.attributes.pop("participant", None)
    lane.attributes.pop("mermaid.markup", None)
    lane.label = _text(description if description is not None else name, lane.attributes, state,
                       *_where(state, item.get("loc")))
    other = {k: v for k, v in doc.items() if k not in ("type", "alias")}
    if other:
        lane.attributes["mermaid.data"] = item["config"]


def _apply(state: _State, item) -> None:
    if not isinstance(item, dict):
        return
    kind = item.get("type")
    d = state.diagram
    if kind in ("addParticipant", "createParticipant"):
        _participant(state, item, kind)
    elif kind == "destroyParticipant":
        state.destroyed = item["actor"]
        _lane(state, item["actor"], item).attributes["destroyed"] = "true"
    elif kind == "addMessage":
        _message(state, item)
    elif kind in ("activeStart", "activeEnd"):
        _activation(state, item, kind == "activeStart")
    elif kind == "addNote":
        _note(state, item)
    elif kind == "actorData":
        lane = _lane(state, item["actor"])
        lane.attributes[f"mermaid.{item['kind']}"] = item["text"]
    elif kind == "start":
        _open_group(state, item, GroupKind(item["kind"]), state.open_groups[-1] if state.open_groups else None)
    elif kind == "section":
        # an else/and/option section: a child group of the fragment, until the next section or end
        if state.open_groups and state.open_groups[-1].kind in _SECTION_KINDS:
            state.open_groups.pop()
        _open_group(state, item, GroupKind(item["kind"]), state.open_groups[-1] if state.open_groups else None)
    elif kind == "end":
        if state.open_groups and state.open_groups[-1].kind in _SECTION_KINDS:
            state.open_groups.pop()
        if state.open_groups:
            state.open_groups.pop()
    elif kind == "boxStart":
        state.group_counter += 1
        line, column = _where(state, item.get("loc"))
        box = Group(f"box{state.group_counter}", GroupKind.BOX, None, [], line=line, column=column)
        if item["text"]:
            box.label = _text(item["text"], box.attributes, state, line, column)
        d.groups.append(box)
        state.box = box
    elif kind == "boxEnd":
        state.box = None
    elif kind == "autonumber":
        d.attributes["autonumber"] = item["text"] or "on"
    elif kind == "title":
        d.title = item["text"].strip()
    elif kind == "accTitle":
        d.attributes["mermaid.accTitle"] = item["text"]
    elif kind == "accDescr":
        d.attributes["mermaid.accDescr"] = item["text"]


def _open_group(state: _State, item: dict, kind: GroupKind, parent: Group | None) -> None:
    state.group_counter += 1
    line, column = _where(state, item.get("loc"))
    group = Group(f"{kind.value}{state.group_counter}", kind, None, [], parent=parent.id if parent else None,
                  line=line, column=column)
    group.label = _text(item["text"], group.attributes, state, line, column) or None
    state.diagram.groups.append(group)
    state.open_groups.append(group)


def _note(state: _State, item: dict) -> None:
    actors = item["actor"]
    lane = _lane(state, actors[0])
    state.counter += 1
    line, column = _where(state, item.get("loc"))
    node = Node(_fresh(state, f"note{state.counter}"), lane.id, NodeKind.NOTE, None, shape="note",
                line=line, column=column)
    node.label = _text(item["text"], node.attributes, state, line, column)
    node.attributes["placement"] = _PLACEMENTS.get(item["placement"], "over")
    if len(actors) > 1 and actors[1] != actors[0]:
        node.attributes["over"] = ",".join(actors)
    state.diagram.nodes.append(node)
    _join_groups(state, node.id)


def _activation(state: _State, item: dict, start: bool) -> None:
    actor = item["actor"]
    if not start:
        if state.active.get(actor, 0) < 1:
            raise SequenceError(f"Trying to inactivate an inactive participant ({actor})", item.get("loc"))
        state.active[actor] -= 1
    else:
        state.active[actor] = state.active.get(actor, 0) + 1
    if not item.get("statement"):
        return  # a +/- on a message: kept on the edge as its ``activation``
    word = "activate" if start else "deactivate"
    if state.last_message is None:  # kept for the first message, before it
        state.leading.append(f"{word} {actor}")
        return
    edge = state.last_message
    statements = edge.attributes.get("activations")
    edge.attributes["activations"] = f"{statements}\n{word} {actor}" if statements else f"{word} {actor}"


def _fresh(state: _State, wanted: str) -> str:
    while wanted in state.node_ids:
        state.counter += 1
        wanted = f"{wanted.rstrip('0123456789')}{state.counter}"
    state.node_ids.add(wanted)
    return wanted


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
    attributes: dict[str, str] = {}
    text = _text(item["msg"], attributes, state, line, column)
    start = state.last.get(source)
    if start is None:
        state.counter += 1
        start = _fresh(state, f"{source}_start" if f"{source}_start" not in state.node_ids else f"s{state.counter}")
        lane = state.lanes[source]
        d.nodes.append(Node(start, source, NodeKind.START, lane.label or source, shape="circle",
                            attributes={"mermaid.markup": "true"} if "mermaid.markup" in lane.attributes else {},
                            line=line, column=column))
        state.last[source] = start
    state.counter += 1
    step = _fresh(state, f"m{state.counter}")
    d.nodes.append(Node(step, target, NodeKind.TASK, text, attributes=dict(attributes), line=line, column=column))
    signal = item["signal"]
    edge = Edge(start, step, text, style=EdgeStyle.DOTTED if signal in DOTTED_TYPES else EdgeStyle.SOLID,
                attributes=attributes, line=line, column=column)
    if signal in _HEADS:
        edge.attributes["head"] = _HEADS[signal]
    elif signal not in (SOLID, DOTTED):
        edge.attributes["mermaid.message"] = ARROWS[signal]  # a half arrow: Mermaid's alone
    marker = item.get("marker")
    if marker in ("+", "-"):
        edge.attributes["activation"] = "activate" if marker == "+" else "deactivate"
    elif marker:
        edge.attributes["mermaid.activation"] = marker
    if state.leading and state.last_message is None:
        edge.attributes["activations_before"] = "\n".join(state.leading)
    d.edges.append(edge)
    state.last[target] = step
    state.last_message = edge
    _join_groups(state, step)


def _join_groups(state: _State, node_id: str) -> None:
    for group in state.open_groups:
        group.members.append(node_id)
