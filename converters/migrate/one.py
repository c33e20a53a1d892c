"""One input (a diagram file or a Markdown page) converted or validated, every library error
mapped to its exit status and message. ``flowzap-convert convert``, ``validate`` and ``migrate``
all go through ``convert_input`` / ``validate_input``, locally or through a converter server.

Exit status: 0 converted (warnings allowed), 1 input rejected, 2 usage error (unknown format, bad
option, unreadable file), 3 loss under ``--loss-policy fail``, 4 internal error (a bug).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .. import api, registry
from ..diagnostics import CODES, Diagnostic, Severity
from ..errors import FlowzapError, InputError, InternalError, LossError, OptionError, UnknownFormatError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_LOSS, EXIT_INTERNAL = 0, 1, 2, 3, 4
MARKDOWN_EXTENSIONS = (".md", ".markdown")


class RemoteFailure(FlowzapError):
    """A converter server could not convert one item (its deadline passed, retries ran out)."""

    code = "REMOTE_FAILURE"


class NoServerLeft(Exception):
    """No converter server answers any more: the run stops, and ``--resume`` finishes it later."""


class Converter(Protocol):
    """``api.convert``'s signature; a remote converter raises the same library errors."""

    def __call__(self, source: str | bytes, *, target_format: str, source_format: str | None,
                 options: dict[str, str] | None, loss_policy: str, filename: str | None) -> api.ConversionResult: ...


def local_converter(source, *, target_format, source_format, options, loss_policy, filename):
    return api.convert(source, target_format=target_format, source_format=source_format, options=options,
                       loss_policy=loss_policy, filename=filename)


def diagnostic(code: str, message: str, line: int | None = None, column: int | None = None) -> Diagnostic:
    return Diagnostic(code, CODES[code].severity, message, line, column)


@dataclass(slots=True)
class BlockOutcome:
    """One fenced block of a Markdown page."""

    line: int  # 1-based line of the opening fence in the page
    language: str
    status: str  # converted | warnings | failed | skipped | unchanged
    source_format: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"line": self.line, "language": self.language, "format": self.source_format, "status": self.status,
                "diagnostics": [d.to_dict() for d in self.diagnostics]}


@dataclass(slots=True)
class Outcome:
    """What became of one input. ``content`` is the output (None when nothing is written)."""

    name: str
    exit_code: int = EXIT_OK
    status: str = "converted"  # converted | warnings | failed | skipped | unchanged | other
    content: str | None = None
    source_format: str | None = None
    target_format: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    message: str | None = None  # the one line that says why it failed
    blocks: list[BlockOutcome] | None = None  # Markdown pages only
    summary: dict | None = None  # validate only

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK

    def lines(self) -> list[tuple[Severity, str]]:
        """Compiler-style lines for a terminal: each diagnostic, then the failure message."""
        found = [(d.severity, d.format(self.name)) for d in self.diagnostics]
        if self.message:
            found.append((Severity.ERROR, f"{self.name}: {self.message}"))
        return found

    def to_dict(self) -> dict:
        data = {"input": self.name, "status": self.status, "exit_code": self.exit_code,
                "source_format": self.source_format, "target_format": self.target_format,
                "diagnostics": [d.to_dict() for d in self.diagnostics]}
        if self.message:
            data["message"] = self.message
        if self.blocks is not None:
            data["blocks"] = [b.to_dict() for b in self.blocks]
        return data


def is_markdown(filename: str | None) -> bool:
    return bool(filename) and filename.lower().endswith(MARKDOWN_EXTENSIONS)


def status_of(diagnostics: list[Diagnostic]) -> str:
    return "warnings" if any(d.severity is Severity.WARNING for d in diagnostics) else "converted"


