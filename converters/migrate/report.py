"""``--report FILE``: one JSON document with an entry per file (and per Markdown block) and the
summary. Entries are streamed to a temporary file as files finish (memory stays flat whatever the
number of files), which replaces FILE atomically at the end."""
from __future__ import annotations

import json
import os

from .atomic import TEMP_PREFIX, TEMP_SUFFIX


class Report:
    def __init__(self, path: str | None, header: dict) -> None:
        self.path = path
        self.file = None
        self.count = 0
        if path is None:
            return
        folder = os.path.dirname(os.path.abspath(path))
        self.temp = os.path.join(folder, f"{TEMP_PREFIX}{os.getpid()}-report{TEMP_SUFFIX}")
        self.file = open(self.temp, "w", encoding="utf-8")  # noqa: SIM115 — open for the whole run
        head = json.dumps(header, ensure_ascii=False)[:-1]  # the header's fields, then "files"
        self.file.write(head + (", " if header else "") + '"files": [')

    def add(self, entry_json: str) -> None:
        if self.file is not None:
            self.file.write(("\n  " if not self.count else ",\n  ") + entry_json)
            self.count += 1

    def finish(self, summary: dict) -> None:
        if self.file is None:
            return
        self.file.write('\n],\n"summary": ' + json.dumps(summary) + "}\n")
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.temp, self.path)
        self.file = None

    def abandon(self) -> None:
        if self.file is not None:
            self.file.close()
            os.unlink(self.temp)
            self.file = None
