"""Formats are plugins: a separate package adds one through the ``flowzap_converter.formats``
entry-point group, and the library, the CLI and the gRPC service serve it with no change to them.

The registry's checks run in process; the end-to-end test installs this project and the example
plugin (tests/plugins/flowzap-outline) into a fresh virtual environment, as a user would, starts
the server from there and converts through the plugin over a real socket.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import grpc
import pytest

from converters import registry
from converters.formats import Format
from server.gen.flowzap.converter.v1 import converter_service_pb2 as api
from server.gen.flowzap.converter.v1 import converter_service_pb2_grpc as api_grpc
from server.testing import ServerProcess

from .conftest import ROOT

PLUGIN = ROOT / "tests" / "plugins" / "flowzap-outline"
REFERENCE = (ROOT / "tests" / "corpus" / "flowzap" / "00_seed_auth_flow.fz").read_text()


def test_builtin_formats_load_through_the_plugin_loader():
    formats, problems = registry.load_formats()
    assert [f.name for f in formats][:4] == ["flowzap", "yaml", "bpmn", "mermaid"]
    assert all(f.origin == "builtin" for f in formats if f.name in dict(registry.BUILTIN))
    assert problems == []


def test_a_plugin_is_checked_before_it_is_registered():
    taken = {"mermaid": "mermaid", ".mmd": "mermaid"}
    good = Format(name="outline", title="Outline", extensions=(".outline",), writer=lambda d, o: ("", []))
    assert registry._check(good, dict(taken)) is None
    assert "not a converters.formats.Format" in registry._check(object(), taken)
    assert "already used by the mermaid format" in registry._check(
        Format(name="mmd2", title="x", extensions=(".mmd",), writer=lambda d, o: ("", [])), taken)
    assert "neither a reader nor a writer" in registry._check(Format(name="empty", title="x", extensions=()), taken)
    assert "is not lower-case" in registry._check(
        Format(name="Bad Name", title="x", extensions=(), writer=lambda d, o: ("", [])), taken)


def test_a_broken_entry_point_is_reported_and_skipped(monkeypatch):
    class FakeEntryPoint:
        def __init__(self, name, value):
            self.name, self.value = name, value
            self.dist = type("Dist", (), {"name": "someone-elses-plugin"})()

    monkeypatch.setattr(registry.metadata, "entry_points", lambda group: [
        FakeEntryPoint("nothere", "no_such_module_anywhere:FORMAT"),
        FakeEntryPoint("yaml", "converters.yaml:FORMAT"),  # a second claim on a built-in's name
    ])
    formats, problems = registry.load_formats()
    assert [f.name for f in formats] == [f.name for f in registry.FORMATS]
    reasons = {p.entry_point.split(" =")[0]: p.reason for p in problems}
    assert "cannot be imported: ModuleNotFoundError" in reasons["nothere"]
    assert "already used by the yaml format" in reasons["yaml"]
    assert all(p.origin == "someone-elses-plugin" for p in problems)


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory) -> Path:
    """A fresh virtual environment with this project and the example plugin installed."""
    home = tmp_path_factory.mktemp("plugin-venv")
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    quiet = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    for target in (str(ROOT), str(PLUGIN)):
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", target],
                              timeout=900, **quiet)
        assert done.returncode == 0, done.stdout[-3000:]
    return home


@pytest.mark.slow
def test_the_plugin_is_served_by_the_cli_and_over_grpc(plugin_env, tmp_path):
    cli = plugin_env / "bin" / "flowzap-convert"
    env = {**os.environ, "PYTHONPATH": ""}
    listed = subprocess.run([str(cli), "formats", "--json"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=120)
    assert listed.returncode == 0, listed.stderr
    names = [f["name"] for f in json.loads(listed.stdout)]
    assert "outline" in names and names.count("mermaid") == 1  # the impostor was refused
    assert "broken" not in names
    assert "flowzap_outline_missing" in listed.stderr  # the skipped plugin is named, with its reason

    source = tmp_path / "auth.fz"
    source.write_text(REFERENCE)
    converted = subprocess.run([str(cli), "convert", str(source), "--to", "outline"], capture_output=True,
                               text=True, env=env, cwd=tmp_path, timeout=120)
    assert converted.returncode == 0, converted.stderr
    assert converted.stdout.splitlines()[:3] == ["User", "  Start", "  Enter credentials"]

    server = ServerProcess(command=[str(cli), "serve"], env=env, cwd=tmp_path).start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = api_grpc.ConverterServiceStub(channel)
            formats = {f.name: f for f in stub.ListFormats(api.ListFormatsRequest(), timeout=30).formats}
            assert (formats["outline"].can_read, formats["outline"].can_write) == (True, True)
            if "origin" in api.Format.DESCRIPTOR.fields_by_name:
                assert formats["outline"].origin == "flowzap-outline-example"
                assert formats["flowzap"].origin == "builtin"
            response = stub.ConvertDiagram(api.ConvertDiagramRequest(
                source=REFERENCE, target_format="outline", options={"indent": "4"}), timeout=30)
            assert response.content.splitlines()[1] == "    Start"
            back = stub.ConvertDiagram(api.ConvertDiagramRequest(
                source=response.content, source_format="outline", target_format="flowzap"), timeout=30)
            assert back.content.startswith("User { # User\nn1: rectangle label:\"Start\"")
            with pytest.raises(grpc.RpcError) as caught:
                stub.ConvertDiagram(api.ConvertDiagramRequest(source="  orphan step\n", source_format="outline",
                                                              target_format="flowzap"), timeout=30)
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert "a step before any lane" in caught.value.details()
    finally:
        server.stop()
    assert sys.executable  # the test process itself never imported the plugin
    assert "outline" not in [f.name for f in registry.FORMATS]
