"""YAML: lossless, versioned, schema-checked; bad documents are errors at their line and column."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from converters import InputError, read, read_with_diagnostics, write
from converters.yaml import json_schema_text

DATA = Path(__file__).parent / "data"


def errors_of(text: str):
    with pytest.raises(InputError) as caught:
        read_with_diagnostics(text, "yaml")
    return [(d.code, d.line, d.column) for d in caught.value.errors]


def test_rich_model_round_trips_exactly():
    model = read((DATA / "rich_model.yaml").read_text(), "yaml")
    assert read(write(model, "yaml"), "yaml") == model


@pytest.mark.parametrize("path", sorted((DATA / "flowzap").glob("[01]*.fz")), ids=lambda p: p.name)
def test_written_yaml_validates_against_the_shipped_json_schema(path):
    schema = json.loads(json_schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    document = yaml.safe_load(write(read(path.read_text(), "flowzap"), "yaml"))
    jsonschema.validate(document, schema)


def test_schema_rejects_what_the_reader_rejects():
    schema = json.loads(json_schema_text())
    bad = {"flowzap_model": 1, "lanes": [{"id": "A", "colour": "red"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    assert errors_of("flowzap_model: 1\nlanes:\n- id: A\n  colour: red\n") == [("UNKNOWN_FIELD", 4, 3)]


CASES = [
    ("DUPLICATE_KEY", "flowzap_model: 1\ntitle: a\ntitle: b\n", 3, 1),
    ("DUPLICATE_KEY", "flowzap_model: 1\nlanes:\n- id: A\n  attributes: {k: 1, k: 2}\n", 4, 22),
    ("UNKNOWN_FIELD", "flowzap_model: 1\nnodez: []\n", 2, 1),
    ("MISSING_FIELD", "flowzap_model: 1\nlanes:\n- id: A\nnodes:\n- id: n1\n", 5, 3),
    ("INVALID_VALUE", "flowzap_model: 1\ndirection: UP\n", 2, 12),
    ("INVALID_VALUE", "flowzap_model: 1\nlanes:\n- id: [A]\n", 3, 7),
    ("INVALID_VALUE", "flowzap_model: 1\nlanes: {}\n", 2, 8),
    ("INVALID_VALUE", "flowzap_model: 1\nlanes:\n- id: A\nnodes:\n- {id: n1, lane: A, kind: blob}\n", 5, 27),
    ("DANGLING_REFERENCE", "flowzap_model: 1\nlanes:\n- id: A\nnodes:\n- {id: n1, lane: A}\nedges:\n- {source: n1, target: n2}\n", 7, 3),
    ("DANGLING_REFERENCE", "flowzap_model: 1\nlanes:\n- id: A\nnodes:\n- {id: n1, lane: B}\n", 5, 3),
    ("DUPLICATE_ID", "flowzap_model: 1\nlanes:\n- id: A\n- id: A\n", 4, 3),
    ("UNSUPPORTED_VERSION", "flowzap_model: 2\n", 1, 16),
    ("SYNTAX_ERROR", "flowzap_model: 1\nlanes: [\n", 3, 1),
    ("MISSING_FIELD", "title: x\n", 1, 1),
    ("EMPTY_DIAGRAM", "", 1, 1),
]


@pytest.mark.parametrize("code,text,line,column", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_yaml_error_has_its_line_and_column(code, text, line, column):
    assert (code, line, column) in errors_of(text)


def test_every_error_in_one_pass():
    text = "flowzap_model: 1\ntitle: a\ntitle: b\nbogus: 1\nlanes:\n- id: A\n  label: [x]\n"
    assert [c for c, _, _ in errors_of(text)] == ["DUPLICATE_KEY", "UNKNOWN_FIELD", "INVALID_VALUE"]


def test_unsafe_tags_are_never_constructed():
    text = "flowzap_model: 1\ntitle: !!python/object/apply:os.system ['echo pwned']\n"
    assert errors_of(text)[0][0] == "INVALID_VALUE"


def test_numbers_used_as_ids_are_kept_as_written():
    model = read("flowzap_model: 1\nlanes:\n- id: A\nnodes:\n- {id: 007, lane: A}\n", "yaml")
    assert model.nodes[0].id == "007"


@pytest.mark.parametrize("text,where", [
    ('flowzap_model: 1\ntitle: "a\u2028\u2028b"\nlanes:\n- id: a\n  bogus: 1\n', (5, 3)),
    ("flowzap_model: 1\ntitle: a\u2028\u2028\u2028\u2028b\nlanes: [\n", (3, 1)),
])
def test_errors_are_placed_by_the_texts_own_lines(text, where):
    """Found by scripts/fuzz_campaign.py (the same slip as Mermaid's front matter): YAML counts U+2028
    and U+2029 as line breaks, so errors after them were placed lines too far, past the text's end."""
    with pytest.raises(InputError) as caught:
        read_with_diagnostics(text, "yaml")
    assert (caught.value.errors[0].line, caught.value.errors[0].column) == where
