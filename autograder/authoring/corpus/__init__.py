"""Known submissions per assignment, right and wrong, for tests, calibration and the demo.

Each assignment has a module here defining ``CORPUS``, an `AssignmentCorpus`:

- ``wrong``: submissions with one mistake each (at least one per graded
  test cell), with the exact set of test cells each must fail;
- ``mixed``: one submission with several mistakes, graded by real nbgrader
  in the tests and shown in the demo;
- ``second_correct``: another valid way to write every exercise, which must
  get full marks;
- ``lesson_style``: every exercise written the way the original lessons
  (``../shared/lessons``) write such code (``tf.keras``, ``Sequential().add``,
  ``input_shape=``, ``activation=tf.nn.relu``, pandas for CSVs), which must
  get full marks on the TensorFlow backend;
- the accuracy check (``accuracy_cell``, the test cell that trains), its
  model (``model_code`` binds ``model`` to the compiled model the hidden
  test trains), budget and threshold, and the broken variants the
  calibration trains next to the reference;

Answers are given per solution cell ``grade_id`` as the code a learner
would type into that cell; cells not named keep the reference answer.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Mapping

from autograder.learner.budgets import TrainingBudget


@dataclass(frozen=True)
class WrongSubmission:
    """A submission that must lose exactly the points of ``loses``; ``says``: words each lost cell's message holds."""

    name: str
    overrides: Mapping[str, str]
    loses: frozenset[str]
    says: str = ""


def mistake(name: str, loses: set[str], says: str = "", **overrides: str) -> WrongSubmission:
    """Build a `WrongSubmission`: its name, the test cells it loses, and its answers by ``grade_id``.

    ``says``: words the message of each lost test cell must hold (the cause
    it names, where the check can see it).

    Example:
        >>> mistake("sigmoid output", {"test_build"}, build="...").loses
        frozenset({'test_build'})
    """
    return WrongSubmission(name, overrides, frozenset(loses), says)


@dataclass(frozen=True)
class CalibrationVariant:
    """A model the calibration trains: the reference or a broken variant.

    Attributes:
        name: how the calibration table names it.
        overrides: answers that differ from the reference.
        shuffle_labels: train on permuted labels.
        must_fail: True when the accuracy threshold must reject it; False for
            the reference and for mistakes the structure checks catch instead.
    """

    name: str
    overrides: Mapping[str, str] = field(default_factory=dict)
    shuffle_labels: bool = False
    must_fail: bool = True

    @property
    def is_reference(self) -> bool:
        """True for the unchanged reference answers on true labels."""
        return not self.overrides and not self.shuffle_labels


@dataclass(frozen=True)
class AssignmentCorpus:
    """Everything known about right and wrong answers to one assignment."""

    wrong: list[WrongSubmission]
    mixed: WrongSubmission
    second_correct: Mapping[str, str]
    model_code: str
    budget: TrainingBudget
    threshold: float
    variants: list[CalibrationVariant]
    accuracy_cell: str
    lesson_style: Mapping[str, str] = field(default_factory=dict)
    # Right answers in other spellings, by name: each must pass every test cell it can change.
    right_variants: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def rounds(wrong: list[WrongSubmission]) -> list[WrongSubmission]:
    """Pack single-mistake submissions into few submissions whose mistakes touch different cells.

    Each round combines mistakes that override different answer cells and
    lose disjoint sets of test cells, so a round must lose exactly the
    union, and every test cell it loses is owed to one known mistake. Real
    nbgrader grades every mistake of the corpus in a handful of notebooks
    this way (the in-process harness proves each one alone).

    Example:
        >>> [sorted(r.loses) for r in rounds([mistake("a", {"t1"}, x="1"), mistake("b", {"t2"}, y="2")])]
        [['t1', 't2']]
    """
    packed: list[WrongSubmission] = []
    for entry in wrong:
        for index, other in enumerate(packed):
            if not set(entry.overrides) & set(other.overrides) and not entry.loses & other.loses:
                packed[index] = WrongSubmission(f"{other.name}; {entry.name}", {**other.overrides, **entry.overrides},
                                                other.loses | entry.loses)
                break
        else:
            packed.append(entry)
    return packed


def covering(packed: list[WrongSubmission], already: frozenset[str] = frozenset()) -> list[WrongSubmission]:
    """Pick few of ``packed`` that together lose every test cell any of them loses and ``already`` lacks.

    Greedy, in corpus order on ties. The quick nbgrader check grades these
    beside a submission that loses ``already`` (the corpus's several
    mistakes): each test cell is lost under real nbgrader at least once, for
    a mistake whose loss the in-process harness proves alone.

    Example:
        >>> [r.name for r in covering([mistake("a", {"t1"}, x="1"), mistake("b", {"t1", "t2"}, y="2")])]
        ['b']
    """
    missing = (set().union(*(entry.loses for entry in packed)) if packed else set()) - already
    chosen: list[WrongSubmission] = []
    while missing:
        best = max(packed, key=lambda entry: len(entry.loses & missing))
        chosen.append(best)
        missing -= best.loses
    return chosen


def load(assignment: str) -> AssignmentCorpus:
    """Return the corpus of an assignment.

    Raises:
        ValueError: no corpus module exists for ``assignment``.
    """
    try:
        module = importlib.import_module(f"autograder.authoring.corpus.{assignment}")
    except ModuleNotFoundError:
        raise ValueError(f"No corpus for assignment {assignment!r}: expected autograder/corpus/{assignment}.py.") from None
    return module.CORPUS
