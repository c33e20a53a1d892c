"""BPMN → FlowZap → BPMN over the whole BPMN corpus: every flow node, flow, lane and name survives.

FlowZap has four shapes and no pools, so types change on the way (a service task comes back a
task, a message flow a sequence flow between lanes, a boundary event an intermediate event with a
flow from its host, a data object or an annotation a task): what is checked is that nothing is
lost. The table of the last run is in docs/bpmn.md; print it with

    .venv/bin/python -m tests.test_bpmn_corpus
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from converters import read, write
from converters.bpmn.extensions import META
from converters.bpmn.vocabulary import FLOW_NODES, MODEL_NS

from .conftest import CORPUS

CORPUS = CORPUS / "bpmn"
_M = f"{{{MODEL_NS}}}"


@dataclass
class Counts:
    flow_nodes: int
    flows: int
    lanes: int
    names: Counter


def _synthetic(element) -> bool:
    extension = element.find(f"{_M}extensionElements")
    if extension is None:
        return False
    meta = extension.find(META)
    return meta is not None and meta.get("synthetic") == "true"


def _name(text: str | None) -> str | None:
    return re.sub(r"\s+", " ", text).strip() if text and text.strip() else None


def counts(text: str, lanes: int) -> Counts:
    # lstrip: one corpus file has a blank line before its XML declaration (libxml2 refuses it)
    root = etree.fromstring(text.lstrip().encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    nodes = [el for el in root.iter() if isinstance(el.tag, str) and el.tag.startswith(_M)
             and el.tag[len(_M):] in FLOW_NODES and not _synthetic(el)]
    flows = [el for el in root.iter(f"{_M}sequenceFlow", f"{_M}messageFlow") if not _synthetic(el)]
    named = nodes + flows + [el for el in root.iter(f"{_M}lane") if el.find(f"{_M}childLaneSet") is None]
    names = Counter(n for n in (_name(el.get("name")) for el in named) if n)
    return Counts(len(nodes), len(flows), lanes, names)


def through_flowzap(path: Path) -> tuple[Counts, Counts, str]:
    text = path.read_text(encoding="utf-8")
    model = read(text, "bpmn")
    before = counts(text, len(model.lanes))
    if not model.lanes:  # nothing at all (empty definitions): FlowZap has no empty diagram
        return before, before, text
    flowzap = write(model, "flowzap")
    back = write(read(flowzap, "flowzap"), "bpmn")
    after = counts(back, len(read(back, "bpmn").lanes))
    return before, after, back


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.bpmn"))


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_bpmn_to_flowzap_to_bpmn_keeps_every_node_flow_lane_and_name(path):
    before, after, _ = through_flowzap(path)
    assert after.flow_nodes >= before.flow_nodes
    assert after.flows >= before.flows
    assert after.lanes == before.lanes
    assert not (before.names - after.names), before.names - after.names


def table() -> str:
    rows = ["| file | flow nodes | flows | lanes | names kept |", "|---|---|---|---|---|"]
    totals = [0, 0, 0, 0, 0, 0, 0, 0]
    for path in corpus_files():
        before, after, _ = through_flowzap(path)
        kept = sum((before.names & after.names).values())
        rows.append(f"| {path.stem} | {before.flow_nodes} → {after.flow_nodes} | {before.flows} → {after.flows} | "
                    f"{before.lanes} → {after.lanes} | {kept}/{sum(before.names.values())} |")
        for i, value in enumerate((before.flow_nodes, after.flow_nodes, before.flows, after.flows,
                                   before.lanes, after.lanes, kept, sum(before.names.values()))):
            totals[i] += value
    rows.append(f"| **all {len(corpus_files())} files** | {totals[0]} → {totals[1]} | {totals[2]} → {totals[3]} | "
                f"{totals[4]} → {totals[5]} | {totals[6]}/{totals[7]} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
