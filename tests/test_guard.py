"""The tamper guard puts back what a learner's code reassigns."""

from __future__ import annotations

import builtins
import subprocess
import sys

SCRIPT = """
import builtins, json, sys
import numpy as np
from autograder.grading import guard
import keras
from autograder.learner import checks
namespace = {"checks": checks, "np": np, "keras": keras, "mine": 1}
guard.protect(namespace)
original = (checks.equal, keras.Model.count_params, np.allclose, builtins.isinstance)
checks.equal = lambda *a, **k: None
keras.Model.count_params = lambda self: 0
np.allclose = lambda *a, **k: True
builtins.isinstance = lambda *a: True
namespace["checks"] = "fake"
namespace["mine"] = 2
sys.modules["autograder.learner.checks"] = "fake"
undone = guard.restore(namespace)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
print(json.dumps({
    "undone": undone,
    "same": (checks.equal, keras.Model.count_params, np.allclose, builtins.isinstance) == original,
    "params": model.count_params(),
    "names": [namespace["checks"] is checks, namespace["mine"]],
    "module": sys.modules["autograder.learner.checks"] is checks,
    "again": guard.restore(namespace),
}))
"""


def test_restore_undoes_reassignments_and_reports_them():
    import json

    finished = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    assert report["same"] and report["module"] and report["params"] == 8
    assert report["names"] == [True, 2]  # the learner's own names are theirs to change
    assert set(report["undone"]) >= {
        "autograder.learner.checks.equal", "keras.src.models.model.Model.count_params", "numpy.allclose",
        "builtins.isinstance", "checks", "sys.modules['autograder.learner.checks']",
    }
    assert report["again"] == []


def test_restore_without_protect_is_an_error():
    finished = subprocess.run(
        [sys.executable, "-c", "from autograder.grading import guard; guard.restore()"], capture_output=True, text=True
    )
    assert finished.returncode != 0 and "needs guard.protect() first" in finished.stderr
    assert builtins.isinstance is isinstance
