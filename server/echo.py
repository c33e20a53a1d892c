"""``flowzap.benchmark.v1.EchoService``: a diagnostic for benchmarks/bench_service.py, served only
with ``--enable-echo``. It takes exactly ConvertDiagram's path (same worker processes, same hop to
the conversion process and back, same status handling, metrics and log line) minus the
conversion, so the ratio of the two throughputs measures what converting costs on top of serving
a call."""
from __future__ import annotations

from . import calls
from .metrics import NO_METRICS
from .gen.flowzap.benchmark.v1 import echo_service_pb2 as echo_pb
from .gen.flowzap.benchmark.v1 import echo_service_pb2_grpc as echo_grpc

SERVICE_NAME = echo_pb.DESCRIPTOR.services_by_name["EchoService"].full_name


class EchoService(echo_grpc.EchoServiceServicer):
    def __init__(self, runner, metrics=NO_METRICS) -> None:
        self.runner = runner
        self.metrics = metrics

    async def Echo(self, request, context):
        call = calls.Call("Echo", context, self.metrics)
        call.fields["bytes_in"] = request.ByteSize()
        return await calls.unary(context, call, self.runner, request.SerializeToString())
