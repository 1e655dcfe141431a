"""Every assignment end to end through `autograder grade`: real nbgrader autograde and feedback.

One batch per assignment, graded two at a time in a scratch copy of the
course (fashion_dense's is the session's batch, tests/fashion_dense_batch.py):
the corpus's second correct solution (proven here only, under real
nbgrader) and the untouched release notebook; for fashion_dense also the
reference answers, the corpus's submission with several mistakes, the
answers written the way the lessons write them and single mistakes of the
corpus packed into notebooks (`corpus.rounds`: mistakes in different cells,
losing different tests; the few that, with the several mistakes, lose
every test cell: `corpus.covering`). tests/test_corpus.py proves every
assignment's reference, several mistakes, lesson-style answers and every
mistake alone in-process; what the pipeline does with a lost point (the
gradebook, the feedback page's message) is the same code for every
assignment. Each must lose exactly the tests it should, and
no feedback page may show a line of a hidden test. tests/test_grading.py
proves the runner's failure handling on one assignment, and that a
notebook graded again in another run (another worker, another training
service) gets the same scores and accuracies.

With ``AUTOGRADER_FULL_CORPUS=1`` every assignment gets the several
mistakes, the lesson-style answers and every mistake of the corpus graded under nbgrader (about 60
notebooks more, 15 minutes on 2 cores).
"""

from __future__ import annotations

import html

import pytest
from nbconvert import HTMLExporter

from autograder import course, notebooks
from autograder.authoring import cell_tests, corpus, leaks
from autograder.course import Course
from autograder.grading.runner import batch
from autograder.grading.feedback import StudentFeedback
import fashion_dense_batch
from conftest import PROJECT_ROOT, require

pytestmark = pytest.mark.nbgrader

# The several mistakes, answers written as the lessons write them and the packed single mistakes are graded under
# nbgrader for fashion_dense (in the session's batch); for every assignment with AUTOGRADER_FULL_CORPUS=1.
# tests/test_corpus.py proves all three in-process for all five.
EVERYTHING_EVERYWHERE = fashion_dense_batch.FULL_CORPUS
FULLY_GRADED = course.assignments(PROJECT_ROOT) if EVERYTHING_EVERYWHERE else [fashion_dense_batch.ASSIGNMENT]


@pytest.fixture(scope="module")
def graded(assignment, root, tmp_path_factory, scratch_courses, request):
    """The course, each standard submission's result and feedback page (fashion_dense: the session's batch)."""
    spec = corpus.load(assignment)
    require(spec.budget.dataset)
    if assignment == fashion_dense_batch.ASSIGNMENT:
        shared = request.getfixturevalue("fashion_dense_batch")
        scratch, results = shared.root, shared.report.results
        students = set(fashion_dense_batch.standard_notebooks(root))
    else:
        scratch = scratch_courses.make(assignment, (assignment,))
        inbox = tmp_path_factory.mktemp(f"{assignment}-inbox")
        chosen = fashion_dense_batch.standard_notebooks(root, assignment, everything=EVERYTHING_EVERYWHERE)
        for student, (notebook, _) in chosen.items():
            notebooks.write(notebook, inbox / f"{student}.ipynb")
        results = batch.grade(scratch, assignment, batch.GradeOptions(submissions=inbox, workers=2)).results
        students = set(chosen)
    grades = {result.student: result for result in results if result.student in students}
    feedback = {student: Course(scratch).feedback_page(assignment, student).read_text() for student in grades}
    return scratch, grades, feedback


def lost(result) -> set[str]:
    return {cell for cell, score in result.scores.items() if score < result.max_scores[cell]}


def test_right_answers_get_full_automatic_marks(assignment, root, graded):
    _, grades, _ = graded
    right = [grades[student] for student in ("correct", "correct_b") if student in grades]
    assert right, "no right notebook graded"
    for result in right:
        assert result.status == "graded" and result.scores == result.max_scores, (result.student, result.messages)
        assert result.max_scores == notebooks.test_points(notebooks.read(course.source_notebook(root, assignment)))


