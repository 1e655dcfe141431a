"""What travels between the runner and a grading worker: a self-contained job and its outcome.

A `GradingJob` holds everything a worker needs to grade one notebook and
nothing that lives only on the runner's disk (the notebook's bytes, the
course's nbgrader configuration, the assignment's template gradebook), so
it can be graded in a local worker process or on another machine of a
cluster. A `GradingOutcome` carries back the result and the files the
runner records (the autograded notebook and the feedback page); only the
runner writes the course.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from autograder.grading.results import SubmissionResult

FEEDBACK_MODES = ("messages", "full")


@dataclass(frozen=True)
class Limits:
    """How long and how much one submission may take.

    Attributes:
        timeout_s: wall-clock limit for the whole submission.
        cell_timeout_s: limit for one cell.
        memory_mib: resident-memory limit for the learner's kernel (0: none).
        disk_mib: what the learner's kernel may write into its own folder (watched with the memory).
    """

    timeout_s: float = 1200.0
    cell_timeout_s: int = 300
    memory_mib: int = 0
    disk_mib: int = 2048


@dataclass(frozen=True)
class Template:
    """The assignment as a worker needs it: the course's nbgrader config and a gradebook where it is generated.

    The gradebook holds the hidden tests; a worker keeps it out of the
    learner's kernel's sight.
    """

    assignment: str
    config: bytes
    gradebook: bytes
    max_scores: dict[str, float]
    datasets: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        """A short hash that names this template (workers cache by it)."""
        return hashlib.sha256(self.config + self.gradebook).hexdigest()[:16]


@dataclass(frozen=True)
class GradingJob:
    """One student's notebook to grade.

    Attributes:
        student: the student id.
        notebook: the submitted file's bytes.
        template: the assignment's `Template`.
        limits: time and memory limits.
        private_paths: paths on the runner's machine that learner code
            must not see (the course's private files); a worker hides
            those it has.
        backend: Keras backend to grade with (None: the worker's default).
        feedback: ``messages`` (each failed check's message, no hidden test
            code, tracebacks and long outputs shortened) or ``full`` (every
            output whole and the learner's own cells' tracebacks, still
            without hidden test code; `StudentFeedback.full_outputs`).
        spare_after: whether the worker warms a kernel for a next job while
            grading this one (`executors.WarmPool` says no for a run's last jobs).
    """

    student: str
    notebook: bytes
    template: Template
    limits: Limits = field(default_factory=Limits)
    private_paths: tuple[str, ...] = ()
    backend: str | None = None
    feedback: str = "messages"
    spare_after: bool = True

    @property
    def assignment(self) -> str:
        """The assignment id."""
        return self.template.assignment

    @property
    def notebook_sha256(self) -> str:
        """Hash of the submitted file (a changed file is regraded)."""
        return hashlib.sha256(self.notebook).hexdigest()


@dataclass
class GradingOutcome:
    """What grading one job produced, for the runner to record.

    Attributes:
        result: scores, messages, timing and status.
        autograded: files of nbgrader's autograded folder, by name.
        feedback_html: the feedback page, or None when there is none (the
            runner then writes a summary page from the result).
    """

    result: SubmissionResult
    autograded: dict[str, bytes] = field(default_factory=dict)
    feedback_html: bytes | None = None
