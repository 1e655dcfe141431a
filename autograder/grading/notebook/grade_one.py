"""Grading one notebook inside a grading worker: scratch course, kernel, nbgrader autograde, outcome, feedback.

`grade_one` takes a self-contained `GradingJob` and returns a
`GradingOutcome`. It runs in a warm worker process (`autograder.grading.notebook.worker`),
which already imported nbgrader, keeps a spare sandboxed kernel warm
(`autograder.grading.notebook.kernels`) and runs the training service the hidden
accuracy checks use (`autograder.grading.trainer.training_service`). For the job:

1. a scratch course of its own: the course's ``nbgrader_config.py``, the
   template gradebook (which holds the hidden tests) and the submission;
2. real ``nbgrader autograde`` through nbgrader's Python API, executing the
   notebook in the spare kernel (sandboxed: it sees neither this scratch
   course nor other students'), under a per-cell, a memory and a
   whole-submission limit;
3. the outcome read back: scores from the scratch gradebook, failed checks'
   messages, errors in the learner's cells, what the tamper guard undid,
   where the time went;
4. real ``nbgrader generate_feedback``, for students (`autograder.grading.feedback`;
   with whole outputs and the learner's own tracebacks when the job asks
   for ``full`` feedback, never hidden test code).

A notebook that cannot be read, runs too long or kills its kernel still
gets an outcome; so does a job this worker cannot grade (a missing dataset
or backend), marked ``not_graded`` so that no wrong grade is recorded.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import shutil
import threading
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

from autograder import course, nbgrader_run
from autograder.grading import feedback as student_feedback
from autograder.grading.notebook import sandbox
from autograder.grading.execute import METADATA_KEY, KernelHandle
from autograder.grading.job import GradingJob, GradingOutcome
from autograder.grading.notebook.kernels import Kernel, SpareKernels
from autograder.grading.results import FAILED, GRADED, NOT_GRADED, SubmissionResult, unscored
from autograder.learner import datasets
from autograder.notebooks import role_of

BACKEND_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
# Errors the grader itself puts in a cell (time limit, dead kernel): worth
# reporting even in cells nbgrader does not track.
GRADER_ERRORS = ("CellTimeoutError", "KernelDied")
# The last line of a Python traceback: an exception's (dotted) name, then its message.
EXCEPTION_LINE = re.compile(r"^[\w.]*(?:Error|Exception)\w*: ")


class Worker:
    """What a grading worker keeps between jobs: its folder, its kernels and its backend."""

    def __init__(self, folder: Path, kernels: SpareKernels, backend: str) -> None:
        self.folder, self.kernels, self.backend = folder, kernels, backend
        self._jobs = itertools.count(1)

    def scratch_course(self) -> course.Course:
        """A new, empty scratch course for the next job."""
        return course.Course(self.folder / f"job-{next(self._jobs)}")


def grade_one(job: GradingJob, worker: Worker) -> GradingOutcome:
    """Grade ``job`` in ``worker``; never raises (see the module): a fault of the grader itself is ``not_graded``."""
    started = time.perf_counter()
    scratch = worker.scratch_course()
    details = dict(notebook_sha256=job.notebook_sha256, backend=worker.backend)
    try:
        outcome = _grade_in(scratch, job, worker, job.template.max_scores, details)
    except Exception as error:  # a grader fault: reported for this student, the batch goes on
        reason = f"the grader failed on this submission ({type(error).__name__}: {str(error).strip()[:300]})"
        outcome = GradingOutcome(unscored(job.student, job.assignment, NOT_GRADED, reason, job.template.max_scores, **details))
    finally:
        shutil.rmtree(scratch.root, ignore_errors=True)
    outcome.result.seconds = time.perf_counter() - started
    return outcome


def _grade_in(
    scratch: course.Course, job: GradingJob, worker: Worker, max_scores: dict[str, float], details: dict
) -> GradingOutcome:
    scratch.root.mkdir(parents=True)
    scratch.config.write_bytes(job.template.config)
    scratch.gradebook.write_bytes(job.template.gradebook)
    submitted = scratch.submitted_notebook(job.assignment, job.student)
    submitted.parent.mkdir(parents=True)
    submitted.write_bytes(job.notebook)
    problem = _cannot_grade_here(job, worker)
    if problem:
        return GradingOutcome(unscored(job.student, job.assignment, NOT_GRADED, problem, max_scores, **details))
    problem = _unreadable(submitted)
    if problem:
        return GradingOutcome(unscored(job.student, job.assignment, FAILED, problem, max_scores, **details))
    result = SubmissionResult(job.student, job.assignment, GRADED, **details)
    began = time.perf_counter()
    kernel = worker.kernels.take(prepare_next=job.spare_after)
    result.timing["kernel_wait"] = round(time.perf_counter() - began, 2)
    api = _nbgrader(scratch, job, KernelHandle(kernel.manager))
    result.sandboxed = sandbox.available()
    overran = _Deadline(job.limits.timeout_s, kernel)
    try:
        graded = api.autograde(job.assignment, job.student, force=True, create=True)
    finally:
        overran.cancel()
        worker.kernels.discard(kernel)
    result.timing["autograde"] = round(time.perf_counter() - began, 2)
    notebook = scratch.autograded_notebook(job.assignment, job.student)
    if overran.fired:
        reason = f"grading stopped after {job.limits.timeout_s:g} s: the notebook ran too long in total"
        return GradingOutcome(unscored(job.student, job.assignment, FAILED, reason, max_scores, **details))
    if not graded.get("success") or not notebook.is_file():
        reason = f"nbgrader could not grade it: {nbgrader_problem(graded)}"
        return GradingOutcome(unscored(job.student, job.assignment, FAILED, reason, max_scores, **details))
    read_outcome(scratch, job.assignment, job.student, result)
    began = time.perf_counter()
    page = _feedback(api, scratch, job, result)
    result.timing["feedback"] = round(time.perf_counter() - began, 2)
    folder = scratch.autograded_folder(job.assignment, job.student)
    files = {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}
    return GradingOutcome(result, files, page)


class _Deadline:
    """Kills the kernel when the whole submission runs past its limit."""

    def __init__(self, seconds: float, kernel: Kernel) -> None:
        self.fired = False
        self._kernel = kernel
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        self._kernel.kill()

    def cancel(self) -> None:
        self._timer.cancel()


def _nbgrader(scratch: course.Course, job: GradingJob, kernel: KernelHandle) -> NbGraderAPI:
    """nbgrader's API on the scratch course, with the course's configuration, the job's limits and its kernel."""
    config = PyFileConfigLoader(course.CONFIG_FILE, path=str(scratch.root)).load_config()
    config.GuardedExecute.kernel = kernel
    config.CourseDirectory.root = str(scratch.root)
    config.Execute.timeout = int(min(job.limits.cell_timeout_s, job.limits.timeout_s))
    config.GuardedExecute.memory_limit_mb = job.limits.memory_mib
    config.GuardedExecute.disk_limit_mb = job.limits.disk_mib
    config.StudentFeedback.full_outputs = job.feedback == "full"
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _feedback(api: NbGraderAPI, scratch: course.Course, job: GradingJob, result: SubmissionResult) -> bytes | None:
    """Generate the feedback page; on failure keep the grades and say why the page is missing."""
    page, result.feedback_problem = render_feedback(api, job.assignment, job.student,
                                                    scratch.feedback_page(job.assignment, job.student))
    return page.encode("utf-8") if page is not None else None


