"""What an instructor sets once per course for ``autograder grade``, in the course's ``nbgrader_config.py``.

`GradingSettings` is a traitlets ``Configurable``, configured the way
nbgrader's own classes are (``c.GradingSettings.workers = 4``); `load`
reads it from a course. A flag given to ``autograder grade`` overrides the
course's value (`GradingSettings.merged`), and a value set nowhere keeps
the default below.

Example ``nbgrader_config.py`` lines:

    c.GradingSettings.workers = 4
    c.GradingSettings.feedback = "full"
    c.GradingSettings.due_dates = {"fashion_dense": "2025-10-01T23:59:00-04:00"}
    c.GradingSettings.canvas_columns = {"fashion_dense": "Fashion MNIST (12345)"}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from traitlets import Dict, Enum, Float, Int, Unicode
from traitlets.config import Configurable

from autograder import nbgrader_run

FEEDBACK_MODES = ("messages", "full")


class GradingSettings(Configurable):
    """A course's grading settings; each one is the default of the ``autograder grade`` flag of the same meaning.

    Attributes:
        workers: submissions in flight at once (``--workers``; 0: from the machine).
        timeout_s: seconds for one whole submission (``--timeout``).
        cell_timeout_s: seconds for one cell (``--cell-timeout``; 0: ``c.Execute.timeout``).
        memory_mib: MiB for one kernel (``--memory``; 0: a share of RAM).
        disk_mib: MiB of files one kernel may write (``--disk``; less where the disk has little room).
        backend: the Keras backend (``--backend``; None: ``$KERAS_BACKEND``).
        feedback: ``messages`` or ``full`` (``--feedback``).
        due_dates: assignment id to its due date (ISO 8601).
        canvas_columns: assignment id to its Canvas gradebook column.

    Example:
        >>> GradingSettings(workers=3).merged(workers=None, feedback="full")
        {'workers': 3, 'feedback': 'full'}
    """

    workers = Int(0, help="Submissions graded at once (0: from the machine's GPUs, cores and RAM).").tag(config=True)
    timeout_s = Float(1200.0, help="Seconds one whole submission may take.").tag(config=True)
    cell_timeout_s = Int(0, help="Seconds one cell may take (0: the course's Execute.timeout).").tag(config=True)
    memory_mib = Int(0, help="MiB of memory for one submission's kernel (0: a share of the machine's RAM).").tag(
        config=True)
    disk_mib = Int(2048, help="MiB of files one submission's kernel may write into its folder (at most a quarter of "
                              "the disk's free space).").tag(config=True)
    backend = Unicode(None, allow_none=True, help="Keras backend to grade with: tensorflow, jax or torch "
                                                  "(None: the environment's KERAS_BACKEND).").tag(config=True)
    feedback = Enum(FEEDBACK_MODES, "messages", help="Feedback pages: 'messages' (each failed check's message) or "
                                                     "'full' (every output whole); neither shows hidden tests.").tag(
        config=True)
    due_dates = Dict(
        {}, help="Due date of each assignment, by assignment id, as ISO 8601 ('2025-10-01T23:59:00-04:00').",
    ).tag(config=True)
    canvas_columns = Dict(
        {}, help="Canvas gradebook column of each assignment, by assignment id ('Fashion MNIST (12345)').",
    ).tag(config=True)

    def merged(self, **flags: Any) -> dict[str, Any]:
        """Return ``flags`` with each None replaced by this course's setting of the same name.

        Args:
            **flags: setting names (``workers``, ``timeout_s`` ...) and the
                values given on the command line, None where not given.

        Returns:
            The value of each named setting, a flag's winning over the course's.
        """
        return {name: getattr(self, name) if value is None else value for name, value in flags.items()}


class ReleaseSettings(Configurable):
    """What ``autograder build`` writes into the release for students.

    Attributes:
        learner_wheel_url: where the course hosts the learner wheel (for
            Colab, where a file uploaded by hand vanishes with the runtime);
            the release notebooks' first code cell installs it from there
            when the wheel is not next to the notebook ("": only from beside it).

    Example ``nbgrader_config.py`` line:

        c.ReleaseSettings.learner_wheel_url = "https://course.example.edu/cnn_course_learner-0.1.0-py3-none-any.whl"
    """

    learner_wheel_url = Unicode("", help="Where students without the wheel next to the notebook download the learner "
                                         "package ('' for nowhere).").tag(config=True)


def load_release(root: Path) -> ReleaseSettings:
    """Return the release settings of the course at ``root`` (``c.ReleaseSettings`` in its config, else the defaults)."""
    return ReleaseSettings(config=nbgrader_run.course_config(root))


def cell_limit_s(root: Path, cell_timeout_s: int, timeout_s: float) -> int:
    """Seconds the grader lets one cell run: ``cell_timeout_s`` (0: the course's ``c.Execute.timeout``), at most the
    whole submission's ``timeout_s``."""
    return int(min(cell_timeout_s or nbgrader_run.configured_cell_timeout(root), timeout_s))


def load(root: Path) -> GradingSettings:
    """Return the grading settings of the course at ``root``: ``c.GradingSettings`` in its config, else the defaults.

    Args:
        root: the course root (the folder with ``nbgrader_config.py``).

    Example:
        >>> load(Path(".")).timeout_s  # doctest: +SKIP
        1200.0
    """
    return GradingSettings(config=nbgrader_run.course_config(root))
