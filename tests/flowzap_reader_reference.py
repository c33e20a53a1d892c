"""The FlowZap reader's line loop as it was before it decoded the canonical lines with one match over
the whole text (2026-11-30, commit 51c889e): every line through ``_Reader.statement`` (the usual
forms by ``_COMMON_LINE``, the rest by the scanner and the statement handlers), one line at a time.
tests/test_flowzap_reader_diff.py compares the reader with it (same model, same lines and columns,
same diagnostics). The handlers themselves are the reader's own: the fast path is what is compared."""
from __future__ import annotations

from converters.diagnostics import Diagnostic
from converters.flowzap import reader
from converters.model import Diagram


class _LineByLineReader(reader._Reader):
    def run(self) -> tuple[Diagram, list[Diagnostic]]:
        for line, source in enumerate(self.text.split("\n"), 1):
            self.statement(source, line)
        if self.lane is not None:
            self.out.add("UNCLOSED_LANE", f"lane {self.lane.id!r} is opened here but never closed with }}",
                         line=self.lane.line, column=self.lane.column, element=self.lane.id)
            self.close_label_window()
        self.resolve()
        return self.diagram, self.out.items


def read(text: str) -> tuple[Diagram, list[Diagnostic]]:
    """``converters.flowzap.reader.read`` with the line loop above."""
    return reader.read_with(_LineByLineReader(text))
