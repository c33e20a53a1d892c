"""Mermaid's own parser as an oracle for the tests (npm mermaid 11.17 + jsdom, one node process).

    oracle = mermaid_oracle()            # None when node or the packages are missing
    seen = oracle.parse(text)            # what mermaid sees: vertices, edges, subgraphs / actors, messages
    view = mermaid_view(seen)            # the same, as comparable plain data
    assert view == model_view(diagram)   # … and what our model says

Install: ``bash tests/oracles/mermaid/install.sh`` (run by ``scripts/setup.sh --test``).
"""
from __future__ import annotations

import atexit
import html
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

from .watchdog import Watchdog

HERE = Path(__file__).resolve().parent / "mermaid"
_BR = re.compile(r"<br\s*/?>", re.I)
# markup mermaid keeps as markup (the writer escapes any other "<")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_NOT_A_TAG = re.compile(r"<(?!/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>)")
# sequenceDb LINETYPE values that are messages (not notes, activations or fragments)
SIGNAL_TYPES = frozenset({0, 1, 3, 4, 5, 6, 24, 25, 33, 34, *range(41, 49), *range(51, 59)})


class MermaidOracle:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proc = self._start()
        self.version = self.ask({"op": "version"})["version"]

    @staticmethod
    def _start() -> subprocess.Popen:
        return subprocess.Popen(
            ["node", str(HERE / "oracle.mjs")], cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, encoding="utf-8", bufsize=1,
        )

    def ask(self, request: dict) -> dict:
        with self.lock:
            with Watchdog(self.proc, "mermaid's parser") as watchdog:
                try:
                    self.proc.stdin.write(json.dumps(request) + "\n")
                    self.proc.stdin.flush()
                    answer = self.proc.stdout.readline()
                except OSError:  # the process was killed while we wrote
                    answer = ""
            if not answer:
                self.proc = self._start()
                raise watchdog.error() if watchdog.fired else RuntimeError("the mermaid oracle stopped")
        return json.loads(answer)

    def parse(self, text: str) -> dict:
        return self.ask({"op": "parse", "text": text})

    def tokens(self, grammar: str, text: str) -> list:
        return self.ask({"op": "tokens", "grammar": grammar, "text": text})["tokens"]

    def time(self, texts: list[str], repeat: int = 20) -> list[float]:
        return self.ask({"op": "time", "texts": texts, "repeat": repeat})["ms"]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


_ORACLE: MermaidOracle | None = None


def available() -> bool:
    return shutil.which("node") is not None and (HERE / "node_modules" / "mermaid").is_dir() \
        and (HERE / "node_modules" / "jsdom").is_dir()


def mermaid_oracle() -> MermaidOracle | None:
    """One oracle process for the whole test session (None when it is not installed)."""
    global _ORACLE
    if _ORACLE is None and available():
        _ORACLE = MermaidOracle()
        atexit.register(_ORACLE.close)
    return _ORACLE


# -- comparing what mermaid sees with the model ---------------------------------------------------
def visible_text(text: str | None) -> str:
    """A label as a person reads it: mermaid's sanitised HTML with line breaks as \\n, entities
    decoded, other tags removed, outer whitespace trimmed."""
    if text is None:
        return ""
    text = _BR.sub("\n", text)
    text = _TAG.sub("", text)
    return html.unescape(text).strip()


def model_text(text: str | None, markup: bool = False) -> str:
    """A model label as mermaid should show it: line breaks are <br/>; with ``markup`` (a label read
    from Mermaid with tags, ``mermaid.markup``) tags are markup and a "<" that opens no tag is text;
    else the whole label is text (what the writer does)."""
    if text is None:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not markup:
        return text.strip()  # the writer encodes every "<", ">" and "&" of a text label
    text = _NOT_A_TAG.sub("&lt;", text.replace("\n", "<br/>"))
    return visible_text(text)


def _markup(element) -> bool:
    return element.attributes.get("mermaid.markup") == "true"


