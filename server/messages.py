"""Library objects ⇄ protobuf messages: diagnostics, formats and the shared model.

Enum values pair up by name (``NodeKind.USER_TASK`` ⇄ ``NODE_KIND_USER_TASK``), so the tables are
built from the model's enums; tests/test_service_messages.py fails when the model gains a value
the proto lacks.
"""
from __future__ import annotations

from converters import CODES, Diagnostic, Severity
from converters.errors import InputError
from converters.formats import Format
from converters.model import Diagram, Edge, EdgeStyle, Group, Lane, Node, NodeKind, Side

from .gen.flowzap.converter.v1 import converter_service_pb2 as api
from .gen.flowzap.converter.v1 import diagnostic_pb2 as diag_pb
from .gen.flowzap.converter.v1 import diagram_pb2 as model_pb

DIRECTIONS = ("LR", "RL", "TB", "BT")


def _enum_table(model_enum, proto_enum, prefix: str) -> dict:
    return {member: proto_enum.Value(f"{prefix}{member.name}") for member in model_enum}


SEVERITIES = _enum_table(Severity, diag_pb.Severity, "SEVERITY_")
NODE_KINDS = _enum_table(NodeKind, model_pb.NodeKind, "NODE_KIND_")
SIDES = _enum_table(Side, model_pb.Side, "SIDE_")
EDGE_STYLES = _enum_table(EdgeStyle, model_pb.EdgeStyle, "EDGE_STYLE_")
DIRECTION_VALUES = {name: model_pb.Direction.Value(f"DIRECTION_{name}") for name in DIRECTIONS}

_NODE_KIND_OF = {value: member for member, value in NODE_KINDS.items()}
_SIDE_OF = {value: member for member, value in SIDES.items()}
_EDGE_STYLE_OF = {value: member for member, value in EDGE_STYLES.items()}
_DIRECTION_OF = {value: name for name, value in DIRECTION_VALUES.items()}

# LossPolicy enum value → the library's policy name; UNSPECIFIED is the library's default.
LOSS_POLICIES = {
    api.LOSS_POLICY_UNSPECIFIED: "warn",
    api.LOSS_POLICY_IGNORE: "ignore",
    api.LOSS_POLICY_WARN: "warn",
    api.LOSS_POLICY_FAIL: "fail",
}


# -- diagnostics -----------------------------------------------------------------------------

# A response lists at most this many diagnostics of one code, then one DIAGNOSTICS_SUMMARISED
# giving the count of the rest: 800,000 comment lines must not make a response (tens of MB) that
# no client with gRPC's default 4 MiB receive limit can take.
MAX_PER_CODE = 100
MAX_TEXT = 1000  # characters of one diagnostic's message and element


def _short(text: str | None) -> str:
    if not text:
        return ""
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def diagnostic_message(d: Diagnostic) -> diag_pb.Diagnostic:
    return diag_pb.Diagnostic(
        code=d.code,
        severity=SEVERITIES[d.severity],
        message=_short(d.message),
        line=d.line or 0,
        column=d.column or 0,
        element=_short(d.element),
        loss=d.is_loss,
    )


def diagnostic_messages(items: list[Diagnostic]) -> list[diag_pb.Diagnostic]:
    if len(items) <= MAX_PER_CODE:
        return [diagnostic_message(d) for d in items]
    kept: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for d in items:
        count = seen[d.code] = seen.get(d.code, 0) + 1
        if count <= MAX_PER_CODE:
            kept.append(d)
    for code, count in seen.items():
        if count > MAX_PER_CODE:
            kept.append(make_diagnostic(
                "DIAGNOSTICS_SUMMARISED", f"{count - MAX_PER_CODE} more {code} diagnostics not listed "
                f"({count} in all; the first {MAX_PER_CODE} are)", element=code))
    return [diagnostic_message(d) for d in kept]


def make_diagnostic(code: str, message: str, element: str | None = None) -> Diagnostic:
    """A diagnostic the server itself reports (size limits, malformed model messages)."""
    return Diagnostic(code, CODES[code].severity, message, element=element)


# -- formats ---------------------------------------------------------------------------------

def format_message(fmt: Format) -> api.Format:
    return api.Format(
        name=fmt.name,
        title=fmt.title,
        extensions=list(fmt.extensions),
        aliases=list(fmt.aliases),
        can_read=fmt.can_read,
        can_write=fmt.can_write,
        writer_options=[
            api.WriterOption(name=o.name, default_value=o.default, help=o.help, allowed_values=list(o.choices or ()))
            for o in fmt.options
        ],
        media_type=fmt.media_type,
        description=fmt.description,
        origin=fmt.origin,
    )


