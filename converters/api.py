"""The library's entry points: ``convert``, ``read`` and ``write``. The CLI and the gRPC server
call these and nothing below them."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import registry
from .diagnostics import Diagnostic, Diagnostics, Severity, sorted_diagnostics
from .errors import FlowzapError, InputError, InternalError, LossError
from .formats import Format
from .gcpause import gc_paused
from .model import Diagram, check_diagram
from .text import decode

LOSS_POLICIES = ("ignore", "warn", "fail")


@dataclass(slots=True)
class ConversionResult:
    content: str
    source_format: str
    target_format: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def losses(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_loss]


@dataclass(slots=True)
class ReadResult:
    diagram: Diagram
    source_format: str
    diagnostics: list[Diagnostic] = field(default_factory=list)


def read_with_diagnostics(
    source: str | bytes,
    source_format: str | None = None,
    *,
    filename: str | None = None,
    max_nodes: int | None = None,
) -> ReadResult:
    """Reads ``source`` into the model; raises ``InputError`` (with every error found) when it is
    rejected. The result carries the warnings met on the way."""
    diagnostics = Diagnostics()
    text = decode(source, diagnostics)
    # Text that is not UTF-8 or holds control characters is rejected whatever its format.
    diagnostics.raise_if_errors(source_format)
    fmt = registry.detect_format(text, source_format, filename)
    if not fmt.can_read:
        raise registry.UnknownFormatError(f"the {fmt.name} format can be written but not read")
    try:
        with gc_paused(len(text)):
            diagram, found = fmt.reader(text)
    except FlowzapError:
        raise
    except RecursionError as exc:
        raise InputError([Diagnostics().add("SYNTAX_ERROR", "the input nests too deeply to read")], fmt.name) from exc
    except Exception as exc:  # a bug in a reader must not look like a crash to the caller
        raise InternalError(f"the {fmt.name} reader failed: {type(exc).__name__}: {exc}") from exc
    diagnostics.extend(found)
    if max_nodes is not None and len(diagram.nodes) > max_nodes:
        diagnostics.add("INPUT_TOO_LARGE", f"the diagram has {len(diagram.nodes)} nodes; the limit is {max_nodes}")
    diagnostics.raise_if_errors(fmt.name)
    return ReadResult(diagram, fmt.name, sorted_diagnostics(diagnostics.items))


def read(
    source: str | bytes,
    source_format: str | None = None,
    *,
    filename: str | None = None,
    diagnostics: list[Diagnostic] | None = None,
) -> Diagram:
    """Reads ``source`` into the model. Warnings are appended to ``diagnostics`` when given."""
    result = read_with_diagnostics(source, source_format, filename=filename)
    if diagnostics is not None:
        diagnostics.extend(result.diagnostics)
    return result.diagram


def write_with_diagnostics(
    diagram: Diagram,
    target_format: str | Format,
    options: dict[str, str] | None = None,
    loss_policy: str = "warn",
) -> tuple[str, list[Diagnostic]]:
    fmt = target_format if isinstance(target_format, Format) else registry.get_format(target_format)
    if not fmt.can_write:
        raise registry.UnknownFormatError(f"the {fmt.name} format can be read but not written")
    _check_loss_policy(loss_policy)
    resolved = registry.resolve_options(fmt, options)
    problems = [d for d in check_diagram(diagram) if d.severity is Severity.ERROR]
    if problems:
        raise InputError(problems, "model")
    try:
        with gc_paused(len(diagram.nodes) * 100):
            content, found = fmt.writer(diagram, resolved)
    except FlowzapError:
        raise
    except Exception as exc:
        raise InternalError(f"the {fmt.name} writer failed: {type(exc).__name__}: {exc}") from exc
    return content, apply_loss_policy(found, loss_policy, fmt.name)


def _check_loss_policy(loss_policy: str) -> None:
    if loss_policy not in LOSS_POLICIES:
        raise registry.OptionError(f"loss policy {loss_policy!r}: allowed values are {', '.join(LOSS_POLICIES)}")


def apply_loss_policy(diagnostics: list[Diagnostic], loss_policy: str, target_format: str) -> list[Diagnostic]:
    if loss_policy == "ignore":
        return [d for d in diagnostics if not d.is_loss]
    if loss_policy == "fail" and any(d.is_loss for d in diagnostics):
        raise LossError(diagnostics, target_format)
    return diagnostics


def write(
    diagram: Diagram,
    target_format: str,
    options: dict[str, str] | None = None,
    *,
    loss_policy: str = "warn",
    diagnostics: list[Diagnostic] | None = None,
) -> str:
    """Writes the model in ``target_format``. What the format cannot carry is appended to
    ``diagnostics`` when given; under ``loss_policy="fail"`` it raises ``LossError`` instead."""
    content, found = write_with_diagnostics(diagram, target_format, options, loss_policy)
    if diagnostics is not None:
        diagnostics.extend(found)
    return content


def convert(
    source: str | bytes,
    *,
    target_format: str,
    source_format: str | None = None,
    options: dict[str, str] | None = None,
    loss_policy: str = "warn",
    filename: str | None = None,
    max_nodes: int | None = None,
) -> ConversionResult:
    """Converts a diagram from one format to another.

    ``source_format`` None: detected from ``filename``'s extension, else from the content.
    Raises ``InputError`` when the source is rejected, ``UnknownFormatError``/``OptionError`` for a
    bad request, ``LossError`` when ``loss_policy="fail"`` and something would be lost.
    """
    target = registry.get_format(target_format)  # a bad request fails before any reading
    registry.resolve_options(target, options)
    _check_loss_policy(loss_policy)
    result = read_with_diagnostics(source, source_format, filename=filename, max_nodes=max_nodes)
    content, written = write_with_diagnostics(result.diagram, target, options, loss_policy)
    return ConversionResult(
        content=content,
        source_format=result.source_format,
        target_format=target.name,
        diagnostics=result.diagnostics + written,
        summary=result.diagram.summary(),
    )


def validate(
    source: str | bytes,
    source_format: str | None = None,
    *,
    filename: str | None = None,
    max_nodes: int | None = None,
) -> ReadResult:
    """Reads and checks without writing; same errors as ``read``."""
    return read_with_diagnostics(source, source_format, filename=filename, max_nodes=max_nodes)
