"""Which test cells a changed answer can change, and which answer cells some test cells need (a made-up notebook)."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.authoring import cell_tests

pytestmark = pytest.mark.quick


def _cell(grade_id: str, source: str, **nbgrader: bool) -> nbformat.NotebookNode:
    return new_code_cell(source, metadata={"nbgrader": {"grade_id": grade_id, "points": 1, **nbgrader}})


NOTEBOOK = new_notebook(cells=[
    _cell("setup", "import math", locked=True),
    _cell("double", "def double(x):\n    return 2 * x", solution=True),
    _cell("quadruple", "def quadruple(value):\n    return double(double(value))", solution=True),
    _cell("experiment", "RESULTS = [double(1)]\nraise RuntimeError('an answer that trains for minutes')", solution=True),
    _cell("test_double", "assert double(2) == 4", grade=True),
    _cell("test_quadruple", "_value = 1\nassert quadruple(_value) == 4", grade=True),
    _cell("test_results", "assert RESULTS == [2]", grade=True),
    _cell("test_setup", "assert math.pi > 3", grade=True),
])
OFF_BY_ONE = {"double": "def double(x):\n    return x + x + 1"}


def test_a_changed_answer_affects_the_tests_that_use_it_directly_or_through_other_answers():
    assert cell_tests.affected_tests(NOTEBOOK, OFF_BY_ONE) == {"test_double", "test_quadruple", "test_results"}
    assert cell_tests.affected_tests(NOTEBOOK, {"quadruple": "def quadruple(value):\n    return 5"}) == {"test_quadruple"}


def test_some_tests_need_only_the_answers_they_use_transitively():
    assert cell_tests.needed_answers(NOTEBOOK, {}, {"test_quadruple"}) == {"double", "quadruple"}
    assert cell_tests.needed_answers(NOTEBOOK, {}, {"test_setup"}) == set()


def test_running_some_tests_runs_only_the_answers_they_need():
    every = cell_tests.run_test_cells(NOTEBOOK, OFF_BY_ONE)
    assert set(every.answer_errors) == {"experiment"}
    assert every.failed == {"test_double", "test_quadruple", "test_results"}
    some = cell_tests.run_test_cells(NOTEBOOK, OFF_BY_ONE, only={"test_quadruple", "test_setup"})
    assert some.answer_errors == {} and set(some.outcomes) == {"test_quadruple", "test_setup"}
    assert some.failed == {"test_quadruple"}
