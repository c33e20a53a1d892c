"""What every call shares: a request id, the deadline, the hop to the conversion thread, the
status sent back and one structured log line.

Conversion is CPU-bound Python: it runs on a thread of this worker's executor, never on the
event loop, so the loop keeps accepting calls, answering health checks and noticing deadlines
and cancellations while a conversion runs.
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

import grpc
from google.rpc import code_pb2, status_pb2
from grpc_status import rpc_status

from . import logs
from .status import DeadlineExpired, code_name, internal_status, status_for

T = TypeVar("T")
REQUEST_ID_KEY = "x-request-id"


class Call:
    """One RPC as the log and the error details see it."""

    __slots__ = ("method", "request_id", "started", "fields", "code")

    def __init__(self, method: str, context: grpc.aio.ServicerContext) -> None:
        self.method = method
        self.request_id = _request_id(context)
        self.started = time.perf_counter()
        self.fields: dict = {}
        self.code = code_pb2.OK

    def log(self) -> None:
        level = logging.ERROR if self.code == code_pb2.INTERNAL else logging.INFO
        logs.log(level, "rpc", method=self.method, status=code_name(self.code), request_id=self.request_id,
                 duration_ms=round((time.perf_counter() - self.started) * 1000, 3), **self.fields)


def _request_id(context: grpc.aio.ServicerContext) -> str:
    """The caller's ``x-request-id`` when it sends a sane one (to follow a request across
    services), else a new one."""
    for key, value in context.invocation_metadata() or ():
        if key == REQUEST_ID_KEY and isinstance(value, str) and 0 < len(value) <= 128 and value.isprintable():
            return value
    return uuid.uuid4().hex


class Runner:
    """Runs blocking work off the event loop, within the call's deadline."""

    def __init__(self, threads: int) -> None:
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="convert")

    async def run(self, work: Callable[[], T], context: grpc.aio.ServicerContext) -> T:
        remaining = context.time_remaining()
        if remaining is not None and remaining <= 0:
            raise DeadlineExpired()
        deadline = None if remaining is None else time.monotonic() + remaining

        def job() -> T:
            # Work that waited in the queue past its deadline is not started at all.
            if deadline is not None and time.monotonic() >= deadline:
                raise DeadlineExpired()
            return work()

        future = asyncio.get_running_loop().run_in_executor(self.executor, job)
        if remaining is None:
            return await future
        try:
            # On timeout the queued job is cancelled; a running one finishes on its thread and its
            # result is dropped (a thread cannot be interrupted; the size limits bound that time).
            return await asyncio.wait_for(future, remaining)
        except asyncio.TimeoutError:
            raise DeadlineExpired() from None

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def error_status(call: Call, error: BaseException) -> status_pb2.Status:
    """The status for an exception raised by a call's work; a bug is logged with its trace."""
    status = status_for(error, call.request_id)
    if status is None:
        logs.get().error("unexpected error", exc_info=error,
                         extra={"fields": {"method": call.method, "request_id": call.request_id}})
        status = internal_status(call.request_id)
    return status


async def abort(context: grpc.aio.ServicerContext, call: Call, status: status_pb2.Status) -> None:
    """Ends the call with ``status`` (details in ``grpc-status-details-bin``); raises."""
    call.code = status.code
    rich = rpc_status.to_status(status)
    metadata = tuple(rich.trailing_metadata) + ((REQUEST_ID_KEY, call.request_id),)
    await context.abort(rich.code, rich.details, metadata)


async def unary(
    context: grpc.aio.ServicerContext,
    call: Call,
    runner: Runner,
    work: Callable[[], T],
    precheck: Callable[[], None] | None = None,
) -> T:
    """Runs a unary call's work and logs the call; on error, aborts with the rich status.
    ``precheck`` runs on the event loop first: cheap refusals (size limits) need no thread."""
    try:
        try:
            if precheck is not None:
                precheck()
            response = await runner.run(work, context)
        except asyncio.CancelledError:
            call.code = code_pb2.CANCELLED  # the client went away or its deadline passed
            raise
        except Exception as error:  # noqa: BLE001 — every error becomes a status, bugs INTERNAL
            await abort(context, call, error_status(call, error))
        call.fields["bytes_out"] = response.ByteSize()
        context.set_trailing_metadata(((REQUEST_ID_KEY, call.request_id),))
        return response
    finally:
        call.log()
