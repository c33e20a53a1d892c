"""Mermaid flowchart / graph / swimlane-beta → the model.

``jison.parse`` runs mermaid's own flowchart grammar; the semantic actions below are those of
mermaid's ``flow.jison`` and ``flowDb.ts`` (11.17), keeping what the db keeps — vertices in first-use
order, edges with their stroke and heads, subgraphs with mermaid's membership rule (a node belongs
to the first subgraph that *closes* with it; nested subgraphs close first), classes, styles, links —
plus where each element was written. ``build`` then turns that db into the model.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import yaml

from .. import limits
from ..diagnostics import Diagnostics
from ..model import Diagram, Edge, EdgeStyle, Group, GroupKind, Lane, Node, NodeKind
from ..model.diagram import infer_event_kinds
from . import jison
from .flow_lines import FlowLines
from .labels import flow_mapping, label_from_mermaid
from .preprocess import ENTITY_OPEN, Preprocessed
from .shapes import KIND_SHAPE, kind_of, shape_error

# The productions of flow.json these actions were written for (mermaid 11.17.2).
GRAMMAR_VERSION = "mermaid 11.17.2"
OUTSIDE_LANE = "main"  # the lane of the nodes outside every subgraph (docs/mermaid.md)

_STROKE_STYLE = {
    "normal": EdgeStyle.SOLID,
    "thick": EdgeStyle.THICK,
    "dotted": EdgeStyle.DOTTED,
    "invisible": EdgeStyle.INVISIBLE,
}


class FlowError(Exception):
    """An error mermaid's db raises while parsing (it rejects the diagram)."""

    def __init__(self, message: str, loc: jison.Loc | None, code: str = "SYNTAX_ERROR") -> None:
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.code = code  # the diagnostic code the reader reports it under


@dataclass(slots=True)
class Vertex:
    id: str
    text: str | None = None
    label_type: str = "text"
    type: str | None = None
    styles: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    props: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)  # other @{ … } keys (icon, form, img, …)
    link: str | None = None
    link_target: str | None = None
    callback: str | None = None
    callback_args: str | None = None
    tooltip: str | None = None
    loc: jison.Loc | None = None


@dataclass(slots=True)
class FlowEdge:
    start: str
    end: str
    type: str | None
    stroke: str | None
    length: int | None
    text: str = ""
    label_type: str = "text"
    id: str = ""
    user_id: bool = False
    style: list[str] | None = None
    interpolate: str | None = None
    classes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    loc: jison.Loc | None = None


@dataclass(slots=True)
class SubGraph:
    id: str
    title: str
    label_type: str
    nodes: list[str]
    dir: str | None
    classes: list[str] = field(default_factory=list)
    loc: jison.Loc | None = None
    auto_id: bool = False


