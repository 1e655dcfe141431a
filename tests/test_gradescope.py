"""The Gradescope autograder of fashion_dense, built, set up and run as Gradescope runs it, grading as `autograder grade` does.

The zip is unpacked into a folder laid out like Gradescope's ``/autograder``
(``source``, ``submission``, ``results``), with this project's wheel from the
zip installed into a new virtual environment that borrows only third-party
libraries (tests/venvs.py). ``setup.sh`` runs for real except its apt and PyPI
steps (``AUTOGRADER_GRADESCOPE_SKIP_INSTALL=1``, as this machine's tests must
not download), reading the data from ``AUTOGRADER_DATA_DIR``; then
``run_autograder`` grades the corpus's submission with several mistakes
(right answers and wrong ones), whose ``results.json`` must give the scores
and messages `autograder grade` gives the same notebook, and submissions
with no notebook or several, which must still get a ``results.json`` that
says why. (Each graded upload takes over a minute on 2 cores; the reference's
full marks are proven for every assignment in tests/test_autograde.py.)
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from autograder import calibrated, cli, course, nbgrader_run, notebooks
from autograder.authoring import corpus, gradescope, samples
from autograder.course import Course
from conftest import require
from venvs import borrowing_venv, pip_install

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "fashion_dense"
# The file names students upload are their own; Gradescope keeps them.
UPLOADS = {"mixed": f"Copy of {ASSIGNMENT} (1).ipynb"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def unpack(archive: Path, folder: Path) -> None:
    """Extract ``archive`` into ``folder`` with the modes its members carry, as ``unzip`` does."""
    with zipfile.ZipFile(archive) as opened:
        for member in opened.infolist():
            opened.extract(member, folder)
            os.chmod(folder / member.filename, member.external_attr >> 16 & 0o777)


def console_script(python: Path, name: str, target: str) -> None:
    """Write the console script pip would have made for a borrowed library (nbgrader runs ``alembic`` from ``PATH``)."""
    module, function = target.split(":")
    script = python.parent / name
    script.write_text(f"#!{python}\nimport sys\nfrom {module} import {function}\nsys.exit({function}())\n")
    script.chmod(0o755)


@pytest.fixture(scope="module")
def built(root, tmp_path_factory):
    require("fashion_mnist")
    return gradescope.build(root, ASSIGNMENT, tmp_path_factory.mktemp("zip") / "autograder.zip")


@pytest.fixture(scope="module")
def gradescope_machine(built, tmp_path_factory):
    """Gradescope's ``/autograder`` after ``setup.sh``, with the environment to run ``run_autograder``; and setup's output."""
    folder = tmp_path_factory.mktemp("gradescope")
    root = folder / "autograder"
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    unpack(built.path, root / "source")
    python = borrowing_venv(folder / "venv")
    pip_install(python, str(root / "source" / built.wheel))
    console_script(python, "alembic", "alembic.config:main")
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    environment.update(AUTOGRADER_GRADESCOPE_ROOT=str(root), AUTOGRADER_GRADESCOPE_PYTHON=str(python),
                       AUTOGRADER_GRADESCOPE_SKIP_INSTALL="1")
    setup = subprocess.run(["bash", "setup.sh"], cwd=root / "source", env=environment, capture_output=True, text=True,
                           timeout=900)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    (root / "run_autograder").write_bytes((root / "source" / "run_autograder").read_bytes())
    (root / "run_autograder").chmod(0o755)
    return root, environment, setup.stdout


def run_autograder(machine, files: dict[str, bytes]) -> dict:
    """Put ``files`` in the submission folder, run ``run_autograder`` in ``/autograder`` and return ``results.json``."""
    root, environment, _ = machine
    for folder in ("submission", "results"):
        for old in (root / folder).iterdir():
            old.unlink()
    for name, content in files.items():
        (root / "submission" / name).write_bytes(content)
    finished = subprocess.run([str(root / "run_autograder")], cwd=root, env=environment, capture_output=True,
                              text=True, timeout=1800)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def submissions(root):
    source = notebooks.read(course.source_notebook(root, ASSIGNMENT))
    release = notebooks.read(Course(root).release_notebook(ASSIGNMENT))
    reference = samples.reference_answers(source)
    return {"correct": samples.fill(release, reference),
            "mixed": samples.fill(release, {**reference, **corpus.load(ASSIGNMENT).mixed.overrides})}


@pytest.fixture(scope="module")
def on_gradescope(gradescope_machine, submissions, tmp_path_factory):
    """Each submission's ``results.json`` from ``run_autograder``."""
    graded = {}
    for student, upload in UPLOADS.items():
        path = tmp_path_factory.mktemp("upload") / upload
        notebooks.write(submissions[student], path)
        graded[student] = run_autograder(gradescope_machine, {upload: path.read_bytes()})
    return graded


@pytest.fixture(scope="module")
def by_autograder_grade(fashion_dense_batch):
    """Each upload's result from `autograder grade`: the session's batch (tests/fashion_dense_batch.py) has them."""
    graded = {result.student: result for result in fashion_dense_batch.report.results}
    return {"mixed": graded["some_wrong"]}


