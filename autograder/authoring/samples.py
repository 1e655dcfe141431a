"""Making submissions: a release notebook with the learner's answers filled in.

An *answers* mapping gives, per solution cell ``grade_id``, the code a
learner would have typed into that cell. The reference answers come from
the source notebook; a wrong submission overrides some of them.
"""

from __future__ import annotations

import copy
from typing import Mapping

import nbformat

from autograder.notebooks import role_cells, role_of, strip_solution_markers


def reference_answers(source: nbformat.NotebookNode) -> dict[str, str]:
    """Return ``{grade_id: code}`` of the source notebook's solution cells, markers removed."""
    return {
        cell.grade_id: strip_solution_markers(cell.source)
        for cell in role_cells(source)
        if cell.role in ("solution", "manual")
    }


def fill(release: nbformat.NotebookNode, answers: Mapping[str, str]) -> nbformat.NotebookNode:
    """Return a copy of a release notebook with solution cells replaced by ``answers``.

    Args:
        release: a notebook from ``release/``.
        answers: code (or text, for written answers) per solution ``grade_id``;
            cells not named keep the release's stub.

    Raises:
        KeyError: ``answers`` names a cell the notebook does not have.
    """
    notebook = copy.deepcopy(release)
    known = set()
    for cell in notebook.cells:
        if role_of(cell) in ("solution", "manual"):
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            known.add(grade_id)
            if grade_id in answers:
                cell.source = answers[grade_id]
    unknown = set(answers) - known
    if unknown:
        raise KeyError(f"answers name cells the notebook does not have: {sorted(unknown)}")
    return notebook
