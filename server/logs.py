"""Structured logs: one JSON object per line on stderr, so that log collectors need no parser."""
from __future__ import annotations

import json
import logging
import sys
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


def setup(level: str) -> logging.Logger:
    """Configures the server's logger (idempotent: a worker process calls it again)."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level.upper())
    logger.propagate = False
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    return logger


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
