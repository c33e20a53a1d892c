"""The YAML reader drops each item of the document's lists from PyYAML's tree once it has made
its element (issue 13: the tree of 50,000 nodes, freed whole at the end, was a last pass over all
of it), unless the text has an alias: then a list may be read again through it. Either way the
model and the diagnostics must be those of a reading that keeps the whole tree."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from converters.yaml import reader, writer
from tests.strategies import any_models


def _keeping(items: list, drop: bool):
    yield from enumerate(items)


def keeping_the_tree(text: str, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(reader, "_one_by_one", _keeping)
        return reader.read(text)


def assert_same(text: str, monkeypatch) -> None:
    model, found = reader.read(text)
    kept_model, kept_found = keeping_the_tree(text, monkeypatch)
    assert model == kept_model
    assert [(d.code, d.message, d.line, d.column, d.element) for d in found] == \
        [(d.code, d.message, d.line, d.column, d.element) for d in kept_found]


ALIASED = [
    # the node list read again as a group's members (every member an error, at its place)
    "flowzap_model: 1\nlanes: [{id: L}]\nnodes: &n\n- {id: a, lane: L}\n- {id: b, lane: L}\n"
    "groups:\n- {id: g, members: *n}\n",
    # one list as two sections
    "flowzap_model: 1\nlanes: &l\n- {id: L}\nnodes: *l\n",
    # an item read twice
    "flowzap_model: 1\nlanes: [{id: L}]\nnodes:\n- &a {id: a, lane: L}\n- *a\nedges:\n- {source: a, target: a}\n",
    # an alias of a scalar, and a star in a label (no alias)
    "flowzap_model: 1\nlanes: [{id: &x L}]\nnodes:\n- {id: a, lane: *x, label: '**bold**'}\n",
    "flowzap_model: 1\nlanes: [{id: L, label: '*'}]\nnodes:\n- {id: a, lane: L}\n- {id: a, lane: M, kind: nope}\n",
    # problems in every list, no alias
    "flowzap_model: 1\nlanes: [{id: L}, {idd: M}, 3]\nnodes:\n- {id: a, lane: L, extra: 1}\n- [x]\n"
    "edges:\n- {source: a}\n- {source: a, target: zz}\ngroups:\n- {id: g, members: [a, q], parent: g}\n",
]


@pytest.mark.parametrize("text", ALIASED)
def test_the_same_model_and_diagnostics_as_with_the_whole_tree(text, monkeypatch):
    assert_same(text, monkeypatch)


def test_the_members_read_through_an_alias_of_the_node_list_are_refused_at_their_place(monkeypatch):
    _, found = reader.read(ALIASED[0])
    assert [(d.code, d.line) for d in found if "members" in d.message] == [("INVALID_VALUE", 4), ("INVALID_VALUE", 5)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(any_models(max_nodes=12))
def test_the_same_model_as_with_the_whole_tree_on_any_model(monkeypatch, model):
    assert_same(writer.write(model, {})[0], monkeypatch)