def failure(outcome: Outcome, error: BaseException, target_format: str) -> Outcome:
    """Fills ``outcome`` from a library error: its diagnostics, exit status and message."""
    outcome.status = "failed"
    if isinstance(error, InputError):
        outcome.exit_code, outcome.message = EXIT_REJECTED, f"rejected: {error.message}"
        outcome.source_format = outcome.source_format or error.format_name
    elif isinstance(error, LossError):
        outcome.exit_code, outcome.message = EXIT_LOSS, f"not converted: {error.message}"
    elif isinstance(error, (UnknownFormatError, OptionError)):
        outcome.exit_code, outcome.message = EXIT_USAGE, error.message
    elif isinstance(error, RemoteFailure):
        outcome.exit_code, outcome.message = EXIT_REJECTED, f"not converted: {error.message}"
    elif isinstance(error, InternalError):
        outcome.exit_code, outcome.message = EXIT_INTERNAL, f"internal error (please report it): {error.message}"
    else:  # pragma: no cover — callers pass library errors only
        outcome.exit_code, outcome.message = EXIT_INTERNAL, f"internal error: {type(error).__name__}: {error}"
    outcome.diagnostics = list(error.diagnostics) if isinstance(error, FlowzapError) else []
    outcome.target_format = target_format
    return outcome


def format_hint(data: bytes | str, declared: str | None) -> Diagnostic | None:
    """When the format chosen by the extension rejected the text: does the text look like another?"""
    text = data.decode("utf-8", "replace") if isinstance(data, (bytes, bytearray)) else data
    sniffed = registry.sniff_format(text)
    if sniffed is None or sniffed.name == declared:
        return None
    return diagnostic("FORMAT_HINT", f"the content looks like {sniffed.title} ({sniffed.name}), not {declared}: "
                                     f"name it with --from {sniffed.name}")


def _add_hint(outcome: Outcome, error: FlowzapError, data: bytes | str) -> None:
    """A rejected text that another format's sniffer claims (a Mermaid file saved as ``.fz``)."""
    if isinstance(error, InputError) and error.format_name and error.format_name != "model":
        hint = format_hint(data, error.format_name)
        if hint is not None:
            outcome.diagnostics.append(hint)


def convert_input(
    data: bytes,
    *,
    name: str,
    filename: str | None,
    target_format: str,
    source_format: str | None = None,
    options: dict[str, str] | None = None,
    loss_policy: str = "warn",
    converter: Converter = local_converter,
) -> Outcome:
    """Converts one input. A Markdown page (by its extension, unless ``source_format`` names a
    diagram format) has its diagram blocks converted in a copy of the page."""
    if is_markdown(filename) and source_format is None:
        from .markdown import convert_page

        return convert_page(data, name=name, target_format=target_format, options=options,
                            loss_policy=loss_policy, converter=converter)
    outcome = Outcome(name, target_format=target_format)
    try:
        result = converter(data, target_format=target_format, source_format=source_format, options=options,
                           loss_policy=loss_policy, filename=filename)
    except FlowzapError as error:
        failure(outcome, error, target_format)
        _add_hint(outcome, error, data)
        return outcome
    outcome.content = result.content
    outcome.source_format, outcome.target_format = result.source_format, result.target_format
    outcome.diagnostics = result.diagnostics
    outcome.status = status_of(result.diagnostics)
    return outcome


def validate_input(data: bytes, *, name: str, filename: str | None, source_format: str | None = None) -> Outcome:
    """Reads and checks one input without converting it."""
    outcome = Outcome(name, status="valid")
    try:
        result = api.validate(data, source_format, filename=filename)
    except FlowzapError as error:
        failure(outcome, error, "")
        outcome.status, outcome.target_format = "invalid", None
        if isinstance(error, InputError):
            outcome.message = None  # validate says "invalid (N errors)" itself
        _add_hint(outcome, error, data)
        return outcome
    outcome.source_format, outcome.diagnostics = result.source_format, result.diagnostics
    outcome.summary = result.diagram.summary()
    return outcome


def unreadable(name: str, error: OSError) -> Outcome:
    """An input file that cannot be read: a usage error (exit 2), reported like the others."""
    reason = error.strerror or str(error)
    return Outcome(name, exit_code=EXIT_USAGE, status="failed",
                   diagnostics=[diagnostic("IO_ERROR", f"cannot read this file: {reason}")])
