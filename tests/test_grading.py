"""`autograder grade` end to end: one batch of good and bad fashion_dense submissions through real nbgrader.

The batch (the session's, tests/fashion_dense_batch.py) mixes right
notebooks with one fixture per failure the runner must survive (a cell that loops, one that sleeps, a kernel that
exits, one that runs out of memory, a notebook that is not JSON, a missing
notebook, tampering with the grading helpers, a deleted and an edited
locked cell, reading the course's ``source/``). Each must get exactly the
expected grade and reason, and the correct ones full marks. A second run is
killed mid-batch and resumed, and must end with the same grades.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbgrader.utils import notebook_hash, parse_utc

from autograder import cli, course, nbgrader_run, notebooks
from autograder.authoring import leaks, samples
from autograder.authoring.corpus import hostile
from autograder.course import Course
from autograder.grading import results, workfolders
from autograder.grading.notebook import sandbox
from autograder.grading.runner import batch
from autograder.grading.processes import kill_family
from autograder.grading.trainer import trained_store
from conftest import printed_accuracies, require
from fashion_dense_batch import (
    ASSIGNMENT, CELL_TIMEOUT_S, MEMORY_MIB, all_tests, answers, options, release_notebook, write_batch,
)

pytestmark = pytest.mark.nbgrader

@pytest.fixture(scope="module")
def project(root) -> Path:
    """The course being tested (the repository), as opposed to the scratch courses graded here."""
    return root


@pytest.fixture(scope="module")
def graded_batch(fashion_dense_batch):
    """The session's graded batch (tests/fashion_dense_batch.py): course, fixtures, report, progress lines, inbox."""
    graded = fashion_dense_batch
    return graded.root, graded.fixtures, graded.report, graded.lines, graded.inbox


def _copy(folder: Path, destination: Path) -> Path:
    """A copy of ``folder`` at ``destination``."""
    return Path(shutil.copytree(folder, destination, symlinks=True))


def _lost(result: results.SubmissionResult) -> frozenset[str]:
    return frozenset(cell for cell, points in result.max_scores.items() if result.scores.get(cell, 0.0) < points)


@pytest.mark.parametrize("student", [
    "correct", "correct_b", "infinite_loop", "ignores_interrupt", "kernel_exits", "out_of_memory", "tampering",
    "deleted_locked", "edited_locked", "reads_source", "reads_source_absolute", "reads_runner_files",
    "reads_gradebook", "not_json", "missing_file", *[attack.name for attack in hostile.ATTACKS],
])
def test_each_submission_gets_its_expected_grade(graded_batch, student, project):
    root, fixtures, report, _, _ = graded_batch
    if student not in fixtures:
        pytest.skip(f"{student} would harm the grader on a machine without namespaces ({sandbox.describe()})")
    result = next(result for result in report.results if result.student == student)
    assert result.max_scores == notebooks.test_points(notebooks.read(course.source_notebook(project, ASSIGNMENT)))
    assert _lost(result) == fixtures[student][1], result.messages


@pytest.mark.parametrize("student, status, words", [
    ("infinite_loop", "graded", f"ran longer than the grader's limit of {CELL_TIMEOUT_S} s"),
    ("kernel_exits", "graded", "the kernel stopped"),
    ("out_of_memory", "graded", f"more than the grader's limit of {MEMORY_MIB} MiB"),
    ("not_json", "failed", "is not a readable Jupyter notebook"),
    ("missing_file", "failed", "no notebook in missing_file/"),
])
def test_failures_say_why_in_results_and_feedback(graded_batch, student, status, words):
    root, _, _, _, _ = graded_batch
    result = results.read_json(Course(root).results_json(ASSIGNMENT, student))
    assert result is not None and result.status == status
    feedback = Course(root).feedback_page(ASSIGNMENT, student).read_text()
    shown = json.loads(Course(root).results_json(ASSIGNMENT, student).read_text())["output"]
    assert words in shown
    assert words.split("'")[0] in feedback.replace("&#x27;", "'").replace("&#39;", "'")


def test_attacks_change_nothing_of_the_course_or_the_machine(graded_batch):
    """Nothing an attacker wrote reached the course, the right notebooks' results or the runner's disk."""
    root, fixtures, report, lines, _ = graded_batch
    assert len(report.results) == len(fixtures) and len(lines) == len(fixtures)
    assert report.interrupted is None  # what `autograder grade` exits 0 on
    assert all(result.status != results.NOT_GRADED for result in report.results)  # every student graded
    attacker = "writes_the_course"  # its own notebook and feedback show its code, mark included
    written = [path for path in root.rglob("*") if path.is_file() and hostile.MARK.encode() in path.read_bytes()
               and attacker not in path.parts]
    assert written == []
    for student in ("correct", "correct_b"):
        assert nbgrader_run.read_grades(root, ASSIGNMENT, student).total == 15
    assert not list(Path(tempfile.gettempdir()).glob("filler-*"))
    notebook = Course(root).autograded_notebook(ASSIGNMENT, "prints_megabytes")
    page = Course(root).feedback_page(ASSIGNMENT, "prints_megabytes")
    assert notebook.stat().st_size < 2 << 20 and page.stat().st_size < 2 << 20  # it printed 50 MB
    assert "characters cut: the grader keeps 1,024 KiB of what a cell prints" in page.read_text()
    if sandbox.available():
        messages = results.read_json(Course(root).results_json(ASSIGNMENT, "fills_disk")).messages
        assert any("of files, more than the grader's limit" in message for message in messages.values()), messages


