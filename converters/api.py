"""The library's entry points: ``convert``, ``read`` and ``write``. The CLI and the gRPC server
call these and nothing below them."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import limits as _limits
from . import registry
from .diagnostics import Diagnostic, Diagnostics, Severity, grouped, sorted_diagnostics
from .errors import FlowzapError, InputError, InternalError, LossError, raise_if_errors
from .formats import Format
from .gcpause import LARGE_INPUT, gc_paused
from .limits import MAX_BYTES, MAX_DEPTH, MAX_DIAGNOSTICS_PER_CODE, MAX_NODES, Limits
from .model import Diagram, check_diagram
from .model.validate import nesting_depth
from .text import decode

LOSS_POLICIES = ("ignore", "warn", "fail")
DEFAULT_LIMITS = Limits()
_DEFAULTS = (MAX_BYTES, MAX_NODES, MAX_DEPTH, MAX_DIAGNOSTICS_PER_CODE)
_WRITE_LIMITS = Limits(None, MAX_NODES, MAX_DEPTH, MAX_DIAGNOSTICS_PER_CODE)  # a writer has no source size
# Formats whose reader makes only models that check_diagram accepts, by construction: ids unique,
# every reference resolved (what is not is reported and left out), texts from the decoded source
# (no lone surrogate), known group kinds, no group parents. tests/test_api.py checks it on hostile
# texts. ``convert`` skips check_diagram for what they read.
VALID_AS_READ = frozenset({"flowzap"})


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
    max_bytes: int | None = MAX_BYTES,
    max_nodes: int | None = MAX_NODES,
    max_depth: int | None = MAX_DEPTH,
    max_diagnostics_per_code: int | None = MAX_DIAGNOSTICS_PER_CODE,
) -> ReadResult:
    """Reads ``source`` into the model; raises ``InputError`` (with every error found) when it is
    rejected. The result carries the warnings met on the way, one per element and place.

    Limits (None lifts one): ``max_bytes`` of UTF-8 source, ``max_nodes`` in the diagram,
    ``max_depth`` of nesting (groups in groups, and what a reader nests), and
    ``max_diagnostics_per_code`` (the rest of a code is summed up in one diagnostic). Exceeding
    one is an ``INPUT_TOO_LARGE`` error."""
    limits = _limits_for(max_bytes, max_nodes, max_depth, max_diagnostics_per_code)
    token = _limits.enter(limits)
    try:
        return _read(source, source_format, filename, limits)
    finally:
        _limits.leave(token)


def _limits_for(max_bytes: int | None, max_nodes: int | None, max_depth: int | None,
                max_diagnostics_per_code: int | None) -> Limits:
    if (max_bytes, max_nodes, max_depth, max_diagnostics_per_code) == _DEFAULTS:
        return DEFAULT_LIMITS
    return Limits(max_bytes, max_nodes, max_depth, max_diagnostics_per_code)


def _too_large(message: str, format_name: str | None) -> InputError:
    diagnostics = Diagnostics(None)
    diagnostics.add("INPUT_TOO_LARGE", message)
    return InputError(diagnostics.items, format_name)


def _check_size(source: str | bytes, limit: int | None, format_name: str | None) -> None:
    if limit is None:
        return
    if isinstance(source, str):
        size = _limits.utf8_size_over(source, limit)
    else:
        size = len(source) if len(source) > limit else None
    if size is not None:
        raise _too_large(f"the source is {size:,} bytes or more; the limit is {limit:,} (max_bytes)", format_name)


def _check_model(diagram: Diagram, limits: Limits, format_name: str | None) -> None:
    if limits.max_nodes is not None and len(diagram.nodes) > limits.max_nodes:
        raise _too_large(f"the diagram has {len(diagram.nodes):,} nodes; the limit is {limits.max_nodes:,} "
                         "(max_nodes)", format_name)
    if limits.max_depth is not None and diagram.groups:
        depth = nesting_depth(diagram, limits.max_depth)
        if depth > limits.max_depth:
            raise _too_large(f"groups nest more than {limits.max_depth} deep (max_depth)", format_name)


def _read(source: str | bytes, source_format: str | None, filename: str | None, limits: Limits) -> ReadResult:
    _check_size(source, limits.max_bytes, source_format)
    diagnostics = Diagnostics(None)  # the reader's own collector has applied the per-code limit
    text = decode(source, diagnostics)
    # Text that is not UTF-8 or holds control characters is rejected whatever its format.
    raise_if_errors(diagnostics, source_format)
    fmt = registry.detect_format(text, source_format, filename)
    if not fmt.can_read:
        raise registry.UnknownFormatError(f"the {fmt.name} format can be written but not read")
    try:
        if len(text) < LARGE_INPUT:  # no collector pause to arrange
            diagram, found = fmt.reader(text)
        else:
            with gc_paused(len(text)):
                diagram, found = fmt.reader(text)
    except FlowzapError:
        raise
    except RecursionError as exc:
        raise InputError([Diagnostics().add("SYNTAX_ERROR", "the input nests too deeply to read")], fmt.name) from exc
    except Exception as exc:  # a bug in a reader must not look like a crash to the caller
        raise InternalError(f"the {fmt.name} reader failed: {type(exc).__name__}: {exc}") from exc
    diagnostics.extend(found)
    raise_if_errors(diagnostics, fmt.name)
    _check_model(diagram, limits, fmt.name)
    return ReadResult(diagram, fmt.name, sorted_diagnostics(diagnostics.items))


def read(
    source: str | bytes,
    source_format: str | None = None,
    *,
    filename: str | None = None,
    diagnostics: list[Diagnostic] | None = None,
    **limits: int | None,
) -> Diagram:
    """Reads ``source`` into the model. Warnings are appended to ``diagnostics`` when given.
    ``limits``: the keyword arguments of ``read_with_diagnostics`` (``max_bytes``, ``max_nodes``,
    ``max_depth``, ``max_diagnostics_per_code``)."""
    result = read_with_diagnostics(source, source_format, filename=filename, **limits)
    if diagnostics is not None:
        diagnostics.extend(result.diagnostics)
    return result.diagram


def write_with_diagnostics(
    diagram: Diagram,
    target_format: str | Format,
    options: dict[str, str] | None = None,
    loss_policy: str = "warn",
    *,
    max_nodes: int | None = MAX_NODES,
    max_depth: int | None = MAX_DEPTH,
    max_diagnostics_per_code: int | None = MAX_DIAGNOSTICS_PER_CODE,
) -> tuple[str, list[Diagnostic]]:
    """Writes the model; returns the text and what the format could not carry, one diagnostic
    per element (``convert`` groups repeated ones). Limits as for ``read_with_diagnostics``."""
    limits = _WRITE_LIMITS if (max_nodes, max_depth, max_diagnostics_per_code) == _DEFAULTS[1:] else \
        Limits(None, max_nodes, max_depth, max_diagnostics_per_code)
    token = _limits.enter(limits)
    try:
        return _write(diagram, target_format, options, loss_policy, limits)
    finally:
        _limits.leave(token)


def _write(diagram: Diagram, target_format: str | Format, options: dict[str, str] | None, loss_policy: str,
           limits: Limits) -> tuple[str, list[Diagnostic]]:
    fmt = target_format if isinstance(target_format, Format) else registry.get_format(target_format)
    _check_writable(fmt)
    _check_loss_policy(loss_policy)
    resolved = registry.resolve_options(fmt, options)
    problems = [d for d in check_diagram(diagram) if d.severity is Severity.ERROR]
    if problems:
        raise InputError(problems, "model")
    _check_model(diagram, limits, "model")
    return _emit(diagram, fmt, resolved, loss_policy)


def _check_writable(fmt: Format) -> None:
    if not fmt.can_write:
        raise registry.UnknownFormatError(f"the {fmt.name} format can be read but not written")


def _emit(diagram: Diagram, fmt: Format, resolved: dict[str, str], loss_policy: str) -> tuple[str, list[Diagnostic]]:
    """The writer's run on a checked model, with its options resolved; the loss policy applied."""
    try:
        if len(diagram.nodes) * 100 < LARGE_INPUT:
            content, found = fmt.writer(diagram, resolved)
        else:
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
    **limits: int | None,
) -> str:
    """Writes the model in ``target_format``. What the format cannot carry is appended to
    ``diagnostics`` when given; under ``loss_policy="fail"`` it raises ``LossError`` instead."""
    content, found = write_with_diagnostics(diagram, target_format, options, loss_policy, **limits)
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
    max_bytes: int | None = MAX_BYTES,
    max_nodes: int | None = MAX_NODES,
    max_depth: int | None = MAX_DEPTH,
    max_diagnostics_per_code: int | None = MAX_DIAGNOSTICS_PER_CODE,
    group_diagnostics: bool = True,
) -> ConversionResult:
    """Converts a diagram from one format to another.

    ``source_format`` None: detected from ``filename``'s extension, else from the content.
    Raises ``InputError`` when the source is rejected, ``UnknownFormatError``/``OptionError`` for a
    bad request, ``LossError`` when ``loss_policy="fail"`` and something would be lost.
    Limits as for ``read_with_diagnostics``. ``group_diagnostics``: losses of one code that say
    the same about several elements come as one diagnostic naming them all.
    """
    target = registry.get_format(target_format)  # a bad request fails before any reading
    resolved = registry.resolve_options(target, options)
    _check_loss_policy(loss_policy)
    # One pass under one set of limits: what write_with_diagnostics would check again is known
    # already (the model's size and depth were checked as it was read, under the same limits; no
    # writer consults max_bytes), and a model as the FlowZap reader makes it needs no check_diagram.
    limits = _limits_for(max_bytes, max_nodes, max_depth, max_diagnostics_per_code)
    token = _limits.enter(limits)
    try:
        result = _read(source, source_format, filename, limits)
        _check_writable(target)
        if result.source_format not in VALID_AS_READ:
            problems = [d for d in check_diagram(result.diagram) if d.severity is Severity.ERROR]
            if problems:
                raise InputError(problems, "model")
        content, written = _emit(result.diagram, target, resolved, loss_policy)
    finally:
        _limits.leave(token)
    diagnostics = result.diagnostics + written
    return ConversionResult(
        content=content,
        source_format=result.source_format,
        target_format=target.name,
        diagnostics=grouped(diagnostics) if group_diagnostics else diagnostics,
        summary=result.diagram.summary(),
    )


def validate(
    source: str | bytes,
    source_format: str | None = None,
    *,
    filename: str | None = None,
    **limits: int | None,
) -> ReadResult:
    """Reads and checks without writing; same errors and limits as ``read_with_diagnostics``."""
    return read_with_diagnostics(source, source_format, filename=filename, **limits)
