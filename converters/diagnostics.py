"""Diagnostics: every problem a reader, a check or a writer finds, with a stable code.

One table (``CODES``) gives each code its severity, whether it reports a loss (something a writer
dropped or changed), and a one-line summary; the severity of a code never varies, so scripts can
rely on it. Codes are UPPER_SNAKE and never renamed once released.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .limits import current as _current_limits


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
    # -- text no format may carry (converters/text.py) -------------------------------------
    "NONCHARACTER": CodeInfo(E, "the text holds U+FFFE or U+FFFF, which XML and many tools refuse"),
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
    "MIXED_MARKUP": CodeInfo(W, "a Mermaid label with HTML tags and entity-coded ones (#lt;br/#gt;): the model "
                               "keeps one markup flag per label, so the entity-coded tags will be written as tags"),
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
    # -- losses of the Mermaid writer (converters/mermaid; issue 8) -----------------------------
    "CHANGED_LANE": CodeInfo(W, "a node or group the target format reads back in another lane", loss=True),
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
    # -- BPMN: faults modellers export that the file can still be read with (issue 8) ------
    "SEQUENCE_FLOW_ACROSS_POOLS": CodeInfo(W, "a BPMN sequence flow between two pools: read as an edge, written "
                                              "back as a message flow"),
    "SEQUENCE_FLOW_ACROSS_SCOPES": CodeInfo(W, "a BPMN sequence flow between a sub-process and its parent: read "
                                               "as an edge"),
    "NODE_IN_TWO_LANES": CodeInfo(W, "a BPMN flow node listed in two lanes: kept in the first"),
    "PROCESS_IN_TWO_POOLS": CodeInfo(W, "two BPMN participants refer to one process: the later one is read as a "
                                        "black-box pool"),
    "LINK_CATCH_AMBIGUOUS": CodeInfo(W, "several BPMN link catch events share a name in one scope"),
    "UNKNOWN_BPMN_ELEMENT": CodeInfo(W, "an element in the BPMN namespace that BPMN 2.0 does not define: left out"),
    "DUPLICATE_ELEMENT_ID": CodeInfo(W, "two BPMN elements share an id: the later one is read under a new id"),
    "UNRESOLVED_REFERENCE": CodeInfo(W, "a BPMN reference to an element that does not exist or cannot stand "
                                        "there: the reference is left out"),
    "MISSING_ELEMENT_ID": CodeInfo(W, "a BPMN flow element without an id: read under a new one"),
    "INVALID_DI": CodeInfo(W, "BPMN diagram interchange bounds that are not numbers: ignored"),
    "SPLIT_DATA_ASSOCIATION": CodeInfo(W, "a BPMN data association with several sources: one edge per source"),
    "INVALID_FZ_META": CodeInfo(W, "a value in this converter's fz:meta extension that it never writes: ignored"),
    "CHANGED_XML_FRAGMENT": CodeInfo(W, "a bpmn.* attribute whose XML is not well-formed: kept in fz:meta, not "
                                        "written as BPMN", loss=True),
    # -- one-input conversion and migration (converters/migrate) ------------------------------
    "FORMAT_HINT": CodeInfo(I, "the content looks like another format than its extension says"),
    "NO_READER": CodeInfo(W, "a diagram in a format no reader is registered for; left unchanged"),
    "BLOCK_NOT_REWRITABLE": CodeInfo(W, "a Markdown diagram block that cannot be rewritten in place; left unchanged"),
    "UNCONVERTED_BLOCK": CodeInfo(W, "a Markdown block that looked like a diagram but did not read; left unchanged"),
    "UNSAFE_PATH": CodeInfo(E, "a source path that would be written outside the destination; refused"),
    "OUTPUT_COLLISION": CodeInfo(E, "two sources would write one output (also when names differ only in case)"),
    "IO_ERROR": CodeInfo(E, "a file that could not be read or written"),
    "REMOTE_FAILURE": CodeInfo(E, "the converter servers could not convert the item (deadline, transport)"),
    # -- the gRPC service (server/) --------------------------------------------------------
    "UNENCODABLE_TEXT": CodeInfo(E, "text UTF-8 cannot carry (a lone surrogate, e.g. from a character reference)"),
    "REPLACED_TEXT": CodeInfo(W, "a response's text held code points UTF-8 cannot carry; replaced with U+FFFD"),
    "DIAGNOSTICS_SUMMARISED": CodeInfo(I, "more diagnostics of one code than a response lists; counted in one"),
    # -- PlantUML (converters/plantuml) ----------------------------------------------------
    "PLANTUML_DIAGRAM_TYPE": CodeInfo(E, "a PlantUML diagram that is neither an activity nor a sequence diagram"),
    "PLANTUML_UNCLOSED": CodeInfo(W, "a PlantUML block or action never closed; read as PlantUML draws it"),
    # (helper plantuml, session 6: colours as PlantUML 1.2026.8 draws them)
    "PLANTUML_DEPRECATED_COLOR": CodeInfo(W, "an action coloured by the old #colour: prefix, which PlantUML "
                                          "1.2026.8 ignores (it joins the action to the next lines); read coloured"),
    "PLANTUML_NO_SUCH_COLOR": CodeInfo(E, "a colour PlantUML does not know; PlantUML refuses the diagram"),
    "PLANTUML_LATE_SWIMLANE": CodeInfo(E, "a swimlane after boxes drawn outside swimlanes; PlantUML refuses it"),
    "PLANTUML_SWITCH_WITHOUT_CASE": CodeInfo(E, "an action (or detach/kill) in a switch before its first case; "
                                             "PlantUML refuses it"),
    "PLANTUML_INCLUDE": CodeInfo(W, "an !include the converter does not read (no files); kept as written"),
    # -- writer losses of PlantUML and BPMN (issue 8: every difference named) ---------------
    "CHANGED_GROUP_MEMBERS": CodeInfo(W, "a group some of whose members the target format writes outside it",
                                      loss=True),
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    line: int | None = None
    column: int | None = None
    element: str | None = None
    # Every element a summary or a group of diagnostics stands for (``element`` is then None);
    # the message names them too.
    elements: tuple[str, ...] = ()

    # Written out rather than generated: a frozen dataclass's own __init__ sets each field through
    # object.__setattr__, which made a diagnostic cost more than the line it reports (a conversion
    # builds one per dropped edge side). The slots' setters do the same, at half the cost.
    def __init__(self, code: str, severity: Severity, message: str, line: int | None = None,
                 column: int | None = None, element: str | None = None, elements: tuple[str, ...] = ()) -> None:
        _set_code(self, code)
        _set_severity(self, severity)
        _set_message(self, message)
        _set_line(self, line)
        _set_column(self, column)
        _set_element(self, element)
        _set_elements(self, elements)

    @property
    def is_loss(self) -> bool:
        info = CODES.get(self.code)
        return bool(info and info.loss)

    def names(self, element: str) -> bool:
        """True when this diagnostic is about ``element`` (alone or among the ones it groups)."""
        return self.element == element or element in self.elements

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
        result = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "element": self.element,
        }
        if self.elements:
            result["elements"] = list(self.elements)
        return result


_set_code, _set_severity, _set_message, _set_line, _set_column, _set_element, _set_elements = (
    Diagnostic.__dict__[name].__set__ for name in ("code", "severity", "message", "line", "column", "element", "elements"))


class _Unfrozen:
    """A Diagnostic's very slots, without its frozen ``__setattr__``: ``_diagnostic`` fills one in
    with plain slot stores, then makes it a Diagnostic (the layouts are the same, so Python lets
    ``__class__`` change). That costs a third of ``Diagnostic(...)``, whose every field goes
    through a slot's ``__set__``, and ``Diagnostics.add`` builds one per element a writer loses."""

    __slots__ = Diagnostic.__slots__


