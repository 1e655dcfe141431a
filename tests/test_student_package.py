"""The student package: installs from its wheel into a clean environment, runs the release notebooks, holds no answer."""

from __future__ import annotations

import os
import subprocess
import zipfile

import pytest

from autograder import course, notebooks
from autograder.authoring import leaks, student_package
from autograder.course import Course
from autograder.notebooks import role_cells
from conftest import missing
from venvs import borrowing_venv, pip_install


@pytest.fixture(scope="module")
def wheel(root):
    """The committed student wheel (test_build proves it is what the sources build)."""
    return root / "release" / student_package.wheel_name()


@pytest.fixture(scope="module")
def student_python(wheel, tmp_path_factory):
    python = borrowing_venv(tmp_path_factory.mktemp("student-venv") / "venv")
    pip_install(python, str(wheel))
    return python


def run(python, code: str, **environment: str) -> subprocess.CompletedProcess:
    """Run ``code`` with the student environment's python, away from the repository (its folder would shadow the install)."""
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=600, cwd=python.parent,
                          env={**os.environ, "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "3", **environment})


def test_the_wheel_is_current(root, wheel):
    assert wheel.read_bytes() == student_package.build_wheel()


def test_it_installs_the_learner_modules_and_nothing_else(student_python, tmp_path_factory):
    probe = """
import importlib.util, json, autograder, autograder.learner.checks
print(json.dumps({"file": autograder.__file__,
                  "others": [name for name in ("autograder.grading", "autograder.authoring", "autograder.cli")
                             if importlib.util.find_spec(name) is not None]}))
"""
    finished = run(student_python, probe)
    assert finished.returncode == 0, finished.stderr[-2000:]
    found = __import__("json").loads(finished.stdout)
    assert str(student_python.parent.parent) in found["file"]
    assert found["others"] == []


def test_it_holds_no_answer_and_no_hidden_test(root, wheel):
    with zipfile.ZipFile(wheel) as opened:
        names = opened.namelist()
        text = "\n".join(opened.read(name).decode("utf-8") for name in names)
    assert all(name.startswith(("autograder/__init__.py", "autograder/learner/", student_package.DISTRIBUTION))
               for name in names), names
    for assignment in course.assignments(root):
        source = notebooks.read(course.source_notebook(root, assignment))
        secrets = notebooks.secret_lines(source)
        assert leaks.leaks(text, secrets.solution | secrets.hidden) == [], assignment
        for cell in role_cells(source):
            if cell.role == "solution":
                assert notebooks.strip_solution_markers(cell.source).strip() not in text, cell.grade_id


def test_the_leak_check_finds_an_answer_put_in_the_package(root):
    solution = notebooks.secret_lines(notebooks.read(course.source_notebook(root, "fashion_dense"))).solution
    answer = max(solution, key=len)
    package_text = student_package.build_wheel().decode("latin-1")
    assert leaks.leaks(package_text, solution) == []
    assert leaks.leaks(package_text + "\n" + answer, solution) == [answer]


def test_every_release_notebook_runs_up_to_its_first_exercise(root, student_python, assignment):
    release = notebooks.read(Course(root).release_notebook(assignment))
    cells = []
    for cell in release.cells:
        if notebooks.role_of(cell) in ("solution", "manual"):
            break
        if cell.cell_type == "code":
            cells.append(cell.source)
    for name in ("fashion_mnist", "mnist", "cifar10", "sign_language"):
        if any(name in code for code in cells) and missing(name):
            pytest.skip(missing(name))
    finished = run(student_python, "\n".join(cells), AUTOGRADER_MODE="learning")
    assert finished.returncode == 0, finished.stderr[-3000:]
