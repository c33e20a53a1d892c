"""The growth check itself (tests/complexity.py): it must fail a quadratic step, whatever the
machine's noise, and pass a linear one; otherwise every complexity suite proves nothing."""
from __future__ import annotations

import pytest

from tests.complexity import assert_linear


def _pairs(n: int) -> int:  # about n²/2 steps: the kind of loop a reader must not hide
    return sum(1 for i in range(n) for _ in range(i))


def _words(text: str) -> int:
    return len(dict.fromkeys(text.split()))


def test_a_quadratic_step_fails():
    with pytest.raises(AssertionError, match="grew the time more than the limit"):
        assert_linear(lambda n: n, _pairs, 300, label="pairs")


def test_a_linear_pass_passes():
    assert_linear(lambda n: " ".join(f"w{i}" for i in range(n)), _words, 20000, label="words")