class FlowDB:
    """The parts of mermaid's FlowDB that decide what a diagram holds."""

    def __init__(self) -> None:
        self.vertices: dict[str, Vertex] = {}
        self.edges: list[FlowEdge] = []
        self.edge_ids: set[str] = set()
        self.pair_count: dict[tuple[str, str], int] = {}
        self.classes: dict[str, list[str]] = {}
        self.subgraphs: list[SubGraph] = []
        self.subgraph_lookup: dict[str, SubGraph] = {}
        self.in_subgraph: set[str] = set()
        self.direction: str | None = None
        self.acc_title: str | None = None
        self.acc_descr: str | None = None
        self.default_style: list[str] | None = None
        self.default_interpolate: str | None = None
        self.sub_count = 0
        self.notes: list[tuple[str, jison.Loc | None]] = []  # (message, loc) for warnings
        self.handlers: list = []  # the parse's actions by production (``parse``)
        self.lexer: jison.Lexer | None = None
        self.lines: FlowLines | None = None  # the lines read whole (``parse``)
        # documents open (the diagram's and one per subgraph being read), and how many max_depth allows
        self.open_documents = 0
        self.max_documents: int | None = None

    # -- vertices --------------------------------------------------------------------------
    def add_vertex(self, id, text=None, type=None, style=None, props=None, metadata=None, loc=None):
        if not id or not id.strip():
            return
        doc = None
        if metadata is not None:
            doc = _simple_mapping(metadata)
        if metadata is not None and doc is None:
            body = flow_mapping(metadata) if "\n" not in metadata else metadata + "\n"
            try:
                doc = yaml.load(body, Loader=_JsonSchemaLoader)
            except yaml.YAMLError as exc:
                raise FlowError(f"the shape data @{{…}} is not valid YAML: {getattr(exc, 'problem', exc)}", loc) from exc
            if doc is not None and not isinstance(doc, dict):
                doc = None
        subgraph = self.subgraph_lookup.get(id)
        if subgraph is not None and doc:
            return
        if id in self.edge_ids:
            edge = next(e for e in self.edges if e.id == id)
            if doc:
                for key in ("animate", "animation", "curve"):
                    if key in doc:
                        edge.data[key] = doc[key]
            return
        vertex = self.vertices.get(id)
        if vertex is None:
            vertex = Vertex(id, loc=loc)
            self.vertices[id] = vertex
        elif vertex.loc is None:
            vertex.loc = loc
        if text is not None:
            value = _text_of(text).strip()
            vertex.label_type = text["type"]
            if value.startswith('"') and value.endswith('"') and len(value) >= 2:
                value = value[1:-1]
            vertex.text = value
        elif vertex.text is None:
            vertex.text = id
        if type is not None:
            vertex.type = type
        if style:
            vertex.styles.extend(style)
        if props:
            vertex.props.update(props)
        if doc:
            shape = doc.get("shape")
            if shape:
                shape = str(shape)
                problem = shape_error(shape)
                if problem:
                    raise FlowError(problem, loc, "UNKNOWN_SHAPE")
                vertex.type = shape
            if doc.get("label"):
                vertex.text = str(doc["label"])
                label_type = doc.get("labelType")
                vertex.label_type = label_type if label_type in ("markdown", "string", "text") else "markdown"
            for key, value in doc.items():
                if key in ("shape", "label", "labelType"):
                    continue
                vertex.data[key] = value
            if (doc.get("icon") or doc.get("img")) and not str(doc.get("label") or "").strip() and vertex.text == id:
                vertex.text = ""

    def add_labelled_vertex(self, id: str, text: str, label_type: str, type: str, loc) -> None:
        """``add_vertex(id, {"text": text, "type": label_type}, type, loc=loc)`` for an id of at least
        one character that is not a space (the vertex productions, as ``flow_lines`` reads them):
        the same steps, without those of the arguments it does not have."""
        if id in self.edge_ids:
            return
        vertex = self.vertices.get(id)
        if vertex is None:
            vertex = self.vertices[id] = Vertex(id, loc=loc)
        elif vertex.loc is None:
            vertex.loc = loc
        value = text.strip()
        vertex.label_type = label_type
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = value[1:-1]
        vertex.text = value
        vertex.type = type

    def set_class(self, ids: str, class_name: str) -> None:
        for id in ids.split(","):
            vertex = self.vertices.get(id)
            if vertex is not None:
                vertex.classes.append(class_name)
            for edge in self.edges:
                if edge.id == id:
                    edge.classes.append(class_name)
                    break
            subgraph = self.subgraph_lookup.get(id)
            if subgraph is not None:
                subgraph.classes.append(class_name)

    def add_class(self, ids: str, styles: list[str]) -> None:
        joined = ",".join(styles).replace("\\,", "\u00a7\u00a7\u00a7").replace(",", ";").replace("\u00a7\u00a7\u00a7", ",")
        parts = joined.split(";")
        for id in ids.split(","):
            self.classes.setdefault(id, []).extend(parts)

    def set_link(self, ids: str, link: str, target: str | None = None) -> None:
        for id in ids.split(","):
            vertex = self.vertices.get(id)
            if vertex is not None:
                vertex.link = link
                vertex.link_target = target
        self.set_class(ids, "clickable")

    def set_click_event(self, ids: str, name: str, args: str | None = None) -> None:
        for id in ids.split(","):
            vertex = self.vertices.get(id)
            if vertex is not None:
                vertex.callback = name
                vertex.callback_args = args
        self.set_class(ids, "clickable")

    def set_tooltip(self, ids: str, tooltip: str | None) -> None:
        if tooltip is None:
            return
        for id in ids.split(","):
            vertex = self.vertices.get(id)
            if vertex is not None:
                vertex.tooltip = tooltip

    # -- edges -----------------------------------------------------------------------------
    def add_link(self, starts: list[str], ends: list[str], link: dict, loc) -> None:
        link_id = link.get("id")
        link_id = link_id.replace("@", "", 1) if isinstance(link_id, str) else None
        for start in starts:
            for end in ends:
                use_id = link_id if (start == starts[-1] and end == ends[0]) else None
                self.add_single_link(start, end, link, use_id, loc)

    def add_single_link(self, start: str, end: str, link: dict, id: str | None, loc) -> None:
        edge = FlowEdge(start, end, link.get("type"), link.get("stroke"), None, loc=loc,
                        interpolate=self.default_interpolate)
        text = link.get("text")
        if text is not None:
            value = _text_of(text).strip()
            if value.startswith('"') and value.endswith('"') and len(value) >= 2:
                value = value[1:-1]
            edge.text = value
            edge.label_type = text["type"] if text["type"] in ("markdown", "string", "text") else "markdown"
        length = link.get("length")
        edge.length = None if length is None else min(length, 10)
        if id and id not in self.edge_ids:
            edge.id = id
            edge.user_id = True
        else:
            count = self.pair_count.get((start, end), 0)
            edge.id = f"L_{start}_{end}_{0 if count == 0 else count + 1}"
        self.pair_count[(start, end)] = self.pair_count.get((start, end), 0) + 1
        self.edge_ids.add(edge.id)
        self.edges.append(edge)

    def update_link(self, positions: list, style: list[str], loc) -> None:
        for pos in positions:
            if pos == "default":
                self.default_style = style
                continue
            index = int(pos)
            if index >= len(self.edges):
                # mermaid fails with a TypeError on an index past the last edge
                raise FlowError(f"linkStyle {pos}: there is no edge {pos} (the diagram has "
                                f"{len(self.edges)} edges, numbered from 0)", loc)
            edge = self.edges[index]
            edge.style = list(style)

    def update_link_interpolate(self, positions: list, interpolate: str, loc) -> None:
        for pos in positions:
            if pos == "default":
                self.default_interpolate = interpolate
            else:
                index = int(pos)
                if index >= len(self.edges):
                    raise FlowError(f"linkStyle {pos}: there is no edge {pos}", loc)
                self.edges[index].interpolate = interpolate

    # -- links (the arrows themselves) -------------------------------------------------------
    @staticmethod
    def destruct_start(text: str) -> dict:
        s = text.strip()
        kind = "arrow_open"
        if s[:1] == "<":
            kind, s = "arrow_point", s[1:]
        elif s[:1] == "x":
            kind, s = "arrow_cross", s[1:]
        elif s[:1] == "o":
            kind, s = "arrow_circle", s[1:]
        stroke = "normal"
        if "=" in s:
            stroke = "thick"
        if "." in s:
            stroke = "dotted"
        return {"type": kind, "stroke": stroke}

    @staticmethod
    def destruct_end(text: str) -> dict:
        s = text.strip()
        line = s[:-1]
        kind = "arrow_open"
        last = s[-1:]
        if last == "x":
            kind = "arrow_cross"
            if s.startswith("x"):
                kind, line = "double_" + kind, line[1:]
        elif last == ">":
            kind = "arrow_point"
            if s.startswith("<"):
                kind, line = "double_" + kind, line[1:]
        elif last == "o":
            kind = "arrow_circle"
            if s.startswith("o"):
                kind, line = "double_" + kind, line[1:]
        stroke = "normal"
        length = len(line) - 1
        if line.startswith("="):
            stroke = "thick"
        if line.startswith("~"):
            stroke = "invisible"
        dots = line.count(".")
        if dots:
            stroke, length = "dotted", dots
        return {"type": kind, "stroke": stroke, "length": length}

    def destruct_link(self, text: str, start: str | None = None) -> dict:
        info = self.destruct_end(text)
        if start:
            head = self.destruct_start(start)
            if head["stroke"] != info["stroke"]:
                return {"type": "INVALID", "stroke": "INVALID", "length": None}
            if head["type"] == "arrow_open":
                head["type"] = info["type"]
            else:
                if head["type"] != info["type"]:
                    return {"type": "INVALID", "stroke": "INVALID", "length": None}
                head["type"] = "double_" + head["type"]
            if head["type"] == "double_arrow":
                head["type"] = "double_arrow_point"
            head["length"] = info["length"]
            return head
        return info

    # -- subgraphs ---------------------------------------------------------------------------
    def add_subgraph(self, id_obj, items: list, title_obj, loc) -> str:
        sub_id = _text_of(id_obj).strip() if id_obj is not None else None
        title = _text_of(title_obj) if title_obj is not None else ""
        if id_obj is not None and id_obj is title_obj and re.search(r"\s", title):
            sub_id = None
        seen: set[str] = set()
        nodes: list[str] = []
        direction = None
        for item in _flat(items):
            if isinstance(item, dict):
                if item.get("stmt") == "dir":
                    direction = item["value"]
                continue
            if not isinstance(item, str) or item.strip() == "":
                continue
            if item in seen:
                continue
            seen.add(item)
            nodes.append(item)
        auto = sub_id is None
        sub_id = sub_id if sub_id is not None else f"subGraph{self.sub_count}"
        self.sub_count += 1
        label_type = title_obj["type"] if title_obj is not None else "text"
        label_type = label_type if label_type in ("markdown", "string", "text") else "markdown"
        self.open_documents -= 1
        subgraph = SubGraph(sub_id, (title or "").strip(), label_type, [], direction, loc=loc, auto_id=auto)
        subgraph.nodes = [n for n in nodes if n not in self.in_subgraph]
        self.in_subgraph.update(subgraph.nodes)
        self.subgraphs.append(subgraph)
        self.subgraph_lookup[sub_id] = subgraph
        return sub_id


