"""What a format is, as the registry sees it. Each format package exports one ``FORMAT``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .diagnostics import Diagnostic
from .model import Diagram

# read(text) -> (diagram, diagnostics); raises errors.InputError when the text is rejected.
Reader = Callable[[str], tuple[Diagram, list[Diagnostic]]]
# write(diagram, options) -> (text, diagnostics); options are already validated and defaulted.
Writer = Callable[[Diagram, dict[str, str]], tuple[str, list[Diagnostic]]]


@dataclass(frozen=True, slots=True)
class WriterOption:
    name: str
    default: str
    help: str
    choices: tuple[str, ...] | None = None  # None: any string


@dataclass(frozen=True, slots=True)
class Format:
    name: str  # the stable name used by the API and the CLI ("flowzap", "mermaid", ...)
    title: str  # for people ("FlowZap Code")
    extensions: tuple[str, ...]  # with the dot, the first one preferred for output files
    reader: Reader | None = None
    writer: Writer | None = None
    options: tuple[WriterOption, ...] = ()
    # sniff(text) -> True when the text looks like this format (used when no name or extension).
    sniff: Callable[[str], bool] | None = None
    aliases: tuple[str, ...] = ()
    media_type: str = "text/plain"
    description: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def can_read(self) -> bool:
        return self.reader is not None

    @property
    def can_write(self) -> bool:
        return self.writer is not None
