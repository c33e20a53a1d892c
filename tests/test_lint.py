"""The code style is a test: ruff (configured in pyproject.toml) over the library and the server."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, require_tool


def test_ruff_is_clean_over_the_library_and_the_server():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    require_tool("ruff", ruff is not None, "pip install -e '.[test]'")
    done = subprocess.run([ruff, "check", "--no-cache", "converters", "server"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
