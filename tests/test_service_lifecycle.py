"""The server as a process: workers on one port, graceful drain on SIGTERM/SIGINT, deadlines,
bugs turned into INTERNAL, crashed workers replaced, flags and environment variables."""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from converters import convert
from server import logs
from server.__main__ import main
from server.config import Config
from server.gen.flowzap.converter.v1 import converter_service_pb2 as api
from server.gen.flowzap.converter.v1 import converter_service_pb2_grpc as api_grpc
from server.testing import InProcessServer, ServerProcess, chain_diagram, rich_details, wait_for

from .conftest import DATA, ROOT

REFERENCE = (DATA / "service" / "auth_flow.fz").read_text(encoding="utf-8")
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def separate_channel(address: str) -> grpc.Channel:
    """A channel with its own connection (gRPC shares connections between channels by default),
    so that the kernel may hand it to any worker."""
    return grpc.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])


def convert_request(source: str = REFERENCE) -> api.ConvertDiagramRequest:
    return api.ConvertDiagramRequest(source=source, target_format="yaml")


def test_graceful_drain_finishes_calls_in_flight_then_exits_0():
    slow = chain_diagram(20_000)  # about a second per conversion
    expected = convert(slow, target_format="yaml").content
    # A long grace: on a loaded machine three such conversions can take far more than three seconds.
    with ServerProcess("--workers", "1", "--grace", "180") as server, grpc.insecure_channel(server.address) as channel:
        stub = api_grpc.ConverterServiceStub(channel)
        health = health_pb2_grpc.HealthStub(channel)
        statuses: list[int] = []
        watch = health.Watch(health_pb2.HealthCheckRequest(service=""))

        def follow() -> None:
            try:
                for reply in watch:
                    statuses.append(reply.status)
            except grpc.RpcError:
                pass

        follower = threading.Thread(target=follow, daemon=True)
        follower.start()
        wait_for(lambda: statuses, what="the first health status")
        in_flight = [stub.ConvertDiagram.future(convert_request(slow), timeout=120) for _ in range(3)]
        # One worker, one conversion thread: the calls run one after the other (about three
        # seconds in all); half a second is enough for all three requests to reach the server.
        time.sleep(0.5)
        server.signal(signal.SIGTERM)
        unfinished_at_signal = sum(not call.done() for call in in_flight)
        wait_for(lambda: NOT_SERVING in statuses, what="NOT_SERVING on the health watch")
        watch.cancel()  # a watch is a call in flight too: it would hold the drain for the grace period
        with separate_channel(server.address) as fresh:
            with pytest.raises(grpc.RpcError) as refused:
                api_grpc.ConverterServiceStub(fresh).ConvertDiagram(convert_request(), timeout=5)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert [call.result().content for call in in_flight] == [expected] * 3
        assert unfinished_at_signal >= 2, "the conversions finished before the signal: make them slower"
        assert server.wait(60) == 0
    assert statuses[0] == SERVING
    assert [e["status"] for e in server.events("rpc") if e["method"] == "ConvertDiagram"] == ["OK"] * 3
    assert server.events("stopped")[0]["clean"] is True


def test_sigint_drains_too():
    with ServerProcess("--workers", "2") as server:
        with grpc.insecure_channel(server.address) as channel:
            api_grpc.ConverterServiceStub(channel).ConvertDiagram(convert_request(), timeout=30)
        server.signal(signal.SIGINT)
        assert server.wait(30) == 0
        assert server.events("shutting down")[0]["signal"] == "SIGINT"


def test_event_loop_answers_while_a_conversion_runs():
    """Conversion runs on a thread: the worker's loop still answers health checks meanwhile."""
    with ServerProcess("--workers", "1") as server, grpc.insecure_channel(server.address) as channel:
        slow = api_grpc.ConverterServiceStub(channel).ConvertDiagram.future(
            convert_request(chain_diagram(30_000)), timeout=120)
        time.sleep(0.3)
        health = health_pb2_grpc.HealthStub(channel)
        answered = 0
        while not slow.done():
            started = time.monotonic()
            assert health.Check(health_pb2.HealthCheckRequest(), timeout=5).status == SERVING
            assert time.monotonic() - started < 1.0
            answered += 1
            time.sleep(0.05)
        assert slow.result().content
        assert answered >= 3


