"""The client side of remote conversion (``flowzap-convert migrate --server …``): a converter with
``api.convert``'s signature and errors whose work is done by converter servers.

- One channel with gRPC's own client-side ``round_robin`` balancing over every server: several
  ``--server HOST:PORT`` addresses (resolved once, into one ``ipv4:``/``ipv6:`` target), or one
  target that resolves to many (``dns:///converter.internal:50051``, a headless Service).
- ``BatchConvertDiagrams`` streams, at most ``max_in_flight`` of them, each with one request in
  flight (the server converts a stream's items one at a time) and a bounded number of items, so
  that new streams keep spreading over the servers.
- Deadlines: each stream has a gRPC deadline, each item a time limit (``timeout``).
- An item whose stream broke (the server died, UNAVAILABLE, a deadline) is retried with backoff on
  whatever server the balancer picks next; when retries run out with no server reachable the
  converter raises ``NoServerLeft`` for every pending item: the run stops cleanly and resumes later.

Imported only when ``--server`` is given: the library itself never imports gRPC.
"""
from __future__ import annotations

import asyncio
import ipaddress
import json
import random
import socket
import threading
from dataclasses import dataclass

import grpc
from google.rpc import code_pb2, error_details_pb2

from converters.api import ConversionResult
from converters.diagnostics import Diagnostic, Diagnostics, Severity
from converters.errors import InputError, InternalError, LossError, OptionError, UnknownFormatError, raise_if_errors
from converters.migrate.one import NoServerLeft, RemoteFailure
from converters.text import decode

from .gen.flowzap.converter.v1 import converter_service_pb2 as api
from .gen.flowzap.converter.v1 import converter_service_pb2_grpc as api_grpc
from .gen.flowzap.converter.v1 import diagnostic_pb2

LOSS_POLICIES = {"ignore": api.LOSS_POLICY_IGNORE, "warn": api.LOSS_POLICY_WARN, "fail": api.LOSS_POLICY_FAIL}
SEVERITIES = {diagnostic_pb2.SEVERITY_ERROR: Severity.ERROR, diagnostic_pb2.SEVERITY_WARNING: Severity.WARNING,
              diagnostic_pb2.SEVERITY_INFO: Severity.INFO}
MAX_MESSAGE = 64 * 1024 * 1024
SCHEMES = ("dns:", "ipv4:", "ipv6:", "unix:", "unix-abstract:", "vsock:")


class ServerAddressError(ValueError):
    """A --server value that names no server."""


def _split(address: str) -> tuple[str, str]:
    address = address.strip()
    if address.startswith("["):
        host, _, port = address[1:].partition("]:")
    else:
        host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ServerAddressError(f"{address!r}: expected HOST:PORT (or one dns:///NAME:PORT target)")
    return host, port


def channel_target(servers: list[str]) -> str:
    """One gRPC target naming every server, for the round_robin policy to spread calls over."""
    if not servers:
        raise ServerAddressError("no server given")
    if len(servers) == 1:
        server = servers[0].strip()
        if server.startswith(SCHEMES) or "://" in server:
            return server
        _split(server)
        return f"dns:///{server}"
    if any(s.strip().startswith(SCHEMES) or "://" in s for s in servers):
        raise ServerAddressError("a dns:/// (or other scheme) target stands alone: give it as the only --server")
    v4, v6 = [], []
    for server in servers:
        host, port = _split(server)
        try:
            found = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
            except socket.gaierror as error:
                raise ServerAddressError(f"{server}: cannot resolve {host!r}: {error.strerror}") from error
            found = [ipaddress.ip_address(info[4][0]) for info in infos]
        for ip in found:
            entry = f"{ip}:{port}" if ip.version == 4 else f"[{ip}]:{port}"
            bucket = v4 if ip.version == 4 else v6
            if entry not in bucket:
                bucket.append(entry)
    if v4 and v6:
        raise ServerAddressError("the servers mix IPv4 and IPv6 addresses: use one family (or one dns:/// name)")
    return ("ipv4:" + ",".join(v4)) if v4 else ("ipv6:" + ",".join(v6))