def render_feedback(api: NbGraderAPI, assignment: str, student: str, rendered: Path) -> tuple[str | None, str | None]:
    """Run nbgrader's ``generate_feedback`` for one student; the page as students read it, or why there is none.

    Args:
        api: nbgrader's API on a course whose config holds the feedback chain.
        assignment: the assignment id.
        student: the student id.
        rendered: where that API writes the student's page.

    Returns:
        ``(page, None)`` with the page made readable on a phone, or ``(None, problem)``.
    """
    made = api.generate_feedback(assignment, student, force=True)
    if not made.get("success") or not rendered.is_file():
        return None, nbgrader_problem(made) if made.get("error") or made.get("log") else "no page written"
    return student_feedback.for_phones(rendered.read_text(encoding="utf-8")), None


def _cannot_grade_here(job: GradingJob, worker: Worker) -> str | None:
    """Why this worker cannot grade ``job`` (a missing backend or dataset), or None."""
    module = BACKEND_MODULES.get(worker.backend, worker.backend)
    if importlib.util.find_spec(module) is None:
        return f"this grading worker has no {worker.backend} (the Keras backend); install it there and grade again"
    for name in job.template.datasets:
        if datasets.locate(name)[0] is None:
            return f"this grading worker has no copy of the {name} dataset; set {datasets.DATA_DIR_VARIABLE} there and grade again"
    return None


