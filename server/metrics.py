"""Prometheus metrics (``--metrics-address``; off by default, and then free: ``NO_METRICS``).

Every worker process records into ``prometheus_client``'s multiprocess files (the directory in
``PROMETHEUS_MULTIPROC_DIR``, made by the supervisor before it starts the workers); the supervisor
serves ``/metrics`` over plain HTTP, adding up the files of every worker, past ones included, so a
restart loses no count. Conversion processes record nothing: they hand their facts (formats,
diagnostic codes) back with each result and the worker records them.
"""
from __future__ import annotations

import os
import shutil
import tempfile

from google.rpc import code_pb2

ENV_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Seconds; a FlowZap → Mermaid call of the reference example takes about 1 ms, a 4 MiB one seconds.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class NoMetrics:
    """Metrics off: every hook does nothing."""

    enabled = False

    def call_started(self, method: str) -> None:
        pass

    def call_ended(self, method: str, code: int, seconds: float) -> None:
        pass

    def outcome(self, facts) -> None:
        pass

    def conversion_process_restarted(self, reason: str) -> None:
        pass


NO_METRICS = NoMetrics()


class WorkerMetrics:
    """A worker's metrics; created in the worker process, after the supervisor set the directory."""

    enabled = True

    def __init__(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        self.calls = Counter("flowzap_rpc_calls", "RPCs handled, by method and status code", ["method", "code"])
        self.latency = Histogram("flowzap_rpc_duration_seconds", "RPC latency on the server, by method",
                                 ["method"], buckets=LATENCY_BUCKETS)
        self.in_flight = Gauge("flowzap_rpc_in_flight", "RPCs being handled now, by method", ["method"],
                               multiprocess_mode="livesum")
        self.conversions = Counter("flowzap_conversions", "successful calls by source and target format",
                                   ["source_format", "target_format"])
        self.diagnostics = Counter("flowzap_diagnostics", "diagnostics reported to callers, by code", ["code"])
        self.process_restarts = Counter("flowzap_conversion_process_restarts",
                                        "conversion processes replaced (deadline, cpu limit, crash)", ["reason"])
        self.code_names = {value: code_pb2.Code.Name(value) for value in code_pb2.Code.values()}

    def call_started(self, method: str) -> None:
        self.in_flight.labels(method).inc()

    def call_ended(self, method: str, code: int, seconds: float) -> None:
        self.in_flight.labels(method).dec()
        self.calls.labels(method, self.code_names.get(code, str(code))).inc()
        self.latency.labels(method).observe(seconds)

    def outcome(self, facts) -> None:
        if not facts:
            return
        source, target, codes = facts
        if source or target:
            self.conversions.labels(source or "", target or "").inc()
        for code, count in codes.items():
            self.diagnostics.labels(code).inc(count)

    def conversion_process_restarted(self, reason: str) -> None:
        self.process_restarts.labels(reason).inc()


def for_worker(config) -> NoMetrics | WorkerMetrics:
    return WorkerMetrics() if config.metrics_address and os.environ.get(ENV_DIR) else NO_METRICS


class Exporter:
    """The supervisor's side: the directory, the HTTP endpoint and the worker-restart counter."""

    def __init__(self, host: str, port: int) -> None:
        self.directory = tempfile.mkdtemp(prefix="flowzap-metrics-")
        os.environ[ENV_DIR] = self.directory  # before any prometheus_client import, and inherited
        from prometheus_client import CollectorRegistry, Counter, multiprocess, start_http_server

        self.multiprocess = multiprocess
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        self.restarts = Counter("flowzap_worker_restarts", "worker processes replaced (died or stalled)", ["reason"])
        self.http, self.thread = start_http_server(port, addr=host, registry=registry)
        self.port = self.http.server_port

    def worker_gone(self, pid: int | None, reason: str | None) -> None:
        if pid is not None:
            self.multiprocess.mark_process_dead(pid)
        if reason is not None:
            self.restarts.labels(reason).inc()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        shutil.rmtree(self.directory, ignore_errors=True)
        os.environ.pop(ENV_DIR, None)
