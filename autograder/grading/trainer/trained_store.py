"""Brief-training results kept on disk: a regrade, or the next run, does not train the same model again.

Training is deterministic: the same architecture, compile settings and
budget (one `autograder.learner.training.training_key`) train to the same
numbers on the same software and device. The warm training service
(`autograder.grading.trainer.training_service`) looks each request up here
before it forks a trainer, and files every new result here.

Results are filed under a fingerprint of what else could change the
numbers (`fingerprint`: Keras, its backend and NumPy with their versions,
the device kind, the trainer's code), so an upgrade or a GPU trains again.
Only the service reads and writes the store. A local grading run keeps it in
the course (``.autograder/trained/``, `autograder.course.Course.trained_store`),
which the sandbox hides from learner kernels; ``AUTOGRADER_TRAINED_STORE``
names another folder (machines that grade several copies of a course, the
test suite), ``none`` switches it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

# The store's folder for a grading worker's training service (`store_from_environment`).
STORE_VARIABLE = "AUTOGRADER_TRAINED_STORE"
OFF = "none"
# The modules whose code decides how a brief training runs.
TRAINER_CODE = ("autograder.grading.trainer.train", "autograder.learner.training", "autograder.learner.budgets")


class TrainedStore:
    """Results filed by training key in ``folder/<fingerprint>/``.

    Example:
        >>> store = TrainedStore(Path(tempfile.mkdtemp()), "cpu-test")
        >>> store.put("abc", 'RESULT {"test_accuracy": 0.5}'); store.get("abc")
        'RESULT {"test_accuracy": 0.5}'
    """

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder / fingerprint

    def get(self, key: str) -> str | None:
        """The reply filed for ``key``, or None (none filed, or the file cannot be read)."""
        try:
            return (self.folder / f"{key}.json").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, reply: str) -> None:
        """File ``reply`` for ``key`` whole (written aside, then renamed); a store that cannot be written only costs time."""
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".writing-")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    file.write(reply)
                os.replace(temporary, self.folder / f"{key}.json")
            except OSError:
                Path(temporary).unlink(missing_ok=True)


def fingerprint(device: str) -> str:
    """What besides the request decides a training's numbers, as a short digest.

    Args:
        device: ``CPU`` or ``GPU``, where this machine trains
            (`autograder.grading.trainer.train.device_name`, asked in a child
            process: the service itself never touches the device).
    """
    import keras
    import numpy

    backend = keras.backend.backend()
    backend_module = sys.modules.get(backend)  # each backend's module has its name, imported by Keras
    code = hashlib.sha256()
    for name in TRAINER_CODE:
        code.update(Path(sys.modules[name].__file__ or "").read_bytes() if name in sys.modules else name.encode())
    facts = {
        "keras": keras.__version__, "backend": backend, "backend_version": getattr(backend_module, "__version__", ""),
        "numpy": numpy.__version__, "device": device, "code": code.hexdigest(),
    }
    return f"{backend}-{device.lower()}-{hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]}"


def store_from_environment(device: Callable[[], str]) -> TrainedStore | None:
    """The store ``AUTOGRADER_TRAINED_STORE`` names, or None (unset or ``none``).

    Args:
        device: asks where this machine trains (for `fingerprint`), only when there is a store.
    """
    folder = os.environ.get(STORE_VARIABLE, "").strip()
    if not folder or folder == OFF:
        return None
    return TrainedStore(Path(folder), fingerprint(device()))
