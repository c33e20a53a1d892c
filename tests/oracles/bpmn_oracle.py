"""The real tools that judge the BPMN the tests write (installed by tests/oracles/bpmn/install.sh).

- ``check_files``: the OMG BPMN 2.0 XSDs (xmlschema; the XSDs ship inside SpiffWorkflow), the
  reference checks no XSD makes, DI for every participant/lane/node/flow, optionally SpiffWorkflow;
  run in-process (validate_bpmn.py imported once: the schema is built once, ~1 s).
- ``moddle``: bpmn-moddle's ``fromXML`` (the parser of bpmn-js and Camunda Modeler), warnings per file.
- ``bpmnlint``: errors per file under the recommended rules.
- ``render``: bpmn-js in headless Debian chromium → PNG.
Each tool is one process for many files, so the whole check stays within seconds.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent / "bpmn"
JS = HERE / "js"
INSTALL = "bash tests/oracles/bpmn/install.sh"


@lru_cache(maxsize=1)
def _validator():
    spec = importlib.util.spec_from_file_location("validate_bpmn", HERE / "validate_bpmn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def python_tools_available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("SpiffWorkflow", "xmlschema"))


def node_tools_available() -> bool:
    return shutil.which("node") is not None and (JS / "node_modules" / "bpmn-moddle").is_dir() \
        and (JS / "node_modules" / ".bin" / "bpmnlint").exists()


def chromium_available() -> bool:
    return node_tools_available() and (JS / "node_modules" / "puppeteer-core").is_dir() and \
        shutil.which(os.environ.get("CHROMIUM", "chromium")) is not None


def check_files(paths, require_di: bool = True, spiff: bool = False) -> dict[str, list[str]]:
    """Errors per file (empty list: valid)."""
    from lxml import etree

    validator = _validator()
    result: dict[str, list[str]] = {}
    for path in map(str, paths):
        try:
            errors = validator.xsd_errors(path, False)
        except Exception as exc:  # not well-formed, for one: the tool's own words
            result[path] = [f"{type(exc).__name__}: {exc}"]
            continue
        ref_errors, _warnings = validator.ref_checks(etree.parse(path), require_di)
        errors += ref_errors
        if spiff:
            errors += validator.spiff_errors(path)
        result[path] = errors
    return result


def spiff(path) -> list[str]:
    """SpiffWorkflow's parser alone (what an engine says), for files the XSD need not judge."""
    return _validator().spiff_errors(str(path))


def moddle(paths) -> dict[str, list[str]]:
    """bpmn-moddle warnings (or the import error) per file."""
    paths = [str(p) for p in paths]
    done = subprocess.run(["node", str(JS / "moddle_check.mjs"), *paths], capture_output=True, text=True,
                          timeout=300)
    result: dict[str, list[str]] = {p: [] for p in paths}
    current = None
    for line in done.stdout.splitlines():
        match = re.match(r"(OK|WARN|ERROR)\s+(.+?): ", line)
        if match:
            current = match.group(2)
            if match.group(1) == "ERROR":
                result.setdefault(current, []).append(line)
        elif line.startswith("   - ") and current is not None:
            result.setdefault(current, []).append(line[5:])
    missing = [p for p in paths if not re.search(re.escape(p) + ":", done.stdout)]
    for path in missing:
        result[path] = [f"not reported by moddle_check: {done.stderr[-300:]}"]
    return result


def bpmnlint(paths) -> dict[str, Counter]:
    """bpmnlint errors per file (by absolute path), counted by rule (warnings are not counted)."""
    paths = [str(Path(p).resolve()) for p in paths]  # bpmnlint prints absolute paths
    done = subprocess.run([str(JS / "node_modules" / ".bin" / "bpmnlint"), *paths], capture_output=True,
                          text=True, cwd=JS, timeout=300)
    result: dict[str, Counter] = defaultdict(Counter)
    for path in paths:
        result[path] = Counter()
    current = None
    for line in (done.stdout + done.stderr).splitlines():
        if line.startswith("/"):
            current = line.strip()
            continue
        match = re.match(r"\s+(\S+)\s+error\s+.*?\s(\S+)\s*$", line)
        if match and current is not None:
            result[current][match.group(2)] += 1
    if done.returncode not in (0, 1):
        raise RuntimeError(f"bpmnlint failed: {done.stderr[-500:]}")
    return result


def render(path, png) -> tuple[bool, str]:
    done = subprocess.run(["node", str(JS / "render_bpmn.mjs"), str(path), str(png)], capture_output=True,
                          text=True, timeout=120)
    return done.returncode == 0, done.stdout + done.stderr
