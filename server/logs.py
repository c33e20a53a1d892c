"""Structured logs: one JSON object per line on stderr, so that log collectors need no parser.

The supervisor and the workers write their lines from a thread of their own (``background``): a
log collector that reads stderr slowly (or not at all) must not stop the event loop that answers
calls and sends heartbeats. Measured before: with stderr not read, a worker stopped answering after
≈ 220 calls, when the pipe's 64 KiB were full. The queue between them is bounded; what a full queue
refuses is counted and said in a "log lines dropped" line once the writer catches up.
"""
from __future__ import annotations

import json
import logging
import queue
import sys
import threading
import time
from logging.handlers import QueueHandler, QueueListener

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


# Lines held while stderr is not read (≈ 300 bytes each: a few MiB at most), and how long the last
# lines may take to reach stderr when the process ends (a reader that never comes back loses them).
QUEUE_LINES = 10_000
FLUSH_SECONDS = 5.0


class _Handoff(QueueHandler):
    """Hands each record to the writer thread as it is: formatting happens there too (the queue
    is in-process, nothing is pickled). A full queue drops the record and counts it."""

    def __init__(self, lines: queue.Queue) -> None:
        super().__init__(lines)
        self.dropped = 0  # only this handler's callers add to it; the writer only reads it

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record

    def enqueue(self, record: logging.LogRecord) -> None:
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1


class _Writer(QueueListener):
    """The thread that writes the queued lines, first saying how many were dropped since it last
    said so."""

    def __init__(self, handoff: _Handoff, stream: logging.Handler) -> None:
        super().__init__(handoff.queue, stream)
        self.handoff = handoff
        self.reported = 0

    def handle(self, record: logging.LogRecord) -> None:
        dropped = self.handoff.dropped
        if dropped != self.reported:
            notice = logging.LogRecord(LOGGER_NAME, logging.WARNING, __file__, 0, "log lines dropped", (), None)
            notice.fields = {"count": dropped - self.reported, "reason": "stderr was not read fast enough"}
            self.reported = dropped
            super().handle(notice)
        super().handle(record)

    def stop(self) -> None:
        """Writes what is queued, waiting at most ``FLUSH_SECONDS`` for a reader that stopped reading."""
        thread = self._thread
        if thread is None:
            return
        try:
            self.queue.put(self._sentinel, timeout=FLUSH_SECONDS)
        except queue.Full:
            return
        thread.join(FLUSH_SECONDS)
        self._thread = None


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
            handoff = _Handoff(queue.Queue(QUEUE_LINES))
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
    for stream in writer.handlers:  # the stream's own lock keeps the two threads' lines whole
        logger.addHandler(stream)
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
