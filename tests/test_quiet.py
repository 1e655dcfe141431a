"""learner.quiet: a setup cell's Keras import leaves nothing on stderr, where a plain import prints TensorFlow's lines."""

from __future__ import annotations

import os
import subprocess
import sys

SETUP = "from autograder.learner import quiet\nquiet.load_keras()\nimport keras\nprint(keras.__version__)"


def stderr_of(code: str) -> str:
    environment = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=environment)
    assert finished.returncode == 0, finished.stderr[-2000:]
    return finished.stderr


def test_quiet_import_keeps_stderr_empty():
    assert stderr_of(SETUP) == ""


def test_a_plain_import_is_what_it_hides():
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return
    plain = stderr_of("import keras")
    assert "absl" in plain or "oneDNN" in plain