@dataclass(slots=True)
class _Item:
    request: api.ConvertDiagramRequest
    future: asyncio.Future
    attempts: int = 0


class RemoteConverter:
    """Thread-safe: each client thread's call blocks until its item's result arrives."""

    def __init__(self, servers: list[str], *, max_in_flight: int = 8, timeout: float = 60.0, attempts: int = 8,
                 items_per_stream: int = 64, idle_seconds: float = 1.0) -> None:
        self.target = channel_target(servers)
        self.max_in_flight = max_in_flight
        self.timeout = timeout
        self.attempts = attempts
        self.items_per_stream = items_per_stream
        self.idle_seconds = idle_seconds
        self.dead = False  # no server left: every item fails at once with NoServerLeft
        self.items_done = 0
        self.retries = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="grpc-client", daemon=True)
        self.thread.start()
        self.channel = None
        self.stub = None
        self.queue: asyncio.Queue | None = None
        self.workers: list[asyncio.Task] = []
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)

    async def _start(self) -> None:
        options = [
            ("grpc.service_config", json.dumps({"loadBalancingConfig": [{"round_robin": {}}]})),
            ("grpc.max_receive_message_length", MAX_MESSAGE),
            ("grpc.max_send_message_length", MAX_MESSAGE),
            ("grpc.initial_reconnect_backoff_ms", 200),
            ("grpc.max_reconnect_backoff_ms", 2000),
        ]
        self.channel = grpc.aio.insecure_channel(self.target, options=options)
        self.stub = api_grpc.ConverterServiceStub(self.channel)
        self.queue = asyncio.Queue()
        self.workers = [asyncio.create_task(self._stream_worker()) for _ in range(self.max_in_flight)]

    # -- the caller's side ---------------------------------------------------------------------

    def __call__(self, source: str | bytes, *, target_format: str, source_format: str | None,
                 options: dict[str, str] | None, loss_policy: str, filename: str | None) -> ConversionResult:
        found = Diagnostics()
        text = decode(source, found)  # the same checks as the library's, before anything is sent
        raise_if_errors(found, source_format)
        request = api.ConvertDiagramRequest(source=text, source_format=source_format or "",
                                            target_format=target_format, options=options or {},
                                            loss_policy=LOSS_POLICIES[loss_policy])
        response = asyncio.run_coroutine_threadsafe(self._submit(request), self.loop).result()
        return _result(response, target_format)

    async def _submit(self, request: api.ConvertDiagramRequest) -> api.BatchConvertDiagramsResponse:
        if self.dead:
            raise NoServerLeft("no converter server is reachable")
        item = _Item(request, self.loop.create_future())
        self.queue.put_nowait(item)
        return await item.future

    # -- the streams -------------------------------------------------------------------------

    async def _stream_worker(self) -> None:
        while True:
            item = await self.queue.get()
            if self.dead:
                _fail(item, NoServerLeft("no converter server is reachable"))
                continue
            try:
                await self._stream(item)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                _fail(item, RemoteFailure(f"the client failed: {type(error).__name__}: {error}"))

    async def _stream(self, item: _Item) -> None:
        """One stream: items one after the other, until it carried ``items_per_stream`` or
        stayed idle; a broken stream hands its unanswered item to ``_retry``."""
        call = self.stub.BatchConvertDiagrams(timeout=(self.timeout + self.idle_seconds) * self.items_per_stream)
        current: _Item | None = item
        sent = 0
        try:
            while current is not None:
                await call.write(api.BatchConvertDiagramsRequest(name=str(sent), request=current.request))
                sent += 1
                response = await asyncio.wait_for(call.read(), self.timeout)
                if response is grpc.aio.EOF:
                    raise ConnectionError("the server ended the stream early")
                if not current.future.done():
                    current.future.set_result(response)
                self.items_done += 1
                current = None
                if sent < self.items_per_stream and not self.dead:
                    try:
                        current = await asyncio.wait_for(self.queue.get(), self.idle_seconds)
                    except TimeoutError:
                        current = None
            await call.done_writing()
            await asyncio.wait_for(call, self.timeout)
        except asyncio.CancelledError:
            call.cancel()
            if current is not None:
                _fail(current, NoServerLeft("the client stopped"))
            raise
        except Exception as error:
            # transport already ended, a timeout): whatever it was, the unanswered item goes elsewhere
            call.cancel()
            if current is not None:
                await self._retry(current, error)

    async def _retry(self, item: _Item, error: BaseException) -> None:
        item.attempts += 1
        self.retries += 1
        code = error.code() if isinstance(error, grpc.aio.AioRpcError) else None
        if item.attempts >= self.attempts:
            if code in (grpc.StatusCode.UNAVAILABLE, None) or self.items_done == 0:
                self._give_up()
                _fail(item, NoServerLeft(f"no converter server is reachable ({_describe(error)})"))
            else:
                _fail(item, RemoteFailure(f"the servers could not convert it after {item.attempts} attempts "
                                          f"({_describe(error)})"))
            return
        await asyncio.sleep(min(2.0, 0.1 * 2 ** (item.attempts - 1)) * random.uniform(0.5, 1.0))
        if self.dead:
            _fail(item, NoServerLeft("no converter server is reachable"))
        else:
            self.queue.put_nowait(item)

    def _give_up(self) -> None:
        self.dead = True
        while not self.queue.empty():
            _fail(self.queue.get_nowait(), NoServerLeft("no converter server is reachable"))

    # -- stopping ----------------------------------------------------------------------------

    def stop(self) -> None:
        """Fails every pending item (an interrupted run)."""
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self._give_up)

    def close(self) -> None:
        if not self.loop.is_running():
            return

        async def shutdown() -> None:
            for worker in self.workers:
                worker.cancel()
            await asyncio.gather(*self.workers, return_exceptions=True)
            await self.channel.close()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def _fail(item: _Item, error: BaseException) -> None:
    if not item.future.done():
        item.future.set_exception(error)


