"""Dask workers for grading, and what a cluster offers: the parts of ``autograder`` a cluster operator runs.

`worker_command` is what ``autograder cluster-worker`` runs: a ``dask
worker`` with a ``grading_slots`` resource (how many submissions it grades
at once: several per GPU, bounded by GPU memory and cores, as a local run
picks them) and, for a GPU, ``CUDA_VISIBLE_DEVICES`` set to that one card.
`describe` is what ``autograder doctor --scheduler`` reports: every worker
with its slots, GPUs and whether it can grade (datasets and backends).
The executor that sends jobs is `autograder.grading.runner.executors.DaskExecutor`.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading.runner import hardware
from autograder.grading.runner.executors import SLOTS_RESOURCE, DaskExecutor
from autograder.learner import datasets

CHECKED_DATASETS = ("fashion_mnist", "mnist", "cifar10", "sign_language")
BACKEND_MODULES = ("tensorflow", "jax", "torch")


def default_slots(gpu: int | None = None) -> int:
    """Submissions one Dask worker grades at once: by GPU memory for a GPU worker, else by cores and RAM."""
    found = hardware.gpus()
    if gpu is not None and 0 <= gpu < len(found):
        return int(max(1, min(found[gpu].memory_mib // hardware.GPU_MIB_PER_SUBMISSION, hardware.cores() // 2)))
    return hardware.default_workers()


def worker_command(scheduler: str, slots: int, name: str | None = None) -> list[str]:
    """The ``dask worker`` command line for a grading worker with ``slots`` slots.

    Args:
        scheduler: the scheduler's address, or the path of its scheduler file.
        slots: submissions graded at once (threads and the ``grading_slots`` resource).
        name: the worker's name in the cluster.
    """
    target = ["--scheduler-file", scheduler] if Path(scheduler).is_file() else [scheduler]
    command = [sys.executable, "-m", "distributed.cli.dask_worker", *target,
               "--nthreads", str(slots), "--resources", f"{SLOTS_RESOURCE}={slots}",
               # Grading processes are the worker's children with limits of their own.
               "--memory-limit", "0"]
    return command + (["--name", name] if name else [])


def worker_environment(gpu: int | None) -> dict[str, str]:
    """The environment of a grading worker: one GPU only, when ``gpu`` is given."""
    environment = dict(os.environ)
    if gpu is not None:
        environment["CUDA_VISIBLE_DEVICES"] = str(gpu)
    return environment


@dataclass
class WorkerReport:
    """One Dask worker as ``doctor`` shows it."""

    address: str
    name: str
    slots: int
    gpus: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _inspect_here() -> dict:
    """Run on a worker: its GPUs, and the datasets and backends it lacks."""
    missing = [f"dataset {name}" for name in CHECKED_DATASETS if datasets.locate(name)[0] is None]
    missing += [f"backend {name}" for name in BACKEND_MODULES if importlib.util.find_spec(name) is None]
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    gpus = [f"{gpu.name} ({gpu.memory_mib / 1024:.0f} GiB)" for gpu in hardware.gpus()]
    if visible is not None and visible.strip():
        gpus = [gpus[int(index)] for index in visible.split(",") if index.strip().isdigit() and int(index) < len(gpus)]
    return {"gpus": gpus, "missing": missing}


def describe(scheduler: str) -> list[WorkerReport]:
    """Every worker of the cluster with its grading slots, GPUs and what it lacks.

    Raises:
        executors.ClusterGone: the scheduler cannot be reached.
    """
    executor = DaskExecutor(scheduler)
    try:
        client = executor.connect()
        workers = client.scheduler_info(n_workers=-1)["workers"]
        inspected = client.run(_inspect_here) if workers else {}
        return [
            WorkerReport(address, str(info.get("name", address)), int(info.get("resources", {}).get(SLOTS_RESOURCE, 0)),
                         inspected.get(address, {}).get("gpus", []), inspected.get(address, {}).get("missing", []))
            for address, info in sorted(workers.items())
        ]
    finally:
        executor.close()
