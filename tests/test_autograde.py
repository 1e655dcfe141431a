"""Every assignment end to end through `autograder grade`: real nbgrader autograde and feedback.

One batch per assignment, graded two at a time in a scratch copy of the
course: the reference answers (twice, to prove grading is repeatable), a
second correct solution, answers written the way the lessons write them,
the untouched release notebook, the corpus's submission with several
mistakes, and every single mistake of the corpus packed into a few
notebooks (`corpus.rounds`: mistakes in different cells, losing different
tests). Each must lose exactly the tests it should, and no feedback page
may show a line of a hidden test. tests/test_grading.py proves the
runner's failure handling on one assignment.
"""

from __future__ import annotations

import html
import re

import pytest

from autograder import course, demo, nbgrader_run, notebooks
from autograder.authoring import cell_tests, corpus, leaks, samples
from autograder.course import Course
from autograder.grading import batch
from conftest import require

pytestmark = pytest.mark.nbgrader


def round_name(index: int) -> str:
    """The student id of the ``index``-th round of single mistakes."""
    return f"mistakes_{index:02d}"


@pytest.fixture(scope="module")
def graded(assignment, root, tmp_path_factory):
    spec = corpus.load(assignment)
    require(spec.budget.dataset)
    scratch = nbgrader_run.scratch_course(root, tmp_path_factory.mktemp(assignment), [assignment])
    inbox = tmp_path_factory.mktemp(f"{assignment}-inbox")
    submissions = demo.sample_submissions(root, assignment)
    release = notebooks.read(Course(root).release_notebook(assignment))
    reference = samples.reference_answers(notebooks.read(course.source_notebook(root, assignment)))
    submissions["correct_again"] = submissions["correct"]
    submissions["second_correct"] = samples.fill(release, {**reference, **spec.second_correct})
    for index, mistakes in enumerate(corpus.rounds(spec.wrong)):
        submissions[round_name(index)] = samples.fill(release, {**reference, **spec.fast_answers, **mistakes.overrides})
    for student, notebook in submissions.items():
        notebooks.write(notebook, inbox / f"{student}.ipynb")
    report = batch.grade(scratch, assignment, batch.GradeOptions(submissions=inbox, workers=2))
    grades = {result.student: result for result in report.results}
    feedback = {path.parts[-3]: path.read_text() for path in sorted((scratch / "feedback").glob(f"*/{assignment}/*.html"))}
    return scratch, grades, feedback


def lost(result) -> set[str]:
    return {cell for cell, score in result.scores.items() if score < result.max_scores[cell]}


def test_reference_gets_full_automatic_marks(assignment, root, graded):
    _, grades, _ = graded
    result = grades["correct"]
    assert result.status == "graded" and result.scores == result.max_scores
    assert result.max_scores == notebooks.test_points(notebooks.read(course.source_notebook(root, assignment)))


@pytest.mark.parametrize("student", ["second_correct", "lesson_style"])
def test_other_right_answers_get_full_marks(graded, student):
    _, grades, _ = graded
    assert lost(grades[student]) == set(), grades[student].messages


def test_untouched_release_gets_zero_without_failing(graded):
    _, grades, _ = graded
    assert grades["untouched"].max_scores == grades["correct"].max_scores
    assert set(grades["untouched"].scores.values()) == {0.0}


def test_mixed_mistakes_lose_exactly_their_cells(assignment, graded):
    _, grades, _ = graded
    result = grades["some_wrong"]
    assert lost(result) == corpus.load(assignment).mixed.loses
    assert all(result.scores[cell] == 0 for cell in lost(result))


def test_every_corpus_mistake_loses_its_cells_under_nbgrader(assignment, graded):
    _, grades, _ = graded
    for index, mistakes in enumerate(corpus.rounds(corpus.load(assignment).wrong)):
        result = grades[round_name(index)]
        assert lost(result) == set(mistakes.loses), f"{mistakes.name}: {result.messages}"


def test_grading_twice_gives_identical_scores_and_measurements(assignment, graded):
    scratch, grades, _ = graded
    assert grades["correct"].scores == grades["correct_again"].scores

    def accuracies(student):
        notebook = notebooks.read(Course(scratch).autograded_notebook(assignment, student))
        printed = "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)
        return re.findall(r"accuracy after brief training: (\d\.\d+)", printed)

    first = accuracies("correct")
    assert len(first) >= 1 and first == accuracies("correct_again")


def test_feedback_shows_each_failed_check(assignment, root, graded, monkeypatch, training_cache):
    _, _, feedback = graded
    spec = corpus.load(assignment)
    monkeypatch.setenv("AUTOGRADER_MODE", "grading")
    report = cell_tests.run_test_cells(notebooks.read(course.source_notebook(root, assignment)), spec.mixed.overrides)
    shown = leaks.readable_text(feedback["some_wrong"])
    for grade_id in spec.mixed.loses:
        message = report.outcomes[grade_id].partition("CheckFailure: ")[2]
        assert message, report.outcomes[grade_id]
        assert message in shown, grade_id
    assert "Tests that lost points" in shown


def test_no_feedback_page_shows_hidden_test_code(assignment, root, graded):
    _, grades, feedback = graded
    assert set(feedback) == set(grades)
    hidden = leaks.secret_lines(notebooks.read(course.source_notebook(root, assignment))).hidden
    for student, page in feedback.items():
        assert leaks.leaks(page, hidden) == [], student
        assert "Traceback" not in leaks.readable_text(page), student
    assert html.escape("BEGIN HIDDEN TESTS") not in "".join(feedback.values())
