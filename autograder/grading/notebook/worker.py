"""A warm grading worker: one long-lived process that grades notebook after notebook.

Python, nbgrader and Keras start once per worker, not once or more per
notebook: the worker imports nbgrader, starts the training service the
hidden accuracy checks use (`autograder.grading.trainer.training_service`) and
keeps a spare learner kernel warm (`autograder.grading.notebook.kernels`); then it
reads `GradingJob` frames on stdin and answers each with a
`GradingOutcome` frame on stdout (`autograder.grading.hops` says how;
`autograder.grading.notebook.grade_one.grade_one` grades).
Whatever a library prints goes to stderr (the worker's log), never into
the frames.

``python -m autograder.grading.notebook.worker FOLDER [--hide PATH ...] [--preload DATASET ...]``
runs it; `WorkerProcess` in `autograder.grading.runner.executors` drives it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from autograder.grading import workfolders
from autograder.grading.hops import TRAINER_LOG, WORKER_READY, receive, send
from autograder.grading.notebook.kernels import SpareKernels
from autograder.grading.notebook.grade_one import Worker, grade_one
from autograder.grading.trainer.trained_store import STORE_VARIABLE
from autograder.grading.trainer.training_service import TrainingService


def log(line: str) -> None:
    """Write one line to the worker's log (its stderr), with the time."""
    print(f"{time.strftime('%H:%M:%S')} worker {os.getpid()}: {line}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    """Serve jobs from stdin until it closes (see the module)."""
    parser = argparse.ArgumentParser(prog="python -m autograder.grading.notebook.worker")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--hide", action="append", type=Path, default=[])
    parser.add_argument("--preload", action="append", default=[])
    arguments = parser.parse_args(argv)
    frames_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints go to the log, not into the frames
    folder = arguments.folder
    folder.mkdir(parents=True, exist_ok=True)
    log(f"starting: backend {os.environ.get('KERAS_BACKEND', 'tensorflow')}, datasets {arguments.preload or 'none'}")
    service = TrainingService(arguments.preload, dict(os.environ), log=folder / TRAINER_LOG)
    service.launch()  # the spare kernel starts while Keras loads in the service
    environment = {name: value for name, value in os.environ.items() if name != STORE_VARIABLE}  # the service's only
    environment.update(service.variables())
    kernels = SpareKernels(folder / "kernels", environment, arguments.hide, hide_all_but_own=workfolders.parent())
    kernels.prepare()
    worker = Worker(folder, kernels, os.environ.get("KERAS_BACKEND", "tensorflow"))
    try:
        service.wait_ready()
        send(frames_out, WORKER_READY)
        log("ready")
        while (job := receive(sys.stdin.buffer)) is not None:
            if not service.running:  # killed (out of memory, say): bring it back on the same socket
                log("the training service had stopped; starting it again")
                service.start()
            log(f"grading {job.student}")
            outcome = grade_one(job, worker)
            result = outcome.result
            log(f"{job.student}: {result.status} {result.total:g}/{result.max_total:g} in {result.seconds:.1f} s"
                + (f" ({result.reason})" if result.reason else ""))
            send(frames_out, outcome)
    finally:
        kernels.close()
        service.stop()


if __name__ == "__main__":
    main()
