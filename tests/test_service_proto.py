"""The API definition: the committed generated code matches proto/, the names scripts rely on are
there, and the model's enums and loss policies all have a wire form."""
from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from converters.api import LOSS_POLICIES
from converters.diagnostics import Severity
from converters.model import EdgeStyle, NodeKind, Side
from server import messages
from server.gen.flowzap.converter.v1 import converter_service_pb2 as api
from server.gen.flowzap.converter.v1 import converter_service_pb2_grpc as api_grpc

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "proto"))
import generate  # noqa: E402  (proto/generate.py)

GENERATED = ROOT / "server" / "gen"


def _modules() -> dict[str, object]:
    """Proto file name → the committed ``*_pb2`` module generated from it."""
    found = {}
    for proto in generate.proto_files():
        relative = proto.relative_to(generate.PROTO_ROOT).with_suffix("")
        module = importlib.import_module("server.gen." + ".".join(relative.parts) + "_pb2")
        found[str(proto.relative_to(generate.PROTO_ROOT))] = module
    return found


def _without_json_names(file: descriptor_pb2.FileDescriptorProto) -> descriptor_pb2.FileDescriptorProto:
    """protoc fills ``json_name``; the Python plugin leaves it out of the embedded descriptor."""
    def clear(messages) -> None:
        for message in messages:
            for field in message.field:
                field.ClearField("json_name")
            clear(message.nested_type)

    copy = descriptor_pb2.FileDescriptorProto()
    copy.CopyFrom(file)
    clear(copy.message_type)
    return copy


def test_committed_descriptors_match_the_proto_files():
    """Version-independent: protoc's reading of proto/ equals what the committed code registers."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.pb"
        from grpc_tools import protoc

        sources = [str(p.relative_to(generate.PROTO_ROOT)) for p in generate.proto_files()]
        args = ["protoc", *(f"-I{p}" for p in generate._include_paths()), f"--descriptor_set_out={out}", *sources]
        assert protoc.main(args) == 0
        compiled = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    modules = _modules()
    assert sorted(f.name for f in compiled.file) == sorted(modules)
    for file in compiled.file:
        committed = descriptor_pb2.FileDescriptorProto.FromString(modules[file.name].DESCRIPTOR.serialized_pb)
        assert _without_json_names(committed) == _without_json_names(file), f"server/gen/ is stale for {file.name}: run .venv/bin/python proto/generate.py"


def test_generated_files_are_byte_for_byte_fresh():
    """With the grpcio-tools that generated them, regenerating changes nothing."""
    tools = importlib.metadata.version("grpcio-tools")
    if tools != api_grpc.GRPC_GENERATED_VERSION:
        pytest.skip(f"grpcio-tools {tools} is not {api_grpc.GRPC_GENERATED_VERSION}; the descriptor test covers it")
    result = subprocess.run([sys.executable, str(ROOT / "proto" / "generate.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_generated_imports_are_package_relative():
    """grpcio-tools' absolute ``from flowzap...`` imports would only work with proto/'s output
    root on sys.path; the generator rewrites them so the code imports once installed."""
    for path in GENERATED.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "\nfrom flowzap." not in text and "\nimport flowzap." not in text, path


def test_fixed_names():
    service = api.DESCRIPTOR.services_by_name["ConverterService"]
    assert api.DESCRIPTOR.package == "flowzap.converter.v1"
    assert set(service.methods_by_name) == {"ConvertDiagram", "BatchConvertDiagrams", "ValidateDiagram",
                                            "ListFormats", "ParseDiagram", "WriteDiagram"}
    batch = service.methods_by_name["BatchConvertDiagrams"]
    assert batch.client_streaming and batch.server_streaming
    request = api.ConvertDiagramRequest.DESCRIPTOR.fields_by_name
    assert list(request) == ["source", "source_format", "target_format", "options", "loss_policy"]
    response = api.ConvertDiagramResponse.DESCRIPTOR.fields_by_name
    assert {"content", "source_format", "diagnostics"} <= set(response)
    from server.gen.flowzap.converter.v1 import diagnostic_pb2

    assert list(diagnostic_pb2.Diagnostic.DESCRIPTOR.fields_by_name)[:6] == [
        "code", "severity", "message", "line", "column", "element"]


def test_every_model_enum_value_has_a_wire_value():
    assert set(messages.NODE_KINDS) == set(NodeKind)
    assert set(messages.SIDES) == set(Side)
    assert set(messages.EDGE_STYLES) == set(EdgeStyle)
    assert set(messages.SEVERITIES) == set(Severity)
    # and the other way: no wire value the model would not understand (UNSPECIFIED aside)
    from server.gen.flowzap.converter.v1 import diagram_pb2

    assert len(diagram_pb2.NodeKind.values()) == len(NodeKind) + 1
    assert len(diagram_pb2.Side.values()) == len(Side) + 1
    assert len(diagram_pb2.EdgeStyle.values()) == len(EdgeStyle) + 1


def test_every_loss_policy_has_a_wire_value():
    assert set(messages.LOSS_POLICIES.values()) == set(LOSS_POLICIES)
    assert set(messages.LOSS_POLICIES) == set(api.LossPolicy.values())


def test_declared_runtime_bounds_cover_the_generated_code():
    """pyproject's lower bounds must admit only runtimes the generated code accepts."""
    import re
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    grpcio = next(d for d in deps if re.match(r"grpcio\s*>=", d))
    assert grpcio.split(">=")[1].split(",")[0].strip() == api_grpc.GRPC_GENERATED_VERSION
    protobuf = next(d for d in deps if d.startswith("protobuf"))
    text = (GENERATED / "flowzap" / "converter" / "v1" / "converter_service_pb2.py").read_text()
    major, minor, patch = re.search(r"Domain\.PUBLIC,\s*(\d+),\s*(\d+),\s*(\d+),", text).groups()
    assert f">={major}.{minor}.{patch}" in protobuf


def test_the_wheel_ships_the_proto_files_and_py_typed(tmp_path):
    """A team calling the service from Go, Java or TypeScript generates its client from the
    installed package; type checkers see the packages as typed; the licence is an SPDX string
    (a TOML table makes setuptools warn that builds fail from 2027-02-18)."""
    import subprocess
    import sys
    import zipfile

    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                             "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "License" not in result.stderr and "license" not in result.stderr.lower().replace("licenses", "")
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for proto in sorted((ROOT / "proto").rglob("*.proto")):
        assert f"server/gen/{proto.relative_to(ROOT / 'proto')}" in names
    assert {"converters/py.typed", "server/py.typed"} <= names
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: MIT" in text
