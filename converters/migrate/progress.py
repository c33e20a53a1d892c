"""What a person sees while a migration runs: a progress bar on a terminal (rich), a plain line
every few seconds otherwise (a CI log), nothing with ``--quiet``; then the summary."""
from __future__ import annotations

import sys
import time
from collections import Counter
from typing import Self

# Summary groups, in the order they are shown.
GROUPS = {
    "converted": ("converted",),
    "with warnings": ("warnings",),
    "failed": ("failed",),
    "skipped": ("skipped", "unchanged"),
    "not diagrams": ("other", "copied"),
    "unfinished": ("unfinished",),
}


class Counts:
    def __init__(self) -> None:
        self.by_status: Counter = Counter()
        self.resumed = 0
        self.started = time.monotonic()

    def add(self, status: str, resumed: bool) -> None:
        self.by_status[status] += 1
        self.resumed += resumed

    @property
    def done(self) -> int:
        return sum(self.by_status.values())

    @property
    def failed(self) -> int:
        return self.by_status["failed"]

    def summary(self) -> dict:
        data = {group: sum(self.by_status[s] for s in statuses) for group, statuses in GROUPS.items()}
        data.update(copied=self.by_status["copied"], already_in_target=self.by_status["unchanged"],
                    done_by_earlier_run=self.resumed, total=self.done,
                    seconds=round(time.monotonic() - self.started, 3))
        return data

    def summary_line(self, dry_run: bool) -> str:
        data = self.summary()
        parts = [f"{data[group]} {group}" for group in GROUPS if data[group] or group in ("converted", "failed")]
        extra = []
        if data["copied"]:
            extra.append(f"{data['copied']} copied")
        if data["done_by_earlier_run"]:
            extra.append(f"{data['done_by_earlier_run']} done by an earlier run")
        rate = data["total"] / data["seconds"] if data["seconds"] > 0 else 0.0
        head = "dry run (nothing written): " if dry_run else ""
        tail = f" ({', '.join(extra)})" if extra else ""
        return f"{head}{', '.join(parts)}{tail} — {data['total']} files in {data['seconds']:.1f} s ({rate:.0f}/s)"


class Progress:
    """``mode``: "bar" (a terminal), "lines" (periodic plain lines) or "none"."""

    def __init__(self, total: int, counts: Counts, mode: str, interval: float = 5.0) -> None:
        self.total, self.counts, self.mode, self.interval = total, counts, mode, interval
        self.bar = None
        self.task = None
        self.next_line = time.monotonic() + interval

    def __enter__(self) -> Self:
        if self.mode == "bar":
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(TextColumn("migrate"), BarColumn(), MofNCompleteColumn(),
                                    TextColumn("{task.fields[rate]} files/s"), TextColumn("{task.fields[errors]}"),
                                    TimeRemainingColumn(), console=Console(stderr=True), transient=False)
            self.bar.start()
            self.task = self.bar.add_task("migrate", total=self.total, rate="0", errors="no errors")
        return self

    def rate(self) -> float:
        elapsed = time.monotonic() - self.counts.started
        return self.counts.done / elapsed if elapsed > 0 else 0.0

    def advance(self) -> None:
        if self.bar is not None:
            failed = self.counts.failed
            self.bar.update(self.task, completed=self.counts.done, rate=f"{self.rate():.0f}",
                            errors=f"{failed} failed" if failed else "no errors")
        elif self.mode == "lines" and time.monotonic() >= self.next_line:
            self.next_line = time.monotonic() + self.interval
            self.line()

    def line(self) -> None:
        done, rate = self.counts.done, self.rate()
        left = f", about {max(0, self.total - done) / rate:.0f} s left" if rate > 0 else ""
        print(f"migrate: {done}/{self.total} files ({rate:.0f}/s), {self.counts.failed} failed{left}",
              file=sys.stderr, flush=True)

    def print(self, text: str, style: str | None = None) -> None:
        """A line above the bar (an error as it happens); rich leaves colours out under NO_COLOR."""
        if self.bar is not None:
            self.bar.console.print(text, markup=False, highlight=False, style=style)
        else:
            print(text, file=sys.stderr, flush=True)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=self.counts.done)
            self.bar.stop()
