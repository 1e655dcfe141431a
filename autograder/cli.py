"""The ``autograder`` command: build, calibrate, demo, grade, feedback, return, export, gradescope, doctor, cluster-worker.

Each subcommand parses its arguments and calls one function that does the
work; errors a user can fix are printed as one line, with exit status 2.
That includes an install the learner package shadows
(`autograder.install_check`), checked before the instructor's modules load.
``grade`` exits 0 when every submission got a grade (a broken notebook's
0 with its reason counts), 1 when one ended ``not graded`` or the run
stopped early, and says which in its last line; its flags default to the
course's `autograder.settings.GradingSettings`. No command prints a
library's start-up log lines (`QUIET_ENVIRONMENT`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Iterator

from autograder import install_check

# Logging switches only (never numerics), set before any library loads, for this process and the processes it
# starts, unless the user set them: TensorFlow's C++ start-up log lines (oneDNN, CUDA, cpu_feature_guard).
QUIET_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3"}
for _name, _value in QUIET_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)

# Before the instructor's modules below: under a learner package that shadows this install, one line and the fix.
install_check.exit_if_shadowed()

from autograder import course, demo, doctor, settings  # noqa: E402
from autograder.authoring import audit, build, calibration, corpus, gradescope, mutants  # noqa: E402
from autograder.course import Course  # noqa: E402
from autograder.grading import results  # noqa: E402
from autograder.grading.intake import submissions  # noqa: E402
from autograder.grading.notebook import sandbox  # noqa: E402
from autograder.grading.output import export, feedback_pages, handback  # noqa: E402
from autograder.grading.runner import batch  # noqa: E402
from autograder.grading.trainer import trained_store  # noqa: E402
from autograder.grading.trainer.training_service import TrainingService  # noqa: E402
from autograder.learner import modes, training  # noqa: E402
from autograder.grading.runner.executors import ClusterGone  # noqa: E402


def _build(arguments: argparse.Namespace) -> int:
    root = arguments.course or course.find_root()
    ids = arguments.assignments or course.assignments(root)
    if arguments.check:
        problems = [line for assignment in ids for line in build.drift(root, assignment)]
        problems += build.student_package_drift(root)
        for line in problems:
            print(f"drift: {line}")
        if problems:
            print("release/ or solutions/ do not match source/: run `autograder build` and commit the result.")
            return 1
        print(f"release/ and solutions/ match source/ for {', '.join(ids)}, and the student package is current.")
        return 0
    written = [path for assignment in ids for path in build.write(root, assignment)]
    written += build.write_student_package(root)
    for path in written:
        print(f"wrote {path}")
    return 0


def _audit(arguments: argparse.Namespace) -> int:
    root = arguments.course or course.find_root()
    operators = tuple(arguments.operators.split(",")) if arguments.operators else tuple(mutants.OPERATORS)
    try:
        with _audit_environment(root):
            report = audit.audit(root, arguments.assignment, operators, arguments.budget, tuple(arguments.cells),
                                 arguments.sample, progress=_say_unexplained)
    except audit.AuditError as error:
        print(f"autograder audit: {error}", file=sys.stderr)
        return 2
    print(f"{report.count(audit.NOT_PLAUSIBLE)} of the killed crash where they are defined (not plausible); "
          f"{report.count(audit.NOT_RUN)} not run within the budget; {report.seconds:.0f} s")
    print(report.summary())
    return 0 if report.passed else 1


@contextlib.contextmanager
def _audit_environment(root: Path) -> Iterator[None]:
    """Grading mode, as under the grader, and a warm training service that files its results in the course's store
    (a second audit trains nothing it trained before); the environment is as it was afterwards."""
    before = dict(os.environ)
    os.environ[modes.MODE_VARIABLE] = "grading"
    os.environ.setdefault(trained_store.STORE_VARIABLE, str(Course(root).trained_store))
    with tempfile.TemporaryDirectory(prefix="autograder-audit-") as folder:
        service = TrainingService([], dict(os.environ), log=Path(folder) / "training-service.log")
        service.start()
        os.environ[training.SERVICE_VARIABLE] = str(service.socket)
        try:
            yield
        finally:
            service.stop()
            os.environ.clear()
            os.environ.update(before)


def _say_unexplained(verdict: audit.Verdict) -> None:
    if verdict.outcome == audit.UNEXPLAINED:
        print(f"UNEXPLAINED {verdict.mutant.name}")


def _calibrate(arguments: argparse.Namespace) -> int:
    root = arguments.course or course.find_root()
    spec = corpus.load(arguments.assignment)
    seeds = list(range(arguments.seeds))
    results = calibration.calibrate(root, arguments.assignment, seeds, progress=print)
    print()
    print(f"{arguments.assignment}: `{'; '.join(spec.model_code.splitlines())}` trained with {spec.budget}")
    print(calibration.table(results, spec.threshold))
    problems = calibration.problems(results, spec.threshold)
    for line in problems:
        print(f"PROBLEM: {line}")
    return 1 if problems else 0


def _demo(arguments: argparse.Namespace) -> int:
    root = arguments.course or course.find_root()
    return demo.run(root, arguments.out or Course(root).demo_folder, arguments.assignments or course.assignments(root))


def _grade(arguments: argparse.Namespace) -> int:
    root = (arguments.course or course.find_root()).resolve()
    configured = settings.load(root).merged(
        workers=arguments.workers, timeout_s=arguments.timeout, cell_timeout_s=arguments.cell_timeout,
        memory_mib=arguments.memory, disk_mib=arguments.disk, backend=arguments.backend, feedback=arguments.feedback,
    )
    options = batch.GradeOptions(
        submissions=arguments.submissions,
        **configured,
        students=tuple(arguments.student),
        force=arguments.force,
        scheduler=arguments.scheduler,
        due=arguments.due,
        moodle_worksheet=arguments.moodle_worksheet,
        moodle_timezone=arguments.moodle_timezone,
    )
    cluster = "as each cluster worker offers it (autograder doctor --scheduler ADDRESS)" if arguments.scheduler else None
    print(sandbox.isolation_line(cluster), flush=True)
    report = batch.grade(root, arguments.assignment, options)
    print()
    print(results.summary_table(report.results))
    print()
    where = f"{report.workers} in flight" if report.workers else f"on the cluster at {options.scheduler}"
    print(f"{len(report.graded_now)} graded now, {len(report.results) - len(report.graded_now)} already done, "
          f"{where}, {report.seconds:.1f} s.")
    print(f"grades: {report.csv_path}; gradebook: {root / 'gradebook.db'}; feedback: {root / 'feedback'}")
    print(f"class report: {Course(root).class_report(arguments.assignment)}")
    print(f"log: {report.log_path}")
    print(f"autograder: {report.verdict()}", file=sys.stdout if report.complete else sys.stderr)
    return 0 if report.complete else 1


def _export(arguments: argparse.Namespace) -> int:
    root = (arguments.course or course.find_root()).resolve()
    column = arguments.column or settings.load(root).canvas_columns.get(arguments.assignment)
    written = export.export(Course(root), arguments.assignment, arguments.format, arguments.out, column,
                            arguments.out_of)
    print(f"wrote {written.path}: {len(written.students)} student(s), for {arguments.format}")
    for student, why in written.left_out.items():
        print(f"left out {student}: {why}")
    if written.manual_pending:
        print(f"{len(written.manual_pending)} student(s) have written answers not graded by hand yet; their scores "
              f"lack those points: {', '.join(written.manual_pending)}")
    for student, lateness in written.late.items():
        print(f"late: {student}: {lateness}")
    return 0


def _feedback(arguments: argparse.Namespace) -> int:
    root = (arguments.course or course.find_root()).resolve()
    written = feedback_pages.regenerate(Course(root), arguments.assignment, tuple(arguments.student),
                                        arguments.feedback == "full")
    for student, page in written.pages.items():
        print(f"wrote {page}")
    for student, why in written.summaries.items():
        print(f"{student}: a summary page only ({why})")
    pending = [result.student for result in written.results if result.manual]
    if pending:
        print(f"{len(pending)} student(s) still have written answers to grade by hand: {', '.join(pending)}")
    return 0


def _return_feedback(arguments: argparse.Namespace) -> int:
    root = (arguments.course or course.find_root()).resolve()
    handed = handback.hand_back(Course(root), arguments.assignment, arguments.format, arguments.out,
                                tuple(arguments.student), arguments.exchange)
    how = handback.WHERE_TO_UPLOAD[arguments.format].format(assignment=arguments.assignment)
    verb = "released to" if arguments.format == handback.EXCHANGE else "wrote"
    print(f"{verb} {handed.path}: the feedback of {len(handed.students)} student(s); {how}")
    for student, why in handed.left_out.items():
        print(f"left out {student}: {why}")
    for student, caveat in handed.caveats.items():
        print(f"note {student}: {caveat}")
    return 0


def _gradescope(arguments: argparse.Namespace) -> int:
    root = (arguments.course or course.find_root()).resolve()
    try:
        written = gradescope.build(root, arguments.assignment, arguments.out)
    except gradescope.BuildError as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 2
    data = f"loads {', '.join(written.datasets)}" if written.datasets else "loads no dataset"
    data += f"; carries {', '.join(written.bundled)}" if written.bundled else ""
    print(f"wrote {written.path}: Gradescope's autograder of {written.assignment} ({written.wheel}, {data}); "
          "upload it under Configure Autograder (docs/gradescope.md)")
    return 0


def _doctor(arguments: argparse.Namespace) -> int:
    report = doctor.findings()
    if arguments.scheduler:
        report += doctor.cluster_findings(arguments.scheduler)
    print(doctor.render(report))
    return 0 if all(finding.ok for finding in report) else 1


def _cluster_worker(arguments: argparse.Namespace) -> int:
    from autograder.grading.runner import cluster

    slots = arguments.slots or cluster.default_slots(arguments.gpu)
    command = cluster.worker_command(arguments.scheduler, slots, arguments.name)
    print(f"autograder: a grading worker with {slots} slot(s)"
          + (f" on GPU {arguments.gpu}" if arguments.gpu is not None else "") + f": {' '.join(command)}", flush=True)
    os.execvpe(command[0], command, cluster.worker_environment(arguments.gpu))


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``autograder`` command."""
    main_parser = argparse.ArgumentParser(prog="autograder", description=__doc__.splitlines()[0])
    main_parser.add_argument("--course", type=Path, help="course root (default: found from the current folder)")
    main_parser.add_argument("--version", action="version", version=f"autograder {install_check.version()}")
    commands = main_parser.add_subparsers(dest="command", required=True)

    build_parser = commands.add_parser("build", help="regenerate release/ and solutions/ from source/")
    build_parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    build_parser.add_argument("--check", action="store_true", help="fail when committed files differ from source/")
    build_parser.set_defaults(handler=_build)

    calibrate_parser = commands.add_parser("calibrate", help="measure an assignment's accuracy threshold")
    calibrate_parser.add_argument("assignment")
    calibrate_parser.add_argument("--seeds", type=int, default=5, help="seeds per variant (default 5)")
    calibrate_parser.set_defaults(handler=_calibrate)

    audit_parser = commands.add_parser("audit", help="mutate an assignment's reference answers: do its tests catch each?")
    audit_parser.add_argument("assignment")
    audit_parser.add_argument("--operators", help=f"comma-separated, some of {','.join(mutants.OPERATORS)} (default: all)")
    audit_parser.add_argument("--budget", type=float, help="seconds; mutants left then count as unexplained")
    audit_parser.add_argument("--cell", dest="cells", action="append", default=[],
                              help="mutate only this answer cell (grade_id; may be repeated)")
    audit_parser.add_argument("--sample", type=int, help="grade this many mutants, evenly spread (the same each run)")
    audit_parser.set_defaults(handler=_audit)

    demo_parser = commands.add_parser("demo", help="grade sample submissions with real nbgrader")
    demo_parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    demo_parser.add_argument("--out", type=Path, help="scratch course folder (default: ./demo)")
    demo_parser.set_defaults(handler=_demo)

    grade_parser = commands.add_parser(
        "grade", help="autograde a class's submissions of one assignment",
        description="Autograde a class's submissions of one assignment. Flags not given take the course's "
                    "c.GradingSettings in nbgrader_config.py. Exits 0 when every submission got a grade, 1 when one "
                    "ended not graded or the run stopped early, 2 on a usage error.")
    grade_parser.add_argument("assignment")
    grade_parser.add_argument("--submissions", type=Path,
                              help="nbgrader submitted/ folder, folder of notebooks, or .zip (default: ./submitted)")
    # Each flag's default is the course's c.GradingSettings value (autograder/settings.py), then the one named here.
    grade_parser.add_argument("--workers", type=int, help="submissions in flight (default: from the machine)")
    grade_parser.add_argument("--timeout", type=float, help="seconds for one submission (default 1200)")
    grade_parser.add_argument("--cell-timeout", type=int,
                              help="seconds for one cell (default: the course's Execute.timeout)")
    grade_parser.add_argument("--memory", type=int, help="MiB for one kernel (default: a share of RAM)")
    grade_parser.add_argument("--disk", type=int,
                              help="MiB of files one kernel may write (default 2048, at most a quarter of the free disk)")
    grade_parser.add_argument("--backend", choices=batch.BACKENDS, help="Keras backend (default: $KERAS_BACKEND)")
    grade_parser.add_argument("--student", action="append", default=[], help="grade only this student (repeatable)")
    grade_parser.add_argument("--force", action="store_true", help="regrade students already graded")
    grade_parser.add_argument("--feedback", choices=("messages", "full"),
                              help="messages: each failed check's message, tracebacks and long outputs shortened "
                                   "(default); full: every output whole and tracebacks of the learner's own cells; "
                                   "neither shows hidden test code")
    grade_parser.add_argument("--due", help="the assignment's due date, e.g. 2026-12-01T17:00-05:00 (a time without "
                                            "a zone is UTC); kept in the gradebook for later runs")
    grade_parser.add_argument("--moodle-worksheet", type=Path,
                              help="Moodle's grading worksheet (CSV), for the submission times a Moodle download lacks")
    grade_parser.add_argument("--moodle-timezone", default="UTC",
                              help="the Moodle site's time zone, in which the worksheet gives times (default UTC)")
    grade_parser.add_argument("--scheduler", help="grade on a Dask cluster: scheduler address (tcp://host:8786) "
                                                  "or scheduler file (docs/cluster.md)")
    grade_parser.set_defaults(handler=_grade)

    export_parser = commands.add_parser("export", help="write a graded assignment's grades as an LMS imports them")
    export_parser.add_argument("assignment")
    export_parser.add_argument("--format", choices=export.FORMATS, default="csv",
                               help="canvas: gradebook import CSV; moodle: the assignment's grading worksheet; "
                                    "csv: every student with every id (default)")
    export_parser.add_argument("--out", type=Path, help="file to write (default: grades/<id>_<format>.csv)")
    export_parser.add_argument("--column", help="canvas: the assignment's column, its name in Canvas or 'Name (id)' "
                                                "(default: GradingSettings.canvas_columns, else the assignment id)")
    export_parser.add_argument("--out-of", type=float, help="scale scores to this many points (the LMS assignment's)")
    export_parser.set_defaults(handler=_export)

    feedback_parser = commands.add_parser("feedback", help="write the feedback pages again from the gradebook, "
                                                           "hand grades and comments included")
    feedback_parser.add_argument("assignment")
    feedback_parser.add_argument("--student", action="append", default=[], help="only this student (repeatable)")
    feedback_parser.add_argument("--feedback", choices=("messages", "full"), default="messages",
                                 help="as autograder grade --feedback (default: messages)")
    feedback_parser.set_defaults(handler=_feedback)

    return_parser = commands.add_parser("return", help="hand a graded assignment's feedback pages back where "
                                                       "students look (Canvas, Moodle, nbgrader's exchange)")
    return_parser.add_argument("assignment")
    return_parser.add_argument("--format", choices=handback.FORMATS, required=True,
                               help="canvas: a zip for Re-Upload Submissions; moodle: a zip for Upload multiple "
                                    "feedback files in a zip; exchange: nbgrader release_feedback (docs/term.md)")
    return_parser.add_argument("--out", type=Path, help="canvas, moodle: zip to write "
                                                        "(default: grades/<id>_<format>_feedback.zip)")
    return_parser.add_argument("--student", action="append", default=[], help="only this student (repeatable)")
    return_parser.add_argument("--exchange", type=Path, help="exchange: nbgrader's exchange folder, passed as "
                                                             "--Exchange.root (default: the course's c.Exchange.root)")
    return_parser.set_defaults(handler=_return_feedback)

    gradescope_parser = commands.add_parser("gradescope", help="write an assignment's Gradescope autograder zip")
    gradescope_parser.add_argument("assignment")
    gradescope_parser.add_argument("--out", type=Path, help="zip to write (default: ./<id>_autograder.zip)")
    gradescope_parser.set_defaults(handler=_gradescope)

    doctor_parser = commands.add_parser("doctor", help="what this machine offers for grading, and fixes")
    doctor_parser.add_argument("--scheduler", help="also report the workers of this Dask cluster (address or scheduler file)")
    doctor_parser.set_defaults(handler=_doctor)

    worker_parser = commands.add_parser("cluster-worker", help="run a Dask worker that grades (docs/cluster.md)")
    worker_parser.add_argument("scheduler", help="scheduler address (tcp://host:8786) or scheduler file")
    worker_parser.add_argument("--slots", type=int, default=0,
                               help="submissions graded at once (default: from GPU memory, cores and RAM)")
    worker_parser.add_argument("--gpu", type=int, help="use only this GPU (sets CUDA_VISIBLE_DEVICES)")
    worker_parser.add_argument("--name", help="the worker's name in the cluster")
    worker_parser.set_defaults(handler=_cluster_worker)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``autograder`` command; return its exit status.

    Run as the command (``argv`` None), SIGTERM stops it as Ctrl-C does:
    what was graded stays recorded and the run's log is completed.
    """
    arguments = parser().parse_args(argv)
    if argv is None:
        signal.signal(signal.SIGTERM, _stop)
    try:
        return arguments.handler(arguments)
    except (FileNotFoundError, ValueError, submissions.SubmissionsError, ClusterGone) as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as stopped:
        print(f"autograder: stopped early ({stopped or 'Ctrl-C'}): what was done is kept; run again to finish",
              file=sys.stderr)
        return 1


def _stop(signal_number: int, frame: object) -> None:
    """Turn a termination signal into KeyboardInterrupt, so that clean-up runs."""
    raise KeyboardInterrupt(signal.Signals(signal_number).name)


if __name__ == "__main__":
    sys.exit(main())
