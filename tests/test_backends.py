"""Backend parity: the same submissions get the same scores on JAX and PyTorch as the corpus expects.

A small set per assignment (the reference and the several-mistakes
submission) is graded in a fresh process per backend, brief training
included (results cached per backend within the run, as in
tests/test_corpus.py). ``benchmarks/backend_parity.py`` runs the whole
corpus the same way.
"""

from __future__ import annotations

import importlib.util
import warnings

import pytest

from autograder import backends, corpus, course
from conftest import IN_CI, ROOT, missing

ASSIGNMENTS = course.assignments(ROOT)


def _unchecked(assignment: str) -> set[str]:
    spec = corpus.load(assignment)
    reason = missing(spec.budget.dataset)
    if reason is None:
        return set()
    warnings.warn(f"{assignment}: {spec.accuracy_cell} not compared: {reason.splitlines()[0]}")
    return {spec.accuracy_cell}


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_small_corpus_grades_the_same_on_backend(backend, training_cache):
    if importlib.util.find_spec(backend) is None:
        message = f"the {backend} backend is not installed (pip install -e '.[{backend}]')"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    outcomes = backends.grade_with_backend(ROOT, ASSIGNMENTS, backend, which="small")
    assert {outcome.assignment for outcome in outcomes} == set(ASSIGNMENTS)
    unexpected = []
    for outcome in outcomes:
        unchecked = _unchecked(outcome.assignment)
        if set(outcome.failed) - unchecked != set(outcome.expected) - unchecked:
            unexpected.append(outcome)
    assert unexpected == []