def test_the_zip_holds_what_gradescope_and_setup_need(built):
    with zipfile.ZipFile(built.path) as opened:
        modes = {member.filename: member.external_attr >> 16 & 0o777 for member in opened.infolist()}
        requirements = opened.read("requirements.txt").decode().split()
        constraints = opened.read("constraints.txt").decode().split()
        setup = opened.read("setup.sh").decode()
        with opened.open(built.wheel) as wheel_file, zipfile.ZipFile(wheel_file) as wheel:
            packaged = set(wheel.namelist())
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert {f"course/{course.CONFIG_FILE}", f"course/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", "assignment.env"} <= set(modes)
    assert {"autograder/learner/checks.py", "autograder/grading/runner/batch.py",
            "autograder/authoring/gradescope_files/run_autograder"} <= packaged
    assert any(line.startswith("tensorflow-cpu") for line in requirements)
    assert not any(line.startswith("tensorflow>") or line == "tensorflow" for line in requirements), requirements
    assert {"keras>=3.3", "nbgrader<0.10,>=0.9.6"} <= set(requirements), requirements
    assert "pytest" not in " ".join(requirements)  # a test tool, not part of the grading image
    pinned = calibrated.calibrated_versions()
    assert {f"keras=={pinned['keras']}", f"tensorflow-cpu=={pinned['tensorflow']}"} <= set(constraints)
    assert '-r "$SOURCE/requirements.txt" -c "$SOURCE/constraints.txt"' in setup
    assert built.datasets == ("fashion_mnist",) and built.bundled == ()


def test_setup_uses_the_given_data_and_registers_the_assignment(gradescope_machine):
    root, _, printed = gradescope_machine
    if os.environ.get("AUTOGRADER_DATA_DIR"):
        assert "nothing fetched" in printed
    assert "dataset fashion_mnist: 60000 training and 10000 test images" in printed
    with nbgrader_run.open_gradebook(Course(root / "source" / "course").gradebook) as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).name == ASSIGNMENT


def test_scores_and_messages_are_those_of_autograder_grade(on_gradescope, by_autograder_grade):
    expected = by_autograder_grade["mixed"].to_gradescope()
    found = on_gradescope["mixed"]

    def shown(result):
        return [(test["name"], test["score"], test["max_score"], test["status"], test["output"]) for test in result["tests"]]

    assert found["extra_data"]["status"] == "graded"
    assert shown(found) == shown(expected)
    assert (found["score"], found["output"]) == (expected["score"], expected["output"])


def test_the_mistakes_lose_their_tests_and_the_right_answers_keep_theirs(on_gradescope):
    mixed = on_gradescope["mixed"]
    assert mixed["score"] == sum(test["max_score"] for test in mixed["tests"] if test["status"] == "passed") > 0
    failed = {test["name"] for test in mixed["tests"] if test["status"] == "failed"}
    assert failed == corpus.load(ASSIGNMENT).mixed.loses
    assert all(test["output"] for test in mixed["tests"] if test["status"] == "failed")


def test_results_follow_gradescopes_specification(on_gradescope):
    for result in on_gradescope.values():
        assert isinstance(result["score"], float) and isinstance(result["output"], str)
        assert result["output_format"] == "text"
        for test in result["tests"]:
            assert isinstance(test["name"], str) and test["name"]
            assert 0 <= test["score"] <= test["max_score"]
            assert test["visibility"] in VISIBILITIES and test["status"] in ("passed", "failed")
            assert isinstance(test["output"], str)


def test_a_submission_without_a_notebook_still_gets_results_that_say_so(gradescope_machine, on_gradescope):
    found = run_autograder(gradescope_machine, {"answers.py": b"print('hi')\n"})
    assert found["score"] == 0.0
    assert sorted(test["name"] for test in found["tests"]) == sorted(test["name"] for test in on_gradescope["mixed"]["tests"])
    assert "no notebook in submission/: expected fashion_dense.ipynb" in found["output"]
    assert "Gradescope received answers.py; expected a Jupyter notebook (.ipynb)." in found["output"]


def test_several_notebooks_none_named_after_the_assignment_get_results_that_say_so(gradescope_machine, submissions,
                                                                                     tmp_path):
    notebooks.write(submissions["correct"], tmp_path / "mine.ipynb")
    content = (tmp_path / "mine.ipynb").read_bytes()
    found = run_autograder(gradescope_machine, {"first.ipynb": content, "second.ipynb": content})
    assert found["score"] == 0.0
    assert "several notebooks and none named fashion_dense.ipynb: first.ipynb, second.ipynb" in found["output"]


def test_the_zip_carries_sign_language_mnist_as_plain_csv():
    require("sign_language")
    carried = gradescope.bundled_data(("sign_language",))
    assert set(carried) == {"sign_mnist_train.csv", "sign_mnist_test.csv"}
    assert all(content.startswith(b"label,pixel1,pixel2,") for content in carried.values())


def test_the_command_names_an_unknown_assignment(root, capsys):
    assert cli.main(["--course", str(root), "gradescope", "no_such_assignment"]) == 2
    assert "No assignment 'no_such_assignment'" in capsys.readouterr().err