def test_tampering_is_undone_and_reported(graded_batch):
    root, _, report, _, _ = graded_batch
    result = next(result for result in report.results if result.student == "tampering")
    assert "autograder.learner.checks.output_shape" in result.guard_undid["test_build_dense_model"]
    assert "keras.src.models.model.Model.count_params" in result.guard_undid["test_build_dense_model"]
    feedback = Course(root).feedback_page(ASSIGNMENT, "tampering").read_text()
    assert "found (None, 9)" in feedback and "The grader undid changes" in feedback


def test_gradebook_csv_and_results_json_agree(graded_batch):
    root, fixtures, report, _, _ = graded_batch
    with_scores = {result.student: result for result in report.results}
    for student in fixtures:
        stored = nbgrader_run.read_grades(root, ASSIGNMENT, student)
        assert stored.scores == with_scores[student].scores
        gradescope = json.loads(Course(root).results_json(ASSIGNMENT, student).read_text())
        assert gradescope["score"] == with_scores[student].total
        assert {test["name"] for test in gradescope["tests"] if test["status"] == "failed"} == fixtures[student][1]
    rows = (root / "grades" / f"{ASSIGNMENT}.csv").read_text().splitlines()
    assert rows[0].startswith("student,test_class_names") and len(rows) == len(fixtures) + 1
    assert any(line.startswith("correct,1,2,3,2,2,2,3,15,15,graded") for line in rows)
    assert (root / "grades" / "nbgrader_export.csv").exists()


def test_progress_lines_count_up_to_the_batch(graded_batch):
    _, fixtures, _, lines, _ = graded_batch
    assert len(lines) == len(fixtures)
    assert lines[-1].startswith(f"[{len(fixtures)}/{len(fixtures)}]") and "/hour" in lines[-1]


def test_second_run_grades_nothing_and_regrading_one_student_replaces_only_theirs(graded_batch, project, tmp_path,
                                                                                   monkeypatch):
    """The regraded student now hands in correct's notebook: another run (another worker and training service, no
    store of trained results: it trains again) must give it the same scores and, to the printed digit, the same
    accuracy (grading is deterministic). (In a copy of the session's course, which other files read.)"""
    monkeypatch.setenv(trained_store.STORE_VARIABLE, trained_store.OFF)
    shared_root, fixtures, first_run, _, shared_inbox = graded_batch
    root, folder = _copy(shared_root, tmp_path / "course"), _copy(shared_inbox, tmp_path / "inbox")
    before = {student: Course(root).results_json(ASSIGNMENT, student).stat().st_mtime_ns for student in fixtures}
    again = batch.grade(root, ASSIGNMENT, options(folder))
    assert again.graded_now == []
    nbformat.write(samples.fill(release_notebook(project), answers(project)), str(folder / "deleted_locked.ipynb"))
    regraded = batch.grade(root, ASSIGNMENT, options(folder, students=("deleted_locked",), feedback="full"))
    assert regraded.graded_now == ["deleted_locked"]
    page = Course(root).feedback_page(ASSIGNMENT, "deleted_locked").read_text()
    hidden = notebooks.secret_lines(notebooks.read(course.source_notebook(project, ASSIGNMENT))).hidden
    assert leaks.leaks(page, hidden) == [] and "(the grader's hidden checks ran here)" in page
    assert "lines folded" not in page
    assert _lost(regraded.results[0]) == frozenset()
    assert regraded.results[0].scores == next(result.scores for result in first_run.results if result.student == "correct")
    first = printed_accuracies(root, ASSIGNMENT, "correct")
    assert len(first) == 1 and printed_accuracies(root, ASSIGNMENT, "deleted_locked") == first
    for student in fixtures:
        changed = Course(root).results_json(ASSIGNMENT, student).stat().st_mtime_ns != before[student]
        assert changed == (student == "deleted_locked"), student
    assert nbgrader_run.read_grades(root, ASSIGNMENT, "correct").total == 15


def test_whole_submission_time_limit_fails_only_that_submission(scratch_courses, tmp_path_factory, project):
    require("fashion_mnist")
    root = scratch_courses.make("slow")
    folder = tmp_path_factory.mktemp("slow-inbox")
    sleeper = samples.fill(release_notebook(project), {**answers(project), "class_names": "import time\ntime.sleep(10**6)"})
    write_batch(folder, {"sleeper": (sleeper, all_tests(project))})
    report = batch.grade(root, ASSIGNMENT, options(folder, timeout_s=8, workers=1))
    result = report.results[0]
    assert result.status == "failed" and "stopped after 8 s" in result.reason
    assert set(result.scores.values()) == {0.0}
    assert not [process for process in psutil.Process().children(recursive=True) if "ipykernel" in " ".join(process.cmdline())]


