"""The one writer of a course's grading records: gradebook, autograded notebooks, feedback, results.json, tables.

Only the runner calls these, one outcome at a time, so the course needs no
locks and no shared file system with the grading workers. For a graded or
failed submission `record` writes, in order: the scores in nbgrader's
gradebook (one transaction), the autograded files, the feedback page, and
last ``results.json``, which marks the student done (a run killed before
that regrades the student). A submission the grader could not grade
(``not_graded``) changes neither the gradebook nor the feedback: its
``results.json`` says why, and the next run grades it again.
"""

from __future__ import annotations

import shutil
import warnings

import sqlalchemy.exc
from nbgrader.api import MissingEntry

from autograder import nbgrader_run
from autograder.course import Course
from autograder.grading import results
from autograder.grading.job import GradingOutcome
from autograder.grading.results import NOT_GRADED, SubmissionResult


def register_assignment(course: Course, assignment: str, release_folder) -> None:
    """Make sure the course gradebook knows ``assignment`` (nbgrader generate_assignment, its release elsewhere)."""
    with nbgrader_run.open_gradebook(course.gradebook) as gradebook:
        try:
            gradebook.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    nbgrader_run.run_nbgrader(
        course.root, "generate_assignment", assignment, f"--CourseDirectory.release_directory={release_folder}"
    )


def record(course: Course, outcome: GradingOutcome) -> None:
    """Store one outcome in the course (see the module)."""
    result = outcome.result
    done_marker = course.results_json(result.assignment, result.student)
    done_marker.unlink(missing_ok=True)
    if result.status != NOT_GRADED:
        _store_scores(course, result)
        _store_files(course, outcome)
    results.write_json(result, done_marker)


def _store_scores(course: Course, result: SubmissionResult) -> None:
    with nbgrader_run.open_gradebook(course.gradebook) as gradebook, warnings.catch_warnings():
        # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; the rows are written all the same.
        warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
        gradebook.update_or_create_student(result.student)
        try:
            gradebook.remove_submission(result.assignment, result.student)
        except MissingEntry:
            pass
        gradebook.add_submission(result.assignment, result.student)
        notebook = gradebook.find_submission_notebook(result.assignment, result.assignment, result.student)
        for row in notebook.grades:
            if row.cell.cell_type == "code":
                row.auto_score = result.scores.get(row.name, 0.0)
                row.needs_manual_grade = False
            else:
                row.needs_manual_grade = row.name in result.manual
        gradebook.db.commit()


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
