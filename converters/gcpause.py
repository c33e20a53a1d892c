"""Pausing the cyclic garbage collector while a large diagram is read or written.

Readers and writers allocate hundreds of thousands of small, acyclic objects (model elements,
tokens, YAML nodes). CPython's cyclic collector scans the young objects each time allocations
outnumber frees by 700, and the older generations ever more often as the heap grows: at 50,000
nodes that cost more than the conversion itself (YAML read: 6.3 s with the collector, 1.5 s
without). Reference counting still frees everything; only cycle detection waits until the
outermost conversion ends. Thread-safe: concurrent conversions share one pause.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

# Below this size a pause buys nothing measurable.
LARGE_INPUT = 64 * 1024

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused(size: int):
    global _depth, _was_enabled
    if size < LARGE_INPUT:
        yield
        return
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
