"""Grading a class's submissions of one assignment: the engine behind ``autograder grade``.

For each student the runner:

1. imports the notebook into the course as nbgrader expects it
   (``submitted/<student>/<assignment>/<assignment>.ipynb``);
2. autogrades it with real ``nbgrader autograde`` in a scratch course of its
   own, outside the course folder (no ``source/``, no other students, a
   gradebook holding only this assignment), under a wall-clock limit, a
   per-cell limit and a memory limit, sandboxed where the machine allows
   (`autograder.grading.sandbox`);
3. writes nbgrader's feedback HTML there;
4. back in the runner (the only writer): records the scores in the course
   gradebook with nbgrader's API, copies the autograded notebook and the
   feedback, and last writes ``feedback/<student>/<assignment>/results.json``.

Several students are graded at once. ``results.json`` marks a student done
(with the hash of the notebook it graded), so a run that was killed resumes
where it stopped, and a changed notebook is regraded. A notebook that cannot
be run still gets a result, with the reason, and never stops the batch.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import shutil
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import nbformat
import psutil
import sqlalchemy.exc
from nbgrader.api import MissingEntry

from autograder import course, nbgrader_run
from autograder.grading import hardware, results, sandbox, submissions, workfolders
from autograder.notebooks import role_of
from autograder.grading.results import FAILED, GRADED, SubmissionResult

# Paths under the course root that a learner's code must not see.
PRIVATE_PATHS = ("source", "solutions", "gradebook.db", "submitted", "autograded", "feedback", "grades")
# In the runner's work folder: the template course (with the source
# notebook) and unpacked uploads under PRIVATE_WORK, one scratch course per
# student under STUDENTS_WORK (`autograder.grading.workfolders`); a sandboxed
# submission sees only its own scratch course there, not other students',
# nor other runs' (even ones started after it).
PRIVATE_WORK, STUDENTS_WORK = "private", "students"
BACKENDS = ("tensorflow", "jax", "torch")
# Errors the grader itself puts in a cell (time limit, dead kernel): worth
# reporting even in cells nbgrader does not track.
GRADER_ERRORS = ("CellTimeoutError", "KernelDied")


@dataclass
class GradeOptions:
    """How to grade a batch.

    Attributes:
        submissions: where the notebooks are (folder or zip); None means the
            course's own ``submitted/`` folder.
        workers: submissions in flight at once (0: `hardware.default_workers`).
        timeout_s: wall-clock limit for one whole submission.
        cell_timeout_s: limit for one cell (0: the course's ``Execute.timeout``,
            at most ``timeout_s``).
        memory_mib: memory limit for one submission's kernel (0: a share of RAM).
        backend: Keras backend to grade with (None: the environment's).
        students: grade only these students (empty: everyone found).
        force: regrade students already graded.
    """

    submissions: Path | None = None
    workers: int = 0
    timeout_s: float = 1200.0
    cell_timeout_s: int = 0
    memory_mib: int = 0
    backend: str | None = None
    students: tuple[str, ...] = ()
    force: bool = False


@dataclass
class BatchReport:
    """What a run of the grader did.

    Attributes:
        assignment: the assignment id.
        results: every student's result for the students this run looked at.
        graded_now: students graded in this run (the others were already done).
        seconds: wall time of the run.
        workers: submissions that were in flight at once.
        csv_path: the grades CSV (every graded student of the assignment).
    """

    assignment: str
    results: list[SubmissionResult]
    graded_now: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1
    csv_path: Path | None = None


def submitted_path(root: Path, assignment: str, student: str) -> Path:
    """Where nbgrader keeps ``student``'s submitted notebook."""
    return root / "submitted" / student / assignment / f"{assignment}.ipynb"


def feedback_folder(root: Path, assignment: str, student: str) -> Path:
    """Where ``student``'s feedback HTML and ``results.json`` go."""
    return root / "feedback" / student / assignment


def results_path(root: Path, assignment: str, student: str) -> Path:
    """``student``'s ``results.json``; it exists only once the student is fully graded."""
    return feedback_folder(root, assignment, student) / "results.json"


def grades_csv_path(root: Path, assignment: str) -> Path:
    """The grades CSV of ``assignment``."""
    return root / "grades" / f"{assignment}.csv"


def class_results(root: Path, assignment: str) -> list[SubmissionResult]:
    """Every result recorded for ``assignment``, sorted by student."""
    found = [results.read_json(path) for path in sorted((root / "feedback").glob(f"*/{assignment}/results.json"))]
    return [result for result in found if result is not None]


class _Progress:
    """Prints one line per finished submission: done/total, rate, ETA and failures."""

    def __init__(self, total: int, report: Callable[[str], None]) -> None:
        self.total, self.done, self.failed, self.report = total, 0, 0, report
        self.started = time.perf_counter()

    def finished(self, result: SubmissionResult) -> None:
        self.done += 1
        self.failed += result.status == FAILED or result.total < result.max_total
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed * 3600 if elapsed else 0.0
        eta = (self.total - self.done) * elapsed / self.done
        outcome = f"{result.total:g}/{result.max_total:g}" if result.status == GRADED else f"FAILED ({result.reason})"
        self.report(
            f"[{self.done}/{self.total}] {result.student}: {outcome} in {result.seconds:.1f} s"
            f" | {rate:.0f}/hour, ETA {eta:.0f} s, {self.failed} not full marks"
        )


def grade(
    root: Path, assignment: str, options: GradeOptions, report: Callable[[str], None] = print
) -> BatchReport:
    """Grade every submission of ``assignment`` found per ``options``; see the module docstring.

    Args:
        root: the course root.
        assignment: the assignment id.
        options: where the submissions are and how to grade them.
        report: called with each progress line.

    Returns:
        A `BatchReport` with every looked-at student's result.

    Raises:
        FileNotFoundError: the assignment has no source notebook.
        submissions.SubmissionsError: the submissions path cannot be read.
        ValueError: an unknown backend.
    """
    started = time.perf_counter()
    course.source_notebook(root, assignment)
    if options.backend is not None and options.backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; received: {options.backend!r}")
    workers = options.workers or hardware.default_workers()
    with workfolders.run_folder() as work:
        private = work / PRIVATE_WORK
        incoming = submissions.collect(options.submissions or root / "submitted", assignment, private / "unzipped")
        if options.students:
            incoming = [entry for entry in incoming if entry.student in options.students]
        template = nbgrader_run.scratch_course(root, private / "template", [assignment]) / "gradebook.db"
        _register_assignment(root, assignment, private / "release")
        max_scores = nbgrader_run.read_max_scores(template, assignment)
        done, todo, failed_now = _plan(root, assignment, incoming, options, max_scores)
        progress = _Progress(len(todo) + len(failed_now), report)
        for result in failed_now:
            _record(root, result, None)
            progress.finished(result)
        runner = _Runner(root, assignment, template, options, workers, work)
        for result, scratch in runner.run(todo):
            _record(root, result, scratch)
            progress.finished(result)
    fresh = {result.student: result for result in [*failed_now, *runner.finished]}
    looked_at = [fresh.get(entry.student) or done[entry.student] for entry in incoming]
    csv_path = grades_csv_path(root, assignment)
    results.write_csv(class_results(root, assignment), csv_path)
    nbgrader_run.run_nbgrader(root, "export", f"--to={root / 'grades' / 'nbgrader_export.csv'}")
    return BatchReport(assignment, looked_at, sorted(fresh), time.perf_counter() - started, workers, csv_path)


def _failed(
    student: str, assignment: str, reason: str, max_scores: dict[str, float], digest: str = "", backend: str = "",
    sandboxed: bool = False,
) -> SubmissionResult:
    """A result for a submission that could not be run: every automatic score 0, with the reason."""
    scores = {cell: 0.0 for cell in max_scores}
    return SubmissionResult(
        student, assignment, FAILED, reason, scores, dict(max_scores), notebook_sha256=digest, backend=backend,
        sandboxed=sandboxed,
    )


def _plan(
    root: Path,
    assignment: str,
    incoming: list[submissions.Incoming],
    options: GradeOptions,
    max_scores: dict[str, float],
) -> tuple[dict[str, SubmissionResult], list[tuple[str, Path, str]], list[SubmissionResult]]:
    """Import notebooks; split students into already done, to grade, and failed before running."""
    done, todo, failed = {}, [], []
    for entry in incoming:
        prior = results.read_json(results_path(root, assignment, entry.student))
        if entry.notebook is None:
            reason = entry.problem or "no notebook"
            if prior is not None and prior.reason == reason and not prior.notebook_sha256 and not options.force:
                done[entry.student] = prior
            else:
                failed.append(_failed(entry.student, assignment, reason, max_scores))
            continue
        target = submitted_path(root, assignment, entry.student)
        if entry.notebook.resolve() != target.resolve():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry.notebook, target)
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        if prior is not None and prior.notebook_sha256 == digest and not options.force:
            done[entry.student] = prior
        else:
            todo.append((entry.student, target, digest))
    return done, todo, failed


