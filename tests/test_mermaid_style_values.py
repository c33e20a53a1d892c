"""Style values (``classDef``, ``style``, ``linkStyle``) that reach the Mermaid writer from any source
(a YAML file, a hand-edited attribute): each one is either written so that mermaid's own parser
takes it and our reader reads it back unchanged, or reported as dropped — never written as text
mermaid refuses (found by tests/test_fuzz_corpus.py: ``fill{…`` from a YAML ``mermaid.classDef``)."""
from __future__ import annotations

import string

import pytest

from converters import read_with_diagnostics, write_with_diagnostics
from converters.model import Diagram, Edge, Lane, Node, NodeKind
from tests.conftest import require_tool
from tests.oracles.mermaid_oracle import available, mermaid_oracle

CHARACTERS = [c for c in string.printable if c not in "\n\r\x0b\x0c;"] + ["é", "漢", "\u00a0"]
PLACES = {
    "classDef": lambda v: ({"mermaid.classDef.hot": v}, {"mermaid.class": "hot"}, {}),
    "style": lambda v: ({}, {"mermaid.style": v}, {}),
    "linkStyle": lambda v: ({}, {}, {"mermaid.linkStyle": v}),
}


@pytest.fixture(scope="module")
def oracle():
    require_tool("mermaid's parser (node + npm mermaid + jsdom)", available(), "bash tests/oracles/mermaid/install.sh")
    return mermaid_oracle()


def model(place: str, value: str) -> Diagram:
    diagram_attributes, node_attributes, edge_attributes = PLACES[place](value)
    return Diagram(lanes=[Lane("L")], nodes=[Node("a", "L", NodeKind.TASK, "A", attributes=node_attributes),
                                             Node("b", "L", NodeKind.TASK, "B")],
                   edges=[Edge("a", "b", attributes=edge_attributes)], attributes=diagram_attributes)


@pytest.mark.parametrize("place", PLACES)
def test_every_character_is_written_as_mermaid_takes_it_or_reported(place, oracle):
    for character in CHARACTERS:
        value = f"fill:#f9{character}6,stroke:#333"
        text, diagnostics = write_with_diagnostics(model(place, value), "mermaid")
        seen = oracle.parse(text)
        assert seen.get("ok"), (repr(character), place, seen.get("error"), text)
        if value in text:
            back = read_with_diagnostics(text, "mermaid").diagram
            kept = {**back.attributes, **back.nodes[0].attributes, **back.edges[0].attributes}
            assert value in kept.values(), (repr(character), place, text)
        else:
            key = next(iter(k for part in PLACES[place](value) for k in part if k != "mermaid.class"))
            assert any(d.code == "DROPPED_ATTRIBUTE" and key in d.message for d in diagnostics), \
                (repr(character), place, diagnostics)
