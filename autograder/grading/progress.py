"""How a grading run shows its progress: a bar on a terminal, one line per submission elsewhere.

Each finished submission updates done/total, the rate per hour, the time
left and how many did not get full marks. On a terminal one line is
redrawn in place as a bar; in a log or a pipe each submission gets a line
of its own, which reads well afterwards.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import Callable, TextIO

from autograder.grading.results import GRADED, SubmissionResult

BAR_WIDTH = 24


class Progress:
    """Progress of ``total`` submissions.

    Args:
        total: submissions this run grades.
        report: called with each line instead of printing (tests, the demo).
        stream: where to print when ``report`` is None (default stdout).
    """

    def __init__(self, total: int, report: Callable[[str], None] | None = None, stream: TextIO | None = None) -> None:
        self.total, self.done, self.not_full = total, 0, 0
        self.report = report
        self.stream = stream or sys.stdout
        self.as_bar = report is None and self.stream.isatty()
        self.started = time.perf_counter()

    def finished(self, result: SubmissionResult) -> None:
        """Count one finished submission and show it."""
        self.done += 1
        self.not_full += result.status != GRADED or result.total < result.max_total
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed * 3600 if elapsed else 0.0
        eta = (self.total - self.done) * elapsed / self.done
        outcome = f"{result.total:g}/{result.max_total:g}" if result.status == GRADED else f"{result.status.upper()} ({result.reason})"
        counts = f"{rate:.0f}/hour, ETA {eta:.0f} s, {self.not_full} not full marks"
        if self.as_bar:
            filled = int(BAR_WIDTH * self.done / max(1, self.total))
            line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total} | {counts} | {result.student}: {outcome}"
            width = shutil.get_terminal_size((100, 20)).columns
            self.stream.write("\r" + line[: width - 1].ljust(width - 1))
            self.stream.flush()
            return
        line = f"[{self.done}/{self.total}] {result.student}: {outcome} in {result.seconds:.1f} s | {counts}"
        if self.report is not None:
            self.report(line)
        else:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        """End the bar's line."""
        if self.as_bar and self.done:
            self.stream.write("\n")
            self.stream.flush()
