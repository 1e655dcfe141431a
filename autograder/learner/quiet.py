"""Keeping TensorFlow's start-up lines out of a learner's notebook.

While TensorFlow loads, its C++ side writes lines such as "All log messages
before absl::InitializeLog() is called are written to STDERR" or "Could not
find cuda drivers" straight to file descriptor 2, which Jupyter shows under
the cell; ``TF_CPP_MIN_LOG_LEVEL`` set from inside the kernel does not stop
the first of them. `load_keras`, called at the top of every setup cell,
imports Keras (and its backend) with that descriptor pointed at a
temporary file, so the notebook starts clean; Python errors still show.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from types import ModuleType


def load_keras() -> ModuleType:
    """Import Keras and its backend without the backend's start-up lines; return the ``keras`` module.

    Example:
        >>> keras = load_keras()  # doctest: +SKIP
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # the lines TensorFlow would log later
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as caught:
            os.dup2(caught.fileno(), 2)
            try:
                return importlib.import_module("keras")
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)
