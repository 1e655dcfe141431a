"""A quiet console: `autograder doctor`, `grade`, `demo` and `export` print their own lines and no library's.

The commands run as an instructor runs them: in a subprocess, through the
console entry point, without the test suite's ``TF_CPP_MIN_LOG_LEVEL`` or
warning filters. TensorFlow's and absl's C++ start-up lines, oneDNN and CUDA
notices and Python warnings must not reach stdout or stderr. What the
workers and their trainers log goes to the run's log under the course,
with the runner's own lines, also for a run stopped midway.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

import nbformat
import pytest

from autograder.course import Course
from autograder.grading.notebook import sandbox
from autograder.grading.processes import kill_family
from conftest import require

ASSIGNMENT = "fashion_dense"
NOISE = re.compile(
    r"absl::InitializeLog|Could not find cuda drivers|oneDNN custom operations|cpu_feature_guard|cuda_platform"
    r"|TensorFlow binary is optimized|rebuild TensorFlow|failed call to cuInit"
    r"|^[IWEF]\d{4} \d\d:\d\d:\d\d|Warning:|DeprecationWarning|UserWarning|FutureWarning|SAWarning",
    re.MULTILINE,
)


def _environment() -> dict[str, str]:
    """The environment without the test suite's log settings."""
    return {name: value for name, value in os.environ.items()
            if name not in ("TF_CPP_MIN_LOG_LEVEL", "PYTHONWARNINGS", "MPLBACKEND")}


def _run(*arguments: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *arguments], capture_output=True, text=True,
                          timeout=timeout, env=_environment())


def _worker_lines(log: str) -> list[str]:
    """The lines a grading worker and its trainer wrote, as the run's log holds them."""
    pattern = re.compile(r"---- worker-\d+( trainer)?: |\d\d:\d\d:\d\d worker \d+: ")
    return [line for line in log.splitlines() if pattern.match(line)]


def _noise(finished: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (finished.stdout + finished.stderr).splitlines() if NOISE.search(line)]


def test_the_noise_pattern_catches_tensorflow_start_up_lines():
    printed = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
               "I0000 00:00:1796019024.173841   11345 cudart_stub.cc:31] Could not find cuda drivers on your machine\n"
               "/x/y.py:3: DeprecationWarning: datetime.utcnow() is deprecated\n")
    assert len(NOISE.findall(printed)) >= 3
    assert not NOISE.search("ok   Keras backend (tensorflow, the default): tensorflow 2.21.0")


def test_doctor_prints_only_its_findings():
    finished = _run("doctor", timeout=300)
    assert "Keras" in finished.stdout
    assert _noise(finished) == [], finished.stdout + finished.stderr


@pytest.mark.nbgrader
def test_grade_and_export_print_only_their_own_lines(scratch_courses, root, tmp_path):
    require("fashion_mnist")
    course_root = scratch_courses.make("course")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    nbformat.write(nbformat.read(Course(root).release_notebook(ASSIGNMENT), as_version=4), str(inbox / "untouched.ipynb"))
    graded = _run("--course", str(course_root), "grade", ASSIGNMENT, "--submissions", str(inbox), "--workers", "1",
                  timeout=900)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "[1/1] untouched: 0/15" in graded.stdout
    assert graded.stdout.splitlines()[0] == sandbox.isolation_line()  # the isolation in force comes first
    assert f"class report: {Course(course_root).class_report(ASSIGNMENT)}" in graded.stdout
    assert _noise(graded) == [], graded.stdout + graded.stderr
    *_, log_line, verdict = graded.stdout.splitlines()
    assert verdict == "autograder: every submission got a grade: 1 in all"
    [log] = Course(course_root).logs_folder.glob("*.log")
    assert log_line == f"log: {log}"
    text = log.read_text()
    assert "[1/1] untouched: 0/15" in text and text.splitlines()[-1].endswith(verdict.removeprefix("autograder: "))
    assert "---- worker-1: worker-1.log ----" in text and "---- worker-1 trainer: trainer.log ----" in text
    assert any(line.endswith(": ready") for line in _worker_lines(text)), text
    exported = _run("--course", str(course_root), "export", ASSIGNMENT, timeout=300)
    assert exported.returncode == 0 and "1 student(s)" in exported.stdout, exported.stdout + exported.stderr
    assert _noise(exported) == [], exported.stdout + exported.stderr


@pytest.mark.nbgrader
def test_demo_starts_quietly_and_a_run_stopped_midway_keeps_its_log(scratch_courses, root, tmp_path):
    """The demo's first lines, up to its first graded submission, are its own; SIGTERM then stops it cleanly."""
    require("fashion_mnist")
    course_root, out = scratch_courses.make("course"), tmp_path / "demo"
    demo = subprocess.Popen([sys.executable, "-m", "autograder.cli", "--course", str(course_root), "demo", ASSIGNMENT,
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=_environment())
    watchdog = threading.Timer(900, kill_family, [demo.pid])
    watchdog.start()
    try:
        printed = []
        for line in demo.stdout:
            printed.append(line)
            if line.startswith("[1/4] "):
                break
        demo.send_signal(signal.SIGTERM)
        rest = demo.communicate(timeout=300)[0]
    finally:
        watchdog.cancel()
        kill_family(demo.pid)
    first = "".join(printed)
    assert printed[-1].startswith("[1/4] ") and sandbox.isolation_line() in first, first + rest
    assert _noise(subprocess.CompletedProcess([], demo.returncode, first + rest, "")) == [], first + rest
    assert demo.returncode == 1 and "autograder: stopped early (SIGTERM)" in rest, rest
    [log] = Course(out).logs_folder.glob("*.log")
    text = log.read_text()
    assert printed[-1].strip() in text and any(line.endswith(": ready") for line in _worker_lines(text)), text
    assert text.splitlines()[-1].endswith("the run stopped: KeyboardInterrupt: SIGTERM"), text[-2000:]
