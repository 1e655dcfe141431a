"""Storing outcomes (autograder/grading/output/record.py) with real nbgrader's gradebook and no grading batch.

Outcomes are made by hand (the result a worker would send, the notebook it
would return), so each rule of the one writer is checked in seconds: the
automatic scores are replaced, a human grader's scores, extra credit and
comments never are, a rewritten hand-graded answer is flagged for review
again, a result the grader could not produce changes nothing, and late
work is dated and penalised by the course's rule. tests/test_term.py walks
the same rules through real grading runs.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest

from autograder import nbgrader_run, notebooks
from autograder.authoring import samples
from autograder.course import Course
from autograder.grading import results
from autograder.grading.output import record
from autograder.grading.job import GradingOutcome
from autograder.grading.results import GRADED, NOT_GRADED, SubmissionResult

pytestmark = pytest.mark.quick

A = "fashion_dense"
ANSWERS = {"human_performance": "Shirts and T-shirts.", "confusions": "Coats and pullovers."}


@pytest.fixture(scope="module")
def empty_course(scratch_courses):
    """A course with fashion_dense generated (its gradebook knows the cells) and nobody graded."""
    return scratch_courses.make("record-course", (A,), registered=True)


@pytest.fixture
def the_course(empty_course, tmp_path):
    shutil.copytree(empty_course, tmp_path / "course")
    return Course(tmp_path / "course")


@pytest.fixture(scope="module")
def max_scores(empty_course):
    return nbgrader_run.read_max_scores(Course(empty_course).gradebook, A)


def _outcome(the_course: Course, max_scores: dict[str, float], answers: dict[str, str], passed: int,
             status: str = GRADED, **fields) -> GradingOutcome:
    """What a worker would send for a notebook with ``answers`` that passed the first ``passed`` test cells."""
    release = notebooks.read(the_course.root / "release" / A / f"{A}.ipynb")
    scores = {cell: (points if index < passed else 0.0) for index, (cell, points) in enumerate(max_scores.items())}
    result = SubmissionResult("alice", A, status, scores=scores, max_scores=dict(max_scores),
                              manual=list(ANSWERS), **fields)
    notebook = nbformat.writes(samples.fill(release, answers)).encode()
    return GradingOutcome(result, {f"{A}.ipynb": notebook}, b"<html>feedback</html>")


def _by_hand(the_course: Course, marks: dict[str, tuple[float, str]], extra_credit: float = 0.0) -> None:
    with nbgrader_run.open_gradebook(the_course.gradebook) as gradebook:
        for grade_id, (score, comment) in marks.items():
            grade = gradebook.find_grade(grade_id, A, A, "alice")
            grade.manual_score, grade.needs_manual_grade = score, False
            grade.extra_credit = extra_credit or None
            gradebook.find_comment(grade_id, A, A, "alice").manual_comment = comment
        gradebook.db.commit()


def _written(the_course: Course) -> dict[str, tuple]:
    with nbgrader_run.open_gradebook(the_course.gradebook) as gradebook:
        return {grade_id: (gradebook.find_grade(grade_id, A, A, "alice").manual_score,
                           gradebook.find_grade(grade_id, A, A, "alice").extra_credit,
                           bool(gradebook.find_grade(grade_id, A, A, "alice").needs_manual_grade),
                           gradebook.find_comment(grade_id, A, A, "alice").manual_comment)
                for grade_id in ANSWERS}


def _automatic_total(the_course: Course) -> float:
    return nbgrader_run.read_grades(the_course.root, A, "alice").total


def test_a_regrade_replaces_automatic_scores_and_keeps_hand_grades(the_course, max_scores):
    record.record(the_course, _outcome(the_course, max_scores, ANSWERS, passed=1))
    assert _written(the_course)["confusions"] == (None, None, True, None)  # waiting for a human
    _by_hand(the_course, {"human_performance": (1.0, "Say which."), "confusions": (2.0, "Good.")}, extra_credit=0.5)
    before = _written(the_course)
    record.record(the_course, _outcome(the_course, max_scores, ANSWERS, passed=len(max_scores)))
    assert _written(the_course) == before == {
        "human_performance": (1.0, 0.5, False, "Say which."), "confusions": (2.0, 0.5, False, "Good.")}
    assert _automatic_total(the_course) == sum(max_scores.values())  # the new automatic scores are in
    recorded = results.read_json(the_course.results_json(A, "alice"))
    assert recorded.hand_scores == {"human_performance": 1.0, "confusions": 2.0}
    assert recorded.manual == [] and recorded.manual_changed == []


def test_a_rewritten_answer_keeps_its_grade_and_is_flagged_the_other_is_not(the_course, max_scores):
    record.record(the_course, _outcome(the_course, max_scores, ANSWERS, passed=0))
    _by_hand(the_course, {"human_performance": (2.0, "Clear."), "confusions": (1.0, "Which?")})
    rewritten = {**ANSWERS, "confusions": "Sandals and sneakers, both footwear."}
    record.record(the_course, _outcome(the_course, max_scores, rewritten, passed=0))
    after = _written(the_course)
    assert after["confusions"] == (1.0, None, True, "Which?")
    assert after["human_performance"] == (2.0, None, False, "Clear.")
    recorded = results.read_json(the_course.results_json(A, "alice"))
    assert recorded.manual_changed == ["confusions"] and recorded.manual == ["confusions"]


def test_an_unreadable_resubmission_flags_every_hand_graded_answer(the_course, max_scores):
    record.record(the_course, _outcome(the_course, max_scores, ANSWERS, passed=0))
    _by_hand(the_course, {"human_performance": (2.0, "Clear.")})
    broken = _outcome(the_course, max_scores, ANSWERS, passed=0, status="failed", reason="not a notebook")
    broken.autograded = {}
    record.record(the_course, broken)
    assert _written(the_course)["human_performance"] == (2.0, None, True, "Clear.")  # kept, to look at again


def test_not_graded_changes_nothing_but_says_why(the_course, max_scores):
    record.record(the_course, _outcome(the_course, max_scores, ANSWERS, passed=2))
    _by_hand(the_course, {"human_performance": (2.0, "Clear.")})
    before, total = _written(the_course), _automatic_total(the_course)
    record.record(the_course, _outcome(the_course, max_scores, ANSWERS, passed=0, status=NOT_GRADED, reason="no GPU"))
    assert (_written(the_course), _automatic_total(the_course)) == (before, total)
    assert results.read_json(the_course.results_json(A, "alice")).reason == "no GPU"


def test_late_work_is_dated_in_the_gradebook_and_penalised_by_the_course_rule(the_course, max_scores):
    with the_course.config.open("a", encoding="utf-8") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    record.set_due_date(the_course, A, "2026-11-30T17:00:00Z")
    record.record(the_course, _outcome(the_course, max_scores, ANSWERS, passed=2,
                                       submitted_at="2026-12-01T09:00:00-08:00"))
    recorded = results.read_json(the_course.results_json(A, "alice"))
    assert recorded.seconds_late == 24 * 3600 and recorded.late_penalty == recorded.total  # "zero": all of it
    stamp = (the_course.submitted_notebook(A, "alice").parent / "timestamp.txt").read_text()
    assert stamp.startswith("2026-12-01 17:00:00")
    _by_hand(the_course, {"human_performance": (2.0, "Clear.")})
    refreshed = record.refresh(the_course, A)[0]
    assert refreshed.late_penalty == recorded.total + 2  # the hand points are taken too
    on_time = _outcome(the_course, max_scores, ANSWERS, passed=2, submitted_at="2026-11-30T16:00:00+00:00")
    record.record(the_course, on_time)
    assert results.read_json(the_course.results_json(A, "alice")).late_penalty == 0


def test_refresh_names_an_unknown_student_with_near_matches(the_course, max_scores):
    record.record(the_course, _outcome(the_course, max_scores, ANSWERS, passed=0))
    with pytest.raises(ValueError, match="--student 'alcie' matches none of the 1 submission.*did you mean: alice"):
        record.refresh(the_course, A, ("alcie",))
