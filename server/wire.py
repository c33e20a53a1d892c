"""Registers a servicer so that the server, not gRPC, parses the request bytes.

gRPC's generated registration parses each request before the handler runs and answers a corrupt
message with UNKNOWN and no trace in our log. Registered through here, a handler receives its
request parsed by ``parse``: a message that is not valid protobuf (or holds invalid UTF-8) is
INVALID_ARGUMENT with reason MALFORMED_REQUEST, and gets its log line like any other call.
"""
from __future__ import annotations

import grpc
from google.protobuf import message_factory
from google.protobuf.message import DecodeError

from . import calls
from .status import MalformedRequest


def parse(data: bytes, message_class):
    try:
        return message_class.FromString(data)
    except (DecodeError, UnicodeDecodeError, ValueError) as error:
        raise MalformedRequest(f"the request is not a valid {message_class.DESCRIPTOR.full_name}: {error}") from None


def _unary(method: str, implementation, message_class):
    async def handler(data: bytes, context: grpc.aio.ServicerContext):
        try:
            request = parse(data, message_class)
        except MalformedRequest as error:
            call = calls.Call(method, context)
            call.fields["bytes_in"] = len(data)
            try:
                await calls.abort(context, call, calls.error_status(call, error))
            finally:
                call.log()
        return await implementation(request, context)

    return handler


def _stream(implementation, message_class):
    async def handler(data_iterator, context: grpc.aio.ServicerContext):
        async def requests():
            async for data in data_iterator:
                yield parse(data, message_class)  # MalformedRequest: the handler ends the stream

        async for response in implementation(requests(), context):
            yield response

    return handler


def _serializer(message_class):
    """Responses come serialized from the conversion process; a message built here (ListFormats,
    a batch item) is serialized as usual."""
    serialize = message_class.SerializeToString

    def serializer(response) -> bytes:
        return response if type(response) is bytes else serialize(response)

    return serializer


def add_servicer(server: grpc.aio.Server, servicer, service_descriptor) -> None:
    """Registers every method of ``service_descriptor`` implemented by ``servicer``."""
    handlers = {}
    for method in service_descriptor.methods:
        implementation = getattr(servicer, method.name)
        message_class = message_factory.GetMessageClass(method.input_type)
        serialize = _serializer(message_factory.GetMessageClass(method.output_type))
        if method.client_streaming and method.server_streaming:
            handlers[method.name] = grpc.stream_stream_rpc_method_handler(
                _stream(implementation, message_class), response_serializer=serialize)
        elif not method.client_streaming and not method.server_streaming:
            handlers[method.name] = grpc.unary_unary_rpc_method_handler(
                _unary(method.name, implementation, message_class), response_serializer=serialize)
        else:
            raise NotImplementedError(f"{method.full_name}: only unary and bidirectional methods are served")
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service_descriptor.full_name, handlers),))
