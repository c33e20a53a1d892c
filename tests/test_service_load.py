"""A bounded load test (seconds): many concurrent clients, each on its own connection, send a
mix of valid, invalid, oversized, garbage and malformed requests. The server never dies, every
call gets the status its request deserves, and health stays SERVING throughout."""
from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from converters import convert
from server.gen.flowzap.converter.v1 import converter_service_pb2 as api
from server.gen.flowzap.converter.v1 import converter_service_pb2_grpc as api_grpc
from server.testing import ServerProcess, rich_details

from .conftest import DATA

REFERENCE = (DATA / "service" / "auth_flow.fz").read_text(encoding="utf-8")
TWO_ERRORS = (DATA / "service" / "two_errors.fz").read_text(encoding="utf-8")
LIMIT = 32 * 1024
CLIENTS = 24
SECONDS = 5.0
EXPECTED_YAML = convert(REFERENCE, target_format="yaml").content
OK, INVALID, EXHAUSTED = grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.RESOURCE_EXHAUSTED


def garbage(rng: random.Random) -> str:
    """Random text that always holds a control character: never a valid diagram."""
    alphabet = "{}()[]<>:;->.#\"'\n\t abcXYZ019✓€\x00\x01\x1b\x7f"
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 400)))
    return text + "\x00"


def malformed(rng: random.Random) -> bytes:
    """Bytes that are never a ConvertDiagramRequest (random bytes may well be one: unknown
    fields are allowed): a truncated length, or a string field with invalid UTF-8."""
    if rng.random() < 0.5:
        return b"\x0a\xff\xff\xff"  # field 1, length-delimited, length varint never ends
    tail = bytes(rng.randrange(0x80, 0xC0) for _ in range(rng.randint(1, 20)))  # lone continuation bytes
    return bytes([0x0A, len(tail)]) + tail


def one_call(stub, raw, rng: random.Random) -> tuple[str, grpc.StatusCode, str | None]:
    """Sends one random request; returns (kind, code, ErrorInfo reason or content check)."""
    kind = rng.choice(["valid", "valid", "invalid", "oversized", "far_oversized", "garbage",
                       "unknown_format", "malformed", "batch"])
    request = {
        "valid": lambda: api.ConvertDiagramRequest(source=REFERENCE, target_format="yaml"),
        "invalid": lambda: api.ConvertDiagramRequest(source=TWO_ERRORS, target_format="yaml"),
        "oversized": lambda: api.ConvertDiagramRequest(source="}" * (LIMIT + rng.randint(1, 1000)),
                                                       target_format="yaml"),
        "far_oversized": lambda: api.ConvertDiagramRequest(source="x" * (LIMIT * 8), target_format="yaml"),
        "garbage": lambda: api.ConvertDiagramRequest(source=garbage(rng), target_format="yaml"),
        "unknown_format": lambda: api.ConvertDiagramRequest(source=REFERENCE, target_format="svgz"),
    }
    try:
        if kind == "malformed":
            raw(malformed(rng), timeout=30)
            return kind, OK, None
        if kind == "batch":
            items = [api.BatchConvertDiagramsRequest(name=str(i), request=api.ConvertDiagramRequest(
                source=source, target_format="yaml")) for i, source in enumerate([REFERENCE, TWO_ERRORS, REFERENCE])]
            results = list(stub.BatchConvertDiagrams(iter(items), timeout=30))
            shape = [(r.name, r.WhichOneof("result")) for r in results]
            return kind, OK, "ok" if shape == [("0", "response"), ("1", "error"), ("2", "response")] else repr(shape)
        response = stub.ConvertDiagram(request[kind](), timeout=30)
        return kind, OK, "ok" if response.content == EXPECTED_YAML else "wrong content"
    except grpc.RpcError as error:
        info = rich_details(error).get("ErrorInfo")
        return kind, error.code(), info.reason if info else None


EXPECTED = {
    "valid": (OK, "ok"),
    "batch": (OK, "ok"),
    "invalid": (INVALID, "UNKNOWN_SHAPE"),
    "oversized": (INVALID, "INPUT_TOO_LARGE"),
    "far_oversized": (EXHAUSTED, None),  # refused by the transport, before the message is read
    "garbage": (INVALID, "CONTROL_CHARACTER"),
    "unknown_format": (INVALID, "UNKNOWN_FORMAT"),
    "malformed": (INVALID, "MALFORMED_REQUEST"),
}


def test_mixed_load_keeps_the_server_up_and_every_status_right():
    with ServerProcess("--workers", "2", "--max-message-size", str(LIMIT), "--log-level", "warning") as server:
        stop = threading.Event()
        health_replies: list[int] = []

        def watch_health() -> None:
            with grpc.insecure_channel(server.address, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
                health = health_pb2_grpc.HealthStub(channel)
                while not stop.is_set():
                    health_replies.append(health.Check(health_pb2.HealthCheckRequest(), timeout=10).status)
                    time.sleep(0.1)

        def client(seed: int) -> list[tuple]:
            rng = random.Random(seed)
            outcomes = []
            with grpc.insecure_channel(server.address, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
                stub = api_grpc.ConverterServiceStub(channel)
                raw = channel.unary_unary("/flowzap.converter.v1.ConverterService/ConvertDiagram")
                deadline = time.monotonic() + SECONDS
                while time.monotonic() < deadline:
                    outcomes.append(one_call(stub, raw, rng))
            return outcomes

        checker = threading.Thread(target=watch_health)
        checker.start()
        try:
            with ThreadPoolExecutor(CLIENTS) as pool:
                outcomes = [o for batch in pool.map(client, range(CLIENTS)) for o in batch]
        finally:
            stop.set()
            checker.join(30)

        wrong = [(kind, code, detail) for kind, code, detail in outcomes if (code, detail) != EXPECTED[kind]]
        assert not wrong, f"{len(wrong)} of {len(outcomes)} calls got the wrong status: {wrong[:5]}"
        assert len(outcomes) >= 200, "the load test did too few calls to mean anything"
        assert {kind for kind, _, _ in outcomes} == set(EXPECTED)
        assert health_replies and set(health_replies) == {health_pb2.HealthCheckResponse.SERVING}
        assert server.process.poll() is None
        assert not server.events("worker died; restarting")
        assert server.stop() == 0
