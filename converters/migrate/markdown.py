"""Diagrams inside Markdown pages: fenced blocks found with a real CommonMark tokenizer
(markdown-it-py), converted inside a copy of the page in which every other byte is unchanged
(front matter, other code blocks, indentation, CRLF line ends, ``~~~`` and longer fences).

A block is rewritten only when the page's own lines can be rebuilt from the tokenizer's view of
it (one prefix shared by the fence lines: indentation or ``> ``); any other block is left as it
is and reported, so that nothing is ever changed by a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from markdown_it import MarkdownIt

from .. import registry
from ..diagnostics import Diagnostic, Severity
from ..errors import FlowzapError, UnknownFormatError
from . import one

# Fence languages that name a diagram format: the value goes through the registry, so a format
# added later (plantuml) is picked up by name; until then its blocks are skipped and reported.
FENCE_FORMATS = {
    "mermaid": "mermaid", "mmd": "mermaid",
    "plantuml": "plantuml", "puml": "plantuml",
    "flowzap": "flowzap", "fz": "flowzap",
    "bpmn": "bpmn", "bpmn2": "bpmn",
}
# Fences that may hold a diagram whose format only the content tells.
SNIFFED_LANGUAGES = frozenset({"", "text", "txt", "plain", "plaintext", "xml", "yaml", "yml", "diagram"})
# The fence language written for a converted block.
TARGET_LANGUAGES = {"flowzap": "flowzap", "mermaid": "mermaid", "bpmn": "bpmn", "yaml": "yaml", "plantuml": "plantuml"}

_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line ends CommonMark knows (not str.splitlines')
_TOKENIZER = MarkdownIt("commonmark")


@dataclass(slots=True)
class Line:
    body: str
    end: str  # "\n", "\r\n", "\r" or "" (the last line without one)


@dataclass(slots=True)
class Fence:
    first: int  # 0-based index of the opening line
    last: int  # 0-based index of the closing line (== first when the fence is never closed)
    markup: str  # ``` or ~~~~ …
    info: str
    content: str  # as the tokenizer sees it: prefixes and the fence's indentation removed

    @property
    def language(self) -> str:
        word = self.info.split(maxsplit=1)[0] if self.info.strip() else ""
        return word.strip("{}").lower()


def split_lines(text: str) -> list[Line]:
    lines, start = [], 0
    for match in _NEWLINE.finditer(text):
        lines.append(Line(text[start:match.start()], match.group()))
        start = match.end()
    if start < len(text):
        lines.append(Line(text[start:], ""))
    return lines


def front_matter_lines(lines: list[Line]) -> int:
    """Lines taken by a YAML front matter block (``---`` … ``---``/``...``) at the top, else 0."""
    if not lines or lines[0].body.rstrip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].body.rstrip() in ("---", "..."):
            return index + 1
    return 0


def find_fences(text: str, lines: list[Line] | None = None) -> list[Fence]:
    """Every fenced code block outside the front matter, in page order."""
    lines = lines if lines is not None else split_lines(text)
    skip = front_matter_lines(lines)
    if skip:  # blanked, not removed: the tokenizer's line numbers stay the page's
        text = "\n" * skip + "".join(line.body + line.end for line in lines[skip:])
    fences = []
    for token in _TOKENIZER.parse(text):
        if token.type == "fence" and token.map:
            first, end = token.map
            fences.append(Fence(first, max(first, end - 1), token.markup, token.info, token.content))
    return fences


def _run_of(char: str, text: str, start: int) -> int:
    end = start
    while end < len(text) and text[end] == char:
        end += 1
    return end - start


class Rewriter:
    """Where a fence's lines are and how to write new ones the same way."""

    def __init__(self, lines: list[Line], fence: Fence) -> None:
        self.lines = lines
        self.fence = fence
        opening = lines[fence.first].body
        self.open_at = opening.find(fence.markup)
        self.close_at = -1
        self.prefix = ""
        if fence.last > fence.first:
            closing = lines[fence.last].body
            at = closing.find(fence.markup[0])
            if at >= 0 and _run_of(fence.markup[0], closing, at) >= len(fence.markup) \
                    and not closing[at:].strip(fence.markup[0]).strip():
                self.close_at, self.prefix = at, closing[:at]

    def problem(self) -> str | None:
        """Why this block cannot be rewritten in place (None: it can)."""
        if self.open_at < 0 or self.close_at < 0:
            return "the fence is not closed"
        body = self.fence.content.split("\n")[:-1] if self.fence.content else []
        page = self.lines[self.fence.first + 1:self.fence.last]
        if len(body) != len(page):
            return "its lines do not match the page's"
        for seen, line in zip(body, page):
            if line.body != self.prefix + seen and not (not seen.strip() and line.body.strip() in ("", self.prefix.strip())):
                return "its lines do not share one prefix"
        return None

    def rewritten(self, content: str, language: str) -> list[Line]:
        """The fence's new lines (opening, content, closing) holding ``content``."""
        end = self.lines[self.fence.first].end or "\n"
        prefix, markup = self.prefix, self.fence.markup
        body = content.split("\n")
        if body and body[-1] == "":
            body.pop()
        # A content line that would close the fence early: make the fence longer.
        while any(line.lstrip(" ").startswith(markup[0] * len(markup)) for line in body):
            markup += markup[0]
        opening = self.lines[self.fence.first].body
        after = opening[self.open_at + len(self.fence.markup):]
        lead = len(after) - len(after.lstrip())
        word_end = lead + (len(after[lead:].split(maxsplit=1)[0]) if after[lead:].strip() else 0)
        word = after[lead:word_end]
        new_word = "{" + language + "}" if word.startswith("{") and word.endswith("}") else language
        new_opening = opening[:self.open_at] + markup + after[:lead] + new_word + after[word_end:]
        closing = self.lines[self.fence.last]
        new_closing = closing.body[:self.close_at] + markup + closing.body[
            self.close_at + _run_of(self.fence.markup[0], closing.body, self.close_at):]
        lines = [Line(new_opening, self.lines[self.fence.first].end)]
        lines += [Line(prefix + line if line else prefix.rstrip(), end) for line in body]
        lines.append(Line(new_closing, closing.end))
        return lines


