"""Every assignment's own test cells against right and wrong answers, in-process.

The test cells are executed exactly as the source notebook holds them,
hidden blocks included, in grading mode (small fixed datasets, as under
nbgrader). The reference must pass every test cell (a second, differently
written correct solution is graded under nbgrader, tests/test_autograde.py);
every wrong submission in the corpus
must lose exactly the test cells it lists and keep every other it can
change (brief training only where it claims to lose it), with a message
that says what was expected. Where the dataset the accuracy check
trains on is absent (and not required in CI), every other test cell is
still checked and the accuracy cell is left out with a warning.
"""

from __future__ import annotations

import pytest

from autograder import course, notebooks
from autograder.authoring import cell_tests, corpus
from conftest import unchecked_cells


@pytest.fixture(autouse=True)
def grading_mode(training_cache, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_MODE", "grading")


@pytest.fixture
def source_of(root):
    """Read an assignment's instructor notebook."""
    return lambda assignment: notebooks.read(course.source_notebook(root, assignment))


def failed(report: cell_tests.CellTestReport, unchecked: set[str]) -> set[str]:
    return report.failed - unchecked


def test_reference_passes_every_test_cell(assignment, source_of):
    source = source_of(assignment)
    report = cell_tests.run_test_cells(source)
    assert report.answer_errors == {}
    assert failed(report, unchecked_cells(assignment)) == set(), report.outcomes
    assert set(report.outcomes) == set(notebooks.test_points(source))


@pytest.mark.quick
def test_second_correct_solution_answers_every_exercise(assignment, source_of):
    """It is graded under real nbgrader for every assignment (tests/test_autograde.py), where it must get full marks."""
    spec = corpus.load(assignment)
    source = source_of(assignment)
    assert set(spec.second_correct) == {cell.grade_id for cell in notebooks.role_cells(source) if cell.role == "solution"}


def test_lesson_style_solution_passes_every_test_cell(assignment, source_of):
    spec = corpus.load(assignment)
    if not spec.lesson_style:
        pytest.fail(f"{assignment} has no lesson-style answers in its corpus")
    report = cell_tests.run_test_cells(source_of(assignment), spec.lesson_style)
    assert report.answer_errors == {}
    assert failed(report, unchecked_cells(assignment)) == set(), report.outcomes


def test_right_answers_in_other_spellings_pass_every_test_cell_they_change(assignment, source_of):
    """Keras' own loss and metric functions in place of their names, say: same training key, so no training twice."""
    spec = corpus.load(assignment)
    if not spec.right_variants:
        pytest.skip(f"{assignment}'s corpus has no right answers in other spellings")
    source = source_of(assignment)
    for name, overrides in spec.right_variants.items():
        report = cell_tests.run_test_cells(source, overrides,
                                           only=cell_tests.affected_tests(source, overrides))
        assert report.answer_errors == {}, name
        assert failed(report, unchecked_cells(assignment)) == set(), (name, report.outcomes)


def test_every_test_cell_has_a_wrong_submission(assignment, source_of):
    covered = set().union(*(wrong.loses for wrong in corpus.load(assignment).wrong))
    assert covered == set(notebooks.test_points(source_of(assignment)))


def test_wrong_submission_loses_exactly_its_cells(assignment, wrong, source_of):
    """Only the test cells the mistake can change are run (the others pass as for the reference, test above), and of
    the cells that train a model only those the mistake claims to lose: whether a mistake the structure
    checks catch would also clear the accuracy threshold is no part of its claim, and training each would take
    most of this suite's time."""
    spec = corpus.load(assignment)
    unchecked = unchecked_cells(assignment)
    if not wrong.loses - unchecked:
        pytest.skip(f"{wrong.name} only loses {spec.accuracy_cell}, whose training data is absent")
    source = source_of(assignment)
    affected = cell_tests.affected_tests(source, wrong.overrides)
    assert wrong.loses <= affected, f"{wrong.name} claims to lose cells that do not use its answers"
    run = affected - (cell_tests.training_tests(source) - wrong.loses)
    report = cell_tests.run_test_cells(source, wrong.overrides, only=run)
    assert failed(report, unchecked) == wrong.loses - unchecked, report.outcomes
    for grade_id in wrong.loses - unchecked:
        assert "expected" in report.outcomes[grade_id], f"{grade_id}: unclear message {report.outcomes[grade_id]!r}"
        assert wrong.says in report.outcomes[grade_id], f"{grade_id}: the message does not say {wrong.says!r}"
