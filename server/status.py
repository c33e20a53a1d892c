"""Library errors → rich ``google.rpc.Status`` (AIP-193): a canonical code, exactly one
``ErrorInfo`` with a stable reason, and the details a client needs to act on it."""
from __future__ import annotations

from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from converters import Diagnostic
from converters.errors import FlowzapError, InputError, LossError, OptionError, UnknownFormatError

from .gen.flowzap.converter.v1 import diagnostic_pb2
from .messages import diagnostic_messages

DOMAIN = "flowzap-converter"


class FieldError(Exception):
    """A library error about one request field (``target_format``, ``options``, ...)."""

    def __init__(self, field: str, error: FlowzapError) -> None:
        super().__init__(error.message)
        self.field = field
        self.error = error


class ConversionUnavailable(Exception):
    """The worker cannot start a conversion process (the machine refuses a fork): try again."""

    def __init__(self) -> None:
        super().__init__("this worker cannot start a conversion process now; try again")


class MalformedRequest(Exception):
    """The request bytes are not a valid message of the method's request type."""


class DeadlineExpired(Exception):
    """The call's deadline passed before its work could finish (or start)."""


class CpuLimitExceeded(Exception):
    """The conversion used more CPU time than one call may (``--max-call-cpu``); it was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the conversion used more than {seconds:g} s of CPU time, the limit of one call; "
                         "it was stopped")
        self.seconds = seconds


class ConversionCrashed(Exception):
    """The conversion process died during the call (killed by the kernel, most likely for memory)."""

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(f"the conversion process ended during the call (exit status {exitcode}); "
                         "the input most likely needs more memory than the server allows")
        self.exitcode = exitcode


def _pack(*messages) -> list[any_pb2.Any]:
    packed = []
    for message in messages:
        detail = any_pb2.Any()
        detail.Pack(message)
        packed.append(detail)
    return packed


def _where(d: Diagnostic) -> str:
    if d.line is None:
        return ""
    return f"line {d.line}" + (f", column {d.column}" if d.column else "") + ": "


def _error_info(reason: str, **metadata) -> error_details_pb2.ErrorInfo:
    return error_details_pb2.ErrorInfo(
        reason=reason, domain=DOMAIN, metadata={k: str(v) for k, v in metadata.items() if v not in (None, "")}
    )


# Rich details travel in the trailing metadata (base64), and gRPC clients refuse trailers over
# 8 KiB by default (some at random between 8 and 16 KiB): the details are cut to fit well below.
MAX_DETAILS_BYTES = 5000


def _input_status(error: InputError) -> status_pb2.Status:
    errors = error.errors or error.diagnostics
    first = errors[0] if errors else None
    # Model messages (WriteDiagram) are checked as "model": the field is the diagram itself.
    field = "diagram" if error.format_name == "model" else "source"

    def build(limit: int) -> status_pb2.Status:
        kept_errors = errors[:limit]
        kept_diagnostics = error.diagnostics[:limit]
        truncated = len(kept_errors) < len(errors) or len(kept_diagnostics) < len(error.diagnostics)
        info = _error_info(
            error.code, line=first and first.line, column=first and first.column,
            element=first and first.element, format=error.format_name, errors=len(errors),
            truncated="true" if truncated else None,
        )
        bad_request = error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(
                field=f"{field}.{d.element}" if field == "diagram" and d.element else field,
                description=f"{_where(d)}{d.code}: {d.message}",
                reason=d.code,
            )
            for d in kept_errors
        ])
        diagnostics = diagnostic_pb2.DiagnosticList(diagnostics=diagnostic_messages(kept_diagnostics))
        return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=error.message,
                                 details=_pack(info, bad_request, diagnostics))

    limit = max(len(errors), len(error.diagnostics))
    status = build(limit)
    while status.ByteSize() > MAX_DETAILS_BYTES and limit > 1:
        limit //= 2
        status = build(limit)
    return status


def _field_status(field: str, error: FlowzapError) -> status_pb2.Status:
    closest = getattr(error, "suggestion", None)
    info = _error_info(error.code, field=field, closest=closest)
    violation = error_details_pb2.BadRequest.FieldViolation(field=field, description=error.message, reason=error.code)
    return status_pb2.Status(
        code=code_pb2.INVALID_ARGUMENT, message=error.message,
        details=_pack(info, error_details_pb2.BadRequest(field_violations=[violation])),
    )


def _loss_status(error: LossError) -> status_pb2.Status:
    # FAILED_PRECONDITION, not INVALID_ARGUMENT: the diagram is valid and the request well-formed;
    # the caller's own precondition (nothing may be lost) does not hold for this target format.
    losses = [d for d in error.diagnostics if d.is_loss]

    def build(limit: int) -> status_pb2.Status:
        truncated = limit < len(losses) or limit < len(error.diagnostics)
        info = _error_info(error.code, target_format=error.target_format, losses=len(losses),
                           truncated="true" if truncated else None)
        failure = error_details_pb2.PreconditionFailure(violations=[
            error_details_pb2.PreconditionFailure.Violation(
                type=d.code, subject=d.element or "diagram", description=f"{_where(d)}{d.message}")
            for d in losses[:limit]
        ])
        diagnostics = diagnostic_pb2.DiagnosticList(diagnostics=diagnostic_messages(error.diagnostics[:limit]))
        return status_pb2.Status(code=code_pb2.FAILED_PRECONDITION, message=error.message,
                                 details=_pack(info, failure, diagnostics))

    limit = max(len(losses), len(error.diagnostics))
    status = build(limit)
    while status.ByteSize() > MAX_DETAILS_BYTES and limit > 1:
        limit //= 2
        status = build(limit)
    return status


def internal_status(request_id: str) -> status_pb2.Status:
    """A bug: the caller gets the request id; the trace goes to the server's log only."""
    return status_pb2.Status(
        code=code_pb2.INTERNAL,
        message=f"internal error; the server's log has the details under request id {request_id}",
        details=_pack(_error_info("INTERNAL", request_id=request_id),
                      error_details_pb2.RequestInfo(request_id=request_id)),
    )


