"""The oracles' answer time limit (tests/oracles/watchdog.py): a real tool that loops on a text must
fail that one check and keep answering the next, never hang the test run."""
from __future__ import annotations

import subprocess

import pytest

from tests.conftest import require_tool
from tests.oracles import mermaid_oracle as mermaid
from tests.oracles import plantuml_oracle as plantuml
from tests.oracles import watchdog
from tests.oracles.watchdog import Watchdog


def test_the_watchdog_kills_a_process_that_does_not_answer():
    proc = subprocess.Popen(["sleep", "30"], stdout=subprocess.PIPE, text=True)
    with Watchdog(proc, "sleep", seconds=0.2) as dog:
        answer = proc.stdout.readline()  # blocks until the watchdog kills sleep
    assert answer == "" and dog.fired and proc.wait(timeout=5) != 0
    assert "sleep gave no answer in 0 s" in str(dog.error())


def test_the_watchdog_leaves_a_process_that_answers_in_time():
    proc = subprocess.Popen(["echo", "hi"], stdout=subprocess.PIPE, text=True)
    with Watchdog(proc, "echo", seconds=30) as dog:
        answer = proc.stdout.readline()
    assert answer == "hi\n" and not dog.fired and proc.wait(timeout=5) == 0


@pytest.mark.parametrize("tool", ["mermaid", "plantuml"])
def test_an_oracle_that_times_out_fails_that_check_and_answers_the_next(tool, monkeypatch):
    if tool == "mermaid":
        require_tool("mermaid oracle", mermaid.available())
        oracle, text = mermaid.MermaidOracle(), "flowchart TD\nA --> B\n"
        ask = oracle.parse
    else:
        require_tool("plantuml oracle", plantuml.available())
        oracle, text = plantuml.PlantUMLOracle(), "@startuml\nA -> B : hi\n@enduml\n"
        ask = oracle.check
    try:
        # the tool stuck on a text: a process that reads every question and never answers
        real = oracle.proc
        oracle.proc = subprocess.Popen(["sh", "-c", "cat > /dev/null"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True)
        real.kill()
        monkeypatch.setattr(watchdog, "ANSWER_TIMEOUT", 0.5)
        with pytest.raises(TimeoutError, match="gave no answer in 0 s"):
            ask(text)
        monkeypatch.setattr(watchdog, "ANSWER_TIMEOUT", 120.0)
        answer = ask(text)  # a new process, started by the failed question
        assert (answer.get("ok") if tool == "mermaid" else answer[0] == "SEQUENCE"), answer
    finally:
        oracle.close()
