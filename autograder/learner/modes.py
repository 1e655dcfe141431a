"""Learning mode or grading mode, and what grading mode changes.

Grading mode is on when the runner sets ``AUTOGRADER_MODE=grading`` or when
nbgrader executes the notebook (it sets ``NBGRADER_EXECUTION``). In grading
mode datasets shrink to fixed subsets and the learner's own training cells
run for at most a couple of epochs, so a notebook grades in seconds.
"""

from __future__ import annotations

import os

from autograder.learner import budgets

MODE_VARIABLE = "AUTOGRADER_MODE"


def is_grading() -> bool:
    """Return True when the notebook runs under the grader.

    Returns:
        True if ``AUTOGRADER_MODE`` is ``grading`` or nbgrader is executing
        the notebook (``NBGRADER_EXECUTION`` is set), else False.

    Example:
        >>> import os; os.environ.pop("NBGRADER_EXECUTION", None)
        >>> os.environ["AUTOGRADER_MODE"] = "learning"; is_grading()
        False
    """
    mode = os.environ.get(MODE_VARIABLE, "").strip().lower()
    if mode == "grading":
        return True
    if mode == "learning":
        return False
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def epochs(requested: int) -> int:
    """Number of epochs a lesson's own training cell should run.

    Args:
        requested: the learner's choice (for example ``NUM_EPOCHS``).

    Returns:
        ``requested`` when learning; at most
        ``budgets.GRADING_MODE_MAX_EPOCHS`` when grading, so a learner's
        100-epoch experiment does not stall the grader. When grading, the
        learner's fits and evaluations are logged from then on
        (`autograder.learner.keras_log`), for hidden tests to read.
    """
    if is_grading():
        watch_training()
        return max(1, min(int(requested), budgets.GRADING_MODE_MAX_EPOCHS))
    return int(requested)


def watch_training() -> None:
    """Under the grader, start logging the learner's Keras fits and measurements (`autograder.learner.keras_log`);
    nothing when learning.

    Called where a learner's own training cell begins: loading its data
    (`autograder.learner.datasets.load`) and asking for its epochs (`epochs`).
    """
    if is_grading():
        from autograder.learner import keras_log

        keras_log.start()
