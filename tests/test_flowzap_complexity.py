"""Linear time on any input (issue 11), for FlowZap Code and YAML, reading and writing.

Each family builds a pathological input of size n; ``assert_linear`` checks that 10 n costs at
most 12 times as much. The families are the inputs that were super-linear before (edge attributes
that made the scanner backtrack exponentially, lazy decoders over runs of spaces, "did you mean"
against every node) and the other shapes an attacker or a careless generator produces: long
lines, repeated tokens, many attributes, unknown references, comments, blank lines, unclosed
lanes, deep structures.
"""
from __future__ import annotations

import time

import pytest

from converters import FlowzapError, read_with_diagnostics, write_with_diagnostics
from converters.model import Diagram, Edge, Group, GroupKind, Lane, Node, NodeKind
from tests.complexity import assert_linear

# The 239-byte request of issue 11: 40 attributes and no closing bracket.
ISSUE_11 = 'L { # l\na: circle\nb: circle\na -> b [' + 'x:"" ' * 40 + '\n}\n'


def read_any(fmt: str):
    def run(text: str):
        try:
            return read_with_diagnostics(text, fmt)
        except FlowzapError as error:  # a rejection is an answer too; its time counts
            return error
    return run


def test_the_239_byte_request_returns_at_once():
    assert len(ISSUE_11.encode()) == 239
    started = time.perf_counter()
    result = read_any("flowzap")(ISSUE_11)
    assert time.perf_counter() - started < 0.1
    assert isinstance(result, FlowzapError) and result.code == "SYNTAX_ERROR"


def test_edge_attribute_repeats_do_not_backtrack():
    for repeats in (40, 400, 4000):
        for separator in (" ", ", ", " , ", "\t", ""):
            text = 'L { # l\na: circle\nb: circle\na -> b [' + f'x:""{separator}' * repeats + '\n}\n'
            started = time.perf_counter()
            read_any("flowzap")(text)
            assert time.perf_counter() - started < 0.5, (repeats, separator)


def _lane(body: str) -> str:
    return "L { # l\n" + body + "}\n"


FLOWZAP_FAMILIES = {
    "edge attributes, unclosed": lambda n: _lane('a: circle\nb: circle\na -> b [' + 'x:"" ' * n + '\n'),
    "edge attributes, closed": lambda n: _lane('a: circle\nb: circle\na -> b [' + 'x:"", ' * n + 'y:""]\n'),
    "node attributes, bad end": lambda n: _lane('a: circle' + ' x:""' * n + ' !\n'),
    "spaces inside a label": lambda n: _lane('a: circle label:"' + ' ' * (20 * n) + 'x"\n'),
    "spaces inside an unclosed label": lambda n: _lane('a: circle label:"' + ' ' * (20 * n) + 'x\n'),
    "spaces inside a lane label": lambda n: "L { # a" + " " * (20 * n) + "x\na: circle\n}\n",
    "spaces before junk": lambda n: _lane('a: circle\nb: circle\na -> b' + ' ' * (20 * n) + 'x\n'),
    "long identifier": lambda n: _lane('a' * (20 * n) + '\n'),
    "long identifiers around a colon": lambda n: _lane('a' * (10 * n) + ' : ' + 'b' * (10 * n) + ' x\n'),
    "escaped quotes, unclosed": lambda n: _lane('a: circle label:"' + '\\"' * (5 * n) + '\n'),
    "long edge label": lambda n: _lane('a: circle\nb: circle\na -> b [label="' + 'a= ' * (5 * n) + '"]\n'),
    "chained arrows": lambda n: _lane('a -> ' * (5 * n) + '\n'),
    "dotted references": lambda n: _lane('a.' * (5 * n) + 'b -> c\n'),
    "loop members, bad end": lambda n: _lane('loop [x]' + ' a' * (5 * n) + ' !\n'),
    "unclosed loop bracket": lambda n: _lane('loop [' + 'x' * (20 * n) + '\n'),
    "many unknown references": lambda n: _lane(
        ''.join(f'n{i}: circle\n' for i in range(n)) + ''.join(f'm{i} -> x{i}\n' for i in range(n))),
    "many unknown shapes": lambda n: _lane(''.join(f'n{i}: blob\n' for i in range(n))),
    "many bad lines": lambda n: _lane('!!\n' * n),
    "many comments": lambda n: '// c\n' * (5 * n) + _lane('a: circle\n'),
    "many hash lines": lambda n: _lane('# c\n' * (5 * n)),
    "blank lines": lambda n: '\n' * (50 * n) + _lane('a: circle\n'),
    "lines of spaces": lambda n: '   \n' * (20 * n) + _lane('a: circle\n'),
    "unclosed lanes": lambda n: 'L {\n' * n,
    "many lanes": lambda n: ''.join(f'L{i} {{ # l\nn{i}: circle\n}}\n' for i in range(n)),
    "a long chain": lambda n: _lane(''.join(f'n{i}: rectangle\n' for i in range(1, n + 1))
                                    + ''.join(f'n{i} -> n{i + 1}\n' for i in range(1, n))),
}


