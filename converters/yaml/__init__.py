"""YAML: the model itself, written out — the lossless exchange format for scripts and services.
Its JSON Schema ships beside this file (``schema.json``)."""
import re
from importlib import resources

from ..formats import Format
from .reader import read
from .writer import write

_VERSION_LINE = re.compile(r"^flowzap_model[ \t]*:", re.MULTILINE)


def sniff(text: str) -> bool:
    return bool(_VERSION_LINE.search(text[:4096]))


def json_schema_text() -> str:
    return resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8")


FORMAT = Format(
    name="yaml",
    title="YAML (the model)",
    extensions=(".yaml", ".yml"),
    reader=read,
    writer=write,
    sniff=sniff,
    aliases=("yml",),
    media_type="application/yaml",
    description="the shared model written out, lossless, versioned; JSON Schema in the package",
)

__all__ = ["FORMAT", "json_schema_text", "read", "write"]
