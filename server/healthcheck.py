"""A one-shot gRPC health probe (the Docker HEALTHCHECK): exit 0 when the server answers SERVING.

    python -m server.healthcheck [--address localhost:50051] [--service NAME] [--ca CA.pem]

The address defaults to FLOWZAP_ADDRESS (a wildcard host is probed on localhost). With a CA
(or FLOWZAP_TLS_CERT set, which then serves as the CA of a self-signed server) it speaks TLS.
"""
from __future__ import annotations

import argparse
import os
import sys

from .config import DEFAULT_ADDRESS, join_address, split_address


def probe_address(address: str) -> str:
    host, port = split_address(address)
    if host in ("0.0.0.0", "::", ""):
        host = "localhost"
    return join_address(host, port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.healthcheck", description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=os.environ.get("FLOWZAP_ADDRESS", DEFAULT_ADDRESS))
    parser.add_argument("--service", default="", help="service to ask about (default: the whole server)")
    parser.add_argument("--ca", default=os.environ.get("FLOWZAP_HEALTHCHECK_CA") or os.environ.get("FLOWZAP_TLS_CERT"))
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args(argv)

    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    target = probe_address(args.address)
    if args.ca:
        with open(args.ca, "rb") as ca:
            channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(ca.read()))
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
