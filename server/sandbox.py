"""Where a worker runs its calls' work: in a conversion process it can kill (the default), or on a
thread of its own (``--isolation thread``, for tests that patch the library in-process).

A thread cannot be stopped: a conversion that runs away (a super-linear input, a bug) would hold
the worker's GIL, its health checks and every later call. So each worker keeps one warm
conversion process, forked from a fork server that has the library imported (a replacement is
ready in milliseconds), and hands it each call's request bytes over a pipe. When the call's
deadline passes, or the client goes away, while the process still works on it, the worker kills
the process and forks a new one; the caller gets DEADLINE_EXCEEDED (or CANCELLED). A per-call CPU
ceiling (``--max-call-cpu``) is enforced by the kernel: ``ITIMER_PROF`` sends SIGPROF, whose
default action ends the process, when one call has used that much CPU; the caller gets
RESOURCE_EXHAUSTED. Calls without a deadline are bounded that way too.
"""
from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc

from . import logs
from .config import Config
from .status import ConversionCrashed, ConversionUnavailable, CpuLimitExceeded, DeadlineExpired
from .work import Outcome, Work

# The module the fork server imports once, so that each conversion process starts with the
# library loaded (the fork server imports it, not the worker's gRPC state).
PRELOAD = ["server.work"]


def child_main(conn, config: Config, with_facts: bool) -> None:
    """The conversion process: one request at a time from the pipe, until the worker closes it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C goes to the worker, which drains
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # the CPU ceiling: SIGPROF ends the process
    _die_with_parent()
    logs.setup(config.log_level)
    work = Work(config.max_nodes, with_facts)
    cpu = config.max_call_cpu
    while True:
        try:
            method, request_id, data = conn.recv()
        except (EOFError, OSError):
            return  # the worker is gone
        if cpu:
            signal.setitimer(signal.ITIMER_PROF, cpu)
        outcome = work.execute(method, request_id, data)
        if cpu:
            signal.setitimer(signal.ITIMER_PROF, 0)
        conn.send(outcome)


def _die_with_parent() -> None:
    """Linux: SIGKILL when the fork server (which ends with its worker) ends."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class _Child:
    __slots__ = ("process", "conn", "killed_for")

    def __init__(self, process, conn) -> None:
        self.process = process
        self.conn = conn
        self.killed_for: object | None = None

    def kill(self, ticket: object) -> None:
        self.killed_for = ticket
        with contextlib.suppress(Exception):
            self.process.kill()

    def reap(self) -> int | None:
        self.conn.close()
        self.process.join(5)
        return self.process.exitcode


