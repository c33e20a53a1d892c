"""Shared test set-up.

Real-tool checks: a test that needs an external tool (mermaid's parser, bpmn-moddle, grpcurl, …)
calls ``require_tool(name, available, how_to_install)``. On a developer's machine a missing tool
skips the test with the command that installs it; in CI (``CI=true``) it fails, because the set-up
(``scripts/setup.sh --test``) must have installed it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Real diagrams by others (tests/corpus/SOURCES.md). Tests read only inside the repository.
CORPUS = Path(__file__).resolve().parent / "corpus"
DATA = Path(__file__).resolve().parent / "data"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(name: str, available: bool, install_hint: str = "bash scripts/setup.sh --test") -> None:
    if available:
        return
    message = f"{name} is not installed (run: {install_hint})"
    if IN_CI:
        pytest.fail(message + " — in CI every real-tool check must run", pytrace=False)
    pytest.skip(message)


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite golden files from the current output (review the diff!)")


@pytest.fixture
def update_goldens(request) -> bool:
    return bool(request.config.getoption("--update-goldens"))
