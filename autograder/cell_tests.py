"""Running a notebook's own test cells in this process, against given answers.

Full nbgrader autograding costs about a minute per training notebook on two
CPU cores. To prove that every wrong submission loses exactly the right
points, the test suite instead executes, in one Python namespace: the
notebook's read-only setup cells, its solution cells (reference answers,
some replaced by the wrong ones), then every test cell, hidden blocks
included, exactly as the source notebook has them. A test cell passes when
it raises nothing. Lesson cells (data exploration, plots, long training)
are skipped; test cells must not depend on them.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Mapping

import nbformat

from autograder.notebooks import role_cells
from autograder.samples import reference_answers


@dataclass
class CellTestReport:
    """Outcome of each test cell: ``None`` when it passed, else the error's last line."""

    outcomes: dict[str, str | None] = field(default_factory=dict)
    answer_errors: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> set[str]:
        """grade_ids of the test cells that failed."""
        return {grade_id for grade_id, error in self.outcomes.items() if error is not None}


def _last_line(error: BaseException) -> str:
    return traceback.format_exception_only(type(error), error)[-1].strip()


def run_test_cells(source: nbformat.NotebookNode, overrides: Mapping[str, str] | None = None) -> CellTestReport:
    """Execute setup, answer and test cells of ``source`` in one fresh namespace.

    Args:
        source: the instructor notebook (hidden tests included).
        overrides: answers that replace the reference answers, per solution
            ``grade_id``.

    Returns:
        A `CellTestReport`; errors raised by answer cells are recorded too
        (a broken answer cell simply leaves its names undefined).
    """
    answers = {**reference_answers(source), **(overrides or {})}
    unknown = set(overrides or {}) - set(answers)
    if unknown:
        raise KeyError(f"overrides name cells the notebook does not have: {sorted(unknown)}")
    namespace: dict = {"__name__": "__main__"}
    report = CellTestReport()
    for cell in role_cells(source):
        if cell.role == "manual" or cell.cell_type != "code":
            continue
        code = answers[cell.grade_id] if cell.role == "solution" else cell.source
        try:
            exec(compile(code, f"<{cell.grade_id}>", "exec"), namespace)
        except (Exception, SystemExit) as error:  # learner code may raise anything, sys.exit included
            if cell.role == "test":
                report.outcomes[cell.grade_id] = _last_line(error)
            else:
                report.answer_errors[cell.grade_id] = _last_line(error)
            continue
        if cell.role == "test":
            report.outcomes[cell.grade_id] = None
    return report
