"""Every assignment end to end through `autograder grade`: real nbgrader autograde and feedback.

One batch per assignment in a scratch copy of the course grades four
submissions two at a time: the reference answers (twice, to prove grading
is repeatable), the untouched release notebook, and the corpus's
submission with several mistakes. tests/test_grading.py proves the
runner's failure handling on one assignment.
"""

from __future__ import annotations

import html
import re

import pytest

from autograder import course, demo, nbgrader_run, notebooks
from autograder.authoring import cell_tests, corpus
from autograder.grading import batch as grading
from conftest import ROOT, require

pytestmark = pytest.mark.nbgrader


@pytest.fixture(scope="module", params=course.assignments(ROOT))
def graded(request, tmp_path_factory):
    assignment = request.param
    require(corpus.load(assignment).budget.dataset)
    root = nbgrader_run.scratch_course(ROOT, tmp_path_factory.mktemp(assignment), [assignment])
    inbox = tmp_path_factory.mktemp(f"{assignment}-inbox")
    submissions = demo.sample_submissions(ROOT, assignment)
    submissions["correct_again"] = submissions["correct"]
    for student, notebook in submissions.items():
        notebooks.write(notebook, inbox / f"{student}.ipynb")
    report = grading.grade(root, assignment, grading.GradeOptions(submissions=inbox, workers=2))
    grades = {result.student: result for result in report.results}
    feedback = sorted((root / "feedback").glob(f"*/{assignment}/*.html"))
    return assignment, root, grades, feedback


def test_reference_gets_full_automatic_marks(graded):
    assignment, _, grades, _ = graded
    result = grades["correct"]
    assert result.scores == result.max_scores
    points = notebooks.test_points(notebooks.read(course.source_notebook(ROOT, assignment)))
    assert result.max_scores == points


def test_untouched_release_gets_zero_without_failing(graded):
    _, _, grades, _ = graded
    assert grades["untouched"].max_scores == grades["correct"].max_scores
    assert set(grades["untouched"].scores.values()) == {0.0}


def test_mixed_mistakes_lose_exactly_their_cells(graded):
    assignment, _, grades, _ = graded
    result = grades["some_wrong"]
    lost = {cell for cell, score in result.scores.items() if score < result.max_scores[cell]}
    assert lost == corpus.load(assignment).mixed.loses
    assert all(result.scores[cell] == 0 for cell in lost)


def test_grading_twice_gives_identical_scores_and_measurements(graded):
    assignment, scratch, grades, _ = graded
    assert grades["correct"].scores == grades["correct_again"].scores

    def accuracies(student):
        notebook = notebooks.read(scratch / "autograded" / student / assignment / f"{assignment}.ipynb")
        printed = "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)
        return re.findall(r"accuracy after brief training: (\d\.\d+)", printed)

    first = accuracies("correct")
    assert len(first) == 1 and first == accuracies("correct_again")


def test_feedback_shows_each_failed_check(graded, monkeypatch, training_cache):
    assignment, _, _, feedback = graded
    by_student = {path.parts[-3]: path.read_text() for path in feedback}
    assert set(by_student) == {"correct", "correct_again", "some_wrong", "untouched"}
    spec = corpus.load(assignment)
    monkeypatch.setenv("AUTOGRADER_MODE", "grading")
    report = cell_tests.run_test_cells(notebooks.read(course.source_notebook(ROOT, assignment)), spec.mixed.overrides)
    for grade_id in spec.mixed.loses:
        message = report.outcomes[grade_id].partition("CheckFailure: ")[2]
        assert message, report.outcomes[grade_id]
        assert html.escape(message, quote=False) in by_student["some_wrong"], grade_id
