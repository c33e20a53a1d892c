"""A time limit on one answer of a long-lived tool process (Mermaid's parser, PlantUML's JVM).

Both tools can loop on some texts (the fuzz campaign met a Mermaid text that ran for over ten
minutes). A question that takes longer than the limit kills the process, so the blocked read
returns; the oracle then starts the tool again and raises ``TimeoutError`` naming it: one failing
check instead of a test run that never ends.
"""
from __future__ import annotations

import subprocess
import threading

ANSWER_TIMEOUT = 120.0  # seconds; the slowest honest answer in the suite takes well under one


class Watchdog:
    """``with Watchdog(proc, "mermaid's parser") as dog: …read…``; afterwards ``dog.fired`` says
    whether the limit killed ``proc``."""

    def __init__(self, proc: subprocess.Popen, tool: str, seconds: float | None = None) -> None:
        self.proc, self.tool = proc, tool
        self.seconds = ANSWER_TIMEOUT if seconds is None else seconds
        self.fired = False
        self.timer = threading.Timer(self.seconds, self._expire)

    def _expire(self) -> None:
        self.fired = True
        self.proc.kill()

    def __enter__(self) -> Watchdog:
        self.timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.timer.cancel()

    def error(self) -> TimeoutError:
        return TimeoutError(f"{self.tool} gave no answer in {self.seconds:.0f} s (stopped and started again)")
