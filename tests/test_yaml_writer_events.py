"""The YAML writer makes the document's events itself (converters/yaml/writer.py, issue 13) instead
of going through PyYAML's representer: its text must be what ``yaml.dump`` gives for the same data,
byte for byte, for any model — above all for strings that plain YAML would read as something else
(numbers, booleans, nulls, dates, ``~``, ``<<``), which the emitter must quote exactly as before."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converters.model import Diagram, Lane, Node
from converters.yaml import reader
from converters.yaml.writer import _Dumper, to_data, write
from tests.strategies import any_models, hostile_texts

GOLDENS = Path(__file__).parent / "goldens" / "yaml"
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "150" if os.environ.get("CI") else "60"))

# Strings each implicit resolver of YAML 1.1 claims, and near misses of them.
RESOLVABLE = ["", "~", "null", "Null", "NULL", "nul", "yes", "Yes", "YES", "y", "n", "no", "No", "on", "Off", "true",
              "TRUE", "False", "0", "-1", "+1", "0x1F", "0o17", "017", "0b101", "1_000", "190:20:30", "1.5", "-.5",
              ".inf", "-.Inf", ".NaN", "1e5", "6.8523015e+5", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
              "2001-12-14 21:59:43.10 -5", "<<", "=", "!tag", "&anchor", "*alias", "- item", "? key", "a: b", "a #b",
              "@x", "`x", "%x", "|", ">", "'", '"', "#", ",", "[", "{"]


def reference(diagram: Diagram) -> str:
    """What the writer wrote before: PyYAML's own dump of the same data."""
    return yaml.dump(to_data(diagram), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1 << 16)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_models(text=st.sampled_from(RESOLVABLE) | hostile_texts))
def test_events_give_what_pyyaml_dump_gives(model):
    assert write(model, {})[0] == reference(model)


@pytest.mark.parametrize("value", RESOLVABLE)
def test_each_resolvable_string_is_quoted_as_before_and_reads_back(value):
    model = Diagram(lanes=[Lane(id="l", label=value)],
                    nodes=[Node(id="a", lane="l", label=value, attributes={value or "k": value})])
    text = write(model, {})[0]
    assert text == reference(model)
    back, diagnostics = reader.read(text)
    assert back.lanes[0].label == value and back.nodes[0].label == value, (text, diagnostics)


@pytest.mark.parametrize("golden", sorted(GOLDENS.glob("*.yaml")), ids=lambda p: p.name)
def test_goldens_are_written_as_before(golden):
    diagram, _ = reader.read(golden.read_text(encoding="utf-8"))
    assert write(diagram, {})[0] == reference(diagram)
