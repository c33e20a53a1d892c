"""The Python API: convert / read / write, format detection, options, loss policies."""
from __future__ import annotations

from pathlib import Path

import pytest

from converters import (
    InputError, LossError, OptionError, UnknownFormatError, convert, detect_format, read, write,
)
from converters.api import validate
from converters.model import Diagram, Edge, EdgeStyle, Lane, Node

REFERENCE = (Path(__file__).parent / "data" / "flowzap" / "00_seed_auth_flow.fz").read_text()


def test_convert_detects_the_source_and_round_trips_the_reference_example():
    result = convert(REFERENCE, target_format="flowzap")
    assert result.source_format == "flowzap" and result.content == REFERENCE
    assert result.diagnostics == [] and result.summary == {"lanes": 3, "nodes": 19, "edges": 22, "groups": 0}


def test_reference_survives_flowzap_yaml_flowzap():
    as_yaml = convert(REFERENCE, target_format="yaml").content
    back = convert(as_yaml, target_format="flowzap")
    assert back.source_format == "yaml" and back.content == REFERENCE


def test_detection_order_name_then_extension_then_content():
    yaml_text = convert(REFERENCE, target_format="yaml").content
    assert detect_format(yaml_text).name == "yaml"
    assert detect_format(REFERENCE).name == "flowzap"
    assert detect_format(REFERENCE, filename="x.FZ").name == "flowzap"
    assert detect_format(REFERENCE, name="FlowZap").name == "flowzap"
    with pytest.raises(UnknownFormatError, match="cannot tell"):
        detect_format("hello world")


def test_unknown_format_suggests_the_closest():
    with pytest.raises(UnknownFormatError) as caught:
        convert(REFERENCE, target_format="flowzpa")
    assert caught.value.suggestion == "flowzap" and "did you mean 'flowzap'" in caught.value.message
    with pytest.raises(UnknownFormatError, match="did you mean 'yaml'"):
        convert(REFERENCE, target_format="yml2")


def test_bad_option_is_an_option_error():
    with pytest.raises(OptionError, match="no option 'colour'"):
        convert(REFERENCE, target_format="flowzap", options={"colour": "red"})
    with pytest.raises(OptionError, match="loss policy"):
        convert(REFERENCE, target_format="flowzap", loss_policy="maybe")


def lossy_model() -> Diagram:
    return Diagram(title="T", lanes=[Lane("A", "A")], nodes=[Node("a", "A"), Node("b", "A")],
                   edges=[Edge("a", "b", style=EdgeStyle.DOTTED)])


def test_loss_policies():
    diagnostics = []
    write(lossy_model(), "flowzap", diagnostics=diagnostics)
    assert {d.code for d in diagnostics} == {"DROPPED_TITLE", "DROPPED_EDGE_STYLE"}
    quiet = []
    write(lossy_model(), "flowzap", loss_policy="ignore", diagnostics=quiet)
    assert quiet == []
    with pytest.raises(LossError) as caught:
        write(lossy_model(), "flowzap", loss_policy="fail")
    assert {d.code for d in caught.value.diagnostics if d.is_loss} == {"DROPPED_TITLE", "DROPPED_EDGE_STYLE"}
    assert "would lose 2" in caught.value.message


def test_writing_an_inconsistent_model_is_an_input_error():
    broken = Diagram(lanes=[Lane("A")], nodes=[Node("a", "A")], edges=[Edge("a", "ghost")])
    with pytest.raises(InputError) as caught:
        write(broken, "yaml")
    assert caught.value.errors[0].code == "DANGLING_REFERENCE"


def test_bytes_input_invalid_utf8_has_a_position():
    data = REFERENCE.encode().replace(b'"Verify password hash"', b'"Verify \xc3 hash"')
    with pytest.raises(InputError) as caught:
        convert(data, target_format="yaml")
    (error,) = caught.value.errors
    assert (error.code, error.line, error.column) == ("INVALID_ENCODING", 18, 30)


def test_max_nodes_limit():
    with pytest.raises(InputError) as caught:
        validate(REFERENCE, "flowzap", max_nodes=10)
    assert caught.value.code == "INPUT_TOO_LARGE"


def test_read_collects_warnings_when_asked():
    warnings = []
    diagram = read("A {\nn1: circle\n}\n", "flowzap", diagnostics=warnings)
    assert diagram.lanes[0].label == "A" and [w.code for w in warnings] == ["MISSING_LANE_LABEL"]


def test_input_error_message_names_the_first_error():
    with pytest.raises(InputError) as caught:
        convert("A { # A\nn1: rect\n}\n", target_format="yaml", source_format="flowzap")
    assert str(caught.value).startswith("invalid flowzap input at line 2, column 5: unknown shape 'rect'")
    assert caught.value.code == "UNKNOWN_SHAPE"
