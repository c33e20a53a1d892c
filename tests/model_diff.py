"""What differs between a model and the model read back after a writer, element by element, and
whether the writer's diagnostics name each difference (issue 8: writer closure, no silent loss).

Elements are paired across the trip before they are compared, since formats rename: by id first,
then what is left in order (FlowZap renumbers nodes n1…nN in model order by design, so its nodes
pair by position). A difference is named after the element of the model *before* the trip, which
is how writers name what they lose. Information a trip adds (a side chosen by layout, a label
where there was none, a lane for a group that had none, an attribute a reader records) is not a
loss and not reported here; what it changes or removes is.
"""
from __future__ import annotations

from dataclasses import dataclass

from converters.diagnostics import Diagnostic
from converters.model import Diagram, edge_name
from converters.mermaid.shapes import KIND_SHAPE as MERMAID_KIND_SHAPE  # the Mermaid reader leaves it unsaid

# Formats whose node ids are renumbered by design (docs/flowzap.md §3): nodes pair by position,
# and node and loop ids are not compared.
RENUMBERING = frozenset({"flowzap"})
# Formats whose nodes have no ids at all: PlantUML's activities and sequence steps are numbered by
# its reader in the order of the text, and the activity writer's blocks (if/fork/connectors) need
# not follow the model's node order. Their nodes pair by what they are — lane, kind, label and the
# same of their neighbours — then by position; node ids are not compared (there are none to keep).
UNNAMED_NODES = frozenset({"plantuml"})


@dataclass(frozen=True)
class Difference:
    kind: str  # "diagram", "lane", "node", "edge", "group"
    element: str | None  # the element's name before the trip (None: the diagram itself)
    what: str

    def __str__(self) -> str:
        return f"{self.kind} {self.element!r}: {self.what}" if self.element is not None else f"diagram: {self.what}"


def _pair(before: list, after: list, key, *then) -> dict[int, int]:
    """Pairs positions of ``before`` with positions of ``after``: equal keys first, then equal keys
    of each ``then`` (a pair of functions: the key of a ``before`` element, of an ``after`` one)
    among the rest, then the rest in order."""
    pairs: dict[int, int] = {}
    tiers = ([(key, key)] if key is not None else []) + list(then)
    for key_before, key_after in tiers:
        taken = set(pairs.values())
        where: dict = {}
        for j, element in enumerate(after):
            if j not in taken:
                where.setdefault(key_after(element), []).append(j)
        for i, element in enumerate(before):
            if i not in pairs:
                candidates = where.get(key_before(element))
                if candidates:
                    pairs[i] = candidates.pop(0)
    return _pair_rest_in_order(pairs, len(before), len(after))


def _pair_rest_in_order(pairs: dict[int, int], count_before: int, count_after: int) -> dict[int, int]:
    """Pairs the positions ``pairs`` left out on both sides, in order (``pairs`` is extended)."""
    taken = set(pairs.values())
    rest = iter(j for j in range(count_after) if j not in taken)
    for i in range(count_before):
        if i not in pairs:
            j = next(rest, None)
            if j is None:
                break
            pairs[i] = j
    return pairs