# -- the model -------------------------------------------------------------------------------

def _position(element) -> model_pb.SourcePosition | None:
    if element.line is None:
        return None
    return model_pb.SourcePosition(line=element.line, column=element.column or 0)


def _optional(**fields) -> dict:
    """Keeps the fields that are set: unset proto3 ``optional`` fields stay absent."""
    return {k: v for k, v in fields.items() if v is not None}


def diagram_message(diagram: Diagram) -> model_pb.Diagram:
    return model_pb.Diagram(
        **_optional(title=diagram.title),
        direction=DIRECTION_VALUES.get(diagram.direction, model_pb.DIRECTION_UNSPECIFIED),
        lanes=[
            model_pb.Lane(id=lane.id, attributes=lane.attributes, position=_position(lane),
                          **_optional(label=lane.label))
            for lane in diagram.lanes
        ],
        nodes=[
            model_pb.Node(id=n.id, lane=n.lane, kind=NODE_KINDS[n.kind], attributes=n.attributes,
                          position=_position(n), **_optional(label=n.label, shape=n.shape))
            for n in diagram.nodes
        ],
        edges=[
            model_pb.Edge(
                source=e.source, target=e.target,
                source_side=SIDES[e.source_side] if e.source_side else model_pb.SIDE_UNSPECIFIED,
                target_side=SIDES[e.target_side] if e.target_side else model_pb.SIDE_UNSPECIFIED,
                style=EDGE_STYLES[e.style], attributes=e.attributes, position=_position(e),
                **_optional(label=e.label, id=e.id),
            )
            for e in diagram.edges
        ],
        groups=[
            model_pb.Group(id=g.id, kind=g.kind, members=list(g.members), attributes=g.attributes,
                           position=_position(g), **_optional(label=g.label, lane=g.lane, parent=g.parent))
            for g in diagram.groups
        ],
        attributes=diagram.attributes,
    )


class _EnumReader:
    """Reads enum fields of a caller's model message; an unknown value (a newer client, or a
    hand-built message) becomes an INVALID_VALUE diagnostic instead of a crash."""

    def __init__(self) -> None:
        self.problems: list[Diagnostic] = []

    def read(self, table: dict, value: int, default, where: str, element: str | None):
        if value == 0:
            return default
        if value in table:
            return table[value]
        self.problems.append(make_diagnostic("INVALID_VALUE", f"{where}: unknown enum value {value}", element))
        return default


def _get(message, name: str) -> str | None:
    return getattr(message, name) if message.HasField(name) else None


def diagram_from_message(message: model_pb.Diagram) -> Diagram:
    """The library's model from a caller's message; raises InputError for enum values the
    model does not know. Structural checks (dangling references, duplicate ids) are the
    library's, when the model is written."""
    enums = _EnumReader()
    diagram = Diagram(
        title=_get(message, "title"),
        direction=enums.read(_DIRECTION_OF, message.direction, "LR", "diagram.direction", None),
        lanes=[Lane(id=lane.id, label=_get(lane, "label"), attributes=dict(lane.attributes)) for lane in message.lanes],
        nodes=[
            Node(id=n.id, lane=n.lane, label=_get(n, "label"), shape=_get(n, "shape"), attributes=dict(n.attributes),
                 kind=enums.read(_NODE_KIND_OF, n.kind, NodeKind.TASK, f"diagram.nodes[{i}].kind", n.id))
            for i, n in enumerate(message.nodes)
        ],
        edges=[
            Edge(
                source=e.source, target=e.target, label=_get(e, "label"), id=_get(e, "id"),
                attributes=dict(e.attributes),
                source_side=enums.read(_SIDE_OF, e.source_side, None, f"diagram.edges[{i}].source_side", e.id or None),
                target_side=enums.read(_SIDE_OF, e.target_side, None, f"diagram.edges[{i}].target_side", e.id or None),
                style=enums.read(_EDGE_STYLE_OF, e.style, EdgeStyle.SOLID, f"diagram.edges[{i}].style", e.id or None),
            )
            for i, e in enumerate(message.edges)
        ],
        groups=[
            Group(id=g.id, kind=g.kind or "loop", label=_get(g, "label"), members=list(g.members),
                  lane=_get(g, "lane"), parent=_get(g, "parent"), attributes=dict(g.attributes))
            for g in message.groups
        ],
        attributes=dict(message.attributes),
    )
    if enums.problems:
        raise InputError(enums.problems, "model")
    return diagram


def summary_message(summary: dict[str, int]) -> api.DiagramSummary:
    return api.DiagramSummary(**{k: summary.get(k, 0) for k in ("lanes", "nodes", "edges", "groups")})
