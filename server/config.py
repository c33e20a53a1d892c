"""The server's settings: command-line flags, each with an environment variable as its default.

A flag wins over its variable, which wins over the built-in default; ``--help`` lists them all.
"""
from __future__ import annotations

import argparse
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ADDRESS = "localhost:50051"
DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024  # gRPC's own default receive limit
DEFAULT_MAX_NODES = 50_000
DEFAULT_GRACE_SECONDS = 10.0
# Calls one worker holds at once (running + queued); beyond, RESOURCE_EXHAUSTED at once. With the
# default message size this bounds a worker's request memory to about 1 GiB in the worst case.
DEFAULT_MAX_CONCURRENT_CALLS = 256
# CPU seconds one call may use before its conversion process is stopped (RESOURCE_EXHAUSTED);
# bounds calls without a deadline. A 4 MiB diagram converts in a few seconds.
DEFAULT_MAX_CALL_CPU = 30.0
# Connections are closed (GOAWAY) after this long, so that clients reconnect and spread over the
# workers again, a restarted one included; calls in flight get the grace below to finish. The grace
# is long because a BatchConvertDiagrams stream (a migration) is one call; unary traffic moves at
# once (a connection closes as soon as its calls are done).
DEFAULT_MAX_CONNECTION_AGE = 60.0
CONNECTION_AGE_GRACE = 600.0
# Seconds a worker's event loop may go without a heartbeat before the supervisor replaces it.
DEFAULT_STALL_TIMEOUT = 10.0
ENV_PREFIX = "FLOWZAP_"


class ConfigError(ValueError):
    """A flag or variable with a value the server cannot use (exit status 2)."""


@dataclass(frozen=True)
class Config:
    address: str = DEFAULT_ADDRESS
    workers: int = 1
    # The largest diagram text accepted, in bytes; larger requests are refused before parsing.
    max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE
    max_nodes: int = DEFAULT_MAX_NODES
    max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT_CALLS
    log_level: str = "info"
    tls_cert: Path | None = None
    tls_key: Path | None = None
    client_ca: Path | None = None
    grace_seconds: float = DEFAULT_GRACE_SECONDS
    enable_echo: bool = False
    # "process": each worker converts in a conversion process it kills past a deadline (the
    # watchdog); "thread": on a thread of the worker (no watchdog; tests patching the library).
    isolation: str = "process"
    max_call_cpu: float = DEFAULT_MAX_CALL_CPU  # 0: no ceiling
    max_connection_age: float = DEFAULT_MAX_CONNECTION_AGE  # 0: connections live for ever
    stall_timeout: float = DEFAULT_STALL_TIMEOUT
    metrics_address: str | None = None
    # A JSON file the supervisor writes once serving ({"address", "tls_cert", "pid"}) and removes
    # on exit: the health probe reads where to ask, whatever --address said.
    state_file: Path | None = None

    @property
    def host(self) -> str:
        return split_address(self.address)[0]

    @property
    def port(self) -> int:
        return split_address(self.address)[1]

    @property
    def transport_limit(self) -> int:
        """gRPC's receive limit: the source limit plus room for the other fields, so that a source
        just over the limit gets the rich INPUT_TOO_LARGE error (and a batch stream goes on)
        rather than the transport's bare RESOURCE_EXHAUSTED."""
        return self.max_message_size + 64 * 1024


CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def cpu_quota(path: Path = CGROUP_CPU_MAX) -> float | None:
    """CPUs the cgroup (v2) may use: ``cpu.max`` is "QUOTA PERIOD" (``docker run --cpus=1.5``:
    "150000 100000") or "max PERIOD"; None when there is no quota."""
    try:
        quota, period = path.read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        return None