_SIMPLE_PAIR = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*([A-Za-z][A-Za-z0-9_-]*)\s*\Z")


def _simple_mapping(metadata: str) -> dict | None:
    """``shape: notch-rect, form: circle`` without YAML (the common case, and YAML is slow): plain
    words only; anything else (quotes, numbers, true/false/null, nesting) goes to the YAML loader."""
    if any(c in metadata for c in "\"'{}[]#&*!|>%@`\n"):
        return None
    result = {}
    for part in metadata.split(","):
        match = _SIMPLE_PAIR.match(part)
        if match is None or match.group(2) in ("true", "false", "null", "True", "False", "Null", "TRUE",
                                               "FALSE", "NULL"):
            return None
        result[match.group(1)] = match.group(2)
    return result


def _flat(items: list):
    for item in items:
        if isinstance(item, list):
            yield from item
        else:
            yield item


class _JsonSchemaLoader(yaml.SafeLoader):
    """YAML as js-yaml's JSON_SCHEMA reads it: no dates, no yes/no booleans."""


for _tag in ("tag:yaml.org,2002:timestamp",):
    _JsonSchemaLoader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != _tag]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _text(value, kind="text"):
    return {"text": value, "type": kind}


def _text_of(text: dict) -> str:
    """A text value's string (joined once, when it was built token by token)."""
    parts = text.get("parts")
    if parts is not None:
        text["text"] = "".join(parts)
        del text["parts"]
    return text["text"]


def _extend_text(text: dict, more: str) -> dict:
    parts = text.get("parts")
    if parts is None:
        text = {"text": None, "type": text["type"], "parts": [text["text"]]}
        parts = text["parts"]
    parts.append(more)
    return text


def _plain(value):
    """A value as a string if it is a _Join."""
    return value.text() if value.__class__ is _Join else value


