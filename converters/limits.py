"""Limits every call of the library runs under, on by default (issue 11): no input, however
large or hostile, may hold a caller for long or fill its memory.

Each limit is a keyword argument of ``convert``, ``read``, ``validate`` and their siblings in
``converters.api`` (None lifts it). While a call runs, its limits are the context's
(``current()``), so that readers and the diagnostics collector can consult them without every
reader taking them as arguments; a refusal is an ``INPUT_TOO_LARGE`` error saying which limit.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

MAX_BYTES = 32 * 1024 * 1024  # UTF-8 bytes of a source text (50,000 FlowZap nodes are ≈ 6 MB)
MAX_NODES = 100_000
MAX_DEPTH = 100  # nesting of groups (subgraphs, fragments, sub-processes) and of the source text
MAX_DIAGNOSTICS_PER_CODE = 100  # then one summary diagnostic counts the rest


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int | None = MAX_BYTES
    max_nodes: int | None = MAX_NODES
    max_depth: int | None = MAX_DEPTH
    max_diagnostics_per_code: int | None = MAX_DIAGNOSTICS_PER_CODE


DEFAULT = Limits()
_current: ContextVar[Limits] = ContextVar("converters_limits", default=DEFAULT)


def current() -> Limits:
    """The limits of the call in progress (the defaults outside any call)."""
    return _current.get()


@contextmanager
def applied(limits: Limits):
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


# For the API's hot path (a context manager costs more than the conversion of a small diagram
# would like): set the limits, and reset them with the token returned.
enter = _current.set
leave = _current.reset


def utf8_size_over(text: str, limit: int) -> int | None:
    """The UTF-8 size of ``text`` when it is over ``limit`` bytes (a lower bound when the
    character count alone shows it), else None; encodes only when the count cannot decide."""
    if len(text) > limit:
        return len(text)
    if len(text) * 4 <= limit:
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > limit else None


def depth_over(depth: int) -> int | None:
    """The call's ``max_depth`` when ``depth`` goes past it, else None. Readers ask as they nest,
    so that a text nested a million deep is refused at the line that passes the limit rather than
    after everything was built (and walks that cost per level stay bounded by the limit)."""
    limit = _current.get().max_depth
    return limit if limit is not None and depth > limit else None
