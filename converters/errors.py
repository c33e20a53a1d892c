"""The library's own exceptions. Nothing else escapes the public API (``convert``, ``read``,
``write``): a bug surfaces as ``InternalError`` wrapping the original exception."""
from __future__ import annotations

from .diagnostics import Diagnostic, Diagnostics, Severity, sorted_diagnostics


class FlowzapError(Exception):
    """Base of every error this library raises on purpose."""

    code = "ERROR"

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics: list[Diagnostic] = list(diagnostics or [])


class InputError(FlowzapError):
    """The input was rejected: ``diagnostics`` lists every problem found (errors first in
    reading order, then the warnings met on the way)."""

    def __init__(self, diagnostics: list[Diagnostic], format_name: str | None = None) -> None:
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        first = errors[0] if errors else (diagnostics[0] if diagnostics else None)
        where = ""
        if first is not None and first.line is not None:
            where = f" at line {first.line}" + (f", column {first.column}" if first.column else "")
        fmt = f"{format_name} " if format_name else ""
        count = f" ({len(errors)} errors)" if len(errors) > 1 else ""
        message = f"invalid {fmt}input{where}: {first.message if first else 'rejected'}{count}"
        super().__init__(message, diagnostics)
        self.format_name = format_name
        self.code = first.code if first else "INVALID_INPUT"

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]


class UnknownFormatError(FlowzapError):
    """A format name, extension or content that no converter handles."""

    code = "UNKNOWN_FORMAT"

    def __init__(self, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.suggestion = suggestion


class OptionError(FlowzapError):
    """A writer option that does not exist or a value it does not allow."""

    code = "INVALID_OPTION"


class LossError(FlowzapError):
    """The loss policy is ``fail`` and the conversion would lose something: ``diagnostics``
    lists each loss."""

    code = "LOSSY_CONVERSION"

    def __init__(self, diagnostics: list[Diagnostic], target_format: str) -> None:
        losses = [d for d in diagnostics if d.is_loss]
        what = "; ".join(d.message for d in losses[:3]) + (" …" if len(losses) > 3 else "")
        super().__init__(
            f"converting to {target_format} would lose {len(losses)} thing(s): {what}", diagnostics
        )
        self.target_format = target_format


class InternalError(FlowzapError):
    """A bug in this library; the original exception is chained as ``__cause__``."""

    code = "INTERNAL"


def raise_if_errors(diagnostics: Diagnostics, format_name: str | None = None) -> None:
    """The API's one place where a reader's errors become an exception (readers never raise)."""
    if diagnostics.has_errors():
        raise InputError(sorted_diagnostics(diagnostics.items), format_name=format_name)