def _unreadable(notebook: Path) -> str | None:
    """Why ``notebook`` is not a notebook nbgrader can read, or None."""
    try:
        nbformat.read(str(notebook), as_version=4)
    except Exception as error:  # nbformat raises many kinds for a damaged file
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"the file is not a readable Jupyter notebook ({first_line[:200]})"
    return None


def nbgrader_problem(answer: dict) -> str:
    """The most telling line of what nbgrader's API answered (its ``log`` and ``error`` texts).

    The first exception a traceback names (the cause, where one exception
    led to another: "database or disk is full", not nbgrader's advice to
    upgrade the database), else the first error nbgrader logged that is not a
    traceback's heading, else the last line.
    """
    texts = [answer.get("log") or "", answer.get("error") or ""]
    lines = [line.strip() for text in texts for line in text.splitlines() if line.strip()]
    exceptions = [line for line in lines if EXCEPTION_LINE.match(line)]
    logged = [line[len("[ERROR]"):].strip() for line in lines if line.startswith("[ERROR]")]
    logged = [line for line in logged if line and not line.startswith("Traceback")]
    return (exceptions[:1] or logged[:1] or lines[-1:] or ["no output"])[0][:300]


def _seconds(cell: nbformat.NotebookNode) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        begin = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return 0.0
    return max(0.0, (end - begin).total_seconds())


def read_outcome(scratch: course.Course, assignment: str, student: str, result: SubmissionResult) -> None:
    """Fill ``result`` from the scratch gradebook and the autograded notebook."""
    grades = nbgrader_run.read_grades(scratch.root, assignment, student)
    result.scores, result.max_scores, result.manual = grades.scores, grades.max_scores, grades.manual
    graded = nbformat.read(str(scratch.autograded_notebook(assignment, student)), as_version=4)
    learner = hidden = 0.0
    for index, cell in enumerate(graded.cells):
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        errors = [output for output in cell.outputs if output.output_type == "error"]
        message = ""
        if errors:
            first_line = (student_feedback.error_message(errors[-1]).splitlines() or [""])[0][:300]
            message = first_line + student_feedback.tensorflow_note(cell.source, result.backend)
        if role_of(cell) != "test":
            learner += _seconds(cell)
            if errors and (grade_id or errors[-1].ename in GRADER_ERRORS):
                result.cell_errors[grade_id or f"cell {index + 1}"] = message
            continue
        hidden += _seconds(cell)
        if errors:
            result.messages[grade_id] = message
        undone = cell.metadata.get(METADATA_KEY, {}).get("guard_undid")
        if undone:
            result.guard_undid[grade_id] = list(undone)
    result.timing.update(learner_cells=round(learner, 2), hidden_tests=round(hidden, 2))
