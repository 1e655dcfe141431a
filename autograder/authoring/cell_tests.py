"""Running a notebook's own test cells in this process, against given answers.

Full nbgrader autograding costs about a minute per training notebook on two
CPU cores. To prove that every wrong submission loses exactly the right
points, the test suite instead executes, in one Python namespace: the
notebook's read-only setup cells and its solution cells (reference answers,
some replaced by wrong ones), in notebook order, then every test cell,
hidden blocks included, exactly as the source notebook has them. A test
cell passes when it raises nothing. Lesson cells (data exploration, plots,
long training) are skipped; test cells must not depend on them.

`affected_tests` says which test cells a changed answer can change: those
that use, directly or through other answer cells, a name the changed cells
define (read from the code, so test cells must name what they use, as they
do). A wrong submission only needs those run; every other test cell runs
the reference's code and passes as it does for the reference. Running only
some test cells runs only the answer cells they use (`needed_answers`).
"""

from __future__ import annotations

import ast
import traceback
from dataclasses import dataclass, field
from typing import Mapping

import nbformat

from autograder.learner import keras_log
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
    source: nbformat.NotebookNode, overrides: Mapping[str, str] | None = None, include: set[str] | None = None
) -> tuple[dict, dict[str, str]]:
    """Execute the setup and answer cells of ``source`` in a fresh namespace.

    Args:
        source: the instructor notebook.
        overrides: answers that replace the reference answers, per solution
            ``grade_id``.
        include: run just these answer cells (default: all); setup cells always run.

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
    keras_log.clear()  # a fresh kernel's log is empty too
    namespace: dict = {"__name__": "__main__"}
    errors = {}
    for cell in role_cells(source):
        if cell.role == "solution" and include is not None and cell.grade_id not in include:
            continue
        if cell.cell_type == "code" and cell.role in ("readonly", "solution"):
            error = _run(answers.get(cell.grade_id, cell.source), cell.grade_id, namespace)
            if error is not None:
                errors[cell.grade_id] = error
    return namespace, errors


def run_test_cells(
    source: nbformat.NotebookNode, overrides: Mapping[str, str] | None = None, only: set[str] | None = None
) -> CellTestReport:
    """Run the test cells of ``source`` against the reference answers with ``overrides``.

    Args:
        source: the instructor notebook.
        overrides: answers that replace the reference answers, per solution ``grade_id``.
        only: run just these test cells (default: all), and just the answer
            cells they use (`needed_answers`).

    Returns:
        A `CellTestReport` with each run test cell's outcome and each broken
        answer cell's error.
    """
    include = None if only is None else needed_answers(source, overrides or {}, only)
    namespace, errors = answer_namespace(source, overrides, include)
    report = CellTestReport(answer_errors=errors)
    for cell in role_cells(source):
        if cell.role == "test" and (only is None or cell.grade_id in only):
            report.outcomes[cell.grade_id] = _run(cell.source, cell.grade_id, namespace)
    return report


def training_tests(source: nbformat.NotebookNode) -> set[str]:
    """The test cells that train a model (they call ``training.brief_train`` or a model's ``fit``)."""
    return {cell.grade_id for cell in role_cells(source)
            if cell.role == "test" and ("brief_train(" in cell.source or ".fit(" in cell.source)}


def _names(code: str) -> tuple[set[str], set[str], set[str]]:
    """The top-level names ``code`` binds, every name it reads, and the names it reads but binds nowhere itself (a
    test cell's own ``_model``, or a parameter of a function it defines, is not an answer's); nothing for code that
    does not parse."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set(), set(), set()
    top_level: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            top_level.add(statement.name)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            top_level.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
        else:
            top_level.update(node.id for node in ast.walk(statement)
                             if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store))
    nodes = list(ast.walk(tree))
    read = {node.id for node in nodes if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    anywhere = {node.id for node in nodes if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)}
    anywhere |= {node.arg for node in nodes if isinstance(node, ast.arg)}
    anywhere |= {node.name for node in nodes if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return top_level, read, read - anywhere - top_level


def _answer_names(
    source: nbformat.NotebookNode, overrides: Mapping[str, str]
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per answer cell, the top-level names it binds and the names it reads from outside (`_names`), in the
    reference's code or the override's."""
    answers = reference_answers(source)
    binds: dict[str, set[str]] = {}
    reads: dict[str, set[str]] = {}
    for cell in role_cells(source):
        if cell.role != "solution":
            continue
        versions = [answers[cell.grade_id]] + ([overrides[cell.grade_id]] if cell.grade_id in overrides else [])
        binds[cell.grade_id], reads[cell.grade_id] = set(), set()
        for code in versions:
            bound, _, free = _names(code)
            binds[cell.grade_id] |= bound
            reads[cell.grade_id] |= free
    return binds, reads


def affected_tests(source: nbformat.NotebookNode, overrides: Mapping[str, str]) -> set[str]:
    """The test cells whose outcome answers ``overrides`` can change (see the module).

    A test cell is affected when it reads a name that an overridden answer
    cell binds, or that an answer cell binds which (transitively) reads
    such a name, in the reference's code or the override's.
    """
    binds, reads = _answer_names(source, overrides)
    changed = set(overrides)
    while True:
        tainted = set().union(*(binds[grade_id] for grade_id in changed)) if changed else set()
        grown = changed | {grade_id for grade_id in binds if reads[grade_id] & tainted}
        if grown == changed:
            return {cell.grade_id for cell in role_cells(source) if cell.role == "test" and _names(cell.source)[1] & tainted}
        changed = grown


def needed_answers(source: nbformat.NotebookNode, overrides: Mapping[str, str], tests: set[str]) -> set[str]:
    """The answer cells that the test cells ``tests`` use: those binding a name they read, transitively.

    Other answer cells cannot change those tests' outcomes, so they need not
    run (one of them may train three networks).
    """
    binds, reads = _answer_names(source, overrides)
    wanted = set().union(*(_names(cell.source)[2] for cell in role_cells(source)
                           if cell.role == "test" and cell.grade_id in tests))
    needed: set[str] = set()
    while True:
        grown = needed | {grade_id for grade_id in binds if binds[grade_id] & wanted}
        wanted |= set().union(*(reads[grade_id] for grade_id in grown)) if grown else set()
        if grown == needed:
            return needed
        needed = grown
