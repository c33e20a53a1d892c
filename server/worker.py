"""One worker process: a ``grpc.aio`` server on the port every worker shares.

Each worker binds the same address with ``grpc.so_reuseport`` (as grpc's multiprocessing example
does) and the kernel spreads incoming connections across them; conversion runs on a thread of
the worker (``calls.Runner``), never on its event loop. On SIGTERM/SIGINT the worker drains: health
goes NOT_SERVING (watchers are told), new calls are refused, calls in flight get the grace period.
"""
from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from . import calls, logs, wire
from .config import Config, join_address
from .echo import SERVICE_NAME as ECHO_SERVICE_NAME, EchoService
from .gen.flowzap.benchmark.v1 import echo_service_pb2 as echo_pb
from .gen.flowzap.converter.v1 import converter_service_pb2 as api
from .service import SERVICE_NAME, ConverterService

# One conversion thread per worker: the GIL lets one thread convert at a time anyway, and the
# processes, not threads, use the cores. Calls beyond it wait in the executor's queue, where an
# expired deadline means the work is never started.
CONVERSION_THREADS = 1


@dataclass
class Worker:
    server: grpc.aio.Server
    health: health.aio.HealthServicer
    runner: calls.Runner
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


async def start(config: Config, port: int, *, reuse_port: bool = True) -> Worker:
    """Builds, binds and starts one worker's server on ``config.host:port`` (port 0: any)."""
    options = [
        ("grpc.so_reuseport", 1 if reuse_port else 0),
        ("grpc.max_receive_message_length", config.transport_limit),
        ("grpc.max_send_message_length", -1),
    ]
    server = grpc.aio.server(options=options, maximum_concurrent_rpcs=config.max_concurrent_calls)
    runner = calls.Runner(CONVERSION_THREADS)
    wire.add_servicer(server, ConverterService(config, runner), api.DESCRIPTOR.services_by_name["ConverterService"])
    names = [SERVICE_NAME]
    if config.enable_echo:
        wire.add_servicer(server, EchoService(runner), echo_pb.DESCRIPTOR.services_by_name["EchoService"])
        names.append(ECHO_SERVICE_NAME)

    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection([*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)

    address = join_address(config.host, port)
    credentials = server_credentials(config)
    bound = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    await server.start()
    for name in ("", *names):  # "" is the whole server, as health checkers ask by default
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return Worker(server, health_servicer, runner, bound)


async def _serve(config: Config, port: int, ready) -> int:
    try:
        worker = await start(config, port)
    except Exception as error:  # noqa: BLE001 — reported to the supervisor, which exits non-zero
        logs.get().error("worker failed to start", exc_info=error)
        return 1
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    parent = os.getppid()
    ready(worker.port)
    logs.log(10, "worker serving", port=worker.port)
    # Also drain when the supervisor disappears (killed with SIGKILL): no orphan keeps the port.
    while not stop.is_set() and os.getppid() == parent:
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except asyncio.TimeoutError:
            pass
    await worker.drain(config.grace_seconds)
    logs.log(10, "worker stopped")
    return 0


def main(config: Config, port: int, ready_pipe) -> None:
    """Entry point of a worker process (spawned by the supervisor)."""
    logs.setup(config.log_level)

    def ready(bound: int) -> None:
        ready_pipe.send(bound)
        ready_pipe.close()

    raise SystemExit(asyncio.run(_serve(config, port, ready)))
