"""A quiet console: `autograder doctor`, `grade` and `export` print their own lines and no library's.

The commands run as an instructor runs them: in a subprocess, through the
console entry point, without the test suite's ``TF_CPP_MIN_LOG_LEVEL`` or
warning filters. TensorFlow's and absl's C++ start-up lines, oneDNN and CUDA
notices and Python warnings must not reach stdout or stderr.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder import nbgrader_run
from autograder.course import Course
from autograder.grading import sandbox
from conftest import require

ASSIGNMENT = "fashion_dense"
NOISE = re.compile(
    r"absl::InitializeLog|Could not find cuda drivers|oneDNN custom operations|cpu_feature_guard|cuda_platform"
    r"|TensorFlow binary is optimized|rebuild TensorFlow|failed call to cuInit"
    r"|^[IWEF]\d{4} \d\d:\d\d:\d\d|Warning:|DeprecationWarning|UserWarning|FutureWarning|SAWarning",
    re.MULTILINE,
)


def _run(*arguments: str, timeout: float) -> subprocess.CompletedProcess:
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("TF_CPP_MIN_LOG_LEVEL", "PYTHONWARNINGS", "MPLBACKEND")}
    return subprocess.run([sys.executable, "-m", "autograder.cli", *arguments], capture_output=True, text=True,
                          timeout=timeout, env=environment)


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
def test_grade_and_export_print_only_their_own_lines(root, tmp_path):
    require("fashion_mnist")
    course_root = tmp_path / "course"
    nbgrader_run.scratch_course(root, course_root, [])
    shutil.copytree(root / "source" / ASSIGNMENT, course_root / "source" / ASSIGNMENT)
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
    exported = _run("--course", str(course_root), "export", ASSIGNMENT, timeout=300)
    assert exported.returncode == 0 and "1 student(s)" in exported.stdout, exported.stdout + exported.stderr
    assert _noise(exported) == [], exported.stdout + exported.stderr
