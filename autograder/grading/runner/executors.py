"""Where jobs are graded: a pool of warm worker processes here, or a Dask cluster of such pools.

Both executors are an `Executor`: they take `GradingJob` objects and yield
`GradingOutcome` objects as they finish; neither writes the course (`autograder.grading.output.record`
does, in the runner). Underneath both is `WarmPool`: warm worker processes
(`autograder.grading.notebook.worker`) that grade one job at a time each, killed
and replaced when a job overruns or the process dies.

- `LocalExecutor`: one pool on this machine, ``workers`` jobs in flight.
- `DaskExecutor`: each job is a task on a Dask cluster; every Dask worker
  runs a pool of its own sized by its ``grading_slots`` resource (one Dask
  worker per GPU, several slots per card). A worker that dies mid-task
  loses nothing: the scheduler runs its tasks elsewhere. The notebook
  travels to the worker inside the job, the outcome travels back, and only
  the runner writes the gradebook, so no shared file system is needed.
  A cluster where no worker offers a grading slot (plain ``dask worker``s)
  is an error within `SLOT_WAIT_S`; a batch whose slots all go away
  mid-run waits for them and says so (``on_wait``).

Each local worker writes a log, and its trainer one beside it
(`worker_logs` finds them; `autograder.grading.runner.runlog` keeps them with
the run's log).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import os
import pickle
import select
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Iterator, Protocol


from autograder.grading import processes, workfolders


from autograder.grading.runner import hardware
from autograder.grading.job import GradingJob, GradingOutcome, Template
from autograder.grading.results import FAILED, NOT_GRADED, unscored
from autograder.grading.hops import HEADER, TRAINER_LOG, WORKER_MODULE, WORKER_READY, send

# Beyond the whole-submission limit the worker enforces itself: time for
# nbgrader's own steps and the feedback page before the runner kills it.
GRACE_S = 180.0
WORKER_START_TIMEOUT_S = 600.0
SLOTS_RESOURCE = "grading_slots"
# How long a run waits, at its start, for a cluster worker that offers a
# grading slot (workers started with the scheduler join within seconds).
SLOT_WAIT_S = 10.0
# How often a run waiting on the cluster asks the scheduler for slots.
SLOT_CHECK_INTERVAL_S = 2.0
WORKER_PREFIX = "worker-"


class Executor(Protocol):
    """What the runner (`autograder.grading.runner.batch`) asks of a place to grade."""

    def run(self, jobs: list[GradingJob]) -> Iterator[GradingOutcome]:
        """Grade ``jobs``; yield each outcome as it finishes (every job gets one unless the place goes away).

        Raises:
            ClusterGone: the place to grade went away mid-run (a Dask scheduler).
        """
        ...

    def close(self) -> None:
        """Stop whatever grading processes are left."""
        ...


class WorkerLost(RuntimeError):
    """A worker process died (or never started); the message ends with its log's last line."""


class ClusterGone(RuntimeError):
    """The Dask scheduler cannot be reached any more; what was graded so far is recorded."""


class NoGradingSlots(ClusterGone):
    """The Dask cluster has no worker that offers a grading slot; the message says how to start one."""


def worker_logs(pool_folder: Path) -> list[tuple[str, Path]]:
    """The logs of a `WarmPool` made in ``pool_folder``: each worker's, then its trainer's, as (label, path).

    Example:
        >>> worker_logs(Path("/nowhere"))
        []
    """
    found = []
    for log in sorted(pool_folder.glob(f"{WORKER_PREFIX}*.log")):
        found.append((log.stem, log))
        trainer = log.with_suffix("") / TRAINER_LOG
        if trainer.is_file():
            found.append((f"{log.stem} trainer", trainer))
    return found