def _register_assignment(root: Path, assignment: str, release: Path) -> None:
    """Make sure the course gradebook knows ``assignment`` (nbgrader generate_assignment, release elsewhere)."""
    with nbgrader_run.open_gradebook(root / "gradebook.db") as gradebook:
        try:
            gradebook.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    nbgrader_run.run_nbgrader(
        root, "generate_assignment", assignment, f"--CourseDirectory.release_directory={release}"
    )


class _Runner:
    """Grades submissions in scratch courses, ``workers`` at a time, killing what overruns."""

    def __init__(
        self, root: Path, assignment: str, template: Path, options: GradeOptions, workers: int, work: Path
    ) -> None:
        self.root, self.assignment, self.template, self.options = root, assignment, template, options
        self.workers, self.work = workers, work
        self.memory_mib = options.memory_mib or hardware.default_memory_limit_mib(workers)
        configured = nbgrader_run.configured_cell_timeout(root)
        self.cell_timeout = int(min(options.cell_timeout_s or configured, options.timeout_s))
        self.finished: list[SubmissionResult] = []
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()

    def environment(self) -> dict[str, str]:
        """Environment of the grading processes: grading mode, backend, GPU sharing, CPU threads."""
        env = dict(os.environ)
        env.update(
            AUTOGRADER_MODE="grading",
            PYTHONHASHSEED="0",
            TF_CPP_MIN_LOG_LEVEL="3",
            TF_FORCE_GPU_ALLOW_GROWTH="true",
            XLA_PYTHON_CLIENT_PREALLOCATE="false",
            PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        )
        if self.workers > 1:
            threads = str(max(1, hardware.cores() // self.workers))
            env.update(OMP_NUM_THREADS=threads, TF_NUM_INTRAOP_THREADS=threads, TF_NUM_INTEROP_THREADS="1")
        if self.options.backend:
            env["KERAS_BACKEND"] = self.options.backend
        if env.get("AUTOGRADER_DATA_DIR"):
            env["AUTOGRADER_DATA_DIR"] = str(Path(env["AUTOGRADER_DATA_DIR"]).resolve())
        return env

    def run(self, todo: list[tuple[str, Path, str]]):
        """Yield ``(result, scratch folder)`` for each submission as it finishes."""
        env = self.environment()
        for student, _, _ in todo:  # made up front, so each sandbox can hide every other one
            (self.work / STUDENTS_WORK / student).mkdir(parents=True)
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=self.workers)
        futures = [pool.submit(self._grade_one, student, notebook, digest, env) for student, notebook, digest in todo]
        try:
            for future in concurrent.futures.as_completed(futures):
                result, scratch = future.result()
                self.finished.append(result)
                yield result, scratch
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            with self._lock:
                for process in list(self._running):
                    _kill_tree(process)
            pool.shutdown(wait=True)

    def _grade_one(self, student: str, notebook: Path, digest: str, env: dict[str, str]):
        """Grade one submission; never raises, so one submission cannot stop the batch."""
        try:
            return self._grade_one_unguarded(student, notebook, digest, env)
        except Exception as error:  # a grader fault: record it for this student, go on with the rest
            reason = f"the grader failed on this submission ({type(error).__name__}: {str(error).strip()[:300]})"
            max_scores = nbgrader_run.read_max_scores(self.template, self.assignment)
            return _failed(student, self.assignment, reason, max_scores, digest), None

    def _grade_one_unguarded(self, student: str, notebook: Path, digest: str, env: dict[str, str]):
        started = time.perf_counter()
        result = SubmissionResult(student, self.assignment, GRADED, notebook_sha256=digest)
        result.backend = env.get("KERAS_BACKEND", "tensorflow")
        result.sandboxed = sandbox.available()
        scratch = self.work / STUDENTS_WORK / student
        problem = _unreadable(notebook) or self._autograde(scratch, student, notebook, env)
        autograded = time.perf_counter()
        if problem is None:
            _read_outcome(scratch, self.assignment, student, result)
            try:
                nbgrader_run.run_nbgrader(scratch, "generate_feedback", self.assignment, f"--student={student}", "--force")
            except RuntimeError as error:  # the grades stand; the feedback page says it is a summary
                result.feedback_problem = _last_error(str(error))
            result.timing["autograde"] = round(autograded - started, 2)
            result.timing["feedback"] = round(time.perf_counter() - autograded, 2)
        else:
            max_scores = nbgrader_run.read_max_scores(self.template, self.assignment)
            result = _failed(student, self.assignment, problem, max_scores, digest, result.backend, result.sandboxed)
        result.seconds = time.perf_counter() - started
        return result, scratch

    def _autograde(self, scratch: Path, student: str, notebook: Path, env: dict[str, str]) -> str | None:
        """Run nbgrader autograde in ``scratch``; return why it failed, or None."""
        shutil.copy(self.root / course.CONFIG_FILE, scratch / course.CONFIG_FILE)
        shutil.copy(self.template, scratch / "gradebook.db")
        target = submitted_path(scratch, self.assignment, student)
        target.parent.mkdir(parents=True)
        shutil.copyfile(notebook, target)
        command = [
            sys.executable, "-m", "nbgrader", "autograde", self.assignment, f"--student={student}", "--force",
            "--log-level=ERROR", f"--Execute.timeout={self.cell_timeout}",
            f"--GuardedExecute.memory_limit_mb={self.memory_mib}",
        ]
        hidden = [self.root / name for name in PRIVATE_PATHS]
        if sandbox.available():
            kernels = sandbox.kernel_spec(scratch / "jupyter", [scratch / "gradebook.db"])
            env = {**env, "JUPYTER_PATH": os.pathsep.join(filter(None, [str(kernels), env.get("JUPYTER_PATH")]))}
        process = subprocess.Popen(
            sandbox.wrap(command, hidden, reveal_only=(self.work.parent, scratch)), cwd=scratch, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )
        with self._lock:
            self._running.add(process)
        try:
            _, errors = process.communicate(timeout=self.options.timeout_s)
        except subprocess.TimeoutExpired:
            _kill_tree(process)
            process.communicate()
            return f"grading stopped after {self.options.timeout_s:g} s: the notebook ran too long in total"
        finally:
            with self._lock:
                self._running.discard(process)
        graded = scratch / "autograded" / student / self.assignment / f"{self.assignment}.ipynb"
        if process.returncode != 0 or not graded.exists():
            return f"nbgrader could not grade it: {_last_error(errors)}"
        return None


def _unreadable(notebook: Path) -> str | None:
    """Why ``notebook`` is not a notebook nbgrader can read, or None."""
    try:
        nbformat.read(str(notebook), as_version=4)
    except Exception as error:  # nbformat raises many kinds for a damaged file
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"{notebook.name} is not a readable Jupyter notebook ({first_line[:200]})"
    return None


def _last_error(stderr: str) -> str:
    """The most telling line of nbgrader's error output."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    telling = [line for line in lines if "Error" in line and not line.startswith(("File ", "Traceback"))]
    return (telling or lines or ["no output"])[-1][:300]


def _kill_tree(process: subprocess.Popen) -> None:
    """Kill a process and everything it started (kernels start in their own session)."""
    try:
        parent = psutil.Process(process.pid)
        family = [*parent.children(recursive=True), parent]
    except psutil.Error:
        return
    for member in family:
        try:
            member.kill()
        except psutil.Error:
            pass


def _seconds(cell: nbformat.NotebookNode) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        begin = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return 0.0
    return max(0.0, (end - begin).total_seconds())


def _read_outcome(scratch: Path, assignment: str, student: str, result: SubmissionResult) -> None:
    """Fill ``result`` from the scratch gradebook and the autograded notebook."""
    grades = nbgrader_run.read_grades(scratch, assignment, student)
    result.scores, result.max_scores, result.manual = grades.scores, grades.max_scores, grades.manual
    graded = nbformat.read(str(scratch / "autograded" / student / assignment / f"{assignment}.ipynb"), as_version=4)
    learner = hidden = 0.0
    for index, cell in enumerate(graded.cells):
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        errors = [output for output in cell.outputs if output.output_type == "error"]
        message = f"{errors[-1].ename}: {errors[-1].evalue}".splitlines()[0][:300] if errors else ""
        if role_of(cell) != "test":
            learner += _seconds(cell)
            if errors and (grade_id or errors[-1].ename in GRADER_ERRORS):
                result.cell_errors[grade_id or f"cell {index + 1}"] = message
            continue
        hidden += _seconds(cell)
        if errors:
            result.messages[grade_id] = message
        for output in cell.outputs:
            if output.output_type == "stream" and output.text.startswith("The grader undid"):
                result.guard_undid[grade_id] = output.text.split(" made to ", 1)[1].split(" before ")[0].split(", ")
    result.timing.update(learner_cells=round(learner, 2), hidden_tests=round(hidden, 2))


def _record(root: Path, result: SubmissionResult, scratch: Path | None) -> None:
    """Store one result in the course: gradebook, autograded notebook, feedback, then results.json."""
    assignment, student = result.assignment, result.student
    done_marker = results_path(root, assignment, student)
    done_marker.unlink(missing_ok=True)
    with nbgrader_run.open_gradebook(root / "gradebook.db") as gradebook, warnings.catch_warnings():
        # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; the rows are written all the same.
        warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
        gradebook.update_or_create_student(student)
        try:
            gradebook.remove_submission(assignment, student)
        except MissingEntry:
            pass
        gradebook.add_submission(assignment, student)
        notebook = gradebook.find_submission_notebook(assignment, assignment, student)
        for row in notebook.grades:
            if row.cell.cell_type == "code":
                row.auto_score = result.scores.get(row.name, 0.0)
                row.needs_manual_grade = False
            else:
                row.needs_manual_grade = row.name in result.manual
        gradebook.db.commit()
    feedback = feedback_folder(root, assignment, student)
    feedback.mkdir(parents=True, exist_ok=True)
    for stale in feedback.glob("*.html"):
        stale.unlink()
    graded = root / "autograded" / student / assignment
    if scratch is not None and result.status == GRADED:
        shutil.copytree(scratch / "autograded" / student / assignment, graded, dirs_exist_ok=True)
        for page in (scratch / "feedback" / student / assignment).glob("*.html"):
            shutil.copy(page, feedback / page.name)
    if not list(feedback.glob("*.html")):
        results.write_atomically(feedback / f"{assignment}.html", results.summary_page(result))
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    results.write_json(result, done_marker)
