"""``flowzap-convert migrate``: the whole run. The parent walks SRC lazily, claims each output,
hands bounded batches of files to a backend (a local process pool, or converter servers), and
records each finished file in the state file, the report and the progress display.

Exit status: 0 every file converted (warnings allowed), 1 some file failed (the others were
converted), 2 a usage error, 5 the run stopped early (no converter server left, interrupted):
run it again with ``--resume``.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import queue
import sys
from collections.abc import Callable
from dataclasses import dataclass

from .. import __version__, api, registry
from ..errors import OptionError, UnknownFormatError
from . import one, work
from .atomic import OutputTree
from .paths import PathError, Plan, output_rel
from .progress import Counts, Progress
from .report import Report
from .state import State, options_hash, state_path

EXIT_STOPPED = 5
LOCAL_CHUNK = 16  # files per hand-over to a worker process: fewer round trips, writes overlap within a chunk


class UsageError(ValueError):
    """Arguments that cannot run (exit status 2)."""


def available_cpus() -> int:
    """The CPUs this process may use: its affinity, capped by a cgroup (container) CPU quota."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        count = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as file:
            quota, period = file.read().split()[:2]
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count)


@dataclass
class Request:
    sources: list[str]
    destination: str
    target: str
    source_format: str | None = None
    options: dict | None = None
    loss_policy: str = "warn"
    jobs: int | None = None
    servers: tuple[str, ...] = ()
    in_flight: int | None = None
    timeout: float = 60.0
    resume: bool = False
    report: str | None = None
    dry_run: bool = False
    copy_other: bool = False
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    progress: str = "none"  # bar | lines | none
    progress_interval: float = 5.0
    quiet: bool = False


class LocalBackend:
    """A pool of worker processes, forked once; results come back through a queue."""

    def __init__(self, jobs: int, settings: work.Settings) -> None:
        self.jobs = jobs
        self.results: queue.Queue = queue.Queue()
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        self.pool = context.Pool(jobs, initializer=work.init_worker, initargs=(settings,))
        self.chunk = LOCAL_CHUNK
        self.window = jobs * 4

    def submit(self, tasks: list[work.Task]) -> None:
        self.pool.apply_async(work.run_chunk, (tasks,), callback=self.results.put, error_callback=self.results.put)

    def close(self) -> None:
        self.pool.close()
        self.pool.join()

    def abort(self) -> None:
        self.pool.terminate()


class RemoteBackend:
    """Client threads, each converting a file through the converter servers."""

    def __init__(self, request: Request, settings: work.Settings) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from server.client import RemoteConverter  # gRPC only when --server is given

        in_flight = request.in_flight or 4 * max(1, len(request.servers)) * 2
        self.converter = RemoteConverter(list(request.servers), max_in_flight=in_flight, timeout=request.timeout)
        self.settings = settings
        self.tree = OutputTree(settings.destination)
        self.threads = ThreadPoolExecutor(in_flight, thread_name_prefix="migrate")
        self.results: queue.Queue = queue.Queue()
        self.chunk = 1
        self.window = in_flight * 2

    def submit(self, tasks: list[work.Task]) -> None:
        future = self.threads.submit(work.process_chunk, tasks, self.settings, self.converter, self.tree)
        future.add_done_callback(lambda f: self.results.put(f.exception() or f.result()))

    def close(self) -> None:
        self.threads.shutdown(wait=True)
        self.converter.close()

    def abort(self) -> None:
        self.converter.stop()
        self.threads.shutdown(wait=False, cancel_futures=True)
        self.converter.close()


def _check(request: Request) -> dict:
    """The target, source format and options, checked before anything is read; the resolved options."""
    try:
        target = registry.get_format(request.target)
        if not target.can_write:
            raise UnknownFormatError(f"the {target.name} format can be read but not written")
        if request.source_format:
            source = registry.get_format(request.source_format)
            if not source.can_read:
                raise UnknownFormatError(f"the {source.name} format can be written but not read")
            request.source_format = source.name
        request.target = target.name
        if request.loss_policy not in api.LOSS_POLICIES:
            raise OptionError(f"loss policy {request.loss_policy!r}: allowed values are {', '.join(api.LOSS_POLICIES)}")
        return registry.resolve_options(target, request.options)
    except (UnknownFormatError, OptionError) as error:
        raise UsageError(error.message) from error


