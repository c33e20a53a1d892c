""""Did you mean …?" over a bounded candidate set, so that many unknown names cost linear time.

``difflib.get_close_matches`` against every known name is O(names) per lookup: 5,000 nodes and
5,000 unknown references took 44 s (issue 11). ``ClosestNames`` indexes each known name under its
single-character deletions (a symmetric-delete index): two names one edit apart — an insertion, a
deletion, a substitution or a swap of neighbours — share a key, so a lookup gathers a few
candidates from a handful of dictionary probes and ranks only those with difflib. Each key keeps
at most ``PER_KEY`` names and long names are indexed by their first ``MAX_INDEXED`` characters, so
both building and looking up stay linear whatever the names are.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable

MAX_INDEXED = 24  # characters of a name that go into its keys
PER_KEY = 8  # names kept per key: enough to rank, bounded for adversarial inputs
MAX_COMPARED = 100  # longer names are not ranked (difflib is quadratic in a name's length)


def _keys(name: str) -> set[str]:
    head = name[:MAX_INDEXED].lower()
    keys = {head}
    for i in range(len(head)):
        keys.add(head[:i] + head[i + 1:])
    return keys


class ClosestNames:
    def __init__(self, names: Iterable[str] = ()) -> None:
        self._index: dict[str, list[str]] = {}
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        index = self._index
        for key in _keys(name):
            bucket = index.get(key)
            if bucket is None:
                index[key] = [name]
            elif len(bucket) < PER_KEY and name not in bucket:
                bucket.append(name)

    def closest(self, name: str, cutoff: float = 0.6) -> str | None:
        """The known name closest to ``name`` (one edit away, case aside), or None."""
        if len(name) > MAX_COMPARED:
            return None
        candidates: dict[str, None] = {}  # ordered, without repeats
        for key in sorted(_keys(name)):  # sorted: the same answer on every run
            for known in self._index.get(key, ()):
                if known != name and len(known) <= MAX_COMPARED:
                    candidates[known] = None
        if not candidates:
            return None
        close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
        return close[0] if close else None
