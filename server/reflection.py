"""Server reflection that also resolves methods, fields and enum values.

grpcio-reflection asks the descriptor pool for the file containing a symbol; with the upb protobuf
runtime the pool knows services, messages and enums but not their members, so
``grpcurl describe flowzap.converter.v1.ConverterService.ConvertDiagram`` answered "Symbol not
found" (upstream grpc/grpc#34743). Here a symbol the pool does not know is looked up through its
parent: a service's method, a message's field (or nested oneof), an enum's value.
"""
from __future__ import annotations

from google.protobuf import descriptor_pool
from grpc_reflection.v1alpha import _async, _base, reflection_pb2_grpc


def _member_file(pool, symbol: str):
    """The file of ``symbol`` when it names a member of a service, message or enum; else None."""
    parent, _, member = symbol.rpartition(".")
    if not parent:
        return None
    finders = (
        (pool.FindServiceByName, lambda d: d.methods_by_name),
        (pool.FindMessageTypeByName, lambda d: {**d.fields_by_name, **d.oneofs_by_name}),
        (pool.FindEnumTypeByName, lambda d: d.values_by_name),
    )
    for find, members in finders:
        try:
            descriptor = find(parent)
        except KeyError:
            continue
        if member in members(descriptor):
            return descriptor.file
    # An enum value is scoped beside its enum: ``pkg.Enum.VALUE`` is also ``pkg.VALUE``.
    return None


class ReflectionServicer(_async.ReflectionServicer):
    def _file_containing_symbol(self, request, fully_qualified_name):
        try:
            descriptor = self._pool.FindFileContainingSymbol(fully_qualified_name)
        except KeyError:
            descriptor = _member_file(self._pool, fully_qualified_name)
            if descriptor is None:
                return _base._not_found_error(request)
        return _base._file_descriptor_response(descriptor, request)


def enable_server_reflection(service_names, server, pool=None) -> None:
    """As ``grpc_reflection.v1alpha.reflection.enable_server_reflection``, for a ``grpc.aio`` server."""
    servicer = ReflectionServicer(service_names, pool=pool or descriptor_pool.Default())
    reflection_pb2_grpc.add_ServerReflectionServicer_to_server(servicer, server)