def worker_environment(backend: str | None, in_flight: int) -> dict[str, str]:
    """The environment of worker processes: grading mode, backend, GPU sharing, a share of the CPU threads."""
    environment = dict(os.environ)
    environment.update(
        AUTOGRADER_MODE="grading",
        PYTHONHASHSEED="0",
        TF_CPP_MIN_LOG_LEVEL="3",
        TF_FORCE_GPU_ALLOW_GROWTH="true",
        XLA_PYTHON_CLIENT_PREALLOCATE="false",
        PYTHONWARNINGS="ignore",
        PATH=os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")]),
    )
    if in_flight > 1:
        threads = str(max(1, hardware.cores() // in_flight))
        environment.update(OMP_NUM_THREADS=threads, TF_NUM_INTRAOP_THREADS=threads, TF_NUM_INTEROP_THREADS="1")
    if backend:
        environment["KERAS_BACKEND"] = backend
    if environment.get("AUTOGRADER_DATA_DIR"):
        environment["AUTOGRADER_DATA_DIR"] = str(Path(environment["AUTOGRADER_DATA_DIR"]).resolve())
    return environment


class WorkerProcess:
    """One ``python -m autograder.grading.notebook.worker`` (or another ``module`` that speaks `hops`) and the pipe to it."""

    def __init__(self, folder: Path, environment: dict[str, str], hide: list[str], preload: list[str],
                 module: str = WORKER_MODULE) -> None:
        self.folder, self.environment, self.hide, self.preload, self.module = folder, environment, hide, preload, module
        self.process: subprocess.Popen | None = None
        self.log = folder.with_suffix(".log")
        self._stopping = threading.Lock()  # the pool's close and a grading thread may stop a worker together
        self.spare = True  # a started worker warms a kernel for its first job; `WarmPool` keeps this up to date

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start the worker and wait until it is warm.

        Raises:
            WorkerLost: it exited or did not get warm in time.
        """
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", self.module, str(self.folder)]
        command += [argument for path in self.hide for argument in ("--hide", path)]
        command += [argument for name in self.preload for argument in ("--preload", name)]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=self.environment,
                start_new_session=True,
            )
        if self._read(time.monotonic() + WORKER_START_TIMEOUT_S) != WORKER_READY:
            self.stop()
            raise WorkerLost(f"a grading worker did not start ({self._last_log_line()})")

    def grade(self, job: GradingJob, timeout_s: float) -> GradingOutcome:
        """Send ``job``, wait for its outcome.

        Raises:
            TimeoutError: no outcome within ``timeout_s`` (the worker is stopped).
            WorkerLost: the worker died meanwhile.
        """
        assert self.process is not None and self.process.stdin is not None
        try:
            send(self.process.stdin, job)
        except (BrokenPipeError, OSError):
            raise WorkerLost(f"the grading worker had died ({self._last_log_line()})") from None
        outcome = self._read(time.monotonic() + timeout_s)
        if outcome is None:
            raise WorkerLost(f"the grading worker died ({self._last_log_line()})")
        return outcome

    def stop(self) -> None:
        """Kill the worker, its kernels and its training service (safe to call from two threads at once)."""
        with self._stopping:
            process, self.process = self.process, None
        if process is not None:
            processes.kill_family(process.pid)
            process.wait()

    def _read(self, deadline: float) -> object:
        """Read one frame before ``deadline``; None if the process closed its end."""
        header = self._read_exactly(HEADER.size, deadline)
        if header is None:
            return None
        (size,) = HEADER.unpack(header)
        body = self._read_exactly(size, deadline)
        return None if body is None else pickle.loads(body)

    def _read_exactly(self, size: int, deadline: float) -> bytes | None:
        assert self.process is not None and self.process.stdout is not None
        descriptor, chunks, missing = self.process.stdout.fileno(), [], size
        while missing:
            ready, _, _ = select.select([descriptor], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                self.stop()
                raise TimeoutError
            chunk = os.read(descriptor, min(missing, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def _last_log_line(self) -> str:
        try:
            lines = [line for line in self.log.read_text(errors="replace").splitlines() if line.strip()]
        except OSError:
            return "no log"
        return (lines or ["no log"])[-1][:300]


class WarmPool:
    """``size`` warm worker processes; `grade` borrows one for a job (thread-safe).

    A job's outcome is awaited for its time limit plus ``grace_s`` (the
    worker's own limits stop a notebook first; this catches a worker that
    hangs); ``module`` is what the workers run (`hops.WORKER_MODULE`).

    Each worker keeps a spare learner kernel warm for its next job. When the
    pool knows how many jobs it will get (``expected``), it asks for a spare
    only while more jobs wait than other workers hold spares, and lends a
    worker with a spare first: the run's last notebooks do not share the
    processor with kernels started only to be stopped.
    """

    def __init__(self, size: int, folder: Path, environment: dict[str, str], hide: list[str], preload: list[str],
                 module: str = WORKER_MODULE, grace_s: float = GRACE_S, expected: int | None = None) -> None:
        self.size, self.grace_s = size, grace_s
        self._all = [WorkerProcess(folder / f"{WORKER_PREFIX}{index}", environment, hide, preload, module)
                     for index in range(1, size + 1)]
        self._idle = list(self._all)
        self._lending = threading.Condition()
        self._waiting = expected  # jobs not yet handed to a worker (None: unknown, always keep a spare)
        self._closed = False

    def start(self) -> None:
        """Start every worker at once (they warm up in parallel); one that fails is retried on first use."""
        with concurrent.futures.ThreadPoolExecutor(self.size) as starting:
            for finished in [starting.submit(process.start) for process in self._all]:
                try:
                    finished.result()
                except WorkerLost:
                    pass

    def grade(self, job: GradingJob) -> GradingOutcome:
        """Grade ``job`` on an idle worker: one retry on a fresh worker if it dies, never raises.

        After `close`, a job is not graded (no worker is started again).
        """
        process, job = self._borrow(job)
        try:
            problem = ""
            for _ in range(2):
                if self._closed:
                    return _unscored(job, NOT_GRADED, "the run stopped before grading it")
                try:
                    if not process.alive:
                        process.start()
                    return process.grade(job, job.limits.timeout_s + self.grace_s)
                except TimeoutError:
                    reason = f"grading stopped after {job.limits.timeout_s:g} s: the notebook ran too long in total"
                    return _unscored(job, FAILED, reason)
                except WorkerLost as lost:
                    process.stop()
                    problem = str(lost)
            return _unscored(job, NOT_GRADED, f"grading crashed twice on this notebook: {problem}")
        finally:
            with self._lending:
                self._idle.append(process)
                self._lending.notify()

    def _borrow(self, job: GradingJob) -> tuple[WorkerProcess, GradingJob]:
        """Wait for an idle worker (one holding a spare kernel first); ``job`` says whether it keeps one after."""
        with self._lending:
            self._lending.wait_for(lambda: self._idle)
            process = next((idle for idle in self._idle if idle.spare), self._idle[0])
            self._idle.remove(process)
            if self._waiting is None:
                return process, job
            self._waiting -= 1
            spares_elsewhere = sum(other.spare for other in self._all if other is not process)
            keep = self._waiting > spares_elsewhere
            process.spare = keep
            return process, dataclasses.replace(job, spare_after=keep)

    def close(self) -> None:
        """Stop every worker; jobs still waiting are not graded."""
        self._closed = True
        for process in self._all:
            process.stop()


def _unscored(job: GradingJob, status: str, reason: str) -> GradingOutcome:
    return GradingOutcome(unscored(
        job.student, job.assignment, status, reason, job.template.max_scores,
        notebook_sha256=job.notebook_sha256, backend=job.backend or os.environ.get("KERAS_BACKEND", "tensorflow"),
    ))


class LocalExecutor:
    """Grades on this machine, ``workers`` jobs at a time, in warm worker processes."""

    def __init__(self, workers: int, folder: Path, environment: dict[str, str]) -> None:
        self.workers, self.folder, self.environment = workers, folder, environment
        self._pool: WarmPool | None = None

    def run(self, jobs: list[GradingJob]) -> Iterator[GradingOutcome]:
        """Yield each job's outcome as it finishes."""
        if not jobs:
            return
        first = jobs[0]
        self._pool = WarmPool(min(self.workers, len(jobs)), self.folder, self.environment,
                              list(first.private_paths), list(first.template.datasets), expected=len(jobs))
        self._pool.start()
        threads = concurrent.futures.ThreadPoolExecutor(self._pool.size)
        try:
            futures = [threads.submit(self._pool.grade, job) for job in jobs]
            for finished in concurrent.futures.as_completed(futures):
                yield finished.result()
        finally:
            threads.shutdown(wait=False, cancel_futures=True)
            self._pool.close()
            threads.shutdown(wait=True)

    def close(self) -> None:
        """Stop the workers (also done when `run` ends)."""
        if self._pool is not None:
            self._pool.close()


class DaskExecutor:
    """Grades each job as a task on a Dask cluster (see the module).

    Args:
        scheduler: the scheduler's address (``tcp://host:8786``) or the path
            of a scheduler file.
        connect_timeout_s: how long to wait for the scheduler.
        slot_wait_s: how long `require_slots` waits for a worker that
            offers a grading slot.

    Attributes:
        on_wait: called with a line while the run waits for the cluster
            (no worker offers a grading slot any more) and when it goes on.
    """

    def __init__(self, scheduler: str, connect_timeout_s: float = 10.0, slot_wait_s: float = SLOT_WAIT_S) -> None:
        self.scheduler, self.connect_timeout_s, self.slot_wait_s = scheduler, connect_timeout_s, slot_wait_s
        self.on_wait: Callable[[str], None] | None = None
        self._client = None
        self._futures: list = []

    def connect(self):
        """Return a connected ``distributed.Client``.

        Raises:
            ClusterGone: the scheduler cannot be reached.
        """
        from distributed import Client

        for name in ("distributed", "distributed.client", "distributed.comm"):
            logging.getLogger(name).setLevel(logging.CRITICAL)  # the run reports a lost scheduler itself
        if self._client is None:
            target = {"scheduler_file": self.scheduler} if Path(self.scheduler).is_file() else {"address": self.scheduler}
            try:
                self._client = Client(**target, timeout=self.connect_timeout_s, set_as_default=False)
            except (OSError, TimeoutError) as error:
                raise ClusterGone(f"cannot reach the Dask scheduler at {self.scheduler} ({error})") from None
        return self._client

    def grading_slots(self) -> tuple[int, int]:
        """Return the grading slots the cluster's workers offer in all, and how many workers it has.

        Raises:
            ClusterGone: the scheduler cannot be reached.
        """
        client = self.connect()
        try:
            workers = client.scheduler_info(n_workers=-1)["workers"]
        except (OSError, TimeoutError) as error:
            raise ClusterGone(f"lost the Dask scheduler at {self.scheduler} ({error})") from None
        slots = sum(int(info.get("resources", {}).get(SLOTS_RESOURCE, 0)) for info in workers.values())
        return slots, len(workers)

    def require_slots(self) -> int:
        """Wait up to ``slot_wait_s`` for a worker that offers a grading slot; return the cluster's slots.

        Raises:
            NoGradingSlots: no worker offered one in that time.
            ClusterGone: the scheduler cannot be reached.
        """
        deadline = time.monotonic() + self.slot_wait_s
        while True:
            slots, workers = self.grading_slots()
            if slots or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        if not slots:
            found = (f"its {workers} worker(s) were not started by `autograder cluster-worker`" if workers
                     else "no worker is connected")
            raise NoGradingSlots(f"no worker of the Dask cluster at {self.scheduler} offers a grading slot after "
                                 f"{self.slot_wait_s:g} s ({found}): {self.how_to_add_a_worker()}")
        return slots

    def how_to_add_a_worker(self) -> str:
        """The command that adds a grading worker to this cluster, in words."""
        return f"on each grading machine run `autograder cluster-worker {self.scheduler}` (docs/cluster.md)"

    def run(self, jobs: list[GradingJob]) -> Iterator[GradingOutcome]:
        """Submit every job, yield outcomes as they arrive; while no worker offers a slot, say so through ``on_wait``.

        Raises:
            ClusterGone: the scheduler went away; outcomes yielded before stand.
        """
        if not jobs:
            return
        from distributed import as_completed

        client = self.connect()
        template = client.scatter(jobs[0].template, broadcast=True, hash=False)
        futures = {
            client.submit(
                grade_on_cluster, dataclasses.replace(job, template=None), template,
                resources={SLOTS_RESOURCE: 1}, key=f"grade-{job.assignment}-{job.student}-{uuid.uuid4().hex[:8]}",
                pure=False,
            ): job
            for job in jobs
        }
        self._futures = list(futures)
        try:
            pending, watch = as_completed(futures, loop=client.loop), SlotWatch(self)
            while not pending.is_empty():
                if not pending.has_ready():
                    watch.check()
                    time.sleep(0.2)
                    continue
                future = next(pending)
                job = futures[future]
                try:
                    yield future.result()
                except Exception as error:  # the task failed for good (e.g. killed its workers repeatedly)
                    if client.status != "running" or "connection" in str(error):
                        raise ClusterGone(f"lost the Dask scheduler at {self.scheduler}") from None
                    yield _unscored(job, NOT_GRADED, f"the cluster could not grade it ({type(error).__name__}: {error})")
        except (OSError, TimeoutError) as error:
            raise ClusterGone(f"lost the Dask scheduler at {self.scheduler} ({error})") from None

    def close(self) -> None:
        """Disconnect from the scheduler (cancelling what it still holds of this run)."""
        if self._client is not None:
            if self._client.status == "running" and self._futures:
                self._client.cancel(self._futures)
            self._client.close(timeout=10)
            self._client = None


class SlotWatch:
    """Asks a cluster for grading slots now and then while a run waits; tells ``on_wait`` when they go and come back."""

    def __init__(self, executor: DaskExecutor) -> None:
        self.executor, self.next_check, self.waiting = executor, time.monotonic() + SLOT_CHECK_INTERVAL_S, False

    def check(self) -> None:
        """Check the cluster's slots if it is time; report a change. A lost scheduler is left to the futures."""
        if time.monotonic() < self.next_check or self.executor.on_wait is None:
            return
        self.next_check = time.monotonic() + SLOT_CHECK_INTERVAL_S
        try:
            slots, _ = self.executor.grading_slots()
        except Exception:  # a lost scheduler: the futures report it
            return
        if not slots and not self.waiting:
            self.executor.on_wait(f"waiting on the cluster: no worker offers a grading slot now; "
                                  f"{self.executor.how_to_add_a_worker()}")
        elif slots and self.waiting:
            self.executor.on_wait(f"the cluster offers {slots} grading slot(s) again; grading goes on")
        self.waiting = not slots


_cluster_pools: dict[tuple, WarmPool] = {}
_cluster_lock = threading.Lock()


def grade_on_cluster(job: GradingJob, template: Template) -> GradingOutcome:
    """A Dask task: grade ``job`` in this Dask worker's warm pool (made on first use, sized by its slots)."""
    from distributed import get_worker

    job = dataclasses.replace(job, template=template)
    key = (job.backend, template.datasets, job.private_paths)
    with _cluster_lock:
        if key not in _cluster_pools:
            slots = int(get_worker().state.total_resources.get(SLOTS_RESOURCE, 1))
            folder = workfolders.parent() / f"cluster-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            workfolders.claim(folder)
            pool = WarmPool(slots, folder, worker_environment(job.backend, slots), list(job.private_paths),
                            list(template.datasets))
            _cluster_pools[key] = pool
    return _cluster_pools[key].grade(job)
