"""Which files a migration reads and where each output goes, so that nothing is ever written
outside DST: the sources are walked (never followed out through a symlink), every output path is
relative, made only of plain names, and claimed once — two sources that would write one output,
also when their names differ only in case (a case-insensitive filesystem), are refused."""
from __future__ import annotations

import fnmatch
import os
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from .. import registry
from ..formats import Format
from .one import MARKDOWN_EXTENSIONS

# Version-control folders are never part of a documentation tree's content.
ALWAYS_EXCLUDED = frozenset({".git", ".hg", ".svn"})
# Extensions whose content may be a diagram only the content tells (else: not a diagram).
SNIFFED_EXTENSIONS = frozenset({"", ".txt", ".text", ".xml"})
SNIFF_BYTES = 8192
# Extensions of diagram formats that may not be registered (yet): skipped and said so, not taken
# for "not a diagram". A registered format's own extensions win over this table.
KNOWN_DIAGRAM_EXTENSIONS = {".puml": "plantuml", ".plantuml": "plantuml", ".pu": "plantuml", ".iuml": "plantuml"}


class PathError(ValueError):
    """SRC and DST cannot be used together (a usage error)."""


@dataclass(slots=True)
class Source:
    """One file found under SRC. ``kind``: diagram | markdown | sniffed | other | skipped."""

    rel: str  # relative to the base folder, "/"-separated, plain names only
    path: str  # where to read it
    kind: str
    format: str | None = None  # the source format when known before reading
    reason: str | None = None  # why it is skipped


def is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def safe_relative(rel: str) -> bool:
    """A relative "/"-separated path of plain names: no root, no "..", ".", empty part or NUL."""
    if not rel or rel.startswith("/") or "\0" in rel or "\\" in rel and os.sep == "\\":
        return False
    return all(part not in ("", ".", "..") for part in rel.split("/"))


def collision_key(rel: str) -> str:
    """Two outputs with one key would be one file on a case-insensitive (or normalising) filesystem."""
    return unicodedata.normalize("NFC", rel).casefold()


class Plan:
    """SRC (a folder, or files) and DST, checked; ``sources()`` walks SRC lazily in a stable order."""

    def __init__(self, sources: list[str], destination: str, *, includes: tuple[str, ...] = (),
                 excludes: tuple[str, ...] = (), source_format: str | None = None) -> None:
        if not sources:
            raise PathError("no SRC given")
        missing = [s for s in sources if not os.path.exists(s)]
        if missing:
            raise PathError(f"cannot read {missing[0]}: no such file or folder")
        self.destination = os.path.realpath(destination)
        self.includes, self.excludes = includes, excludes
        self.source_format = source_format
        self.folder_mode = len(sources) == 1 and os.path.isdir(sources[0])
        if self.folder_mode:
            self.base = os.path.realpath(sources[0])
            self.files: list[str] = []
            if is_within(self.destination, self.base):
                raise PathError(f"DST {destination} is inside SRC {sources[0]}: choose a folder outside it")
            if is_within(self.base, self.destination):
                raise PathError(f"SRC {sources[0]} is inside DST {destination}: outputs could overwrite sources")
        else:
            folders = [s for s in sources if os.path.isdir(s)]
            if folders:
                raise PathError(f"{folders[0]} is a folder: give one folder, or files")
            self.files = [os.path.abspath(s) for s in sources]
            self.base = os.path.commonpath([os.path.dirname(f) for f in self.files])
            for file in self.files:
                if is_within(os.path.realpath(file), self.destination):
                    raise PathError(f"{file} is inside DST {destination}: outputs could overwrite sources")

    # -- walking ---------------------------------------------------------------------------

    def _excluded(self, rel: str, name: str) -> bool:
        return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in self.excludes)

    def _included(self, rel: str, name: str) -> bool:
        return not self.includes or any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p)
                                        for p in self.includes)

    def _walk(self, folder: str, rel_folder: str) -> Iterator[tuple[str, os.DirEntry]]:
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            rel = f"{rel_folder}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in ALWAYS_EXCLUDED and not self._excluded(rel, entry.name):
                    yield from self._walk(entry.path, rel + "/")
            elif not self._excluded(rel, entry.name) and self._included(rel, entry.name):
                yield rel, entry

    def count(self) -> int:
        return len(self.files) if not self.folder_mode else sum(1 for _ in self._walk(self.base, ""))

    def sources(self) -> Iterator[Source]:
        if self.folder_mode:
            for rel, entry in self._walk(self.base, ""):
                yield self.classify(rel, entry.path)
        else:
            for file in self.files:
                yield self.classify(os.path.relpath(file, self.base).replace(os.sep, "/"), file)

    # -- what each file is ------------------------------------------------------------------

    def classify(self, rel: str, path: str) -> Source:
        if not safe_relative(rel):
            return Source(rel, path, "skipped", reason="unsafe path")
        try:
            info = os.lstat(path)
        except OSError as error:
            return Source(rel, path, "skipped", reason=f"cannot read: {error.strerror}")
        if stat.S_ISLNK(info.st_mode):
            target = os.path.realpath(path)
            if self.folder_mode and not is_within(target, self.base):
                return Source(rel, path, "skipped", reason="symlink pointing outside SRC")
            if not os.path.isfile(target):
                return Source(rel, path, "skipped", reason="symlink to something that is not a file")
        elif not stat.S_ISREG(info.st_mode):
            return Source(rel, path, "skipped", reason="not a regular file")
        extension = os.path.splitext(rel)[1].lower()
        if extension in MARKDOWN_EXTENSIONS:
            return Source(rel, path, "markdown")
        fmt = registry.format_for_filename(rel)
        if fmt is not None and fmt.can_read:
            return self._diagram(rel, path, fmt)
        if extension in KNOWN_DIAGRAM_EXTENSIONS:
            return Source(rel, path, "skipped", KNOWN_DIAGRAM_EXTENSIONS[extension],
                          reason=f"no reader for {KNOWN_DIAGRAM_EXTENSIONS[extension]}")
        if extension in SNIFFED_EXTENSIONS:
            fmt = self._sniff(path)
            if fmt is not None:
                return self._diagram(rel, path, fmt, kind="sniffed")
        return Source(rel, path, "other", reason="not a diagram")

    def _diagram(self, rel: str, path: str, fmt: Format, kind: str = "diagram") -> Source:
        if self.source_format and fmt.name != self.source_format:
            return Source(rel, path, "other", fmt.name, reason=f"{fmt.name}, not the --from format")
        return Source(rel, path, kind, fmt.name)

    @staticmethod
    def _sniff(path: str) -> Format | None:
        try:
            with open(path, "rb") as file:
                head = file.read(SNIFF_BYTES)
        except OSError:
            return None
        if b"\0" in head:
            return None
        return registry.sniff_format(head.decode("utf-8", "replace"))


def output_rel(source: Source, target: Format) -> str | None:
    """Where ``source``'s output goes under DST (None: it has none)."""
    if source.kind in ("diagram", "sniffed"):
        if source.format == target.name:
            return source.rel  # already in the target format: copied as it is
        stem, _ = os.path.splitext(source.rel)
        return stem + target.extensions[0]
    if source.kind in ("markdown", "other"):
        return source.rel
    return None
