"""Grading the wrong-submission corpus under one Keras backend, in a fresh process.

The backend is fixed when Keras is first imported, so each backend gets its
own process (``KERAS_BACKEND`` set, grading mode on). That process runs the
source notebook's test cells in-process (`autograder.authoring.cell_tests`) against
the chosen corpus submissions and reports which test cells each failed.
Scores must not depend on the backend: tests and
``benchmarks/backend_parity.py`` compare these outcomes with the corpus's
expectations.

``python -m autograder.authoring.backend_parity ROOT SUBMISSIONS ASSIGNMENT...`` is the
worker; SUBMISSIONS is ``all`` or ``small``: the reference and the
several-mistakes submission, without the test cells that train a model
(`cell_tests.training_tests`), whose parity ``all`` checks. On a CPU JAX
and PyTorch train these networks 2 to 4 times slower than TensorFlow, so
``small`` takes a few minutes per backend instead of a quarter of an hour.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder import course, notebooks
from autograder.authoring import cell_tests, corpus
from autograder.learner import training

RESULT_PREFIX = "AUTOGRADER-PARITY "


@dataclass(frozen=True)
class Outcome:
    """Which test cells one submission failed under one backend, and which it should fail."""

    assignment: str
    submission: str
    failed: tuple[str, ...]
    expected: tuple[str, ...]

    @property
    def as_expected(self) -> bool:
        """True when the submission lost exactly the cells the corpus says it must."""
        return self.failed == self.expected


def _cases(assignment: str, which: str) -> list[tuple[str, dict[str, str], frozenset[str]]]:
    spec = corpus.load(assignment)
    if which == "small":
        mixed = (spec.mixed.name, dict(spec.mixed.overrides), spec.mixed.loses)
        return [("reference", {}, frozenset()), mixed]
    cases = [("reference", {}, frozenset()), ("second correct", dict(spec.second_correct), frozenset())]
    wrong = [*spec.wrong, spec.mixed]
    return cases + [(entry.name, dict(entry.overrides), entry.loses) for entry in wrong]


def grade_here(root: Path, assignments: list[str], which: str) -> list[Outcome]:
    """Run the chosen corpus submissions' test cells in this process, under its backend."""
    outcomes = []
    for assignment in assignments:
        source = notebooks.read(course.source_notebook(root, assignment))
        left_out = cell_tests.training_tests(source) if which == "small" else set()
        every_test = set(notebooks.test_points(source))
        for name, overrides, expected in _cases(assignment, which):
            failed = cell_tests.run_test_cells(source, overrides, only=every_test - left_out).failed
            outcomes.append(Outcome(assignment, name, tuple(sorted(failed)), tuple(sorted(expected - left_out))))
    return outcomes


def grade_with_backend(
    root: Path, assignments: list[str], backend: str, which: str = "all", training_cache: Path | None = None
) -> list[Outcome]:
    """Grade the corpus of ``assignments`` in a fresh process with ``KERAS_BACKEND=backend``.

    Args:
        root: the course root.
        assignments: assignment ids.
        backend: ``tensorflow``, ``jax`` or ``torch``.
        which: ``all`` corpus submissions, or a ``small`` set (the reference
            and the several-mistakes submission, no training).
        training_cache: a folder where deterministic brief-training results
            may be reused (`training.CACHE_VARIABLE`); None trains every time.

    Raises:
        RuntimeError: the worker crashed (for example, the backend is not installed).
    """
    environment = {**os.environ, "KERAS_BACKEND": backend, "AUTOGRADER_MODE": "grading", "TF_CPP_MIN_LOG_LEVEL": "3"}
    environment.pop(training.SERVICE_VARIABLE, None)  # a warm trainer runs one backend: this worker trains fresh
    if training_cache is not None:
        environment[training.CACHE_VARIABLE] = str(training_cache)
    finished = subprocess.run(
        [sys.executable, "-m", __name__, str(root), which, *assignments],
        capture_output=True, text=True, env=environment,
    )
    lines = [line for line in finished.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        raise RuntimeError(f"grading with KERAS_BACKEND={backend} failed:\n{finished.stderr[-3000:]}")
    return [Outcome(**{**row, "failed": tuple(row["failed"]), "expected": tuple(row["expected"])})
            for row in json.loads(lines[-1][len(RESULT_PREFIX):])]


def _worker() -> None:
    root, which, assignments = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    outcomes = grade_here(root, assignments, which)
    print(RESULT_PREFIX + json.dumps([outcome.__dict__ for outcome in outcomes]), flush=True)


if __name__ == "__main__":
    _worker()
