"""The watchdog (issue 11): one bad call never takes the service down. A conversion that runs past
its deadline or its CPU ceiling is stopped for real (its conversion process killed and replaced),
the caller gets DEADLINE_EXCEEDED or RESOURCE_EXHAUSTED, and the worker goes on serving at once; a
worker whose event loop stalls is replaced; no input makes a call end INTERNAL; a response never
grows past what a default client can receive."""
from __future__ import annotations

import os
import signal
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from server.gen.flowzap.converter.v1 import converter_service_pb2 as api
from server.gen.flowzap.converter.v1 import converter_service_pb2_grpc as api_grpc
from server.messages import MAX_PER_CODE
from server.testing import ServerProcess, rich_details, wait_for

from .conftest import DATA

REFERENCE = (DATA / "service" / "auth_flow.fz").read_text(encoding="utf-8")
# Issue 11's 239-byte request: the FlowZap scanner's edge-attribute pattern backtracked
# exponentially on it (40 repeats: never finished). Kept as the watchdog's test whatever the
# library does with it now.
PATHOLOGICAL = 'L { # l\na: circle\nb: circle\na -> b [' + 'x:"" ' * 40 + '\n}\n'
SERVING = health_pb2.HealthCheckResponse.SERVING


def convert_request(source: str = REFERENCE, target: str = "mermaid") -> api.ConvertDiagramRequest:
    return api.ConvertDiagramRequest(source=source, target_format=target)


def timed(function, *args, **kwargs) -> tuple[object, float]:
    started = time.monotonic()
    result = function(*args, **kwargs)
    return result, time.monotonic() - started


def test_pathological_request_then_normal_call_and_health_within_a_second():
    assert len(PATHOLOGICAL.encode()) == 239
    # One worker: every call lands where the pathological one ran.
    with ServerProcess("--workers", "1") as server, grpc.insecure_channel(server.address) as channel:
        stub = api_grpc.ConverterServiceStub(channel)
        health = health_pb2_grpc.HealthStub(channel)
        stub.ConvertDiagram(convert_request(), timeout=30)  # connected and warm
        # The 239-byte request of issue 11: the library now answers it at once (INVALID_ARGUMENT);
        # whatever the library does, the caller has its answer within the deadline.
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as caught:
            stub.ConvertDiagram(convert_request(PATHOLOGICAL), timeout=1)
        assert caught.value.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.DEADLINE_EXCEEDED)
        assert time.monotonic() - started < 1.5
        slow = convert_request(_burn_cpu_source(), "yaml")  # a conversion that outlives a 1 s deadline
        for _ in range(3):  # three in a row leave the server serving
            started = time.monotonic()
            with pytest.raises(grpc.RpcError) as caught:
                stub.ConvertDiagram(slow, timeout=1)
            assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            assert time.monotonic() - started < 1.5
            response, seconds = timed(stub.ConvertDiagram, convert_request(), timeout=1)
            assert response.content.startswith("flowchart") and seconds < 1.0
            reply, seconds = timed(health.Check, health_pb2.HealthCheckRequest(), timeout=1)
            assert reply.status == SERVING and seconds < 1.0
        assert server.stop() == 0  # every log line is written by then
        replaced = server.events("conversion process replaced")
        rpc = server.events("rpc")
        # Each expired call stopped its conversion: its process was replaced; the log says what the
        # client saw.
        timed_out = [e for e in rpc if e["status"] == "DEADLINE_EXCEEDED"]
        assert len(replaced) == len(timed_out)
        assert all(e["status"] in ("OK", "DEADLINE_EXCEEDED", "INVALID_ARGUMENT") for e in rpc)


def test_a_call_without_deadline_is_stopped_by_the_cpu_ceiling():
    with ServerProcess("--workers", "1", "--max-call-cpu", "0.5") as server, \
            grpc.insecure_channel(server.address) as channel:
        stub = api_grpc.ConverterServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.ConvertDiagram(convert_request(_burn_cpu_source(), "yaml"))  # no deadline
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert rich_details(caught.value)["ErrorInfo"].reason == "CPU_LIMIT_EXCEEDED"
        assert stub.ConvertDiagram(convert_request(), timeout=5).content
        assert [e["reason"] for e in server.events("conversion process replaced")] == ["cpu limit"]
        lines = wait_for(lambda: server.events("rpc"), what="the first call's log line")
        assert [e["status"] for e in lines][:1] == ["RESOURCE_EXHAUSTED"]  # the OK line may still be in flight


