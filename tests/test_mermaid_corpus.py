"""The corpus sweep: every Mermaid file of tests/corpus/mermaid/ against mermaid's own parser.

- every file mermaid accepts is read without error, and the model is what mermaid sees;
- the file mermaid rejects (``*.expect-error.mmd``) is rejected, at mermaid's line and column;
- Mermaid → FlowZap → Mermaid keeps the nodes, labels, edges and lanes as mermaid's parser sees
  them (node ids become FlowZap's n1…nN; the comparison maps them). The differences that remain
  come from what FlowZap has no place for, and each is named: a nested subgraph (FlowZap lanes do
  not nest) and an edge that ends on a subgraph (FlowZap edges end on nodes).

``python -m tests.test_mermaid_corpus`` prints the results table (docs/mermaid.md has a copy).
"""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field

import pytest

from converters import InputError, read_with_diagnostics, write_with_diagnostics
from converters.flowzap.writer import lane_identifiers, node_identifiers
from converters.mermaid.preprocess import preprocess
from tests.conftest import CORPUS, require_tool
from tests.oracles.mermaid_oracle import (
    available, mermaid_oracle, mermaid_view, model_text, model_view, sequence_model_view,
)

CORPUS = sorted((CORPUS / "mermaid").glob("*.mmd"))
pytestmark = pytest.mark.oracle


@dataclass
class Row:
    name: str
    mermaid_ok: bool
    read_ok: bool = False
    read_matches: bool = False
    rejected_at_mermaids_place: bool | None = None
    round_trip_ok: bool = False
    identical: bool = False
    flowzap_cannot_say: bool = False  # a nested subgraph or an edge to a subgraph
    reasons: list[str] = field(default_factory=list)


def fz_ids(diagram) -> tuple[dict[str, str], dict[str, str]]:
    """The ids the FlowZap writer gives the model's nodes (n1…, in model order) and lanes."""
    return node_identifiers(diagram), lane_identifiers(diagram)


def flattened(diagram, node_ids: dict[str, str], lane_ids: dict[str, str]) -> dict:
    """What mermaid should see after the FlowZap step, from the model: the same nodes and labels;
    edges between the model's nodes (an edge to a subgraph ends on the node the reader attached it
    to); one subgraph per lane holding all of the lane's nodes (FlowZap lanes do not nest)."""
    from converters.mermaid.writer import is_outside_lane

    view = model_view(_as_text(diagram), node_ids)
    view["edges"] = sorted((node_ids[e.source], node_ids[e.target], model_text(e.label)) for e in diagram.edges)
    subgraphs = {}
    for lane in diagram.lanes:
        if is_outside_lane(lane):
            continue
        members = sorted(node_ids[n.id] for n in diagram.nodes if n.lane == lane.id)
        label = view["subgraphs"].get(lane.id, (lane.label or lane.id, None))[0]
        subgraphs[lane_ids[lane.id]] = (label, members)
    view["subgraphs"] = subgraphs
    return view


def _as_text(diagram):
    """The diagram with its markup labels as text (how they come back through FlowZap)."""
    import copy

    plain = copy.deepcopy(diagram)
    for element in (*plain.nodes, *plain.edges, *plain.lanes, *plain.groups):
        element.attributes.pop("mermaid.markup", None)
    return plain


def explain(diagram) -> list[str]:
    reasons = []
    nested = [g for g in diagram.groups if g.kind == "subgraph"]
    to_subgraph = [e for e in diagram.edges if "mermaid.source" in e.attributes or "mermaid.target" in e.attributes]
    if to_subgraph:
        reasons.append(f"{len(to_subgraph)} edge(s) to a subgraph now end on its first node")
    if nested:
        reasons.append(f"{len(nested)} nested subgraph(s) flattened into their lane")
    markup = [e for e in (*diagram.nodes, *diagram.edges, *diagram.lanes) if "mermaid.markup" in e.attributes]
    if markup:  # FlowZap labels are text: the writer reports mermaid.markup as dropped
        reasons.append(f"{len(markup)} label(s) with HTML markup come back as text")
    return reasons


