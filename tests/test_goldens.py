"""Golden files per format: input → expected model (YAML) → expected canonical output.

Every folder of tests/goldens/ named after a registered format is swept; see its README."""
from __future__ import annotations

from pathlib import Path

import pytest

from converters import read_with_diagnostics, write_with_diagnostics
from converters.registry import get_format

GOLDENS = Path(__file__).parent / "goldens"
DERIVED = (".model.yaml", ".diagnostics.txt")


def golden_inputs():
    for folder in sorted(p for p in GOLDENS.iterdir() if p.is_dir() and p.name != "rich"):
        fmt = get_format(folder.name)
        for path in sorted(folder.iterdir()):
            if path.suffix in fmt.extensions and ".out" not in path.suffixes and not path.name.endswith(DERIVED):
                yield pytest.param(fmt, path, id=f"{fmt.name}/{path.name}")


def check(path: Path, actual: str, update: bool) -> None:
    if update:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run pytest --update-goldens and review it"
    assert actual == path.read_text(encoding="utf-8"), f"{path} differs (review, then --update-goldens)"


@pytest.mark.parametrize("fmt,path", list(golden_inputs()))
def test_golden(fmt, path, update_goldens):
    stem = path.name[: -len(path.suffix)]
    result = read_with_diagnostics(path.read_bytes(), fmt.name)
    model_yaml, _ = write_with_diagnostics(result.diagram, "yaml")
    output, written = write_with_diagnostics(result.diagram, fmt)
    diagnostics = "".join(d.format(path.name) + "\n" for d in result.diagnostics + written)
    check(path.with_name(f"{stem}.model.yaml"), model_yaml, update_goldens)
    check(path.with_name(f"{stem}.out{path.suffix}"), output, update_goldens)
    check(path.with_name(f"{stem}.diagnostics.txt"), diagnostics, update_goldens)
    # The canonical output is a fixed point: reading and writing it again changes nothing.
    again, _ = write_with_diagnostics(read_with_diagnostics(output, fmt.name).diagram, fmt)
    assert again == output
