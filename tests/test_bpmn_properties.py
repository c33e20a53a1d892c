"""Writer closure for BPMN, as properties (issue 8): whatever model the writer is given — any text
in any field (control characters, CR/LF, quotes, markup, U+FFFE, very long, empty) — its output is
read back by our own reader, through the library's input checks, without an error, and the model
comes back equal: what XML cannot hold is carried exactly in fz:meta, so nothing needs reporting.

And every corpus file: BPMN → BPMN → BPMN is a fixed point and reads without error.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from converters import read, read_with_diagnostics, write_with_diagnostics
from converters.diagnostics import Severity

from .conftest import CORPUS
from .strategies import any_models

EXAMPLES = int(os.environ.get("BPMN_PROPERTY_EXAMPLES", "500" if os.environ.get("CI") else "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OPTIONS = [{}, {"pools": "per-lane"}, {"structure": "as-is"}]


@SETTINGS
@given(any_models())
@pytest.mark.parametrize("options", OPTIONS, ids=["default", "per-lane", "as-is"])
def test_any_model_written_as_bpmn_reads_back_equal(options, model):
    text, written = write_with_diagnostics(model, "bpmn", options)
    result = read_with_diagnostics(text.encode("utf-8"), "bpmn")  # bytes: the input checks a user's file meets
    assert not [d for d in written + result.diagnostics if d.severity is Severity.ERROR]
    assert result.diagram == model


def test_text_xml_cannot_hold_is_carried_exactly_and_the_rest_stays_readable():
    from converters.model import Diagram, Edge, Lane, Node

    hostile = "a\x00b\x0b\ufffe\uffff\r\n\x85\x9f\t\"'<&>]]>"
    model = Diagram(hostile, lanes=[Lane(hostile, hostile, {hostile: hostile})],
                    nodes=[Node(hostile, hostile, label=hostile, attributes={"description": hostile}),
                           Node("b", hostile, label="")],
                    edges=[Edge(hostile, "b", hostile, id=hostile)])
    text, _ = write_with_diagnostics(model, "bpmn")
    assert "\ufffe" not in text and "\x00" not in text and "\x85" not in text and "\r" not in text
    assert read(text.encode("utf-8"), "bpmn") == model


def _corpus_files():
    for folder in ("bpmn", "bpmn-more/bpmn-js", "bpmn-more/spiffworkflow"):
        yield from sorted((CORPUS / folder).glob("*.bpmn"))


@pytest.mark.slow
def test_every_corpus_file_reaches_a_fixed_point_after_one_round_trip():
    """The first write settles what the source left open (order, layout); from then on BPMN →
    BPMN changes nothing, neither the model nor the text."""
    files = list(_corpus_files())
    if not files:
        pytest.fail("tests/corpus is missing from this checkout")
    bad = []
    for path in files:
        model = read(path.read_bytes(), "bpmn")
        if not model.lanes:
            continue
        once, _ = write_with_diagnostics(model, "bpmn")
        settled = read(once, "bpmn")
        twice, _ = write_with_diagnostics(settled, "bpmn")
        if read(twice, "bpmn") != settled or write_with_diagnostics(read(twice, "bpmn"), "bpmn")[0] != twice:
            bad.append(path.name)
    assert not bad


@pytest.mark.slow
def test_what_the_reader_accepts_every_writer_can_write():
    """No file that ``validate`` accepts while every conversion of it fails: each corpus file the
    reader accepts (those the XSDs reject included) is written by every writer without an error."""
    from converters import FlowzapError
    from converters import write_with_diagnostics as write_any
    from converters.registry import all_formats

    targets = [fmt.name for fmt in all_formats() if fmt.can_write]
    failures = []
    for path in [*_corpus_files(), *sorted((CORPUS / "bpmn-more" / "xsd-invalid").glob("*.bpmn")),
                 *sorted((CORPUS / "bpmn" / "invalid").glob("*.bpmn"))]:
        try:
            model = read(path.read_bytes(), "bpmn")
        except FlowzapError:
            continue
        if not model.lanes:
            continue
        for target in targets:
            try:
                write_any(model, target)
            except FlowzapError as error:
                failures.append(f"{path.name} → {target}: {error}")
    assert not failures
