"""Remote mode: ``migrate --server`` against three local converter servers (each serves a share,
through gRPC's round_robin), with one of them killed midway (no file lost or duplicated), and with
every server gone (a clean stop that ``--resume`` finishes later)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from server.testing import ServerProcess
from tests.migrate_trees import command, flowzap_convert, generated_tree, tree_digest

FILES = 300
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> tuple[Path, dict]:
    """The source tree and the digest of an uninterrupted local run."""
    base = tmp_path_factory.mktemp("remote")
    src = generated_tree(base / "src", FILES)
    done = flowzap_convert("migrate", src, base / "local", "--to", "mermaid", "-q")
    assert done.returncode == 0, done.stderr
    return src, tree_digest(base / "local")


def _servers(count: int) -> list[ServerProcess]:
    return [ServerProcess("--workers", "1").start() for _ in range(count)]


def _kill_hard(server: ServerProcess) -> None:
    """SIGKILL to the server and its worker processes: a machine that vanished."""
    parent = psutil.Process(server.pid)
    for process in parent.children(recursive=True) + [parent]:
        try:
            process.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    server.process.wait(10)


def _items(server: ServerProcess) -> int:
    return sum(int(e.get("items", 0)) for e in server.events("rpc") if e.get("method") == "BatchConvertDiagrams")


def _server_args(servers) -> list[str]:
    return [arg for server in servers for arg in ("--server", server.address)]


def _stop(servers) -> None:
    for server in servers:
        if server.process.poll() is None:
            server.stop(timeout=20)


def _wait_for_outputs(folder: Path, count: int, process: subprocess.Popen, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        if folder.exists() and sum(len(files) for _, _, files in os.walk(folder)) >= count:
            return
        time.sleep(0.05)


def test_three_servers_each_serve_a_share(tree, tmp_path):
    src, expected = tree
    servers = _servers(3)
    try:
        report = tmp_path / "report.json"
        done = flowzap_convert("migrate", src, tmp_path / "out", "--to", "mermaid", *_server_args(servers),
                               "--report", report, "-q")
        assert done.returncode == 0, done.stderr
    finally:
        _stop(servers)
    assert tree_digest(tmp_path / "out") == expected  # the same bytes as a local run
    shares = [_items(server) for server in servers]
    # every file (and every Markdown block: two per page) went to some server, each served a share
    assert sum(shares) >= FILES and all(share > FILES // 10 for share in shares), shares
    entries = json.loads(report.read_text())["files"]
    assert len(entries) == len({e["source"] for e in entries}) == FILES


def test_a_server_killed_midway_loses_and_duplicates_nothing(tree, tmp_path):
    src, expected = tree
    servers = _servers(3)
    out, report = tmp_path / "out", tmp_path / "report.json"
    try:
        process = subprocess.Popen(command("migrate", src, out, "--to", "mermaid", *_server_args(servers),
                                           "--report", report, "-q"),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _wait_for_outputs(out, FILES // 4, process)
        assert process.poll() is None, "the run ended before a server could be killed"
        _kill_hard(servers[1])
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    finally:
        _stop([s for s in servers if s.process.poll() is None])
    assert tree_digest(out) == expected
    entries = json.loads(report.read_text())["files"]
    assert len(entries) == len({e["source"] for e in entries}) == FILES
    assert all(e["status"] in ("converted", "warnings") for e in entries)
    assert _items(servers[0]) > 0 and _items(servers[2]) > 0


def test_no_server_left_stops_cleanly_and_resume_finishes(tree, tmp_path):
    src, expected = tree
    out = tmp_path / "out"
    (server,) = _servers(1)
    try:
        process = subprocess.Popen(command("migrate", src, out, "--to", "mermaid", "--server", server.address,
                                           "--timeout", "5", "-q"),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _wait_for_outputs(out, FILES // 5, process)
        assert process.poll() is None, "the run ended before the server could be killed"
        _kill_hard(server)
        _, stderr = process.communicate(timeout=120)
    finally:
        _stop([server] if server.process.poll() is None else [])
    assert process.returncode == 5, stderr
    assert "no converter server is left" in stderr and "--resume" in stderr and "Traceback" not in stderr
    partial = tree_digest(out)
    assert 0 < len(partial) < FILES and all(expected[path] == digest for path, digest in partial.items())
    (replacement,) = _servers(1)
    try:
        done = flowzap_convert("migrate", src, out, "--to", "mermaid", "--server", f"dns:///{replacement.address}",
                               "--resume")
    finally:
        _stop([replacement])
    assert done.returncode == 0, done.stderr
    assert "done by an earlier run" in done.stderr
    assert tree_digest(out) == expected


def test_one_name_resolving_to_the_servers(tmp_path):
    src = generated_tree(tmp_path / "src", 12)
    (server,) = _servers(1)
    try:
        port = server.address.rsplit(":", 1)[1]
        done = flowzap_convert("migrate", src, tmp_path / "out", "--to", "yaml", "--server", f"localhost:{port}", "-q")
        bad = flowzap_convert("migrate", src, tmp_path / "out2", "--to", "yaml", "--server", "nonsense", "-q")
    finally:
        _stop([server])
    assert done.returncode == 0, done.stderr
    assert len(tree_digest(tmp_path / "out")) == 12
    assert bad.returncode == 2 and "HOST:PORT" in bad.stderr and "Traceback" not in bad.stderr
