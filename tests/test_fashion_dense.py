"""fashion_dense: the notebook's own test cells against right and wrong answers, in-process.

The test cells are executed exactly as the source notebook holds them,
hidden blocks included; every wrong submission must lose exactly the test
cells listed in the corpus and keep every other.
"""

from __future__ import annotations

import pytest

from autograder import cell_tests, corpus, notebooks
from conftest import require

CORPUS = corpus.load("fashion_dense")


@pytest.fixture(autouse=True)
def data(training_cache):
    require("fashion_mnist")


def test_reference_passes_every_test_cell(fashion_dense_source):
    report = cell_tests.run_test_cells(fashion_dense_source)
    assert report.answer_errors == {}
    assert report.failed == set(), report.outcomes
    assert set(report.outcomes) == set(notebooks.test_points(fashion_dense_source))


def test_second_correct_solution_passes_every_test_cell(fashion_dense_source):
    report = cell_tests.run_test_cells(fashion_dense_source, CORPUS.second_correct)
    assert report.failed == set(), report.outcomes


def test_every_test_cell_has_a_wrong_submission(fashion_dense_source):
    covered = set().union(*(wrong.loses for wrong in CORPUS.wrong))
    assert covered == set(notebooks.test_points(fashion_dense_source))


@pytest.mark.parametrize("wrong", CORPUS.wrong + [CORPUS.mixed], ids=lambda wrong: wrong.name)
def test_wrong_submission_loses_exactly_its_cells(fashion_dense_source, wrong):
    report = cell_tests.run_test_cells(fashion_dense_source, wrong.overrides)
    assert report.failed == wrong.loses, report.outcomes
    for grade_id in wrong.loses:
        assert "expected" in report.outcomes[grade_id], f"{grade_id}: unclear message {report.outcomes[grade_id]!r}"
