"""Running a notebook's own test cells in this process, against given answers.

Full nbgrader autograding costs about a minute per training notebook on two
CPU cores. To prove that every wrong submission loses exactly the right
points, the test suite instead executes, in one Python namespace: the
notebook's read-only setup cells and its solution cells (reference answers,
some replaced by wrong ones), in notebook order, then every test cell,
hidden blocks included, exactly as the source notebook has them. A test
cell passes when it raises nothing. Lesson cells (data exploration, plots,
long training) are skipped; test cells must not depend on them.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Mapping

import nbformat

from autograder.notebooks import role_cells
from autograder.authoring.samples import reference_answers


@dataclass
class CellTestReport:
    """Outcome of each test cell: ``None`` when it passed, else the error's last line."""

    outcomes: dict[str, str | None] = field(default_factory=dict)
    answer_errors: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> set[str]:
        """grade_ids of the test cells that failed."""
        return {grade_id for grade_id, error in self.outcomes.items() if error is not None}


def _run(code: str, name: str, namespace: dict) -> str | None:
    """Execute ``code`` in ``namespace``; return the error's last line, or None."""
    try:
        exec(compile(code, f"<{name}>", "exec"), namespace)
    except (Exception, SystemExit) as error:  # learner code may raise anything, sys.exit included
        return traceback.format_exception_only(type(error), error)[-1].strip()
    return None


def answer_namespace(
    source: nbformat.NotebookNode, overrides: Mapping[str, str] | None = None
) -> tuple[dict, dict[str, str]]:
    """Execute the setup and answer cells of ``source`` in a fresh namespace.

    Args:
        source: the instructor notebook.
        overrides: answers that replace the reference answers, per solution
            ``grade_id``.

    Returns:
        The namespace, and the error of each answer cell that raised (a
        broken answer cell simply leaves its names undefined).

    Raises:
        KeyError: ``overrides`` names a cell that is not a solution cell.
    """
    answers = reference_answers(source)
    unknown = set(overrides or {}) - set(answers)
    if unknown:
        raise KeyError(f"overrides name cells the notebook does not have: {sorted(unknown)}")
    answers.update(overrides or {})
    namespace: dict = {"__name__": "__main__"}
    errors = {}
    for cell in role_cells(source):
        if cell.cell_type == "code" and cell.role in ("readonly", "solution"):
            error = _run(answers.get(cell.grade_id, cell.source), cell.grade_id, namespace)
            if error is not None:
                errors[cell.grade_id] = error
    return namespace, errors


def run_test_cells(source: nbformat.NotebookNode, overrides: Mapping[str, str] | None = None) -> CellTestReport:
    """Run every test cell of ``source`` against the reference answers with ``overrides``.

    Returns:
        A `CellTestReport` with each test cell's outcome and each broken
        answer cell's error.
    """
    namespace, errors = answer_namespace(source, overrides)
    report = CellTestReport(answer_errors=errors)
    for cell in role_cells(source):
        if cell.role == "test":
            report.outcomes[cell.grade_id] = _run(cell.source, cell.grade_id, namespace)
    return report
