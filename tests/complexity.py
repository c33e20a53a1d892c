"""Growth checks for the complexity suites (issue 11): a reader or writer must take time linear
(or n log n) in its input, whatever the input.

``assert_linear(build, run, n)`` times ``run(build(n))`` and ``run(build(10 n))`` (best of a few
runs each, in CPU time, and measured again before failing, so that a noisy neighbour does not
decide) and fails when ten times the input costs
more than ``max_ratio`` times the time. Sizes are chosen so that the small case takes a few
milliseconds: below that, fixed costs hide the growth.
"""
from __future__ import annotations

import gc
import time
from typing import Any, Callable


def best_time(run: Callable[[Any], Any], value: Any, repeat: int = 3, budget: float = 20.0) -> float:
    best = float("inf")
    started = time.perf_counter()
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()  # CPU time: a loaded machine's waiting does not count
        run(value)
        best = min(best, time.process_time() - t0)
        if time.perf_counter() - started > budget:
            break
    return best


def growth(build: Callable[[int], Any], run: Callable[[Any], Any], n: int, factor: int = 10) -> tuple[float, float]:
    small, large = build(n), build(n * factor)
    run(small)  # warm caches (compiled patterns, grammar tables) before timing anything
    return best_time(run, small), best_time(run, large, repeat=2)


def assert_linear(build: Callable[[int], Any], run: Callable[[Any], Any], n: int, *,
                  factor: int = 10, max_ratio: float = 12.0, floor: float = 0.002, label: str = "") -> None:
    """Ten times the input costs at most ``max_ratio`` times the time. ``floor`` (seconds) is the
    smallest small-case time the ratio is taken against, so that microsecond timings of a tiny
    input do not make a fast run look super-linear."""
    small, large = growth(build, run, n, factor)
    ratio = large / max(small, floor)
    if ratio > max_ratio:  # measure once more before failing: one slow run is noise, two are growth
        small2, large2 = growth(build, run, n, factor)
        small, large = min(small, small2), min(large, large2)
        ratio = large / max(small, floor)
    assert ratio <= max_ratio, (
        f"{label or getattr(build, '__name__', 'input')}: n={n} took {small * 1000:.1f} ms, "
        f"n={n * factor} took {large * 1000:.1f} ms: ×{ratio:.1f} for ×{factor} the input (limit ×{max_ratio})"
    )
