"""The pairing of ``tests/model_diff.py`` on the shapes that once paired wrongly (each found by
``test_every_path``'s random seed in CI): a wrong pairing reports a difference the trip did not make,
and the no-silent-loss checks then fail on a correct writer."""
from __future__ import annotations

from converters.model import Diagram, Edge, EdgeStyle, Lane, Node, NodeKind
from tests.model_diff import differences
from tests.test_every_path import failures_of


def _diagram(nodes: list[Node], edges: list[Edge]) -> Diagram:
    return Diagram(title=None, direction="TB", lanes=[Lane(id="L", label=None)], nodes=nodes, edges=edges)


def test_two_alike_branches_pair_by_their_edge_style():
    """A fork to two unlabelled nodes, one branch dotted; PlantUML writes the dotted one first."""
    before = _diagram([Node(id="s", lane="L", kind=NodeKind.TASK, label="S"),
                       Node(id="a", lane="L", kind=NodeKind.TASK, label=None),
                       Node(id="b", lane="L", kind=NodeKind.TASK, label=None)],
                      [Edge(source="s", target="a"), Edge(source="s", target="b", style=EdgeStyle.DOTTED)])
    after = _diagram([Node(id="n1", lane="L", kind=NodeKind.TASK, label="S"),
                      Node(id="n2", lane="L", kind=NodeKind.TASK, label=None),
                      Node(id="n3", lane="L", kind=NodeKind.TASK, label=None)],
                     [Edge(source="n1", target="n2", style=EdgeStyle.DOTTED), Edge(source="n1", target="n3")])
    assert [str(d) for d in differences(before, after, "plantuml")] == []


def test_a_node_whose_label_changed_does_not_take_the_partner_of_one_whose_label_stayed():
    """Two alike nodes: the first's empty label reads back as none, the second keeps its label and is
    written first; their neighbour's label changed too, so only the kind and the shape tell them apart.
    The first must not take the second's partner for being first in the model."""
    before = _diagram([Node(id="s", lane="L", kind=NodeKind.START, label="go"),
                       Node(id="a", lane="L", kind=NodeKind.EVENT, label=""),
                       Node(id="b", lane="L", kind=NodeKind.EVENT, label="kept")],
                      [Edge(source="s", target="b"), Edge(source="s", target="a")])
    after = _diagram([Node(id="n1", lane="L", kind=NodeKind.START, label=None),
                      Node(id="n2", lane="L", kind=NodeKind.EVENT, label="kept"),
                      Node(id="n3", lane="L", kind=NodeKind.EVENT, label=None)],
                     [Edge(source="n1", target="n2"), Edge(source="n1", target="n3")])
    assert [str(d) for d in differences(before, after, "plantuml")] == ["node 's': label: 'go' became None",
                                                                 "node 'a': label: '' became None"]


def test_the_example_ci_drew_closes_on_every_path():
    """CI's example (2026-11-30): Mermaid renames the nodes, PlantUML writes the long-labelled one first."""
    long = "0" * 300
    model = Diagram(title=None, direction="LR", lanes=[Lane(id="0", label=None)],
                    nodes=[Node(id="0", lane="0", kind=NodeKind.START, label=""),
                           Node(id="1", lane="0", kind=NodeKind.START, label=None),
                           Node(id=long, lane="0", kind=NodeKind.START, label=None)],
                    edges=[Edge(source="0", target="0"), Edge(source="0", target="0"), Edge(source="1", target=long),
                           Edge(source=long, target=long), Edge(source=long, target=long), Edge(source="1", target="0")])
    assert [(path, what) for path, known, what in failures_of(model) if not known] == []


def test_a_branch_whose_edge_label_changed_still_pairs_by_its_edge_style():
    """CI's example (2026-11-30, seed 11): a fork to two unlabelled nodes, one branch hidden with an
    empty label (read back as none); the start kinds become actions. Only the hidden branch's style
    tells the two apart once labels and kinds differ."""
    model = Diagram(title=None, direction="LR", lanes=[Lane(id="0", label=None)],
                    nodes=[Node(id=name, lane="0", kind=NodeKind.START, label=None) for name in ("a", "b", "z", "0", "l")],
                    edges=[Edge(source="l", target="b"), Edge(source="z", target="0"),
                           Edge(source="l", target="a", label="", style=EdgeStyle.INVISIBLE), Edge(source="0", target="l")])
    assert [(path, what) for path, known, what in failures_of(model) if not known] == []