def test_expiring_deadline():
    with ServerProcess("--workers", "1") as server, grpc.insecure_channel(server.address) as channel:
        stub = api_grpc.ConverterServiceStub(channel)
        big = convert_request(chain_diagram(30_000))  # well over a second to convert
        with pytest.raises(grpc.RpcError) as caught:
            stub.ConvertDiagram(big, timeout=0.3)
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        # A call queued behind a slow one past its deadline is never started.
        slow = stub.ConvertDiagram.future(big, timeout=120)
        time.sleep(0.1)
        with pytest.raises(grpc.RpcError) as queued:
            stub.ConvertDiagram(convert_request(), timeout=0.2)
        assert queued.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert slow.result().content
        # The worker is still fine.
        assert stub.ConvertDiagram(convert_request(), timeout=30).content
        lines = wait_for(lambda: len(server.events("rpc")) >= 4 and server.events("rpc"), what="log lines")
        # The log says what the clients saw.
        assert sorted(e["status"] for e in lines)[:2] == ["DEADLINE_EXCEEDED", "DEADLINE_EXCEEDED"]


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize("bug", [ZeroDivisionError("division by zero in a writer"), KeyError("secret-internal-key")])
def test_a_bug_is_internal_with_a_request_id_and_the_trace_only_in_the_log(monkeypatch, bug):
    import server.work

    def broken_convert(*args, **kwargs):
        raise bug

    monkeypatch.setattr(server.work, "convert", broken_convert)
    capture = _Capture()
    logs.setup("info").addHandler(capture)
    try:
        with InProcessServer(Config(workers=1, address="127.0.0.1:0", isolation="thread")) as running:
            with grpc.insecure_channel(running.address) as channel:
                with pytest.raises(grpc.RpcError) as caught:
                    api_grpc.ConverterServiceStub(channel).ConvertDiagram(convert_request(), timeout=30)
    finally:
        logs.get().removeHandler(capture)
    error = caught.value
    assert error.code() == grpc.StatusCode.INTERNAL
    details = rich_details(error)
    request_id = details["RequestInfo"].request_id
    assert request_id and request_id in error.details()
    assert details["ErrorInfo"].reason == "INTERNAL"
    assert type(bug).__name__ not in error.details() and str(bug.args[0]) not in error.details()
    traced = [r for r in capture.records if r.exc_info and r.fields.get("request_id") == request_id]
    assert len(traced) == 1 and traced[0].exc_info[1] is bug


def test_a_crashed_worker_is_replaced():
    with ServerProcess("--workers", "2") as server:
        victim = server.events("serving")[0]["worker_pids"][0]
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: server.events("worker died; restarting"), what="the restart")
        time.sleep(0.2)
        for _ in range(6):  # fresh connections land on either worker, the new one included
            with separate_channel(server.address) as channel:
                assert api_grpc.ConverterServiceStub(channel).ConvertDiagram(convert_request(), timeout=30).content
        assert server.stop() == 0


def test_workers_share_one_port():
    with ServerProcess("--workers", "2") as server:
        for index in range(24):
            with separate_channel(server.address) as channel:
                api_grpc.ConverterServiceStub(channel).ConvertDiagram(
                    convert_request(), metadata=(("x-request-id", f"spread-{index}"),), timeout=30)
        lines = wait_for(lambda: len(server.events("rpc")) >= 24 and server.events("rpc"), what="log lines")
        assert {e["pid"] for e in lines} == set(server.events("serving")[0]["worker_pids"])


def test_environment_variables_and_flags():
    env = {"FLOWZAP_MAX_NODES": "10", "FLOWZAP_WORKERS": "3", "FLOWZAP_LOG_LEVEL": "warning"}
    with ServerProcess("--workers", "1", env=env) as server:  # the flag wins over FLOWZAP_WORKERS
        assert server.events("serving")  # logged before the level applies to calls
        assert server.events("serving")[0]["workers"] == 1
        with grpc.insecure_channel(server.address) as channel:
            with pytest.raises(grpc.RpcError) as caught:
                api_grpc.ConverterServiceStub(channel).ConvertDiagram(convert_request(), timeout=30)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert rich_details(caught.value)["ErrorInfo"].reason == "INPUT_TOO_LARGE"
        assert server.stop() == 0
    assert not server.events("rpc")  # warning level: no per-call lines