def deadline_status() -> status_pb2.Status:
    return status_pb2.Status(code=code_pb2.DEADLINE_EXCEEDED,
                             message="the deadline expired before the conversion finished",
                             details=_pack(_error_info("DEADLINE_EXCEEDED")))


def status_for(error: BaseException, request_id: str) -> status_pb2.Status | None:
    """The status of an expected error; None for anything else (a bug: the caller logs it and
    answers with ``internal_status``)."""
    if isinstance(error, FieldError):
        if isinstance(error.error, InputError):
            return _input_status(error.error)
        return _field_status(error.field, error.error)
    if isinstance(error, InputError):
        return _input_status(error)
    if isinstance(error, LossError):
        return _loss_status(error)
    if isinstance(error, UnknownFormatError):
        return _field_status("source_format", error)  # detection failed: the caller must name it
    if isinstance(error, OptionError):
        return _field_status("options", error)
    if isinstance(error, DeadlineExpired):
        return deadline_status()
    if isinstance(error, ConversionUnavailable):
        return status_pb2.Status(code=code_pb2.UNAVAILABLE, message=str(error),
                                 details=_pack(_error_info("CONVERSION_PROCESS_UNAVAILABLE", request_id=request_id)))
    if isinstance(error, (CpuLimitExceeded, ConversionCrashed)):
        reason = "CPU_LIMIT_EXCEEDED" if isinstance(error, CpuLimitExceeded) else "CONVERSION_PROCESS_DIED"
        return status_pb2.Status(code=code_pb2.RESOURCE_EXHAUSTED, message=str(error),
                                 details=_pack(_error_info(reason, request_id=request_id)))
    if isinstance(error, MalformedRequest):
        message = str(error)
        violation = error_details_pb2.BadRequest.FieldViolation(field="", description=message,
                                                                reason="MALFORMED_REQUEST")
        return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=message, details=_pack(
            _error_info("MALFORMED_REQUEST"), error_details_pb2.BadRequest(field_violations=[violation])))
    return None


def code_name(code: int) -> str:
    """``DEADLINE_EXCEEDED`` for 4: the names grpc.StatusCode and google.rpc.Code share."""
    try:
        return code_pb2.Code.Name(code)
    except ValueError:
        return str(code)


__all__ = ["ConversionCrashed", "ConversionUnavailable", "CpuLimitExceeded", "DeadlineExpired", "FieldError",
           "MalformedRequest", "code_name", "internal_status", "status_for"]
