"""The migration's state file in DST (SQLite, standard library): per source file its path, the
hash of its content, the hash of the options it was converted with, its output and the output's
hash, its status and its report entry. One transaction per finished file: a run killed at any
moment loses at most the files in flight, which ``--resume`` redoes.

The same database holds the run's output claims (a temporary table: bounded memory whatever the
number of files) that refuse two sources writing one output.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3

from .paths import collision_key

STATE_NAME = ".flowzap-migrate.db"
RESERVED = (STATE_NAME, STATE_NAME + "-wal", STATE_NAME + "-shm", STATE_NAME + "-journal")
SCHEMA_VERSION = "1"
# Statuses that a resumed run keeps when the source and the output are unchanged.
DONE = frozenset({"converted", "warnings", "unchanged", "skipped", "other", "copied"})


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def options_hash(settings: dict) -> str:
    return content_hash(json.dumps(settings, sort_keys=True).encode())


class State:
    """``path`` None: an in-memory database (``--dry-run`` writes nothing in DST)."""

    def __init__(self, path: str | None, *, resume: bool) -> None:
        self.path = path
        self.db = sqlite3.connect(path or ":memory:", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable against a killed process
        self.db.execute("PRAGMA temp_store=FILE")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS files (source TEXT PRIMARY KEY, source_hash TEXT NOT NULL,"
            " options_hash TEXT NOT NULL, output TEXT, output_hash TEXT, status TEXT NOT NULL, report TEXT NOT NULL)")
        self.db.execute("CREATE TEMP TABLE claims (key TEXT PRIMARY KEY, source TEXT NOT NULL)")
        found = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if not resume or (found and found[0] != SCHEMA_VERSION):
            self.db.execute("DELETE FROM files")
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        for name in RESERVED:
            self.claim(name, "(the migration's state file)")

    def claim(self, output: str, source: str) -> str | None:
        """Claims ``output`` for ``source``; returns the source that already holds it, if any."""
        key = collision_key(output)
        try:
            self.db.execute("INSERT INTO claims VALUES (?, ?)", (key, source))
            return None
        except sqlite3.IntegrityError:
            row = self.db.execute("SELECT source FROM claims WHERE key=?", (key,)).fetchone()
            return row[0] if row else "?"

    def previous(self, source: str) -> tuple | None:
        """(source_hash, options_hash, output, output_hash, status, report) of the last finished run."""
        return self.db.execute("SELECT source_hash, options_hash, output, output_hash, status, report FROM files "
                               "WHERE source=?", (source,)).fetchone()

    def record(self, source: str, source_hash: str, settings_hash: str, output: str | None,
               output_hash: str | None, status: str, report: str) -> None:
        """One finished file, in its own transaction."""
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (source, source_hash, settings_hash, output, output_hash, status, report))

    def close(self) -> None:
        self.db.close()


def state_path(destination: str) -> str:
    return os.path.join(destination, STATE_NAME)
