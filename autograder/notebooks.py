"""Reading a notebook as nbgrader sees it: the roles of its cells, its secret lines, the datasets it loads.

A cell's role comes from its ``nbgrader`` metadata: ``solution`` (the
learner writes code), ``test`` (autograded tests, visible and hidden),
``manual`` (a written answer graded by hand) or ``readonly`` (locked
instructor code such as the imports). Cells without a role are lesson text
and exploratory code. `secret_lines` sorts a source notebook's lines into
hidden-test, solution and public lines (feedback leaves out the hidden
ones; `autograder.authoring.leaks` looks for both where students read);
`notebook_datasets` names the datasets a notebook loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

# A learner's dataset call: datasets.load("mnist") or datasets.sign_language_csv(...).
DATASET_CALL = re.compile(r"datasets\.(?:load\(\s*[\"'](\w+)[\"']|(sign_language_csv)\()")

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class RoleCell:
    """One cell that nbgrader tracks.

    Attributes:
        grade_id: nbgrader's id of the cell.
        role: ``solution``, ``test``, ``manual`` or ``readonly``.
        source: the cell's text.
        points: points the cell is worth (0 for solution and read-only cells).
        index: position of the cell in the notebook.
        cell_type: ``code`` or ``markdown``.
    """

    grade_id: str
    role: str
    source: str
    points: float
    index: int
    cell_type: str


def read(path: str | Path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat 4."""
    return nbformat.read(str(path), as_version=4)


def write(notebook: nbformat.NotebookNode, path: str | Path) -> None:
    """Write a notebook as nbformat 4, making its folder."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))


def role_of(cell: nbformat.NotebookNode) -> str | None:
    """Return the nbgrader role of a cell, or None for an ordinary cell."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if meta.get("solution") and meta.get("grade"):
        return "manual"
    if meta.get("solution"):
        return "solution"
    if meta.get("grade"):
        return "test"
    if meta.get("locked"):
        return "readonly"
    return None


def role_cells(notebook: nbformat.NotebookNode) -> list[RoleCell]:
    """Return every cell nbgrader tracks, in notebook order."""
    found = []
    for index, cell in enumerate(notebook.cells):
        role = role_of(cell)
        if role is not None:
            meta = cell.metadata["nbgrader"]
            found.append(
                RoleCell(meta["grade_id"], role, cell.source, float(meta.get("points", 0)), index, cell.cell_type)
            )
    return found


def test_points(notebook: nbformat.NotebookNode) -> dict[str, float]:
    """Return ``{grade_id: points}`` of the autograded test cells."""
    return {cell.grade_id: cell.points for cell in role_cells(notebook) if cell.role == "test"}


def strip_solution_markers(source: str) -> str:
    """Remove the ``### BEGIN SOLUTION`` / ``### END SOLUTION`` lines of a cell."""
    lines = [line for line in source.split("\n") if line.strip() not in SOLUTION_MARKERS]
    return "\n".join(lines)


@dataclass(frozen=True)
class SecretLines:
    """The stripped lines of a source notebook, by who may see them."""

    hidden: frozenset[str]
    solution: frozenset[str]
    public: frozenset[str]


def secret_lines(source: nbformat.NotebookNode) -> SecretLines:
    """Sort the stripped lines of ``source`` into hidden, solution and public (see the module)."""
    hidden: set[str] = set()
    solution: set[str] = set()
    public: set[str] = set()
    for cell in source.cells:
        if role_of(cell) == "manual":
            solution.update(line.strip() for line in cell.source.splitlines())
            continue
        where = public
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                where = hidden
            elif "BEGIN SOLUTION" in line:
                where = solution
            elif "END HIDDEN TESTS" in line or "END SOLUTION" in line:
                where = public
            else:
                where.add(line.strip())
    solution -= public | {""}
    hidden -= public | solution | {""}
    return SecretLines(frozenset(hidden), frozenset(solution), frozenset(public))


def notebook_datasets(notebook_text: str) -> tuple[str, ...]:
    """The datasets a notebook loads through `autograder.learner.datasets`, in order of first use.

    Example:
        >>> notebook_datasets('datasets.load("mnist") ... datasets.sign_language_csv("train")')
        ('mnist', 'sign_language')
    """
    found: list[str] = []
    for name, csv_call in DATASET_CALL.findall(notebook_text):
        name = "sign_language" if csv_call else name
        if name not in found:
            found.append(name)
    return tuple(found)
