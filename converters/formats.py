"""What a format is, as the registry sees it. Each format package exports one ``FORMAT``."""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable

from .diagnostics import Diagnostic
from .model import Diagram

# read(text) -> (diagram, diagnostics). The one reader contract: a reader never raises for bad
# input; every problem it finds is a Diagnostic (errors with severity ERROR, with line and column),
# all of them in one pass where the format allows. The API raises once (InputError) when any error
# is among them. An exception escaping a reader is a bug and surfaces as InternalError.
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
    # Sniffers run in ascending order: formats with a strict signature (a keyword on the first
    # line) go first, so that a looser sniffer cannot claim their text.
    sniff_priority: int = 100
    # Where the format came from: "builtin" or the distribution that registered it as a plugin.
    origin: str = "builtin"

    @property
    def can_read(self) -> bool:
        return self.reader is not None

    @property
    def can_write(self) -> bool:
        return self.writer is not None
