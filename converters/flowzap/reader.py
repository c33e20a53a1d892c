"""FlowZap Code → model. Lenient: every repair is a diagnostic (policy: docs/flowzap.md §2).

The scanner (``scanner.py``, built from the lark grammar ``flowzap.lark``) turns the text into one
token per statement with its line and column; this module decodes each token with one regular
expression and assembles lanes, then resolves references once every node is known (a node may be
used before it is declared).
"""
from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Diagnostics
from ..model import Diagram, Edge, EdgeStyle, Group, GroupKind, Lane, Node, NodeKind, Side
from ..model.diagram import infer_event_kinds
from ..suggest import ClosestNames
from .scanner import statement_of
from .syntax import CANONICAL_ID, NODE_KEYS, SHAPE_KIND, SHAPES, SIDES, unquote

# Decoders for the statement tokens the grammar has already recognised.
# The scanner has stripped each statement's trailing spaces, so no decoder needs a trailing
# ``[ \t]*$``: after a lazy ``.*?`` that made every run of spaces inside a label quadratic.
_LANE_OPEN = re.compile(r"(?P<id>[^\W\d]\w*+)[ \t]*\{[ \t]*(?:#[ \t]*(?P<label>.*))?")
_NODE = re.compile(r"(?P<id>[^\W\d]\w*+)[ \t]*:[ \t]*(?P<shape>[^\W\d]\w*+)(?P<attrs>.*)")
_NODE_ATTR = re.compile(r'[ \t]+(?P<key>[^\W\d]\w*+):(?P<value>"[^"\\\n]*(?:\\.[^"\\\n]*)*")')
_REF = (r"(?:(?P<{0}lane>[^\W\d]\w*+)\.(?!handle[ \t]*\())?(?P<{0}id>[^\W\d]\w*+)"
        r"(?:\.handle[ \t]*\([ \t]*(?P<{0}side>[^\W\d]\w*+)[ \t]*\))?")
_EDGE = re.compile(_REF.format("s") + r"[ \t]*->[ \t]*" + _REF.format("t") + r"(?P<attrs>.*)")
_EDGE_ATTR = re.compile(r'(?P<key>[^\W\d]\w*+)[ \t]*(?P<sep>[=:])[ \t]*(?P<value>"[^"\\\n]*(?:\\.[^"\\\n]*)*")')
# The two statements most lines are, in their usual form, classified and decoded by ONE match of
# the whole line (the scanner's alternation, then a decoder, are two): a node with a known shape
# and at most a plain label, and an edge with a handle on both ends, a lane prefix on the target
# at most and at most a plain label. Each is a strict subset of the grammar's NODE or EDGE
# terminal (no other statement terminal can match such a line first) that the decoders above
# read the same way, so a line matched here gives what the scanner and the handler would give;
# every other line goes through them. Group names ``sid``, ``tlane``, ``tid`` are the decoder's
# (``resolve`` takes columns from them).
_SIDE_WORD = "left|right|top|bottom"
_COMMON_LINE = re.compile(
    r"[ \t]*(?:"
    r'(?P<nid>[^\W\d]\w*+)[ \t]*:[ \t]*(?P<shape>circle|rectangle|diamond|taskbox)(?:[ \t]+label:"(?P<nlabel>[^"\\\n]*)")?'
    r"|"
    rf"(?P<sid>[^\W\d]\w*+)\.handle\((?P<sside>{_SIDE_WORD})\)[ \t]*->[ \t]*"
    rf"(?:(?P<tlane>[^\W\d]\w*+)\.)?(?P<tid>[^\W\d]\w*+)\.handle\((?P<tside>{_SIDE_WORD})\)"
    r'(?:[ \t]*\[label="(?P<elabel>[^"\\\n]*)"\])?'
    r")[ \t]*\Z"
)
# The canonical forms (what the FlowZap writer writes, and most hand-written lines), decoded for
# every line of the text by one ``findall``: a lane opening with its label, a node with a known
# shape and at most a plain label, an edge with a handle on both ends, a lane prefix on the target
# at most and at most a plain label, all with ASCII identifiers and single spaces. No branch can
# cross a newline and the last takes any line whole, so each line is one match (a text of N
# newlines gives N + 1 matches, the lines of ``text.split("\n")``; one more, empty, when the text
# does not end with a newline). Each form is a strict subset of the grammar's LANE_OPEN, NODE or
# EDGE terminal (no terminal before it in the scanner's order matches such a line) that the
# decoders above read the same way, so a line decoded here gives what the scanner and the
# handler would give; any other line comes back whole (the last group) for them. A one-letter
# group beside an optional label (``l`` of ``label``) tells "no label" from an empty one.
_ASCII_ID = r"[A-Za-z_][A-Za-z0-9_]*+"
_SIDE_WORDS = "(left|right|top|bottom)"
_CANONICAL = re.compile(
    rf"(?:({_ASCII_ID})(?:"
    r': (circle|rectangle|diamond|taskbox)(?: (l)abel:"([^"\\\n]*)"|)'
    rf"|\.handle\({_SIDE_WORDS}\) -> (?:({_ASCII_ID})\.|)({_ASCII_ID})\.handle\({_SIDE_WORDS}\)"
    r'(?: \[(l)abel="([^"\\\n]*)"\]|)'
    r"| \{ # (\S(?:[^\n]*\S|))"
    r")(?:\n|\Z)|(.*)(?:\n|\Z))"
)
_LOOP = re.compile(r"loop[ \t]*\[(?P<condition>[^\]\n]*)\](?P<members>.*)$")
_LOOP_MEMBER = re.compile(r"(?:(?P<lane>[^\W\d]\w*+)\.(?!handle[ \t]*\())?(?P<id>[^\W\d]\w*+)")

