"""What Mermaid has no place for, carried in ``%%`` comments (writer option ``extras=comments``).

Mermaid ignores every line that starts with ``%%`` (``%%{`` excepted: that is a directive). The
writer puts one ``%% flowzap {…}`` line per element that keeps something Mermaid cannot say —
edge sides, loops and other groups, node kinds Mermaid draws with a nearer shape, owners and other
attributes — and the reader applies them back, so FlowZap → Mermaid → FlowZap loses nothing:

    %% flowzap {"node":"n5","kind":"user_task","attributes":{"owner":"Ops"}}
    %% flowzap {"edge":["n1","n2",0],"sides":["right","left"]}
    %% flowzap {"group":"loop1","kind":"loop","label":"retry","members":["n2","n7"],"lane":"User"}
    %% flowzap {"lane":"User","attributes":{"color":"blue"}}
    %% flowzap {"diagram":{"attributes":{"bpmn.id":"Definitions_1"}}}
    %% flowzap {"order":["n1","n3","n2"]}

An edge is named by its ends and its rank among the edges with the same ends (0 for the first).
``"text": true`` says that an element's label, which looks like HTML, is plain text (the reader
would otherwise take its tags as Mermaid markup, ``escape.mark_markup``).
Other comments are kept, in order, in the diagram attribute ``mermaid.comments``.
"""
from __future__ import annotations

import json

from ..model import Diagram, Group, NodeKind, Side
from .escape import mark_markup
from .shapes import KIND_SHAPE

PREFIX = "flowzap "


def line(payload: dict) -> str:
    # "<" as \u003c: mermaid rewrites <word …="…"> spans of the whole text, comments included
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return "%% " + PREFIX + text


def apply(diagram: Diagram, comments: list[tuple[int, str]]) -> None:
    """The reader's last step: the comments, then which labels hold Mermaid markup (``escape.mark_markup``;
    the reader calls this for every diagram it reads)."""
    plain = _apply_comments(diagram, comments)
    if diagram.attributes.get("diagram") != "sequence":  # the sequence reader marks from the raw text
        mark_markup(diagram, plain)


def _apply_comments(diagram: Diagram, comments: list[tuple[int, str]]) -> set[int]:
    """Applies the comments; returns ``id()`` of the elements a comment says hold plain text."""
    plain: list[str] = []
    extras: list[dict] = []
    for _line, text in comments:
        body = text.strip()
        if body.startswith(PREFIX.strip()) and body[len(PREFIX.strip()):].lstrip().startswith("{"):
            try:
                payload = json.loads(body[len(PREFIX.strip()):].strip())
            except ValueError:
                plain.append(text)
                continue
            if isinstance(payload, dict):
                extras.append(payload)
                continue
        plain.append(text)
    if plain:
        diagram.attributes["mermaid.comments"] = "\n".join(plain)
    return _apply_extras(diagram, extras) if extras else set()


def _apply_extras(diagram: Diagram, extras: list[dict]) -> set[int]:
    nodes = diagram.node_by_id()
    lanes = diagram.lane_by_id()
    ranked: dict[tuple[str, str], list] = {}
    for edge in diagram.edges:
        ranked.setdefault((edge.source, edge.target), []).append(edge)
    plain: set[int] = set()
    groups = {g.id: g for g in diagram.groups}
    for extra in extras:
        element = _element(extra, nodes, lanes, groups, ranked)
        if element is not None and extra.get("text") is True:
            plain.add(id(element))
        attributes = extra.get("attributes")
        attributes = {str(k): str(v) for k, v in attributes.items()} if isinstance(attributes, dict) else {}
        if "node" in extra:
            node = nodes.get(str(extra["node"]))
            if node is None:
                continue
            kind = extra.get("kind")
            if kind in NodeKind._value2member_map_:
                node.kind = NodeKind(kind)
                if node.attributes.get("mermaid.shape") == KIND_SHAPE[node.kind]:
                    del node.attributes["mermaid.shape"]  # the shape the writer draws this kind with
            if "label" in extra:
                node.label = None if extra["label"] is None else str(extra["label"])
            node.attributes.update(attributes)
        elif "edge" in extra:
            ref = extra["edge"]
            if not (isinstance(ref, list) and len(ref) == 3):
                continue
            candidates = ranked.get((str(ref[0]), str(ref[1])), [])
            if not isinstance(ref[2], int) or not 0 <= ref[2] < len(candidates):
                continue
            edge = candidates[ref[2]]
            sides = extra.get("sides")
            if isinstance(sides, list) and len(sides) == 2:
                edge.source_side = Side(sides[0]) if sides[0] in Side._value2member_map_ else None
                edge.target_side = Side(sides[1]) if sides[1] in Side._value2member_map_ else None
            if "id" in extra and extra["id"] is not None:
                edge.id = str(extra["id"])
            if isinstance(extra.get("label"), str):
                edge.label = extra["label"]
            edge.attributes.update(attributes)
        elif "group" in extra and any(g.id == str(extra["group"]) for g in diagram.groups):
            group = next(g for g in diagram.groups if g.id == str(extra["group"]))
            group.attributes.update(attributes)
        elif "group" in extra:
            members = [str(m) for m in extra.get("members", []) if str(m) in nodes]
            lane = extra.get("lane")
            group = Group(str(extra["group"]), str(extra.get("kind", "group")),
                          None if extra.get("label") is None else str(extra["label"]), members,
                          lane=str(lane) if lane in lanes else None,
                          parent=None if extra.get("parent") is None else str(extra["parent"]),
                          attributes=attributes)
            if all(g.id != group.id for g in diagram.groups):
                diagram.groups.append(group)
        elif "lane" in extra:
            lane = lanes.get(str(extra["lane"]))
            if lane is not None:
                lane.attributes.update(attributes)
        elif "diagram" in extra and isinstance(extra["diagram"], dict):
            inner = extra["diagram"].get("attributes")
            if isinstance(inner, dict):
                diagram.attributes.update({str(k): str(v) for k, v in inner.items()})
    known_groups = {g.id for g in diagram.groups}
    for group in diagram.groups:
        if group.parent is not None and group.parent not in known_groups:
            group.parent = None
    orders = [extra["order"] for extra in extras if isinstance(extra.get("order"), list)]
    if orders:
        _reorder(diagram, [str(i) for i in orders[-1]])
    return plain


def _reorder(diagram: Diagram, order: list[str]) -> None:
    """The model's node order as the writer listed it (blocks declare nodes lane by lane); nodes
    it does not list keep their place after the listed ones."""
    rank = {node_id: i for i, node_id in enumerate(order)}
    diagram.nodes.sort(key=lambda n: rank.get(n.id, len(rank)))


def _element(extra: dict, nodes: dict, lanes: dict, groups: dict, ranked: dict):
    """The element an extras comment names, if it exists."""
    if "node" in extra:
        return nodes.get(str(extra["node"]))
    if "edge" in extra:
        ref = extra["edge"]
        if isinstance(ref, list) and len(ref) == 3 and isinstance(ref[2], int):
            candidates = ranked.get((str(ref[0]), str(ref[1])), [])
            return candidates[ref[2]] if 0 <= ref[2] < len(candidates) else None
        return None
    if "group" in extra:
        return groups.get(str(extra["group"]))
    if "lane" in extra:
        return lanes.get(str(extra["lane"]))
    return None
