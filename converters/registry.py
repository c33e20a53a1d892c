"""The formats this library reads and writes: an explicit list, in the order they are shown.

A new format is one package with a ``FORMAT`` and one line here; the API, the CLI and the gRPC
service all read this list, so nothing else changes.
"""
from __future__ import annotations

import difflib
import os

from .errors import OptionError, UnknownFormatError
from .formats import Format

from . import bpmn as _bpmn
from . import flowzap as _flowzap
from . import mermaid as _mermaid
from . import plantuml as _plantuml
from . import yaml as _yaml

FORMATS: list[Format] = [
    _flowzap.FORMAT,
    _yaml.FORMAT,
    _bpmn.FORMAT,
    _mermaid.FORMAT,
    _plantuml.FORMAT,
]


def all_formats() -> list[Format]:
    return list(FORMATS)


def _names() -> dict[str, Format]:
    names: dict[str, Format] = {}
    for fmt in FORMATS:
        names[fmt.name] = fmt
        for alias in fmt.aliases:
            names[alias] = fmt
    return names


def closest_format(name: str) -> str | None:
    matches = difflib.get_close_matches(name.lower(), list(_names()), n=1, cutoff=0.5)
    if matches:
        return _names()[matches[0]].name
    for fmt in FORMATS:  # a prefix ("merm") or an extension given as a name ("fz", ".mmd")
        if fmt.name.startswith(name.lower()) or f".{name.lower().lstrip('.')}" in fmt.extensions:
            return fmt.name
    return None


def get_format(name: str) -> Format:
    """The format called ``name`` (case-insensitive; aliases and extensions accepted)."""
    key = name.strip().lower()
    found = _names().get(key) or _by_extension(key if key.startswith(".") else f".{key}")
    if found is None:
        suggestion = closest_format(key)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        known = ", ".join(f.name for f in FORMATS)
        raise UnknownFormatError(f"unknown format {name!r}{hint} (known: {known})", suggestion)
    return found


def _by_extension(extension: str) -> Format | None:
    for fmt in FORMATS:
        if extension in fmt.extensions:
            return fmt
    return None


def format_for_filename(filename: str) -> Format | None:
    _, extension = os.path.splitext(filename.lower())
    return _by_extension(extension) if extension else None


def sniff_format(text: str) -> Format | None:
    # Formats with a strict signature (a keyword on the first line) are tried first, so that a
    # looser sniffer cannot claim their text (a Mermaid ``A{Decision}`` looks like a FlowZap lane).
    for fmt in sorted(FORMATS, key=lambda f: f.sniff_priority):
        if fmt.sniff is not None and fmt.reader is not None and fmt.sniff(text):
            return fmt
    return None


def detect_format(text: str, name: str | None = None, filename: str | None = None) -> Format:
    """The source format: from its name, else from the file's extension, else from the content."""
    if name:
        return get_format(name)
    if filename:
        fmt = format_for_filename(filename)
        if fmt is not None:
            return fmt
    fmt = sniff_format(text)
    if fmt is None:
        readable = ", ".join(f.name for f in FORMATS if f.can_read)
        raise UnknownFormatError(f"cannot tell the source format from the content; name it (one of: {readable})")
    return fmt


def resolve_options(fmt: Format, options: dict[str, str] | None) -> dict[str, str]:
    """Checks options against the writer's declared options and fills in the defaults."""
    declared = {option.name: option for option in fmt.options}
    resolved = {option.name: option.default for option in fmt.options}
    for key, value in (options or {}).items():
        option = declared.get(key)
        if option is None:
            close = difflib.get_close_matches(key, list(declared), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            known = ", ".join(declared) or "none"
            raise OptionError(f"the {fmt.name} writer has no option {key!r}{hint} (options: {known})")
        value = str(value)
        if option.choices is not None and value not in option.choices:
            raise OptionError(
                f"option {key}={value!r} for {fmt.name}: allowed values are {', '.join(option.choices)}"
            )
        resolved[key] = value
    return resolved
