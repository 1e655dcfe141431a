"""``course-check``, as a student runs it: the learner wheel alone in a clean environment, a notebook beside it.

A right notebook is ready to submit; an unfinished one names each
exercise not answered; one that only worked because its cells ran out of
order names the cell that fails from the top. Under the grader the check
does nothing. How long a right fashion_dense notebook takes is measured by
benchmarks/course_check.py, not here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest

from autograder import course, notebooks
from autograder.authoring import samples, student_package
from autograder.course import Course
from autograder.learner import course_check
from conftest import require
from venvs import borrowing_venv, pip_install, run_as_student

ASSIGNMENT = "fashion_dense"


@pytest.fixture(scope="module")
def course_check_command(root, tmp_path_factory) -> Path:
    """``course-check`` of a new environment holding only the learner wheel (third-party libraries borrowed)."""
    python = borrowing_venv(tmp_path_factory.mktemp("student") / "venv")
    pip_install(python, str(Course(root).release_folder(ASSIGNMENT) / student_package.wheel_name()))
    return python.parent / "course-check"


def _check(command: Path, notebook: nbformat.NotebookNode, folder: Path, *flags: str) -> subprocess.CompletedProcess:
    """Save ``notebook`` in ``folder`` and run ``course-check`` on it there, as a student would."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ASSIGNMENT}.ipynb"
    notebooks.write(notebook, path)
    return run_as_student(command, path.name, *flags, cwd=folder)


def test_a_right_notebook_is_ready_to_submit(root, course_check_command, tmp_path):
    require("fashion_mnist")
    release = notebooks.read(Course(root).release_notebook(ASSIGNMENT))
    right = samples.fill(release, samples.reference_answers(notebooks.read(course.source_notebook(root, ASSIGNMENT))))
    finished = _check(course_check_command, right, tmp_path / "right")
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    assert finished.stdout.strip().endswith(course_check.READY)


def test_an_unfinished_notebook_names_each_exercise_not_answered(root, course_check_command, tmp_path):
    require("fashion_mnist")
    release = notebooks.read(Course(root).release_notebook(ASSIGNMENT))
    reference = samples.reference_answers(notebooks.read(course.source_notebook(root, ASSIGNMENT)))
    unfinished = samples.fill(release, {grade_id: answer for grade_id, answer in reference.items()
                                        if grade_id in ("class_names", "scale_images")})
    finished = _check(course_check_command, unfinished, tmp_path / "unfinished")
    assert finished.returncode == 1, finished.stdout[-3000:] + finished.stderr[-3000:]
    for exercise in ("build_dense_model", "compile_model", "callbacks", "train"):
        assert f"({exercise}): not answered yet: the cell still holds `raise NotImplementedError()`" in finished.stdout
    for written in ("human_performance", "confusions"):
        assert f"({written}): not answered yet: the cell still says YOUR ANSWER HERE" in finished.stdout
    for answered in ("class_names", "scale_images", "test_class_names", "test_scale_images"):
        assert f"({answered})" not in finished.stdout
    assert "(test_build_dense_model): a test fails: an exercise it uses is not answered yet (NotImplementedError)" \
        in finished.stdout


def test_cells_that_worked_only_out_of_order_run_too_long_or_kill_the_kernel_are_named(course_check_command, tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    defined_late = nbformat.v4.new_code_cell("threshold = 0.5", execution_count=1)
    uses_it = nbformat.v4.new_code_cell("print(threshold)", execution_count=2,
                                        outputs=[nbformat.v4.new_output("stream", name="stdout", text="0.5\n")])
    slow = nbformat.v4.new_code_cell("import time\ntime.sleep(30)")
    dies = nbformat.v4.new_code_cell("import os\nos._exit(1)")
    notebook.cells = [uses_it, nbformat.v4.new_code_cell("x = 1", execution_count=3), defined_late, slow, dies]
    finished = _check(course_check_command, notebook, tmp_path / "out-of-order", "--cell-limit", "3")
    assert finished.returncode == 1, finished.stdout + finished.stderr
    assert "- cell 1: ran without error in your saved notebook but fails from the top (NameError: name 'threshold' " \
           "is not defined): it depends on cells run out of order or since deleted" in finished.stdout
    assert "- cell 4: ran longer than the grader allows a cell (3 s); it would be stopped" in finished.stdout
    assert "- cell 5: the kernel died running this cell" in finished.stdout
    assert "Restart Kernel and Run All Cells" in finished.stdout
    assert "cell 2" not in finished.stdout and "cell 3" not in finished.stdout


@pytest.mark.quick
def test_under_the_grader_the_check_does_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_MODE", "grading")
    assert course_check.check(tmp_path / "anything.ipynb") is None


@pytest.mark.quick
def test_a_missing_or_broken_file_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AUTOGRADER_MODE", "learning")
    assert course_check.main([str(tmp_path / "nowhere.ipynb")]) == 2
    assert f"course-check: no notebook at {tmp_path / 'nowhere.ipynb'}" in capsys.readouterr().err
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert course_check.main([str(tmp_path / "broken.ipynb")]) == 2
    assert "is not a readable notebook" in capsys.readouterr().err
