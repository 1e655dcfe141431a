"""fashion_dense through real nbgrader: generate_assignment, autograde, generate_feedback.

One batch in a scratch copy of the course grades four submissions: the
reference answers (twice, to prove grading is repeatable), the untouched
release notebook, and the corpus's submission with several mistakes.
"""

from __future__ import annotations

import re

import pytest

from autograder import corpus, demo, nbgrader_run, notebooks
from conftest import ROOT, require

pytestmark = pytest.mark.nbgrader
ASSIGNMENT = "fashion_dense"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    require("fashion_mnist")
    scratch = nbgrader_run.scratch_course(ROOT, tmp_path_factory.mktemp("course"), [ASSIGNMENT])
    submissions = demo.sample_submissions(ROOT, ASSIGNMENT)
    submissions["correct_again"] = submissions["correct"]
    grades = nbgrader_run.autograde(scratch, ASSIGNMENT, submissions)
    feedback = nbgrader_run.generate_feedback(scratch, ASSIGNMENT)
    return scratch, grades, feedback


def test_reference_gets_full_automatic_marks(graded):
    _, grades, _ = graded
    result = grades["correct"]
    assert result.scores == result.max_scores
    assert result.max_total == sum(notebooks.test_points(notebooks.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")).values())


def test_untouched_release_gets_zero_without_failing(graded):
    _, grades, _ = graded
    assert grades["untouched"].max_scores == grades["correct"].max_scores
    assert set(grades["untouched"].scores.values()) == {0.0}


def test_mixed_mistakes_lose_exactly_their_cells(graded):
    _, grades, _ = graded
    result = grades["some_wrong"]
    lost = {cell for cell, score in result.scores.items() if score < result.max_scores[cell]}
    assert lost == corpus.load(ASSIGNMENT).mixed.loses
    assert all(result.scores[cell] == 0 for cell in lost)


def test_grading_twice_gives_identical_scores_and_measurements(graded):
    scratch, grades, _ = graded
    assert grades["correct"].scores == grades["correct_again"].scores

    def accuracies(student):
        notebook = notebooks.read(scratch / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        printed = "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)
        return re.findall(r"accuracy after brief training: (\d\.\d+)", printed)

    first = accuracies("correct")
    assert len(first) == 1 and first == accuracies("correct_again")


def test_feedback_shows_each_failed_check(graded):
    _, _, feedback = graded
    by_student = {path.parts[-3]: path.read_text() for path in feedback}
    assert set(by_student) == {"correct", "correct_again", "some_wrong", "untouched"}
    page = by_student["some_wrong"]
    assert "scale_images(images) largest value: expected &lt;= 1.0" in page
    assert "output activation: expected softmax, found sigmoid" in page
    assert "EarlyStopping monitor: expected 'val_loss', found 'accuracy'" in page
