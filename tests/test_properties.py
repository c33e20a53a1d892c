"""Round-trip properties and robustness, with hypothesis.

- Random valid models (``tests/strategies.py``, hostile text in every field) survive YAML exactly.
- Random FlowZap-expressible models survive FlowZap up to the renumbering of ids.
- Random text, and corpus files with random mutations, never raise anything but the library's
  own error type, whatever reader they are given to.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converters import FlowzapError, read, read_with_diagnostics, write
from converters.flowzap.syntax import SHAPE_KIND
from converters.model import Diagram, Edge, Group, GroupKind, Lane, Node, Side
from converters.model.diagram import infer_event_kinds
from converters.registry import all_formats
from tests.strategies import any_models

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

identifiers = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,7}", fullmatch=True)
# Any text but surrogates and raw control characters, plus the characters that need escaping.
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from('\n\t"\\'), max_size=16)
one_line = texts.map(lambda s: s.replace("\n", " ").strip()).filter(bool)
sides = st.sampled_from(list(Side))


@SETTINGS
@given(any_models())
def test_random_models_survive_yaml_exactly(model):
    assert read(write(model, "yaml"), "yaml") == model


@st.composite
def flowzap_models(draw) -> Diagram:
    """Models FlowZap can carry whole: its four shapes, plain attributes, sides on every edge, loops."""
    lane_ids = draw(st.lists(identifiers, min_size=1, max_size=4, unique=True))
    lanes = [Lane(i, draw(one_line)) for i in lane_ids]
    keys = st.sampled_from(["owner", "description", "system", "priority"])
    nodes = []
    for k in range(draw(st.integers(1, 10))):
        shape = draw(st.sampled_from(sorted(SHAPE_KIND)))
        nodes.append(Node(f"id{k}", draw(st.sampled_from(lane_ids)), SHAPE_KIND[shape], draw(st.none() | texts),
                          shape, draw(st.dictionaries(keys, texts, max_size=3))))
    ids = [n.id for n in nodes]
    edges = [
        Edge(draw(st.sampled_from(ids)), draw(st.sampled_from(ids)), draw(st.none() | texts), draw(sides), draw(sides))
        for _ in range(draw(st.integers(0, 12)))
    ]
    conditions = texts.map(lambda s: s.replace("]", "").replace("\n", " ").strip() or None)
    groups = []
    if len(ids) >= 2:
        for k in range(draw(st.integers(0, 2))):
            groups.append(Group(f"g{k}", GroupKind.LOOP, draw(conditions),
                                draw(st.lists(st.sampled_from(ids), min_size=2, max_size=4, unique=True)),
                                draw(st.sampled_from(lane_ids))))
    diagram = Diagram(lanes=lanes, nodes=nodes, edges=edges, groups=groups)
    infer_event_kinds(diagram)
    return diagram


def renumbered(diagram: Diagram) -> Diagram:
    """The same diagram in FlowZap's canonical order: nodes n1…nN in model order, edges grouped by
    their source's lane, loops by their lane."""
    lane_index = {lane.id: i for i, lane in enumerate(diagram.lanes)}
    nodes = diagram.nodes
    new = {n.id: f"n{i + 1}" for i, n in enumerate(nodes)}
    lane_of = {n.id: n.lane for n in nodes}
    edges = sorted(diagram.edges, key=lambda e: lane_index[lane_of[e.source]])
    groups = sorted(diagram.groups, key=lambda g: lane_index[g.lane])
    return Diagram(
        diagram.title, diagram.direction, diagram.lanes,
        [replace(n, id=new[n.id], shape=None) for n in nodes],
        [replace(e, source=new[e.source], target=new[e.target]) for e in edges],
        [replace(g, id=f"loop{i + 1}", members=[new[m] for m in g.members]) for i, g in enumerate(groups)],
        diagram.attributes,
    )


@SETTINGS
@given(flowzap_models())
def test_flowzap_models_survive_flowzap_up_to_renumbering(model):
    diagnostics = []
    text = write(model, "flowzap", diagnostics=diagnostics)
    assert diagnostics == []
    assert renumbered(read(text, "flowzap")) == renumbered(model)
    assert write(read(text, "flowzap"), "flowzap") == text  # the canonical form is a fixed point


READABLE = [f.name for f in all_formats() if f.can_read]
CORPUS = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent / "data" / "flowzap").glob("*.fz"))]


def only_library_errors(text, fmt: str) -> None:
    try:
        read_with_diagnostics(text, fmt)
    except FlowzapError as error:
        for diagnostic in error.diagnostics:
            assert diagnostic.line is None or diagnostic.line >= 1
            assert diagnostic.column is None or diagnostic.column >= 1


@SETTINGS
@given(st.sampled_from(READABLE), st.text(max_size=300) | st.binary(max_size=300))
def test_random_text_raises_only_library_errors(fmt, text):
    only_library_errors(text, fmt)


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        elif action == "insert":
            text = text[:at] + draw(st.sampled_from(list('{}[]()":.#/->\n \\') + ["loop", "handle(", "n1", "\x00"])) + text[at:]
        else:
            text = text[:at] + text[max(0, at - 30):at] + text[at:]
    return text


@SETTINGS
@given(st.sampled_from(READABLE), mutated())
def test_mutated_corpus_files_raise_only_library_errors(fmt, text):
    only_library_errors(text, fmt)
