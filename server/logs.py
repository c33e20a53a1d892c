"""Structured logs: one JSON object per line on stderr, so that log collectors need no parser.

The supervisor and the workers write their lines from a thread of their own (``background``): a
log collector that reads stderr slowly (or not at all) must not stop the event loop that answers
calls and sends heartbeats. Measured before: with stderr not read, a worker stopped answering after
≈ 220 calls, when the pipe's 64 KiB were full. The queue between them is bounded; what a full queue
refuses is counted and said in a "log lines dropped" line once the writer catches up.
"""
from __future__ import annotations

import collections
import json
import logging
import sys
import threading
import time

LOGGER_NAME = "flowzap.server"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "pid": record.process,
            "event": record.getMessage(),
        }
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# Lines held while stderr is not read (≈ 300 bytes each: a few MiB at most), how often the writer
# looks for lines, and how long the last lines may take to reach stderr when the process ends (a
# reader that never comes back loses them).
QUEUE_LINES = 10_000
WRITE_INTERVAL = 0.05
FLUSH_SECONDS = 5.0


class _Handoff(logging.Handler):
    """Hands each record to the writer thread as it is (formatting happens there) by appending it to
    a deque, and wakes nobody: the writer looks every ``WRITE_INTERVAL``. Waking a thread per line
    (``queue.Queue.put``, as ``QueueHandler`` does) cost the event loop ≈ 0.3 ms per call when the
    cores were busy with conversions (py-spy --gil: 14 % of the worker's GIL time in
    ``Condition.notify``), since the woken thread can preempt the loop while it holds the GIL. A
    full deque drops the record and counts it."""

    def __init__(self, limit: int = QUEUE_LINES) -> None:
        super().__init__()
        self.lines: collections.deque[logging.LogRecord] = collections.deque()
        self.limit = limit
        self.dropped = 0  # only this handler's callers add to it; the writer only reads it

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.lines) < self.limit:
            self.lines.append(record)  # (deque.append is atomic: no lock shared with the writer)
        else:
            self.dropped += 1


class _Writer:
    """The thread that writes the handed-off lines, a batch at a time, first saying how many were
    dropped since it last said so."""

    def __init__(self, handoff: _Handoff, target: logging.Handler) -> None:
        self.handoff = handoff
        self.target = target
        self.reported = 0
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        # a daemon: a writer stuck on a stderr nobody reads must not keep the process alive
        self.thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.wait(WRITE_INTERVAL):
            self.write_pending()
        self.write_pending()

    def write_pending(self) -> None:
        lines = self.handoff.lines
        if not lines and self.handoff.dropped == self.reported:
            return
        batch = []
        dropped = self.handoff.dropped
        if dropped != self.reported:
            notice = logging.LogRecord(LOGGER_NAME, logging.WARNING, __file__, 0, "log lines dropped", (), None)
            notice.fields = {"count": dropped - self.reported, "reason": "stderr was not read fast enough"}
            self.reported = dropped
            batch.append(notice)
        while lines:
            batch.append(lines.popleft())
        self._write(batch)

    def _write(self, records: list[logging.LogRecord]) -> None:
        """One write and one flush for the batch when the target is a stream; else record by record."""
        target = self.target
        if not isinstance(target, logging.StreamHandler):
            for record in records:
                target.handle(record)
            return
        lines = []
        for record in records:
            try:
                lines.append(target.format(record) + target.terminator)
            except Exception:  # what logging does with a line it cannot make: say so on stderr, go on
                target.handleError(record)
        try:
            with target.lock:
                target.stream.write("".join(lines))
                target.flush()
        except Exception:
            target.handleError(records[0])

    def stop(self) -> None:
        """Writes what is pending, waiting at most ``FLUSH_SECONDS`` for a reader that stopped reading."""
        thread, self.thread = self.thread, None
        if thread is None:
            return
        self.stopping.set()
        thread.join(FLUSH_SECONDS)


_writer_lock = threading.Lock()
_writer: _Writer | None = None


def setup(level: str, *, background: bool = False) -> logging.Logger:
    """Configures the server's logger (idempotent: a worker process calls it again). ``background``:
    lines are written by a thread of their own (see the module's comment); ``flush`` before exit."""
    global _writer
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level.upper())
    logger.propagate = False
    if not logger.handlers:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(JsonFormatter())
        if background:
            handoff = _Handoff()
            with _writer_lock:
                _writer = _Writer(handoff, stream)
                _writer.start()
            logger.addHandler(handoff)
        else:
            logger.addHandler(stream)
    return logger


def flush() -> None:
    """Writes the lines still queued and stops the writer thread; lines logged after this are
    written directly again."""
    global _writer
    with _writer_lock:
        writer, _writer = _writer, None
    if writer is None:
        return
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(writer.target)  # the stream's own lock keeps the two threads' lines whole
    logger.removeHandler(writer.handoff)
    writer.stop()


def get() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def log(level: int, event: str, **fields) -> None:
    logger = get()
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={"fields": fields})


def announce(event: str, **fields) -> None:
    """A lifecycle line (serving, shutting down, stopped): written whatever the log level, since
    operators and scripts rely on it to learn the address and the outcome."""
    logger = get()
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 0, event, (), None,
                               extra={"fields": fields})
    logger.handle(record)  # handle() skips the level check that log() makes
