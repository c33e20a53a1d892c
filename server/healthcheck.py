"""A one-shot gRPC health probe (the Docker HEALTHCHECK): exit 0 when the server answers SERVING.

    python -m server.healthcheck [--address localhost:50051] [--service NAME]
                                 [--ca CA.pem [--cert CLIENT.pem --key CLIENT.key] [--server-name NAME]]

The address is the one the server wrote to its state file (FLOWZAP_STATE_FILE, ``--state-file``:
right whatever ``--address`` said), else FLOWZAP_ADDRESS, else localhost:50051 (a wildcard host is
probed on localhost). With a CA it speaks TLS: FLOWZAP_HEALTHCHECK_CA, else the server's own
certificate (state file, else FLOWZAP_TLS_CERT: right for a self-signed one). Behind mTLS it needs
a client certificate: FLOWZAP_HEALTHCHECK_CERT / _KEY.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from .config import DEFAULT_ADDRESS, join_address, split_address


def probe_address(address: str) -> str:
    host, port = split_address(address)
    if host in ("0.0.0.0", "::", ""):
        host = "localhost"
    return join_address(host, port)


def served_state() -> dict:
    """What the running server wrote to FLOWZAP_STATE_FILE ({} when there is none)."""
    path = os.environ.get("FLOWZAP_STATE_FILE")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as file:
            state = json.load(file)
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def main(argv: list[str] | None = None) -> int:
    state = served_state()
    parser = argparse.ArgumentParser(prog="python -m server.healthcheck", description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=state.get("address") or os.environ.get("FLOWZAP_ADDRESS", DEFAULT_ADDRESS))
    parser.add_argument("--service", default="", help="service to ask about (default: the whole server)")
    parser.add_argument("--ca", default=os.environ.get("FLOWZAP_HEALTHCHECK_CA") or state.get("tls_cert")
                        or os.environ.get("FLOWZAP_TLS_CERT"))
    parser.add_argument("--cert", default=os.environ.get("FLOWZAP_HEALTHCHECK_CERT"), help="client certificate (mTLS)")
    parser.add_argument("--key", default=os.environ.get("FLOWZAP_HEALTHCHECK_KEY"), help="client key (mTLS)")
    parser.add_argument("--server-name", help="the name the server certificate is checked against")
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args(argv)

    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    target = probe_address(args.address)
    if args.ca:
        def read(path: str | None) -> bytes | None:
            if not path:
                return None
            with open(path, "rb") as file:
                return file.read()

        credentials = grpc.ssl_channel_credentials(read(args.ca), read(args.key), read(args.cert))
        options = [("grpc.ssl_target_name_override", args.server_name)] if args.server_name else []
        channel = grpc.secure_channel(target, credentials, options=options)
    else:
        channel = grpc.insecure_channel(target)
    with channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=args.service), timeout=args.timeout)
        except grpc.RpcError as error:
            print(f"{target}: {error.code().name}: {error.details()}", file=sys.stderr)
            return 1
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    print(f"{target}: {status}")
    return 0 if reply.status == health_pb2.HealthCheckResponse.SERVING else 1


if __name__ == "__main__":
    sys.exit(main())
