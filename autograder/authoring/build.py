"""Regenerating `release/` and `solutions/` from `source/` (and the student package), and checking for drift.

Release notebooks come from real ``nbgrader generate_assignment``, run in a
scratch course (`autograder.nbgrader_run.scratch_course`) so that the
repository gets no gradebook; each gets the install cells first
(`autograder.authoring.install_cell`) and the learner wheel beside it in
``release/<id>/``, so that ``nbgrader release_assignment`` ships both.
Answer keys come from `autograder.authoring.solutions.answer_key`. Both are
deterministic: the same source gives the same bytes.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat

import autograder
from autograder import course, nbgrader_run, notebooks, settings
from autograder.authoring import install_cell, solutions, student_package
from autograder.course import Course


def generate(root: Path, assignment: str) -> dict[str, bytes]:
    """Return the generated files of one assignment, by path relative to the course root.

    Args:
        root: the course root.
        assignment: an assignment id under ``source/``.
    """
    source_path = course.source_notebook(root, assignment)
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="autograder-build-") as scratch:
        scratch_root = nbgrader_run.scratch_course(root, Path(scratch), [assignment])
        release = Course(scratch_root).release_folder(assignment)
        for path in sorted(release.rglob("*")):
            if path.is_file():
                files[f"release/{assignment}/{path.relative_to(release)}"] = path.read_bytes()
    notebook = f"release/{assignment}/{source_path.name}"
    files[notebook] = _for_students(root, source_path.name, files[notebook])
    files[f"release/{assignment}/{student_package.wheel_name()}"] = student_package.build_wheel()
    key = solutions.answer_key(notebooks.read(source_path))
    files[f"solutions/{assignment}/{assignment}.ipynb"] = (nbformat.writes(key) + "\n").encode()
    return files


def _for_students(root: Path, name: str, generated: bytes) -> bytes:
    """The release notebook nbgrader generated, with the install cells first and the grader's cell limit recorded.

    The limit (``metadata.autograder.cell_timeout_s``) is what ``course-check`` holds each cell to.
    """
    notebook = nbformat.reads(generated.decode("utf-8"), as_version=4)
    install_cell.with_install_cells(notebook, name, student_package.wheel_name(), autograder.__version__,
                                    settings.load_release(root).learner_wheel_url)
    grading = settings.load(root)
    notebook.metadata["autograder"] = {"cell_timeout_s": settings.cell_limit_s(root, grading.cell_timeout_s,
                                                                                 grading.timeout_s)}
    return (nbformat.writes(notebook) + "\n").encode("utf-8")


def _committed(root: Path, assignment: str) -> dict[str, bytes]:
    found = {}
    for folder in ("release", "solutions"):
        base = root / folder / assignment
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if path.is_file():
                found[str(path.relative_to(root))] = path.read_bytes()
    return found


def student_package_drift(root: Path) -> list[str]:
    """One line when ``release/`` lacks the current student package or holds another wheel."""
    expected = student_package.generate()
    present = {f"release/{path.name}": path.read_bytes() for path in sorted(Course(root).release_root.glob("*.whl"))}
    problems = [f"{path}: missing" for path in expected if path not in present]
    problems += [f"{path}: differs from what autograder/learner builds" for path in expected
                 if path in present and present[path] != expected[path]]
    problems += [f"{path}: not the current student package (stale)" for path in present if path not in expected]
    return problems


def write_student_package(root: Path) -> list[str]:
    """Write the student package into ``release/`` (removing older wheels); return the paths written."""
    for stale in Course(root).release_root.glob("*.whl"):
        stale.unlink()
    files = student_package.generate()
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
    return sorted(files)


def drift(root: Path, assignment: str) -> list[str]:
    """Return one line per generated file that differs from what ``source/`` generates."""
    expected, present = generate(root, assignment), _committed(root, assignment)
    problems = [f"{path}: missing" for path in expected if path not in present]
    problems += [f"{path}: differs from what source/ generates" for path in expected if path in present and present[path] != expected[path]]
    problems += [f"{path}: not generated from source/ (stale)" for path in present if path not in expected]
    return problems


def write(root: Path, assignment: str) -> list[str]:
    """Regenerate ``release/<id>/`` and ``solutions/<id>/``; return the paths written."""
    files = generate(root, assignment)
    for folder in ("release", "solutions"):
        shutil.rmtree(root / folder / assignment, ignore_errors=True)
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return sorted(files)
