"""The warm training service: Keras imported once per grading worker, one forked child per brief training.

Starting Python and importing Keras and its backend costs seconds, and
every hidden accuracy check used to pay it in a fresh process. The service
is a fork server: a process that imports Keras (not touching any device)
and loads the datasets once, then listens on a Unix socket. For each
request (a JSON line: the model's config, its compile config and the
budget, as `autograder.learner.training.brief_train` sends it) it forks a
child that trains exactly as a fresh ``python -m autograder.grading.trainer.train``
would (the child fixes every seed and builds its own backend state) and
writes one result line back. Children inherit nothing learner-made: the
service never runs learner code, and each child exits after one request.

Training is deterministic, so the service keeps each result and answers a
request for the same architecture, compile settings and budget again
without training (`Server`): in a class, most right answers are the same
model. Where the worker names a store (`autograder.grading.trainer.trained_store`:
the course's, for a local run), results also outlive the service: the next
run, or a regrade, trains only models never trained before.

``python -m autograder.grading.trainer.training_service SOCKET [DATASET ...]`` is
the server; `TrainingService` starts and stops it.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from autograder.grading import hops
from autograder.grading.trainer import train, trained_store
from autograder.grading.trainer.trained_store import TrainedStore
from autograder.learner import datasets
from autograder.learner.training import RESULT_PREFIX, SERVICE_VARIABLE, training_key

START_TIMEOUT_S = 300.0
# A request is one JSON line of a few kilobytes, written at once by brief_train.
REQUEST_TIMEOUT_S = 30.0
MAX_REQUEST_BYTES = 16 << 20
# Distinct trained results kept for reuse (each a few hundred bytes).
MAX_REPLIES = 10_000
# How often the server looks whether the process that started it (its grading worker) is still there.
PARENT_CHECK_S = 1.0


class TrainingService:
    """One warm trainer process and its socket.

    Example:
        >>> service = TrainingService(["fashion_mnist"], environment)  # doctest: +SKIP
        >>> service.start(); kernel_environment[SERVICE_VARIABLE] = str(service.socket)  # doctest: +SKIP
    """

    def __init__(self, preload: list[str], environment: dict[str, str], log: Path | None = None) -> None:
        services = Path(tempfile.gettempdir()) / f"autograder-trainer-{os.getuid()}"
        services.mkdir(mode=0o700, exist_ok=True)
        # A folder of its own, which a sandboxed kernel can be given before the socket in it exists.
        self.folder = services / uuid.uuid4().hex[:12]
        self.folder.mkdir(mode=0o700)
        self.socket = self.folder / "trainer.sock"
        self.preload = [name for name in preload if name]
        self.environment = environment
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the server and wait until it listens.

        Raises:
            RuntimeError: it exited or did not get ready in time (the log says why).
        """
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the server without waiting for it (its socket path is known already); see `wait_ready`."""
        stderr = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", hops.TRAINING_SERVICE_MODULE, str(self.socket), *self.preload],
            stdout=subprocess.PIPE, stderr=stderr, env={**self.environment, **train.DETERMINISM_ENVIRONMENT},
            text=True, start_new_session=True,
        )

    def wait_ready(self) -> None:
        """Wait until the server `launch` started listens.

        Raises:
            RuntimeError: it exited or did not get ready in time (the log says why).
        """
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], START_TIMEOUT_S)
        if not ready or self.process.stdout.readline().strip() != hops.TRAINER_READY:
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
        """Stop the server and every child it is running; remove the socket and its folder."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        self.socket.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.folder.rmdir()


def _serve_one(connection: socket.socket, request: dict, result_pipe: int) -> None:
    """In a forked child: train as ``request`` asks, within the budget's time limit; write the reply to both ends.

    The reply goes to the learner's ``connection`` and, unless training ran
    out of time, to the server through the write end ``result_pipe``.
    """
    with connection, connection.makefile("wb") as stream:
        limit = float(request.get("budget", {}).get("time_limit_s", 600))

        def out_of_time(*_: object) -> None:
            stream.write(f"{RESULT_PREFIX}{json.dumps({'timeout': limit})}\n".encode())
            stream.flush()
            os._exit(3)

        signal.signal(signal.SIGALRM, out_of_time)
        signal.setitimer(signal.ITIMER_REAL, limit)
        reply = train.answer(request)
        signal.setitimer(signal.ITIMER_REAL, 0)
        stream.write(reply.encode() + b"\n")
        stream.flush()
    with os.fdopen(result_pipe, "wb") as pipe:
        pipe.write(reply.encode())


