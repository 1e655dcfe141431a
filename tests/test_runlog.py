"""A grading run's log under the course: kept for the last runs, completed with its workers' logs, even after a kill.

The end-to-end checks (a real run's log with its worker lines, a run
stopped midway) are in tests/test_console.py; here the log's own rules run
on files this test writes.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from autograder.course import PRIVATE_NAMES, RUNNER_FOLDER, Course
from autograder.grading import workfolders
from autograder.grading.runner import runlog
from autograder.grading.runner.executors import worker_logs

pytestmark = pytest.mark.quick


@pytest.fixture
def parent(tmp_path, monkeypatch):
    """The runs' work folders' parent, in this test's own temporary folder."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return workfolders.parent()


def _workers_wrote(work):
    """Logs as a pool of two local workers leaves them: each worker's, and its trainer's beside it."""
    pool = workfolders.workers(work)
    for index in (1, 2):
        (pool / f"worker-{index}").mkdir(parents=True)
        (pool / f"worker-{index}.log").write_text(f"worker {index}: ready\n")
    (pool / "worker-1" / "trainer.log").write_text("trainer: serving\n")


def test_the_runner_folder_is_hidden_from_kernels_and_holds_the_logs(tmp_path):
    assert RUNNER_FOLDER in PRIVATE_NAMES
    the_course = Course(tmp_path)
    assert the_course.run_log("x").parent == the_course.logs_folder == tmp_path / ".autograder" / "logs"
    assert the_course.logs_folder.parent in the_course.private_paths()


def test_a_run_log_holds_the_runners_lines_then_its_workers_logs(parent, tmp_path):
    the_course = Course(tmp_path / "course")
    with workfolders.run_folder() as work:
        log = runlog.start(the_course, "quiz", work)
        log.line("[1/1] alice: 2/3")
        _workers_wrote(work)
        runlog.attach_workers(log, work)
        log.close()
    text = log.path.read_text()
    assert log.path.parent == the_course.logs_folder and log.path.name.endswith("-quiz.log")
    assert text.index("[1/1] alice: 2/3") < text.index("---- worker-1: worker-1.log ----\nworker 1: ready\n")
    assert text.index("worker 1: ready") < text.index("---- worker-1 trainer: trainer.log ----\ntrainer: serving\n")
    assert "---- worker-2: worker-2.log ----\nworker 2: ready\n" in text
    assert [label for label, _ in worker_logs(workfolders.workers(work))] == []  # the folder is gone with the run


def test_only_the_last_runs_logs_are_kept(tmp_path):
    the_course = Course(tmp_path)
    the_course.logs_folder.mkdir(parents=True)
    names = [f"202601{day:02d}-120000-quiz.log" for day in range(1, 26)]
    for name in names:
        (the_course.logs_folder / name).write_text("a run\n")
    removed = runlog.prune(the_course)
    assert [path.name for path in removed] == names[: 25 - runlog.KEEP_RUNS]
    assert sorted(path.name for path in the_course.logs_folder.iterdir()) == names[-runlog.KEEP_RUNS:]


def test_a_killed_runs_log_gets_its_workers_logs_from_the_next_run(parent, tmp_path):
    the_course = Course(tmp_path / "course")
    killed = parent / "killed-run"
    killed.mkdir()
    log = runlog.start(the_course, "quiz", killed)
    log.line("[1/2] alice: 2/3")
    log.close()
    _workers_wrote(killed)
    gone = subprocess.Popen(["true"])
    gone.wait()
    (killed / workfolders.OWNER_FILE).write_text(json.dumps({"pid": gone.pid, "started": 1.0}))
    assert runlog.salvage() == [log.path]
    text = log.path.read_text()
    assert text.index("[1/2] alice: 2/3") < text.index("the run was killed; its workers' logs, found by a later run:")
    assert "---- worker-2: worker-2.log ----\nworker 2: ready\n" in text
    assert runlog.salvage() == []  # once


def test_a_work_folder_points_only_at_a_run_log(parent, tmp_path):
    elsewhere = tmp_path / "notes.txt"
    elsewhere.write_text("mine\n")
    forged = parent / "forged"
    forged.mkdir()
    (forged / runlog.POINTER_FILE).write_text(str(elsewhere))
    (forged / workfolders.OWNER_FILE).write_text(json.dumps({"pid": 2**22 + 7, "started": 1.0}))
    assert runlog.salvage() == [] and elsewhere.read_text() == "mine\n"


def test_a_huge_worker_log_is_cut_to_its_end(tmp_path):
    """A learner kernel's stderr lands in its worker's log: the run's log under the course keeps only its last MiB."""
    loud = tmp_path / "worker-1.log"
    loud.write_bytes(b"x" * (3 * runlog.ATTACH_LIMIT_BYTES) + b"\nthe end\n")
    log = runlog.RunLog(tmp_path / "run.log")
    log.attach("worker-1", loud)
    log.close()
    text = (tmp_path / "run.log").read_text()
    assert text.startswith(f"---- worker-1: worker-1.log (its last {runlog.ATTACH_LIMIT_BYTES:,} of ")
    assert text.endswith("the end\n") and len(text) < runlog.ATTACH_LIMIT_BYTES + 200
