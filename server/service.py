"""``flowzap.converter.v1.ConverterService``: requests → library calls → responses.

Every handler does the same three things: a cheap check on the event loop (size limit), the
library call on a conversion thread (``calls.Runner``), and the translation of its result or
error. Formats come from the library's registry on every call, so a format added to the
registry is served without any change here.
"""
from __future__ import annotations

from typing import AsyncIterator

import grpc

from converters import (
    all_formats,
    convert,
    get_format,
    read_with_diagnostics,
    validate,
    write_with_diagnostics,
)
from converters.errors import InputError, OptionError, UnknownFormatError

from . import calls, messages
from .config import Config
from .gen.flowzap.converter.v1 import converter_service_pb2 as api
from .gen.flowzap.converter.v1 import converter_service_pb2_grpc as api_grpc  # the servicer base class
from .status import FieldError, MalformedRequest

SERVICE_NAME = api.DESCRIPTOR.services_by_name["ConverterService"].full_name


class ConverterService(api_grpc.ConverterServiceServicer):
    def __init__(self, config: Config, runner: calls.Runner) -> None:
        self.config = config
        self.runner = runner

    # -- checks shared by the handlers -------------------------------------------------------

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
                "INPUT_TOO_LARGE", f"the diagram has {count} nodes; this server accepts at most {self.config.max_nodes}")
            raise InputError([diagnostic], "model")

    @staticmethod
    def format_name(field: str, name: str, *, write: bool) -> str | None:
        """The registry's name for a requested format (None: detect); errors name the field."""
        if not name:
            if write:
                raise FieldError(field, UnknownFormatError(f"{field} is required (ListFormats lists the formats)"))
            return None
        try:
            fmt = get_format(name)
        except UnknownFormatError as error:
            raise FieldError(field, error) from None
        if write and not fmt.can_write:
            raise FieldError(field, UnknownFormatError(f"the {fmt.name} format can be read but not written"))
        if not write and not fmt.can_read:
            raise FieldError(field, UnknownFormatError(f"the {fmt.name} format can be written but not read"))
        return fmt.name

    @staticmethod
    def loss_policy(value: int) -> str:
        policy = messages.LOSS_POLICIES.get(value)
        if policy is None:
            raise FieldError("loss_policy", OptionError(f"loss_policy {value} is not a LossPolicy value"))
        return policy

    # -- the work, run on a conversion thread ----------------------------------------------------

    def convert_one(self, request: api.ConvertDiagramRequest) -> api.ConvertDiagramResponse:
        target = self.format_name("target_format", request.target_format, write=True)
        source = self.format_name("source_format", request.source_format, write=False)
        policy = self.loss_policy(request.loss_policy)
        try:
            result = convert(request.source, target_format=target, source_format=source,
                             options=dict(request.options), loss_policy=policy, max_nodes=self.config.max_nodes)
        except OptionError as error:
            raise FieldError("options", error) from None
        return api.ConvertDiagramResponse(
            content=result.content,
            source_format=result.source_format,
            target_format=result.target_format,
            diagnostics=messages.diagnostic_messages(result.diagnostics),
        )

    def validate_one(self, request: api.ValidateDiagramRequest) -> api.ValidateDiagramResponse:
        source = self.format_name("source_format", request.source_format, write=False)
        result = validate(request.source, source, max_nodes=self.config.max_nodes)
        return api.ValidateDiagramResponse(
            source_format=result.source_format,
            diagnostics=messages.diagnostic_messages(result.diagnostics),
            summary=messages.summary_message(result.diagram.summary()),
        )

    def parse_one(self, request: api.ParseDiagramRequest) -> api.ParseDiagramResponse:
        source = self.format_name("source_format", request.source_format, write=False)
        result = read_with_diagnostics(request.source, source, max_nodes=self.config.max_nodes)
        return api.ParseDiagramResponse(
            diagram=messages.diagram_message(result.diagram),
            source_format=result.source_format,
            diagnostics=messages.diagnostic_messages(result.diagnostics),
        )

    def write_one(self, request: api.WriteDiagramRequest) -> api.WriteDiagramResponse:
        target = self.format_name("target_format", request.target_format, write=True)
        policy = self.loss_policy(request.loss_policy)
        diagram = messages.diagram_from_message(request.diagram)
        try:
            content, diagnostics = write_with_diagnostics(diagram, target, dict(request.options), policy)
        except OptionError as error:
            raise FieldError("options", error) from None
        return api.WriteDiagramResponse(
            content=content, target_format=target, diagnostics=messages.diagnostic_messages(diagnostics))

    # -- the RPCs --------------------------------------------------------------------------------

    async def ConvertDiagram(self, request, context):
        call = calls.Call("ConvertDiagram", context)
        call.fields.update(source_format=request.source_format or "detect", target_format=request.target_format,
                           bytes_in=request.ByteSize())
        return await calls.unary(context, call, self.runner, lambda: self.convert_one(request),
                                 precheck=lambda: self.check_size(request.source))

    async def ValidateDiagram(self, request, context):
        call = calls.Call("ValidateDiagram", context)
        call.fields.update(source_format=request.source_format or "detect", bytes_in=request.ByteSize())
        return await calls.unary(context, call, self.runner, lambda: self.validate_one(request),
                                 precheck=lambda: self.check_size(request.source))

    async def ParseDiagram(self, request, context):
        call = calls.Call("ParseDiagram", context)
        call.fields.update(source_format=request.source_format or "detect", bytes_in=request.ByteSize())
        return await calls.unary(context, call, self.runner, lambda: self.parse_one(request),
                                 precheck=lambda: self.check_size(request.source))

    async def WriteDiagram(self, request, context):
        call = calls.Call("WriteDiagram", context)
        call.fields.update(target_format=request.target_format, bytes_in=request.ByteSize())
        return await calls.unary(context, call, self.runner, lambda: self.write_one(request),
                                 precheck=lambda: self.check_nodes(len(request.diagram.nodes)))

    async def ListFormats(self, request, context):
        call = calls.Call("ListFormats", context)
        # Cheap and pure: built on the loop, but still through the same logging and error path.
        response = api.ListFormatsResponse(formats=[messages.format_message(f) for f in all_formats()])
        call.fields["bytes_out"] = response.ByteSize()
        context.set_trailing_metadata(((calls.REQUEST_ID_KEY, call.request_id),))
        call.log()
        return response

    async def BatchConvertDiagrams(
        self, request_iterator: AsyncIterator[api.BatchConvertDiagramsRequest], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[api.BatchConvertDiagramsResponse]:
        """One item at a time: the next request is read only once the previous result is handed
        to the transport, so a stream holds at most one diagram in flight and gRPC's flow
        control pushes back on a caller that sends faster than the server converts."""
        call = calls.Call("BatchConvertDiagrams", context)
        items = failed = bytes_in = bytes_out = 0
        try:
            async for item in request_iterator:
                items += 1
                bytes_in += item.ByteSize()
                try:
                    self.check_size(item.request.source)
                    response = await self.runner.run(lambda: self.convert_one(item.request), context)
                    result = api.BatchConvertDiagramsResponse(name=item.name, response=response)
                except calls.DeadlineExpired as error:  # the whole stream's deadline: it ends here
                    await calls.abort(context, call, calls.error_status(call, error))
                except Exception as error:  # noqa: BLE001 — one bad item never ends the stream
                    failed += 1
                    result = api.BatchConvertDiagramsResponse(name=item.name, error=calls.error_status(call, error))
                bytes_out += result.ByteSize()
                yield result
            context.set_trailing_metadata(((calls.REQUEST_ID_KEY, call.request_id),))
        except MalformedRequest as error:  # bytes that are no request: no name to answer, so it ends
            await calls.abort(context, call, calls.error_status(call, error))
        except BaseException:
            if call.code == calls.code_pb2.OK:
                call.code = calls.code_pb2.CANCELLED  # the client went away
            raise
        finally:
            call.fields.update(items=items, failed_items=failed, bytes_in=bytes_in, bytes_out=bytes_out)
            call.log()
