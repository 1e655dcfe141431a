"""Late work: due dates, submission times, and the penalty the course config chooses.

Lateness is nbgrader's own: an assignment's due date is the gradebook's
``duedate`` (set by ``autograder grade --due``, or from
``GradingSettings.due_dates`` in ``nbgrader_config.py``), a submission's
time is its ``timestamp``, written as nbgrader's ``timestamp.txt`` beside
the submitted notebook, and the penalty is what nbgrader's
``AssignLatePenalties.plugin_class`` returns: nbgrader's
``LateSubmissionPlugin`` (``penalty_method`` ``none``, the default, or
``zero``) or `PercentPerDay` below, configured as any nbgrader plugin::

    c.AssignLatePenalties.plugin_class = "autograder.grading.late.PercentPerDay"
    c.PercentPerDay.percent_per_day = 10

A submission whose LMS only flags it late (Canvas' ``_LATE``) counts as
one second late: every penalty method that charges any lateness charges it.
The penalty is computed from the notebook's whole score, hand grades
included, each time grades are stored (`autograder.grading.output.record`),
feedback is regenerated and grades are exported, so a score raised by hand
grading is penalised by the same rule.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dateutil import parser as date_parser
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.utils import parse_utc
from nbgrader.preprocessors import AssignLatePenalties
from traitlets import Float
from traitlets.config import Config

TIMESTAMP_FILE = "timestamp.txt"
# nbgrader's exchange writes timestamp.txt in this format (Exchange.timestamp_format), in UTC.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
# How late a submission counts when the LMS flags it late without its time.
FLAGGED_SECONDS_LATE = 1.0
SECONDS_PER_DAY = 86400.0


class PercentPerDay(LateSubmissionPlugin):
    """Take ``percent_per_day`` of the score for each day or part of a day late, down to 0."""

    percent_per_day = Float(10.0, help="Percent of the score taken per day (or part of a day) late.").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        """Return the points taken from ``score`` for ``total_seconds_late``."""
        days = math.ceil(total_seconds_late / SECONDS_PER_DAY)
        return min(score, score * days * self.percent_per_day / 100.0) if days > 0 else None


def parse_due(text: str) -> datetime:
    """Read a due date (ISO 8601 or any date ``dateutil`` reads); a time without a zone is UTC.

    Raises:
        ValueError: ``text`` is not a date, in words with an example.

    Example:
        >>> parse_due("2026-12-01 17:00 -05:00").isoformat()
        '2026-12-01T22:00:00+00:00'
    """
    try:
        when = date_parser.parse(text)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"due date must be a date and time like 2026-12-01T17:00-05:00; received: {text!r}") from error
    return as_utc(when)


def as_utc(when: datetime) -> datetime:
    """``when`` in UTC, timezone-aware; a naive time is taken to be UTC already (nbgrader stores them so)."""
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


def seconds_late(submitted_at: datetime | None, due: datetime | None, flagged: bool = False) -> float:
    """How many seconds after ``due`` the submission came; `FLAGGED_SECONDS_LATE` for a flag without a time."""
    if submitted_at is not None and due is not None:
        return max(0.0, (as_utc(submitted_at) - as_utc(due)).total_seconds())
    return FLAGGED_SECONDS_LATE if flagged else 0.0


def timestamp_for(submitted_at: datetime | None, due: datetime | None, flagged: bool) -> datetime | None:
    """The time to record for a submission: its own, else just after ``due`` when the LMS flagged it late."""
    if submitted_at is not None:
        return as_utc(submitted_at)
    if flagged and due is not None:
        return as_utc(due) + timedelta(seconds=FLAGGED_SECONDS_LATE)
    return None


def write_timestamp(folder: Path, when: datetime, overwrite: bool = True) -> Path:
    """Write nbgrader's ``timestamp.txt`` for ``when`` in ``folder``; keep an existing one unless ``overwrite``."""
    path = folder / TIMESTAMP_FILE
    if overwrite or not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(as_utc(when).strftime(TIMESTAMP_FORMAT), encoding="utf-8")
    return path


def read_timestamp(folder: Path) -> datetime | None:
    """The time in ``folder``'s ``timestamp.txt``, read as nbgrader reads it, in UTC; None when missing or unreadable."""
    try:
        text = (folder / TIMESTAMP_FILE).read_text(encoding="utf-8").strip()
        parsed = parse_utc(text) if text else None
    except (OSError, ValueError, OverflowError):  # ValueError: dateutil's ParserError, a bad encoding
        return None
    return as_utc(parsed) if parsed is not None else None


def penalty(config: Config, student: str, score: float, late_s: float) -> float:
    """The points the course's late penalty takes from ``score`` (``late_s`` seconds late), between 0 and ``score``.

    Args:
        config: the course's nbgrader config (`AssignLatePenalties` and its
            plugin are configured there).
        student: the student id (the plugin receives it).
        score: the notebook's score before the penalty, hand grades included.
        late_s: seconds late; 0 takes nothing.
    """
    if late_s <= 0:
        return 0.0
    assigner = AssignLatePenalties(config=config)
    assigner.init_plugin()
    taken = assigner.plugin_inst.late_submission_penalty(student, score, late_s)
    return 0.0 if taken is None else float(min(max(taken, 0.0), score))


def describe(late_s: float, flagged: bool = False) -> str:
    """Lateness in words: ``""`` when on time, ``"late (time unknown)"`` for a bare flag, else ``"2 d 3 h late"``.

    Example:
        >>> describe(2 * 86400 + 3 * 3600 + 5)
        '2 d 3 h late'
    """
    if late_s <= 0:
        return ""
    if flagged and late_s <= FLAGGED_SECONDS_LATE:
        return "late (time unknown)"
    days, rest = divmod(int(late_s), int(SECONDS_PER_DAY))
    hours, rest = divmod(rest, 3600)
    parts = [f"{days} d"] if days else []
    parts += [f"{hours} h"] if hours or not days else []
    if not days and not hours:
        parts = [f"{max(1, rest // 60)} min"]
    return " ".join(parts) + " late"
