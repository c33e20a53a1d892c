"""The elements diagnostics name: ``element``, and every one of ``elements`` where the API gathers
losses that say the same thing about several elements into one diagnostic."""
from __future__ import annotations


def named(diagnostics, code: str | None = None) -> set[str]:
    result: set[str] = set()
    for d in diagnostics:
        if code is None or d.code == code:
            if d.element:
                result.add(d.element)
            result.update(getattr(d, "elements", ()) or ())
    return result