def migrate(request: Request, echo: Callable[[str], None] = lambda text: print(text, file=sys.stderr)) -> int:
    resolved = _check(request)
    try:
        plan = Plan(request.sources, request.destination, includes=request.includes, excludes=request.excludes,
                    source_format=request.source_format)
    except PathError as error:
        raise UsageError(str(error)) from error
    target = registry.get_format(request.target)
    settings = work.Settings(
        target=target.name, source_format=request.source_format, options=dict(request.options or {}),
        loss_policy=request.loss_policy, destination=plan.destination, dry_run=request.dry_run,
        copy_other=request.copy_other,
        settings_hash=options_hash({"target": target.name, "from": request.source_format, "options": resolved,
                                    "loss_policy": request.loss_policy, "copy_other": request.copy_other,
                                    "version": __version__}))
    if not request.dry_run:
        os.makedirs(plan.destination, exist_ok=True)
        OutputTree(plan.destination).sweep()
    total = plan.count()
    try:
        backend = RemoteBackend(request, settings) if request.servers else \
            LocalBackend(request.jobs or available_cpus(), settings)
    except ValueError as error:  # a --server value that names no server
        raise UsageError(str(error)) from error
    # Opened after the workers are forked: they inherit no database connection.
    state = State(None if request.dry_run else state_path(plan.destination), resume=request.resume)
    report = Report(request.report, {"source": request.sources, "destination": request.destination,
                                     "target_format": target.name, "dry_run": request.dry_run})
    counts = Counts()
    stopped = False
    mode = "none" if request.quiet else request.progress
    try:
        with Progress(total, counts, mode, request.progress_interval) as progress:
            outstanding = 0

            def collect() -> None:
                nonlocal outstanding, stopped
                results = backend.results.get()
                outstanding -= 1
                if isinstance(results, BaseException):
                    raise results
                for done in results:
                    if done.status == "unfinished":
                        stopped = True
                        counts.add("unfinished", False)
                        continue
                    if not request.dry_run:
                        state.record(done.source, done.source_hash, settings.settings_hash, done.output,
                                     done.output_hash, done.status, done.report)
                    report.add(done.report)
                    counts.add(done.status, done.resumed)
                    for severity, text in done.lines:
                        progress.print(text, "red" if severity == "error" else None)
                    progress.advance()

            chunk: list[work.Task] = []
            for source in plan.sources():
                if stopped:
                    break
                output = output_rel(source, target)
                refused = None
                if output is not None and (source.kind != "other" or request.copy_other):
                    holder = state.claim(output, source.rel)
                    if holder is not None:
                        refused = ("OUTPUT_COLLISION", (f"its output {output} would overwrite the output of {holder} "
                                                        "(names that differ only in case are one file on some systems)"))
                previous = state.previous(source.rel) if request.resume else None
                chunk.append(work.Task(source, output, previous, refused))
                if len(chunk) >= backend.chunk:
                    backend.submit(chunk)
                    outstanding += 1
                    chunk = []
                    while outstanding >= backend.window:
                        collect()
            if chunk and not stopped:
                backend.submit(chunk)
                outstanding += 1
            while outstanding:
                collect()
        backend.close()
    except BaseException:
        backend.abort()
        report.abandon()
        state.close()
        raise
    summary = counts.summary()
    report.finish(summary)
    state.close()
    if not request.quiet:
        echo(counts.summary_line(request.dry_run))
    if stopped or counts.by_status["unfinished"]:
        left = total - (counts.done - counts.by_status["unfinished"])
        echo(f"stopped early: no converter server is left; {left} files are not done — "
             "run the same command with --resume to finish")
        return EXIT_STOPPED
    return one.EXIT_REJECTED if counts.failed else one.EXIT_OK
