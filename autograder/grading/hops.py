"""How the grading processes start and what crosses between them: both ends of each hop read this module.

docs/architecture.md draws the processes. Here are the module each one
runs as and the words and frames they exchange:

- runner → warm worker: ``python -m WORKER_MODULE FOLDER``; the worker
  writes `WORKER_READY` once warm, then each `GradingJob` and its
  `GradingOutcome` cross as one frame each (`send`, `receive`: a length,
  then the pickled object) on the worker's stdin and stdout;
- worker → training service: ``python -m TRAINING_SERVICE_MODULE SOCKET
  DATASET...``, which prints `TRAINER_READY` once it listens, and logs to
  `TRAINER_LOG` in the worker's folder;
- learner kernel → trainer without a service: ``python -m
  autograder.grading.trainer.train``, named `autograder.learner.training.TRAINER_MODULE`
  in the learner package (which cannot import this one).
"""

from __future__ import annotations

import pickle
import struct
from typing import Any, BinaryIO

WORKER_MODULE = "autograder.grading.notebook.worker"
TRAINING_SERVICE_MODULE = "autograder.grading.trainer.training_service"

WORKER_READY = "ready"
TRAINER_READY = "AUTOGRADER-TRAINER-READY"
# The training service's log, in the worker's folder; the worker's own is its stderr.
TRAINER_LOG = "trainer.log"

HEADER = struct.Struct("!Q")


def send(stream: BinaryIO, message: Any) -> None:
    """Write one pickled frame (length, then bytes)."""
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(body)) + body)
    stream.flush()


def receive(stream: BinaryIO) -> Any:
    """Read one frame written by `send`; None at the end of the stream."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    return pickle.loads(stream.read(size))