class _Join:
    """A string built one token at a time (``idString: idString alphaNumToken``): appending to a
    list instead of concatenating keeps a long id, style or label linear."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts

    @staticmethod
    def extend(value, more) -> _Join:
        if value.__class__ is _Join:
            value.parts.append(more.text() if more.__class__ is _Join else more)
            return value
        return _Join([value.text() if value.__class__ is _Join else value,
                      more.text() if more.__class__ is _Join else more])

    def text(self) -> str:
        return "".join(self.parts)


# The productions that build a _Join (they get theirs as it is).
_JOINING = frozenset({43, 133, 182, 184})


# The productions with an action of their own; the others keep their first symbol's value.
CUSTOM = frozenset({
    2, 3, 11, 12, 27, 28, 29, 30, 31, 32, 33, 34, 35, 37, 38, 39, 43, 45, 46, 47, 48, 49, 50, 51, 52, 53, 55,
    *range(56, 74), 74, 75, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 101, 102, 103, 104, 105, 106,
    *range(107, 132), 133, 182, 184, *range(185, 190),
})


def _make_handlers() -> list:
    """The semantic action of each production of flow.jison (mermaid 11.17.2), by number, as
    ``jison.parse`` takes them: ``handler(db, values, locations)``, None where the production keeps
    its first symbol's value. Made once; ``parse`` gives each diagram its own copy of the list."""
    handlers: list = [None] * len(jison.grammar("flow").productions)

    def on(*productions: int):
        def register(handler):
            for p in productions:
                handlers[p] = handler
            return handler
        return register

    @on(3)
    def document_line(db, v, locs):
        line = v[1]
        if line.__class__ is not list or line:
            v[0].append(line)
        return v[0]

    @on(51)
    def node(db, v, locs):
        return [v[0]]

    def vertex_with(shape: str, index: int):
        def vertex(db, v, locs):
            db.add_vertex(v[0], v[index], shape, loc=locs[0])
            return v[0]
        return vertex

    for p, (shape, index) in {  # vertex productions: production → (shape, index of the text value)
        56: ("square", 2), 57: ("doublecircle", 2), 58: ("circle", 3), 59: ("ellipse", 2),
        60: ("stadium", 2), 61: ("subroutine", 2), 63: ("cylinder", 2), 64: ("round", 2),
        65: ("diamond", 2), 66: ("hexagon", 3), 67: ("odd", 2), 68: ("trapezoid", 2),
        69: ("inv_trapezoid", 2), 70: ("lean_right", 2), 71: ("lean_left", 2),
    }.items():
        handlers[p] = vertex_with(shape, index)

    @on(72)
    def plain_vertex(db, v, locs):
        db.add_vertex(v[0], loc=locs[0])
        return v[0]

    @on(2)
    def document_start(db, v, locs):  # the diagram's document, or a subgraph's
        db.open_documents += 1
        if db.max_documents is not None and db.open_documents > db.max_documents:
            raise FlowError(f"subgraphs nest more than {db.max_documents - 1} deep: groups (subgraphs in a lane) nest "
                            f"more than {db.max_documents - 2} deep (max_depth)", db.lexer.loc, "INPUT_TOO_LARGE")
        return []

    @on(28, 29, 30, 31, 32)
    def empty(db, v, locs):
        return []

    @on(11)
    def graph_no_direction(db, v, locs):
        db.direction = _direction("TB")
        return "TB"

    @on(12)
    def graph_direction(db, v, locs):
        db.direction = _direction(v[1])
        return v[1]

    @on(27)
    def vertex_statement(db, v, locs):
        return v[0]["rnodes"][::-1]

    @on(33)
    def subgraph_with_title(db, v, locs):
        return db.add_subgraph(v[2], v[7], v[4], locs[0])

    @on(34)
    def subgraph_named(db, v, locs):
        return db.add_subgraph(v[2], v[4], v[2], locs[0])

    @on(35)
    def subgraph_anonymous(db, v, locs):
        return db.add_subgraph(None, v[2], None, locs[0])

    @on(37)
    def acc_title(db, v, locs):
        db.acc_title = v[1].strip()
        return db.acc_title

    @on(38, 39)
    def acc_descr(db, v, locs):
        db.acc_descr = v[-1].strip()
        return db.acc_descr

    @on(45, 46, 47)
    def link_statement(db, v, locs):
        node = v[2]
        if len(v) == 4:  # production 45: the node has shape data
            db.add_vertex(node[-1], metadata=_plain(v[3]), loc=locs[2])
        db.add_link(v[0]["stmt"], node, v[1], locs[1])
        # mermaid's `nodes: node.concat(previous.nodes)`, kept reversed so that a chain of n
        # links costs n, not n²
        rnodes = v[0]["rnodes"]
        rnodes.extend(reversed(node))
        return {"stmt": node, "rnodes": rnodes}

    @on(48, 50)
    def node_statement(db, v, locs):
        return {"stmt": v[0], "rnodes": v[0][::-1]}

    @on(49)
    def node_statement_with_data(db, v, locs):
        db.add_vertex(v[0][-1], metadata=_plain(v[1]), loc=locs[0])
        return {"stmt": v[0], "rnodes": v[0][::-1]}

    @on(52)
    def node_and_node_with_data(db, v, locs):
        db.add_vertex(v[0][-1], metadata=_plain(v[1]), loc=locs[0])
        v[0].append(v[5])  # (the list is this node group's own)
        return v[0]

    @on(53)
    def node_and_node(db, v, locs):
        v[0].append(v[4])
        return v[0]

    @on(55)
    def styled_vertex(db, v, locs):
        db.set_class(v[0], v[2])
        return v[0]

    @on(62)
    def vertex_with_props(db, v, locs):
        db.add_vertex(v[0], v[6], "rect", props={v[2]: v[4]}, loc=locs[0])
        return v[0]

    @on(73)
    def link_with_text(db, v, locs):
        v[0]["text"] = v[1]
        return v[0]

    @on(74, 75)
    def link_with_arrow_text(db, v, locs):
        v[0]["text"] = v[1] if isinstance(v[1], dict) else _text(v[1])
        return v[0]

    @on(77)
    def link_with_edge_text(db, v, locs):
        info = db.destruct_link(v[2], v[0])
        return {**info, "text": v[1]}

    @on(78)
    def link_with_id_and_edge_text(db, v, locs):
        info = db.destruct_link(v[3], v[1])
        return {**info, "text": v[2], "id": v[0]}

    @on(79, 86, 101)
    def text(db, v, locs):
        return _text(v[0])

    @on(80, 87, 102)
    def more_text(db, v, locs):  # text: text token — one token at a time (edge text is one per character)
        return _extend_text(v[0], v[1])

    @on(81, 88)
    def string(db, v, locs):
        return _text(v[0], "string")

    @on(82, 89, 104)
    def markdown(db, v, locs):
        return _text(v[0], "markdown")

    @on(103)
    def plain_text(db, v, locs):
        return _text(v[0], "text")

    @on(83)
    def link(db, v, locs):
        return db.destruct_link(v[0])

    @on(84)
    def link_with_id(db, v, locs):
        return {**db.destruct_link(v[1]), "id": v[0]}

    @on(85)
    def arrow_text(db, v, locs):
        return v[1]

    @on(105)
    def class_def(db, v, locs):
        db.add_class(v[2], v[4])
        return v[0]

    @on(106)
    def class_statement(db, v, locs):
        db.set_class(v[2], v[4])
        return v[0]

    def click(p: int):
        def run(db, v, locs):
            _click(db, p, v)
            return v[0]
        return run

    for p in range(107, 121):
        handlers[p] = click(p)

    @on(121)
    def style(db, v, locs):
        db.add_vertex(v[2], style=v[4], loc=locs[2])
        return v[0]

    def link_style(p: int):
        def run(db, v, locs):
            if p == 122:
                db.update_link(["default"], v[4], locs[0])
            elif p == 123:
                db.update_link(v[2], v[4], locs[0])
            elif p == 124:
                db.update_link_interpolate(["default"], v[6], locs[0])
                db.update_link(["default"], v[8], locs[0])
            elif p == 125:
                db.update_link_interpolate(v[2], v[6], locs[0])
                db.update_link(v[2], v[8], locs[0])
            elif p == 126:
                db.update_link_interpolate(["default"], v[6], locs[0])
            else:
                db.update_link_interpolate(v[2], v[6], locs[0])
            return v[0]
        return run

    for p in range(122, 128):
        handlers[p] = link_style(p)

    @on(128, 130)
    def first_of_list(db, v, locs):
        return [v[0]]

    @on(129, 131)
    def next_of_list(db, v, locs):
        v[0].append(v[2])
        return v[0]

    def direction(value: str):
        return lambda db, v, locs: {"stmt": "dir", "value": value}

    for p in range(185, 190):
        handlers[p] = direction(("TB", "BT", "RL", "LR", "TD")[p - 185])

    @on(43)
    def shape_data(db, v, locs):  # (joined by the three productions that use shape data)
        return _Join.extend(v[0], v[1])

    @on(133, 182, 184)
    def first_join(db, v, locs):
        db.handlers[:] = _handlers()[1]  # from now on, the values an action is given are joined first
        return _Join.extend(v[0], v[1])

    missing = CUSTOM - {p for p, handler in enumerate(handlers) if handler is not None}
    if missing:
        raise RuntimeError(f"flow.jison productions without an action: {sorted(missing)}")
    return handlers


