"""Settings blocks that a PlantUML reader keeps as they are (``plantuml.preamble``): ``skinparam
… {`` … ``}``, ``<style>`` … ``</style>``, ``legend`` … ``endlegend`` (and header, footer, title,
caption). One rule for every reader, the one PlantUML follows and the writer's ``preamble_lines``
assumes: inside a brace block, a line that ends with ``{`` opens a nested one (``skinparam {`` /
``activity {`` / ``}`` / ``}``), and the block ends when its last brace is closed."""
from __future__ import annotations

import re

# a block's closing line (lower case, spaces removed) → the closer it matches
_CLOSERS = {"}": "}", "</style>": "</style>", "endlegend": "legend", "endheader": "header", "endfooter": "footer",
            "endtitle": "title", "endcaption": "caption"}

# The opening line of a multi-line text block, as PlantUML's CommandMultilinesHeader / Footer / Legend /
# Title / Caption match it (lower case, stripped): an alignment may come before header and footer,
# positions after legend, nothing else. ``header Page 1`` or ``legend L`` is a one-line statement.
# Fixed alternatives, no two ways to match one text: linear.
_TEXT_BLOCK = re.compile(r"(?:(?:left|right|center)?[ \t]*(header|footer)|(legend)(?:[ \t]+(?:top|bottom))?"
                         r"(?:[ \t]+(?:left|right|center))?|(title|caption))\Z")


def text_block_word(lower: str) -> str | None:
    """The word of the text block that the stripped, lower-case line ``lower`` opens, or None."""
    match = _TEXT_BLOCK.match(lower)
    return None if match is None else match.group(match.lastindex)


class Block:
    """The lines of one kept block, from its opening line to the line that closes it."""

    __slots__ = ("line", "lines", "closers", "valueless")

    def __init__(self, line, closer: str) -> None:
        self.line = line  # the opening line, for a block never closed
        self.lines = [line.text]
        self.closers = [closer]  # "}", "</style>", or the word of a legend/header/… block
        self.valueless: str | None = None  # the first setting without a value in a skinparam block

    def take(self, text: str) -> bool:
        """Adds a line; True when it closed the block."""
        self.lines.append(text)
        if _CLOSERS.get(text.lower().replace(" ", "")) == self.closers[-1]:
            self.closers.pop()
        elif self.closers[-1] == "}" and text.endswith("{"):
            self.closers.append("}")
        elif self.valueless is None and valueless_setting(text) and self.lines[0][:9].lower() == "skinparam":
            self.valueless = text
        return not self.closers

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def check_skinparam(line, out) -> None:
    """``skinparam x`` with no value (and no ``{``): PlantUML 1.2026.8 refuses the diagram."""
    words = line.text.split(None, 3)
    if words and words[0].lower() == "skinparam" and len(words) < 3 and not line.text.endswith("{"):
        out.add("SYNTAX_ERROR", f"{line.text[:60]!r} has no value: PlantUML refuses a skinparam without one",
                line=line.number, column=line.column)


def valueless_setting(text: str) -> bool:
    """A stripped line inside a skinparam block that is a setting without a value (``ArrowColor``
    alone), which PlantUML refuses; comments and preprocessor lines are no settings. The caller
    has ruled out the lines that open or close a block."""
    return bool(text) and text[0] not in "'!" and len(text.split(None, 1)) < 2


def check_closed_block(block: Block, out) -> None:
    """A skinparam block with a setting that has no value (``ArrowColor`` alone on its line):
    PlantUML 1.2026.8 refuses the diagram, at the block's first line."""
    if block.valueless is not None:
        out.add("SYNTAX_ERROR", f"{block.valueless[:60]!r} in this skinparam block has no value: PlantUML refuses "
                "a setting without one", line=block.line.number, column=block.line.column)


def unclosed_block(block: Block | None, out) -> None:
    """A block still open where the text ends: PlantUML refuses the diagram, at its first line."""
    if block is not None:
        out.add("SYNTAX_ERROR", f"{block.lines[0][:40]!r} is never closed (expected "
                f"{block.closers[-1] if block.closers[-1] in ('}', '</style>') else 'end' + block.closers[-1]})",
                line=block.line.number, column=block.line.column)
