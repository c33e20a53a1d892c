"""Hypothesis strategies shared by every format's property tests.

``any_models()`` draws any valid model, with ``hostile_texts`` in every text field: control
characters (C0, C1, DEL), CR/LF mixes, quotes, backslashes, ``#``, braces, arrows, markup, XML
and Mermaid entity look-alikes, unicode beyond the BMP, lone surrogates excluded (a ``str`` the
model may hold but no encoding can carry: the readers reject them, see issue 11), empty and long.
Writers must escape or encode all of it, or report what they could not carry.
"""
from __future__ import annotations

from hypothesis import strategies as st

from converters.model import Diagram, Edge, EdgeStyle, Group, GroupKind, Lane, Node, NodeKind, Side
from converters.model.diagram import DIRECTIONS

identifiers = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,7}", fullmatch=True)

# Fragments that broke writers before, or that a format gives meaning to.
TRAPS = [
    "\r", "\n", "\r\n", "\t", "\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u2028", "\u2029",
    "\ufeff", "\ufffe", "\uffff", '"', "'", "\\", "\\n", "#", "#35;", "#1;", "&#13;", "&#x85;", "&amp;",
    "{", "}", "[", "]", "(", ")", "|", ";", ":", "->", "-->", "==>", "<b>", "</b>", "<br/>", "%%", "%%{init",
    "end", "@enduml", "@startuml", "]]>", "<!--", "`", "**", "é", "漢字", "🙂", " ", "  ",
]

texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from('\n\t"\\'), max_size=16)
hostile_texts = st.one_of(
    st.just(""),
    st.lists(st.sampled_from(TRAPS) | texts, max_size=6).map("".join),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=24),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=300, max_size=600),
)
one_line = texts.map(lambda s: s.replace("\n", " ").strip()).filter(bool)
sides = st.sampled_from(list(Side))
ATTRIBUTE_KEYS = ["owner", "description", "mermaid.shape", "bpmn.type", "plantuml.arrow", "x"]


@st.composite
def any_models(draw, text=hostile_texts, max_nodes: int = 10) -> Diagram:
    """Any valid model: every field, every kind, style and group kind, namespaced attributes,
    nested groups, and ``text`` in every text field (ids included)."""
    lane_ids = draw(st.lists(text.filter(bool), min_size=1, max_size=4, unique=True))
    attributes = st.dictionaries(st.sampled_from(ATTRIBUTE_KEYS), text, max_size=2)
    lanes = [Lane(i, draw(st.none() | text), draw(attributes)) for i in lane_ids]
    node_ids = draw(st.lists(text.filter(bool), max_size=max_nodes, unique=True))
    nodes = [
        Node(node_id, draw(st.sampled_from(lane_ids)), draw(st.sampled_from(list(NodeKind))),
             draw(st.none() | text), draw(st.none() | identifiers), draw(attributes))
        for node_id in node_ids
    ]
    edges = []
    if node_ids:
        for k in range(draw(st.integers(0, 12))):
            edges.append(Edge(draw(st.sampled_from(node_ids)), draw(st.sampled_from(node_ids)), draw(st.none() | text),
                              draw(st.none() | sides), draw(st.none() | sides), draw(st.sampled_from(list(EdgeStyle))),
                              draw(st.none() | st.just(f"e{k}")), draw(attributes)))
    groups: list[Group] = []
    for k in range(draw(st.integers(0, 3)) if node_ids else 0):
        parent = draw(st.none() | st.sampled_from([g.id for g in groups])) if groups else None
        groups.append(Group(f"g{k}", draw(st.sampled_from(list(GroupKind))), draw(st.none() | text),
                            draw(st.lists(st.sampled_from(node_ids), max_size=4, unique=True)),
                            draw(st.none() | st.sampled_from(lane_ids)), parent, draw(attributes)))
    return Diagram(draw(st.none() | text), draw(st.sampled_from(DIRECTIONS)), lanes, nodes, edges, groups,
                   draw(attributes))


# Colours as PlantUML writes them: names it knows (any case), hex of every length it takes or not,
# gradients, line/text parts, and garbage (the writer must write only what PlantUML draws).
plantuml_colours = st.sampled_from([
    "#red", "#Red", "#LightBlue", "#FF0000", "#f00", "#1", "#aabbccdd", "#red/blue", "#red-blue",
    "#red;line:blue", "#red;line.dashed;text:green", "#zzz", "#abcd", "#red/zzz", "#red;foo", "red", "#",
    "##red", "#red>>", "#red<<x", "#transparent", "#red\\blue", "#red|blue",
]) | hostile_texts


@st.composite
def coloured_models(draw, max_nodes: int = 10) -> Diagram:
    """``any_models`` whose nodes, lanes and groups carry ``plantuml.color`` (about half of them)."""
    model = draw(any_models(max_nodes=max_nodes))
    for element in [*model.nodes, *model.lanes, *model.groups]:
        if draw(st.booleans()):
            element.attributes = {**element.attributes, "plantuml.color": draw(plantuml_colours)}
    return model
