"""Every shell command in README.md works exactly as written, after the README's own set-up.

The README's ``sh`` blocks are run in order from the repository's root, as a reader would: a
command that starts the service (``make run``, ``… serve …``) runs in the background, as in a
second terminal, until the next one replaces it; every other command must exit 0, and when its
block is followed by a plain block (the output the README shows), print exactly that. Left out:
``make test`` (it is the run this test belongs to) and Docker's commands (no engine here). Files
the commands write (``auth.bpmn``) are removed afterwards.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow
README = ROOT / "README.md"
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```\n", re.M | re.S)
SERVICE = re.compile(r"^(make run|\S*flowzap-convert serve(?!.*--help)|\S*python -m server)(\s|$)")
NOT_RUN = {"make test": "the run this test belongs to"}
SETUP_TIMEOUT = 900  # make run's set-up (pip) on a fresh machine


@dataclass
class Command:
    text: str
    expected_output: str | None  # the plain block the README shows after this command's block


def commands() -> list[Command]:
    """The README's shell commands in order (continuation lines joined), Docker's aside."""
    text = README.read_text(encoding="utf-8")
    blocks = [(m.group(1), m.group(2), m.end()) for m in FENCE.finditer(text)]
    found: list[Command] = []
    for index, (language, body, end) in enumerate(blocks):
        if language not in ("sh", "bash", "shell"):
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        shown = None
        if following and following[0] == "" and not text[end:text.index("```", end)].strip():
            shown = following[1]
        lines = body.splitlines()
        block: list[str] = []
        for line in lines:
            if block and block[-1].endswith("\\"):
                block[-1] += "\n" + line
            elif line.strip():
                block.append(line)
        runnable = [c for c in block if not c.lstrip().startswith("docker ")]
        plain = [c for c in runnable if not SERVICE.match(c) and strip_comment(c) not in NOT_RUN]
        for command in runnable:
            found.append(Command(command, shown if shown is not None and len(plain) == 1 and command in plain
                                 else None))
    return found


def strip_comment(command: str) -> str:
    return re.sub(r"\s+#.*$", "", command).strip()


class Service:
    """A command that serves until stopped, run as in another terminal."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.lines: list[str] = []
        self.serving = threading.Event()
        self.process = subprocess.Popen(["bash", "-c", command], cwd=ROOT, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            if '"event": "serving"' in line:
                self.serving.set()

    def wait_serving(self) -> None:
        deadline = time.monotonic() + SETUP_TIMEOUT
        while not self.serving.wait(0.2):
            assert self.process.poll() is None, f"{self.command!r} exited {self.process.returncode}: " \
                                                f"{''.join(self.lines[-20:])}"
            assert time.monotonic() < deadline, f"{self.command!r} is not serving: {''.join(self.lines[-20:])}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def untracked() -> set[str]:
    listing = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    return {line[3:] for line in listing.splitlines() if line.startswith("??")}


def test_readme_lists_its_commands():
    found = [strip_comment(c.text) for c in commands()]
    assert "make run" in found and "make test" in found
    assert any("grpcurl" in c and "describe" in c for c in found)
    assert all("loss_policy: \"fail\"" not in c for c in found)


def test_every_readme_shell_command_works_as_written():
    before = untracked()
    service: Service | None = None
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLOWZAP_")}
    try:
        for command in commands():
            bare = strip_comment(command.text)
            if bare in NOT_RUN:
                continue
            if SERVICE.match(command.text):
                if service is not None and strip_comment(service.command) == bare and service.process.poll() is None:
                    continue  # already serving, as the README left it
                if service is not None:
                    service.stop()
                service = Service(command.text)
                service.wait_serving()
                continue
            result = subprocess.run(["bash", "-o", "pipefail", "-c", command.text], cwd=ROOT, env=env,
                                    capture_output=True, text=True, timeout=SETUP_TIMEOUT)
            assert result.returncode == 0, f"{command.text!r} exited {result.returncode}:\n" \
                                           f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            if command.expected_output is not None:
                # A terminal shows no difference in trailing blank lines (jq -r adds one).
                assert result.stdout.rstrip("\n") == command.expected_output.rstrip("\n"), command.text
    finally:
        if service is not None:
            service.stop()
        for path in untracked() - before:
            (ROOT / path).unlink(missing_ok=True)
