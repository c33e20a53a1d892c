"""``flowzap.converter.v1.ConverterService``: the RPCs, on the worker's event loop.

Every handler does the same three things: a cheap check on the event loop (size limit), the
work in the worker's conversion process (``sandbox``; the work itself is ``work.Work``), and the
status or response it sends back. Formats come from the library's registry on every call, so a
format added to the registry is served without any change here.
"""
from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from converters import all_formats
from converters.errors import InputError

from . import calls, messages
from .config import Config
from .gen.flowzap.converter.v1 import converter_service_pb2 as api
from .gen.flowzap.converter.v1 import converter_service_pb2_grpc as api_grpc  # the servicer base class
from .metrics import NO_METRICS
from .status import MalformedRequest

SERVICE_NAME = api.DESCRIPTOR.services_by_name["ConverterService"].full_name


class ConverterService(api_grpc.ConverterServiceServicer):
    def __init__(self, config: Config, runner, metrics=NO_METRICS) -> None:
        self.config = config
        self.runner = runner
        self.metrics = metrics

    # -- cheap refusals, on the event loop ---------------------------------------------------------

    def check_size(self, source: str) -> None:
        """Refuses a source over the limit before anything parses it."""
        limit = self.config.max_message_size
        # A str holds at most 4 UTF-8 bytes per character: most sources need no encoding to pass.
        size = len(source) if len(source) * 4 <= limit else len(source.encode("utf-8", "surrogatepass"))
        if size > limit:
            diagnostic = messages.make_diagnostic(
                "INPUT_TOO_LARGE", f"the source is {size} bytes; this server accepts at most {limit}")
            raise InputError([diagnostic], None)

    def check_nodes(self, count: int) -> None:
        if count > self.config.max_nodes:
            diagnostic = messages.make_diagnostic(
                "INPUT_TOO_LARGE",
                f"the diagram has {count} nodes; this server accepts at most {self.config.max_nodes}")
            raise InputError([diagnostic], "model")

    # -- the RPCs --------------------------------------------------------------------------------

    async def ConvertDiagram(self, request, context):
        call = calls.Call("ConvertDiagram", context, self.metrics)
        call.fields.update(source_format=request.source_format or "detect", target_format=request.target_format,
                           bytes_in=request.ByteSize())
        return await calls.unary(context, call, self.runner, request.SerializeToString(),
                                 precheck=lambda: self.check_size(request.source))

    async def ValidateDiagram(self, request, context):
        call = calls.Call("ValidateDiagram", context, self.metrics)
        call.fields.update(source_format=request.source_format or "detect", bytes_in=request.ByteSize())
        return await calls.unary(context, call, self.runner, request.SerializeToString(),
                                 precheck=lambda: self.check_size(request.source))

    async def ParseDiagram(self, request, context):
        call = calls.Call("ParseDiagram", context, self.metrics)
        call.fields.update(source_format=request.source_format or "detect", bytes_in=request.ByteSize())
        return await calls.unary(context, call, self.runner, request.SerializeToString(),
                                 precheck=lambda: self.check_size(request.source))

    async def WriteDiagram(self, request, context):
        call = calls.Call("WriteDiagram", context, self.metrics)
        call.fields.update(target_format=request.target_format, bytes_in=request.ByteSize())
        return await calls.unary(context, call, self.runner, request.SerializeToString(),
                                 precheck=lambda: self.check_nodes(len(request.diagram.nodes)))

    async def ListFormats(self, request, context):
        call = calls.Call("ListFormats", context, self.metrics)
        # Cheap and pure: built on the loop, but still through the same logging and error path.
        try:
            response = api.ListFormatsResponse(formats=[messages.format_message(f) for f in all_formats()])
            call.fields["bytes_out"] = response.ByteSize()
            context.set_trailing_metadata(((calls.REQUEST_ID_KEY, call.request_id),))
            return response
        finally:
            call.log()

    async def BatchConvertDiagrams(
        self, request_iterator: AsyncIterator[api.BatchConvertDiagramsRequest], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[api.BatchConvertDiagramsResponse]:
        """One item at a time: the next request is read only once the previous result is handed
        to the transport, so a stream holds at most one diagram in flight and gRPC's flow
        control pushes back on a caller that sends faster than the server converts."""
        call = calls.Call("BatchConvertDiagrams", context, self.metrics)
        items = failed = bytes_in = bytes_out = 0
        try:
            async for item in request_iterator:
                items += 1
                bytes_in += item.ByteSize()
                try:
                    self.check_size(item.request.source)
                    outcome = await self.runner.run("ConvertDiagram", call.request_id,
                                                    item.request.SerializeToString(), context)
                    self.metrics.outcome(outcome.facts)
                    if outcome.code:
                        failed += 1
                        result = api.BatchConvertDiagramsResponse(
                            name=item.name, error=calls.status_pb2.Status.FromString(outcome.payload))
                    else:
                        result = api.BatchConvertDiagramsResponse(
                            name=item.name, response=api.ConvertDiagramResponse.FromString(outcome.payload))
                except calls.DeadlineExpired as error:  # the whole stream's deadline: it ends here
                    await calls.abort(context, call, calls.error_status(call, error))
                except Exception as error:
                    failed += 1
                    result = api.BatchConvertDiagramsResponse(name=item.name, error=calls.error_status(call, error))
                bytes_out += result.ByteSize()
                yield result
            context.set_trailing_metadata(((calls.REQUEST_ID_KEY, call.request_id),))
        except MalformedRequest as error:  # bytes that are no request: no name to answer, so it ends
            await calls.abort(context, call, calls.error_status(call, error))
        except BaseException:
            if call.code == calls.code_pb2.OK:
                call.cancelled()  # the client went away, or the deadline passed
            raise
        finally:
            call.fields.update(items=items, failed_items=failed, bytes_in=bytes_in, bytes_out=bytes_out)
            call.log()
