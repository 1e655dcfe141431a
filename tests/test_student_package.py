"""The student package: installs from its wheel into a clean environment, runs the release notebooks, holds no answer."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile

import pytest

import autograder
from autograder import course, nbgrader_run, notebooks
from autograder.authoring import install_cell, leaks, student_package
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


@pytest.mark.quick
def test_each_release_folder_holds_the_wheel_and_its_notebook_starts_with_the_install_cells(root, assignment):
    folder = Course(root).release_folder(assignment)
    assert (folder / student_package.wheel_name()).read_bytes() == student_package.build_wheel()
    release = notebooks.read(Course(root).release_notebook(assignment))
    assert [cell.get("id") for cell in release.cells[:2]] == [install_cell.MARKDOWN_ID, install_cell.CODE_ID]
    assert f"course-check {assignment}.ipynb" in release.cells[0].source
    assert f"LEARNER_WHEEL = {student_package.wheel_name()!r}" in release.cells[1].source
    assert release.metadata["autograder"]["cell_timeout_s"] == nbgrader_run.configured_cell_timeout(root)


def _install_cell(url: str = "") -> str:
    """The release notebooks' install cell, with the course's wheel address ``url``."""
    return install_cell.cells("fashion_dense.ipynb", student_package.wheel_name(), autograder.__version__, url)[1].source


def _run_cell(python, source: str, folder) -> subprocess.CompletedProcess:
    """Run a cell's code as a kernel started in ``folder`` would; pip offline and without dependencies (borrowed)."""
    return subprocess.run([str(python), "-c", source], capture_output=True, text=True, timeout=600, cwd=folder,
                          env={**os.environ, "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1"})


def test_the_install_cell_installs_the_wheel_beside_the_notebook_then_nothing(wheel, tmp_path):
    python = borrowing_venv(tmp_path / "venv")
    folder = tmp_path / "fashion_dense"
    folder.mkdir()
    shutil.copy(wheel, folder)
    first = _run_cell(python, _install_cell(), folder)
    assert first.returncode == 0, first.stderr[-2000:]
    assert f"installing {student_package.wheel_name()}" in first.stdout
    assert f"learner package {autograder.__version__} ready" in first.stdout
    again = _run_cell(python, _install_cell(), folder)
    assert again.returncode == 0 and "installing" not in again.stdout and "ready" in again.stdout, again.stderr


def test_the_install_cell_installs_from_the_course_address_where_the_wheel_is_not_beside_it(wheel, tmp_path,
                                                                                         local_host):
    python = borrowing_venv(tmp_path / "venv")
    shutil.copy(wheel, local_host.folder)
    url = f"{local_host.url}{wheel.name}"
    finished = _run_cell(python, _install_cell(url), tmp_path)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert f"installing {url}" in finished.stdout and "ready" in finished.stdout


def test_the_install_cell_without_the_wheel_or_an_address_says_where_to_put_the_file(tmp_path):
    python = borrowing_venv(tmp_path / "venv")
    finished = _run_cell(python, _install_cell(), tmp_path)
    assert finished.returncode != 0
    assert f"FileNotFoundError: {student_package.wheel_name()} is not in this notebook's folder ({tmp_path})" \
        in finished.stderr


# Words that start a command in a notebook's text; a student with only the learner wheel has the first three.
COMMAND_WORDS = {"course-check", "pip", "python", "autograder", "nbgrader", "jupyter", "export", "apt-get", "conda"}
STUDENT_COMMANDS = {"course-check", "pip", "python"}


def _commands(text: str) -> list[str]:
    """Every inline code span or code-block line of ``text`` that starts with a command word (``!``, ``%`` stripped)."""
    spans = re.findall(r"`([^`\n]+)`", text) + [line for block in re.findall(r"```\w*\n(.*?)```", text, re.S)
                                                 for line in block.splitlines()]
    return [span.strip().lstrip("!%") for span in spans
            if span.strip().lstrip("!%").split(" ")[0] in COMMAND_WORDS]


def test_every_command_a_release_notebook_names_runs_with_only_the_learner_wheel(root, student_python):
    named = {(assignment, command) for assignment in course.assignments(root)
             for cell in notebooks.read(Course(root).release_notebook(assignment)).cells if cell.cell_type == "markdown"
             for command in _commands(cell.source)}
    assert named, "no command found: the scan is broken"
    unusable = sorted((assignment, command) for assignment, command in named
                      if command.split(" ")[0] not in STUDENT_COMMANDS)
    assert unusable == [], "a student with only the learner wheel (or on Colab, a hub) cannot run these"
    for program in {command.split(" ")[0] for _, command in named} - {"pip", "python"}:
        finished = subprocess.run([str(student_python.parent / program), "--help"], capture_output=True, text=True)
        assert finished.returncode == 0, finished.stderr


def test_the_command_scan_finds_what_a_student_cannot_run():
    text = "Run `autograder doctor`, then:\n```bash\nexport AUTOGRADER_DATA_DIR=/data\n```\nor `!course-check a.ipynb`."
    assert sorted(_commands(text)) == ["autograder doctor", "course-check a.ipynb", "export AUTOGRADER_DATA_DIR=/data"]
