"""Grading a class's submissions of one assignment: the engine behind ``autograder grade``.

A submission's whole path, module by module:

1. `autograder.grading.intake.submissions` finds each student's notebook (nbgrader's
   layout, LMS downloads, zips), refusing a zip over the course's
   `autograder.grading.intake.limits.IntakeLimits`;
2. this module plans the batch: a notebook over those limits fails with
   the reason, never sent to a worker; a notebook whose ``results.json``
   already records a grade of the same file is done (a killed run resumes
   where it stopped; a changed notebook is regraded), the others become
   `GradingJob` objects (`autograder.grading.job`) that carry the notebook,
   the assignment's template gradebook and the limits;
3. an executor (`autograder.grading.runner.executors`: warm local workers, or a
   Dask cluster) grades each job in a worker: `autograder.grading.notebook.grade_one`
   runs real nbgrader autograde and feedback there, in a sandboxed kernel,
   with the hidden accuracy checks trained by the warm trusted trainer;
4. `autograder.grading.output.record`, here in the runner and nowhere else, writes
   each outcome into the course as it arrives, and at the end the grade
   tables.

A notebook that cannot be run still gets a result with the reason, and
never stops the batch.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograder import course, install_check, settings
from autograder.course import Course
from autograder.grading import late, results, workfolders
from autograder.grading.intake import limits as intake_limits
from autograder.grading.intake import student_names, submissions
from autograder.grading.intake.limits import IntakeLimits
from autograder.grading.notebook import sandbox
from autograder.grading.output import record
from autograder.grading.output import report as class_report
from autograder.grading.runner import hardware, runlog, templates
from autograder.grading.runner.executors import ClusterGone, DaskExecutor, Executor, LocalExecutor, worker_environment
from autograder.grading.job import FEEDBACK_MODES, GradingJob, GradingOutcome, Limits, Template
from autograder.grading.runner.progress import Progress
from autograder.grading.trainer import trained_store
from autograder.grading.results import FAILED, GRADED, NOT_GRADED, SubmissionResult, unscored

BACKENDS = ("tensorflow", "jax", "torch")


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
        disk_mib: what one submission's kernel may write into its folder, in MiB
            (less on a disk with little room: `autograder.grading.execute.disk_allowance_mib`).
        backend: Keras backend to grade with (None: the environment's).
        students: grade only these students (empty: everyone found).
        force: regrade students already graded.
        feedback: ``messages`` (failed checks' messages, no hidden test code)
            or ``full`` (nbgrader's rendering of the whole notebook).
        scheduler: a Dask scheduler's address or scheduler file; None grades
            on this machine.
        due: the assignment's due date (ISO 8601; a time without a zone is
            UTC), stored in the gradebook; None keeps the gradebook's (or the
            course config's) due date.
        moodle_worksheet: a Moodle grading worksheet downloaded with the
            submissions, whose "Last modified (submission)" column gives
            each Moodle student's submission time.
        moodle_timezone: the time zone the worksheet's times are in (the
            Moodle site's), a ``zoneinfo`` name.
    """

    submissions: Path | None = None
    workers: int = 0
    timeout_s: float = 1200.0
    cell_timeout_s: int = 0
    memory_mib: int = 0
    disk_mib: int = Limits.disk_mib
    backend: str | None = None
    students: tuple[str, ...] = ()
    force: bool = False
    feedback: str = "messages"
    scheduler: str | None = None
    due: str | None = None
    moodle_worksheet: Path | None = None
    moodle_timezone: str = "UTC"


@dataclass
class BatchReport:
    """What a run of the grader did.

    Attributes:
        assignment: the assignment id.
        results: every student's result for the students this run looked at.
        graded_now: students graded in this run (the others were already done).
        seconds: wall time of the run.
        workers: submissions that were in flight at once ("cluster" runs: the cluster's slots).
        csv_path: the grades CSV (every graded student of the assignment).
        interrupted: why the run stopped early (the cluster went away), or None.
        log_path: the run's log (`autograder.grading.runner.runlog`).
    """

    assignment: str
    results: list[SubmissionResult]
    graded_now: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1
    csv_path: Path | None = None
    interrupted: str | None = None
    log_path: Path | None = None

    @property
    def not_graded(self) -> list[str]:
        """The students whose submission ended ``not graded`` (a rerun grades them)."""
        return [result.student for result in self.results if result.status == NOT_GRADED]

    @property
    def complete(self) -> bool:
        """True when every submission got a grade (a failed one's 0 with its reason counts): what exits 0."""
        return not self.not_graded and self.interrupted is None

    def verdict(self) -> str:
        """One line saying whether every submission got a grade, and if not, which did not and what to do.

        Example:
            >>> BatchReport("quiz", [], interrupted="lost the Dask scheduler; run again").verdict()
            'stopped early: lost the Dask scheduler; run again'
        """
        if self.interrupted is not None:
            return f"stopped early: {self.interrupted}"
        missing = self.not_graded
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            return f"{len(missing)} submission(s) not graded ({shown}; reasons above): run again to grade them"
        failed = sum(result.status == FAILED for result in self.results)
        return (f"every submission got a grade: {len(self.results)} in all"
                + (f", {failed} of them failed with a reason" if failed else ""))


