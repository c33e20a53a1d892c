"""The server's log lines never hold a call: a log collector that reads stderr slowly, or stops
reading it, costs log lines (counted and said) but not answers or heartbeats."""
from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import threading
import time

import grpc

from server import logs
from server.gen.flowzap.converter.v1 import converter_service_pb2 as api
from server.gen.flowzap.converter.v1 import converter_service_pb2_grpc as api_grpc
from server.testing import wait_for

from .conftest import DATA, ROOT

REFERENCE = (DATA / "service" / "auth_flow.fz").read_text(encoding="utf-8")


def test_calls_are_answered_while_nobody_reads_stderr(tmp_path):
    """Each call writes a line of ≈ 300 bytes: a pipe of 64 KiB that nobody reads is full after
    ≈ 220 calls, and a server that wrote its lines on the event loop stopped answering there."""
    state = tmp_path / "state.json"
    server = subprocess.Popen([sys.executable, "-m", "server", "--address", "127.0.0.1:0", "--workers", "1",
                               "--state-file", str(state)], cwd=ROOT, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: state.exists() and state.read_text(), timeout=60, what="the state file")
        address = json.loads(state.read_text())["address"]
        with grpc.insecure_channel(address) as channel:
            stub = api_grpc.ConverterServiceStub(channel)
            for _ in range(1_000):
                response = stub.ConvertDiagram(api.ConvertDiagramRequest(source=REFERENCE, target_format="mermaid"),
                                               timeout=10)
                assert response.content.startswith("flowchart")
        server.terminate()
        _, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0
    events = [json.loads(line)["event"] for line in err.decode().splitlines()]
    assert events.count("rpc") == 1_000  # the lines held while nobody read were written at the end
    assert events[-1] == "stopped"


def _record(event: str) -> logging.LogRecord:
    record = logging.LogRecord(logs.LOGGER_NAME, logging.INFO, __file__, 0, event, (), None)
    record.fields = {}
    return record


def _written(handoff: logs._Handoff) -> list[dict]:
    """The lines a writer makes of what ``handoff`` holds, written to a string and parsed."""
    out = io.StringIO()
    stream = logging.StreamHandler(out)
    stream.setFormatter(logs.JsonFormatter())
    writer = logs._Writer(handoff, stream)
    writer.start()
    writer.stop()
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_full_queue_drops_lines_and_the_writer_says_how_many():
    handoff = logs._Handoff(3)
    for i in range(5):  # the writer is not started yet: as if stderr were not read
        handoff.handle(_record(f"line {i}"))
    assert handoff.dropped == 2
    lines = _written(handoff)
    assert [line["event"] for line in lines] == ["log lines dropped", "line 0", "line 1", "line 2"]
    assert lines[0]["count"] == 2 and lines[0]["level"] == "warning"


def test_stop_gives_up_on_a_reader_that_never_comes_back():
    released = threading.Event()

    class Stuck(logging.Handler):
        def emit(self, record):
            released.wait(3600)

    handoff = logs._Handoff(2)
    writer = logs._Writer(handoff, Stuck())
    writer.start()
    for i in range(4):
        handoff.handle(_record(f"line {i}"))
    started = time.monotonic()
    writer.stop()
    waited = time.monotonic() - started
    released.set()
    assert waited < 2 * logs.FLUSH_SECONDS + 5


def test_a_line_that_cannot_be_made_costs_only_itself(monkeypatch):
    """The writer writes a batch at a time: one record whose message cannot be formatted (here
    ``%s`` with two arguments) is reported the way logging does, and the batch's other lines
    are written."""
    monkeypatch.setattr(logging, "raiseExceptions", False)  # logging's own report goes to stderr
    handoff = logs._Handoff(10)
    broken = logging.LogRecord(logs.LOGGER_NAME, logging.INFO, __file__, 0, "needs %s", ("one", "two"), None)
    for record in (_record("before"), broken, _record("after")):
        handoff.handle(record)
    assert [line["event"] for line in _written(handoff)] == ["before", "after"]
