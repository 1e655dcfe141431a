"""Shared fixtures: the course root, the assignments, dataset availability, a quiet and offline environment.

Tests get the course root from the ``root`` fixture; a test (or fixture)
that takes an ``assignment`` argument runs once per assignment under
``source/``, and one that takes ``assignment`` and ``wrong`` once per
wrong submission in the corpus.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder import course, nbgrader_run, notebooks
from autograder.authoring import cell_tests, corpus
from autograder.course import Course
from autograder.grading.runner import templates
from autograder.grading.trainer import trained_store
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


# Modules whose fixtures are per assignment, or who have none: the tests of one assignment stay in one process.
SPLIT_BY_ASSIGNMENT = ("test_autograde.py", "test_corpus.py")
BATCH_GROUP = "fashion_dense_batch"


def _process_group(item: pytest.Item, batch_modules: set[str]) -> str:
    """The pytest-xdist group of a test: what shares a module or session fixture that grades or trains stays together."""
    module = item.path.name
    assignment = item.callspec.params.get("assignment") if hasattr(item, "callspec") else None
    if module in SPLIT_BY_ASSIGNMENT and assignment:
        # test_autograde reads fashion_dense's grades from the session's batch (`graded`).
        return BATCH_GROUP if module == "test_autograde.py" and assignment == "fashion_dense" else f"{module}[{assignment}]"
    return BATCH_GROUP if module in batch_modules else module


def pytest_collection_modifyitems(config, items):
    """Group the tests for the two processes of scripts/test.sh (``-n 2 --dist loadgroup``).

    Every module that reads the session's fashion_dense batch runs in the
    process that grades it (once); any other module runs whole in one
    process (its module fixtures are made once), and test_autograde and
    test_corpus one assignment at a time.
    """
    if not config.pluginmanager.hasplugin("xdist"):
        return
    batch_modules = {item.path.name for item in items if BATCH_GROUP in item.fixturenames}
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_process_group(item, batch_modules)))


def run_folder(tmp_path_factory) -> Path:
    """The test run's temporary folder, one for all its processes (each pytest-xdist process has its own below it)."""
    own = tmp_path_factory.getbasetemp()
    return own.parent if os.environ.get("PYTEST_XDIST_WORKER") else own


def _wrong_case(assignment: str, wrong: corpus.WrongSubmission):
    """One wrong submission as a test case; quick unless it loses a test cell that trains a model."""
    trains = cell_tests.training_tests(notebooks.read(course.source_notebook(PROJECT_ROOT, assignment)))
    marks = () if wrong.loses & trains else (pytest.mark.quick,)
    return pytest.param(assignment, wrong, marks=marks, id=f"{assignment}: {wrong.name}")


class ScratchCourses:
    """The one way tests make a scratch course: the course's config and sources, generated once per test session.

    Each assignment is generated by nbgrader once, in a course of the
    session's own (`autograder.grading.runner.templates` keeps that generation);
    every scratch course gets a copy of what was kept, so its first grading
    run starts without generating again, exactly as a course's second run
    does.
    """

    def __init__(self, root: Path, folder: Path) -> None:
        self.root = root
        self.generated = folder / "generated"
        self.folder = folder

    def make(self, name: str, assignments: tuple[str, ...] = ("fashion_dense",), *, registered: bool = False,
             extra_config: str = "") -> Path:
        """A new course folder named after ``name`` with ``assignments``' sources and kept generations.

        Args:
            name: a word for the folder's name.
            assignments: the assignments whose sources it gets.
            registered: also give it the gradebook and release of the (first)
                assignment, as after ``nbgrader generate_assignment``.
            extra_config: lines added to its ``nbgrader_config.py`` (its
                assignments are then generated again on first use).
        """
        destination = self.folder / f"{name}-{len(list(self.folder.glob(f'{name}-*')))}"
        nbgrader_run.copy_course(self.root, destination, assignments)
        if not extra_config:
            nbgrader_run.copy_course(self.root, self.generated, assignments)
            for assignment in assignments:
                shutil.copytree(templates.generated_course(self.generated, assignment).root.parent,
                                Course(destination).templates_folder / assignment)
        else:
            with Course(destination).config.open("a", encoding="utf-8") as config:
                config.write(extra_config)
        if registered:  # as after nbgrader generate_assignment: the gradebook and the release
            templates.register(destination, assignments[0])
            generated = templates.generated_course(destination, assignments[0])
            shutil.copytree(generated.release_folder(assignments[0]), Course(destination).release_folder(assignments[0]))
        return destination


@pytest.fixture(scope="session")
def scratch_courses(tmp_path_factory) -> ScratchCourses:
    """Makes scratch courses (see `ScratchCourses`)."""
    return ScratchCourses(PROJECT_ROOT, tmp_path_factory.mktemp("courses"))


@pytest.fixture(scope="session")
def fashion_dense_batch(scratch_courses, tmp_path_factory):
    """The session's one graded fashion_dense batch (tests/fashion_dense_batch.py), graded on first use."""
    import fashion_dense_batch

    require("fashion_mnist")
    return fashion_dense_batch.grade(PROJECT_ROOT, scratch_courses.make("fashion-dense-batch"),
                                     tmp_path_factory.mktemp("fashion-dense-inbox"))


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
    folder = run_folder(tmp_path_factory) / "training-cache"
    monkeypatch.setenv(training.CACHE_VARIABLE, str(folder))
    monkeypatch.setenv(training.SERVICE_VARIABLE, str(warm_trainer.socket))
    return folder


@pytest.fixture(scope="session", autouse=True)
def trained_results(tmp_path_factory):
    """One store of trained results for every grading run and training service of the session.

    Training is deterministic, so a model the suite trained once (in any
    batch, `autograder grade` or the demo) is not trained again
    (`autograder.grading.trainer.trained_store`). tests/test_training.py's
    service keeps none: training itself is tested there.
    """
    folder = run_folder(tmp_path_factory) / "trained-results"
    os.environ[trained_store.STORE_VARIABLE] = str(folder)
    yield folder
    os.environ.pop(trained_store.STORE_VARIABLE, None)


@pytest.fixture(scope="session")
def warm_trainer(tmp_path_factory):
    """One warm training service for the session's in-process test-cell runs."""
    from autograder.grading.trainer.training_service import TrainingService

    service = TrainingService([], dict(os.environ), log=tmp_path_factory.getbasetemp() / "training-service.log")
    service.start()
    yield service
    service.stop()


@dataclass(frozen=True)
class LocalHost:
    """A folder served over HTTP on 127.0.0.1, standing in for a download host: put files in ``folder``."""

    folder: Path
    url: str  # ends with "/"


@pytest.fixture
def local_host(tmp_path):
    """A `LocalHost` for one test, stopped after it."""
    folder = tmp_path / "host"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield LocalHost(folder, f"http://127.0.0.1:{server.server_address[1]}/")
    server.shutdown()
