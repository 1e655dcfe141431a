"""`autograder audit ID`: do an assignment's hidden tests catch every plausible wrong answer?

The reference answers of ``source/<id>/<id>.ipynb`` are mutated
(`autograder.authoring.mutants`) and each mutant is graded with the
in-process harness (`autograder.authoring.cell_tests`): only the test cells
the mutated answer can change, and the cells that train a model only when
every cheaper cell passed. Each mutant is then

- **killed**: a test cell fails (which ones is recorded), or a cell runs
  past the per-cell limit, as it would under the grader;
- **not plausible**: the mutated cell itself raises when it runs (a
  student would see the error; nobody has to kill it);
- **equivalent**: it passes every test and ``audit/<id>.toml`` records why
  that is right (a reviewed reason, e.g. "a loss of 'mse' spelt 'mean_squared_error'");
- **unexplained**: it passes every test and nothing says why: a test to
  strengthen (and a wrong answer for the corpus), or a reason to record.

The file of reasons, a mutant's name or a pattern (`fnmatch`) for a family::

    [equivalent]
    "train:keyword:3.11:verbose= left out" = "how much fit prints is not part of the exercise"
    "build_rps_network:string:5.45:'relu' -> *" = "the hidden layers' activations are the student's design"
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import signal
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from autograder import notebooks
from autograder.authoring import cell_tests, mutants, samples
from autograder.course import Course

KILLED, NOT_PLAUSIBLE, EQUIVALENT, UNEXPLAINED, NOT_RUN = "killed", "not plausible", "equivalent", "unexplained", "not run"
CELL_LIMIT_S = 60
Item = TypeVar("Item")


class AuditError(ValueError):
    """The assignment or its file of reasons cannot be read."""


class _PastTheCellLimit(BaseException):
    """A mutant's test cell ran longer than `CELL_LIMIT_S` (a BaseException, so the harness does not catch it)."""


@dataclass(frozen=True)
class Verdict:
    """What became of one mutant: ``outcome`` (one of the module's five), the cells that failed, or the reason."""

    mutant: mutants.Mutant
    outcome: str
    killed_by: frozenset[str] = frozenset()
    reason: str = ""


@dataclass
class AuditReport:
    """Every mutant's verdict, and how long the audit took."""

    assignment: str
    verdicts: list[Verdict] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, outcome: str) -> int:
        """How many mutants got ``outcome``."""
        return sum(verdict.outcome == outcome for verdict in self.verdicts)

    def summary(self) -> str:
        """The closing line: ``audit ID: M mutants, K killed, E equivalent, U unexplained`` (not plausible ones count as
        killed by nobody, mutants the budget left out as unexplained)."""
        killed = self.count(KILLED) + self.count(NOT_PLAUSIBLE)
        unexplained = self.count(UNEXPLAINED) + self.count(NOT_RUN)
        return (f"audit {self.assignment}: {len(self.verdicts)} mutants, {killed} killed, {self.count(EQUIVALENT)} "
                f"equivalent, {unexplained} unexplained")

    @property
    def passed(self) -> bool:
        """True when no mutant is unexplained or left out."""
        return self.count(UNEXPLAINED) + self.count(NOT_RUN) == 0


def recorded_reasons(root: Path, assignment: str) -> dict[str, str]:
    """The reasons recorded for equivalent mutants, by mutant name (none when the file does not exist).

    Raises:
        AuditError: the file is not TOML with an ``[equivalent]`` table of names to reasons.
    """
    path = Course(root).audit_verdicts(assignment)
    if not path.exists():
        return {}
    try:
        reasons = tomllib.loads(path.read_text(encoding="utf-8")).get("equivalent", {})
    except tomllib.TOMLDecodeError as error:
        raise AuditError(f"{path}: expected TOML, found an error: {error}") from None
    if not isinstance(reasons, dict) or not all(isinstance(text, str) and text.strip() for text in reasons.values()):
        raise AuditError(f"{path}: expected an [equivalent] table of mutant names to non-empty reasons")
    return reasons


@contextlib.contextmanager
def _cell_limit(seconds: int) -> Iterator[None]:
    def past(signum, frame):  # noqa: ARG001 (signal handler signature)
        raise _PastTheCellLimit()
    previous = signal.signal(signal.SIGALRM, past)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _failed(source, answers: dict[str, str], only: set[str]) -> tuple[set[str], dict[str, str]]:
    """The test cells of ``only`` that fail with ``answers``, and the answer cells that raise."""
    printed = io.StringIO()  # what the learner's code and Keras print: the verdict is what counts
    try:
        with _cell_limit(CELL_LIMIT_S), contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            report = cell_tests.run_test_cells(source, answers, only=only)
    except _PastTheCellLimit:
        return set(only), {}
    return report.failed, report.answer_errors


