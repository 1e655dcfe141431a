"""Finding a class's submissions of one assignment, in the layouts instructors receive them.

Three layouts are understood:

- nbgrader's: ``<path>/<student>/<assignment>/<assignment>.ipynb`` (a
  course's ``submitted/`` folder);
- a folder of notebooks named by student (``alice.ipynb``,
  ``alice_fashion_dense.ipynb``) or of one folder per student holding
  one notebook (``alice/anything.ipynb``), as LMS downloads are;
- a ``.zip`` of either of the above.

Every student found becomes an `Incoming`; one whose notebook is missing
or ambiguous still does, with the problem in words, so the grade table
shows them instead of silently leaving them out.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

NOTEBOOK_SUFFIX = ".ipynb"
IGNORED_PARTS = ("__MACOSX", ".ipynb_checkpoints")


class SubmissionsError(ValueError):
    """The submissions path cannot be read at all (missing, or not a folder or zip)."""


@dataclass(frozen=True)
class Incoming:
    """One student's submission as found.

    Attributes:
        student: the student id (letters, digits, ``_``, ``-``, ``.``).
        notebook: the notebook file, or None when there is none to grade.
        problem: why there is nothing to grade, or None.
    """

    student: str
    notebook: Path | None
    problem: str | None = None


def student_id(name: str, assignment: str) -> str:
    """Turn a file or folder name into a student id.

    Example:
        >>> student_id("Alice Smith_fashion_dense.ipynb", "fashion_dense")
        'Alice_Smith'
    """
    stem = name.removesuffix(NOTEBOOK_SUFFIX)
    for affix in (f"_{assignment}", f"-{assignment}"):
        stem = stem.removesuffix(affix)
    stem = stem.removeprefix(f"{assignment}_").removeprefix(f"{assignment}-")
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._") or "unnamed"


def _notebooks(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob(f"*{NOTEBOOK_SUFFIX}")
        if path.is_file() and not any(part in IGNORED_PARTS for part in path.relative_to(folder).parts)
    )


def _pick(student: str, folder: Path, assignment: str) -> Incoming:
    found = _notebooks(folder)
    named = [path for path in found if path.name == f"{assignment}{NOTEBOOK_SUFFIX}"]
    if len(named) == 1 or len(found) == 1:
        return Incoming(student, (named or found)[0])
    if not found:
        return Incoming(student, None, f"no notebook in {folder.name}/: expected {assignment}{NOTEBOOK_SUFFIX}")
    names = ", ".join(path.name for path in found)
    return Incoming(student, None, f"several notebooks and none named {assignment}{NOTEBOOK_SUFFIX}: {names}")


def collect(path: Path, assignment: str, unpack_to: Path | None = None) -> list[Incoming]:
    """Return every student's submission of ``assignment`` under ``path``, sorted by student.

    Args:
        path: a folder in one of the layouts above, or a ``.zip`` of one.
        assignment: the assignment id.
        unpack_to: where to unpack a zip (default: a new temporary folder).

    Raises:
        SubmissionsError: ``path`` is missing, or is neither a folder nor a zip.
    """
    if not path.exists():
        raise SubmissionsError(f"submissions not found: {path} does not exist")
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise SubmissionsError(f"submissions must be a folder or a .zip; received: {path}")
        folder = Path(unpack_to or tempfile.mkdtemp(prefix="autograder-zip-"))
        _unzip(path, folder)
        return collect(folder, assignment)
    incoming: dict[str, Incoming] = {}
    for entry in sorted(path.iterdir()):
        if entry.name in IGNORED_PARTS or entry.name.startswith("."):
            continue
        if entry.is_dir():
            nbgrader_folder = entry / assignment
            found = _pick(student_id(entry.name, assignment), nbgrader_folder if nbgrader_folder.is_dir() else entry, assignment)
        elif entry.suffix == NOTEBOOK_SUFFIX:
            found = Incoming(student_id(entry.name, assignment), entry)
        else:
            continue
        if found.student in incoming:
            found = Incoming(found.student, None, f"two submissions map to student id {found.student!r}")
        incoming[found.student] = found
    return [incoming[student] for student in sorted(incoming)]


def _unzip(archive: Path, folder: Path) -> None:
    """Extract ``archive`` into ``folder``, refusing members that would land outside it."""
    with zipfile.ZipFile(archive) as opened:
        for member in opened.infolist():
            target = (folder / member.filename).resolve()
            if not target.is_relative_to(folder.resolve()):
                raise SubmissionsError(f"{archive.name}: member {member.filename!r} points outside the archive")
        opened.extractall(folder)
