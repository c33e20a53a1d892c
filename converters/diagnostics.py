"""Diagnostics: every problem a reader, a check or a writer finds, with a stable code.

One table (``CODES``) gives each code its severity, whether it reports a loss (something a writer
dropped or changed), and a one-line summary; the severity of a code never varies, so scripts can
rely on it. Codes are UPPER_SNAKE and never renamed once released.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class CodeInfo:
    severity: Severity
    summary: str
    loss: bool = False


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

CODES: dict[str, CodeInfo] = {
    # -- input that cannot be read (any format) --------------------------------------------
    "INVALID_ENCODING": CodeInfo(E, "the text is not valid UTF-8"),
    "CONTROL_CHARACTER": CodeInfo(E, "the text holds a control character"),
    "SYNTAX_ERROR": CodeInfo(E, "a line or token the format does not allow"),
    "EMPTY_DIAGRAM": CodeInfo(E, "the text holds no diagram"),
    "INPUT_TOO_LARGE": CodeInfo(E, "the diagram is larger than the configured limit"),
    # -- FlowZap Code ----------------------------------------------------------------------
    "UNKNOWN_SHAPE": CodeInfo(E, "a node shape that is not circle, rectangle, diamond or taskbox"),
    "UNKNOWN_NODE": CodeInfo(E, "an edge or loop names a node that is not declared"),
    "DUPLICATE_NODE_ID": CodeInfo(E, "a node id declared twice"),
    "DUPLICATE_LANE_ID": CodeInfo(E, "a lane id used by two lanes"),
    "UNCLOSED_LANE": CodeInfo(E, "a lane opened with { is never closed"),
    "UNMATCHED_BRACE": CodeInfo(E, "a } with no open lane"),
    "WRONG_LANE_PREFIX": CodeInfo(E, "a lane prefix names a lane the node is not in"),
    "CHAINED_EDGE": CodeInfo(E, "several arrows on one line (a -> b -> c)"),
    "LOOP_TOO_SHORT": CodeInfo(E, "a loop needs at least two nodes"),
    "NODE_OUTSIDE_LANE": CodeInfo(E, "a node declared outside every lane"),
    "LEGACY_EDGE_LABEL": CodeInfo(W, "[label:\"x\"] on an edge, read as [label=\"x\"]"),
    "LANE_LABEL_ON_NEXT_LINE": CodeInfo(W, "the lane's # label is on the line after {"),
    "MISSING_LANE_LABEL": CodeInfo(I, "a lane without # label; its id is its label"),
    "LINE_COMMENT": CodeInfo(I, "a // comment line, ignored"),
    "STATEMENT_OUTSIDE_LANE": CodeInfo(W, "an edge or loop written outside the lanes"),
    "REDUNDANT_LANE_PREFIX": CodeInfo(I, "a lane prefix where none is needed"),
    "MISSING_LANE_PREFIX": CodeInfo(W, "a target in another lane without its lane prefix"),
    "NONCANONICAL_ID": CodeInfo(I, "node ids are not n1…nN; the writer renumbers them"),
    "UPPERCASE_KEYWORD": CodeInfo(W, "an upper-case shape or side name"),
    "MISSING_HANDLE": CodeInfo(W, "an edge end without .handle(side); the side is chosen by layout"),
    "UNKNOWN_ATTRIBUTE": CodeInfo(W, "an attribute key the format does not define; kept"),
    "DUPLICATE_ATTRIBUTE": CodeInfo(W, "an attribute given twice; the last one is kept"),
    # -- Mermaid ---------------------------------------------------------------------------
    "UNSUPPORTED_DIAGRAM": CodeInfo(E, "a Mermaid diagram type this library does not read"),
    "EDGE_TO_SUBGRAPH": CodeInfo(W, "a Mermaid edge ends on a subgraph; it is attached to a node of it"),
    "NODES_OUTSIDE_SUBGRAPHS": CodeInfo(I, "Mermaid nodes outside every subgraph, placed in their own lane"),
    "INVALID_EDGE_HEADS": CodeInfo(W, "a Mermaid edge whose two ends disagree; mermaid draws a plain line"),
    "MERMAID_LIMIT": CodeInfo(W, "the diagram is larger than mermaid draws by default"),
    "IGNORED_STATEMENT": CodeInfo(W, "a statement the model has no place for (a Mermaid activation); left out"),
    "REPEATED_SUBGRAPH": CodeInfo(W, "two Mermaid subgraph blocks with one id; read as one subgraph"),
    # -- Mermaid reading (converters/mermaid: preprocess, reader; issues 8 and 11) -----------
    "UNTERMINATED_DIRECTIVE": CodeInfo(W, "a Mermaid %%{ directive never closed with }%%: mermaid ignores it and "
                                          "the rest of the text, and so does the reader"),
    "UNENCODABLE_ENTITY": CodeInfo(W, "a Mermaid entity code for a character no text can carry (a control, a "
                                      "surrogate, a noncharacter, #0;): read as U+FFFD"),
    # -- model checks (any format, and YAML documents) -------------------------------------
    "DANGLING_REFERENCE": CodeInfo(E, "a reference to an element that does not exist"),
    "DUPLICATE_ID": CodeInfo(E, "two elements of one kind share an id"),
    "INVALID_VALUE": CodeInfo(E, "a value of the wrong type or outside the allowed values"),
    "UNKNOWN_FIELD": CodeInfo(E, "a field the format does not define"),
    "MISSING_FIELD": CodeInfo(E, "a required field is missing"),
    "DUPLICATE_KEY": CodeInfo(E, "a mapping key given twice"),
    "UNSUPPORTED_VERSION": CodeInfo(E, "a document version this library cannot read"),
    # -- losses: a writer could not carry something ----------------------------------------
    "DROPPED_ATTRIBUTE": CodeInfo(W, "attributes the target format cannot carry", loss=True),
    "DROPPED_GROUP": CodeInfo(W, "a group the target format cannot draw", loss=True),
    "DROPPED_EDGE_STYLE": CodeInfo(W, "an edge style the target format cannot draw", loss=True),
    "DROPPED_EDGE_SIDES": CodeInfo(W, "edge attachment sides the target format cannot carry", loss=True),
    "DROPPED_EDGE_ID": CodeInfo(I, "an edge id the target format cannot carry", loss=True),
    "DROPPED_TITLE": CodeInfo(W, "a diagram title the target format cannot carry", loss=True),
    "DROPPED_DIRECTION": CodeInfo(W, "a diagram direction the target format cannot carry", loss=True),
    "DROPPED_EDGE": CodeInfo(W, "an edge the target view cannot show", loss=True),
    "DROPPED_NODE": CodeInfo(W, "a node the target view cannot show", loss=True),
    "CHANGED_KIND": CodeInfo(W, "a node meaning the target format draws as a nearer one", loss=True),
    "CHANGED_LABEL": CodeInfo(W, "a label the target format had to change", loss=True),
    "RENAMED_ID": CodeInfo(I, "an id the target format does not allow, renamed", loss=True),
    # -- BPMN 2.0 XML (converters/bpmn) ----------------------------------------------------
    "XML_DTD_FORBIDDEN": CodeInfo(E, "a DTD or entity declaration in XML input; refused before parsing"),
    "NOT_BPMN": CodeInfo(E, "the XML root is not BPMN 2.0 <definitions>"),
    "UNKNOWN_ELEMENT": CodeInfo(E, "an element in the BPMN namespace that BPMN 2.0 does not define"),
    "LANE_CONFLICT": CodeInfo(E, "a flow node listed in two lanes"),
    "CROSS_POOL_FLOW": CodeInfo(E, "a sequence flow between two pools (only message flows may cross)"),
    "CROSS_SCOPE_FLOW": CodeInfo(E, "a sequence flow between a sub-process and its parent"),
    "LINK_EVENT_AMBIGUOUS": CodeInfo(E, "several link catch events share a name in one scope"),
    "LINK_EVENT_UNPAIRED": CodeInfo(W, "a link throw event with no catch event of its name"),
    "NODE_WITHOUT_LANE": CodeInfo(W, "a flow node in no lane of a pool that has lanes; placed in one"),
    "MESSAGE_FLOW_TO_POOL": CodeInfo(I, "a message flow ending on a pool: the pool stands as a node of its lane"),
    "ARTIFACT_DROPPED": CodeInfo(W, "an association or artifact the model cannot hold; not kept"),
    "NO_PROCESS": CodeInfo(W, "BPMN definitions with no process and no pool"),
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    line: int | None = None
    column: int | None = None
    element: str | None = None

    @property
    def is_loss(self) -> bool:
        info = CODES.get(self.code)
        return bool(info and info.loss)

    def format(self, filename: str = "<input>") -> str:
        """``FILE:LINE:COL: severity: CODE: message`` (compiler style, for terminals and editors)."""
        where = filename
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        element = f" [{self.element}]" if self.element else ""
        return f"{where}: {self.severity.value}: {self.code}: {self.message}{element}"

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "element": self.element,
        }


class Diagnostics:
    """Collects diagnostics while a reader, check or writer runs."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(
        self,
        code: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        element: str | None = None,
    ) -> Diagnostic:
        info = CODES[code]  # an unknown code is a bug in this library: fail loudly in tests
        diagnostic = Diagnostic(code, info.severity, message, line, column, element)
        self.items.append(diagnostic)
        return diagnostic

    def extend(self, diagnostics) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def raise_if_errors(self, format_name: str | None = None) -> None:
        if self.has_errors():
            from .errors import InputError

            raise InputError(sorted_diagnostics(self.items), format_name=format_name)


def sorted_diagnostics(items: list[Diagnostic]) -> list[Diagnostic]:
    """In reading order: by line, then column; diagnostics without a position keep their place
    at the end, in the order they were found."""
    big = 1 << 62
    return sorted(items, key=lambda d: (d.line if d.line is not None else big, d.column or 0))