def _describe(error: BaseException) -> str:
    if isinstance(error, grpc.aio.AioRpcError):
        return f"{error.code().name}: {error.details()}"
    if isinstance(error, asyncio.TimeoutError):
        return "no answer within the time limit"
    return str(error) or type(error).__name__


# -- answers → the library's results and errors ----------------------------------------------------

def _diagnostics(messages) -> list[Diagnostic]:
    return [Diagnostic(m.code, SEVERITIES.get(m.severity, Severity.ERROR), m.message, m.line or None,
                       m.column or None, m.element or None) for m in messages]


def _result(response: api.BatchConvertDiagramsResponse, target_format: str) -> ConversionResult:
    if response.WhichOneof("result") == "response":
        answer = response.response
        return ConversionResult(content=answer.content, source_format=answer.source_format,
                                target_format=answer.target_format or target_format,
                                diagnostics=_diagnostics(answer.diagnostics))
    status = response.error
    reason, metadata, diagnostics = "", {}, []
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason, metadata = info.reason, dict(info.metadata)
        elif detail.Is(diagnostic_pb2.DiagnosticList.DESCRIPTOR):
            found = diagnostic_pb2.DiagnosticList()
            detail.Unpack(found)
            diagnostics = _diagnostics(found.diagnostics)
    if status.code == code_pb2.INVALID_ARGUMENT:
        if reason == "UNKNOWN_FORMAT":
            raise UnknownFormatError(status.message)
        if reason == "INVALID_OPTION":
            raise OptionError(status.message)
        if not diagnostics:
            diagnostics = [Diagnostic(reason or "SYNTAX_ERROR", Severity.ERROR, status.message)]
        raise InputError(diagnostics, metadata.get("format"))
    if status.code == code_pb2.FAILED_PRECONDITION:
        raise LossError(diagnostics, target_format)
    if status.code == code_pb2.INTERNAL:
        raise InternalError(f"on the server: {status.message}")
    raise RemoteFailure(f"{code_pb2.Code.Name(status.code)}: {status.message}")
