"""One graded submission as a result object, and the files made from results.

`SubmissionResult` knows how to write itself as a Gradescope-style
``results.json`` and read itself back (the runner resumes from those
files), and `write_csv` / `summary_table` turn a class's results into the
grades CSV and the table printed at the end of a run.
"""

from __future__ import annotations

import csv
import html
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.grading import late
from autograder.scores import ScoreTotals

GRADED = "graded"
FAILED = "failed"
NOT_GRADED = "not_graded"
# Gradescope shows a test's name, score and output to the student when its
# visibility is "visible"; outputs here are check messages, never test code.
TEST_VISIBILITY = "visible"
# Gradescope renders the top-level output as HTML ("simple_format") unless told
# otherwise; check messages hold "<" and ">" (reprs, shapes), so show it as text.
OUTPUT_FORMAT = "text"


@dataclass
class SubmissionResult(ScoreTotals):
    """What grading one student's notebook produced.

    Attributes:
        student: the student id.
        assignment: the assignment id.
        status: ``graded`` (nbgrader ran; scores are real), ``failed``
            (the notebook could not be graded, through its own fault: not
            a notebook, ran past the time limit; every automatic score is 0)
            or ``not_graded`` (the grader could not grade it: a worker
            without the dataset, a crash of the grader; no grade is
            recorded and the next run grades it again).
        reason: for ``failed`` and ``not_graded``, why, in plain words.
        scores: automatic score per test cell ``grade_id``.
        max_scores: points available per test cell ``grade_id``.
        messages: the first line of each failed test cell's error, by ``grade_id``.
        cell_errors: the first line of errors in the learner's own cells (by
            ``grade_id``) and of the grader's time and kernel errors anywhere.
        manual: ``grade_id`` of written answers waiting for a human grader.
        notebook_sha256: hash of the submitted file (resume regrades a changed file).
        seconds: wall time of the whole grading of this submission.
        timing: seconds of ``autograde`` (the whole nbgrader run), of which
            ``learner_cells`` and ``hidden_tests`` ran cells (the rest is
            nbgrader and kernel start), then ``feedback``.
        backend: the Keras backend it was graded with.
        sandboxed: True when it ran with no network and the course's private files hidden.
        guard_undid: names the tamper guard put back, by ``grade_id``.
        feedback_problem: why nbgrader's feedback page is missing, if it is.
        lms: the LMS the submission was downloaded from (``canvas``,
            ``moodle``, ``gradescope``), or ``""`` for nbgrader's layout and
            plain folders (`autograder.grading.intake.submissions.Identity`).
        lms_user_id: the LMS's id of the student, which grade exports key on.
        lms_name: the student's name as the LMS wrote it.
        lms_email: the student's email, where the LMS gave it.
        lms_submission_id: the LMS's id of the submission (Canvas: of the submitted file), which
            handing feedback back keys on.
        submitted_at: when the student submitted, ISO 8601 with its time
            zone, or ``""`` when the submissions did not say.
        seconds_late: how late past the assignment's due date (0: on time
            or no due date).
        flagged_late: the LMS marked it late without saying when it came
            (Canvas' ``_LATE``); how late is then unknown.
        late_penalty: points the course's late penalty takes (nbgrader's
            ``late_submission_penalty``).
        hand_scores: a human grader's score per written answer graded so far.
        hand_max_scores: points available per written answer.
        manual_changed: hand-graded written answers the student changed
            since they were graded; their grades are kept and flagged for
            review again.
    """

    student: str
    assignment: str
    status: str
    reason: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    max_scores: dict[str, float] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    cell_errors: dict[str, str] = field(default_factory=dict)
    manual: list[str] = field(default_factory=list)
    notebook_sha256: str = ""
    seconds: float = 0.0
    timing: dict[str, float] = field(default_factory=dict)
    backend: str = ""
    sandboxed: bool = False
    guard_undid: dict[str, list[str]] = field(default_factory=dict)
    feedback_problem: str | None = None
    lms: str = ""
    lms_user_id: str = ""
    lms_name: str = ""
    lms_email: str = ""
    lms_submission_id: str = ""
    submitted_at: str = ""
    seconds_late: float = 0.0
    flagged_late: bool = False
    late_penalty: float = 0.0
    hand_scores: dict[str, float] = field(default_factory=dict)
    hand_max_scores: dict[str, float] = field(default_factory=dict)
    manual_changed: list[str] = field(default_factory=list)

    @property
    def late(self) -> bool:
        """Whether the submission came after the due date (or the LMS marked it late)."""
        return self.seconds_late > 0 or self.flagged_late

    def to_gradescope(self) -> dict:
        """Return this result in Gradescope's ``results.json`` shape, with the raw record under ``extra_data``."""
        tests = [
            {
                "name": grade_id,
                "score": self.scores.get(grade_id, 0.0),
                "max_score": points,
                "status": "passed" if self.scores.get(grade_id, 0.0) >= points else "failed",
                "visibility": TEST_VISIBILITY,
                "output": self.messages.get(grade_id, self.reason or "") if self.scores.get(grade_id, 0.0) < points else "",
            }
            for grade_id, points in self.max_scores.items()
        ]
        lines = [self.reason] if self.reason else []
        lines += [f"Error in your cell {cell}: {message}" for cell, message in self.cell_errors.items()]
        if self.manual:
            lines.append(f"{len(self.manual)} written answer(s) will be graded by hand.")
        output = "\n".join(lines)
        return {
            "score": self.total,
            "execution_time": round(self.seconds, 2),
            "output": output,
            "output_format": OUTPUT_FORMAT,
            "tests": tests,
            "extra_data": asdict(self),
        }

    @classmethod
    def from_gradescope(cls, data: dict) -> "SubmissionResult":
        """Read back a result written by `to_gradescope`."""
        return cls(**data["extra_data"])

    @property
    def lost(self) -> dict[str, str]:
        """The test cells that lost points, with the failed check's message (or the reason)."""
        return {
            cell: self.messages.get(cell, self.reason or "failed")
            for cell, points in self.max_scores.items()
            if self.scores.get(cell, 0.0) < points
        }


