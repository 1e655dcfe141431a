"""The warm pool's error paths, with a stand-in worker (tests/fake_worker.py) in place of nbgrader and Keras.

A real worker takes seconds to warm up and a notebook to grade; these
paths (a worker that dies once or every time, one that hangs, one that
never starts, a pool closed with jobs waiting) need only the pipe and the
frames of `autograder.grading.hops`, which the stand-in speaks.
tests/test_grading.py drives real workers through the same paths with
real notebooks.
"""

from __future__ import annotations

import concurrent.futures
import os
import time
from pathlib import Path

import pytest

from autograder.grading.runner.executors import WarmPool
from autograder.grading.job import GradingJob, Limits, Template
from autograder.grading.results import FAILED, GRADED, NOT_GRADED

pytestmark = pytest.mark.quick

TEMPLATE = Template("fashion_dense", b"", b"", {"test_a": 2.0, "test_b": 3.0})


def _pool(tmp_path: Path, size: int = 1, expected: int | None = None, **environment: str) -> WarmPool:
    tests = str(Path(__file__).parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tests, os.environ.get("PYTHONPATH", "")]), **environment}
    return WarmPool(size, tmp_path / "workers", env, hide=[], preload=[], module="fake_worker", grace_s=2.0,
                    expected=expected)


@pytest.fixture
def pool(tmp_path):
    """A started pool of one stand-in worker, closed after the test."""
    started = _pool(tmp_path)
    started.start()
    yield started
    started.close()


def _job(student: str, timeout_s: float = 30.0) -> GradingJob:
    return GradingJob(student, b"{}", TEMPLATE, Limits(timeout_s=timeout_s))


def test_a_worker_that_dies_once_is_replaced_and_the_job_graded(pool):
    assert pool.grade(_job("alice")).result.status == GRADED
    outcome = pool.grade(_job("dies_once"))
    assert outcome.result.status == GRADED and outcome.result.scores == {"test_a": 2.0, "test_b": 3.0}
    assert pool.grade(_job("bob")).result.status == GRADED  # the fresh worker carries on


def test_a_notebook_that_kills_every_worker_is_not_graded_with_the_workers_last_words(pool):
    result = pool.grade(_job("dies")).result
    assert result.status == NOT_GRADED and set(result.scores.values()) == {0.0}
    assert result.reason.startswith("grading crashed twice on this notebook: the grading worker died")
    assert "fake worker: dying on dies" in result.reason
    assert pool.grade(_job("carol")).result.status == GRADED


def test_a_worker_that_hangs_fails_that_job_after_its_limit_and_grace(pool):
    result = pool.grade(_job("hangs", timeout_s=1.0)).result
    assert result.status == FAILED and result.reason == (
        "grading stopped after 1 s: the notebook ran too long in total")
    assert pool.grade(_job("dave")).result.status == GRADED  # a new worker replaced the stopped one


def test_a_worker_that_cannot_start_leaves_the_job_not_graded_with_why(tmp_path):
    pool = _pool(tmp_path, FAKE_WORKER_BROKEN="1")
    try:
        pool.start()  # never raises: the failed worker is retried on first use
        result = pool.grade(_job("erin")).result
        assert result.status == NOT_GRADED
        assert "a grading worker did not start (fake worker: cannot start (broken on purpose))" in result.reason
    finally:
        pool.close()


def test_jobs_waiting_when_the_pool_closes_are_not_graded(pool, tmp_path):
    with concurrent.futures.ThreadPoolExecutor(2) as threads:
        hanging = threads.submit(pool.grade, _job("hangs", timeout_s=30.0))
        deadline = time.monotonic() + 30
        while not (tmp_path / "workers" / "hangs.started").exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # the only worker is busy now
        waiting = threads.submit(pool.grade, _job("frank"))
        pool.close()
        assert waiting.result(timeout=30).result.reason == "the run stopped before grading it"
        assert hanging.result(timeout=30).result.status in (FAILED, NOT_GRADED)


def _started(tmp_path: Path, student: str) -> tuple[str, str]:
    """(the pid of the worker that got ``student``'s job, whether that job kept a spare kernel)."""
    pid, spare = (tmp_path / "workers" / f"{student}.started").read_text().split()
    return pid, spare


def test_only_jobs_that_a_spare_kernel_will_serve_keep_one(tmp_path):
    """3 jobs on 2 workers: 3 kernels in all (each worker's first and one spare), the last job on the spare's worker."""
    pool = _pool(tmp_path, size=2, expected=3)
    try:
        pool.start()
        for student in ("first", "second", "third"):
            assert pool.grade(_job(student)).result.status == GRADED
    finally:
        pool.close()
    started = {student: _started(tmp_path, student) for student in ("first", "second", "third")}
    assert [spare for _, spare in started.values()] == ["True", "False", "False"]
    assert started["third"][0] == started["first"][0] != started["second"][0]


def test_a_pool_that_does_not_know_how_many_jobs_come_always_keeps_a_spare(pool, tmp_path):
    for student in ("gina", "hal"):
        pool.grade(_job(student))
    assert [_started(tmp_path, student)[1] for student in ("gina", "hal")] == ["True", "True"]


def test_local_workers_keep_trained_results_in_the_course_unless_told_otherwise(tmp_path, monkeypatch):
    from autograder.course import Course
    from autograder.grading.runner.batch import local_worker_environment
    from autograder.grading.trainer.trained_store import STORE_VARIABLE

    monkeypatch.delenv(STORE_VARIABLE, raising=False)
    assert local_worker_environment(Course(tmp_path), None, 2)[STORE_VARIABLE] == str(tmp_path / ".autograder" / "trained")
    for named in ("/srv/trained", "none"):
        monkeypatch.setenv(STORE_VARIABLE, named)
        assert local_worker_environment(Course(tmp_path), None, 2)[STORE_VARIABLE] == named
