"""One worker process: a ``grpc.aio`` server on the port every worker shares.

Each worker binds the same address with ``grpc.so_reuseport`` (as grpc's multiprocessing example
does) and the kernel spreads incoming connections across them; connections are closed gracefully
after ``--max-connection-age`` so that clients spread again over time (a restarted worker gets its
share). Conversion runs in the worker's conversion process (``sandbox``), never on its event loop,
which sends the supervisor a heartbeat every second: a worker whose loop stops answering is
replaced. On SIGTERM/SIGINT the worker drains: health goes NOT_SERVING (watchers are told), new
calls are refused, calls in flight get the grace period.
"""
from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from . import logs, metrics, sandbox, wire
from .config import CONNECTION_AGE_GRACE, Config, join_address
from .echo import SERVICE_NAME as ECHO_SERVICE_NAME, EchoService
from .gen.flowzap.benchmark.v1 import echo_service_pb2 as echo_pb
from .gen.flowzap.converter.v1 import converter_service_pb2 as api
from .reflection import enable_server_reflection
from .service import SERVICE_NAME, ConverterService

HEARTBEAT_SECONDS = 1.0


@dataclass
class Worker:
    server: grpc.aio.Server
    health: health.aio.HealthServicer
    runner: object  # sandbox.ProcessRunner or sandbox.ThreadRunner
    port: int

    async def drain(self, grace: float) -> None:
        logs.announce("draining", grace_seconds=grace)
        await self.health.enter_graceful_shutdown()  # every service NOT_SERVING; watchers notified
        await self.server.stop(grace)
        self.runner.shutdown()


def server_credentials(config: Config) -> grpc.ServerCredentials | None:
    if config.tls_cert is None:
        return None
    key, chain = config.tls_key.read_bytes(), config.tls_cert.read_bytes()
    client_ca = config.client_ca.read_bytes() if config.client_ca else None
    return grpc.ssl_server_credentials([(key, chain)], root_certificates=client_ca,
                                       require_client_auth=client_ca is not None)


def _follow_conversion_health(runner, health_servicer, names: list[str], loop) -> None:
    """Health says NOT_SERVING while this worker cannot start a conversion process (told from the
    conversion thread), SERVING again once it can."""

    async def set_all(healthy: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if healthy else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in names:
            await health_servicer.set(name, status)

    def changed(healthy: bool) -> None:
        loop.call_soon_threadsafe(lambda: asyncio.ensure_future(set_all(healthy)))

    runner.on_health = changed


async def start(config: Config, port: int, *, reuse_port: bool = True) -> Worker:
    """Builds, binds and starts one worker's server on ``config.host:port`` (port 0: any)."""
    options = [
        ("grpc.so_reuseport", 1 if reuse_port else 0),
        ("grpc.max_receive_message_length", config.transport_limit),
        ("grpc.max_send_message_length", -1),
    ]
    if config.max_connection_age:
        options += [("grpc.max_connection_age_ms", int(config.max_connection_age * 1000)),
                    ("grpc.max_connection_age_grace_ms", int(CONNECTION_AGE_GRACE * 1000))]
    server = grpc.aio.server(options=options, maximum_concurrent_rpcs=config.max_concurrent_calls)
    recorder = metrics.for_worker(config)
    runner = sandbox.make_runner(config, with_facts=recorder.enabled, on_restart=recorder.conversion_process_restarted)
    await asyncio.get_running_loop().run_in_executor(None, runner.start)
    wire.add_servicer(server, ConverterService(config, runner, recorder),
                      api.DESCRIPTOR.services_by_name["ConverterService"])
    names = [SERVICE_NAME]
    if config.enable_echo:
        wire.add_servicer(server, EchoService(runner, recorder), echo_pb.DESCRIPTOR.services_by_name["EchoService"])
        names.append(ECHO_SERVICE_NAME)

    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    _follow_conversion_health(runner, health_servicer, ["", *names], asyncio.get_running_loop())
    enable_server_reflection([*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)

    address = join_address(config.host, port)
    credentials = server_credentials(config)
    bound = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    await server.start()
    for name in ("", *names):  # "" is the whole server, as health checkers ask by default
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return Worker(server, health_servicer, runner, bound)


def _heartbeat(loop: asyncio.AbstractEventLoop, beat) -> None:
    """Every second from the event loop itself: the supervisor hears nothing when the loop is stuck."""
    try:
        beat()
    except OSError:
        return  # the supervisor is gone; the main loop notices and drains
    loop.call_later(HEARTBEAT_SECONDS, _heartbeat, loop, beat)


async def _serve(config: Config, port: int, ready, beat) -> int:
    try:
        worker = await start(config, port)
    except Exception as error:
        logs.get().error("worker failed to start", exc_info=error)
        return 1
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    parent = os.getppid()
    ready(worker.port)
    _heartbeat(loop, beat)
    logs.log(10, "worker serving", port=worker.port)
    # Also drain when the supervisor disappears (killed with SIGKILL): no orphan keeps the port.
    while not stop.is_set() and os.getppid() == parent:
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except TimeoutError:
            pass
    await worker.drain(config.grace_seconds)
    logs.log(10, "worker stopped")
    return 0


def main(config: Config, port: int, ready_pipe) -> None:
    """Entry point of a worker process (spawned by the supervisor)."""
    logs.setup(config.log_level, background=True)

    def ready(bound: int) -> None:
        ready_pipe.send(bound)

    def beat() -> None:
        ready_pipe.send_bytes(b".")

    try:
        code = asyncio.run(_serve(config, port, ready, beat))
    finally:
        logs.flush()
    raise SystemExit(code)
