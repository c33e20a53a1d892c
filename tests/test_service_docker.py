"""The Docker image's install and start steps, run without Docker (no engine here): the
Dockerfile's COPY and install RUN in a fresh build directory and a fresh virtual environment,
then its ENTRYPOINT, HEALTHCHECK and stop signal against the installed package, from a
directory without the sources (so the generated code must import as installed)."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from server.testing import ServerProcess

from .conftest import ROOT

pytestmark = pytest.mark.slow


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def only(name: str) -> list[str]:
    return [rest for keyword, rest in instructions() if keyword == name]


def env_of(values: list[str]) -> dict[str, str]:
    env = {}
    for value in values:
        for key, raw in re.findall(r'(\w+)=("[^"]*"|\S+)', value):
            env[key] = raw.strip('"')
    return env


def test_image_settings():
    assert re.fullmatch(r"python:3\.\d+-slim", only("FROM")[0])
    assert only("USER") == ["flowzap"] and any("useradd" in run for run in only("RUN"))
    assert only("EXPOSE") == ["50051"]
    assert env_of(only("ENV"))["FLOWZAP_ADDRESS"] == "0.0.0.0:50051"
    assert json.loads(only("ENTRYPOINT")[0]) == ["flowzap-convert", "serve"]
    assert "server.healthcheck" in only("HEALTHCHECK")[0]
    ignored = (ROOT / ".dockerignore").read_text()
    copied = {part for copy in only("COPY") for part in copy.split()[:-1]}
    assert copied == {"pyproject.toml", "README.md", "converters", "server"}
    assert all(f"!{path}" in ignored for path in copied)


def test_install_and_start_steps_in_a_fresh_virtual_environment(tmp_path):
    build, home = tmp_path / "src", tmp_path / "home"
    build.mkdir()
    home.mkdir()
    for copy in only("COPY"):  # COPY src... dest: into the build directory, as docker would
        for source in copy.split()[:-1]:
            path = ROOT / source
            if path.is_dir():
                shutil.copytree(path, build / source, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(path, build / source)
    venv = tmp_path / "venv"
    base_python = Path(getattr(sys, "_base_executable", sys.executable))
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "python").symlink_to(base_python)  # the image's `python`, outside any venv
    env = {**os.environ, **env_of(only("ENV")), "VIRTUAL_ENV": str(venv),
           "PATH": f"{shims}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    install = [run for run in only("RUN") if "pip" in run and "install" in run]
    assert len(install) == 1
    step = install[0].replace("&& rm -rf /src", "")  # the clean-up is the image's business
    result = subprocess.run(["bash", "-euc", step], cwd=build, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]

    run_env = {**env, "PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}"}
    entrypoint = json.loads(only("ENTRYPOINT")[0])
    command = [str(venv / "bin" / entrypoint[0]), *entrypoint[1:]]
    with ServerProcess("--workers", "1", command=command, env=run_env, cwd=home) as server:
        # HEALTHCHECK CMD [...] as docker runs it, with the address the container would have.
        health = json.loads(only("HEALTHCHECK")[0].split("CMD", 1)[1])
        probe = subprocess.run([str(venv / "bin" / health[0]), *health[1:]], cwd=home, capture_output=True,
                               text=True, timeout=60, env={**run_env, "FLOWZAP_ADDRESS": server.address})
        assert probe.returncode == 0, probe.stderr
        assert "SERVING" in probe.stdout
        # The installed server, not the source tree, answered.
        installed = subprocess.run([str(venv / "bin" / "python"), "-c", "import server; print(server.__file__)"],
                                   cwd=home, capture_output=True, text=True, timeout=60, env=run_env)
        assert str(venv) in installed.stdout
        server.signal(getattr(signal, only("STOPSIGNAL")[0]))
        assert server.wait(60) == 0