def refused_nesting(seen: dict) -> set[tuple[str, str]]:
    """The (subgraph, holder) nestings that mermaid's parser keeps but its renderer cannot draw.

    flowDb lists every id in at most one subgraph (``makeUniq``), so a subgraph id written inside a
    block nests that subgraph there — also when the block is the subgraph itself or one nested in
    it (``subgraph A`` / ``subgraph c1`` / ``A`` / ``end`` / ``end``: c1 holds A and A holds c1).
    ``getData`` gives each subgraph the parent whose list names it, and the dagre layout sets the
    parents subgraph by subgraph, last subgraph first (graphlib ``setParent``), failing on the first
    one that closes a cycle: "Setting A as parent of c1 would create a cycle" — mermaid parses such
    a text and renders nothing. What is compared here (and what the reader does, with a warning) is
    that rendering with each refused ``setParent`` left out. Worked out literally from mermaid's
    data, the same steps as mermaid, so that it checks the reader's shorter way of doing it."""
    subgraphs = seen.get("subgraphs", [])
    parent_db: dict[str, str] = {}
    for sub in reversed(subgraphs):  # getData: the first subgraph listing an id wins
        for member in sub["nodes"]:
            parent_db[member] = sub["id"]
    parent: dict[str, str] = {}
    refused = set()
    for sub in reversed(subgraphs):  # the layout adds the subgraph nodes last first
        child, holder = sub["id"], parent_db.get(sub["id"])
        if holder is None:
            continue
        ancestor = holder
        while ancestor is not None and ancestor != child:
            ancestor = parent.get(ancestor)
        if ancestor is None:
            parent[child] = holder
        else:
            refused.add((child, holder))
    return refused


def mermaid_view(seen: dict) -> dict:
    """Nodes (id → label), edges [(source, target, label)], lanes / subgraphs (id → (title, nodes))."""
    if "vertices" in seen:
        subgraph_ids = {s["id"] for s in seen["subgraphs"]}
        nodes = {v["id"]: visible_text(v["text"]) for v in seen["vertices"] if v["id"] not in subgraph_ids}
        edges = sorted((e["start"], e["end"], visible_text(e["text"])) for e in seen["edges"])
        refused = refused_nesting(seen)
        # an edge id written as a node (`e1@{ animate: true }`, or a bare `L_A_B_0`) makes no vertex
        # but stays in its subgraph's list: nothing is drawn for it
        drawn = subgraph_ids | {v["id"] for v in seen["vertices"]}
        subgraphs: dict = {}
        for s in seen["subgraphs"]:  # a repeated id is one subgraph (as the reader merges them)
            title, members = subgraphs.get(s["id"], (visible_text(s["title"]), []))
            kept = {n for n in s["nodes"] if n in drawn and (n, s["id"]) not in refused}
            subgraphs[s["id"]] = (title, sorted(set(members) | kept))
        return {"nodes": nodes, "edges": edges, "subgraphs": subgraphs}
    if "actors" in seen:
        participants = [(a["name"], visible_text(a["description"])) for a in seen["actors"]]
        messages = [(m["from"], m["to"], visible_text(m["message"])) for m in seen["messages"]
                    if m.get("type") in SIGNAL_TYPES]
        return {"participants": participants, "messages": messages}
    return {}