def unscored(
    student: str, assignment: str, status: str, reason: str, max_scores: dict[str, float], **details
) -> SubmissionResult:
    """A result for a submission that was not run through: every automatic score 0, with the reason.

    Args:
        student: the student id.
        assignment: the assignment id.
        status: ``failed`` or ``not_graded``.
        reason: why, in plain words.
        max_scores: points per test cell.
        details: further `SubmissionResult` fields (``notebook_sha256``, ``backend``, ...).
    """
    return SubmissionResult(
        student, assignment, status, reason, {cell: 0.0 for cell in max_scores}, dict(max_scores), **details
    )


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader never sees half a file, even if the process is killed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def write_json(result: SubmissionResult, path: Path) -> None:
    """Write ``result`` as ``results.json`` at ``path``."""
    write_atomically(path, json.dumps(result.to_gradescope(), indent=2) + "\n")


def read_json(path: Path) -> SubmissionResult | None:
    """Read a ``results.json``; None when it is missing or unreadable (the submission is then regraded)."""
    try:
        return SubmissionResult.from_gradescope(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def summary_page(result: SubmissionResult) -> str:
    """Return a feedback HTML page made from the result alone.

    Used when nbgrader's own feedback is missing: the submission could not
    be run, or nbgrader's feedback step failed.
    """
    heading = f"{html.escape(result.assignment)}: {html.escape(result.student)}"
    items = [
        f"<li>{html.escape(cell)}: {result.scores.get(cell, 0.0):g} / {points:g}"
        + (f" ({html.escape(result.messages[cell])})" if cell in result.messages else "")
        + "</li>"
        for cell, points in result.max_scores.items()
    ]
    notes = [result.reason] if result.reason else []
    notes += [f"Error in your cell {cell}: {message}" for cell, message in result.cell_errors.items()]
    return (
        f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{heading}</title></head><body>\n"
        f"<h1>{heading}</h1>\n"
        + "".join(f"<p>{html.escape(note)}</p>\n" for note in notes)
        + f"<p>Score: {result.total:g} / {result.max_total:g}</p>\n<ul>\n"
        + "\n".join(items)
        + "\n</ul>\n</body></html>\n"
    )


def write_csv(results: list[SubmissionResult], path: Path) -> None:
    """Write the grades CSV: one row per student, per-cell scores, total, status and reason."""
    cells = list(results[0].max_scores) if results else []
    lines = [["student", *cells, "total", "max_total", "status", "reason", "needs_manual_grading", "seconds"]]
    for result in results:
        lines.append(
            [
                result.student,
                *[f"{result.scores.get(cell, 0.0):g}" for cell in cells],
                f"{result.total:g}",
                f"{result.max_total:g}",
                result.status,
                result.reason or "",
                " ".join(result.manual),
                f"{result.seconds:.1f}",
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(lines)
    os.replace(partial, path)


def _term_notes(result: SubmissionResult) -> list[str]:
    """What a row says first about hand grading and lateness: answers to review again, a late submission."""
    notes = []
    if result.manual_changed:
        notes.append(f"changed since graded by hand: {', '.join(result.manual_changed)} (flagged for review)")
    if result.late:
        lateness = late.describe(result.seconds_late, result.flagged_late) or "late"
        notes.append(lateness + (f", -{result.late_penalty:g} points" if result.late_penalty else ""))
    return notes


def summary_table(results: list[SubmissionResult]) -> str:
    """Format one line per student: score, time, and what went wrong."""
    rows = [["student", "score", "seconds", "notes"]]
    for result in results:
        if result.status != GRADED:
            note = f"{'FAILED' if result.status == FAILED else 'NOT GRADED'}: {result.reason}"
        else:
            lost = [f"{cell} ({message})" for cell, message in result.lost.items()]
            causes = [f"{cell}: {message}" for cell, message in result.cell_errors.items()]
            note = "; ".join(["lost: " + "; ".join(lost)] + causes) if lost else "full marks"
        note = "; ".join([*_term_notes(result), note])
        rows.append([result.student, f"{result.total:g}/{result.max_total:g}", f"{result.seconds:.1f}", note[:160]])
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row[:3], widths)), row[3]]) for row in rows
    )
