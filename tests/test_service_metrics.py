"""Prometheus metrics (``--metrics-address``, off by default): scraped over HTTP as Prometheus
would, and parsed with prometheus_client's own parser. Counts add up across worker processes,
a killed worker's included."""
from __future__ import annotations

import os
import signal
import urllib.request

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server.gen.flowzap.converter.v1 import converter_service_pb2 as api
from server.gen.flowzap.converter.v1 import converter_service_pb2_grpc as api_grpc
from server.testing import ServerProcess, chain_diagram, wait_for

from .conftest import DATA

REFERENCE = (DATA / "service" / "auth_flow.fz").read_text(encoding="utf-8")


def scrape(server: ServerProcess) -> dict[tuple[str, tuple], float]:
    address = server.events("serving")[0]["metrics"]
    text = urllib.request.urlopen(f"http://{address}/metrics", timeout=30).read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def separate_channel(address: str) -> grpc.Channel:
    return grpc.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])


def test_metrics_are_off_by_default():
    with ServerProcess("--workers", "1") as server:
        assert server.events("serving")[0]["metrics"] is None


def test_scrape_counts_calls_formats_diagnostics_and_restarts():
    with ServerProcess("--workers", "2", "--metrics-address", "127.0.0.1:0") as server:
        good = api.ConvertDiagramRequest(source=REFERENCE, target_format="mermaid")
        bad = api.ConvertDiagramRequest(source='L { # l\nn1: rect label:"x"\n}\n', target_format="yaml")
        calls = 6
        for _ in range(calls):  # each on its own connection: both workers get some
            with separate_channel(server.address) as channel:
                response = api_grpc.ConverterServiceStub(channel).ConvertDiagram(good, timeout=30)
        sides = sum(1 for d in response.diagnostics if d.code == "DROPPED_EDGE_SIDES")
        assert sides > 0
        with separate_channel(server.address) as channel:
            stub = api_grpc.ConverterServiceStub(channel)
            with pytest.raises(grpc.RpcError):
                stub.ConvertDiagram(bad, timeout=30)
            with pytest.raises(grpc.RpcError) as expired:
                stub.ConvertDiagram(api.ConvertDiagramRequest(source=chain_diagram(30_000), target_format="yaml"),
                                    timeout=0.5)  # a valid conversion that outlives its deadline
            assert expired.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            stub.ListFormats(api.ListFormatsRequest(), timeout=30)

        samples = scrape(server)
        calls_total = "flowzap_rpc_calls_total"
        assert value(samples, calls_total, method="ConvertDiagram", code="OK") == calls
        assert value(samples, calls_total, method="ConvertDiagram", code="INVALID_ARGUMENT") == 1
        assert value(samples, calls_total, method="ConvertDiagram", code="DEADLINE_EXCEEDED") == 1
        assert value(samples, calls_total, method="ListFormats", code="OK") == 1
        assert value(samples, "flowzap_rpc_duration_seconds_count", method="ConvertDiagram") == calls + 2
        assert value(samples, "flowzap_rpc_duration_seconds_bucket", method="ConvertDiagram", le="+Inf") == calls + 2
        assert value(samples, "flowzap_conversions_total", source_format="flowzap", target_format="mermaid") == calls
        assert value(samples, "flowzap_diagnostics_total", code="DROPPED_EDGE_SIDES") == calls * sides
        assert value(samples, "flowzap_diagnostics_total", code="UNKNOWN_SHAPE") == 1
        assert value(samples, "flowzap_rpc_in_flight", method="ConvertDiagram") == 0
        # The expired call's conversion process is replaced just after the call answered.
        restarted = wait_for(lambda: value(scrape(server), "flowzap_conversion_process_restarts_total",
                                           reason="deadline or cancellation"))
        assert restarted == 1
        # A killed worker: its counts stay in the sums; the restart is counted.
        victim = server.events("serving")[0]["worker_pids"][0]
        # (its log lines are written by a thread of its own: they may come just after the answers)
        wait_for(lambda: victim in {e["pid"] for e in server.events("rpc")}, what="a log line of the victim")
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: server.events("worker died; restarting"))
        after = wait_for(lambda: (s := scrape(server)) and value(s, "flowzap_worker_restarts_total", reason="died")
                         and s)
        assert value(after, "flowzap_worker_restarts_total", reason="died") == 1
        assert value(after, calls_total, method="ConvertDiagram", code="OK") == calls
        assert server.stop() == 0