def _pair_stages(before_keys: list[list], after_keys: list[list], count_before: int, count_after: int,
                 before_ties: list | None = None, after_ties: list | None = None) -> dict[int, int]:
    """Pairs positions by the first of several keys (strongest first) that two elements share,
    then what is left in order. Among several elements with one key, pairs whose tie keys
    (``*_ties``) are equal are made first, in every group, before any element takes the first
    candidate left: else an element with no equal tie could take the partner another one matches
    exactly (two alike nodes, one label changed by the trip and one kept)."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    passes = (True, False) if before_ties is not None else (False,)
    for stage_before, stage_after in zip(before_keys, after_keys):
        where: dict = {}
        for j, key in enumerate(stage_after):
            if j not in taken:
                where.setdefault(key, []).append(j)
        for tied_only in passes:
            for i, key in enumerate(stage_before):
                candidates = where.get(key)
                if i in pairs or not candidates:
                    continue
                pick = 0
                if before_ties is not None:
                    pick = next((k for k, j in enumerate(candidates) if after_ties[j] == before_ties[i]), None)
                    if pick is None:
                        if tied_only:
                            continue
                        pick = 0
                j = candidates.pop(pick)
                pairs[i] = j
                taken.add(j)
    return _pair_rest_in_order(pairs, count_before, count_after)


def _edge_look(edge) -> tuple:
    """What a reader sees of an edge besides its ends: its label and its line's style (two unlabelled
    branches of one fork differ only by that, and a writer may order them either way)."""
    return edge.label, edge.style


def _refined(diagram: Diagram, keys: list[int], edge_text=_edge_look) -> list[list[int]]:
    """``keys`` refined twice by the keys of the nodes each node's edges lead to and come from
    (with ``edge_text``, the edges' labels and styles by default): [keys, once, twice]."""
    index = {node.id: i for i, node in enumerate(diagram.nodes)}
    rounds = [keys]
    for _ in range(2):
        out: list[list[int]] = [[] for _ in diagram.nodes]
        into: list[list[int]] = [[] for _ in diagram.nodes]
        for edge in diagram.edges:
            s, t = index.get(edge.source), index.get(edge.target)
            if s is not None and t is not None:
                out[s].append(hash((keys[t], edge_text(edge))))
                into[t].append(hash((keys[s], edge_text(edge))))
        keys = [hash((key, tuple(sorted(out[i])), tuple(sorted(into[i])))) for i, key in enumerate(keys)]
        rounds.append(keys)
    return rounds


def _node_keys(diagram: Diagram, lane_of, text=lambda node: node.label) -> list[list[int]]:
    """Keys of each node for ``_pair_stages``, strongest first: lane, kind and ``text`` (the
    label), refined by the neighbours; then without the text (a label the writer changed), then
    the lane alone (a kind it changed), then without the edges' labels (an edge label it changed,
    such as an empty one read back as none) but with their styles, then without either: each
    refined over two steps of the graph before any over one (in a chain, one step cannot tell a
    node from the next when a writer changed a neighbour's kind); then lane, kind and text alone,
    kind and text, the text, lane and kind."""
    nodes = diagram.nodes
    full = _refined(diagram, [hash((lane_of(n.lane), n.kind.value, text(n))) for n in nodes])
    unlabelled = _refined(diagram, [hash((lane_of(n.lane), n.kind.value)) for n in nodes])
    placed = _refined(diagram, [hash(lane_of(n.lane)) for n in nodes])
    styled = _refined(diagram, placed[0], edge_text=lambda edge: edge.style)
    shape_only = _refined(diagram, placed[0], edge_text=lambda edge: None)
    return [full[2], full[1], unlabelled[2], placed[2], styled[2], shape_only[2], unlabelled[1], placed[1], styled[1],
            shape_only[1], full[0],
            [hash((n.kind.value, text(n))) for n in nodes], [hash(text(n)) for n in nodes], unlabelled[0]]


def _pair_renamed(before: Diagram, after: Diagram, lane_map: dict) -> dict[int, int]:
    """Nodes by id first; the rest (renamed by the writer) by their place in the graph and the text
    they show — their label, else their id, which a renaming writer shows as the label — then in
    order. Two renamed nodes of one lane that show the same text pair by their neighbours, not by
    the order a writer declares them in (Mermaid writes grouped nodes after the others)."""
    after_index = {node.id: j for j, node in enumerate(after.nodes)}
    pairs = {i: after_index[node.id] for i, node in enumerate(before.nodes) if node.id in after_index}
    if len(pairs) == len(before.nodes):
        return pairs
    taken = set(pairs.values())
    rest_before = [i for i in range(len(before.nodes)) if i not in pairs]
    rest_after = [j for j in range(len(after.nodes)) if j not in taken]
    shown = lambda node: node.id if node.label is None else node.label
    keys_before = _node_keys(before, lane_map.get, shown)
    keys_after = _node_keys(after, lambda lane: lane, shown)
    rest = _pair_stages([[keys[i] for i in rest_before] for keys in keys_before],
                        [[keys[j] for j in rest_after] for keys in keys_after], len(rest_before), len(rest_after),
                        [(before.nodes[i].kind, shown(before.nodes[i])) for i in rest_before],
                        [(after.nodes[j].kind, shown(after.nodes[j])) for j in rest_after])
    pairs.update({rest_before[i]: rest_after[j] for i, j in rest.items()})
    return pairs


def _attributes(kind: str, name: str | None, before: dict, after: dict, out: list[Difference],
                implied: tuple[str, str] | None = None) -> None:
    """``implied``: the (key, value) a reader leaves unsaid because it goes without saying."""
    for key, value in before.items():
        if key not in after:
            if (key, value) != implied:
                out.append(Difference(kind, name, f"attribute {key!r} lost"))
        elif after[key] != value:
            out.append(Difference(kind, name, f"attribute {key!r}: {value!r} became {after[key]!r}"))


def _text(kind: str, name: str | None, field: str, before: str | None, after: str | None,
          out: list[Difference]) -> None:
    if before is not None and before != after:
        out.append(Difference(kind, name, f"{field}: {before!r} became {after!r}"))


def differences(before: Diagram, after: Diagram, target_format: str) -> list[Difference]:
    out: list[Difference] = []
    renumbered = target_format in RENUMBERING
    unnamed = target_format in UNNAMED_NODES
    _text("diagram", None, "title", before.title, after.title, out)
    if before.direction != after.direction:
        out.append(Difference("diagram", None, f"direction {before.direction} became {after.direction}"))
    _attributes("diagram", None, before.attributes, after.attributes, out)

    lane_pairs = _pair(before.lanes, after.lanes, lambda lane: lane.id)
    lane_map: dict[str, str] = {}
    for i, lane in enumerate(before.lanes):
        if i not in lane_pairs:
            out.append(Difference("lane", lane.id, "missing"))
            continue
        other = after.lanes[lane_pairs[i]]
        lane_map[lane.id] = other.id
        if other.id != lane.id:
            out.append(Difference("lane", lane.id, f"id became {other.id!r}"))
        if lane.display_label != other.display_label:
            out.append(Difference("lane", lane.id, f"label {lane.display_label!r} became {other.display_label!r}"))
        _attributes("lane", lane.id, lane.attributes, other.attributes, out)

    if unnamed:
        node_pairs = _pair_stages(_node_keys(before, lane_map.get), _node_keys(after, lambda lane: lane),
                                  len(before.nodes), len(after.nodes),
                                  [(n.kind, n.label) for n in before.nodes], [(n.kind, n.label) for n in after.nodes])
    elif renumbered:
        node_pairs = _pair(before.nodes, after.nodes, None)
    else:
        node_pairs = _pair_renamed(before, after, lane_map)
    node_map: dict[str, str] = {}
    for i, node in enumerate(before.nodes):
        if i not in node_pairs:
            out.append(Difference("node", node.id, "missing"))
            continue
        other = after.nodes[node_pairs[i]]
        node_map[node.id] = other.id
        if not renumbered and not unnamed and other.id != node.id:
            out.append(Difference("node", node.id, f"id became {other.id!r}"))
        if lane_map.get(node.lane) != other.lane:
            out.append(Difference("node", node.id, f"lane {node.lane!r} became {other.lane!r}"))
        if node.kind != other.kind:
            out.append(Difference("node", node.id, f"kind {node.kind.value} became {other.kind.value}"))
        _text("node", node.id, "label", node.label, other.label, out)
        _attributes("node", node.id, node.attributes, other.attributes, out,
                    ("mermaid.shape", MERMAID_KIND_SHAPE[other.kind]) if target_format == "mermaid" else None)

    ends = lambda edge: (node_map.get(edge.source), node_map.get(edge.target))
    edge_pairs: dict[int, int] = {}  # by their ends, in order
    free: dict = {}
    for j, edge in enumerate(after.edges):
        free.setdefault((edge.source, edge.target), []).append(j)
    for i, edge in enumerate(before.edges):
        candidates = free.get(ends(edge))
        if candidates:
            edge_pairs[i] = candidates.pop(0)
    for i, edge in enumerate(before.edges):
        name = edge_name(edge)
        if i not in edge_pairs:
            out.append(Difference("edge", name, "missing"))
            continue
        other = after.edges[edge_pairs[i]]
        _text("edge", name, "label", edge.label, other.label, out)
        if edge.style != other.style:
            out.append(Difference("edge", name, f"style {edge.style.value} became {other.style.value}"))
        _text("edge", name, "id", edge.id, other.id, out)
        for field in ("source_side", "target_side"):
            if getattr(edge, field) is not None and getattr(edge, field) != getattr(other, field):
                out.append(Difference("edge", name, f"{field} lost"))
        _attributes("edge", name, edge.attributes, other.attributes, out)
    if len(after.edges) > len(edge_pairs):
        out.append(Difference("diagram", None, f"{len(after.edges) - len(edge_pairs)} edge(s) added"))

    members = lambda group: tuple(node_map.get(m) for m in group.members)
    numbered_groups = renumbered or unnamed  # the reader numbers groups (loop1…, alt3…) as it meets them
    group_pairs = _pair(before.groups, after.groups, lambda group: group.id) if not numbered_groups else {}
    if numbered_groups:  # pair by kind and members, not by a number that moves with the text's order
        free = {}
        for j, group in enumerate(after.groups):
            free.setdefault((group.kind, tuple(group.members)), []).append(j)
        for i, group in enumerate(before.groups):
            candidates = free.get((group.kind, members(group)))
            if candidates:
                group_pairs[i] = candidates.pop(0)
        if unnamed:  # then what is left, in order (as _pair does)
            _pair_rest_in_order(group_pairs, len(before.groups), len(after.groups))
    group_map: dict[str, str] = {}
    for i, group in enumerate(before.groups):
        if i in group_pairs:
            group_map[group.id] = after.groups[group_pairs[i]].id
    for i, group in enumerate(before.groups):
        if i not in group_pairs:
            out.append(Difference("group", group.id, "missing"))
            continue
        other = after.groups[group_pairs[i]]
        if not numbered_groups and other.id != group.id:
            out.append(Difference("group", group.id, f"id became {other.id!r}"))
        if group.kind != other.kind:
            out.append(Difference("group", group.id, f"kind {group.kind} became {other.kind}"))
        _text("group", group.id, "label", group.label, other.label, out)
        # A loop's members are in execution order; other regions are sets of nodes.
        same_members = (members(group) == tuple(other.members) if group.kind == "loop"
                        else sorted(map(str, members(group))) == sorted(other.members))
        if not same_members:
            out.append(Difference("group", group.id, f"members {group.members} became {other.members}"))
        if group.parent is not None and group_map.get(group.parent) != other.parent:
            out.append(Difference("group", group.id, f"parent {group.parent!r} became {other.parent!r}"))
        if group.lane is not None and lane_map.get(group.lane) != other.lane:
            out.append(Difference("group", group.id, f"lane {group.lane!r} became {other.lane!r}"))
        _attributes("group", group.id, group.attributes, other.attributes, out)
    return out


def unexplained(found: list[Difference], diagnostics: list[Diagnostic]) -> list[Difference]:
    """The differences no diagnostic names: an element's by its name (alone or in a group of
    names), the diagram's by a loss diagnostic about no element in particular."""
    named = set()
    diagram_level = False
    for diagnostic in diagnostics:
        if diagnostic.element is not None:
            named.add(diagnostic.element)
        named.update(diagnostic.elements)
        if diagnostic.is_loss and ((diagnostic.element is None and not diagnostic.elements)
                                   or diagnostic.element == "diagram"):
            diagram_level = True
    return [d for d in found if not (d.element in named if d.element is not None else diagram_level)]
