"""One source file of a migration, start to end: read it, skip it when a resumed run already
converted it and nothing changed, convert it (a diagram, or the diagram blocks of a Markdown page)
through ``one.convert_input``, write the output atomically, and say what happened.

This runs where the work is done: in a worker process (local mode) or a client thread (remote
mode); the parent only records results, so it never becomes the bottleneck.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

from ..diagnostics import Severity
from . import one
from .atomic import OutputTree, UnsafeOutput
from .paths import Source
from .state import DONE, content_hash

MAX_CONSOLE_LINES = 20


@dataclass(frozen=True, slots=True)
class Settings:
    target: str
    source_format: str | None
    options: dict
    loss_policy: str
    destination: str
    dry_run: bool
    copy_other: bool
    settings_hash: str


@dataclass(slots=True)
class Task:
    source: Source
    output: str | None  # where the output goes under DST
    previous: tuple | None = None  # the state file's row from an earlier run (resume)
    refused: tuple[str, str] | None = None  # (code, message): refused before reading


@dataclass(slots=True)
class Done:
    source: str
    status: str  # converted | warnings | failed | unchanged | skipped | other | copied | unfinished
    exit_code: int = one.EXIT_OK
    output: str | None = None
    source_hash: str = ""
    output_hash: str | None = None
    report: str = "{}"  # this file's report entry, as JSON
    lines: list[tuple[str, str]] = field(default_factory=list)  # (severity, text) for the console
    resumed: bool = False


def _entry(source: Source, status: str, started: float, output: str | None = None, outcome: one.Outcome | None = None,
           reason: str | None = None) -> str:
    entry: dict = {"source": source.rel, "output": output, "status": status,
                   "format": outcome.source_format if outcome else source.format,
                   "duration_ms": round((time.perf_counter() - started) * 1000, 3)}
    if reason:
        entry["reason"] = reason
    if outcome is not None:
        entry["diagnostics"] = [d.to_dict() for d in outcome.diagnostics]
        if outcome.message:
            entry["message"] = outcome.message
        if outcome.blocks is not None:
            entry["blocks"] = [b.to_dict() for b in outcome.blocks]
    return json.dumps(entry, ensure_ascii=False)


def _console(outcome: one.Outcome) -> list[tuple[str, str]]:
    shown = [(severity.value, text) for severity, text in outcome.lines()
             if severity is Severity.ERROR or "FORMAT_HINT" in text]
    if len(shown) > MAX_CONSOLE_LINES:
        more = len(shown) - MAX_CONSOLE_LINES + 1
        shown = shown[:MAX_CONSOLE_LINES - 1] + [("info", f"{outcome.name}: … {more} more (see --report)")]
    return shown


def _refused(task: Task, started: float, code: str, message: str) -> Done:
    outcome = one.Outcome(task.source.rel, exit_code=one.EXIT_REJECTED, status="failed",
                          diagnostics=[one.diagnostic(code, message)])
    return Done(task.source.rel, "failed", one.EXIT_REJECTED, report=_entry(task.source, "failed", started, None,
                                                                                outcome), lines=_console(outcome))


def _up_to_date(task: Task, settings: Settings, source_hash: str) -> bool:
    previous = task.previous
    if previous is None or previous[0] != source_hash or previous[1] != settings.settings_hash:
        return False
    if previous[4] not in DONE or previous[2] != task.output and previous[2] is not None:
        return False
    if previous[2] is None:
        return True
    try:
        with open(os.path.join(settings.destination, previous[2]), "rb") as file:
            return content_hash(file.read()) == previous[3]
    except OSError:
        return False


def process(task: Task, settings: Settings, converter: one.Converter, tree: OutputTree,
            writes: list | None = None) -> Done:
    """``writes`` given: the output's write is left to the caller (``(done, output, content)``
    appended), so that it overlaps with the next conversion."""
    started = time.perf_counter()
    source = task.source
    if source.kind == "skipped":
        return Done(source.rel, "skipped", report=_entry(source, "skipped", started, reason=source.reason))
    if task.refused:
        return _refused(task, started, *task.refused)
    try:
        with open(source.path, "rb") as file:
            data = file.read()
    except OSError as error:
        return _refused(task, started, "IO_ERROR", f"cannot read this file: {error.strerror or error}")
    source_hash = content_hash(data)
    if _up_to_date(task, settings, source_hash):
        previous = task.previous
        return Done(source.rel, previous[4], one.EXIT_OK, previous[2], source_hash, previous[3], previous[5],
                    resumed=True)

    outcome: one.Outcome | None = None
    content: bytes | None = None
    status, reason = "other", source.reason
    if source.kind in ("diagram", "sniffed") and source.format == settings.target:
        # Read (to report a broken file) but copied byte for byte: no rewrite of what is already there.
        outcome = one.convert_input(
            data, name=source.rel, filename=source.rel if source.kind != "sniffed" else None,
            target_format=settings.target, source_format=source.format, options=settings.options,
            loss_policy="ignore", converter=converter)
        status = outcome.status
        if outcome.ok:
            content, status, reason = data, "unchanged", f"already {settings.target}"
            outcome.diagnostics, outcome.target_format = [], settings.target
    elif source.kind in ("diagram", "sniffed", "markdown"):
        outcome = one.convert_input(
            data, name=source.rel, filename=source.rel if source.kind != "sniffed" else None,
            target_format=settings.target,
            source_format=source.format if source.kind != "markdown" else None,
            options=settings.options, loss_policy=settings.loss_policy, converter=converter)
        status = outcome.status
        if status == "other":  # a page without diagram blocks
            outcome, reason = None, "no diagram block"
        elif outcome.content is not None:
            content = outcome.content.encode("utf-8")
    if status == "other" and settings.copy_other:
        content, status = data, "copied"

    output_hash = None
    written = None
    if content is not None and task.output is not None:
        output_hash = content_hash(content)
        written = task.output
    exit_code = outcome.exit_code if outcome is not None else one.EXIT_OK
    done = Done(source.rel, status, exit_code, written, source_hash, output_hash,
                _entry(source, status, started, written, outcome, reason),
                _console(outcome) if outcome is not None and status == "failed" else [])
    if written is not None and not settings.dry_run:
        if writes is not None:
            writes.append((task, started, tree.write, content))
            return done
        problem = write_output(task, started, tree.write, content)
        if problem is not None:
            return problem
    return done


def write_output(task: Task, started: float, write, content: bytes) -> Done | None:
    """Writes one output; a Done saying why when it cannot be written."""
    try:
        write(task.output, content)
    except UnsafeOutput as error:
        return _refused(task, started, "UNSAFE_PATH", str(error))
    except OSError as error:
        return _refused(task, started, "IO_ERROR", f"cannot write {task.output}: {error.strerror or error}")
    return None


def process_chunk(tasks: list[Task], settings: Settings, converter: one.Converter, tree: OutputTree,
                  writer=None) -> list[Done]:
    """A few tasks at once (fewer round trips to a worker); after ``NoServerLeft`` the rest are
    given back unfinished. With ``writer`` (a thread pool) each output is written (fsync, rename)
    while the next file converts; all are written before the chunk's results are returned, so a
    file is recorded as done only once its output is in place."""
    done: list[Done] = []
    writes: list | None = [] if writer is not None else None
    pending: dict[int, object] = {}
    for index, task in enumerate(tasks):
        try:
            done.append(process(task, settings, converter, tree, writes))
            if writes:
                pending[len(done) - 1] = writer.submit(write_output, *writes.pop())
        except one.NoServerLeft:
            done.extend(Done(t.source.rel, "unfinished") for t in tasks[index:])
            break
        except Exception as error:
            message = f"internal error (please report it): {type(error).__name__}: {error}"
            done.append(Done(task.source.rel, "failed", one.EXIT_INTERNAL, lines=[("error", f"{task.source.rel}: {message}")],
                             report=json.dumps({"source": task.source.rel, "status": "failed", "message": message})))
    for index, future in pending.items():
        problem = future.result()
        if problem is not None:
            done[index] = problem
    return done


# -- the local process pool's side ------------------------------------------------------------

_WORKER: tuple | None = None
WRITER_THREADS = 8  # writes (fsync) in flight per worker while it converts: a file system commits concurrent fsyncs together


def init_worker(settings: Settings) -> None:
    global _WORKER
    from concurrent.futures import ThreadPoolExecutor

    _die_with_parent()
    _WORKER = (settings, OutputTree(settings.destination), ThreadPoolExecutor(WRITER_THREADS))


def run_chunk(tasks: list[Task]) -> list[Done]:
    settings, tree, writer = _WORKER
    return process_chunk(tasks, settings, one.local_converter, tree, writer)


def _die_with_parent() -> None:
    """Linux: a worker gets SIGKILL when the migrate process dies (no orphan keeps writing)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
