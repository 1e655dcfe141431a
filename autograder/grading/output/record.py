"""The one writer of a course's grading records: gradebook, autograded notebooks, feedback, results.json, tables.

Only the runner calls these, one outcome at a time, so the course needs no
locks and no shared file system with the grading workers. For a graded or
failed submission `record` writes, in order: the automatic scores in
nbgrader's gradebook (one transaction; a human grader's scores, extra
credit and comments are never touched, and a hand-graded written answer the
student has since changed is flagged for review again), the autograded files, the feedback page, and
last ``results.json``, which marks the student done (a run killed before
that regrades the student). A submission the grader could not grade
(``not_graded``) changes neither the gradebook nor the feedback: its
``results.json`` says why, and the next run grades it again.
"""

from __future__ import annotations

import shutil
import warnings
from datetime import datetime
from pathlib import Path

import nbformat
import sqlalchemy.exc
from nbgrader.api import Gradebook, MissingEntry
from traitlets.config import Config

from autograder import nbgrader_run, settings
from autograder.course import Course
from autograder.grading import late, results
from autograder.grading.intake import student_names
from autograder.grading.job import GradingOutcome
from autograder.grading.results import NOT_GRADED, SubmissionResult


def set_due_date(course: Course, assignment: str, due: str | None) -> None:
    """Store the due date of ``assignment`` in the gradebook: ``due`` when given, else the course config's if any.

    ``due`` (``autograder grade --due``) persists for later runs;
    ``GradingSettings.due_dates`` in ``nbgrader_config.py`` is applied on
    each run it names the assignment.

    Raises:
        ValueError: the date cannot be read.
    """
    text = due or settings.load(course.root).due_dates.get(assignment)
    if not text:
        return
    when = late.parse_due(text).replace(tzinfo=None)  # nbgrader keeps naive UTC times
    with nbgrader_run.open_gradebook(course.gradebook) as gradebook:
        gradebook.update_or_create_assignment(assignment, duedate=when)


def record(course: Course, outcome: GradingOutcome) -> None:
    """Store one outcome in the course (see the module)."""
    result = outcome.result
    done_marker = course.results_json(result.assignment, result.student)
    done_marker.unlink(missing_ok=True)
    if result.status != NOT_GRADED:
        answered_before = written_answers(course.autograded_notebook(result.assignment, result.student))
        answered_now = written_answers_in(outcome.autograded.get(f"{result.assignment}.ipynb"))
        _store_scores(course, result, answered_before, answered_now)
        _store_files(course, outcome)
    results.write_json(result, done_marker)


def written_answers(notebook_file: Path) -> dict[str, str] | None:
    """``{grade_id: source}`` of every graded cell of an autograded notebook; None when there is no readable file."""
    try:
        return written_answers_in(notebook_file.read_bytes())
    except OSError:
        return None


def written_answers_in(content: bytes | None) -> dict[str, str] | None:
    """``{grade_id: source}`` of every graded cell of a notebook's bytes; None for none or an unreadable notebook."""
    if not content:
        return None
    try:
        notebook = nbformat.reads(content.decode("utf-8"), as_version=4)
    except Exception:  # nbformat raises many kinds for a damaged file
        return None
    return {cell.metadata["nbgrader"]["grade_id"]: cell.source.strip() for cell in notebook.cells
            if cell.metadata.get("nbgrader", {}).get("grade") and cell.metadata["nbgrader"].get("grade_id")}


def _store_scores(
    course: Course, result: SubmissionResult, answered_before: dict[str, str] | None, answered_now: dict[str, str] | None
) -> None:
    """Update the automatic scores of ``result``'s submission; hand grades, extra credit and comments stay.

    A hand-graded answer that differs from the one graded (or cannot be
    compared) keeps its grade and is flagged for review again
    (``needs_manual_grade``); ``result.manual_changed`` names it.
    """
    with nbgrader_run.open_gradebook(course.gradebook) as gradebook, warnings.catch_warnings():
        # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; the rows are written all the same.
        warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
        gradebook.update_or_create_student(result.student)
        try:
            submission = gradebook.find_submission(result.assignment, result.student)
        except MissingEntry:
            submission = gradebook.add_submission(result.assignment, result.student)
        due, submitted_at = submission.assignment.duedate, _parsed(result.submitted_at)
        result.seconds_late = late.seconds_late(submitted_at, due, result.flagged_late)
        stamp = late.timestamp_for(submitted_at, due, result.flagged_late)
        submission.timestamp = stamp.replace(tzinfo=None) if stamp else None
        if stamp is not None:
            late.write_timestamp(course.submitted_notebook(result.assignment, result.student).parent, stamp)
        notebook = gradebook.find_submission_notebook(result.assignment, result.assignment, result.student)
        result.manual_changed = []
        for row in notebook.grades:
            if row.cell.cell_type == "code":
                row.auto_score = result.scores.get(row.name, 0.0)
                row.needs_manual_grade = False
            elif row.manual_score is not None:
                if answered_before is None or answered_now is None or answered_before.get(row.name) != answered_now.get(row.name):
                    row.needs_manual_grade = True
                    result.manual_changed.append(row.name)
            else:
                row.needs_manual_grade = row.name in result.manual
        gradebook.db.commit()
        sync_from_gradebook(gradebook, nbgrader_run.course_config(course.root), result)


