"""The work of every call, as request bytes in → response (or status) bytes out.

This is what runs in a worker's conversion process (``sandbox``): it imports the library and the
message classes but never gRPC, so the fork server that preloads it holds nothing gRPC owns, and a
conversion that runs away can be ended by killing its process. Every outcome is bytes the
worker passes on untouched: a serialized response (code 0) or a serialized ``google.rpc.Status``.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from converters import convert, get_format, read_with_diagnostics, validate, write_with_diagnostics
from converters.errors import OptionError, UnknownFormatError

from . import logs, messages
from .gen.flowzap.benchmark.v1 import echo_service_pb2 as echo_pb
from .gen.flowzap.converter.v1 import converter_service_pb2 as api
from .status import FieldError, internal_status, status_for
from .text import scrub, unencodable_diagnostic, unencodable_error


@dataclass(frozen=True, slots=True)
class Outcome:
    """One call's result: ``code`` 0 and a response, or a status code and a ``Status``.
    ``facts`` (formats and diagnostic codes) are filled for the metrics only when they are on."""

    code: int
    payload: bytes
    facts: tuple | None = None


class Work:
    def __init__(self, max_nodes: int, with_facts: bool = False) -> None:
        self.max_nodes = max_nodes
        self.with_facts = with_facts
        self.methods = {
            "ConvertDiagram": (api.ConvertDiagramRequest, self.convert_one),
            "ValidateDiagram": (api.ValidateDiagramRequest, self.validate_one),
            "ParseDiagram": (api.ParseDiagramRequest, self.parse_one),
            "WriteDiagram": (api.WriteDiagramRequest, self.write_one),
            "Echo": (echo_pb.EchoRequest, self.echo_one),
        }

    # -- checks shared by the handlers -------------------------------------------------------

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

    # -- one handler per method: request message → (response builder, facts) ------------------
    # Each returns a function that builds the response from (possibly scrubbed) library results,
    # so that text protobuf cannot encode is replaced once, only when it occurs.

    def convert_one(self, request: api.ConvertDiagramRequest):
        target = self.format_name("target_format", request.target_format, write=True)
        source = self.format_name("source_format", request.source_format, write=False)
        policy = self.loss_policy(request.loss_policy)
        try:
            result = convert(request.source, target_format=target, source_format=source,
                             options=dict(request.options), loss_policy=policy, max_nodes=self.max_nodes)
        except OptionError as error:
            raise FieldError("options", error) from None

        def build(r, extra):
            return api.ConvertDiagramResponse(content=r.content, source_format=r.source_format,
                                              target_format=r.target_format,
                                              diagnostics=messages.diagnostic_messages([*r.diagnostics, *extra]))

        return build, result, (result.source_format, result.target_format, result.diagnostics)

    def validate_one(self, request: api.ValidateDiagramRequest):
        source = self.format_name("source_format", request.source_format, write=False)
        result = validate(request.source, source, max_nodes=self.max_nodes)

        def build(r, extra):
            return api.ValidateDiagramResponse(source_format=r.source_format,
                                               diagnostics=messages.diagnostic_messages([*r.diagnostics, *extra]),
                                               summary=messages.summary_message(r.diagram.summary()))

        return build, result, (result.source_format, "", result.diagnostics)

    def parse_one(self, request: api.ParseDiagramRequest):
        source = self.format_name("source_format", request.source_format, write=False)
        result = read_with_diagnostics(request.source, source, max_nodes=self.max_nodes)

        def build(r, extra):
            return api.ParseDiagramResponse(diagram=messages.diagram_message(r.diagram), source_format=r.source_format,
                                            diagnostics=messages.diagnostic_messages([*r.diagnostics, *extra]))

        return build, result, (result.source_format, "", result.diagnostics)

    def write_one(self, request: api.WriteDiagramRequest):
        target = self.format_name("target_format", request.target_format, write=True)
        policy = self.loss_policy(request.loss_policy)
        diagram = messages.diagram_from_message(request.diagram)
        try:
            content, diagnostics = write_with_diagnostics(diagram, target, dict(request.options), policy)
        except OptionError as error:
            raise FieldError("options", error) from None

        def build(r, extra):
            text, found = r
            return api.WriteDiagramResponse(content=text, target_format=target,
                                            diagnostics=messages.diagnostic_messages([*found, *extra]))

        return build, (content, diagnostics), ("model", target, diagnostics)

    @staticmethod
    def echo_one(request):
        return (lambda r, extra: echo_pb.EchoResponse(payload=r)), request.payload, None

    # -- the entry point -------------------------------------------------------------------------

    def execute(self, method: str, request_id: str, data: bytes) -> Outcome:
        """Never raises: a bug becomes INTERNAL (its trace logged here, under the request id)."""
        try:
            request_class, handler = self.methods[method]
            build, result, facts = handler(request_class.FromString(data))
            try:
                payload = build(result, ()).SerializeToString()
            except (UnicodeEncodeError, ValueError):  # lone surrogates: protobuf cannot encode them
                payload = build(scrub(result), (unencodable_diagnostic(),)).SerializeToString()
            return Outcome(0, payload, self._facts(facts) if self.with_facts else None)
        except Exception as error:
            return self.failure(method, request_id, error)

    def failure(self, method: str, request_id: str, error: Exception) -> Outcome:
        error = unencodable_error(error) or error
        try:
            status, payload = self._status(error, request_id)
        except (UnicodeEncodeError, ValueError):  # texts protobuf cannot encode, in the error itself
            status, payload = self._status(scrub(error), request_id)
        except Exception as secondary:
            error, status, payload = secondary, None, b""
        if status is None:
            logs.get().log(logging.ERROR, "unexpected error", exc_info=error,
                           extra={"fields": {"method": method, "request_id": request_id}})
            status = internal_status(request_id)
            payload = status.SerializeToString()
        facts = ("", "", Counter(d.code for d in getattr(error, "diagnostics", ()) or ())) if self.with_facts else None
        return Outcome(status.code, payload, facts)

    @staticmethod
    def _status(error: Exception, request_id: str):
        status = status_for(error, request_id)
        return status, (status.SerializeToString() if status is not None else b"")

    @staticmethod
    def _facts(facts) -> tuple | None:
        if facts is None:
            return None
        source, target, diagnostics = facts
        return source, target, Counter(d.code for d in diagnostics)


__all__ = ["Outcome", "Work"]