def _diagnostic(code: str, severity: Severity, message: str, line: int | None, column: int | None,
                element: str | None) -> Diagnostic:
    """``Diagnostic(code, severity, message, line, column, element)``, built the cheaper way."""
    diagnostic = _new(_Unfrozen)
    diagnostic.code = code
    diagnostic.severity = severity
    diagnostic.message = message
    diagnostic.line = line
    diagnostic.column = column
    diagnostic.element = element
    diagnostic.elements = ()
    diagnostic.__class__ = Diagnostic
    return diagnostic


_new = object.__new__
LOSS_CODES = frozenset(code for code, info in CODES.items() if info.loss)


class _Overflow:
    """The diagnostics of one code beyond the per-code limit: counted, not built."""

    __slots__ = ("count", "elements", "first_line", "index", "last_line")

    def __init__(self, index: int) -> None:
        self.index = index  # where the summary stands in the list
        self.count = 0
        self.first_line: int | None = None
        self.last_line: int | None = None
        self.elements: list[str] = []


class Diagnostics:
    """Collects diagnostics while a reader, check or writer runs.

    At most ``limit_per_code`` diagnostics of one code are kept (default: the limit of the call
    in progress, ``converters.limits``); the rest are counted into one summary diagnostic of the
    same code and severity that gives their number, their lines and the elements they name
    (800,000 comment lines make 101 diagnostics, not 800,000).
    """

    __slots__ = ("_counts", "_items", "_limit", "_overflow")

    def __init__(self, limit_per_code: int | None = -1) -> None:
        if limit_per_code == -1:
            limit_per_code = _current_limits().max_diagnostics_per_code
        self._items: list[Diagnostic] = []
        self._limit = limit_per_code
        self._counts: dict[str, int] = {}
        self._overflow: dict[str, _Overflow] = {}

    @property
    def items(self) -> list[Diagnostic]:
        if self._overflow:
            self._write_summaries()
        return self._items

    def add(
        self,
        code: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        element: str | None = None,
    ) -> Diagnostic | None:
        """Records a diagnostic; returns it, or None when its code is over the limit (counted)."""
        severity = CODES[code].severity  # an unknown code is a bug in this library: fail loudly in tests
        if self._limit is not None:
            counts = self._counts
            counts[code] = count = counts.get(code, 0) + 1
            if count > self._limit:
                self._count_over(code, line, element)
                return None
        diagnostic = _diagnostic(code, severity, message, line, column, element)
        self._items.append(diagnostic)
        return diagnostic

    def over_limit(self, code: str) -> bool:
        """True when a further diagnostic of ``code`` would only be counted: a caller may then
        skip composing its message (a "did you mean" search, for instance)."""
        return self._limit is not None and self._counts.get(code, 0) >= self._limit

    def _count_over(self, code: str, line: int | None, element: str | None) -> None:
        overflow = self._overflow.get(code)
        if overflow is None:
            overflow = self._overflow[code] = _Overflow(len(self._items))
            self._items.append(Diagnostic(code, CODES[code].severity, ""))  # its place; filled in later
        overflow.count += 1
        if line is not None:
            if overflow.first_line is None:
                overflow.first_line = line
            overflow.last_line = line
        if element is not None:
            overflow.elements.append(element)

    def _write_summaries(self) -> None:
        for code, overflow in self._overflow.items():
            lines = ""
            if overflow.first_line is not None:
                lines = (f" (line {overflow.first_line})" if overflow.first_line == overflow.last_line
                         else f" (lines {overflow.first_line}–{overflow.last_line})")
            named = f": {', '.join(overflow.elements)}" if overflow.elements else ""
            message = f"{overflow.count} more {code} diagnostics{lines}, not listed one by one{named}"
            self._items[overflow.index] = Diagnostic(code, CODES[code].severity, message, overflow.first_line,
                                                     None, None, tuple(overflow.elements))

    def extend(self, diagnostics) -> None:
        for diagnostic in diagnostics:
            if self._limit is None:
                self._items.append(diagnostic)
                continue
            count = self._counts.get(diagnostic.code, 0) + 1
            self._counts[diagnostic.code] = count
            if count > self._limit:
                self._count_over(diagnostic.code, diagnostic.line, diagnostic.element)
            else:
                self._items.append(diagnostic)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self._items)