def grade(root: Path, assignment: str, options: GradeOptions, report: Callable[[str], None] | None = None) -> BatchReport:
    """Grade every submission of ``assignment`` found per ``options``; see the module docstring.

    Args:
        root: the course root.
        assignment: the assignment id.
        options: where the submissions are and how to grade them.
        report: called with each progress line (default: a progress bar on
            a terminal, else one printed line per submission).

    Returns:
        A `BatchReport` with every looked-at student's result.

    Raises:
        FileNotFoundError: the assignment has no source notebook.
        submissions.SubmissionsError: the submissions path cannot be read.
        ValueError: an unknown backend or feedback mode.
        student_names.UnknownStudent: a student of ``options.students`` has no submission.
        executors.ClusterGone: the Dask scheduler of ``options.scheduler`` cannot be reached.
        executors.NoGradingSlots: no worker of that cluster offers a grading slot.
    """
    started = time.perf_counter()
    the_course = Course(root)
    _check(root, assignment, options)
    workers = options.workers or hardware.default_workers()
    cluster = _connect(options.scheduler)  # an unreachable scheduler, or one with no grading slot: an error now
    runlog.salvage()
    log = None
    try:
        with workfolders.run_folder() as work:
            intake = intake_limits.load(root)
            source = options.submissions or the_course.submitted_root
            found = submissions.collect(source, assignment, work / "unzipped", intake, worksheet=options.moodle_worksheet,
                                        worksheet_timezone=options.moodle_timezone)
            incoming = select_students(found, options.students, source)
            log = runlog.start(the_course, assignment, work)
            log.line(_header(assignment, options, len(incoming), source, workers))
            executor = cluster or LocalExecutor(workers, workfolders.workers(work),
                                                local_worker_environment(the_course, options.backend, workers))
            try:
                done, fresh, interrupted = _grade_incoming(the_course, assignment, options, incoming, intake, work,
                                                           executor=executor, log=log, report=report)
            finally:
                runlog.attach_workers(log, work)
        looked_at = [fresh.get(entry.student) or done[entry.student] for entry in incoming
                     if entry.student in fresh or entry.student in done]
        record.write_tables(the_course, assignment)
        class_report.write(the_course, assignment)
        finished = BatchReport(assignment, looked_at, sorted(fresh), time.perf_counter() - started,
                               workers if not options.scheduler else 0, the_course.grades_csv(assignment), interrupted,
                               log.path)
        log.line(finished.verdict())
        return finished
    except BaseException as error:
        if log is not None:
            log.line(f"the run stopped: {type(error).__name__}" + (f": {error}" if str(error) else ""))
        raise
    finally:
        if log is not None:
            log.close()
        if cluster is not None:
            cluster.close()


def _grade_incoming(
    the_course: Course, assignment: str, options: GradeOptions, incoming: list[submissions.Incoming],
    intake: IntakeLimits, work: Path, *, executor: Executor, log: runlog.RunLog,
    report: Callable[[str], None] | None,
) -> tuple[dict[str, SubmissionResult], dict[str, SubmissionResult], str | None]:
    """Plan ``incoming`` and grade what needs it with ``executor``, recording each outcome as it arrives.

    Progress goes to ``report`` (see `grade`) and to the run's ``log``.

    Returns:
        The results already done, those of this run, and why the run
        stopped early (None when it did not).
    """
    template = templates.load(the_course.root, assignment)
    templates.register(the_course.root, assignment)
    record.set_due_date(the_course, assignment, options.due)
    done, jobs, failed_now = _plan(the_course, incoming, options, template, intake)
    log.line(f"{len(jobs)} to grade, {len(done)} already graded, {len(failed_now)} failed before running")
    progress = Progress(len(jobs) + len(failed_now), report, log=log.line)
    arrivals = {entry.student: entry for entry in incoming}
    fresh: dict[str, SubmissionResult] = {}
    interrupted = None
    for result in failed_now:
        _record(the_course, GradingOutcome(result), arrivals, fresh, progress)
    if isinstance(executor, DaskExecutor):
        executor.on_wait = progress.waiting
    try:
        for outcome in executor.run(jobs):
            _record(the_course, outcome, arrivals, fresh, progress)
    except ClusterGone as error:
        interrupted = f"{error}; {len(jobs) - len(fresh) + len(failed_now)} submission(s) not graded: run again to grade them"
        log.line(f"stopped early: {interrupted}")
    finally:
        executor.close()
        progress.close()
    return done, fresh, interrupted


def _check(root: Path, assignment: str, options: GradeOptions) -> None:
    """Raise on an unknown assignment, backend or feedback mode (before anything is done)."""
    course.source_notebook(root, assignment)
    if options.backend is not None and options.backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; received: {options.backend!r}")
    if options.feedback not in FEEDBACK_MODES:
        raise ValueError(f"feedback must be one of {', '.join(FEEDBACK_MODES)}; received: {options.feedback!r}")


