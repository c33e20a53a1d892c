"""The formats this library reads and writes, found the way Pygments and pytest find plugins.

Every format — built-in or from another package — is a ``Format`` object named by an entry point
in the group ``flowzap_converter.formats`` (``name = "package.module:FORMAT"``). The built-in ones
are listed in ``BUILTIN`` below (and, for installed copies, in pyproject.toml's entry points) and
loaded by the same loader as plugins, so both pass the same checks. A plugin that fails to load or
to pass the checks is reported (``load_problems()``, the CLI's ``formats``) and skipped, never
fatal. The API, the CLI and the gRPC service read ``FORMATS`` and nothing else, so a new format
reaches all three with no change to them. Adding a format: docs/architecture.md, "Adding a format".
"""
from __future__ import annotations

import difflib
import importlib
import logging
import os
import re
from dataclasses import dataclass, replace
from importlib import metadata

from .errors import OptionError, UnknownFormatError
from .formats import Format

ENTRY_POINT_GROUP = "flowzap_converter.formats"
# The built-in formats, in the order they are shown: (name, "module:attribute").
BUILTIN: tuple[tuple[str, str], ...] = (
    ("flowzap", "converters.flowzap:FORMAT"),
    ("yaml", "converters.yaml:FORMAT"),
    ("bpmn", "converters.bpmn:FORMAT"),
    ("mermaid", "converters.mermaid:FORMAT"),
    ("plantuml", "converters.plantuml:FORMAT"),
)
_DISTRIBUTION = "flowzap-converter"
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}\Z")
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A format entry point that could not be used, and why."""

    entry_point: str  # "name = module:attribute"
    origin: str  # the distribution that declared it
    reason: str


def _check(fmt: object, taken: dict[str, str]) -> str | None:
    """Why ``fmt`` cannot be registered beside the formats already taken (names, aliases and
    extensions → format name), or None when it can."""
    if not isinstance(fmt, Format):
        return f"is a {type(fmt).__name__}, not a converters.formats.Format"
    if not _NAME.match(fmt.name):
        return f"format name {fmt.name!r} is not lower-case letters, digits, '-' or '_'"
    if fmt.reader is None and fmt.writer is None:
        return "has neither a reader nor a writer"
    for role, function in (("reader", fmt.reader), ("writer", fmt.writer), ("sniff", fmt.sniff)):
        if function is not None and not callable(function):
            return f"its {role} is not callable"
    for key in (fmt.name, *fmt.aliases, *fmt.extensions):
        if key.lower() in taken:
            return f"{key!r} is already used by the {taken[key.lower()]} format"
    if any(not ext.startswith(".") for ext in fmt.extensions):
        return "extensions must start with '.'"
    for option in fmt.options:
        if option.choices is not None and option.default not in option.choices:
            return f"option {option.name!r}: default {option.default!r} is not one of its choices"
    return None


def _load(name: str, target: str, origin: str, taken: dict[str, str], formats: list[Format],
          problems: list[LoadProblem]) -> None:
    label = f"{name} = {target}"
    try:
        module_name, _, attribute = target.partition(":")
        fmt = getattr(importlib.import_module(module_name), attribute or "FORMAT")
    except Exception as exc:  # a broken plugin must not take the converter down
        problems.append(LoadProblem(label, origin, f"cannot be imported: {type(exc).__name__}: {exc}"))
        return
    reason = _check(fmt, taken)
    if reason is None and fmt.name != name:
        reason = f"the entry point is named {name!r} but the format calls itself {fmt.name!r}"
    if reason is not None:
        problems.append(LoadProblem(label, origin, reason))
        return
    if fmt.origin != origin:
        fmt = replace(fmt, origin=origin)
    for key in (fmt.name, *fmt.aliases, *fmt.extensions):
        taken[key.lower()] = fmt.name
    formats.append(fmt)


def load_formats() -> tuple[list[Format], list[LoadProblem]]:
    """The built-in formats, then every plugin's, each checked; what failed, with the reason."""
    formats: list[Format] = []
    problems: list[LoadProblem] = []
    taken: dict[str, str] = {}
    builtin_names = {name for name, _ in BUILTIN}
    for name, target in BUILTIN:
        _load(name, target, "builtin", taken, formats, problems)
    if os.environ.get("FLOWZAP_NO_PLUGINS"):
        return formats, problems
    try:
        entry_points = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value))
    except Exception as exc:  # a broken installation's metadata: keep the built-ins
        problems.append(LoadProblem(ENTRY_POINT_GROUP, "?", f"entry points cannot be listed: {exc}"))
        return formats, problems
    for entry_point in entry_points:
        dist = entry_point.dist.name if entry_point.dist is not None else "?"
        if dist == _DISTRIBUTION and entry_point.name in builtin_names:
            continue  # this package's own entry points name the built-ins, already loaded
        _load(entry_point.name, entry_point.value, dist, taken, formats, problems)
    for problem in problems:
        _log.warning("format plugin %s from %s skipped: %s", problem.entry_point, problem.origin, problem.reason)
    return formats, problems


FORMATS: list[Format]
_PROBLEMS: list[LoadProblem]
FORMATS, _PROBLEMS = load_formats()


def load_problems() -> list[LoadProblem]:
    """Format entry points that were skipped, and why (shown by ``flowzap-convert formats``)."""
    return list(_PROBLEMS)


def all_formats() -> list[Format]:
    return list(FORMATS)


# Every format's names and aliases, made again only when ``FORMATS`` is another list or changed
# length (a test or a plugin host may replace or extend it): each conversion looks up two names.
_name_index: tuple[list[Format], int, dict[str, Format]] | None = None


def _names() -> dict[str, Format]:
    global _name_index
    formats = FORMATS
    index = _name_index
    if index is None or index[0] is not formats or index[1] != len(formats):
        names: dict[str, Format] = {}
        for fmt in formats:
            names[fmt.name] = fmt
            for alias in fmt.aliases:
                names[alias] = fmt
        index = _name_index = (formats, len(formats), names)
    return index[2]


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