def _joining_handlers(handlers: list) -> list:
    """The handlers once a _Join exists (``idString: idString idStringToken``, …: a string built
    token by token, joined where it is used): each action but those that build them (and the two
    that never see one) joins the values it is given first."""
    def joining(handler):
        def run(db, v, locs):
            for i, value in enumerate(v):
                if value.__class__ is _Join:
                    v[i] = value.text()
            return handler(db, v, locs)
        return run

    def extend(db, v, locs):
        return _Join.extend(v[0], v[1])

    return [extend if p in _JOINING else handler if handler is None or p in (3, 51) else joining(handler)
            for p, handler in enumerate(handlers)]


def _click(db: FlowDB, p: int, v: list) -> None:
    ids = v[0]
    if p == 107 or p == 115:
        db.set_click_event(ids, v[1])
    elif p == 108 or p == 116:
        db.set_click_event(ids, v[1])
        db.set_tooltip(ids, v[3])
    elif p == 109:
        db.set_click_event(ids, v[1], v[2])
    elif p == 110:
        db.set_click_event(ids, v[1], v[2])
        db.set_tooltip(ids, v[4])
    elif p == 111:
        db.set_link(ids, v[2])
    elif p == 112:
        db.set_link(ids, v[2])
        db.set_tooltip(ids, v[4])
    elif p == 113:
        db.set_link(ids, v[2], v[4])
    elif p == 114:
        db.set_link(ids, v[2], v[6])
        db.set_tooltip(ids, v[4])
    elif p == 117:
        db.set_link(ids, v[1])
    elif p == 118:
        db.set_link(ids, v[1])
        db.set_tooltip(ids, v[3])
    elif p == 119:
        db.set_link(ids, v[1], v[3])
    elif p == 120:
        db.set_link(ids, v[1], v[5])
        db.set_tooltip(ids, v[3])


def _direction(value: str) -> str:
    d = value.strip()
    if "<" in d:
        d = "RL"
    if "^" in d:
        d = "BT"
    if ">" in d:
        d = "LR"
    if "v" in d:
        d = "TB"
    if d == "TD":
        d = "TB"
    return d


@cache
def _handlers() -> tuple[list, list]:
    """(the handlers, the joining handlers), made at the first flowchart read: they need the
    grammar, whose loading (~0.3 s) would otherwise be paid at import by every process."""
    handlers = _make_handlers()
    return handlers, _joining_handlers(handlers)


def parse(pre: Preprocessed, whole_lines: bool = True) -> FlowDB:
    """Runs mermaid's grammar over the preprocessed code; raises jison.JisonError or FlowError.
    ``whole_lines``: the common lines are read at once (``flow_lines.py``; the same result)."""
    db = FlowDB()
    g = jison.grammar("flow")
    code = re.sub(r"}\s*\n", "}\n", pre.code)  # flowParser.ts
    db.handlers = list(_handlers()[0])
    db.lexer = jison.Lexer(g, code)
    max_depth = limits.current().max_depth
    # the diagram's document, the lanes' and max_depth levels of groups in them; one more is refused
    # while reading (a deeper text is not read to its end first)
    db.max_documents = None if max_depth is None else max_depth + 2
    shortcut = None
    if whole_lines:
        db.lines = FlowLines(code)
        shortcut = _shortcut(g)
    jison.parse(g, code, db.handlers, db, db.lexer, shortcut)
    return db


def _read_lines(db: FlowDB, lexer: jison.Lexer, values: list, locations: list):
    return db.lines.read(db, lexer, values, locations)


@cache
def _shortcut(g: jison.Grammar) -> jison.Shortcut:
    """Where ``flow_lines`` is tried: in each state a list of statements is read in (``document``),
    with a space, an id or a number ahead."""
    document = g.symbols["document"]
    states = sorted({row[document] for row in g.goto if document in row})
    symbols = [g.symbols[name] for name in ("SPACE", "NODE_STRING", "NUM")]
    return jison.Shortcut(g, states, symbols, g.symbols["vertexStatement"], g.symbols["NEWLINE"], _read_lines)


# -- db → model ------------------------------------------------------------------------------
# ``build`` turns mermaid's db into the model in stages, each a function below: the diagram's own
# attributes, one subgraph per id, the subgraph nesting mermaid's layout can draw, lanes (the
# outermost subgraphs, and one for the nodes outside them), groups (the nested subgraphs), nodes,
# edges. Every stage is one pass over what it reads (deep nesting and many subgraphs stay linear).
def build(db: FlowDB, pre: Preprocessed, out: Diagnostics, swimlane: bool) -> Diagram:
    where = _Where(pre)
    diagram = Diagram()
    _diagram_attributes(diagram, db, pre, swimlane)
    last_index = {sub.id: index for index, sub in enumerate(db.subgraphs)}  # before merging
    merged = _merge_repeated_subgraphs(db, out, where)
    tree = _SubgraphTree(db, merged, _nesting(db, merged, last_index, out, where))
    outside_lane = _lanes(diagram, db, tree, out, where)
    _groups(diagram, db, tree, where)
    event_nodes = _nodes(diagram, db, tree, outside_lane, out, where)
    _edges(diagram, db, tree, out, where)
    if len(db.edges) > 500:
        out.add("MERMAID_LIMIT", f"the diagram has {len(db.edges)} edges; mermaid draws at most 500 unless the "
                "page sets maxEdges higher")
    infer_event_kinds(diagram, event_nodes)
    return diagram


