"""``course-check NOTEBOOK``: is this notebook ready to submit? Runs it as the grader will, on the student's machine.

The notebook runs from the top in a fresh kernel, in grading mode (the
grader's small datasets and capped epochs, `autograder.learner.modes`),
with each cell held to the grader's time limit (recorded in the release
notebook by ``autograder build``). Only the tests a student can see run:
the release notebook holds no hidden test, and nothing is sent anywhere.

It ends with "ready to submit" (exit status 0) or lists, cell by cell,
what would cost points (exit status 1):

- a visible test that fails, with the check's message;
- an answer not written yet (the cell still holds the release's stub);
- a cell that raises an error;
- a cell that ran without error in the saved notebook but fails when run
  from the top: it depends on cells run out of order (or since deleted);
- a cell that runs longer than the grader allows, or kills the kernel.

`check` is the same as a function. Under the grader it does nothing, so a
last cell that calls it grades like any other.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.learner import modes

DEFAULT_CELL_LIMIT_S = 300
READY = "ready to submit"
SECONDS_KEY = "course_check_seconds"
DIED_KEY = "course_check_kernel_died"
# What nbgrader leaves in an answer cell (the course's ClearSolutions stubs).
CODE_STUB = "raise NotImplementedError"
TEXT_STUB = "YOUR ANSWER HERE"


@dataclass
class Problem:
    """One thing that would cost points: the cell (1-based, counting every cell), its exercise, and what is wrong."""

    cell: int
    exercise: str
    words: str

    def line(self) -> str:
        """The problem as one line of the report."""
        where = f"cell {self.cell}" + (f" ({self.exercise})" if self.exercise else "")
        return f"- {where}: {self.words}"


@dataclass
class CheckReport:
    """What a check found: the problems in cell order, the seconds it took, and whether cells ran out of order."""

    notebook: Path
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    ran_out_of_order: bool = False

    @property
    def ready(self) -> bool:
        """True when nothing would cost points."""
        return not self.problems

    def text(self) -> str:
        """The report as a student reads it."""
        head = f"course-check {self.notebook.name}: ran every cell from the top in a fresh kernel, grading mode, " \
               f"in {self.seconds:.0f} s"
        if self.ready:
            return f"{head}\n{READY}"
        lines = [head, f"not ready: {len(self.problems)} problem(s)", *(problem.line() for problem in self.problems)]
        if self.ran_out_of_order:
            lines.append("Your saved notebook ran its cells out of order: use Kernel > Restart Kernel and Run All "
                         "Cells, fix what fails, save, and check again.")
        return "\n".join(lines)


def check(notebook: str | Path, cell_limit_s: float | None = None) -> CheckReport | None:
    """Run the saved ``notebook`` as the grader will (see the module) and return what would cost points.

    Args:
        notebook: the ``.ipynb`` file (save it first: the check reads the file).
        cell_limit_s: seconds one cell may take (default: what the release
            notebook records, else 300).

    Returns:
        The report (print ``report.text()``), or None under the grader,
        where the check does nothing.

    Raises:
        FileNotFoundError: there is no such notebook.
        ValueError: the file is not a notebook.
    """
    if modes.is_grading():
        return None
    import nbformat

    path = Path(notebook).resolve()
    try:
        saved = nbformat.read(str(path), as_version=4)
    except FileNotFoundError:
        raise FileNotFoundError(f"no notebook at {path}: give the path of the .ipynb file you will submit") from None
    except Exception as error:  # nbformat's own errors are several classes; all mean "not a notebook"
        raise ValueError(f"{path} is not a readable notebook ({type(error).__name__}): is it the .ipynb file?") from None
    limit = cell_limit_s or saved.metadata.get("autograder", {}).get("cell_timeout_s", DEFAULT_CELL_LIMIT_S)
    started = time.perf_counter()
    fresh = _run_fresh(saved, path.parent, limit)
    report = CheckReport(path, seconds=time.perf_counter() - started, ran_out_of_order=_out_of_order(saved))
    for number, (before, after) in enumerate(zip(saved.cells, fresh.cells), start=1):
        problem = _problem(number, before, after, limit)
        if problem:
            report.problems.append(problem)
    return report


def _run_fresh(saved, folder: Path, limit: float):
    """A copy of ``saved`` run from the top in a new kernel started in ``folder``, in grading mode.

    Each code cell's wall-clock seconds go into its metadata (``course_check_seconds``).
    """
    import copy

    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    notebook = copy.deepcopy(saved)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    began: dict[int, float] = {}

    def started(cell, cell_index, **_) -> None:
        began[cell_index] = time.perf_counter()

    def finished(cell, cell_index, **_) -> None:
        cell.metadata[SECONDS_KEY] = time.perf_counter() - began.get(cell_index, time.perf_counter())

    try:
        NotebookClient(notebook, timeout=limit, allow_errors=True, interrupt_on_timeout=True,
                       resources={"metadata": {"path": str(folder)}},
                       on_cell_execute=started, on_cell_executed=finished).execute(
            env={**os.environ, modes.MODE_VARIABLE: "grading"})
    except DeadKernelError:
        notebook.cells[max(began)].metadata[DIED_KEY] = True
    return notebook


def _out_of_order(saved) -> bool:
    """True when the saved notebook's execution counts do not rise from top to bottom."""
    counts = [cell.execution_count for cell in saved.cells if cell.cell_type == "code" and cell.execution_count]
    return counts != sorted(counts)