def default_workers(quota_path: Path = CGROUP_CPU_MAX) -> int:
    """One worker per CPU this process may use: the CPUs it may run on (affinity, ``--cpuset-cpus``)
    capped by the cgroup's CPU quota (``--cpus``), rounded up."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    quota = cpu_quota(quota_path)
    if quota is not None:
        cpus = min(cpus, math.ceil(quota))
    return max(1, cpus)


def split_address(address: str) -> tuple[str, int]:
    """``host:port`` / ``[v6]:port`` → (host, port)."""
    match = re.fullmatch(r"\[(?P<v6>[^\]]+)\]:(?P<port>\d+)|(?P<host>[^:\[\]]*):(?P<port2>\d+)", address.strip())
    if not match:
        raise ConfigError(f"address {address!r}: expected HOST:PORT (e.g. localhost:50051, 0.0.0.0:50051, [::]:50051)")
    host = match.group("v6") or match.group("host") or "0.0.0.0"
    port = int(match.group("port") or match.group("port2"))
    if port > 65535:
        raise ConfigError(f"address {address!r}: port {port} is out of range")
    return host, port


def join_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


_SIZE = re.compile(r"^\s*(\d+)\s*(|k|kb|kib|m|mb|mib)\s*$", re.I)
_UNITS = {"": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2, "mib": 1024**2}


def parse_size(text: str) -> int:
    match = _SIZE.match(str(text))
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a size in bytes (e.g. 4194304, 512KiB, 4MiB)")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected seconds") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must not be negative")
    return value


def _flag(text: str) -> bool:
    return str(text).strip().lower() in ("1", "true", "yes", "on")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowzap-convert serve",
        description="Serve flowzap.converter.v1.ConverterService over gRPC (with health and reflection). "
        "Every flag has an environment variable (shown in brackets) that sets its default.",
    )

    def add(flag: str, env: str, help_text: str, **kwargs) -> None:
        variable = ENV_PREFIX + env
        parser.add_argument(flag, default=os.environ.get(variable, kwargs.pop("default", None)),
                            help=f"{help_text} [{variable}]", **kwargs)

    add("--address", "ADDRESS", f"HOST:PORT to listen on; port 0 picks a free port (default {DEFAULT_ADDRESS})",
        default=DEFAULT_ADDRESS)
    add("--workers", "WORKERS", "worker processes sharing the port (default: one per CPU)", type=_positive_int)
    add("--max-message-size", "MAX_MESSAGE_SIZE",
        "largest diagram text accepted, in bytes (4MiB, 512KiB); larger requests are refused before parsing",
        type=parse_size, default=str(DEFAULT_MAX_MESSAGE_SIZE))
    add("--max-nodes", "MAX_NODES", f"largest diagram accepted, in nodes (default {DEFAULT_MAX_NODES})",
        type=_positive_int, default=str(DEFAULT_MAX_NODES))
    add("--max-concurrent-calls", "MAX_CONCURRENT_CALLS",
        f"calls a worker holds at once, queued ones included; beyond: RESOURCE_EXHAUSTED "
        f"(default {DEFAULT_MAX_CONCURRENT_CALLS})", type=_positive_int, default=str(DEFAULT_MAX_CONCURRENT_CALLS))
    add("--log-level", "LOG_LEVEL", "debug, info, warning or error (default info: one line per call)",
        default="info", type=str.lower, choices=("debug", "info", "warning", "error"))
    add("--tls-cert", "TLS_CERT", "PEM certificate chain: serve TLS instead of plaintext")
    add("--tls-key", "TLS_KEY", "PEM private key of --tls-cert")
    add("--client-ca", "CLIENT_CA", "PEM CA bundle: require client certificates signed by it (mTLS)")
    add("--grace", "GRACE_SECONDS",
        f"seconds calls in flight get to finish after SIGTERM/SIGINT (default {DEFAULT_GRACE_SECONDS:g})",
        type=_seconds, default=str(DEFAULT_GRACE_SECONDS))
    add("--enable-echo", "ENABLE_ECHO",
        "also serve flowzap.benchmark.v1.EchoService (a diagnostic for benchmarks, not the product API)",
        type=_flag, default="false", nargs="?", const="true")
    add("--isolation", "ISOLATION",
        "process (default): each worker converts in a child process it kills and replaces when a call passes "
        "its deadline or CPU ceiling; thread: on a thread of the worker (no watchdog)",
        default="process", type=str.lower, choices=("process", "thread"))
    add("--max-call-cpu", "MAX_CALL_CPU",
        f"CPU seconds one call may use before it is stopped with RESOURCE_EXHAUSTED; 0: no ceiling "
        f"(default {DEFAULT_MAX_CALL_CPU:g}; needs --isolation process)",
        type=_seconds, default=str(DEFAULT_MAX_CALL_CPU))
    add("--max-connection-age", "MAX_CONNECTION_AGE",
        f"seconds after which a client connection is closed gracefully so that clients reconnect and spread over "
        f"the workers (a restarted one included); 0: never (default {DEFAULT_MAX_CONNECTION_AGE:g})",
        type=_seconds, default=str(DEFAULT_MAX_CONNECTION_AGE))
    add("--stall-timeout", "STALL_TIMEOUT",
        f"seconds a worker may go unresponsive before it is replaced (default {DEFAULT_STALL_TIMEOUT:g})",
        type=_seconds, default=str(DEFAULT_STALL_TIMEOUT))
    add("--metrics-address", "METRICS_ADDRESS",
        "HOST:PORT for a Prometheus /metrics endpoint (plain HTTP); off when not given")
    add("--state-file", "STATE_FILE",
        "write the address served (and the TLS certificate) to this JSON file once serving, for "
        "python -m server.healthcheck (the Docker HEALTHCHECK); removed on exit")
    return parser


def parse(argv: list[str] | None) -> Config:
    """Config from flags (and the environment); raises ConfigError for unusable values.
    argparse itself exits with status 2 on a malformed flag."""
    args = build_parser().parse_args(argv)
    split_address(args.address)
    if args.log_level not in ("debug", "info", "warning", "error"):
        raise ConfigError(f"log level {args.log_level!r}: expected debug, info, warning or error")
    tls_cert, tls_key, client_ca = (Path(p) if p else None for p in (args.tls_cert, args.tls_key, args.client_ca))
    if bool(tls_cert) != bool(tls_key):
        raise ConfigError("--tls-cert and --tls-key go together")
    if client_ca and not tls_cert:
        raise ConfigError("--client-ca (mTLS) needs --tls-cert and --tls-key")
    for path in (tls_cert, tls_key, client_ca):
        if path is not None and not path.is_file():
            raise ConfigError(f"{path}: no such file")
    if args.metrics_address:
        split_address(args.metrics_address)
    if args.isolation not in ("process", "thread"):
        raise ConfigError(f"isolation {args.isolation!r}: expected process or thread")
    if args.stall_timeout < 1:
        raise ConfigError("--stall-timeout must be at least 1 second")
    return Config(
        address=args.address,
        workers=args.workers or default_workers(),
        max_message_size=args.max_message_size,
        max_nodes=args.max_nodes,
        max_concurrent_calls=args.max_concurrent_calls,
        log_level=args.log_level,
        tls_cert=tls_cert,
        tls_key=tls_key,
        client_ca=client_ca,
        grace_seconds=args.grace,
        enable_echo=bool(args.enable_echo),
        isolation=args.isolation,
        max_call_cpu=args.max_call_cpu,
        max_connection_age=args.max_connection_age,
        stall_timeout=args.stall_timeout,
        metrics_address=args.metrics_address or None,
        state_file=Path(args.state_file) if args.state_file else None,
    )