class _Where:
    """A db location as (line, column) of the text as written."""

    __slots__ = ("pre",)

    def __init__(self, pre: Preprocessed) -> None:
        self.pre = pre

    def __call__(self, loc) -> tuple[int | None, int | None]:
        if loc is None:
            return None, None
        pre = self.pre
        if pre.line_map is None:  # (no line removed)
            return loc[0], loc[2] + 1
        return pre.original_line(loc[0]), loc[2] + 1


def _diagram_attributes(diagram: Diagram, db: FlowDB, pre: Preprocessed, swimlane: bool) -> None:
    if pre.title:
        diagram.title = pre.title
    direction = db.direction or "TB"
    diagram.direction = direction if direction in ("LR", "RL", "TB", "BT") else "TB"
    attrs = diagram.attributes
    if swimlane:
        attrs["mermaid.diagram"] = "swimlane"
    if pre.front_matter is not None and pre.config is not None:
        attrs["mermaid.config"] = yaml.safe_dump(pre.config, sort_keys=False, allow_unicode=True).strip()
    if pre.init:
        attrs["mermaid.init"] = "\n".join(pre.init)
    if db.acc_title:
        attrs["mermaid.accTitle"] = db.acc_title
    if db.acc_descr:
        attrs["mermaid.accDescr"] = db.acc_descr
    for name, styles in db.classes.items():
        attrs[f"mermaid.classDef.{name}"] = ",".join(styles)
    if db.default_style is not None:
        attrs["mermaid.linkStyle.default"] = ",".join(db.default_style)
    if db.default_interpolate is not None:
        attrs["mermaid.linkStyle.default.interpolate"] = db.default_interpolate


def _merge_repeated_subgraphs(db: FlowDB, out: Diagnostics, where: _Where) -> dict[str, SubGraph]:
    """One subgraph per id: mermaid keeps a repeated ``subgraph X`` block as a second subgraph with
    the same id (and draws one); the model merges them into the first. Sets ``db.subgraphs``."""
    merged: dict[str, SubGraph] = {}
    members: dict[str, set[str]] = {}
    for sub in db.subgraphs:
        first = merged.get(sub.id)
        if first is None:
            merged[sub.id] = sub
            continue
        line, column = where(sub.loc)
        out.add("REPEATED_SUBGRAPH", f"subgraph {sub.id!r} is opened again here (first at line "
                f"{where(first.loc)[0]}); its nodes join the first one", line=line, column=column, element=sub.id)
        known = members.get(sub.id)
        if known is None:
            known = members[sub.id] = set(first.nodes)
        for node in sub.nodes:
            if node not in known:
                known.add(node)
                first.nodes.append(node)
        if sub.dir and not first.dir:
            first.dir = sub.dir
    db.subgraphs = list(merged.values())
    return merged


def _nesting(db: FlowDB, merged: dict[str, SubGraph], last_index: dict[str, int], out: Diagnostics,
             where: _Where) -> dict[str, str]:
    """Subgraph → the subgraph it is drawn inside, as mermaid's renderer sees it: a subgraph is
    inside the subgraph whose member list names it (flowDb lists an id in one subgraph at most:
    makeUniq). Its dagre layout sets those parents subgraph by subgraph, the last one first, and
    fails on a parent that would close a cycle — a subgraph named inside itself, or inside a
    subgraph nested in it: mermaid parses ``subgraph A / subgraph c1 / A / end / end`` and draws
    nothing ("Setting A as parent of c1 would create a cycle"). The reader leaves out each such
    nesting and reads on."""
    listed_in: dict[str, str] = {}
    for sub in db.subgraphs:
        for member in sub.nodes:
            if member in merged:
                listed_in.setdefault(member, sub.id)
    parent_of: dict[str, str] = {}
    root_hint: dict[str, str] = {}  # union-find over parent_of (path-compressed): the top of each tree

    def root(sub_id: str) -> str:
        path = []
        while sub_id in root_hint:
            path.append(sub_id)
            sub_id = root_hint[sub_id]
        for step in path:
            root_hint[step] = sub_id
        return sub_id

    for sub_id in sorted(merged, key=lambda s: -last_index[s]):
        holder = listed_in.get(sub_id)
        if holder is None:
            continue
        if root(holder) != sub_id:  # sub_id has no parent yet: it is the top of its own tree
            parent_of[sub_id] = holder
            root_hint[sub_id] = holder
            continue
        merged[holder].nodes = [n for n in merged[holder].nodes if n != sub_id]
        line, column = where(merged[sub_id].loc)
        if holder == sub_id:
            message = (f"subgraph {sub_id!r} names itself inside its block; mermaid cannot draw that (its layout "
                       f"fails: \"Setting {sub_id} as parent of {sub_id} would create a cycle\"); left out")
        else:
            message = (f"subgraph {sub_id!r} would be inside {holder!r}, which is itself inside {sub_id!r}; mermaid "
                       f"cannot draw that (its layout fails: \"Setting {holder} as parent of {sub_id} would create a "
                       f"cycle\"); read with {sub_id!r} not inside {holder!r}")
        out.add("IGNORED_STATEMENT", message, line=line, column=column, element=sub_id)
    return parent_of


class _SubgraphTree:
    """Which subgraph holds each node directly (``container_of``), the nesting (``parent_of``), and
    the outermost subgraph above each one (``top``)."""

    def __init__(self, db: FlowDB, merged: dict[str, SubGraph], parent_of: dict[str, str]) -> None:
        self.merged = merged
        self.parent_of = parent_of
        self.container_of: dict[str, str] = {}
        for sub in db.subgraphs:
            for member in sub.nodes:
                # (an edge id written as a node is listed too, but makes no vertex)
                if member in db.vertices and member not in db.subgraph_lookup and member not in self.container_of:
                    self.container_of[member] = sub.id
        self._top: dict[str, str] = {}

    def top(self, sub_id: str) -> str:
        path = []
        while sub_id in self.parent_of and sub_id not in self._top:
            path.append(sub_id)
            sub_id = self.parent_of[sub_id]
        top = self._top.get(sub_id, sub_id)
        for step in path:
            self._top[step] = top
        return top

    def lane_of(self, vertex_id: str) -> str | None:
        holder = self.container_of.get(vertex_id)
        return self.top(holder) if holder is not None else None

    def chain(self, vertex_id: str):
        """The subgraphs around a node, innermost first."""
        sub = self.container_of.get(vertex_id)
        while sub is not None:
            yield sub
            sub = self.parent_of.get(sub)


