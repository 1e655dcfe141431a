"""Feedback pages made again from the gradebook, after hand grading: ``autograder feedback ID``.

Autograding writes each student's page once, before anyone has graded the
written answers. Once they are graded in nbgrader's formgrader (scores and
comments in the course gradebook), `regenerate` renders each autograded
notebook again with nbgrader's ``generate_feedback`` and the course's
preprocessor chain, so the page shows every hand score and comment, the
late penalty, and still no hidden test (`autograder.grading.feedback`).
nbgrader writes into a scratch folder, never into the course's
``feedback/`` (its ``--force`` would delete ``results.json`` there); each
page then replaces the student's old one, ``results.json`` is brought up
to date with the gradebook (`autograder.grading.output.record.refresh`), and the
class report is written again.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from autograder import nbgrader_run
from autograder.course import Course
from autograder.grading import results
from autograder.grading.output import record
from autograder.grading.output import report as class_report
from autograder.grading.results import GRADED, SubmissionResult
from autograder.grading.notebook.grade_one import render_feedback


@dataclass
class Regenerated:
    """What `regenerate` wrote.

    Attributes:
        pages: the feedback pages written, by student.
        summaries: students whose notebook could not be rendered (never
            graded, or nbgrader's feedback failed), given a summary page
            from their result instead, with the reason.
        results: the students' results, brought up to date with the gradebook.
    """

    pages: dict[str, Path] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    results: list[SubmissionResult] = field(default_factory=list)


def regenerate(course: Course, assignment: str, students: tuple[str, ...] = (), full_outputs: bool = False) -> Regenerated:
    """Write the feedback pages of ``assignment`` again from the gradebook (see the module).

    Args:
        course: the course.
        assignment: the assignment id.
        students: only these students (default: everyone graded).
        full_outputs: render as ``autograder grade --feedback full`` does.

    Returns:
        A `Regenerated` naming each page written.

    Raises:
        FileNotFoundError: nothing of ``assignment`` is graded yet.
        ValueError: a student in ``students`` has no grade of ``assignment``.
    """
    refreshed = record.refresh(course, assignment, students)
    written = Regenerated(results=refreshed)
    with tempfile.TemporaryDirectory(prefix="autograder-feedback-") as scratch:
        api = _api(course, Path(scratch), full_outputs)
        for result in refreshed:
            page = course.feedback_page(assignment, result.student)
            problem = _render(api, course, result, Path(scratch)) if result.status == GRADED else result.reason
            if problem is None:
                written.pages[result.student] = page
            else:
                results.write_atomically(page, results.summary_page(result))
                written.summaries[result.student] = problem or "no autograded notebook"
    class_report.write(course, assignment)
    return written


def _api(course: Course, scratch: Path, full_outputs: bool) -> NbGraderAPI:
    """nbgrader's API on the course, writing feedback under ``scratch``."""
    config = nbgrader_run.course_config(course.root)
    config.CourseDirectory.root = str(course.root)
    config.CourseDirectory.feedback_directory = str(scratch)
    config.StudentFeedback.full_outputs = full_outputs
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _render(api: NbGraderAPI, course: Course, result: SubmissionResult, scratch: Path) -> str | None:
    """Render one student's page into the course; None when written, else why not."""
    if not course.autograded_notebook(result.assignment, result.student).is_file():
        return "no autograded notebook (grade it again with autograder grade --force)"
    rendered = scratch / result.student / result.assignment / f"{result.assignment}.html"
    page, problem = render_feedback(api, result.assignment, result.student, rendered)
    if page is not None:
        results.write_atomically(course.feedback_page(result.assignment, result.student), page)
    return problem
