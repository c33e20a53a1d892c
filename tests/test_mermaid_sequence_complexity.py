"""Linear time (issue 11) for the Mermaid writers and the sequence reader's model building.

Each family is timed at n and 10 n (``tests/complexity.py``). The sequence reader is timed after
preprocessing (``preprocess.py``, which is timed by its own suite), so that these tests measure
the grammar actions and the model building of ``sequence.py``. Each run pauses the cyclic garbage
collector as the API does for large inputs (``converters/gcpause.py``: its rescans of a growing
heap are the one super-linear cost left, and not this code's)."""
from __future__ import annotations

import pytest

from converters import limits
from converters.diagnostics import Diagnostics
from converters.gcpause import LARGE_INPUT, gc_paused
from converters.mermaid import sequence
from converters.mermaid.flow_writer import FlowchartWriter
from converters.mermaid.preprocess import preprocess
from converters.mermaid.sequence_writer import SequenceWriter
from converters.model import Diagram, Edge, Group, GroupKind, Lane, Node, NodeKind
from tests.complexity import assert_linear


def _nested_subgraphs(n: int) -> Diagram:
    d = Diagram(lanes=[Lane("L", "lane")])
    for i in range(n):
        d.nodes.append(Node(f"n{i}", "L", label=f"node {i}"))
        d.groups.append(Group(f"g{i}", GroupKind.SUBGRAPH, f"G{i}", [f"n{i}"], lane="L",
                              parent=f"g{i - 1}" if i else None))
    return d


def _flow_text(d: Diagram) -> str:
    with gc_paused(LARGE_INPUT):
        return FlowchartWriter(d, keep=False, swimlane=False).write()[0]


def _sequence_text(d: Diagram) -> str:
    with gc_paused(LARGE_INPUT):
        return SequenceWriter(d, keep=False).write()[0]


def _read_sequence_model(pre):
    with gc_paused(LARGE_INPUT), limits.applied(limits.Limits(max_depth=None)):  # (any depth: the limit is not timed)
        return sequence.read(pre, Diagnostics())


def test_nested_subgraphs_are_written_in_linear_time_and_size():
    assert_linear(_nested_subgraphs, _flow_text, 1000, label="nested subgraphs")
    small, large = len(_flow_text(_nested_subgraphs(90))), len(_flow_text(_nested_subgraphs(900)))
    assert large <= 12 * small, f"900 levels: {large} bytes, 90 levels: {small} bytes"


def _sequence_model(n: int) -> Diagram:
    """n messages between two participants, a note after each tenth, a loop around each ten
    messages, and n/10 loops nested around the last message."""
    d = Diagram(lanes=[Lane("A"), Lane("B")], attributes={"diagram": "sequence"})
    d.nodes.append(Node("A_start", "A", NodeKind.START, "A"))
    last = {"A": "A_start"}
    for i in range(n):
        source, target = ("A", "B") if i % 2 == 0 else ("B", "A")
        d.nodes.append(Node(f"m{i}", target, NodeKind.TASK, f"message {i}"))
        d.edges.append(Edge(last[source], f"m{i}", f"message {i}"))
        last[target] = f"m{i}"
        if i % 10 == 0:
            d.nodes.append(Node(f"note{i}", source, NodeKind.NOTE, f"note {i}"))
            d.groups.append(Group(f"round{i}", GroupKind.LOOP, f"round {i}", []))
        d.groups[-1].members.append(f"m{i}")
    d.groups.extend(Group(f"deep{k}", GroupKind.OPT, f"d{k}", [f"m{n - 1}"], parent=f"deep{k - 1}" if k else None)
                    for k in range(n // 10))
    return d


def test_sequences_are_written_in_linear_time():
    assert_linear(_sequence_model, _sequence_text, 200,
                  label="messages, notes, nested loops")


@pytest.mark.parametrize("family", ["nested loops", "messages", "long participant line", "alt sections"])
def test_the_sequence_reader_builds_its_model_in_linear_time(family):
    builders = {
        "nested loops": lambda n: "sequenceDiagram\n" + "loop x\n" * n + "A->>B: hi\n" + "end\n" * n,
        "messages": lambda n: "sequenceDiagram\n" + "A->>B: hi\nB-->>A: ok\nNote over A,B: n\n" * n,
        "long participant line": lambda n: "sequenceDiagram\nparticipant A as Alice" + " x" * n + "\nA->>B: x\n",
        "alt sections": lambda n: "sequenceDiagram\nalt a\nA->>B: x\n" + "else b\nB->>A: y\n" * n + "end\n",
    }
    pre_built = {}

    def build(n):
        pre_built[n] = preprocess(builders[family](n))
        return pre_built[n]

    assert_linear(build, _read_sequence_model, 300, label=family)