def model_view(diagram, node_ids: dict[str, str] | None = None, subgraph_ids: dict[str, str] | None = None) -> dict:
    """The model, in the shape of ``mermaid_view`` of its Mermaid writing: ``node_ids`` and
    ``subgraph_ids`` map model ids to the ids mermaid sees (identity by default). Edges that the
    reader attached to a subgraph's first node (``mermaid.source``/``mermaid.target``) are compared
    with their subgraph end."""
    ids = node_ids or {}
    subs = subgraph_ids or {}
    nid = lambda n: ids.get(n, n)  # noqa: E731
    sid = lambda s: subs.get(s, s)  # noqa: E731
    from converters.mermaid.writer import is_outside_lane

    nodes = {nid(n.id): model_text(n.label if n.label is not None else n.id, _markup(n)) for n in diagram.nodes}
    edges = sorted((sid(edge.attributes["mermaid.source"]) if "mermaid.source" in edge.attributes else nid(edge.source),
                    sid(edge.attributes["mermaid.target"]) if "mermaid.target" in edge.attributes else nid(edge.target),
                    model_text(edge.label, _markup(edge))) for edge in diagram.edges)
    subgraphs = {}
    nested = {g.id: g for g in diagram.groups if g.kind == "subgraph"}
    for lane in diagram.lanes:
        if is_outside_lane(lane):
            continue
        direct = [nid(n.id) for n in diagram.nodes if n.lane == lane.id
                  and not any(n.id in g.members for g in nested.values())]
        direct += [sid(g.id) for g in nested.values() if g.lane == lane.id and g.parent is None]
        subgraphs[sid(lane.id)] = (model_text(lane.label if lane.label is not None else lane.id, _markup(lane)),
                                   sorted(direct))
    for group in nested.values():
        inner = {m for g in nested.values() if g.parent == group.id for m in g.members}
        direct = [nid(m) for m in group.members if m not in inner]
        direct += [sid(g.id) for g in nested.values() if g.parent == group.id]
        subgraphs[sid(group.id)] = (model_text(group.label or "", _markup(group)), sorted(direct))
    return {"nodes": nodes, "edges": edges, "subgraphs": subgraphs}


def lanes_view(seen: dict) -> list[tuple[str, list[str]]]:
    """Top-level subgraphs (lanes) in mermaid's order, each with every vertex inside it."""
    subs: dict[str, list[str]] = {}  # a repeated id is one subgraph
    for s in seen.get("subgraphs", []):
        subs.setdefault(s["id"], []).extend(s["nodes"])
    refused = refused_nesting(seen)
    parent = {}
    for s in seen.get("subgraphs", []):
        for n in s["nodes"]:
            if n in subs and n not in parent and (n, s["id"]) not in refused:
                parent[n] = s["id"]

    def all_nodes(sid):
        out = []
        for n in subs[sid]:
            if n in subs:
                out.extend(all_nodes(n) if parent.get(n) == sid else [])
            else:
                out.append(n)
        return out

    firsts: dict[str, dict] = {}
    for s in seen.get("subgraphs", []):
        firsts.setdefault(s["id"], s)
    return [(visible_text(s["title"]), sorted(all_nodes(s["id"]))) for s in firsts.values() if s["id"] not in parent]


def sequence_model_view(diagram, lane_ids: dict[str, str] | None = None) -> dict:
    """A sequence-read (or sequence-written) model as ``mermaid_view`` shows a sequence diagram:
    participants (id, label) in order, and messages (from, to, text) in order."""
    ids = lane_ids or {}
    lane_of = {n.id: n.lane for n in diagram.nodes}
    labels = {n.id: n.label for n in diagram.nodes}
    participants = [(ids.get(lane.id, lane.id), model_text(lane.label if lane.label is not None else lane.id))
                    for lane in diagram.lanes]
    from converters.mermaid.sequence_writer import is_timeline

    edges = list(diagram.edges)
    timeline = is_timeline(diagram)
    if timeline:  # docs/sequence.md: messages in the order of their target steps
        index = {n.id: i for i, n in enumerate(diagram.nodes)}
        edges.sort(key=lambda e: index[e.target])
    # an edge inside one lane is a self-message in a sequence model, flow inside the lane otherwise
    self_messages = timeline or diagram.attributes.get("diagram") == "sequence"
    messages = []
    for edge in edges:
        source, target = lane_of[edge.source], lane_of[edge.target]
        if source == target and not self_messages:
            continue
        text = edge.label if edge.label is not None else labels.get(edge.target)
        messages.append((ids.get(source, source), ids.get(target, target), model_text(text)))
    return {"participants": participants, "messages": messages}
