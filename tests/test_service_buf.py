"""The API held to Buf's rules: ``buf lint`` (STANDARD, buf.yaml) passes, and ``buf breaking``
finds no change that breaks the released v1 (proto/v1.binpb, the Buf image of proto/ at v1.0).
buf is the real tool (npm @bufbuild/buf, tests/oracles/buf)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, require_tool

pytestmark = pytest.mark.oracle
BUF = ROOT / "tests" / "oracles" / "buf" / "node_modules" / ".bin" / "buf"
SCRIPT = ROOT / "scripts" / "buf.sh"
SERVICE_PROTO = Path("proto/flowzap/converter/v1/converter_service.proto")


@pytest.fixture(scope="module")
def buf() -> Path:
    require_tool("buf", BUF.exists(), "bash tests/oracles/buf/install.sh")
    return BUF


def run_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_lint_passes_with_the_standard_rules(buf):
    result = run_script("lint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_breaking_change_against_v1(buf):
    result = run_script("breaking")
    assert result.returncode == 0, result.stdout + result.stderr


def _workspace(tmp_path: Path) -> Path:
    """A copy of the buf workspace (buf.yaml, proto/, the googleapis import) to change freely."""
    assert run_script("build", "-o", "/dev/null").returncode == 0  # makes .cache/buf-deps
    shutil.copy(ROOT / "buf.yaml", tmp_path / "buf.yaml")
    shutil.copytree(ROOT / "proto", tmp_path / "proto")
    shutil.copytree(ROOT / ".cache" / "buf-deps", tmp_path / ".cache" / "buf-deps")
    return tmp_path


@pytest.mark.parametrize("change, expected", [
    (("  string description = 9;", "  string description = 19;"), 'field "9" with name "description"'),
    (("  bool can_read = 5;", "  string can_read = 5;"), 'changed type from "bool" to "string"'),
])
def test_breaking_changes_are_caught(buf, tmp_path, change, expected):
    workspace = _workspace(tmp_path)
    proto = workspace / SERVICE_PROTO
    text = proto.read_text()
    assert change[0] in text
    proto.write_text(text.replace(change[0], change[1]))
    result = subprocess.run([str(buf), "breaking", "proto", "--against", "proto/v1.binpb"], cwd=workspace,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert expected in result.stdout + result.stderr


def test_lint_catches_a_violation(buf, tmp_path):
    workspace = _workspace(tmp_path)
    proto = workspace / SERVICE_PROTO
    proto.write_text(proto.read_text().replace("string origin = 10;", "string originName = 10;"))
    result = subprocess.run([str(buf), "lint", "proto"], cwd=workspace, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "lower_snake_case" in result.stdout