def _lanes(diagram: Diagram, db: FlowDB, tree: _SubgraphTree, out: Diagnostics, where: _Where) -> str | None:
    """The outermost subgraphs as lanes, and a lane for the nodes outside every subgraph (when
    there are such nodes, or no subgraph at all), in the order they appear: subgraphs at their
    ``subgraph`` line, the outside lane at its first node. Returns the outside lane's id."""
    top_level = [s for s in db.subgraphs if s.id not in tree.parent_of]
    outside = [vid for vid in db.vertices if vid not in db.subgraph_lookup and vid not in tree.container_of]
    placed: list[tuple[tuple[int, int], Lane]] = []
    for sub in top_level:
        line, column = where(sub.loc)
        lane = Lane(sub.id, _label(sub.title), line=line, column=column)
        _subgraph_attributes(sub, lane.attributes)
        if sub.id == OUTSIDE_LANE and (lane.label in (None, OUTSIDE_LANE)):
            lane.attributes["mermaid.lane"] = "subgraph"
        placed.append(((line or 0, column or 0), lane))
    outside_lane = None
    if outside or not top_level:
        lane_ids = {s.id for s in top_level}
        outside_lane = OUTSIDE_LANE
        counter = 2
        while outside_lane in lane_ids:
            outside_lane = f"{OUTSIDE_LANE}{counter}"
            counter += 1
        line, column = where(db.vertices[outside[0]].loc if outside else None)
        lane = Lane(outside_lane, None, line=line, column=column)
        if outside_lane != OUTSIDE_LANE:
            lane.attributes["mermaid.lane"] = "outside"
        if outside and top_level:
            out.add("NODES_OUTSIDE_SUBGRAPHS", f"{len(outside)} node(s) outside every subgraph are placed in lane "
                    f"{outside_lane!r}, which the Mermaid writer draws without a subgraph", line=line,
                    column=column, element=outside_lane)
        placed.append(((line or 0, column or 0) if outside else (-1, 0), lane))
    placed.sort(key=lambda item: item[0])
    diagram.lanes = [lane for _, lane in placed]
    return outside_lane


def _groups(diagram: Diagram, db: FlowDB, tree: _SubgraphTree, where: _Where) -> None:
    """Nested subgraphs are groups, in the order they are written; a group's members are all the
    nodes inside it (in nested subgraphs too), in node order."""
    members: dict[str, list[str]] = {sub_id: [] for sub_id in tree.parent_of}
    for vertex_id in db.vertices:
        for sub_id in tree.chain(vertex_id):
            if sub_id in members:
                members[sub_id].append(vertex_id)
    for sub in sorted(db.subgraphs, key=lambda s: (s.loc[0], s.loc[2]) if s.loc else (0, 0)):
        parent = tree.parent_of.get(sub.id)
        if parent is None:
            continue
        line, column = where(sub.loc)
        group = Group(sub.id, GroupKind.SUBGRAPH, _label(sub.title), members[sub.id], lane=tree.top(sub.id),
                      parent=parent if parent in tree.parent_of else None, line=line, column=column)
        _subgraph_attributes(sub, group.attributes)
        diagram.groups.append(group)


def _nodes(diagram: Diagram, db: FlowDB, tree: _SubgraphTree, outside_lane: str | None, out: Diagnostics,
           where: _Where) -> list[Node]:
    """The vertices as nodes (a vertex named like a subgraph styles the subgraph instead); returns
    the event nodes, whose kind the edges decide."""
    regions: dict[str, Lane | Group] = {lane.id: lane for lane in diagram.lanes}
    for group in diagram.groups:
        regions.setdefault(group.id, group)
    event_nodes = []
    nodes = diagram.nodes
    subgraphs = db.subgraph_lookup
    kinds: dict[str | None, NodeKind] = {}  # (kind_of of each shape met)
    for vertex in db.vertices.values():
        if vertex.id in subgraphs:
            _subgraph_vertex(vertex, regions.get(vertex.id), out, where)
            continue
        line, column = where(vertex.loc)
        lane_id = tree.lane_of(vertex.id) or outside_lane
        shape = vertex.type
        kind = kinds.get(shape)
        if kind is None:
            kind = kinds[shape] = kind_of(shape)
        node = Node(vertex.id, lane_id, kind, _label(vertex.text), shape, {}, line, column)
        a = node.attributes
        if shape is not None and shape != KIND_SHAPE[kind]:
            a["mermaid.shape"] = shape  # the kind's own shape goes without saying
        if vertex.label_type == "markdown":
            a["mermaid.labelType"] = vertex.label_type
        if vertex.props:
            a["mermaid.props"] = ",".join(f"{k}:{v}" for k, v in vertex.props.items())
        if vertex.data:
            a["mermaid.data"] = _flow_mapping(vertex.data)
        if (vertex.styles or vertex.classes or vertex.link is not None or vertex.callback is not None
                or vertex.tooltip is not None):
            _common_attributes(vertex, a)
        if kind is NodeKind.EVENT:
            event_nodes.append(node)
        nodes.append(node)
    return event_nodes


