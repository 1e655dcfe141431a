"""Driving real nbgrader: scratch courses, nbgrader commands, reading the gradebook.

A scratch course is a folder with the course's ``nbgrader_config.py`` and
``source/<id>/`` in which the assignment has been generated (which fills
its gradebook). `autograder.grading.runner.batch` autogrades each submission in one;
this module runs the commands and reads scores back per ``grade_id``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder import course
from autograder.scores import ScoreTotals


# ``python -m nbgrader``, after importing autograder (which spares every nbgrader command a slow optional import).
NBGRADER_MAIN = "import autograder, runpy; runpy.run_module('nbgrader', run_name='__main__', alter_sys=True)"


def _interpreter_path() -> str:
    """``PATH`` with this interpreter's ``bin`` folder first (nbgrader runs ``alembic`` from there)."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def open_gradebook(gradebook_file: Path) -> Gradebook:
    """Open an nbgrader gradebook file (created when missing) for use in a ``with`` block.

    A new gradebook is made by nbgrader running ``alembic``, which must be on
    ``PATH``; this interpreter's ``bin`` folder is put there first.
    """
    if not os.environ.get("PATH", "").startswith(str(Path(sys.executable).parent)):
        os.environ["PATH"] = _interpreter_path()
    return Gradebook(f"sqlite:///{Path(gradebook_file).resolve()}")


def run_nbgrader(course_root: Path, *arguments: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run an ``nbgrader`` command in ``course_root``, raising with its output on failure.

    This interpreter's ``bin`` folder goes first on ``PATH``: nbgrader runs
    ``alembic`` from there, and kernels start with this interpreter.
    """
    finished = subprocess.run(
        [sys.executable, "-c", NBGRADER_MAIN, *arguments, "--log-level=WARN"],
        cwd=course_root,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PATH": _interpreter_path()},
    )
    if finished.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(arguments)} failed:\n{finished.stdout}\n{finished.stderr}")
    return finished


@dataclass
class SubmissionGrades(ScoreTotals):
    """Autograded scores of one student's notebook.

    Attributes:
        student: the student id.
        scores: automatic score per test-cell ``grade_id``.
        max_scores: points available per test-cell ``grade_id``.
        manual: ``grade_id`` of written answers waiting for a human grader.
    """

    student: str
    scores: dict[str, float] = field(default_factory=dict)
    max_scores: dict[str, float] = field(default_factory=dict)
    manual: list[str] = field(default_factory=list)


def scratch_course(root: Path, destination: Path, assignments: list[str]) -> Path:
    """Create (or reuse) a course at ``destination`` with the given assignments' sources.

    The assignment is generated there, which registers it in that course's
    gradebook. Existing submissions and grades in ``destination`` are kept.
    """
    copy_course(root, destination, assignments)
    for assignment in assignments:
        run_nbgrader(destination, "generate_assignment", assignment, "--force")
    return destination


def copy_course(root: Path, destination: Path, assignments: list[str] | tuple[str, ...]) -> Path:
    """Copy the course's ``nbgrader_config.py`` and the sources of ``assignments`` into ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(course.Course(root).config, course.Course(destination).config)
    for assignment in assignments:
        source = course.source_notebook(root, assignment).parent
        shutil.copytree(source, course.Course(destination).source_folder(assignment), dirs_exist_ok=True)
    return destination


def read_grades(course_root: Path, assignment: str, student: str) -> SubmissionGrades:
    """Read one student's automatic scores per test-cell ``grade_id`` from the gradebook."""
    grades = SubmissionGrades(student)
    with open_gradebook(course.Course(course_root).gradebook) as gradebook:
        notebook = gradebook.find_submission_notebook(assignment, assignment, student)
        for grade in notebook.grades:
            if grade.cell.cell_type == "code":
                grades.scores[grade.name] = float(grade.auto_score or 0.0)
                grades.max_scores[grade.name] = float(grade.max_score)
            elif grade.needs_manual_grade:
                grades.manual.append(grade.name)
    return grades


def read_max_scores(gradebook_file: Path, assignment: str) -> dict[str, float]:
    """Return ``{grade_id: points}`` of an assignment's autograded cells, from a gradebook file."""
    with open_gradebook(gradebook_file) as gradebook:
        notebook = gradebook.find_notebook(assignment, assignment)
        return {cell.name: float(cell.max_score) for cell in notebook.grade_cells if cell.cell_type == "code"}


def course_config(course_root: Path) -> Config:
    """The course's nbgrader configuration, read from its ``nbgrader_config.py``."""
    return PyFileConfigLoader(course.CONFIG_FILE, path=str(course_root)).load_config()


def configured_cell_timeout(course_root: Path) -> int:
    """The course's per-cell time limit in seconds (``c.Execute.timeout`` in its nbgrader config)."""
    return int(course_config(course_root).Execute.get("timeout", 300))