class Server:
    """The service's listening loop: answers a request it has answered before at once, forks a trainer for the rest.

    Training is deterministic, so a request with the same `training_key` as
    an earlier one (the same architecture, compile settings, budget and
    backend; most right answers of a class share them) gets the earlier
    reply, to the last bit, without training again. Only results are
    reused, never timeouts or errors; the replies live in this process's
    memory and in ``store`` (when given), out of every learner kernel's reach.

    The server outlives nobody: once the process that started it is gone
    (a grading worker killed, say, by the kernel's out-of-memory killer), it
    stops with every trainer it forked instead of holding Keras and the
    datasets in memory for good.
    """

    def __init__(self, path: Path, store: TrainedStore | None = None) -> None:
        self.store = store
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        path.unlink(missing_ok=True)
        self.listener.bind(str(path))
        self.listener.listen(64)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.replies: dict[str, str] = {}
        self.parent = os.getppid()

    def run(self) -> None:
        """Serve requests until killed or orphaned; an orphaned server kills its process group (itself and its trainers)."""
        while os.getppid() == self.parent:
            for ready, _ in self.selector.select(timeout=PARENT_CHECK_S):
                if ready.fileobj is self.listener:
                    self._take_request()
                else:
                    self._read_result(ready)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    def _take_request(self) -> None:
        connection, _ = self.listener.accept()
        connection.settimeout(REQUEST_TIMEOUT_S)
        try:
            with connection.makefile("rb") as stream:
                request = json.loads(stream.readline(MAX_REQUEST_BYTES))
            key = training_key(request)
        except (OSError, ValueError, KeyError, TypeError):  # not a request brief_train sends: no reply
            connection.close()
            return
        connection.settimeout(None)
        filed = self.store.get(key) if self.store is not None and key not in self.replies else None
        if filed is not None and _is_result(filed):
            self.replies[key] = filed
        if key in self.replies:
            with connection:
                connection.sendall(self.replies[key].encode() + b"\n")
            return
        results, written = os.pipe()
        if os.fork() == 0:
            self.listener.close()
            os.close(results)
            try:
                _serve_one(connection, request, written)
            finally:
                os._exit(0)
        os.close(written)
        connection.close()
        self.selector.register(results, selectors.EVENT_READ, {"key": key, "reply": bytearray()})

    def _read_result(self, ready: selectors.SelectorKey) -> None:
        chunk = os.read(ready.fd, 1 << 16)
        if chunk:
            ready.data["reply"] += chunk
            return
        self.selector.unregister(ready.fd)
        os.close(ready.fd)
        reply = ready.data["reply"].decode(errors="replace")
        if _is_result(reply):
            if len(self.replies) >= MAX_REPLIES:
                self.replies.pop(next(iter(self.replies)))
            self.replies[ready.data["key"]] = reply
            if self.store is not None:
                self.store.put(ready.data["key"], reply)


def _is_result(reply: str) -> bool:
    """True for a whole reply line holding a training result (not a timeout, an error or a cut-off line)."""
    try:
        return reply.startswith(RESULT_PREFIX) and "test_accuracy" in json.loads(reply[len(RESULT_PREFIX):])
    except ValueError:
        return False


def serve(path: Path, preload: list[str]) -> None:
    """Import Keras, load ``preload`` datasets, listen on ``path`` and serve requests (never returns)."""
    import keras  # noqa: F401  (imported once here, inherited by every child)

    for name in preload:
        try:
            datasets.load(name, subset="full")
        except datasets.DatasetError:  # this machine lacks it: the grader reports such jobs as not graded
            pass
    store = trained_store.store_from_environment(_device)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    server = Server(path, store)
    print(hops.TRAINER_READY, flush=True)
    server.run()


def _device() -> str:
    """``CPU`` or ``GPU``, asked in a child process: a GPU touched here would not work in the trainers forked later."""
    answer, written = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(answer)
        try:
            os.write(written, train.device_name().encode())
        finally:
            os._exit(0)
    os.close(written)
    with os.fdopen(answer, "rb") as reply:
        device = reply.read().decode() or "CPU"
    os.waitpid(child, 0)
    return device


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.argv[2:])
