"""Reading the nbgrader roles of a notebook's cells.

A cell's role comes from its ``nbgrader`` metadata: ``solution`` (the
learner writes code), ``test`` (autograded tests, visible and hidden),
``manual`` (a written answer graded by hand) or ``readonly`` (locked
instructor code such as the imports). Cells without a role are lesson text
and exploratory code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

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
