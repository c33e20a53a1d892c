"""The flowzap-convert command, run as users run it: the installed console script in a subprocess."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "flowzap"
REFERENCE = DATA / "00_seed_auth_flow.fz"
INVALID = DATA / "90_invalid_legacy_syntax.fz"
SCRIPT = Path(sys.executable).parent / "flowzap-convert"


def run(*args, stdin: str | None = None, cwd=None) -> subprocess.CompletedProcess:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "converters.cli"]
    return subprocess.run(command + list(args), input=stdin, capture_output=True, text=True, cwd=cwd, timeout=60)


def test_console_script_is_installed():
    assert SCRIPT.exists() or shutil.which("flowzap-convert"), "pip install -e . installs flowzap-convert"


def test_convert_to_stdout_with_detection():
    done = run("convert", "--to", "yaml", str(REFERENCE))
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("flowzap_model: 1\n")


def test_convert_stdin_to_file_with_target_from_extension(tmp_path):
    out = tmp_path / "copy.fz"
    done = run("convert", "-o", str(out), "-", stdin=REFERENCE.read_text())
    assert done.returncode == 0, done.stderr
    assert out.read_text() == REFERENCE.read_text()


def test_rejected_input_exit_1_and_compiler_style_diagnostics():
    done = run("convert", "--to", "yaml", str(INVALID))
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert f"{INVALID}:4:13: error: UNKNOWN_SHAPE: unknown shape 'rect'; did you mean 'rectangle'?" in lines[2]
    assert f"{INVALID}:6:3: error: CHAINED_EDGE:" in lines[3]
    assert "\x1b[" not in done.stderr  # no colours when stderr is not a terminal


def test_usage_errors_exit_2():
    unknown = run("convert", "--to", "flowzpa", str(REFERENCE))
    assert unknown.returncode == 2 and "did you mean 'flowzap'" in unknown.stderr
    assert run("convert", "--to", "flowzap", "--option", "nope=1", str(REFERENCE)).returncode == 2
    assert run("convert", "--to", "flowzap", "--option", "novalue", str(REFERENCE)).returncode == 2
    assert run("convert", "--to", "yaml", "missing.fz").returncode == 2
    assert run("convert", str(REFERENCE)).returncode == 2  # no target


def test_loss_policy_fail_exit_3(tmp_path):
    lossy = tmp_path / "lossy.yaml"
    lossy.write_text("flowzap_model: 1\ntitle: Has a title\nlanes:\n- id: A\nnodes:\n- {id: a, lane: A}\n")
    done = run("convert", "--to", "flowzap", "--loss-policy", "fail", str(lossy))
    assert done.returncode == 3 and "DROPPED_TITLE" in done.stderr and done.stdout == ""
    warned = run("convert", "--to", "flowzap", str(lossy))
    assert warned.returncode == 0 and f"{lossy}: warning: DROPPED_TITLE" in warned.stderr
    quiet = run("convert", "--to", "flowzap", "--loss-policy", "ignore", str(lossy))
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_validate_text_and_json():
    done = run("validate", str(REFERENCE), str(INVALID))
    assert done.returncode == 1
    assert f"{REFERENCE}: valid flowzap (3 lanes, 19 nodes, 22 edges, 0 groups)" in done.stdout
    assert f"{INVALID}: invalid (5 errors)" in done.stdout
    as_json = json.loads(run("validate", "--json", str(REFERENCE)).stdout)
    assert as_json["valid"] and as_json["summary"]["nodes"] == 19
    ok = run("validate", str(REFERENCE))
    assert ok.returncode == 0


def test_formats_table_and_json():
    data = json.loads(run("formats", "--json").stdout)
    names = [f["name"] for f in data]
    assert names[:2] == ["flowzap", "yaml"]
    assert data[0]["extensions"][0] == ".fz" and data[0]["read"] and data[0]["write"]
    table = run("formats").stdout
    assert "flowzap" in table and ".yaml .yml" in table


@pytest.mark.parametrize("args", [["--help"], ["convert", "--help"], ["--version"]])
def test_help_and_version(args):
    done = run(*args)
    assert done.returncode == 0 and done.stdout
