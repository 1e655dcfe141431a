"""How a grading run shows its progress: a bar on a terminal, one line per submission elsewhere.

Each finished submission updates done/total, the rate per hour, the time
left and how many did not get full marks. On a terminal one line is
redrawn in place as a bar; in a log or a pipe each submission gets a line
of its own, which reads well afterwards. A run waiting on its cluster
(no worker offers a grading slot) says so in the same place. Every line
also goes to the run's log, when one is given.
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
        log: also called with each line (the run's log), bar or not.
    """

    def __init__(self, total: int, report: Callable[[str], None] | None = None, stream: TextIO | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        self.total, self.done, self.not_full = total, 0, 0
        self.report, self.log = report, log
        self.stream = stream or sys.stdout
        self.as_bar = report is None and self.stream.isatty()
        self.started = time.perf_counter()
        self.drawn = False

    def finished(self, result: SubmissionResult) -> None:
        """Count one finished submission and show it."""
        self.done += 1
        self.not_full += result.status != GRADED or result.total < result.max_total
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed * 3600 if elapsed else 0.0
        eta = (self.total - self.done) * elapsed / self.done
        outcome = f"{result.total:g}/{result.max_total:g}" if result.status == GRADED else f"{result.status.upper()} ({result.reason})"
        counts = f"{rate:.0f}/hour, ETA {eta:.0f} s, {self.not_full} not full marks"
        line = f"[{self.done}/{self.total}] {result.student}: {outcome} in {result.seconds:.1f} s | {counts}"
        if self.as_bar:
            self._draw(f"{self._bar()} {self.done}/{self.total} | {counts} | {result.student}: {outcome}", line)
        else:
            self._say(line)

    def waiting(self, message: str) -> None:
        """Show that the run is waiting (on the cluster, say) and why, until the next submission finishes."""
        if self.as_bar:
            self._draw(f"{self._bar()} {self.done}/{self.total} | {message}", message)
        else:
            self._say(message)

    def _bar(self) -> str:
        filled = int(BAR_WIDTH * self.done / max(1, self.total))
        return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}]"

    def _draw(self, bar_line: str, log_line: str) -> None:
        """Log ``log_line``; redraw the bar's line in place."""
        if self.log is not None:
            self.log(log_line)
        width = shutil.get_terminal_size((100, 20)).columns
        self.stream.write("\r" + bar_line[: width - 1].ljust(width - 1))
        self.stream.flush()
        self.drawn = True

    def _say(self, line: str) -> None:
        """Log ``line`` (first: the log is what stays), then report or print it."""
        if self.log is not None:
            self.log(line)
        if self.report is not None:
            self.report(line)
        else:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        """End the bar's line."""
        if self.as_bar and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
