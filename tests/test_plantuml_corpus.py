"""The corpus tables for PlantUML, checked by PlantUML 1.2026.8 itself.

- every file of tests/corpus/plantuml/ is read as PlantUML reads it: accepted files without error;
  PlantUML → PlantUML and PlantUML → FlowZap → PlantUML keep nodes, labels, edges and lanes;
  every text written is accepted by PlantUML as the expected diagram type;
- FlowZap → PlantUML → FlowZap keeps the whole model (extras=comments) and the graph (without);
- Mermaid sequence → PlantUML sequence → Mermaid keeps participants and message order;
- BPMN → PlantUML is accepted by PlantUML.

``python -m tests.test_plantuml_corpus`` prints the tables of docs/plantuml.md.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from converters import read_with_diagnostics, write_with_diagnostics
from converters.diagnostics import Severity
from tests.conftest import CORPUS, require_tool
from tests.oracles.plantuml_oracle import available, plantuml_oracle
from tests.plantuml_views import graph_view, messages_view

PLANTUML = sorted((CORPUS / "plantuml").glob("*.puml"))
FLOWZAP = sorted(p for p in (CORPUS / "flowzap").glob("*.fz") if not p.name.startswith("90_"))
MERMAID_SEQUENCE = sorted((CORPUS / "mermaid-sequence").glob("*.mmd"))
BPMN = sorted((CORPUS / "bpmn").glob("*.bpmn"))
EXPECTED = {"activity": ("ACTIVITY", "activity3"), "sequence": ("SEQUENCE", None)}


def _has_errors(diagnostics) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def _judge():
    require_tool("PlantUML 1.2026.8", available(), "bash tests/oracles/plantuml/install.sh")
    return plantuml_oracle()


def accepted(judge, text: str, kind: str) -> bool:
    answer = judge.check(text)
    want = EXPECTED[kind]
    return answer[0] == want[0] and (want[1] is None or answer[1] == want[1])


def plantuml_row(path: Path, judge) -> dict:
    text = path.read_text(encoding="utf-8")
    verdict = judge.check(text)
    row = {"file": path.name, "plantuml": verdict[0] if verdict[0] != "ERROR" else "rejected"}
    try:
        result = read_with_diagnostics(text, "plantuml")
    except Exception as exc:  # an InputError: the reader refused it
        row.update(read=False, error=str(exc).splitlines()[0][:80])
        return row
    model = result.diagram
    kind = "sequence" if model.attributes.get("diagram") == "sequence" else "activity"
    out, _ = write_with_diagnostics(model, "plantuml")
    back = read_with_diagnostics(out, "plantuml").diagram
    flowzap, _ = write_with_diagnostics(model, "flowzap")
    via = read_with_diagnostics(flowzap, "flowzap").diagram
    # FlowZap keeps the graph, not the mark of a sequence diagram: the default writes an activity
    out2, _ = write_with_diagnostics(via, "plantuml")
    back2 = read_with_diagnostics(out2, "plantuml").diagram
    row.update(read=True, kind=kind, nodes=len(model.nodes), edges=len(model.edges), lanes=len(model.lanes),
               same=graph_view(back) == graph_view(model), out_ok=accepted(judge, out, kind),
               via_flowzap=graph_view(back2, kinds=False)[1:] == graph_view(model, kinds=False)[1:],
               via_ok=accepted(judge, out2, "activity"))
    return row


# Files PlantUML accepts that this reader does not read yet (old-syntax corners); the test
# checks that they still fail, so that the list shrinks when they are fixed.
KNOWN_GAPS: set[str] = set()


@pytest.mark.parametrize("path", PLANTUML, ids=lambda p: p.name)
def test_plantuml_corpus(path):
    row = plantuml_row(path, _judge())
    if path.name in KNOWN_GAPS:
        assert not row["read"], f"{path.name} reads now: take it off KNOWN_GAPS"
        return
    assert row["plantuml"] != "rejected"
    assert row["read"], row
    assert row["same"] and row["out_ok"] and row["via_flowzap"] and row["via_ok"], row


def flowzap_row(path: Path, judge) -> dict:
    model = read_with_diagnostics(path.read_text(encoding="utf-8"), "flowzap").diagram
    exact, _ = write_with_diagnostics(model, "plantuml", {"extras": "comments"})
    plain, losses = write_with_diagnostics(model, "plantuml")
    back_exact = read_with_diagnostics(exact, "plantuml").diagram
    back_plain = read_with_diagnostics(plain, "plantuml").diagram
    nodes, edges, lanes = graph_view(model, kinds=False)
    nodes2, edges2, lanes2 = graph_view(back_plain, kinds=False)
    return {"file": path.name, "nodes": len(model.nodes), "edges": len(model.edges),
            "exact": back_exact == model, "graph": edges == edges2 and lanes == lanes2,
            "accepted": accepted(judge, exact, "activity") and accepted(judge, plain, "activity"),
            "losses": len([d for d in losses if d.is_loss])}


@pytest.mark.parametrize("path", FLOWZAP, ids=lambda p: p.name)
def test_flowzap_to_plantuml_and_back(path):
    row = flowzap_row(path, _judge())
    assert row["exact"] and row["graph"] and row["accepted"], row


def mermaid_row(path: Path, judge) -> dict:
    try:
        model = read_with_diagnostics(path.read_text(encoding="utf-8"), "mermaid").diagram
    except Exception:
        return {"file": path.name, "read": False}
    text, _ = write_with_diagnostics(model, "plantuml", {"diagram": "sequence"})
    back = read_with_diagnostics(text, "plantuml").diagram
    mermaid, _ = write_with_diagnostics(back, "mermaid", {"diagram": "sequence"})
    again = read_with_diagnostics(mermaid, "mermaid").diagram

    def participants(d):
        return [lane.label or lane.id for lane in d.lanes]

    def order(d):
        return [(s, t) for s, t, _ in messages_view(d)]
    return {"file": path.name, "read": True, "accepted": accepted(judge, text, "sequence"),
            "participants": participants(back) == participants(model), "order": order(back) == order(model),
            "loop_participants": participants(again) == participants(model), "loop_order": order(again) == order(model)}


@pytest.mark.parametrize("path", MERMAID_SEQUENCE[::4], ids=lambda p: p.name)
def test_mermaid_sequence_through_plantuml(path):
    row = mermaid_row(path, _judge())
    if not row["read"]:
        pytest.skip("mermaid's reader refuses it")
    assert row["accepted"] and row["participants"] and row["order"], row


@pytest.mark.parametrize("path", BPMN[::6], ids=lambda p: p.name)
def test_bpmn_to_plantuml_is_accepted(path):
    model = read_with_diagnostics(path.read_text(encoding="utf-8"), "bpmn").diagram
    text, _ = write_with_diagnostics(model, "plantuml")
    if not model.nodes:
        assert _judge().check(text)[0] in ("OTHER", "ACTIVITY")  # "(Empty)", or swimlanes alone
        return
    assert accepted(_judge(), text, "activity")
    back = read_with_diagnostics(text, "plantuml").diagram
    assert (len(back.nodes), len(back.edges)) == (len(model.nodes), len(model.edges))


def main() -> None:
    judge = plantuml_oracle()
    if judge is None:
        sys.exit("PlantUML is not installed: bash tests/oracles/plantuml/install.sh")
    print("| file | PlantUML | read | nodes | edges | lanes | PlantUML → PlantUML | accepted | via FlowZap "
          "| accepted |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for path in PLANTUML:
        r = plantuml_row(path, judge)
        mark = {key: "yes" if r.get(key) else "no" for key in ("read", "same", "out_ok", "via_flowzap", "via_ok")}.get
        print(f"| {r['file']} | {r['plantuml']} | {mark('read')} | {r.get('nodes', '')} | {r.get('edges', '')} | "
              f"{r.get('lanes', '')} | {mark('same')} | {mark('out_ok')} | {mark('via_flowzap')} | {mark('via_ok')} |")
    print("\n| FlowZap file | nodes | edges | exact (extras=comments) | graph (no comments) | accepted "
          "| losses reported |")
    print("|---|---|---|---|---|---|---|")
    for path in FLOWZAP:
        r = flowzap_row(path, judge)
        print(f"| {r['file']} | {r['nodes']} | {r['edges']} | {r['exact']} | {r['graph']} | {r['accepted']} | "
              f"{r['losses']} |")
    rows = [mermaid_row(p, judge) for p in MERMAID_SEQUENCE]
    readable = [r for r in rows if r["read"]]
    print(f"\nMermaid sequence → PlantUML: {len(readable)} of {len(rows)} files read by the Mermaid reader; "
          f"accepted by PlantUML {sum(r['accepted'] for r in readable)}, participants kept "
          f"{sum(r['participants'] for r in readable)}, message order kept {sum(r['order'] for r in readable)}. "
          f"→ Mermaid again: participants kept {sum(r['loop_participants'] for r in readable)}, message order kept "
          f"{sum(r['loop_order'] for r in readable)}.")
    ok = 0
    for path in BPMN:
        model = read_with_diagnostics(path.read_text(encoding="utf-8"), "bpmn").diagram
        text, _ = write_with_diagnostics(model, "plantuml")
        ok += accepted(judge, text, "activity") if model.nodes else judge.check(text)[0] in ("OTHER", "ACTIVITY")
    print(f"BPMN → PlantUML: {ok} of {len(BPMN)} files accepted by PlantUML as activity diagrams.")


def figures() -> None:
    """The two pictures of docs/plantuml.md, drawn by PlantUML from our output."""
    from tests.conftest import ROOT
    from tests.oracles.plantuml_oracle import render_png

    images = ROOT / "docs" / "images"
    flow = read_with_diagnostics((CORPUS / "flowzap" / "00_seed_auth_flow.fz").read_text(encoding="utf-8"),
                                 "flowzap").diagram
    text, _ = write_with_diagnostics(flow, "plantuml")
    (images / "plantuml_auth_flow.puml").write_text(text, encoding="utf-8")
    render_png(text, images / "plantuml_auth_flow.png")
    sequence = read_with_diagnostics((CORPUS / "plantuml" / "jgraph_sequence_sample_medium.puml").read_text(
        encoding="utf-8"), "plantuml").diagram
    text, _ = write_with_diagnostics(sequence, "plantuml")
    render_png(text, images / "plantuml_sequence.png")


if __name__ == "__main__":
    figures() if "--figures" in sys.argv else main()