def _error(cell) -> tuple[str, str] | None:
    """The (name, message) of the error a code cell's outputs show, if any."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output.get("ename", "Error"), output.get("evalue", "")
    return None


def _problem(number: int, before, after, limit: float) -> Problem | None:
    """What cell ``number`` would cost: ``before`` as saved, ``after`` as run fresh."""
    grading = after.metadata.get("nbgrader", {})
    exercise = grading.get("grade_id", "")
    if grading.get("solution") and CODE_STUB in after.source:
        return Problem(number, exercise, "not answered yet: the cell still holds `raise NotImplementedError()`")
    if grading.get("solution") and TEXT_STUB in after.source:
        return Problem(number, exercise, f"not answered yet: the cell still says {TEXT_STUB}")
    if after.cell_type != "code":
        return None
    if after.metadata.get(DIED_KEY):
        return Problem(number, exercise, "the kernel died running this cell (out of memory, or the code ended "
                                         "Python): the grader loses it and every cell after it")
    if after.metadata.get(SECONDS_KEY, 0.0) >= limit:
        return Problem(number, exercise, f"ran longer than the grader allows a cell ({limit:g} s); it would be stopped")
    error = _error(after)
    if error is None:
        return None
    name, message = error
    if before.get("execution_count") and before.get("outputs") and _error(before) is None:
        return Problem(number, exercise, f"ran without error in your saved notebook but fails from the top "
                                         f"({name}: {message}): it depends on cells run out of order or since deleted")
    why = "an exercise it uses is not answered yet (NotImplementedError)" if name == "NotImplementedError" \
        else f"{name}: {message}"
    if grading.get("grade") and not grading.get("solution"):
        return Problem(number, exercise, f"a test fails: {why}")
    return Problem(number, exercise, f"fails: {why}")


def main(argv: list[str] | None = None) -> int:
    """``course-check NOTEBOOK [--cell-limit S]``: print the report; exit 0 when ready to submit, 1 when not, 2 on bad input."""
    parser = argparse.ArgumentParser(prog="course-check", description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path, help="the .ipynb file you will submit (save it first)")
    parser.add_argument("--cell-limit", type=float, default=None,
                        help="seconds one cell may take (default: what the notebook records, else 300)")
    arguments = parser.parse_args(argv)
    try:
        report = check(arguments.notebook, arguments.cell_limit)
    except (FileNotFoundError, ValueError) as error:
        print(f"course-check: {error}", file=sys.stderr)
        return 2
    if report is None:
        print("course-check: does nothing under the grader")
        return 0
    print(report.text())
    return 0 if report.ready else 1


if __name__ == "__main__":
    sys.exit(main())