class ProcessRunner:
    """Runs each call's work in this worker's conversion process, one call at a time (the calls
    behind it wait on the executor's queue, where an expired deadline means never started)."""

    def __init__(self, config: Config, with_facts: bool = False, on_restart=None) -> None:
        self.config = config
        self.with_facts = with_facts
        self.on_restart = on_restart  # called (from the conversion thread) each time a process is replaced
        # Called with False when no conversion process can be started (health NOT_SERVING), and
        # with True once one starts again; set by the worker, called from the conversion thread.
        self.on_health = None
        self.healthy = True
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="convert")
        self.lock = threading.Lock()
        self.child: _Child | None = None
        self.running: object | None = None  # the ticket of the call the process works on
        self.restarts = 0

    def start(self) -> None:
        """Starts the first conversion process (blocking: at worker start-up)."""
        self.child = self._new_child()

    def _start_child(self) -> _Child:
        """A new conversion process, or ConversionUnavailable (health NOT_SERVING meanwhile)."""
        try:
            child = self._new_child()
        except Exception as error:
            logs.log(40, "cannot start a conversion process", error=repr(error))
            self._set_healthy(False)
            raise ConversionUnavailable() from error
        self._set_healthy(True)
        return child

    def _set_healthy(self, healthy: bool) -> None:
        if healthy != self.healthy:
            self.healthy = healthy
            if self.on_health is not None:
                self.on_health(healthy)

    def _new_child(self) -> _Child:
        receiver, sender = self.context.Pipe(duplex=True)
        process = self.context.Process(target=child_main, args=(sender, self.config, self.with_facts),
                                       name="flowzap-convert", daemon=True)
        process.start()
        sender.close()
        return _Child(process, receiver)

    def _call(self, ticket: object, deadline: float | None, request: tuple) -> Outcome:
        """On the conversion thread: one request to the process and its answer."""
        for _attempt in range(2):
            if deadline is not None and time.monotonic() >= deadline:
                raise DeadlineExpired()  # waited in the queue past its deadline: never started
            if self.child is None:  # only this thread replaces the process: no race on None
                fresh = self._start_child()
                with self.lock:
                    self.child = fresh
            with self.lock:
                child = self.child
                self.running = ticket
            try:
                child.conn.send(request)
                return child.conn.recv()
            except (EOFError, OSError):
                exitcode = child.reap()
                with self.lock:
                    self.running = None
                    self.child = None
                self._replace(child, exitcode)
                if child.killed_for is ticket:
                    raise DeadlineExpired() from None  # abandoned by its call, which answered already
                if child.killed_for is not None:
                    continue  # killed for an earlier call just as it finished: ours never ran there
                if exitcode == -signal.SIGPROF:
                    raise CpuLimitExceeded(self.config.max_call_cpu) from None
                raise ConversionCrashed(exitcode) from None
            finally:
                with self.lock:
                    if self.running is ticket:
                        self.running = None
        raise ConversionCrashed(None)

    def _replace(self, child: _Child, exitcode: int | None) -> None:
        self.restarts += 1
        reason = ("deadline or cancellation" if child.killed_for is not None
                  else "cpu limit" if exitcode == -signal.SIGPROF else "crash")
        logs.log(30, "conversion process replaced", reason=reason, child_pid=child.process.pid, exitcode=exitcode)
        try:
            fresh = self._start_child()  # at once, so that the next call does not wait for it
        except ConversionUnavailable:
            fresh = None  # the next call tries again
        with self.lock:
            self.child = fresh
        if self.on_restart is not None:
            self.on_restart(reason)

    def abandon(self, ticket: object) -> None:
        """The call gave up (deadline, cancellation): stop its work if the process is on it."""
        with self.lock:
            if self.running is ticket and self.child is not None:
                self.child.kill(ticket)

    async def run(self, method: str, request_id: str, data: bytes, context: grpc.aio.ServicerContext) -> Outcome:
        remaining = context.time_remaining()
        if remaining is not None and remaining <= 0:
            raise DeadlineExpired()
        deadline = None if remaining is None else time.monotonic() + remaining
        ticket = object()
        future = asyncio.get_running_loop().run_in_executor(
            self.executor, self._call, ticket, deadline, (method, request_id, data))
        try:
            if remaining is None:
                return await future
            return await asyncio.wait_for(future, remaining)
        except TimeoutError:
            self.abandon(ticket)
            raise DeadlineExpired() from None
        except asyncio.CancelledError:
            self.abandon(ticket)
            raise

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        with self.lock:
            child, self.child = self.child, None
        if child is not None:
            child.conn.close()  # the process reads EOF and ends
            child.process.join(2)
            if child.process.is_alive():
                child.process.kill()


class ThreadRunner:
    """The work on a thread of the worker itself: no isolation (a conversion past its deadline
    finishes on its thread and its result is dropped); for tests that patch the library."""

    def __init__(self, config: Config, with_facts: bool = False, on_restart=None) -> None:
        self.work = Work(config.max_nodes, with_facts)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="convert")
        self.restarts = 0

    def start(self) -> None:
        pass

    async def run(self, method: str, request_id: str, data: bytes, context: grpc.aio.ServicerContext) -> Outcome:
        remaining = context.time_remaining()
        if remaining is not None and remaining <= 0:
            raise DeadlineExpired()
        deadline = None if remaining is None else time.monotonic() + remaining

        def job() -> Outcome:
            if deadline is not None and time.monotonic() >= deadline:
                raise DeadlineExpired()
            return self.work.execute(method, request_id, data)

        future = asyncio.get_running_loop().run_in_executor(self.executor, job)
        if remaining is None:
            return await future
        try:
            return await asyncio.wait_for(future, remaining)
        except TimeoutError:
            raise DeadlineExpired() from None

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def make_runner(config: Config, with_facts: bool = False, on_restart=None):
    runner_class = ProcessRunner if config.isolation == "process" else ThreadRunner
    return runner_class(config, with_facts, on_restart)
