"""The warm training service: Keras imported once per grading worker, one forked child per brief training.

Starting Python and importing Keras and its backend costs seconds, and
every hidden accuracy check used to pay it in a fresh process. The service
is a fork server: a process that imports Keras (not touching any device)
and loads the datasets once, then listens on a Unix socket. For each
request (a JSON line: the model's config, its compile config and the
budget, as `autograder.learner.training.brief_train` sends it) it forks a
child that trains exactly as a fresh ``python -m autograder.grading.trainer``
would (the child fixes every seed and builds its own backend state) and
writes one result line back. Children inherit nothing learner-made: the
service never runs learner code, and each child exits after one request.

``python -m autograder.grading.training_service SOCKET [DATASET ...]`` is
the server; `TrainingService` starts and stops it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from autograder.grading import trainer
from autograder.learner import datasets
from autograder.learner.training import RESULT_PREFIX, SERVICE_VARIABLE

READY_LINE = "AUTOGRADER-TRAINER-READY"
START_TIMEOUT_S = 300.0


class TrainingService:
    """One warm trainer process and its socket.

    Example:
        >>> service = TrainingService(["fashion_mnist"], environment)  # doctest: +SKIP
        >>> service.start(); kernel_environment[SERVICE_VARIABLE] = str(service.socket)  # doctest: +SKIP
    """

    def __init__(self, preload: list[str], environment: dict[str, str], log: Path | None = None) -> None:
        folder = Path(tempfile.gettempdir()) / f"autograder-trainer-{os.getuid()}"
        folder.mkdir(mode=0o700, exist_ok=True)
        self.socket = folder / f"{uuid.uuid4().hex[:12]}.sock"
        self.preload = [name for name in preload if name]
        self.environment = environment
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the server and wait until it listens.

        Raises:
            RuntimeError: it exited or did not get ready in time (the log says why).
        """
        stderr = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(self.socket), *self.preload],
            stdout=subprocess.PIPE, stderr=stderr, env={**self.environment, **trainer.DETERMINISM_ENVIRONMENT},
            text=True, start_new_session=True,
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], START_TIMEOUT_S)
        if not ready or self.process.stdout.readline().strip() != READY_LINE:
            self.stop()
            raise RuntimeError(f"the training service did not start (see {self.log or 'its log'})")

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self.process is not None and self.process.poll() is None

    def variables(self) -> dict[str, str]:
        """The environment a learner's kernel needs to use this service."""
        return {SERVICE_VARIABLE: str(self.socket)}

    def stop(self) -> None:
        """Stop the server and every child it is running; remove the socket."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        self.socket.unlink(missing_ok=True)


def _serve_one(connection: socket.socket) -> None:
    """In a forked child: read one request, train, write the reply, within the budget's time limit."""
    with connection, connection.makefile("rwb") as stream:
        request = json.loads(stream.readline())
        limit = float(request.get("budget", {}).get("time_limit_s", 600))

        def out_of_time(*_: object) -> None:
            stream.write(f"{RESULT_PREFIX}{json.dumps({'timeout': limit})}\n".encode())
            stream.flush()
            os._exit(3)

        signal.signal(signal.SIGALRM, out_of_time)
        signal.setitimer(signal.ITIMER_REAL, limit)
        reply = trainer.answer(request)
        signal.setitimer(signal.ITIMER_REAL, 0)
        stream.write(reply.encode() + b"\n")
        stream.flush()


def serve(path: Path, preload: list[str]) -> None:
    """Import Keras, load ``preload`` datasets, listen on ``path`` and fork a child per request (never returns)."""
    import keras  # noqa: F401  (imported once here, inherited by every child)

    for name in preload:
        try:
            datasets.load(name, subset="full")
        except datasets.DatasetError:  # this machine lacks it: the grader reports such jobs as not graded
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path.unlink(missing_ok=True)
    server.bind(str(path))
    server.listen(64)
    print(READY_LINE, flush=True)
    while True:
        connection, _ = server.accept()
        if os.fork() == 0:
            server.close()
            try:
                _serve_one(connection)
            finally:
                os._exit(0)
        connection.close()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.argv[2:])
