"""Time ``course-check`` as a student runs it; print a table.

Usage: python benchmarks/course_check.py [--runs 2] [ASSIGNMENT ...]   (default: fashion_dense)

A new virtual environment holds only the learner wheel of
``release/<id>/``; the third-party libraries (Keras, TensorFlow, nbclient)
are read from this environment, as a student's would be installed there.
For each assignment, ``course-check`` runs on the reference answers (must
say "ready to submit") and on the untouched release notebook (must not),
in a folder of their own, with ``AUTOGRADER_DATA_DIR`` as set here. The
goal for a right fashion_dense notebook: under 60 s on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from autograder import course, notebooks
from autograder.authoring import samples, student_package
from autograder.course import Course

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import venvs  # noqa: E402  (the tests' student environments: a new venv borrowing this one's libraries)


def time_check(bin_folder: Path, notebook, folder: Path) -> tuple[float, int]:
    """Save ``notebook`` in ``folder``, run ``course-check`` on it; return (seconds, exit status)."""
    folder.mkdir(parents=True)
    path = folder / "notebook.ipynb"
    notebooks.write(notebook, path)
    began = time.perf_counter()
    finished = venvs.run_as_student(bin_folder / "course-check", path.name, cwd=folder)
    return time.perf_counter() - began, finished.returncode


def main() -> int:
    """Print the table; exit 1 when the right notebook was not ready or the untouched one was."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=["fashion_dense"])
    parser.add_argument("--runs", type=int, default=2)
    arguments = parser.parse_args()
    wrong = False
    print(f"{'assignment':<18} {'notebook':<10} {'run':>3} {'seconds':>8} {'exit':>4}")
    with tempfile.TemporaryDirectory(prefix="course-check-bench-") as scratch:
        scratch_path = Path(scratch)
        for assignment in arguments.assignments:
            release_folder = Course(ROOT).release_folder(assignment)
            python = venvs.borrowing_venv(scratch_path / f"{assignment}-venv")
            venvs.pip_install(python, str(release_folder / student_package.wheel_name()))
            bin_folder = python.parent
            release = notebooks.read(Course(ROOT).release_notebook(assignment))
            right = samples.fill(release, samples.reference_answers(
                notebooks.read(course.source_notebook(ROOT, assignment))))
            for kind, notebook, expected in (("right", right, 0), ("untouched", release, 1)):
                for run in range(1, arguments.runs + 1):
                    seconds, status = time_check(bin_folder, notebook, scratch_path / f"{assignment}-{kind}-{run}")
                    wrong |= status != expected
                    print(f"{assignment:<18} {kind:<10} {run:>3} {seconds:>8.1f} {status:>4}")
    print(f"machine: {os.cpu_count()} CPU cores; Python {sys.version.split()[0]}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