def _connect(scheduler: str | None) -> DaskExecutor | None:
    """Connect to the Dask scheduler (None: grade here) and make sure a worker offers a grading slot.

    Raises:
        executors.ClusterGone: the scheduler cannot be reached.
        executors.NoGradingSlots: no worker offers a grading slot.
    """
    if scheduler is None:
        return None
    cluster = DaskExecutor(scheduler)
    try:
        cluster.connect()
        cluster.require_slots()
    except BaseException:
        cluster.close()
        raise
    return cluster


def select_students(
    incoming: list[submissions.Incoming], students: tuple[str, ...], source: Path,
) -> list[submissions.Incoming]:
    """Keep the submissions of ``students`` (all when empty).

    Raises:
        student_names.UnknownStudent: a name in ``students`` matches no submission found
            in ``source``; the message lists the nearest student ids.
    """
    if not students:
        return incoming
    student_names.check_named(students, [entry.student for entry in incoming], str(source))
    return [entry for entry in incoming if entry.student in students]


def local_worker_environment(the_course: Course, backend: str | None, workers: int) -> dict[str, str]:
    """This machine's workers' environment: `worker_environment`, with the course's store of trained results
    (`trained_store`) unless ``AUTOGRADER_TRAINED_STORE`` names another or ``none``."""
    environment = worker_environment(backend, workers)
    environment.setdefault(trained_store.STORE_VARIABLE, str(the_course.trained_store))
    return environment


def _header(assignment: str, options: GradeOptions, found: int, source: Path, workers: int) -> str:
    """The run log's first lines: what is graded, where, and with which limits."""
    where = (f"on the Dask cluster at {options.scheduler}" if options.scheduler
             else f"graded here, {workers} at a time\n{sandbox.isolation_line()}")
    cell = f"{options.cell_timeout_s} s" if options.cell_timeout_s else "the course's Execute.timeout"
    memory = f"{options.memory_mib} MiB of memory" if options.memory_mib else "a share of RAM"
    backend = options.backend or os.environ.get("KERAS_BACKEND", "tensorflow")
    return (f"autograder {install_check.version()}: grade {assignment}: {found} submission(s) from {source}, {where}\n"
            f"limits: {options.timeout_s:g} s a submission, {cell} a cell, {memory} and {options.disk_mib:,} MiB of files "
            f"a kernel; backend {backend}; "
            f"feedback {options.feedback}" + (f"; force: {options.force}" if options.force else ""))


def _record(
    the_course: Course, outcome: GradingOutcome, arrivals: dict[str, submissions.Incoming],
    fresh: dict[str, SubmissionResult], progress: Progress,
) -> None:
    """Record one outcome with how the submission arrived (LMS identity, time, late flag), and count it."""
    arrival = arrivals.get(outcome.result.student)
    if arrival is not None:
        outcome.result = arrival.stamp(outcome.result)
    record.record(the_course, outcome)
    fresh[outcome.result.student] = outcome.result
    progress.finished(outcome.result)


def _plan(
    the_course: Course, incoming: list[submissions.Incoming], options: GradeOptions, template: Template,
    intake: IntakeLimits,
) -> tuple[dict[str, SubmissionResult], list[GradingJob], list[SubmissionResult]]:
    """Import notebooks; split students into already done, to grade, and failed before running.

    A student without a notebook, or whose notebook is over ``intake``'s
    limits, fails before running (the notebook is not imported).
    """
    assignment = template.assignment
    limits = Limits(
        timeout_s=options.timeout_s,
        cell_timeout_s=settings.cell_limit_s(the_course.root, options.cell_timeout_s, options.timeout_s),
        memory_mib=options.memory_mib or hardware.default_memory_limit_mib(options.workers or hardware.default_workers()),
        disk_mib=options.disk_mib,
    )
    private = tuple(str(path.resolve()) for path in the_course.private_paths())
    done, jobs, failed = {}, [], []
    for entry in incoming:
        prior = results.read_json(the_course.results_json(assignment, entry.student))
        finished = prior is not None and prior.status in (GRADED, FAILED) and not options.force
        reason = (entry.problem or "no notebook") if entry.notebook is None else intake.notebook_problem(entry.notebook)
        if reason:
            if finished and prior.reason == reason and not prior.notebook_sha256:
                done[entry.student] = prior
            else:
                failed.append(unscored(entry.student, assignment, FAILED, reason, template.max_scores))
            continue
        target = the_course.submitted_notebook(assignment, entry.student)
        if entry.notebook.resolve() != target.resolve():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(entry.notebook.read_bytes())
            (target.parent / late.TIMESTAMP_FILE).unlink(missing_ok=True)  # record writes this copy's time
        job = GradingJob(entry.student, target.read_bytes(), template, limits, private, options.backend, options.feedback)
        if finished and prior.notebook_sha256 == job.notebook_sha256:
            done[entry.student] = prior
        else:
            jobs.append(job)
    return done, jobs, failed
