"""Ids a writer can use: every format has its own rule for what an id may look like, but the
policy is the same everywhere — keep the model's id when the format allows it and it is free,
else derive a clean one from it and number it until it is unique.

Numbering is linear: each base remembers the next number to try, so n elements that all clean to
the same base cost O(n), not O(n²).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from .diagram import Edge


def edge_name(edge: Edge) -> str:
    """How diagnostics name an edge: its id when it has one, else ``source->target``."""
    return edge.id or f"{edge.source}->{edge.target}"


class IdAllocator:
    """Unique ids in one namespace.

    ``is_valid(candidate)`` says whether the format accepts an id as written; ``clean(original)``
    turns any text into a valid base (it must return a valid, non-empty id). ``fold`` compares ids
    case-insensitively (Mermaid keywords, case-insensitive file systems); ``reserved`` ids are never
    handed out (keywords).
    """

    def __init__(
        self,
        is_valid: Callable[[str], bool],
        clean: Callable[[str], str],
        *,
        separator: str = "_",
        fold: bool = False,
        reserved: frozenset[str] = frozenset(),
    ) -> None:
        self._is_valid = is_valid
        self._clean = clean
        self._separator = separator
        self._fold = fold
        self._reserved = frozenset(r.lower() for r in reserved) if fold else reserved
        self._taken: set[str] = set()
        self._next_number: dict[str, int] = {}

    def _key(self, candidate: str) -> str:
        return candidate.lower() if self._fold else candidate

    def is_free(self, candidate: str) -> bool:
        key = self._key(candidate)
        return key not in self._taken and key not in self._reserved

    def usable(self, candidate: str | None) -> bool:
        """True when ``candidate`` can be used as it is: valid for the format and not taken."""
        return bool(candidate) and self._is_valid(candidate) and self.is_free(candidate)

    def take(self, candidate: str) -> str:
        """Marks ``candidate`` as used (the caller checked ``usable``) and returns it."""
        self._taken.add(self._key(candidate))
        return candidate

    def reserve(self, original: str | None) -> bool:
        """Takes ``original`` as it is when it is usable; returns whether it was taken. Writers
        reserve every id they can keep first, so that a derived id never steals a kept one."""
        if original is not None and self.usable(original):
            self.take(original)
            return True
        return False

    def reserve_all(self, originals: Iterable[str | None]) -> list[str]:
        """``reserve`` of each of ``originals`` in turn (one call for a whole diagram's ids);
        returns the ones taken as they are."""
        taken, reserved, is_valid, fold = self._taken, self._reserved, self._is_valid, self._fold
        kept = []
        for original in originals:
            if not original:
                continue
            key = original.lower() if fold else original
            if key not in taken and key not in reserved and is_valid(original):
                taken.add(key)
                kept.append(original)
        return kept

    def allocate(self, wanted: str | None, fallback: str = "id") -> str:
        """``wanted`` when usable, else a numbered id derived from it (or from ``fallback``)."""
        if wanted is not None and self.usable(wanted):
            return self.take(wanted)
        base = self._clean(wanted) if wanted else ""
        if not base or not self._is_valid(base):
            base = self._clean(fallback) or fallback
        if self.is_free(base):
            return self.take(base)
        number = self._next_number.get(self._key(base), 2)
        candidate = f"{base}{self._separator}{number}"
        while not self.is_free(candidate):
            number += 1
            candidate = f"{base}{self._separator}{number}"
        self._next_number[self._key(base)] = number + 1
        return self.take(candidate)