@pytest.mark.parametrize("argv", [
    ["--workers", "0"],
    ["--address", "no-port-here"],
    ["--tls-cert", "cert.pem"],
    ["--client-ca", "ca.pem"],
    ["--max-message-size", "lots"],
])
def test_unusable_flags_exit_2(argv):
    assert main(argv) == 2


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for variable in ("FLOWZAP_ADDRESS", "FLOWZAP_WORKERS", "FLOWZAP_MAX_MESSAGE_SIZE", "FLOWZAP_MAX_NODES",
                     "FLOWZAP_LOG_LEVEL", "FLOWZAP_TLS_CERT", "FLOWZAP_TLS_KEY", "FLOWZAP_CLIENT_CA"):
        assert variable in text


def test_address_in_use_exits_1():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "server", "--address", f"127.0.0.1:{port}"],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "cannot listen" in result.stderr


def test_a_second_server_on_a_served_address_exits_1():
    """SO_REUSEPORT would let a second server of the same user bind the port and share its
    connections: it must refuse instead, and the first keeps every call."""
    with ServerProcess("--workers", "1") as first:
        result = subprocess.run([sys.executable, "-m", "server", "--address", first.address, "--workers", "1"],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 1, result.stderr
        assert "cannot listen" in result.stderr and "already serves" in result.stderr
        assert '"serving"' not in result.stderr
        for _ in range(4):
            with separate_channel(first.address) as channel:
                assert api_grpc.ConverterServiceStub(channel).ConvertDiagram(convert_request(), timeout=30).content
        # Lines are written by a thread of the worker: they may come just after the answers.
        wait_for(lambda: len(first.events("rpc")) >= 4, what="four log lines")
        assert len(first.events("rpc")) == 4
        assert first.stop() == 0


def test_many_clients_at_once_in_threads():
    """Concurrency within one process: 16 callers on one channel, all answered correctly."""
    expected = convert(REFERENCE, target_format="yaml").content
    with ServerProcess("--workers", "2") as server, grpc.insecure_channel(server.address) as channel:
        stub = api_grpc.ConverterServiceStub(channel)
        with ThreadPoolExecutor(16) as pool:
            contents = list(pool.map(lambda _: stub.ConvertDiagram(convert_request(), timeout=60).content, range(64)))
    assert contents == [expected] * 64


def test_calls_over_the_concurrency_limit_are_refused_at_once():
    with ServerProcess("--workers", "1", "--max-concurrent-calls", "2") as server, \
            grpc.insecure_channel(server.address) as channel:
        stub = api_grpc.ConverterServiceStub(channel)
        calls = [stub.ConvertDiagram.future(convert_request(chain_diagram(8_000)), timeout=120) for _ in range(6)]
        codes = []
        for call in calls:
            try:
                call.result()
                codes.append(grpc.StatusCode.OK)
            except grpc.RpcError as error:
                codes.append(error.code())
        assert codes.count(grpc.StatusCode.OK) >= 2
        assert set(codes) == {grpc.StatusCode.OK, grpc.StatusCode.RESOURCE_EXHAUSTED}
        # Once the load is gone the worker serves again.
        assert stub.ConvertDiagram(convert_request(), timeout=30).content


def test_a_batch_stream_does_not_read_ahead_of_its_conversions():
    """The server takes the next item only after answering the previous one, so a caller that
    sends faster than the server converts is held back by flow control instead of the server
    buffering the whole batch."""
    item = api.BatchConvertDiagramsRequest(name="big", request=convert_request(chain_diagram(20_000)))
    # About 90 MB in all. What the client can push before flow control stops it is a constant set
    # by the HTTP/2 windows (15 items, about 22 MB, was seen here), not by time: the server stops
    # reading once its own answers are not read; a server buffering the batch would take all 60.
    total = 60
    pulled = 0

    def requests():
        nonlocal pulled
        for _ in range(total):
            pulled += 1
            yield item

    with ServerProcess("--workers", "1") as server, grpc.insecure_channel(server.address) as channel:
        results = api_grpc.ConverterServiceStub(channel).BatchConvertDiagrams(requests(), timeout=120)
        assert next(results).WhichOneof("result") == "response"
        time.sleep(2.0)  # loopback could carry all 45 MB many times over meanwhile
        held_back = pulled
        results.cancel()
    assert held_back < total // 2, f"the client could push {held_back} of {total} items"
