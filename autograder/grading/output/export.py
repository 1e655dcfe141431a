"""Grades out to an LMS: the file Canvas, Moodle or a spreadsheet imports, keyed by the LMS's own ids.

A student's score is nbgrader's total for the submission in the course
gradebook: the automatic scores, with a human grader's score taking the
place of the automatic one wherever there is one, and the written answers
graded in nbgrader's formgrader, less the late penalty the course's rule
takes (`autograder.grading.late`, computed again from the score as it
stands); the maximum counts the written answers too. The ``csv`` format
also says when each student submitted and how late.
Who the student is in the LMS comes from the grading results
(`autograder.grading.intake.submissions.Identity`, kept when the submissions were
graded from the LMS's download).

Formats:

- ``canvas``: Canvas' gradebook import (Grades, Import): columns ``Student,
  ID, SIS User ID, SIS Login ID, Section`` then one column named after the
  assignment, and a ``Points Possible`` row first. Canvas matches each row on
  ``ID``, its user id, taken from the download's file names.
- ``moodle``: the Moodle assignment's grading worksheet (its "Upload
  grading worksheet" action, offered when the assignment has the "Offline
  grading worksheet" feedback type): columns ``Identifier, Full name, Grade,
  Maximum Grade, Last modified (grade)``. Moodle matches each row on
  ``Identifier``, ``Participant <id>`` with the participant id from the
  download's folder names (the only id a Moodle download carries).
- ``csv``: every student with every id known, the total, the automatic part
  and the status, for any other gradebook.

Students that an LMS format cannot key (graded from a plain folder, or not
graded at all) are left out of that file and named in `Export.left_out`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nbgrader.api import MissingEntry

from autograder import nbgrader_run
from autograder.course import Course
from autograder.grading import late, results
from autograder.grading.output import record
from autograder.grading.results import NOT_GRADED, SubmissionResult
from autograder.grading.intake.submissions import CANVAS, MOODLE

FORMATS = ("canvas", "moodle", "csv")
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_COLUMNS = ["Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)"]
MOODLE_PARTICIPANT = "Participant "
CSV_COLUMNS = ["student", "lms", "lms_user_id", "lms_name", "lms_email", "score", "max_score",
               "automatic_score", "needs_manual_grading", "status", "reason", "submitted_at", "late", "late_penalty"]


@dataclass(frozen=True)
class StudentGrade:
    """One student's grade as the gradebook holds it.

    Attributes:
        result: the student's grading result (ids, status, automatic scores).
        score: nbgrader's total (manual grades included), or None when the
            gradebook has no grade for the student (not graded).
        max_score: the points available, written answers included.
        manual_pending: the written answers (``grade_id``) still waiting for a human grader.
    """

    result: SubmissionResult
    score: float | None
    max_score: float
    manual_pending: tuple[str, ...] = ()


@dataclass
class Export:
    """What `export` wrote.

    Attributes:
        path: the file written.
        students: the students in it, in order.
        left_out: students not in it, with the reason.
        manual_pending: students in it whose written answers are not graded
            by hand yet (their score lacks those points).
        late: students in it who submitted late, with how late and the
            points the penalty took (the score in the file is already less them).
    """

    path: Path
    students: list[str] = field(default_factory=list)
    left_out: dict[str, str] = field(default_factory=dict)
    manual_pending: list[str] = field(default_factory=list)
    late: dict[str, str] = field(default_factory=dict)


def grades(course: Course, assignment: str) -> list[StudentGrade]:
    """Every recorded student's grade of ``assignment``, from the results and nbgrader's gradebook.

    Raises:
        FileNotFoundError: the course has no gradebook or no results for ``assignment``.
    """
    found = record.refresh(course, assignment)  # hand grades as they stand, late penalties computed again
    graded = []
    with nbgrader_run.open_gradebook(course.gradebook) as gradebook:
        max_score = float(gradebook.find_assignment(assignment).max_score)
        for result in found:
            try:
                submission = gradebook.find_submission(assignment, result.student)
            except MissingEntry:
                graded.append(StudentGrade(result, None, max_score))
                continue
            score = None if result.status == NOT_GRADED else float(submission.score) - result.late_penalty
            pending = tuple(grade.name for notebook in submission.notebooks for grade in notebook.grades
                            if grade.needs_manual_grade)
            graded.append(StudentGrade(result, score, float(submission.max_score), pending))
    return graded


def export(
    course: Course, assignment: str, lms_format: str, out: Path | None = None,
    column: str | None = None, out_of: float | None = None,
) -> Export:
    """Write the grades of ``assignment`` as ``lms_format`` imports them.

    Args:
        course: the course.
        assignment: the assignment id.
        lms_format: ``canvas``, ``moodle`` or ``csv`` (see the module).
        out: the file to write (default: `Course.lms_export`).
        column: Canvas' assignment column: the assignment's name in Canvas,
            or ``Name (id)`` as Canvas' own export heads it (default: the
            assignment id; Canvas creates an assignment of a name it does not know).
        out_of: scale scores to this maximum (the LMS assignment's points),
            e.g. 100; default: the notebook's own points.

    Returns:
        An `Export`: the path, who is in the file, who is not and why.

    Raises:
        ValueError: an unknown format, or ``out_of`` not above 0.
        FileNotFoundError: nothing graded yet (see `grades`).

    Example:
        >>> export(Course(root), "fashion_dense", "canvas", column="Fashion dense (4321)")  # doctest: +SKIP
        Export(path=PosixPath('.../grades/fashion_dense_canvas.csv'), students=['jonesalice_12345'], ...)
    """
    if lms_format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; received: {lms_format!r}")
    if out_of is not None and out_of <= 0:
        raise ValueError(f"out_of must be above 0; received: {out_of}")
    path = out or course.lms_export(assignment, lms_format)
    outcome = Export(path)
    class_grades = grades(course, assignment)
    maximum = out_of or max((grade.max_score for grade in class_grades), default=0.0)
    rows: list[list[str]] = []
    for grade in class_grades:
        why_not = _left_out(grade, lms_format)
        if why_not:
            outcome.left_out[grade.result.student] = why_not
            continue
        outcome.students.append(grade.result.student)
        if grade.manual_pending:
            outcome.manual_pending.append(grade.result.student)
        if grade.result.late:
            outcome.late[grade.result.student] = (late.describe(grade.result.seconds_late, grade.result.flagged_late)
                                                  + f", {_number(grade.result.late_penalty)} point(s) taken")
        rows.append(_row(grade, lms_format, _scaled(grade, out_of), out_of or grade.max_score))
    if lms_format == "canvas":
        lines = [[*CANVAS_COLUMNS, column or assignment], [CANVAS_POINTS_ROW, "", "", "", "", _number(maximum)], *rows]
    else:
        lines = [MOODLE_COLUMNS if lms_format == "moodle" else CSV_COLUMNS, *rows]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(lines)
    results.write_atomically(path, text.getvalue())
    return outcome


def _left_out(grade: StudentGrade, lms_format: str) -> str | None:
    """Why ``grade`` cannot go into a file of ``lms_format``, or None."""
    result = grade.result
    if lms_format == "csv":
        return None
    if grade.score is None:
        return f"not graded ({result.reason or 'no grade in the gradebook'}): grade it again, then export"
    wanted = {"canvas": CANVAS, "moodle": MOODLE}[lms_format]
    if result.lms != wanted:
        source = f"a {result.lms} download" if result.lms else "a folder without LMS ids"
        return f"graded from {source}, so it has no {wanted.capitalize()} id"
    return None


def _scaled(grade: StudentGrade, out_of: float | None) -> float | None:
    """The score, scaled to ``out_of`` points when asked."""
    if grade.score is None or out_of is None or not grade.max_score:
        return grade.score
    return grade.score * out_of / grade.max_score


def _row(grade: StudentGrade, lms_format: str, score: float | None, maximum: float) -> list[str]:
    """One student's line of a file of ``lms_format``."""
    result = grade.result
    if lms_format == "canvas":
        return [result.lms_name, result.lms_user_id, "", "", "", _number(score)]
    if lms_format == "moodle":
        modified = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        return [f"{MOODLE_PARTICIPANT}{result.lms_user_id}", result.lms_name, _number(score), _number(maximum), modified]
    return [result.student, result.lms, result.lms_user_id, result.lms_name, result.lms_email, _number(score),
            _number(maximum), _number(result.total), " ".join(grade.manual_pending),
            result.status, result.reason or "", result.submitted_at,
            late.describe(result.seconds_late, result.flagged_late), _number(result.late_penalty)]


def _number(value: float | None) -> str:
    """A score as LMS importers read it: plain decimals, at most two places; empty for none."""
    return "" if value is None else f"{round(value, 2):g}"
