"""The parent process: reserves the port, starts the workers, watches them, drains on a signal.

It never creates a gRPC object itself (so nothing gRPC holds is inherited) and starts workers
with the ``spawn`` method: each is a fresh interpreter, safe whatever the caller's process
imported before calling ``server.__main__.main``.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import signal
import socket
import time

from . import logs, worker
from .config import Config, join_address

START_TIMEOUT = 60.0  # seconds a worker may take to import and bind
RESTART_PAUSE = 1.0  # seconds between restarts of a crashed worker (no busy loop on a bad host)


@contextlib.contextmanager
def reserve_port(host: str, port: int):
    """Binds (not listens) ``host:port`` with SO_REUSEPORT, as grpc's multiprocessing example does:
    port 0 becomes a real port every worker can then bind, and nothing without SO_REUSEPORT can
    take it while the server runs."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, _, _, _, sockaddr = infos[0]
    except socket.gaierror as error:
        raise OSError(f"cannot resolve {host!r}: {error}") from error
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(sockaddr)
        yield sock.getsockname()[1]
    finally:
        sock.close()


class Supervisor:
    def __init__(self, config: Config, port: int) -> None:
        self.config = config
        self.port = port
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[multiprocessing.Process] = []
        self.draining = False

    def _spawn(self) -> tuple[multiprocessing.Process, multiprocessing.connection.Connection]:
        receiver, sender = self.context.Pipe(duplex=False)
        process = self.context.Process(target=worker.main, args=(self.config, self.port, sender),
                                       name="flowzap-worker", daemon=False)
        process.start()
        sender.close()
        return process, receiver

    def _await_ready(self, process, receiver) -> bool:
        """True once the worker reports its server started; False when it died or timed out."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and not self.draining:
            ready = multiprocessing.connection.wait([receiver, process.sentinel], timeout=0.2)
            if receiver in ready:
                try:
                    receiver.recv()
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

    def watch(self) -> None:
        """Until a drain is requested: restart any worker that dies, so one crash (a bug in a
        reader, the OOM killer) does not take the port's capacity with it."""
        while not self.draining:
            sentinels = [p.sentinel for p in self.processes]
            multiprocessing.connection.wait(sentinels, timeout=0.5)
            for process in [p for p in self.processes if p.exitcode is not None]:
                if self.draining:
                    break
                # Out of the list at once: a crash already logged does not make the later
                # shutdown unclean.
                self.processes.remove(process)
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
    try:
        with reserve_port(config.host, config.port) as port:
            supervisor = Supervisor(config, port)
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
                         worker_pids=[p.pid for p in supervisor.processes])
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