def _burn_cpu_source() -> str:
    """A valid diagram whose conversion takes a while (about a second or more), for the ceiling
    test that must not depend on the library's bugs."""
    from server.testing import chain_diagram

    return chain_diagram(30_000)


def test_cpu_ceiling_on_a_valid_but_long_conversion():
    with ServerProcess("--workers", "1", "--max-call-cpu", "0.2") as server, \
            grpc.insecure_channel(server.address) as channel:
        stub = api_grpc.ConverterServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.ConvertDiagram(convert_request(_burn_cpu_source(), "yaml"), timeout=120)
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "CPU" in caught.value.details()
        assert stub.ConvertDiagram(convert_request(), timeout=5).content


def test_a_stalled_worker_is_replaced():
    """SIGSTOP freezes a worker (as a stuck event loop would): no heartbeat, so the supervisor
    kills it and starts another; the server keeps serving."""
    with ServerProcess("--workers", "2", "--stall-timeout", "2") as server:
        victim = server.events("serving")[0]["worker_pids"][0]
        os.kill(victim, signal.SIGSTOP)
        stalled = wait_for(lambda: server.events("worker stalled; replacing it"), what="the stall")
        assert stalled[0]["worker_pid"] == victim
        wait_for(lambda: server.events("worker died; restarting"), what="the restart")
        for _ in range(4):
            with grpc.insecure_channel(server.address, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
                assert api_grpc.ConverterServiceStub(channel).ConvertDiagram(convert_request(), timeout=30).content
        assert server.stop() == 0


def test_connections_move_to_a_replaced_worker():
    """With a short connection age one long-lived channel comes back after GOAWAY and lands on
    other workers over time: a worker started after the channel connected gets calls from it."""
    with ServerProcess("--workers", "2", "--max-connection-age", "0.5") as server, \
            grpc.insecure_channel(server.address) as channel:
        stub = api_grpc.ConverterServiceStub(channel)
        first = server.events("serving")[0]["worker_pids"]
        for victim in first:  # every original worker replaced: the channel must move to find one
            os.kill(victim, signal.SIGKILL)
            wait_for(lambda v=victim: any(e["worker_pid"] == v for e in server.events("worker died; restarting")),
                     what="the restart")
        time.sleep(1.5)  # the restart pause
        served = set()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(served) < 2:
            try:
                stub.ConvertDiagram(convert_request(), timeout=5, wait_for_ready=True)
            except grpc.RpcError:
                continue
            served = {e["pid"] for e in server.events("rpc")} - set(first)
            time.sleep(0.1)
        assert len(served) == 2  # both replacement workers served the one channel


def test_lone_surrogate_never_ends_internal():
    """A character reference to a lone surrogate (&#55296;) reaches the model as "\\ud800", which
    protobuf cannot encode: the answer is a result (text replaced, one REPLACED_TEXT warning) or
    a rejection (UNENCODABLE_TEXT, or the library's own code), for every target, never INTERNAL."""
    source = 'flowchart LR\n  A["a&#55296;b"] --> B["c&#xDFFF;d"]\n'
    with ServerProcess("--workers", "1") as server, grpc.insecure_channel(server.address) as channel:
        stub = api_grpc.ConverterServiceStub(channel)
        for target in ("flowzap", "mermaid", "yaml", "bpmn"):
            try:
                response = stub.ConvertDiagram(api.ConvertDiagramRequest(source=source, source_format="mermaid",
                                                                         target_format=target), timeout=30)
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (target, error)
                continue
            assert "\ud800" not in response.content
            codes = [d.code for d in response.diagnostics]
            # the reader turns the entity into U+FFFD and says so, or the server replaces it
            assert "\ufffd" not in response.content or {"REPLACED_TEXT", "UNENCODABLE_ENTITY"} & set(codes)
        for method, request in (
            (stub.ParseDiagram, api.ParseDiagramRequest(source=source)),
            (stub.ValidateDiagram, api.ValidateDiagramRequest(source=source)),
        ):
            try:
                method(request, timeout=30)
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert not [e for e in server.events("rpc") if e["status"] == "INTERNAL"]


def test_many_diagnostics_are_summarised():
    comments = 20_000
    source = "L { # l\n" + "// a comment\n" * comments + "a: circle\n}\n"
    with ServerProcess("--workers", "1") as server, grpc.insecure_channel(server.address) as channel:
        request = api.ConvertDiagramRequest(source=source, source_format="flowzap", target_format="yaml")
        response = api_grpc.ConverterServiceStub(channel).ConvertDiagram(request, timeout=60)
        codes = [d.code for d in response.diagnostics]
        # The library keeps the first 100 of a code and counts the rest in one more of that code;
        # the server's own summary (DIAGNOSTICS_SUMMARISED) is the second line of defence.
        assert codes.count("LINE_COMMENT") <= MAX_PER_CODE + 1
        assert any("LINE_COMMENT" in d.message and "not listed" in d.message for d in response.diagnostics) or \
            any(d.code == "DIAGNOSTICS_SUMMARISED" and d.element == "LINE_COMMENT" for d in response.diagnostics)
        assert response.ByteSize() < 100_000


def test_text_protobuf_cannot_encode_is_replaced_not_internal(monkeypatch):
    """Whatever a library result holds (here a converted text and a diagnostic with lone
    surrogates, which no reader should let through), the response is built: REPLACED_TEXT."""
    import server.work
    from converters import Diagnostic, Severity
    from converters.api import ConversionResult
    from converters.errors import InputError
    from server.work import Work

    def surrogate_convert(*args, **kwargs):
        return ConversionResult(content="a\ud800b", source_format="flowzap", target_format="yaml",
                                diagnostics=[Diagnostic("UNKNOWN_ATTRIBUTE", Severity.WARNING, "key \udfff")])

    monkeypatch.setattr(server.work, "convert", surrogate_convert)
    outcome = Work(1000).execute("ConvertDiagram", "id", convert_request("x", "yaml").SerializeToString())
    assert outcome.code == 0
    response = api.ConvertDiagramResponse.FromString(outcome.payload)
    assert response.content == "a\ufffdb"
    assert [d.code for d in response.diagnostics] == ["UNKNOWN_ATTRIBUTE", "REPLACED_TEXT"]

    def surrogate_rejection(*args, **kwargs):
        raise InputError([Diagnostic("SYNTAX_ERROR", Severity.ERROR, "bad \ud800", line=1, column=2)], "flowzap")

    monkeypatch.setattr(server.work, "convert", surrogate_rejection)
    outcome = Work(1000).execute("ConvertDiagram", "id", convert_request("x", "yaml").SerializeToString())
    assert outcome.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    from google.rpc import status_pb2

    assert "bad \ufffd" in status_pb2.Status.FromString(outcome.payload).message


def test_health_is_not_serving_while_no_conversion_process_can_start(monkeypatch):
    """When the machine refuses to fork a conversion process, the worker says so: calls get
    UNAVAILABLE (a client retries elsewhere), health NOT_SERVING; once a process starts again,
    SERVING."""
    from server.config import Config
    from server.testing import InProcessServer

    with InProcessServer(Config(workers=1, address="127.0.0.1:0")) as running, \
            grpc.insecure_channel(running.address) as channel:
        stub = api_grpc.ConverterServiceStub(channel)
        health = health_pb2_grpc.HealthStub(channel)
        runner = running.worker.runner
        assert stub.ConvertDiagram(convert_request(), timeout=30).content
        working = runner._new_child

        def refused():
            raise OSError(11, "Resource temporarily unavailable (fork)")

        monkeypatch.setattr(runner, "_new_child", refused)
        runner.child.kill(object())  # the current process dies: it cannot be replaced
        with pytest.raises(grpc.RpcError) as caught:
            stub.ConvertDiagram(convert_request(), timeout=30)
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        assert rich_details(caught.value)["ErrorInfo"].reason == "CONVERSION_PROCESS_UNAVAILABLE"
        wait_for(lambda: health.Check(health_pb2.HealthCheckRequest(), timeout=5).status
                 == health_pb2.HealthCheckResponse.NOT_SERVING, what="NOT_SERVING")
        monkeypatch.setattr(runner, "_new_child", working)
        assert stub.ConvertDiagram(convert_request(), timeout=30).content
        wait_for(lambda: health.Check(health_pb2.HealthCheckRequest(), timeout=5).status == SERVING,
                 what="SERVING again")
