"""The parent process: reserves the port, starts the workers, watches them, drains on a signal.

It never creates a gRPC object itself (so nothing gRPC holds is inherited) and starts workers
with the ``spawn`` method: each is a fresh interpreter, safe whatever the caller's process
imported before calling ``server.__main__.main``. A worker that dies, or whose event loop stops
sending its heartbeat (``--stall-timeout``), is replaced. With ``--metrics-address`` it also
serves the workers' metrics (``metrics.Exporter``).
"""
from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import multiprocessing.connection
import signal
import socket
import time

from . import logs, worker
from .config import Config, join_address, split_address

START_TIMEOUT = 60.0  # seconds a worker may take to import and bind
RESTART_PAUSE = 1.0  # seconds between restarts of a crashed worker (no busy loop on a bad host)


class AddressInUse(OSError):
    """Another process already serves the address."""


def _refuse_if_served(family: int, sockaddr) -> None:
    """SO_REUSEPORT lets any process of the same user bind a port another server holds, and the
    kernel would then share connections between the two: so, first, a plain bind (no
    SO_REUSEPORT) of the same address, which fails while anyone listens or holds it."""
    probe = socket.socket(family, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # connections in TIME_WAIT are no server
        probe.bind(sockaddr)
    except OSError as error:
        raise AddressInUse(f"{error.strerror or error}: another process already serves this address") from None
    finally:
        probe.close()


@contextlib.contextmanager
def reserve_port(host: str, port: int):
    """Binds (not listens) ``host:port`` with SO_REUSEPORT, as grpc's multiprocessing example does:
    port 0 becomes a real port every worker can then bind, and nothing without SO_REUSEPORT can
    take it while the server runs. An address already served is refused (``AddressInUse``)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, _, _, _, sockaddr = infos[0]
    except socket.gaierror as error:
        raise OSError(f"cannot resolve {host!r}: {error}") from error
    if port:
        _refuse_if_served(family, sockaddr)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(sockaddr)
        yield sock.getsockname()[1]
    finally:
        sock.close()


class Supervisor:
    def __init__(self, config: Config, port: int, exporter=None) -> None:
        self.config = config
        self.port = port
        self.exporter = exporter
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[multiprocessing.Process] = []
        # Each worker's heartbeat pipe and when it last beat (monotonic seconds).
        self.pipes: dict[int, multiprocessing.connection.Connection] = {}
        self.last_beat: dict[int, float] = {}
        self.draining = False

    def _spawn(self) -> tuple[multiprocessing.Process, multiprocessing.connection.Connection]:
        receiver, sender = self.context.Pipe(duplex=False)
        process = self.context.Process(target=worker.main, args=(self.config, self.port, sender),
                                       name="flowzap-worker", daemon=False)
        process.start()
        sender.close()
        self.pipes[process.pid] = receiver
        self.last_beat[process.pid] = time.monotonic()
        return process, receiver

    def _await_ready(self, process, receiver) -> bool:
        """True once the worker reports its server started; False when it died or timed out."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and not self.draining:
            ready = multiprocessing.connection.wait([receiver, process.sentinel], timeout=0.2)
            if receiver in ready:
                try:
                    receiver.recv()
                    self.last_beat[process.pid] = time.monotonic()
                    return True
                except EOFError:
                    return False
            if process.sentinel in ready:
                return False
        return False

    def start(self) -> bool:
        started = [self._spawn() for _ in range(self.config.workers)]
        self.processes = [process for process, _ in started]
        return all(self._await_ready(process, receiver) for process, receiver in started)

    def request_drain(self, signum: int, _frame=None) -> None:
        if not self.draining:
            logs.announce("shutting down", signal=signal.Signals(signum).name)
        self.draining = True
        for process in self.processes:
            if process.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()  # SIGTERM: the worker drains itself

    def _heard(self, ready) -> None:
        """Reads the heartbeats that arrived."""
        now = time.monotonic()
        for pid, pipe in list(self.pipes.items()):
            if pipe not in ready:
                continue
            try:
                while pipe.poll():
                    pipe.recv_bytes()
                self.last_beat[pid] = now
            except (EOFError, OSError):
                pass  # the worker is exiting: its sentinel tells

    def _stalled(self) -> list[multiprocessing.Process]:
        limit = time.monotonic() - self.config.stall_timeout
        return [p for p in self.processes if p.exitcode is None and self.last_beat.get(p.pid, 0) < limit]

    def _forget(self, process: multiprocessing.Process, reason: str | None) -> None:
        pipe = self.pipes.pop(process.pid, None)
        if pipe is not None:
            pipe.close()
        self.last_beat.pop(process.pid, None)
        if self.exporter is not None:
            self.exporter.worker_gone(process.pid, reason)

    def watch(self) -> None:
        """Until a drain is requested: replace any worker that dies (one crash — a bug, the OOM
        killer — must not take the port's capacity with it) or stops sending heartbeats (its
        event loop is stuck: its calls and health checks go unanswered)."""
        stalled: set[int] = set()
        while not self.draining:
            waitables = [p.sentinel for p in self.processes] + list(self.pipes.values())
            ready = multiprocessing.connection.wait(waitables, timeout=0.5)
            self._heard(ready)
            for process in self._stalled():
                stalled.add(process.pid)
                logs.log(40, "worker stalled; replacing it", worker_pid=process.pid,
                         stall_timeout=self.config.stall_timeout)
                process.kill()
                process.join(5)
            for process in [p for p in self.processes if p.exitcode is not None]:
                if self.draining:
                    break
                # Out of the list at once: a crash already logged does not make the later
                # shutdown unclean.
                self.processes.remove(process)
                self._forget(process, "stalled" if process.pid in stalled else "died")
                logs.log(40, "worker died; restarting", worker_pid=process.pid, exitcode=process.exitcode)
                time.sleep(RESTART_PAUSE)
                if self.draining:
                    break
                replacement, receiver = self._spawn()
                self.processes.append(replacement)
                if not self._await_ready(replacement, receiver):
                    logs.log(40, "restarted worker failed to start", worker_pid=replacement.pid)

    def join(self) -> bool:
        """Waits for every worker to finish its drain; True when all exited cleanly."""
        deadline = time.monotonic() + self.config.grace_seconds + 10.0
        clean = True
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                logs.log(40, "worker did not stop in time; killing it", worker_pid=process.pid)
                process.kill()
                process.join(5)
                clean = False
            elif process.exitcode not in (0, -signal.SIGTERM):
                clean = False
        return clean


def run(config: Config) -> int:
    """Serves until SIGTERM/SIGINT; returns the exit status (0 after a clean drain)."""
    exporter = None
    try:
        with reserve_port(config.host, config.port) as port:
            if config.metrics_address:
                from .metrics import Exporter

                exporter = Exporter(*split_address(config.metrics_address))
            supervisor = Supervisor(config, port, exporter)
            previous = {s: signal.signal(s, supervisor.request_drain) for s in (signal.SIGTERM, signal.SIGINT)}
            try:
                if not supervisor.start():
                    if supervisor.draining:  # a signal during start-up: stop cleanly
                        return 0 if supervisor.join() else 1
                    logs.log(50, "a worker failed to start; stopping")
                    supervisor.request_drain(signal.SIGTERM)
                    supervisor.join()
                    return 1
                address = join_address(config.host, port)
                logs.announce("serving", address=address, workers=config.workers,
                         tls=config.tls_cert is not None, mtls=config.client_ca is not None,
                         max_message_size=config.max_message_size, max_nodes=config.max_nodes,
                         isolation=config.isolation, max_call_cpu=config.max_call_cpu,
                         metrics=(join_address(split_address(config.metrics_address)[0], exporter.port)
                                  if exporter else None),
                         worker_pids=[p.pid for p in supervisor.processes])
                write_state(config, address)
                supervisor.watch()
                clean = supervisor.join()
                logs.announce("stopped", clean=clean)
                return 0 if clean else 1
            finally:
                for signum, handler in previous.items():
                    signal.signal(signum, handler)
    except OSError as error:
        logs.log(50, "cannot listen", address=config.address, error=str(error))
        return 1
    finally:
        if exporter is not None:
            exporter.close()
        if config.state_file is not None:
            with contextlib.suppress(OSError):
                config.state_file.unlink()


def write_state(config: Config, address: str) -> None:
    """The address served (the real port when --address said 0) for the health probe."""
    if config.state_file is None:
        return
    tls_cert = str(config.tls_cert.resolve()) if config.tls_cert else None
    state = {"address": address, "tls_cert": tls_cert, "pid": os.getpid()}
    temporary = config.state_file.with_name(config.state_file.name + ".tmp")
    temporary.write_text(json.dumps(state))
    temporary.replace(config.state_file)  # atomic: a probe never reads half a file