def _edges(diagram: Diagram, db: FlowDB, tree: _SubgraphTree, out: Diagnostics, where: _Where) -> None:
    node_ids = {n.id for n in diagram.nodes}
    first_node_of = _first_nodes(diagram, tree)
    subgraphs = db.subgraph_lookup
    edges = diagram.edges
    for fe in db.edges:
        line, column = where(fe.loc)
        if fe.start in subgraphs or fe.end in subgraphs:
            ends = _edge_ends(fe, db, first_node_of, out, line, column)
            if ends is None:
                continue
            source, target, edge_attrs = ends
        else:
            source, target, edge_attrs = fe.start, fe.end, None
        if source not in node_ids or target not in node_ids:
            missing = [end for end in (source, target) if end not in node_ids]
            # an edge id written as a node (`e1 --> C` after `A e1@--> B`): mermaid's addVertex makes
            # no vertex for it, keeps the edge, and fails to draw it (reading the shape of nothing)
            out.add("IGNORED_STATEMENT", f"edge {fe.start} -> {fe.end}: {missing[0]!r} is the id of an edge, not a "
                    "node; mermaid makes no node for it and cannot draw this edge; left out",
                    line=line, column=column, element=missing[0])
            continue
        if fe.type == "INVALID":
            out.add("INVALID_EDGE_HEADS", f"edge {fe.start} -> {fe.end} mixes two line kinds or two different "
                    "heads; mermaid accepts it but draws it as a plain line", line=line, column=column)
        style = _STROKE_STYLE.get(fe.stroke or "normal", EdgeStyle.SOLID)
        # an empty quoted label (|" "|, a string to mermaid) is an empty label, not none
        has_label = bool(fe.text) or (fe.text is not None and fe.label_type == "string")
        attributes = edge_attrs or {}  # (the subgraph ends first)
        edges.append(Edge(source, target, _label(fe.text) if has_label else None, None, None, style,
                          fe.id if fe.user_id else None, attributes, line, column))
        _edge_attributes(fe, style, db, attributes)


def _edge_ends(fe: FlowEdge, db: FlowDB, first_node_of: dict[str, str], out: Diagnostics, line, column):
    """(source, target, attributes) of an edge, with an end on a subgraph moved to the subgraph's
    first node (and the subgraph kept in an attribute); None when such a subgraph has no node."""
    ends = {"source": fe.start, "target": fe.end}
    attrs: dict[str, str] = {}
    ok = True
    for end_name, end_id in (("source", fe.start), ("target", fe.end)):
        if end_id not in db.subgraph_lookup:
            continue
        stand_in = first_node_of.get(end_id)
        if stand_in is None:
            out.add("EDGE_TO_SUBGRAPH", f"edge {fe.start} -> {fe.end} ends on subgraph {end_id!r}, which has "
                    "no node to attach it to; the edge is left out", line=line, column=column, element=end_id)
            ok = False
            continue
        out.add("EDGE_TO_SUBGRAPH", f"edge {fe.start} -> {fe.end} ends on subgraph {end_id!r}; in the model "
                f"it ends on its first node {stand_in!r} (the Mermaid writer restores the subgraph end)",
                line=line, column=column, element=end_id)
        attrs[f"mermaid.{end_name}"] = end_id
        ends[end_name] = stand_in
    return (ends["source"], ends["target"], attrs) if ok else None


def _edge_attributes(fe: FlowEdge, style: EdgeStyle, db: FlowDB, attrs: dict[str, str]) -> None:
    if fe.type != "arrow_point" and fe.type is not None and style is not EdgeStyle.INVISIBLE:
        attrs["mermaid.arrow"] = fe.type
    if fe.length not in (None, 1):
        attrs["mermaid.length"] = str(fe.length)
    if fe.text and fe.label_type not in ("text", "string"):
        attrs["mermaid.labelType"] = fe.label_type
    if fe.style is not None:
        attrs["mermaid.linkStyle"] = ",".join(fe.style)
    if fe.interpolate is not None and fe.interpolate != db.default_interpolate:
        attrs["mermaid.curve"] = fe.interpolate
    if fe.classes:
        attrs["mermaid.class"] = " ".join(fe.classes)
    if fe.data:
        attrs["mermaid.data"] = _flow_mapping(fe.data)


def _first_nodes(diagram: Diagram, tree: _SubgraphTree) -> dict[str, str]:
    """For each subgraph, the first node (in model order) inside it or its nested subgraphs."""
    result: dict[str, str] = {}
    for node in diagram.nodes:
        for sub in tree.chain(node.id):
            if sub in result:  # and so are all the subgraphs around it
                break
            result[sub] = node.id
    return result


def _subgraph_vertex(vertex: Vertex, target: Lane | Group | None, out: Diagnostics, where: _Where) -> None:
    """A vertex named like a subgraph is the subgraph itself (`style S …`, `S --> A`)."""
    if target is None:
        return
    _common_attributes(vertex, target.attributes)
    if vertex.type is not None or (vertex.text not in (None, vertex.id)):
        line, column = where(vertex.loc)
        out.add("EDGE_TO_SUBGRAPH", f"{vertex.id!r} is a subgraph; the shape or label given to it as a node is "
                "not drawn by mermaid and is left out", line=line, column=column, element=vertex.id)


def _common_attributes(vertex: Vertex, a: dict[str, str]) -> None:
    if vertex.styles:
        a["mermaid.style"] = ",".join(vertex.styles)
    classes = [c for c in vertex.classes if not (c == "clickable" and (vertex.link or vertex.callback))]
    if classes:
        a["mermaid.class"] = " ".join(classes)
    if vertex.link is not None:
        a["mermaid.link"] = vertex.link
        if vertex.link_target:
            a["mermaid.linkTarget"] = vertex.link_target
    if vertex.callback is not None:
        a["mermaid.callback"] = vertex.callback
        if vertex.callback_args is not None:
            a["mermaid.callbackArgs"] = vertex.callback_args
    if vertex.tooltip is not None:
        a["mermaid.tooltip"] = vertex.tooltip


def _subgraph_attributes(sub: SubGraph, a: dict[str, str]) -> None:
    if sub.dir:
        a["mermaid.direction"] = sub.dir
    if sub.label_type == "markdown":
        a["mermaid.labelType"] = "markdown"
    if sub.classes:
        a["mermaid.class"] = " ".join(sub.classes)
    if sub.auto_id:
        a["mermaid.autoId"] = "true"


def _label(text: str | None) -> str | None:
    if text is None or ("<" not in text and ENTITY_OPEN not in text):  # (nothing to decode)
        return text
    return label_from_mermaid(text)


def _flow_mapping(data: dict) -> str:
    """``@{ … }`` keys other than shape/label, as a YAML flow mapping the writer puts back."""
    return yaml.safe_dump(data, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10**9).strip()[1:-1].strip()