def grade_mutant(source, base_answers: dict[str, str], mutant: mutants.Mutant, reasons: dict[str, str],
                 training_tests: set[str]) -> Verdict:
    """Grade one mutant (see the module): structure checks first, the ``training_tests`` it can change only if they
    all pass."""
    overrides = {mutant.cell: mutant.source}
    affected = cell_tests.affected_tests(source, overrides)
    training = training_tests & affected
    answers = {**base_answers, **overrides}
    failed, broken = _failed(source, answers, affected - training)
    if mutant.cell in broken:
        return Verdict(mutant, NOT_PLAUSIBLE, reason=broken[mutant.cell])
    if not failed and training:
        failed, broken = _failed(source, answers, training)
    if failed:
        return Verdict(mutant, KILLED, frozenset(failed))
    reason = reason_for(mutant.name, reasons)
    return Verdict(mutant, EQUIVALENT, reason=reason) if reason else Verdict(mutant, UNEXPLAINED)


def reason_for(name: str, reasons: dict[str, str]) -> str:
    """The reason recorded for the mutant ``name``: under its own name, else under the first pattern that matches it
    (``*`` and ``?`` as in `fnmatch`: one reason for a family, e.g. every activation of a layer the design leaves
    free), else ""."""
    if name in reasons:
        return reasons[name]
    return next((reason for pattern, reason in reasons.items() if fnmatch.fnmatchcase(name, pattern)), "")


def audit(root: Path, assignment: str, operators: tuple[str, ...] = tuple(mutants.OPERATORS),
          budget_s: float | None = None, cells: tuple[str, ...] = (), sample: int | None = None,
          progress: Callable[[Verdict], None] | None = None) -> AuditReport:
    """Mutate the reference answers of ``assignment`` and grade every mutant (see the module).

    Args:
        root: the course.
        assignment: its id; the reference answers are read from ``source/``.
        operators: the mutation operators (`autograder.authoring.mutants.OPERATORS`).
        budget_s: stop grading after this many seconds; the rest are "not run".
        cells: only these answer cells (default: every one).
        sample: grade at most this many mutants, spread evenly over them
            (the same ones on every run: a fixed sample).
        progress: called with each verdict as it is reached.

    Raises:
        AuditError: an unknown operator or cell, or an unreadable file of reasons.
    """
    unknown = set(operators) - set(mutants.OPERATORS)
    if unknown:
        raise AuditError(f"unknown operators {sorted(unknown)}: expected some of {sorted(mutants.OPERATORS)}")
    path = Course(root).source_notebook(assignment)
    if not path.exists():
        raise AuditError(f"no assignment {assignment!r}: expected {path}")
    source = notebooks.read(path)
    reference = code_answers(source)
    missing = set(cells) - set(reference)
    if missing:
        raise AuditError(f"no answer cells {sorted(missing)} in {assignment}: expected some of {sorted(reference)}")
    chosen = {cell: code for cell, code in reference.items() if not cells or cell in cells}
    reasons = recorded_reasons(root, assignment)
    training = cell_tests.training_tests(source)
    report = AuditReport(assignment)
    started = time.perf_counter()
    for mutant in fixed_sample(mutants.all_mutants(chosen, operators), sample):
        if budget_s is not None and time.perf_counter() - started > budget_s:
            verdict = Verdict(mutant, NOT_RUN)
        else:
            verdict = grade_mutant(source, reference, mutant, reasons, training)
        report.verdicts.append(verdict)
        if progress:
            progress(verdict)
    report.seconds = time.perf_counter() - started
    return report


def code_answers(source) -> dict[str, str]:
    """The reference answers of ``source``'s code cells, by grade_id (written answers are not mutated)."""
    code_cells = {cell.grade_id for cell in notebooks.role_cells(source) if cell.cell_type == "code"}
    return {cell: code for cell, code in samples.reference_answers(source).items() if cell in code_cells}


def fixed_sample(items: list[Item], size: int | None) -> list[Item]:
    """At most ``size`` of ``items``, evenly spread and always the same (all of them when ``size`` is None).

    Example:
        >>> fixed_sample(list(range(10)), 3)
        [0, 3, 6]
    """
    if size is None or size >= len(items):
        return items
    step = len(items) / size
    return [items[int(index * step)] for index in range(size)]