@pytest.mark.parametrize("family", list(FLOWZAP_FAMILIES))
def test_flowzap_reading_is_linear(family):
    assert_linear(FLOWZAP_FAMILIES[family], read_any("flowzap"), 300, label=family)


def test_comments_do_not_make_a_diagnostic_each():
    result = read_with_diagnostics('// c\n' * 20_000 + _lane('a: circle\n'), "flowzap")
    comments = [d for d in result.diagnostics if d.code == "LINE_COMMENT"]
    assert len(comments) == 101
    assert "19900 more LINE_COMMENT" in comments[-1].message and "lines 101–20000" in comments[-1].message


def _chain(n: int, label: str = "step", lanes: int = 3) -> Diagram:
    diagram = Diagram(lanes=[Lane(f"L{k}", f"Lane {k}") for k in range(lanes)])
    for i in range(n):
        diagram.nodes.append(Node(f"v{i}", f"L{i % lanes}", NodeKind.TASK, f"{label} {i}", attributes={"owner": label}))
    for i in range(n - 1):
        diagram.edges.append(Edge(f"v{i}", f"v{i + 1}", label))
    for i in range(0, n - 1, 10):
        diagram.groups.append(Group(f"g{i}", GroupKind.LOOP, label, [f"v{i}", f"v{i + 1}"]))
    return diagram


MODEL_FAMILIES = {
    "a long chain": lambda n: _chain(n),
    "hostile labels": lambda n: _chain(n, 'a "quoted" \\ back\\slash # { } -> \r\n\t\x01 é 漢 🙂 ]'),
    "one huge label": lambda n: Diagram(lanes=[Lane("L", " " * (50 * n))],
                                        nodes=[Node("a", "L", label='"\\' * (50 * n))]),
    "many lanes": lambda n: Diagram(lanes=[Lane(f"lane {i}", "Same") for i in range(n)],
                                    nodes=[Node(f"v{i}", f"lane {i}") for i in range(n)]),
    "nested groups": lambda n: Diagram(lanes=[Lane("L")], nodes=[Node("a", "L")], groups=[
        Group(f"g{i}", GroupKind.SUBGRAPH, "x", ["a"], parent=f"g{i - 1}" if i else None) for i in range(n)]),
    "many edge attributes": lambda n: Diagram(lanes=[Lane("L")], nodes=[Node("a", "L")], edges=[
        Edge("a", "a", attributes={f"k{i}": "v" for i in range(n)})]),
}


def write_any(fmt: str):
    def run(model: Diagram):
        try:
            return write_with_diagnostics(model, fmt, max_depth=None)
        except FlowzapError as error:
            return error
    return run


@pytest.mark.parametrize("fmt", ["flowzap", "yaml"])
@pytest.mark.parametrize("family", list(MODEL_FAMILIES))
def test_writing_is_linear(fmt, family):
    assert_linear(MODEL_FAMILIES[family], write_any(fmt), 300, label=f"{fmt}: {family}")


def _yaml_of(model: Diagram) -> str:
    return write_with_diagnostics(model, "yaml", max_depth=None)[0]


YAML_FAMILIES = {
    "a long chain": lambda n: _yaml_of(_chain(n)),
    "hostile labels": lambda n: _yaml_of(_chain(n, 'a "quoted" \\ # { } -> \r\n\t\x01 é 漢 🙂 ]')),
    "many unknown fields": lambda n: "flowzap_model: 1\nlanes:\n- id: L\n" + "".join(f"  lable{i}: x\n" for i in range(n)),
    "many duplicate keys": lambda n: "flowzap_model: 1\nlanes:\n- id: L\n" + "  label: x\n" * n,
    "many dangling references": lambda n: "flowzap_model: 1\nlanes:\n- id: L\nnodes:\n"
                                          + "".join(f"- id: n{i}\n  lane: M{i}\n" for i in range(n)),
    "deep flow nesting": lambda n: "flowzap_model: 1\nattributes: " + "[" * min(n, 900) + "]" * min(n, 900) + "\n"
                                   + "title: " + "x" * n + "\n",
    "long scalar": lambda n: "flowzap_model: 1\ntitle: '" + "a' '" * (20 * n) + "'\n",
    "comments": lambda n: "# c\n" * (20 * n) + "flowzap_model: 1\n",
    "blank lines": lambda n: "\n" * (50 * n) + "flowzap_model: 1\n",
}


@pytest.mark.parametrize("family", list(YAML_FAMILIES))
def test_yaml_reading_is_linear(family):
    assert_linear(YAML_FAMILIES[family], read_any("yaml"), 300, label=family)