def _block_format(fence: Fence) -> tuple[str | None, bool]:
    """(format name, named by the fence?) — None: not a diagram block."""
    language = fence.language
    if language in FENCE_FORMATS:
        return FENCE_FORMATS[language], True
    if language in SNIFFED_LANGUAGES:
        sniffed = registry.sniff_format(fence.content)
        return (sniffed.name if sniffed else None), False
    return None, False


def _moved(diagnostics: list[Diagnostic], fence: Fence, column_shift: int) -> list[Diagnostic]:
    """A block's diagnostics at their place in the page, each naming the block."""
    where = f"{fence.language or 'unnamed'} block at line {fence.first + 1}: "
    return [replace(d, line=fence.first + 1 + d.line if d.line is not None else fence.first + 1,
                    column=d.column + column_shift if d.column is not None and d.line is not None else d.column,
                    message=where + d.message) for d in diagnostics]


def convert_page(
    data: bytes,
    *,
    name: str,
    target_format: str,
    options: dict[str, str] | None,
    loss_policy: str,
    converter: one.Converter,
) -> one.Outcome:
    """The page with its diagram blocks converted (``status == "other"``: no diagram block)."""
    outcome = one.Outcome(name, target_format=target_format, source_format="markdown")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        outcome.status, outcome.exit_code = "failed", one.EXIT_REJECTED
        outcome.diagnostics = [one.diagnostic("INVALID_ENCODING", f"byte at offset {error.start} is not valid UTF-8")]
        outcome.message = "rejected: the page is not UTF-8 text"
        return outcome
    target = registry.get_format(target_format)
    lines = split_lines(text)
    blocks: list[one.BlockOutcome] = []
    replacements: dict[int, tuple[int, list[Line]]] = {}
    for fence in find_fences(text, lines):
        fmt_name, named = _block_format(fence)
        if fmt_name is None:
            continue
        block = one.BlockOutcome(fence.first + 1, fence.language, "skipped", fmt_name)
        blocks.append(block)
        rewriter = Rewriter(lines, fence)
        at_line = fence.first + 1
        try:
            fmt = registry.get_format(fmt_name)
        except UnknownFormatError:
            fmt = None
        if fmt is None or not fmt.can_read:
            block.diagnostics = [one.diagnostic("NO_READER", f"{fence.language} block at line {at_line}: "
                                                             f"no reader for {fmt_name}; left unchanged", at_line)]
            continue
        if fmt.name == target.name:
            block.status = "unchanged"
            continue
        problem = rewriter.problem()
        if problem:
            block.diagnostics = [one.diagnostic("BLOCK_NOT_REWRITABLE", f"{fence.language or 'unnamed'} block at "
                                                f"line {at_line}: {problem}; left unchanged", at_line)]
            continue
        try:
            result = converter(fence.content, target_format=target.name, source_format=fmt.name, options=options,
                               loss_policy=loss_policy, filename=None)
        except FlowzapError as error:
            moved = _moved(error.diagnostics, fence, len(rewriter.prefix))
            if named:
                failed = one.failure(one.Outcome(name), error, target.name)
                block.status, block.diagnostics = "failed", moved
                if not moved:  # an error without diagnostics (internal, transport): its message
                    block.diagnostics = [Diagnostic(error.code, Severity.ERROR, f"{fence.language} block at "
                                                    f"line {at_line}: {failed.message}", at_line)]
                outcome.exit_code = max(outcome.exit_code, failed.exit_code)
            else:
                first = next((d for d in moved if d.severity is Severity.ERROR), None)
                why = f" ({first.message})" if first else ""
                block.diagnostics = [one.diagnostic("UNCONVERTED_BLOCK", f"block at line {at_line} looks like "
                                                    f"{fmt.name} but does not read{why}; left unchanged", at_line)]
            continue
        block.diagnostics = _moved(result.diagnostics, fence, len(rewriter.prefix))
        block.status = one.status_of(block.diagnostics)
        replacements[fence.first] = (fence.last, rewriter.rewritten(result.content, TARGET_LANGUAGES.get(
            target.name, target.name)))
    if not blocks:
        outcome.status = "other"
        return outcome
    outcome.blocks = blocks
    outcome.diagnostics = [d for block in blocks for d in block.diagnostics]
    outcome.content = _assemble(lines, replacements)
    statuses = {block.status for block in blocks}
    failed = sum(1 for block in blocks if block.status == "failed")
    if failed:
        outcome.status, outcome.message = "failed", f"{failed} of {len(blocks)} diagram blocks not converted"
    elif statuses == {"unchanged"}:
        outcome.status = "unchanged"
    elif "warnings" in statuses or "skipped" in statuses:
        outcome.status = "warnings" if statuses & {"converted", "warnings"} else "skipped"
    else:
        outcome.status = "converted"
    return outcome


def _assemble(lines: list[Line], replacements: dict[int, tuple[int, list[Line]]]) -> str:
    parts, index = [], 0
    while index < len(lines):
        if index in replacements:
            last, new_lines = replacements[index]
            parts.extend(line.body + line.end for line in new_lines)
            index = last + 1
        else:
            parts.append(lines[index].body + lines[index].end)
            index += 1
    return "".join(parts)
