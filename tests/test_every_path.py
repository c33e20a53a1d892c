"""Writer closure and no silent loss on every path at once (issue 8: 2,000 examples per format pair
in CI).

Drawing a model is what these properties cost: Hypothesis takes ≈ 0.1 s of CPU per ``any_models()``
example, the conversions of one pair ≈ 3 ms. So each drawn model is put through every check of
``test_closure.py`` (each format's writer read back by its reader) and of ``test_no_silent_loss.py``
(each X → Y → model path) instead of drawing fresh models per pair: 2,000 examples here are 2,000
per format and per pair, in about the time 150 per pair took one test at a time. Those two files
keep their per-format and per-pair tests, which point at the failing pair and mark its known gaps.

Examples: ``EVERY_PATH_EXAMPLES`` (default 2,000 in CI, 100 on a developer's machine). Paths those
files list as known gaps are run too, but only their own tests report them.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings

from converters import FlowzapError
from tests.conftest import IN_CI
from tests.strategies import any_models
from tests.test_closure import FORMATS, check_closure
from tests.test_closure import KNOWN_GAPS as CLOSURE_GAPS
from tests.test_no_silent_loss import KNOWN_GAPS as LOSS_GAPS
from tests.test_no_silent_loss import silent_losses, through

EXAMPLES = int(os.environ.get("EVERY_PATH_EXAMPLES", "2000" if IN_CI else "100"))
PAIRS = [(x, y) for x in FORMATS for y in FORMATS if x != y]


def failures_of(model) -> list[tuple[str, bool, str]]:
    """(path, known gap?, what went wrong) for every check this model fails."""
    found = []
    carried = {}  # format → the model as that format writes and reads it (None: refused)
    for fmt in FORMATS:
        try:
            check_closure(model, fmt)
        except AssertionError as error:
            found.append((f"closure {fmt}", fmt in CLOSURE_GAPS, str(error)))
        try:
            carried[fmt] = through(model, fmt)[0]
        except FlowzapError:
            carried[fmt] = None  # the closure check above names this failure
    for source, target in PAIRS:
        if carried[source] is None:
            continue
        try:
            losses = silent_losses(carried[source], target)
        except FlowzapError as error:
            losses = [f"{type(error).__name__}: {error}"]
        if losses:
            found.append((f"{source} -> {target}", (source, target) in LOSS_GAPS,
                          "differences no diagnostic names:\n" + "\n".join(losses)))
    return found


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not IN_CI,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(any_models())
def test_every_path_closes_and_reports_its_losses(model):
    unexpected = [f"{path}: {what}" for path, known, what in failures_of(model) if not known]
    assert not unexpected, "\n\n".join(unexpected)

