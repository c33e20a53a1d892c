"""What every call shares: a request id, the deadline, the hop to the conversion process, the
status sent back, the metrics and one structured log line.

Conversion is CPU-bound Python: it runs in the worker's conversion process (``sandbox``), never on
the event loop, so the loop keeps accepting calls, answering health checks and noticing deadlines
and cancellations while a conversion runs.
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable

import grpc
from google.rpc import code_pb2, status_pb2
from grpc_status import rpc_status

from . import logs
from .metrics import NO_METRICS
from .status import DeadlineExpired, code_name, internal_status, status_for  # noqa: F401 — calls.DeadlineExpired

REQUEST_ID_KEY = "x-request-id"
# A call whose cancellation comes this close to its deadline was ended by the deadline.
DEADLINE_SLACK = 0.05


class Call:
    """One RPC as the log and the error details see it."""

    __slots__ = ("method", "request_id", "started", "fields", "code", "deadline", "metrics")

    def __init__(self, method: str, context: grpc.aio.ServicerContext, metrics=NO_METRICS) -> None:
        self.method = method
        self.request_id = _request_id(context)
        self.started = time.perf_counter()
        self.fields: dict = {}
        self.code = code_pb2.OK
        remaining = context.time_remaining()
        self.deadline = None if remaining is None else time.monotonic() + remaining
        self.metrics = metrics
        metrics.call_started(method)

    def cancelled(self) -> None:
        """The call was cancelled under us: by its deadline (what the client sees is
        DEADLINE_EXCEEDED, and so says the log) or by the client going away."""
        if self.deadline is not None and time.monotonic() >= self.deadline - DEADLINE_SLACK:
            self.code = code_pb2.DEADLINE_EXCEEDED
        else:
            self.code = code_pb2.CANCELLED

    def log(self) -> None:
        seconds = time.perf_counter() - self.started
        self.metrics.call_ended(self.method, self.code, seconds)
        level = logging.ERROR if self.code == code_pb2.INTERNAL else logging.INFO
        logs.log(level, "rpc", method=self.method, status=code_name(self.code), request_id=self.request_id,
                 duration_ms=round(seconds * 1000, 3), **self.fields)


def _request_id(context: grpc.aio.ServicerContext) -> str:
    """The caller's ``x-request-id`` when it sends a sane one (to follow a request across
    services), else a new one."""
    for key, value in context.invocation_metadata() or ():
        if key == REQUEST_ID_KEY and isinstance(value, str) and 0 < len(value) <= 128 and value.isprintable():
            return value
    return uuid.uuid4().hex


def error_status(call: Call, error: BaseException) -> status_pb2.Status:
    """The status for an exception raised by a call's work; a bug is logged with its trace."""
    status = status_for(error, call.request_id)
    if status is None:
        logs.get().error("unexpected error", exc_info=error,
                         extra={"fields": {"method": call.method, "request_id": call.request_id}})
        status = internal_status(call.request_id)
    return status


async def abort_with(context: grpc.aio.ServicerContext, call: Call, code: int, status_bytes: bytes) -> None:
    """Ends the call with a status serialized by the conversion process; raises."""
    await abort(context, call, status_pb2.Status.FromString(status_bytes))


async def abort(context: grpc.aio.ServicerContext, call: Call, status: status_pb2.Status) -> None:
    """Ends the call with ``status`` (details in ``grpc-status-details-bin``); raises."""
    call.code = status.code
    rich = rpc_status.to_status(status)
    metadata = tuple(rich.trailing_metadata) + ((REQUEST_ID_KEY, call.request_id),)
    await context.abort(rich.code, rich.details, metadata)


async def unary(
    context: grpc.aio.ServicerContext,
    call: Call,
    runner,
    data: bytes,
    precheck: Callable[[], None] | None = None,
) -> bytes:
    """Runs a unary call's work (``data``: its request, serialized) and logs the call; returns the
    serialized response, or aborts with the rich status. ``precheck`` runs on the event loop
    first: cheap refusals (size limits) need no conversion process."""
    try:
        try:
            if precheck is not None:
                precheck()
            outcome = await runner.run(call.method, call.request_id, data, context)
        except asyncio.CancelledError:
            call.cancelled()
            raise
        except Exception as error:
            await abort(context, call, error_status(call, error))
        call.metrics.outcome(outcome.facts)
        if outcome.code:
            await abort_with(context, call, outcome.code, outcome.payload)
        call.fields["bytes_out"] = len(outcome.payload)
        context.set_trailing_metadata(((REQUEST_ID_KEY, call.request_id),))
        return outcome.payload
    finally:
        call.log()
