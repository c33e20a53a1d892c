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
    return subprocess.run(command + list(args), input=stdin, capture_output=True, text=True, cwd=cwd, timeout=60, check=False)


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


# -- what a new user hit (issue 12) -------------------------------------------------------------

MERMAID = "flowchart LR\n  A[Start] --> B{OK?}\n  B -->|yes| C[Done]\n"


def test_output_dash_is_stdout(tmp_path):
    done = run("convert", "--to", "yaml", "-o", "-", str(REFERENCE), cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("flowzap_model: 1\n")
    assert not (tmp_path / "-").exists()


def test_output_in_a_missing_folder_is_a_clear_usage_error(tmp_path):
    done = run("convert", "--to", "yaml", "-o", str(tmp_path / "missing" / "dir" / "x.yaml"), str(REFERENCE))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"cannot write {tmp_path / 'missing' / 'dir' / 'x.yaml'}: No such file or directory" in done.stderr
    assert not (tmp_path / "missing").exists()


def test_output_file_is_written_atomically_and_replaced(tmp_path):
    out = tmp_path / "x.yaml"
    out.write_text("old")
    assert run("convert", "-o", str(out), str(REFERENCE)).returncode == 0
    assert out.read_text().startswith("flowzap_model: 1") and [p.name for p in tmp_path.iterdir()] == ["x.yaml"]


def _stderr_on_a_terminal(*args, env=None) -> str:
    import os
    import pty

    leader, follower = pty.openpty()
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "converters.cli"]
    process = subprocess.Popen(command + list(args), stdout=subprocess.DEVNULL, stderr=follower,
                               env={**os.environ, **(env or {})})
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    process.wait(60)
    os.close(leader)
    return seen.decode()


def test_colours_on_a_terminal_unless_no_color():
    coloured = _stderr_on_a_terminal("convert", "--to", "yaml", str(INVALID), env={"NO_COLOR": ""})
    assert "\x1b[31m" in coloured
    plain = _stderr_on_a_terminal("convert", "--to", "yaml", str(INVALID), env={"NO_COLOR": "1"})
    assert "UNKNOWN_SHAPE" in plain and "\x1b[" not in plain


def test_quiet_prints_errors_only(tmp_path):
    warned = run("convert", "--to", "mermaid", str(REFERENCE))
    assert warned.stderr.count("warning: DROPPED_EDGE_SIDES") == 4  # 22 losses, grouped by what they say
    quiet = run("convert", "--to", "mermaid", "--quiet", str(REFERENCE))
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == warned.stdout
    rejected = run("convert", "--to", "yaml", "-q", str(INVALID))
    assert rejected.returncode == 1 and "error: UNKNOWN_SHAPE" in rejected.stderr and "info:" not in rejected.stderr


def test_convert_json(tmp_path):
    done = run("convert", "--to", "mermaid", "--json", str(REFERENCE))
    data = json.loads(done.stdout)
    assert done.returncode == 0 and done.stderr == ""
    assert data["content"].startswith("flowchart LR") and data["source_format"] == "flowzap"
    assert data["target_format"] == "mermaid" and len(data["diagnostics"]) == 4 and data["exit_code"] == 0
    bad = run("convert", "--to", "yaml", "--json", str(INVALID))
    failed = json.loads(bad.stdout)
    assert bad.returncode == 1 and failed["status"] == "failed" and "content" not in failed
    assert "UNKNOWN_SHAPE" in [d["code"] for d in failed["diagnostics"]] and failed["message"].startswith("rejected")
    to_file = run("convert", "--to", "yaml", "--json", "-o", str(tmp_path / "o.yaml"), str(REFERENCE))
    assert json.loads(to_file.stdout)["output"] == str(tmp_path / "o.yaml") and (tmp_path / "o.yaml").exists()


def test_validate_a_missing_file_still_reports_every_input(tmp_path):
    done = run("validate", str(REFERENCE), str(tmp_path / "missing.fz"), str(INVALID))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{REFERENCE}: valid flowzap" in done.stdout and f"{INVALID}: invalid (5 errors)" in done.stdout
    assert "missing.fz: error: IO_ERROR: cannot read this file: No such file or directory" in done.stderr
    as_json = json.loads(run("validate", "--json", str(REFERENCE), str(tmp_path / "missing.fz")).stdout)
    assert [r["valid"] for r in as_json] == [True, False] and "No such file" in as_json[1]["error"]


def test_formats_piped_is_not_cut():
    data = json.loads(run("formats", "--json").stdout)
    piped = run("formats").stdout
    for fmt in data:
        assert f"{fmt['name']}\t{fmt['title']}\t{' '.join(fmt['extensions'])}" in piped
        for option in fmt["options"]:
            assert option["help"] in piped  # whole, however long


def test_a_mermaid_file_saved_as_fz_gets_a_hint(tmp_path):
    source = tmp_path / "diagram.fz"
    source.write_text(MERMAID)
    done = run("convert", "--to", "yaml", str(source))
    assert done.returncode == 1
    assert f"{source}: info: FORMAT_HINT: the content looks like Mermaid (mermaid), not flowzap: " \
           "name it with --from mermaid" in done.stderr
    assert run("convert", "--to", "yaml", "--from", "mermaid", str(source)).returncode == 0
    assert "FORMAT_HINT" in run("validate", str(source)).stderr


def test_shell_completion_of_formats():
    import os

    env = {**os.environ, "_FLOWZAP_CONVERT_COMPLETE": "bash_complete", "COMP_WORDS": "flowzap-convert convert --to m",
           "COMP_CWORD": "3"}
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "converters.cli"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.splitlines() == ["plain,mermaid"], done.stdout
    env["COMP_WORDS"], env["COMP_CWORD"] = "flowzap-convert migrate src dst --to ", "5"
    names = {line.split(",", 1)[1] for line in subprocess.run(command, env=env, capture_output=True, text=True,
                                                             timeout=60, check=False).stdout.splitlines()}
    assert {"flowzap", "yaml", "bpmn", "mermaid"} <= names
