"""Grading on a real Dask cluster on 127.0.0.1: a scheduler and worker processes, no mocks.

A mixed batch of fashion_dense submissions (right, wrong, broken) graded
through the cluster must get exactly the grades the local executor gives;
a worker killed mid-batch costs no submission its grade; a worker without
the assignment's dataset reports the submission not graded (never a wrong
grade), and the scheduler going away stops the run with a message, after
which a rerun grades what is left. A cluster whose workers offer no
grading slot (plain ``dask worker``) is an error within seconds that says
how to start one, and a run whose slots go away says it is waiting.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder import cli, nbgrader_run, notebooks
from autograder.course import Course
from autograder.grading import results
from autograder.grading.runner import batch
from autograder.grading.runner.executors import DaskExecutor, SlotWatch
from autograder.grading.runner.progress import Progress
from autograder.grading.processes import kill_family
from conftest import require
from fashion_dense_batch import CELL_TIMEOUT_S, MEMORY_MIB, write_batch
from fashion_dense_batch import options as batch_options

pytestmark = pytest.mark.nbgrader
distributed = pytest.importorskip("distributed", reason="the cluster extra is not installed (pip install -e '.[cluster]')")

ASSIGNMENT = "fashion_dense"
START_TIMEOUT_S = 120


class Cluster:
    """A scheduler and ``autograder cluster-worker`` processes on this machine, stopped at the end."""

    def __init__(self, folder: Path) -> None:
        self.scheduler_file = folder / "scheduler.json"
        self.folder = folder
        self.scheduler = self._spawn([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                      "--port", "0", "--no-dashboard", "--scheduler-file", str(self.scheduler_file)],
                                     "scheduler")
        self.workers: list[subprocess.Popen] = []
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)

    def _spawn(self, command: list[str], name: str, **environment: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "ab")
        return subprocess.Popen(command, stdout=log, stderr=log, env={**os.environ, **environment}, start_new_session=True)

    def add_worker(self, name: str, **environment: str) -> subprocess.Popen:
        """Start a grading worker with one slot; wait until the scheduler sees it."""
        command = [sys.executable, "-m", "autograder.cli", "cluster-worker", str(self.scheduler_file),
                   "--slots", "1", "--name", name]
        worker = self._spawn(command, name, **environment)
        self.workers.append(worker)
        with distributed.Client(scheduler_file=str(self.scheduler_file), timeout=30) as client:
            client.wait_for_workers(len(self.workers), timeout=START_TIMEOUT_S)
        return worker

    def add_plain_worker(self, name: str) -> subprocess.Popen:
        """Start a plain ``dask worker`` (no grading slots); wait until the scheduler sees it."""
        command = [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(self.scheduler_file),
                   "--nthreads", "1", "--memory-limit", "0", "--name", name]
        worker = self._spawn(command, name)
        self.workers.append(worker)
        with distributed.Client(scheduler_file=str(self.scheduler_file), timeout=30) as client:
            client.wait_for_workers(len(self.workers), timeout=START_TIMEOUT_S)
        return worker

    def kill(self, process: subprocess.Popen) -> None:
        """Kill a process and everything it started."""
        kill_family(process.pid)
        process.wait()

    def stop(self) -> None:
        for process in [*self.workers, self.scheduler]:
            self.kill(process)


# Students of the session's batch (tests/fashion_dense_batch.py) graded here again: right, wrong (9 output units,
# with the helpers patched: the guard undoes it), broken. Only the right one trains a model.
CLUSTER_STUDENTS = ("correct", "tampering", "kernel_exits", "not_json")
# Graded when the scheduler goes away: notebooks that train nothing, so the rerun that resumes is quick.
RESUMED_STUDENTS = ("untouched", "kernel_exits", "not_json")


def _grades(report: batch.BatchReport) -> dict[str, tuple[str, dict[str, float]]]:
    return {result.student: (result.status, result.scores) for result in report.results}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    running = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        yield running
    finally:
        running.stop()


def _from_the_session_batch(graded, folder: Path, students: tuple[str, ...]):
    """An inbox of ``students``, what each must lose, and their (status, scores) from the local pool."""
    chosen = {student: graded.fixtures[student] for student in students}
    write_batch(folder, chosen)
    local = {student: grade for student, grade in _grades(graded.report).items() if student in chosen}
    return folder, {student: loses for student, (_, loses) in chosen.items()}, local


@pytest.fixture(scope="module")
def local_grades(fashion_dense_batch, tmp_path_factory):
    """`CLUSTER_STUDENTS` (see `_from_the_session_batch`)."""
    return _from_the_session_batch(fashion_dense_batch, tmp_path_factory.mktemp("inbox"), CLUSTER_STUDENTS)


def test_cluster_grades_exactly_as_the_local_pool_and_survives_a_killed_worker(scratch_courses, root, cluster, local_grades, tmp_path_factory):
    inbox, expected, local = local_grades
    first = cluster.add_worker("worker-a")
    cluster.add_worker("worker-b")
    scratch = scratch_courses.make("on-cluster")
    options = batch_options(inbox, scheduler=str(cluster.scheduler_file))
    killer = threading.Thread(target=_kill_after_first_result, args=(cluster, first, scratch), daemon=True)
    killer.start()
    report = batch.grade(scratch, ASSIGNMENT, options)
    killer.join()
    assert report.interrupted is None
    assert _grades(report) == local
    for student, loses in expected.items():
        result = next(result for result in report.results if result.student == student)
        assert set(cell for cell, message in result.lost.items()) == set(loses), student
    assert all(result.status != results.NOT_GRADED for result in report.results)
    stored = {student: nbgrader_run.read_grades(scratch, ASSIGNMENT, student).scores for student in local if local[student][0] == "graded"}
    assert stored == {student: scores for student, (status, scores) in local.items() if status == "graded"}


def _kill_after_first_result(cluster: Cluster, worker: subprocess.Popen, scratch: Path) -> None:
    """Kill ``worker`` (and its grading processes) once the batch is under way."""
    deadline = time.monotonic() + 600
    while not list((scratch / "feedback").glob(f"*/{ASSIGNMENT}/results.json")) and time.monotonic() < deadline:
        time.sleep(0.5)
    cluster.kill(worker)


def test_doctor_reports_the_cluster_workers_and_slots(cluster, capsys):
    if not cluster.workers:
        cluster.add_worker("worker-c")
    cli.main(["doctor", "--scheduler", str(cluster.scheduler_file)])
    out = capsys.readouterr().out
    assert "grading slot(s)" in out and "1 slot(s), GPU: none" in out


def test_worker_without_the_dataset_reports_not_graded_and_a_rerun_grades_it(scratch_courses, root, tmp_path_factory):
    require("mnist")
    assignment = "conv_mechanics"
    lonely = Cluster(tmp_path_factory.mktemp("no-data-cluster"))
    try:
        empty = tmp_path_factory.mktemp("no-data")
        lonely.add_worker("no-data", AUTOGRADER_DATA_DIR=str(empty), KERAS_HOME=str(empty))
        scratch = scratch_courses.make("no-data-course", (assignment,))
        inbox = tmp_path_factory.mktemp("no-data-inbox")
        notebooks.write(notebooks.read(Course(root).release_notebook(assignment)), inbox / "alice.ipynb")
        options = batch.GradeOptions(submissions=inbox, scheduler=str(lonely.scheduler_file))
        report = batch.grade(scratch, assignment, options)
    finally:
        lonely.stop()
    result = report.results[0]
    assert result.status == results.NOT_GRADED and "no copy of the mnist dataset" in result.reason
    with nbgrader_run.open_gradebook(Course(scratch).gradebook) as gradebook:
        assert [student.id for student in gradebook.students] == []
    again = batch.grade(scratch, assignment, batch.GradeOptions(submissions=inbox, workers=1))
    assert again.graded_now == ["alice"] and again.results[0].status == results.GRADED


def test_scheduler_gone_stops_the_run_with_a_message_and_a_rerun_resumes(scratch_courses, root, fashion_dense_batch,
                                                                          tmp_path_factory, capsys):
    inbox, _, local = _from_the_session_batch(fashion_dense_batch, tmp_path_factory.mktemp("resumed-inbox"),
                                              RESUMED_STUDENTS)
    gone = Cluster(tmp_path_factory.mktemp("gone-cluster"))
    scratch = scratch_courses.make("scheduler-gone")
    try:
        gone.add_worker("only")
        stopper = threading.Thread(target=_kill_after_first_result, args=(gone, gone.scheduler, scratch), daemon=True)
        stopper.start()
        status = cli.main(["--course", str(scratch), "grade", ASSIGNMENT, "--submissions", str(inbox),
                           "--cell-timeout", str(CELL_TIMEOUT_S), "--memory", str(MEMORY_MIB),
                           "--scheduler", str(gone.scheduler_file)])
        stopper.join()
    finally:
        gone.stop()
    err = capsys.readouterr().err
    assert status == 1 and "lost the Dask scheduler" in err and "run again" in err
    finished = {path.parent.parent.name for path in (scratch / "feedback").glob(f"*/{ASSIGNMENT}/results.json")}
    assert finished and finished != set(local)
    resumed = batch.grade(scratch, ASSIGNMENT, batch_options(inbox))
    assert set(resumed.graded_now) == set(local) - finished
    assert _grades(resumed) == local


def test_unreachable_scheduler_is_a_clear_error(scratch_courses, root, tmp_path_factory, capsys):
    scratch = scratch_courses.make("unreachable")
    inbox = tmp_path_factory.mktemp("unreachable-inbox")
    notebooks.write(notebooks.read(Course(root).release_notebook(ASSIGNMENT)), inbox / "alice.ipynb")
    status = cli.main(["--course", str(scratch), "grade", ASSIGNMENT, "--submissions", str(inbox),
                       "--scheduler", "tcp://127.0.0.1:9"])
    assert status == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
    assert not Course(scratch).results_json(ASSIGNMENT, "alice").exists()


def test_a_cluster_without_grading_slots_is_an_error_within_seconds_that_says_how_to_add_one(scratch_courses, root, tmp_path_factory,
                                                                                             capsys):
    plain = Cluster(tmp_path_factory.mktemp("plain-cluster"))
    scratch = scratch_courses.make("no-slots")
    inbox = tmp_path_factory.mktemp("no-slots-inbox")
    notebooks.write(notebooks.read(Course(root).release_notebook(ASSIGNMENT)), inbox / "alice.ipynb")
    try:
        plain.add_plain_worker("plain")
        began = time.monotonic()
        status = cli.main(["--course", str(scratch), "grade", ASSIGNMENT, "--submissions", str(inbox),
                           "--scheduler", str(plain.scheduler_file)])
        took = time.monotonic() - began
        lines: list[str] = []
        executor = DaskExecutor(str(plain.scheduler_file))
        executor.on_wait = Progress(1, lines.append).waiting
        try:
            watch = SlotWatch(executor)
            watch.next_check = 0.0
            watch.check()  # what a run does while its jobs wait
        finally:
            executor.close()
    finally:
        plain.stop()
    err = capsys.readouterr().err
    assert status == 2 and took < 60, (status, took)  # about SLOT_WAIT_S; the bound only guards against a hang
    assert f"no worker of the Dask cluster at {plain.scheduler_file} offers a grading slot" in err
    assert "its 1 worker(s) were not started by `autograder cluster-worker`" in err
    assert f"run `autograder cluster-worker {plain.scheduler_file}` (docs/cluster.md)" in err
    assert not Course(scratch).results_json(ASSIGNMENT, "alice").exists()
    assert lines == [f"waiting on the cluster: no worker offers a grading slot now; on each grading machine run "
                     f"`autograder cluster-worker {plain.scheduler_file}` (docs/cluster.md)"]
