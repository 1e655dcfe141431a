"""Backend parity: the same submissions get the same scores on JAX and PyTorch as the corpus expects.

A small set per assignment (the reference and the several-mistakes
submission) is graded in a fresh process per backend, every test cell but
those that train a model (on a CPU JAX and PyTorch train 2 to 4
times slower than TensorFlow: with them this took a quarter of an hour);
the two backends run at the same time. ``benchmarks/backend_parity.py``
runs the whole corpus, brief training included (docs/performance.md has
its last results).
"""

from __future__ import annotations

import concurrent.futures
import importlib.util

import pytest

from autograder import course
from autograder.authoring import backend_parity as backends
from conftest import IN_CI, unchecked_cells


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, root):
    """Both backends' outcomes, graded at the same time in two processes (they wait on imports, not cores)."""
    cache = tmp_path_factory.getbasetemp() / "training-cache"
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            backend: pool.submit(backends.grade_with_backend, root, course.assignments(root), backend, "small", cache)
            for backend in ("jax", "torch")
            if importlib.util.find_spec(backend) is not None
        }
        return {backend: future.result() for backend, future in futures.items()}


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_small_corpus_grades_the_same_on_backend(backend, outcomes, root):
    if backend not in outcomes:
        message = f"the {backend} backend is not installed (pip install -e '.[{backend}]')"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    assert {outcome.assignment for outcome in outcomes[backend]} == set(course.assignments(root))
    unexpected = []
    for outcome in outcomes[backend]:
        unchecked = unchecked_cells(outcome.assignment)
        if set(outcome.failed) - unchecked != set(outcome.expected) - unchecked:
            unexpected.append(outcome)
    assert unexpected == []
