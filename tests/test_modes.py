import pytest

from autograder.learner import budgets, modes

pytestmark = pytest.mark.quick


def test_learning_mode_by_default(monkeypatch):
    monkeypatch.delenv("AUTOGRADER_MODE", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not modes.is_grading()
    assert modes.epochs(40) == 40


def test_nbgrader_execution_means_grading(monkeypatch):
    monkeypatch.delenv("AUTOGRADER_MODE", raising=False)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert modes.is_grading()
    assert modes.epochs(40) == budgets.GRADING_MODE_MAX_EPOCHS
    assert modes.epochs(1) == 1


def test_explicit_mode_wins(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("AUTOGRADER_MODE", "learning")
    assert not modes.is_grading()
    monkeypatch.delenv("NBGRADER_EXECUTION")
    monkeypatch.setenv("AUTOGRADER_MODE", "grading")
    assert modes.is_grading()