def sorted_diagnostics(items: list[Diagnostic]) -> list[Diagnostic]:
    """In reading order: by line, then column; diagnostics without a position keep their place
    at the end, in the order they were found."""
    big = 1 << 62
    return sorted(items, key=lambda d: (d.line if d.line is not None else big, d.column or 0))


def grouped(items: list[Diagnostic]) -> list[Diagnostic]:
    """Losses of one code that say the same thing about different elements, as one diagnostic
    naming every element ("edges a->b, b->c: Mermaid chooses where lines attach") at the place of
    the first: what a person reads and what crosses the wire. Errors and reader warnings keep
    one diagnostic per place, since each has its own line to fix.

    Two passes over the list: the first files each loss under its code and its message less its
    element, the second writes each group once, where its first member stood."""
    groups: dict[tuple[str, str], list[Diagnostic]] = {}
    keys: list[tuple[str, str] | None] = []  # per item: its group's key, or None
    repeated = False
    loss_codes = LOSS_CODES
    for diagnostic in items:
        element = diagnostic.element
        if element and diagnostic.code in loss_codes and not diagnostic.elements:
            key = (diagnostic.code, diagnostic.message.replace(element, "\0", 1))
            members = groups.get(key)
            if members is None:
                groups[key] = [diagnostic]
            else:
                members.append(diagnostic)
                repeated = True
        else:
            key = None
        keys.append(key)
    if not repeated:
        return items
    result = []
    for diagnostic, key in zip(items, keys):
        if key is None:
            result.append(diagnostic)
            continue
        members = groups[key]
        if len(members) == 1:
            result.append(diagnostic)
        elif members[0] is diagnostic:
            result.append(_group_of(key, members))
    return result


def _group_of(key: tuple[str, str], members: list[Diagnostic]) -> Diagnostic:
    code, template = key
    names = tuple(d.element for d in members)
    first = members[0]
    if "\0" in template:
        message = template.replace("\0", ", ".join(names), 1)
    else:  # the message does not name its element: name them after it
        message = f"{first.message} ({', '.join(names)})"
    return Diagnostic(code, first.severity, f"{len(members)}×: {message}", first.line, first.column, None, names)