def _run_pid(folder: Path) -> int | None:
    """The process recorded in a work folder; None for one another run is still setting up."""
    try:
        return json.loads((folder / workfolders.OWNER_FILE).read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return None


def test_killed_run_resumes_to_the_same_grades(scratch_courses, graded_batch, tmp_path_factory, project):
    _, fixtures, uninterrupted, _, _ = graded_batch
    root = scratch_courses.make("resumed")
    students = ["untouched", "kernel_exits", "tampering", "not_json"]  # none trains a model: the resumed run is quick
    folder = tmp_path_factory.mktemp("resume-inbox")
    write_batch(folder, {student: fixtures[student] for student in students})
    command = [sys.executable, "-m", "autograder.cli", "--course", str(root), "grade", ASSIGNMENT,
               "--submissions", str(folder), "--workers", "2", "--cell-timeout", str(CELL_TIMEOUT_S),
               "--memory", str(MEMORY_MIB)]
    runner = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not list((root / "feedback").glob(f"*/{ASSIGNMENT}/results.json")) and time.monotonic() < deadline:
        time.sleep(0.5)
    kill_family(runner.pid)
    runner.wait()
    killed_folders = [folder for folder in workfolders.parent().iterdir() if _run_pid(folder) == runner.pid]
    assert len(killed_folders) == 1  # a killed run cannot remove its folder; the next run does
    finished_before = {path.parent.parent.name for path in (root / "feedback").glob(f"*/{ASSIGNMENT}/results.json")}
    assert 1 <= len(finished_before) < len(students)
    resumed = batch.grade(root, ASSIGNMENT, options(folder))
    assert set(resumed.graded_now) == set(students) - finished_before
    expected = {result.student: result.scores for result in uninterrupted.results if result.student in students}
    assert {result.student: result.scores for result in resumed.results} == expected
    assert {student: nbgrader_run.read_grades(root, ASSIGNMENT, student).scores for student in students} == expected
    assert not killed_folders[0].exists()
    killed_log, resumed_log = sorted(Course(root).logs_folder.glob("*.log"))  # the killed run's log stays
    assert resumed.log_path == resumed_log
    killed_text = killed_log.read_text()
    assert f"grade {ASSIGNMENT}: {len(students)} submission(s)" in killed_text
    assert "the run was killed; its workers' logs, found by a later run:" in killed_text  # added by the resumed run
    assert "---- worker-1: worker-1.log ----" in killed_text


def test_feedback_released_through_nbgrader_exchange(graded_batch, tmp_path, capsys):
    """`autograder return --format exchange` makes `nbgrader release_feedback` succeed on the graded course.

    nbgrader reads timestamp.txt and submission_secret.txt beside each page; a submission without them (this
    batch came from a plain folder) gets them, and one that has a timestamp.txt (from nbgrader's collect) keeps it.
    """
    shared_root, _, report, _, _ = graded_batch
    the_course = Course(_copy(shared_root, tmp_path / "course"))  # the session's course stays as graded
    collected = the_course.submitted_folder(ASSIGNMENT, "correct_b") / "timestamp.txt"
    collected.write_text("2020-01-02 03:04:05.000000 UTC")
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    assert cli.main(["--course", str(the_course.root), "return", ASSIGNMENT, "--format", "exchange",
                     "--exchange", str(exchange)]) == 0
    printed = capsys.readouterr().out
    released_to = exchange / "cnn-course" / "feedback"
    assert f"released to {released_to}: the feedback of" in printed
    assert "left out missing_file: no submission in" in printed  # nothing was handed in, so nothing to match
    assert collected.read_text() == "2020-01-02 03:04:05.000000 UTC"
    released = {result.student for result in report.results
                if result.status != "not_graded" and the_course.submitted_folder(ASSIGNMENT, result.student).is_dir()}
    assert {"correct", "correct_b", "infinite_loop", "tampering"} <= released
    for student in released:
        folder = the_course.submitted_folder(ASSIGNMENT, student)
        secret = (folder / "submission_secret.txt").read_text()
        page = released_to / f"{notebook_hash(secret=secret, notebook_id=ASSIGNMENT)}.html"
        assert page.read_bytes() == the_course.feedback_page(ASSIGNMENT, student).read_bytes(), student
        feedback = the_course.feedback_folder(ASSIGNMENT, student)
        assert (feedback / "timestamp.txt").read_text() == (folder / "timestamp.txt").read_text()
    assert len(list(released_to.iterdir())) == len(released)
    written = parse_utc((the_course.submitted_folder(ASSIGNMENT, "correct") / "timestamp.txt").read_text())
    assert written.timestamp() == pytest.approx(the_course.submitted_notebook(ASSIGNMENT, "correct").stat().st_mtime)
