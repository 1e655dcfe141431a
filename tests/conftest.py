"""Shared fixtures: the course root, the assignments, dataset availability, a quiet and offline environment.

Tests get the course root from the ``root`` fixture; a test (or fixture)
that takes an ``assignment`` argument runs once per assignment under
``source/``, and one that takes ``assignment`` and ``wrong`` once per
wrong submission in the corpus.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import pytest

from autograder import course, notebooks
from autograder.authoring import cell_tests, corpus
from autograder.course import Course
from autograder.learner import datasets, training

PROJECT_ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Datasets that ../shared/datasets/README.md lists (Fashion-MNIST through the
# Debian package): in CI their absence fails the run instead of skipping.
LISTED_DATASETS = {"fashion_mnist", "mnist", "cifar10", "sign_language", "sign_language_rps"}

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ[datasets.OFFLINE_VARIABLE] = "1"
os.environ.pop("NBGRADER_EXECUTION", None)
os.environ.pop("AUTOGRADER_MODE", None)


def missing(name: str) -> str | None:
    """Return why a dataset or data file is unavailable, or None when it is there.

    In CI a dataset that ../shared/datasets/README.md lists fails the test instead.
    """
    try:
        if name.endswith((".csv", ".gz")):
            datasets.find_file(name)
        else:
            datasets.load(name, subset="full")
    except datasets.DatasetError as error:
        message = f"dataset {name} is not available: {error}"
        if IN_CI and name in LISTED_DATASETS:
            pytest.fail(message)
        return message
    return None


def require(name: str) -> None:
    """Skip (or, in CI, fail for a listed dataset) when a dataset or data file is absent."""
    reason = missing(name)
    if reason:
        pytest.skip(reason)


def unchecked_cells(assignment: str) -> set[str]:
    """The assignment's accuracy cell when its training data is absent (with a warning), else nothing."""
    spec = corpus.load(assignment)
    reason = missing(spec.budget.dataset)
    if reason is None:
        return set()
    warnings.warn(f"{assignment}: {spec.accuracy_cell} not checked: {reason.splitlines()[0]}")
    return {spec.accuracy_cell}


def printed_accuracies(course_root: Path, assignment: str, student: str) -> list[str]:
    """The accuracies the hidden tests printed in a student's autograded notebook, in cell order."""
    notebook = notebooks.read(Course(course_root).autograded_notebook(assignment, student))
    printed = "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)
    return re.findall(r"accuracy after brief training: (\d\.\d+)", printed)


@pytest.fixture(scope="session")
def root() -> Path:
    """The course root (the repository root)."""
    return PROJECT_ROOT


def _explicitly_parametrized(metafunc, name: str) -> bool:
    return any(name in str(marker.args[0]) for marker in metafunc.definition.iter_markers("parametrize"))


def pytest_generate_tests(metafunc):
    """Run tests that take ``assignment`` (and ``wrong``) over every assignment (and wrong submission)."""
    assignments = course.assignments(PROJECT_ROOT)
    if "wrong" in metafunc.fixturenames and not _explicitly_parametrized(metafunc, "wrong"):
        cases = [_wrong_case(assignment, wrong) for assignment in assignments
                 for wrong in [*corpus.load(assignment).wrong, corpus.load(assignment).mixed]]
        metafunc.parametrize("assignment, wrong", cases)
    elif "assignment" in metafunc.fixturenames and not _explicitly_parametrized(metafunc, "assignment"):
        metafunc.parametrize("assignment", assignments, scope="module")


def _wrong_case(assignment: str, wrong: corpus.WrongSubmission):
    """One wrong submission as a test case; quick unless it loses a test cell that trains a model."""
    trains = cell_tests.training_tests(notebooks.read(course.source_notebook(PROJECT_ROOT, assignment)))
    marks = () if wrong.loses & trains else (pytest.mark.quick,)
    return pytest.param(assignment, wrong, marks=marks, id=f"{assignment}: {wrong.name}")


@pytest.fixture(scope="session")
def fashion_dense_source():
    """The fashion_dense instructor notebook."""
    return notebooks.read(course.source_notebook(PROJECT_ROOT, "fashion_dense"))


@pytest.fixture
def training_cache(tmp_path_factory, monkeypatch, warm_trainer):
    """Reuse brief-training results across in-process test-cell runs (training is deterministic), and train warm.

    A model not trained before goes to the session's warm training service
    (the grading worker's, which gives the fresh process's numbers to the
    last bit: tests/test_training.py).
    """
    folder = tmp_path_factory.getbasetemp() / "training-cache"
    monkeypatch.setenv(training.CACHE_VARIABLE, str(folder))
    monkeypatch.setenv(training.SERVICE_VARIABLE, str(warm_trainer.socket))
    return folder


@pytest.fixture(scope="session")
def warm_trainer(tmp_path_factory):
    """One warm training service for the session's in-process test-cell runs."""
    from autograder.grading.training_service import TrainingService

    service = TrainingService([], dict(os.environ), log=tmp_path_factory.getbasetemp() / "training-service.log")
    service.start()
    yield service
    service.stop()