_SIDE = {side.value: side for side in Side}
_EVENT = NodeKind.EVENT
_CANONICAL_IDS = [f"n{number}" for number in range(1, 1001)]  # n1…n1000, made once


def _canonical_ids(count: int) -> list[str]:
    """n1…n``count``: the ids of a diagram in canonical form, in order."""
    return _CANONICAL_IDS[:count] if count <= len(_CANONICAL_IDS) else [f"n{k}" for k in range(1, count + 1)]

_MAX_SUGGESTED = 40  # longer words get no "did you mean" (no shape or side is near them anyway)

_EXPECTED = (
    'expected a node (n1: rectangle label:"Step"), an edge (n1.handle(right) -> n2.handle(left)), '
    "a loop (loop [condition] n1 n2), a lane (Lane { # Label) or }"
)


@dataclass(slots=True)
class _Ref:
    lane: str | None
    id: str
    side: str | None
    column: int


@dataclass(slots=True)
class _PendingLoop:
    members: list[_Ref]
    group: Group


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = Diagnostics()
        self.diagram = Diagram()
        self.lanes: dict[str, Lane] = {}
        self.nodes: dict[str, Node] = {}
        # Per edge: the Edge, the lane whose braces hold its line, the lane prefix and side of each
        # end, the statement's match (for columns; None for a line in canonical form) and its column.
        self.edges: list[tuple] = []
        self.loops: list[_PendingLoop] = []
        self.lane: Lane | None = None  # the lane whose braces are open
        self.lane_wants_label = False  # a lane opened without # label, no statement seen yet
        self.suggestions: ClosestNames | None = None  # built at the first unknown reference
        self.lines: list[str] | None = None  # the text's lines, split when ``line_text`` needs one

    # -- statements ------------------------------------------------------------------------
    def run(self) -> tuple[Diagram, list[Diagnostic]]:
        nodes, lanes, diagram_nodes, edges = self.nodes, self.lanes, self.diagram.nodes, self.edges
        new_node, new_edge, kind_of, side_of, solid = Node, Edge, SHAPE_KIND, _SIDE, EdgeStyle.SOLID
        for line, (first, shape, labelled, label, source_side, target_lane, target_id, target_side, edge_labelled,
                   edge_label, lane_label, other) in enumerate(_CANONICAL.findall(self.text), 1):
            lane = self.lane
            if lane is not None and not self.lane_wants_label:
                if shape:
                    if first not in nodes:
                        node = new_node(first, lane.id, kind_of[shape], label if labelled else None, shape, {}, line, 1)
                        nodes[first] = node
                        diagram_nodes.append(node)
                        continue
                elif source_side:
                    edge = new_edge(first, target_id, edge_label if edge_labelled else None, None, None, solid, None,
                                    {}, line, 1)
                    # No match for ``resolve``'s columns: it matches the line again if it reports.
                    edges.append((edge, lane.id, None, side_of[source_side], target_lane or None,
                                  side_of[target_side], None, 1))
                    continue
                elif other == "}":
                    self.lane = None
                    continue
            elif lane_label and lane is None and first not in lanes:
                lane = Lane(first, lane_label, line=line, column=1)
                lanes[first] = lane
                self.diagram.lanes.append(lane)
                self.lane = lane
                continue
            if first:  # a canonical line with something to report: the long way
                other = self.line_text(line)
            self.statement(other, line)
        if self.lane is not None:
            self.out.add("UNCLOSED_LANE", f"lane {self.lane.id!r} is opened here but never closed with }}",
                         line=self.lane.line, column=self.lane.column, element=self.lane.id)
            self.close_label_window()
        self.resolve()
        return self.diagram, self.out.items

    def line_text(self, line: int) -> str:
        """Line ``line`` (1-based) of the text, for a line the canonical decoding leaves to the rest."""
        if self.lines is None:
            self.lines = self.text.split("\n")
        return self.lines[line - 1]

    def statement(self, source: str, line: int) -> None:
        """Any line the canonical decoding did not take: the usual forms with other spacing by
        ``_COMMON_LINE``, everything else by the scanner and the statement handlers."""
        match = _COMMON_LINE.match(source)
        if match is not None and self.lane is not None and self.common_statement(match, line):
            return
        statement = statement_of(source)
        if statement is None:
            return  # a blank line
        kind, text, column = statement
        if self.lane_wants_label and kind != "HASH_LINE":
            self.close_label_window()
        _HANDLERS[kind](self, text, line, column)

    def common_statement(self, match: re.Match, line: int) -> bool:
        """A line ``_COMMON_LINE`` matched, inside a lane: the node or edge added as ``node`` or
        ``edge`` would add it, with nothing to report; False (nothing done) for a node id met
        before, which ``node`` reports."""
        node_id, shape, label, source_id, source_side, target_lane, target_id, target_side, edge_label = match.groups()
        if node_id is not None and node_id in self.nodes:
            return False
        if self.lane_wants_label:
            self.close_label_window()
        lane_id = self.lane.id
        if node_id is not None:
            node = Node(node_id, lane_id, SHAPE_KIND[shape], label, shape, {}, line, match.start("nid") + 1)
            self.nodes[node_id] = node
            self.diagram.nodes.append(node)
        else:
            edge = Edge(source_id, target_id, edge_label, None, None, EdgeStyle.SOLID, None, {}, line,
                        match.start("sid") + 1)
            # Columns in ``resolve`` are 1 + the group's start: the match is of the whole line.
            self.edges.append((edge, lane_id, None, _SIDE[source_side], target_lane, _SIDE[target_side], match, 1))
        return True

    def close_label_window(self) -> None:
        if self.lane_wants_label:
            lane = self.lane
            self.lane_wants_label = False
            self.out.add("MISSING_LANE_LABEL", f"lane {lane.id!r} has no # label; its id is used",
                         line=lane.line, column=lane.column, element=lane.id)

    def lane_open(self, text: str, line: int, column: int) -> None:
        match = _LANE_OPEN.match(text)
        lane_id, label = match.group("id"), match.group("label")
        if self.lane is not None:
            self.out.add("UNCLOSED_LANE", f"lane {self.lane.id!r} is opened here but never closed "
                         f"(lane {lane_id!r} starts at line {line})",
                         line=self.lane.line, column=self.lane.column, element=self.lane.id)
        if lane_id in self.lanes:
            first = self.lanes[lane_id]
            self.out.add("DUPLICATE_LANE_ID", f"lane {lane_id!r} is already declared at line {first.line}",
                         line=line, column=column, element=lane_id)
            self.lane = first
            return
        lane = Lane(lane_id, label if label else lane_id, line=line, column=column)
        self.lanes[lane_id] = lane
        self.diagram.lanes.append(lane)
        self.lane = lane
        self.lane_wants_label = not label

    def lane_close(self, text: str, line: int, column: int) -> None:
        if self.lane is None:
            self.out.add("UNMATCHED_BRACE", "} closes no lane", line=line, column=column)
        self.lane = None

    def hash_line(self, text: str, line: int, column: int) -> None:
        if self.lane_wants_label:
            self.lane_wants_label = False
            label = text[1:].strip()
            if label:
                self.lane.label = label
            self.out.add("LANE_LABEL_ON_NEXT_LINE", f"the label of lane {self.lane.id!r} belongs on its "
                         f"{{ line: {self.lane.id} {{ # {label}", line=line, column=column, element=self.lane.id)
            return
        self.out.add("LINE_COMMENT", "a # line that is no lane label, ignored", line=line, column=column)

    def slash_comment(self, text: str, line: int, column: int) -> None:
        self.out.add("LINE_COMMENT", "// comment ignored", line=line, column=column)

    def node(self, text: str, line: int, column: int) -> None:
        match = _NODE.match(text)
        node_id, shape, attrs = match.groups()
        lane = self.lane
        if lane is None:
            self.out.add("NODE_OUTSIDE_LANE", f"node {node_id!r} is declared outside every lane; "
                         "declare it inside Lane { … }", line=line, column=column, element=node_id)
            return
        kind = SHAPE_KIND.get(shape)
        if kind is None:  # not one of the four shapes as written: report, and read it as its nearest
            shape, kind = self.unusual_shape(node_id, shape, line, column + match.start("shape"))
        node = Node(node_id, lane.id, kind, None, shape, {}, line, column)
        if attrs:
            pairs = _NODE_ATTR.findall(attrs)
            if len(pairs) == 1 and pairs[0][0] == "label":  # the common case: one label, nothing to report
                node.label = unquote(pairs[0][1])
            else:
                self.node_attributes(node, attrs, line, column + match.start("attrs"))
        nodes = self.nodes
        existing = nodes.get(node_id)
        if existing is not None:
            self.out.add("DUPLICATE_NODE_ID", f"node {node_id!r} is already declared at line {existing.line}",
                         line=line, column=column, element=node_id)
            return
        nodes[node_id] = node
        self.diagram.nodes.append(node)

    def unusual_shape(self, node_id: str, shape: str, line: int, shape_column: int) -> tuple[str, NodeKind]:
        """The canonical shape and kind of a shape written in upper case or unknown (reported)."""
        canonical = shape.lower()
        if canonical not in SHAPES:
            close = (difflib.get_close_matches(canonical, SHAPES, n=1, cutoff=0.4) or [
                s for s in SHAPES if s.startswith(canonical[:3])
            ]) if len(canonical) <= _MAX_SUGGESTED else []
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.out.add("UNKNOWN_SHAPE", f"unknown shape {shape!r}{hint} (shapes: {', '.join(SHAPES)})",
                         line=line, column=shape_column, element=node_id)
            canonical = "rectangle"  # go on, to find the file's other errors
        else:
            self.out.add("UPPERCASE_KEYWORD", f"shape {shape!r} is written {canonical!r}",
                         line=line, column=shape_column, element=node_id)
        return canonical, SHAPE_KIND[canonical]

    def node_attributes(self, node: Node, attrs: str, line: int, offset: int) -> None:
        node_id = node.id
        for attr in _NODE_ATTR.finditer(attrs):
            key, value = attr.group("key"), unquote(attr.group("value"))
            key_column = offset + attr.start("key")
            if key == "label":
                if node.label is not None:
                    self.out.add("DUPLICATE_ATTRIBUTE", f"{node_id} has two labels; the last is kept",
                                 line=line, column=key_column, element=node_id)
                node.label = value
                continue
            if key not in NODE_KEYS:
                self.out.add("UNKNOWN_ATTRIBUTE", f"attribute {key!r} is not a FlowZap node key "
                             f"({', '.join(NODE_KEYS)}); kept", line=line, column=key_column, element=node_id)
            if key in node.attributes:
                self.out.add("DUPLICATE_ATTRIBUTE", f"{node_id} has {key!r} twice; the last is kept",
                             line=line, column=key_column, element=node_id)
            node.attributes[key] = value

    def edge(self, text: str, line: int, column: int) -> None:
        match = _EDGE.match(text)
        source_lane, source_id, source_side, target_lane, target_id, target_side, attrs = match.groups()
        source_side, target_side = _SIDE.get(source_side), _SIDE.get(target_side)
        if source_side is None or target_side is None:  # a side missing or misspelt: checked and reported now
            source_side = _SIDE.get(self.ref(match, "s", column, line).side)
            target_side = _SIDE.get(self.ref(match, "t", column, line).side)
        edge = Edge(source_id, target_id, None, None, None, EdgeStyle.SOLID, None, {}, line, column)
        if attrs:
            pairs = _EDGE_ATTR.findall(text, match.start("attrs"))
            if len(pairs) == 1 and pairs[0][0] == "label" and pairs[0][1] == "=":  # the common case
                edge.label = unquote(pairs[0][2])
                attrs = None
        if attrs:
            for attr in _EDGE_ATTR.finditer(text, match.start("attrs")):
                key, separator, value = attr.groups()
                value = unquote(value)
                if separator == ":":
                    self.out.add("LEGACY_EDGE_LABEL", f'[{key}:"…"] is read as [{key}="…"]',
                                 line=line, column=column + attr.start("key"))
                if key == "label":
                    edge.label = value
                else:
                    self.out.add("UNKNOWN_ATTRIBUTE", f"edge attribute {key!r} is not FlowZap's (label); kept",
                                 line=line, column=column + attr.start("key"))
                    edge.attributes[key] = value
        lane = self.lane
        if lane is None:
            self.out.add("STATEMENT_OUTSIDE_LANE", "edge written outside the lanes; it belongs in its "
                         "source node's lane", line=line, column=column)
        # References are resolved once every node is known; the match gives their columns then.
        self.edges.append((edge, lane.id if lane else None, source_lane, source_side, target_lane, target_side,
                           match, column))

    def ref(self, match: re.Match, end: str, column: int, line: int) -> _Ref:
        """The source (``end`` = "s") or target ("t") of an edge match."""
        side = match.group(end + "side")
        if side is not None and side not in SIDES:
            side_column = column + match.start(end + "side")
            lower = side.lower()
            if lower in SIDES:
                self.out.add("UPPERCASE_KEYWORD", f"side {side!r} is written {lower!r}", line=line, column=side_column)
            else:
                close = difflib.get_close_matches(lower, SIDES, n=1) if len(lower) <= _MAX_SUGGESTED else []
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.out.add("SYNTAX_ERROR", f"unknown side {side!r}{hint} (sides: {', '.join(SIDES)})",
                             line=line, column=side_column)
            side = lower if lower in SIDES else None
        lane = match.group(end + "lane")
        return _Ref(lane, match.group(end + "id"), side, column + match.start(end + ("lane" if lane else "id")))

    def loop(self, text: str, line: int, column: int) -> None:
        match = _LOOP.match(text)
        members = [
            _Ref(m.group("lane"), m.group("id"), None, column + match.start("members") + m.start())
            for m in _LOOP_MEMBER.finditer(match.group("members"))
        ]
        condition = match.group("condition").strip()
        group = Group(f"loop{len(self.loops) + 1}", GroupKind.LOOP, condition or None,
                      lane=self.lane.id if self.lane else None, line=line, column=column)
        if self.lane is None:
            self.out.add("STATEMENT_OUTSIDE_LANE", "loop written outside the lanes; it belongs inside one",
                         line=line, column=column, element=group.id)
        if len(members) < 2:
            self.out.add("LOOP_TOO_SHORT", f"a loop needs at least two nodes, this one has {len(members)}",
                         line=line, column=column, element=group.id)
        self.loops.append(_PendingLoop(members, group))

    def bad_line(self, text: str, line: int, column: int) -> None:
        if text.count("->") > 1:
            self.out.add("CHAINED_EDGE", "FlowZap has one edge per line: write a -> b and b -> c on "
                         "separate lines, each with .handle(side) on both ends", line=line, column=column)
            return
        if text.startswith("{") or (text.endswith("{") and not text.startswith("loop")):
            message = "a lane starts with an identifier: Lane { # Label"
        elif "->" in text:
            message = 'malformed edge; expected nA.handle(side) -> nB.handle(side) [label="text"]'
        elif re.match(r"[^\W\d]\w*+[ \t]*:", text):
            message = ('malformed node; expected nK: shape key:"value" with no space around ":" '
                       'and the value in double quotes')
        elif text.startswith("loop"):
            message = "malformed loop; expected loop [condition] nA nB"
        else:
            message = _EXPECTED
        self.out.add("SYNTAX_ERROR", message, line=line, column=column)

    # -- references, once every node is known ------------------------------------------------
    def resolve(self) -> None:
        nodes, edges = self.nodes, self.diagram.edges
        for edge, written_in, source_lane, source_side, target_lane, target_side, match, column in self.edges:
            source = nodes.get(edge.source)
            target = nodes.get(edge.target)
            # The common case, with nothing to report: both nodes known, no prefix on the source, the
            # edge in its source's lane, and a prefix on the target exactly when it is in another lane.
            if (source is not None and target is not None and source_lane is None
                    and (written_in is None or written_in == source.lane)
                    and (target.lane == source.lane if target_lane is None
                         else target_lane == target.lane != source.lane)):
                edge.source_side, edge.target_side = source_side, target_side
                if source_side is None or target_side is None:
                    self.missing_handle(edge, source, target)
                edges.append(edge)
                continue
            if match is None:  # a line in canonical form: the statement matched again for its columns
                match = _EDGE.match(self.line_text(edge.line))
            source = self.resolve_ref(_Ref(source_lane, edge.source, None, column + match.start(
                "slane" if source_lane else "sid")), None, edge)
            target = self.resolve_ref(_Ref(target_lane, edge.target, None, column + match.start(
                "tlane" if target_lane else "tid")), source, edge)
            if source is None or target is None:
                continue
            if written_in is not None and written_in != source.lane:
                self.out.add("STATEMENT_OUTSIDE_LANE", f"edge from {source.id} is written in lane "
                             f"{written_in!r}; it belongs in {source.lane!r}",
                             line=edge.line, column=edge.column)
            edge.source_side, edge.target_side = source_side, target_side
            if source_side is None or target_side is None:
                self.missing_handle(edge, source, target)
            edges.append(edge)
        for pending in self.loops:
            group = pending.group
            for ref in pending.members:
                node = self.resolve_ref(ref, None, None, loop=group)
                if node is not None:
                    group.members.append(node.id)
            if group.lane is None and group.members:
                group.lane = self.nodes[group.members[0]].lane
            self.diagram.groups.append(group)
        self.check_ids()
        # the circles (read as EVENT, the only shape that is), by identity: cheaper than the kind set
        infer_event_kinds(self.diagram, [node for node in self.diagram.nodes if node.kind is _EVENT])

    def missing_handle(self, edge: Edge, source: Node, target: Node) -> None:
        self.out.add("MISSING_HANDLE", f"edge {source.id} -> {target.id} has no .handle(side) on "
                     "an end; the side is chosen by layout", line=edge.line, column=edge.column)

    def resolve_ref(self, ref: _Ref, source: Node | None, edge: Edge | None, loop: Group | None = None) -> Node | None:
        node = self.nodes.get(ref.id)
        line = edge.line if edge else loop.line
        if node is None:
            close = None
            if not self.out.over_limit("UNKNOWN_NODE"):  # past the limit only a count is kept
                if self.suggestions is None:
                    self.suggestions = ClosestNames(self.nodes)
                close = self.suggestions.closest(ref.id)
            hint = f"; did you mean {close!r}?" if close else ""
            what = "edge" if edge else "loop"
            self.out.add("UNKNOWN_NODE", f"{what} names node {ref.id!r}, which is not declared{hint}",
                         line=line, column=ref.column, element=ref.id)
            return None
        if ref.lane is not None:
            if ref.lane != node.lane:
                self.out.add("WRONG_LANE_PREFIX", f"{ref.lane}.{ref.id}: node {ref.id!r} is in lane "
                             f"{node.lane!r}, not {ref.lane!r}", line=line, column=ref.column, element=ref.id)
            elif loop is not None or source is None or source.lane == node.lane:
                self.out.add("REDUNDANT_LANE_PREFIX", f"{ref.lane}.{ref.id}: no lane prefix is needed here",
                             line=line, column=ref.column, element=ref.id)
        elif source is not None and source.lane != node.lane:
            self.out.add("MISSING_LANE_PREFIX", f"{ref.id} is in lane {node.lane!r}; write "
                         f"{node.lane}.{ref.id}", line=line, column=ref.column, element=ref.id)
        return node

    def check_ids(self) -> None:
        """Canonical ids (every one ``n<k>``) give the model's node order: the writer numbers nodes
        in model order, so a sequence diagram's steps come back in time order (docs/sequence.md)."""
        nodes = self.diagram.nodes
        if [node.id for node in nodes] == _canonical_ids(len(nodes)):
            return  # n1…nN in order (what the writer writes): nothing to reorder or report
        numbers = []
        for node in nodes:
            match = CANONICAL_ID.match(node.id)
            if match is None:
                numbers = None
                self.out.add("NONCANONICAL_ID", f"node id {node.id!r} is not of the form nK; "
                             "the writer renumbers ids n1…nN", line=node.line, column=node.column, element=node.id)
                break
            numbers.append(int(match.group(1)))
        if numbers is None:
            return
        if any(a > b for a, b in itertools.pairwise(numbers)):
            order = sorted(range(len(numbers)), key=numbers.__getitem__)
            self.diagram.nodes = [self.diagram.nodes[i] for i in order]
            numbers = [numbers[i] for i in order]
        if numbers and numbers != list(range(1, len(numbers) + 1)):
            self.out.add("NONCANONICAL_ID", "node ids have gaps; the writer renumbers them n1…nN",
                         line=self.diagram.nodes[0].line)


_HANDLERS = {
    "LANE_OPEN": _Reader.lane_open,
    "LANE_CLOSE": _Reader.lane_close,
    "NODE": _Reader.node,
    "EDGE": _Reader.edge,
    "LOOP": _Reader.loop,
    "HASH_LINE": _Reader.hash_line,
    "SLASH_COMMENT": _Reader.slash_comment,
    "BAD_LINE": _Reader.bad_line,
}


def read(text: str) -> tuple[Diagram, list[Diagnostic]]:
    """Reads FlowZap Code: the model and every diagnostic, errors included (the API raises)."""
    return read_with(_Reader(text))


def read_with(reader: _Reader) -> tuple[Diagram, list[Diagnostic]]:
    """What ``read`` does with its reader (tests/flowzap_reader_reference.py passes another loop)."""
    diagram, diagnostics = reader.run()
    if not diagram.lanes and not reader.out.has_errors():
        reader.out.add("EMPTY_DIAGRAM", "no lane found; a FlowZap diagram is one or more Lane { … } blocks",
                       line=1, column=1)
        diagnostics = reader.out.items
    return diagram, diagnostics
