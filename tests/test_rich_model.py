"""The one rich model, written by every writer with every option value.

Each writer must produce output for every feature of the model, and report every element it
cannot carry as a loss diagnostic naming that element; formats that can also be read must read
their own output back. The outputs are golden files (``--update-goldens`` rewrites them)."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from converters import read, read_with_diagnostics, write_with_diagnostics
from converters.diagnostics import CODES, Severity
from converters.registry import all_formats

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "goldens" / "rich"


def rich_model():
    return read((DATA / "rich_model.yaml").read_text(encoding="utf-8"), "yaml")


def writer_cases():
    for fmt in all_formats():
        if not fmt.can_write:
            continue
        choices = [[(o.name, c) for c in o.choices] for o in fmt.options if o.choices]
        for combo in itertools.product(*choices) if choices else [()]:
            yield pytest.param(fmt, dict(combo), id="-".join([fmt.name, *(f"{k}={v}" for k, v in combo)]))


@pytest.mark.parametrize("fmt,options", list(writer_cases()))
def test_every_writer_writes_the_rich_model(fmt, options, update_goldens):
    content, diagnostics = write_with_diagnostics(rich_model(), fmt, options)
    assert content.strip()
    for diagnostic in diagnostics:
        assert diagnostic.code in CODES and diagnostic.severity is not Severity.ERROR
        assert diagnostic.is_loss, f"a writer diagnostic that is not a loss: {diagnostic}"
    suffix = "".join(f"-{k}={v}" for k, v in sorted(options.items()))
    golden = GOLDEN / f"{fmt.name}{suffix}{fmt.extensions[0]}"
    losses = GOLDEN / f"{fmt.name}{suffix}.losses.txt"
    loss_text = "".join(d.format("rich_model") + "\n" for d in diagnostics)
    if update_goldens:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(content, encoding="utf-8")
        losses.write_text(loss_text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}: run pytest --update-goldens and review it"
    assert content == golden.read_text(encoding="utf-8")
    assert loss_text == losses.read_text(encoding="utf-8")
    # a sequence view reads back as one step per message, not as the flowchart it showed
    if fmt.can_read and options.get("diagram") != "sequence":
        back = read_with_diagnostics(content, fmt.name)
        assert len(back.diagram.nodes) == len(rich_model().nodes)
        assert len(back.diagram.edges) == len(rich_model().edges)


def test_yaml_carries_everything_and_flowzap_reports_what_it_cannot():
    model = rich_model()
    content, losses = write_with_diagnostics(model, "yaml")
    assert losses == [] and read(content, "yaml") == model
    _, losses = write_with_diagnostics(model, "flowzap")
    by_code = {}
    for d in losses:
        by_code.setdefault(d.code, set()).add(d.element)
    assert by_code["DROPPED_GROUP"] == {"fulfil", "inner", "artefacts"}
    assert by_code["DROPPED_EDGE_STYLE"] == {"check->wait", "par->notify", "invoice->end", "note->invoice"}
    assert by_code["CHANGED_KIND"] == {"par", "notify", "invoice", "note"}
    assert by_code["RENAMED_ID"] == {"Shop Backend"}
    assert "DROPPED_TITLE" in by_code and "DROPPED_DIRECTION" in by_code
    assert {"wait", "Shop Backend", None} <= by_code["DROPPED_ATTRIBUTE"]