@pytest.mark.parametrize("assignment", FULLY_GRADED, scope="module")
def test_answers_written_as_the_lessons_write_them_get_full_marks(graded):
    _, grades, _ = graded
    assert lost(grades["lesson_style"]) == set(), grades["lesson_style"].messages


def test_untouched_release_gets_zero_without_failing(graded):
    _, grades, _ = graded
    assert grades["untouched"].max_scores == grades["correct_b"].max_scores
    assert set(grades["untouched"].scores.values()) == {0.0}


@pytest.mark.parametrize("assignment", FULLY_GRADED, scope="module")
def test_mixed_mistakes_lose_exactly_their_cells(assignment, graded):
    _, grades, _ = graded
    result = grades["some_wrong"]
    assert lost(result) == corpus.load(assignment).mixed.loses
    assert all(result.scores[cell] == 0 for cell in lost(result))


@pytest.mark.parametrize("assignment", FULLY_GRADED, scope="module")
def test_corpus_mistakes_lose_their_cells_under_nbgrader(assignment, graded):
    _, grades, _ = graded
    for index, mistakes in enumerate(fashion_dense_batch.graded_rounds(assignment)):
        result = grades[fashion_dense_batch.round_name(index)]
        assert lost(result) == set(mistakes.loses), f"{mistakes.name}: {result.messages}"


@pytest.mark.parametrize("assignment", FULLY_GRADED, scope="module")
def test_feedback_shows_each_failed_check(assignment, root, graded, monkeypatch, training_cache):
    _, _, feedback = graded
    spec = corpus.load(assignment)
    monkeypatch.setenv("AUTOGRADER_MODE", "grading")
    report = cell_tests.run_test_cells(notebooks.read(course.source_notebook(root, assignment)), spec.mixed.overrides,
                                       only=set(spec.mixed.loses))
    shown = leaks.readable_text(feedback["some_wrong"])
    for grade_id in spec.mixed.loses:
        message = report.outcomes[grade_id].partition("CheckFailure: ")[2]
        assert message, report.outcomes[grade_id]
        assert message in shown, grade_id
    assert "Tests that lost points" in shown


def test_no_feedback_page_shows_hidden_test_code(assignment, root, graded):
    _, grades, feedback = graded
    assert set(feedback) == set(grades)
    hidden = notebooks.secret_lines(notebooks.read(course.source_notebook(root, assignment))).hidden
    for student, page in feedback.items():
        assert leaks.leaks(page, hidden) == [], student
        assert "Traceback" not in leaks.readable_text(page), student
    assert html.escape("BEGIN HIDDEN TESTS") not in "".join(feedback.values())


def test_graded_notebooks_keep_every_cell_but_the_hidden_tests(assignment, graded):
    """The grader's own code (the tamper guard) runs beside the notebook, never in place of one of its cells."""
    scratch, grades, _ = graded

    def visible(path):
        return [cell.source for cell in notebooks.read(path).cells if notebooks.role_of(cell) != "test"]

    for student in grades:
        submitted = visible(Course(scratch).submitted_notebook(assignment, student))
        assert visible(Course(scratch).autograded_notebook(assignment, student)) == submitted, student


def test_full_feedback_shows_no_hidden_test_code_either(assignment, root, graded):
    """``--feedback full``'s rewriting of the notebooks this batch autograded (their test cells hold the hidden
    blocks again), rendered as HTML: every output whole, and still no hidden line."""
    scratch, grades, _ = graded
    hidden = notebooks.secret_lines(notebooks.read(course.source_notebook(root, assignment))).hidden
    for student, result in grades.items():
        if result.status != "graded":
            continue
        autograded = notebooks.read(Course(scratch).autograded_notebook(assignment, student))
        assert leaks.leaks("\n".join(cell.source for cell in autograded.cells), hidden), student
        rewritten, _ = StudentFeedback(full_outputs=True).preprocess(autograded, {})
        page, _ = HTMLExporter().from_notebook_node(rewritten)
        assert leaks.leaks(page, hidden) == [], student
        assert "lines folded" not in page and "BEGIN HIDDEN TESTS" not in leaks.readable_text(page), student