def sweep(oracle) -> list[Row]:
    rows = []
    for path in CORPUS:
        text = path.read_text(encoding="utf-8")
        seen = oracle.parse(text)
        row = Row(path.name, bool(seen["ok"]))
        rows.append(row)
        try:
            diagram = read_with_diagnostics(text, "mermaid").diagram
        except InputError as exc:
            if not seen["ok"]:
                first = exc.errors[0]
                row.rejected_at_mermaids_place = (first.line == preprocess(text).original_line(seen["line"])
                                                  and first.column == seen["column"] + 1)
            continue
        row.read_ok = True
        if not seen["ok"]:
            continue
        sequence = "actors" in seen
        ours = sequence_model_view(diagram) if sequence else model_view(diagram)
        row.read_matches = ours == mermaid_view(seen)
        # Mermaid → FlowZap → Mermaid
        fz, _ = write_with_diagnostics(diagram, "flowzap", loss_policy="ignore")
        back_model = read_with_diagnostics(fz, "flowzap").diagram
        options = {"diagram": "sequence"} if sequence else {}
        if diagram.attributes.get("mermaid.diagram") == "swimlane":
            options = {"diagram": "swimlane"}
        mmd, _ = write_with_diagnostics(back_model, "mermaid", options, loss_policy="ignore")
        again = oracle.parse(mmd)
        if not again["ok"]:
            row.reasons.append(f"mermaid rejects the round trip: {again['error']}")
            continue
        node_ids, lane_ids = fz_ids(diagram)
        if sequence:
            # participants keep their ids (lanes), messages their text
            before = mermaid_view(seen)
            before = {"participants": [(lane_ids.get(p, p), label) for p, label in before["participants"]],
                      "messages": [(lane_ids.get(a, a), lane_ids.get(b, b), t) for a, b, t in before["messages"]]}
            after = mermaid_view(again)
            row.round_trip_ok = before == after
            row.identical = row.round_trip_ok
            if not row.round_trip_ok:
                row.reasons.append("unexplained: sequence")
            continue
        row.flowzap_cannot_say = bool(explain(diagram))
        before = mapped_view(seen, node_ids, lane_ids)
        after = mermaid_view(again)
        row.identical = before == after
        if row.identical:
            row.round_trip_ok = True
            continue
        row.reasons = explain(diagram)
        row.round_trip_ok = bool(row.reasons) and after == flattened(diagram, node_ids, lane_ids)
        if not row.round_trip_ok:
            row.reasons.append("unexplained difference")
    return rows


def mapped_view(seen: dict, node_ids: dict[str, str], lane_ids: dict[str, str]) -> dict:
    """Mermaid's view of the original, with ids as they come back through FlowZap: nodes n1…, top
    subgraphs by their FlowZap lane id; the lane of nodes outside every subgraph has no subgraph."""
    view = mermaid_view(seen)
    ids = {**node_ids, **lane_ids}
    return {
        "nodes": {node_ids.get(k, k): v for k, v in view["nodes"].items()},
        "edges": sorted((ids.get(a, a), ids.get(b, b), t) for a, b, t in view["edges"]),
        "subgraphs": {ids.get(k, k): (title, sorted(ids.get(n, n) for n in nodes))
                      for k, (title, nodes) in view["subgraphs"].items()},
    }


@pytest.fixture(scope="module")
def rows():
    require_tool("mermaid's parser (node + npm mermaid + jsdom)", available(), "bash tests/oracles/mermaid/install.sh")
    return sweep(mermaid_oracle())


def test_every_file_mermaid_accepts_is_read_as_mermaid_sees_it(rows):
    accepted = [r for r in rows if r.mermaid_ok]
    assert accepted and all(r.read_ok for r in accepted), [r.name for r in accepted if not r.read_ok]
    assert all(r.read_matches for r in accepted), [r.name for r in accepted if not r.read_matches]


def test_the_file_mermaid_rejects_is_rejected_at_its_line_and_column(rows):
    rejected = [r for r in rows if not r.mermaid_ok]
    assert [r.name for r in rejected] == ["mmdc_invalid.expect-error.mmd"]
    assert all(not r.read_ok and r.rejected_at_mermaids_place for r in rejected)


def test_mermaid_flowzap_mermaid_keeps_what_mermaid_sees(rows):
    accepted = [r for r in rows if r.mermaid_ok]
    assert all(r.round_trip_ok for r in accepted), {r.name: r.reasons for r in accepted if not r.round_trip_ok}
    # a file comes back identical unless it has what FlowZap cannot say
    assert [r.name for r in accepted if r.identical == r.flowzap_cannot_say] == []


def table(rows: list[Row]) -> str:
    accepted = [r for r in rows if r.mermaid_ok]
    reasons = Counter(reason.split(" ", 1)[1] if reason[0].isdigit() else reason
                      for r in rows for reason in r.reasons)
    files_with = Counter()
    for r in rows:
        for reason in {x.split(" ", 1)[1] if x[0].isdigit() else x for x in r.reasons}:
            files_with[reason] += 1
    lines = [
        "| files | mermaid accepts | read without error | model = what mermaid sees | rejected like mermaid "
        "| Mermaid → FlowZap → Mermaid identical | differences all explained |",
        "|---|---|---|---|---|---|---|",
        f"| {len(rows)} | {len(accepted)} | {sum(r.read_ok for r in accepted)} | {sum(r.read_matches for r in accepted)} "
        f"| {sum(bool(r.rejected_at_mermaids_place) for r in rows if not r.mermaid_ok)} of "
        f"{sum(not r.mermaid_ok for r in rows)} | {sum(r.identical for r in accepted)} "
        f"| {sum(r.round_trip_ok for r in accepted)} |",
        "",
        "| difference after Mermaid → FlowZap → Mermaid | files |",
        "|---|---|",
    ]
    for reason, _ in reasons.most_common():
        names = ", ".join(r.name for r in rows if any(reason in x for x in r.reasons))
        lines.append(f"| {reason} | {files_with[reason]}: {names} |")
    return "\n".join(lines)


if __name__ == "__main__":
    oracle = mermaid_oracle()
    if oracle is None:
        sys.exit("the mermaid oracle is not installed: bash tests/oracles/mermaid/install.sh")
    print(table(sweep(oracle)))