def sync_from_gradebook(gradebook: Gradebook, config: Config, result: SubmissionResult) -> None:
    """Bring ``result`` up to date with the gradebook: hand grades, written answers pending, late penalty.

    The late penalty is computed again from the notebook's whole score (hand
    grades included) with the course's penalty (`autograder.grading.late`),
    and stored in the gradebook as nbgrader's ``late_submission_penalty``.
    """
    notebook = gradebook.find_submission_notebook(result.assignment, result.assignment, result.student)
    written = [row for row in notebook.grades if row.cell.cell_type != "code"]
    result.manual = [row.name for row in written if row.needs_manual_grade]
    result.hand_scores = {row.name: float(row.manual_score) for row in written if row.manual_score is not None}
    result.hand_max_scores = {row.name: float(row.max_score) for row in written}
    gradebook.db.refresh(notebook)
    taken = late.penalty(config, result.student, float(notebook.score), result.seconds_late)
    notebook.late_submission_penalty = taken or None
    result.late_penalty = taken
    gradebook.db.commit()


def _parsed(when: str) -> datetime | None:
    return datetime.fromisoformat(when) if when else None


def _store_files(course: Course, outcome: GradingOutcome) -> None:
    result = outcome.result
    graded = course.autograded_folder(result.assignment, result.student)
    if outcome.autograded:
        shutil.rmtree(graded, ignore_errors=True)
        for name, content in outcome.autograded.items():
            (graded / name).parent.mkdir(parents=True, exist_ok=True)
            (graded / name).write_bytes(content)
    feedback = course.feedback_folder(result.assignment, result.student)
    feedback.mkdir(parents=True, exist_ok=True)
    for stale in feedback.glob("*.html"):
        stale.unlink()
    page = outcome.feedback_html.decode("utf-8") if outcome.feedback_html else results.summary_page(result)
    results.write_atomically(course.feedback_page(result.assignment, result.student), page)


def refresh(course: Course, assignment: str, students: tuple[str, ...] = ()) -> list[SubmissionResult]:
    """Bring the recorded results of ``assignment`` up to date with the gradebook after hand grading; return them.

    Each graded student's ``results.json`` gets the hand scores, the written
    answers still pending and the late penalty as they stand
    (`sync_from_gradebook`); the gradebook's penalty is computed again.

    Raises:
        FileNotFoundError: nothing of ``assignment`` is recorded.
        student_names.UnknownStudent: a student in ``students`` has no result.
    """
    found = class_results(course, assignment)
    if not found or not course.gradebook.is_file():
        raise FileNotFoundError(f"no grades of {assignment} in {course.root}: run `autograder grade {assignment}` first")
    student_names.check_named(students, [result.student for result in found], f"the graded students of {assignment}")
    chosen = [result for result in found if not students or result.student in students]
    config = nbgrader_run.course_config(course.root)
    with nbgrader_run.open_gradebook(course.gradebook) as gradebook:
        for result in chosen:
            if result.status == NOT_GRADED:
                continue
            try:
                sync_from_gradebook(gradebook, config, result)
            except MissingEntry:
                continue
            results.write_json(result, course.results_json(assignment, result.student))
    return chosen


def class_results(course: Course, assignment: str) -> list[SubmissionResult]:
    """Every result recorded for ``assignment``, sorted by student."""
    found = [results.read_json(path) for path in course.all_results_json(assignment)]
    return [result for result in found if result is not None]


def write_tables(course: Course, assignment: str) -> list[SubmissionResult]:
    """Write the grades CSV of ``assignment`` and nbgrader's export of the gradebook; return the class's results."""
    graded = class_results(course, assignment)
    results.write_csv(graded, course.grades_csv(assignment))
    nbgrader_run.run_nbgrader(course.root, "export", f"--to={course.nbgrader_export}")
    return graded
