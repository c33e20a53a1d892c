"""Atomic writes under one root folder that no path can leave.

Each output is written to a temporary file in its own folder, flushed to disk (fsync), then
renamed over the final name: a crash or ``kill -9`` leaves either the old
file or the new one, never half of one. Folders are opened one name at a time from the root with
``O_NOFOLLOW``, so a symlink planted inside DST cannot send a write elsewhere; leftover temporary
files of a killed run are swept before the next run.
"""
from __future__ import annotations

import itertools
import os

TEMP_PREFIX = ".fzmig-"
TEMP_SUFFIX = ".tmp"
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_counter = itertools.count()


class UnsafeOutput(OSError):
    """An output path that would leave the root (a symlink, ``..``, an absolute path)."""


def write_file(path: str, data: bytes) -> None:
    """``data`` to ``path`` atomically (``-o FILE`` of the one-file command)."""
    folder, name = os.path.split(os.path.abspath(path))
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        _write_in(fd, name, data)
    finally:
        os.close(fd)


def _write_in(folder_fd: int, name: str, data: bytes, sync_folder: bool = True) -> None:
    while True:
        temp = f"{TEMP_PREFIX}{os.getpid()}-{next(_counter)}{TEMP_SUFFIX}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666,
                         dir_fd=folder_fd)
            break
        except FileExistsError:  # left by an earlier process with this pid
            continue
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        try:
            os.unlink(temp, dir_fd=folder_fd)
        except OSError:
            pass
        raise
    if sync_folder:  # the rename itself survives a crash of the machine
        os.fsync(folder_fd)


class OutputTree:
    """Writes below ``root`` only."""

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)

    def write(self, rel: str, data: bytes) -> None:
        parts = rel.split("/")
        if not rel or rel.startswith("/") or any(p in ("", ".", "..") or "\0" in p for p in parts):
            raise UnsafeOutput(f"{rel!r} is not a plain relative path")
        fd = os.open(self.root, _DIRECTORY_FLAGS)
        try:
            for part in parts[:-1]:
                try:
                    os.mkdir(part, dir_fd=fd)
                except FileExistsError:
                    pass
                try:
                    inner = os.open(part, _DIRECTORY_FLAGS, dir_fd=fd)
                except OSError as error:  # ELOOP: a symlink; ENOTDIR: a file in the way
                    raise UnsafeOutput(f"{rel}: {part} is not a folder of DST ({error.strerror})") from error
                os.close(fd)
                fd = inner
            # No folder fsync per file (it doubles the cost of a write): a rename lost to a power
            # cut leaves the old file, and --resume checks every output's hash anyway.
            _write_in(fd, parts[-1], data, sync_folder=False)
        finally:
            os.close(fd)

    def sweep(self) -> int:
        """Removes temporary files left by a killed run; returns how many."""
        removed = 0
        stack = [self.root]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX):
                            os.unlink(entry.path)
                            removed += 1
            except FileNotFoundError:
                continue
        return removed
