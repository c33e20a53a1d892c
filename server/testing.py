"""Helpers to run the server for tests and benchmarks: a real server process on a free
loopback port (``ServerProcess``) and, for tests that must patch the library, the same server in
this process (``InProcessServer``). Both serve over real sockets."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parent.parent


def chain_diagram(nodes: int, lane: str = "Lane") -> str:
    """A FlowZap diagram of ``nodes`` tasks in a row: a large input whose conversion time grows
    linearly (about 50 µs per node), for deadline and drain tests."""
    lines = [f"{lane} {{ # {lane}"]
    lines += [f'n{i}: rectangle label:"Step {i}"' for i in range(1, nodes + 1)]
    lines += [f"n{i}.handle(right) -> n{i + 1}.handle(left)" for i in range(1, nodes)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def wait_for(predicate, timeout: float = 20.0, what: str = "condition"):
    """Polls ``predicate`` until it returns something true (returned), or fails the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class ServerProcess:
    """``python -m server`` (or ``command``) on 127.0.0.1, port chosen by the OS.

    The "serving" log line gives the address; every JSON log line is kept in ``logs``."""

    def __init__(self, *args: str, command: list[str] | None = None, env: dict | None = None,
                 cwd: Path | str | None = None, address: str = "127.0.0.1:0") -> None:
        base = command or [sys.executable, "-m", "server"]
        self.argv = [*base, "--address", address, *args]
        self.env = {**os.environ, **(env or {})}
        self.cwd = str(cwd or SOURCE_ROOT)
        self.process: subprocess.Popen | None = None
        self._lines: list[str] = []
        self.address: str | None = None
        self._serving = threading.Event()
        self._reader: threading.Thread | None = None

    def start(self, timeout: float = 60.0) -> ServerProcess:
        self.process = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while not self._serving.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"server did not start (exit {self.process.returncode}): {self.logs[-5:]}")
        return self

    def _read(self) -> None:
        # Kept raw and parsed on demand: a benchmark's hundred thousand log lines must not cost
        # the client's CPU.
        for line in self.process.stderr:
            self._lines.append(line)
            if not self._serving.is_set() and '"serving"' in line:
                self.address = json.loads(line)["address"]
                self._serving.set()

    @property
    def logs(self) -> list[dict]:
        entries = []
        for line in list(self._lines):
            try:
                entries.append(json.loads(line))
            except ValueError:
                entries.append({"raw": line.rstrip("\n")})
        return entries

    @property
    def pid(self) -> int:
        return self.process.pid

    def events(self, event: str) -> list[dict]:
        return [entry for entry in list(self.logs) if entry.get("event") == event]

    def signal(self, signum: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signum)

    def wait(self, timeout: float = 30.0) -> int:
        code = self.process.wait(timeout)
        if self._reader is not None:
            self._reader.join(5)
        return code

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then the exit status (killed after ``timeout``)."""
        self.signal(signal.SIGTERM)
        try:
            return self.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            try:
                self.stop(timeout=20)
            except Exception:
                self.kill()


class InProcessServer:
    """One worker's server on its own event loop in a thread of this process."""

    def __init__(self, config) -> None:
        self.config = config
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.worker = None

    def __enter__(self) -> InProcessServer:
        from . import worker

        self.thread.start()
        self.worker = asyncio.run_coroutine_threadsafe(worker.start(self.config, 0, reuse_port=False),
                                                       self.loop).result(30)
        return self

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.worker.port}"

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self.worker.drain(0), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def rich_details(error) -> dict:
    """The details of a failed call's ``google.rpc.Status``, by message type name
    (``ErrorInfo``, ``BadRequest``, ``DiagnosticList``, ...), decoded with ``grpc_status``."""
    from google.protobuf import symbol_database
    from grpc_status import rpc_status

    # Make sure the message types the server may send are known to the symbol database.
    from google.rpc import error_details_pb2  # noqa: F401
    from .gen.flowzap.converter.v1 import diagnostic_pb2  # noqa: F401

    status = rpc_status.from_call(error)
    if status is None:
        return {}
    found = {}
    database = symbol_database.Default()
    for detail in status.details:
        name = detail.TypeName()
        message = database.GetSymbol(name)()
        detail.Unpack(message)
        found[name.rsplit(".", 1)[-1]] = message
    return found
