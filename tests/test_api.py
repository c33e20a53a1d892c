"""The Python API: convert / read / write, format detection, options, loss policies."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converters import api
from converters import (
    InputError, LossError, OptionError, UnknownFormatError, convert, detect_format, read, write,
)
from converters.api import read_with_diagnostics, validate
from converters.model import Diagram, Edge, EdgeStyle, Lane, Node, check_diagram
from tests.strategies import hostile_texts

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


# -- limits by default, and text no encoding can carry (issue 11) ---------------------------------

def test_every_limit_is_a_keyword_with_a_default_and_a_clear_refusal():
    big = REFERENCE + "// padding\n" * 3000
    for call in (lambda **k: convert(big, target_format="yaml", **k), lambda **k: validate(big, "flowzap", **k),
                 lambda **k: read(big, "flowzap", **k)):
        with pytest.raises(InputError) as caught:
            call(max_bytes=10_000)
        assert caught.value.code == "INPUT_TOO_LARGE" and "max_bytes" in str(caught.value)
        call()  # the defaults let it through
    with pytest.raises(InputError) as caught:
        convert(REFERENCE, target_format="yaml", max_nodes=18)
    assert caught.value.code == "INPUT_TOO_LARGE" and "max_nodes" in str(caught.value)
    assert convert(REFERENCE, target_format="yaml", max_nodes=None).summary["nodes"] == 19


def test_nesting_depth_limit_counts_groups_in_groups():
    from converters.model import Group, GroupKind
    deep = Diagram(lanes=[Lane("L")], nodes=[Node("a", "L")], groups=[
        Group(f"g{i}", GroupKind.SUBGRAPH, None, ["a"], parent=f"g{i - 1}" if i else None) for i in range(12)])
    text = write(deep, "yaml", max_depth=None)
    with pytest.raises(InputError) as caught:
        convert(text, target_format="yaml", max_depth=10)
    assert caught.value.code == "INPUT_TOO_LARGE" and "max_depth" in str(caught.value)
    assert convert(text, target_format="yaml", max_depth=12).summary["groups"] == 12


def test_diagnostics_per_code_are_capped_with_one_summary():
    text = "// c\n" * 250 + REFERENCE
    result = convert(text, target_format="flowzap", max_diagnostics_per_code=20)
    comments = [d for d in result.diagnostics if d.code == "LINE_COMMENT"]
    assert len(comments) == 21 and comments[-1].message.startswith("230 more LINE_COMMENT diagnostics (lines 21–250)")
    assert len(convert(text, target_format="flowzap", max_diagnostics_per_code=None).diagnostics) == 250


def test_unencodable_text_is_refused_before_any_reader():
    for source, code in (("L { # a\ud800\n}\n", "INVALID_ENCODING"), ("L { # a\uffff\n}\n", "NONCHARACTER"),
                         ("L { # a\ufffe\n}\n", "NONCHARACTER"), ("L { # a\x85\n}\n", "CONTROL_CHARACTER")):
        with pytest.raises(InputError) as caught:
            convert(source, target_format="yaml", source_format="flowzap")
        assert caught.value.code == code and caught.value.errors[0].column == 8


def test_a_model_with_a_lone_surrogate_is_refused_by_every_writer():
    model = Diagram(lanes=[Lane("L")], nodes=[Node("a", "L", label="x\udc00y")])
    for fmt in ("flowzap", "yaml", "mermaid", "bpmn"):
        with pytest.raises(InputError) as caught:
            write(model, fmt)
        assert caught.value.errors[0].element == "a"


def test_repeated_losses_of_one_code_are_grouped_into_one_naming_every_element():
    result = convert(REFERENCE, target_format="mermaid")
    sides = [d for d in result.diagnostics if d.code == "DROPPED_EDGE_SIDES"]
    # One diagnostic per distinct message (here: per pair of sides), naming all its edges.
    assert len(sides) < 22 and sum(len(d.elements) or 1 for d in sides) == 22
    assert all(name in d.message for d in sides for name in d.elements)
    ungrouped = convert(REFERENCE, target_format="mermaid", group_diagnostics=False)
    assert len([d for d in ungrouped.diagnostics if d.code == "DROPPED_EDGE_SIDES"]) == 22


# -- what convert may skip: the FlowZap reader's models are valid as read (api.VALID_AS_READ) ---

_FLOWZAP_LINES = [
    "A { # Lane A", "B {", "A {", "}", "# late", 'n1: circle label:"S"', "n2: rectangle", 'n1: diamond label:"dup"',
    "n3: Taskbox", "n4: hexagon", 'n5: rectangle owner:"me" label:"a\\"b"', "n1.handle(right) -> n2.handle(left)",
    "n2.handle(right) -> B.n3.handle(left)", "A.n2.handle(top) -> n9.handle(left)", "n1 -> n2",
    'n2.handle(bottom) -> n1.handle(top) [label="back", color:"red"]', "loop [again] n1 n2", "loop [] n1 n9 A.n2",
    "loop [x] n1", "n1.handle(rite) -> n2.handle(Left)",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FLOWZAP_LINES) | hostile_texts, max_size=14).map("\n".join))
def test_every_model_the_flowzap_reader_accepts_passes_check_diagram(text):
    assert "flowzap" in api.VALID_AS_READ
    try:
        result = read_with_diagnostics(text, "flowzap")
    except InputError:
        return
    assert check_diagram(result.diagram) == []


def test_convert_still_checks_the_model_of_other_readers(monkeypatch):
    from converters import registry

    yaml = registry.get_format("yaml")
    assert yaml.name not in api.VALID_AS_READ
    invalid = Diagram(lanes=[Lane("L")], nodes=[Node("a", "L"), Node("a", "L")])
    monkeypatch.setattr(api, "_read", lambda *args: api.ReadResult(invalid, "yaml", []))
    with pytest.raises(InputError) as caught:
        convert("anything", target_format="flowzap", source_format="yaml")
    assert caught.value.code == "DUPLICATE_ID"


def test_ascii_characters_are_refused_exactly_as_before():
    """decode's ASCII shortcut refuses the characters its full search refuses, no others."""
    from converters.diagnostics import Diagnostics
    from converters.text import _UNACCEPTABLE, decode

    for code in range(128):
        found = Diagnostics(None)
        decode(f"ab{chr(code)}c", found)
        expected = code not in (0x0D,) and _UNACCEPTABLE.match(chr(code)) is not None
        assert bool(found.items) == expected, hex(code)
