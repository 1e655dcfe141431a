"""``autograder doctor``: what this machine offers for grading, and what is missing, with fixes."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import psutil

from autograder import calibrated
from autograder.grading.notebook import sandbox
from autograder.grading.runner import hardware
from autograder.learner import datasets


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, what was found, and the fix when it is a problem."""

    topic: str
    found: str
    fix: str | None = None

    @property
    def ok(self) -> bool:
        """True when nothing needs fixing."""
        return self.fix is None


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


BACKEND_DISTRIBUTIONS = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
BACKEND_EXTRAS = {"tensorflow": "", "jax": "[jax]", "torch": "[torch]"}


def findings() -> list[Finding]:
    """Check GPUs, cores, memory, Keras and its backend, nbgrader, sandboxing and every dataset."""
    report = []
    found_gpus = hardware.gpus()
    if found_gpus:
        names = ", ".join(f"{gpu.name} ({gpu.memory_mib / 1024:.0f} GiB)" for gpu in found_gpus)
        report.append(Finding("GPU", names))
    else:
        report.append(Finding("GPU", "none (nvidia-smi not found or no device); grading runs on the CPU"))
    memory = psutil.virtual_memory().total / 2**30
    report.append(Finding("CPU and memory", f"{hardware.cores()} cores, {memory:.0f} GiB RAM; "
                          f"default workers {hardware.default_workers()}"))
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    keras_version = _version("keras")
    report.append(Finding("Keras", keras_version or "not installed",
                          None if keras_version else "pip install -e . (installs keras)"))
    backend_version = _version(BACKEND_DISTRIBUTIONS.get(backend, backend))
    report.append(Finding(
        f"Keras backend ({backend}{', from KERAS_BACKEND' if 'KERAS_BACKEND' in os.environ else ', the default'})",
        f"{backend} {backend_version}" if backend_version else f"{backend} not installed",
        None if backend_version else f"pip install -e '.{BACKEND_EXTRAS.get(backend, '')}'",
    ))
    for name in ("jax", "torch", "tensorflow"):
        if name != backend:
            version = _version(BACKEND_DISTRIBUTIONS[name])
            report.append(Finding(f"other backend {name}", version or "not installed"))
    report.append(_calibration_finding())
    nbgrader_version = _version("nbgrader")
    report.append(Finding("nbgrader", nbgrader_version or "not installed",
                          None if nbgrader_version else "pip install -e . (installs nbgrader)"))
    alembic = shutil.which("alembic", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    report.append(Finding("alembic (nbgrader's gradebook migrations)", alembic or "not on PATH",
                          None if alembic else "run from the course's virtual environment (source .venv/bin/activate)"))
    report.append(Finding(
        "isolation of learner kernels (docs/security.md)",
        sandbox.describe(),
        None if sandbox.available() else
        "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or "
        "kernel.apparmor_restrict_unprivileged_userns=0) or run as root; until then do not grade untrusted notebooks",
    ))
    for name in ("fashion_mnist", "mnist", "cifar10", "sign_language"):
        report.append(_dataset_finding(name))
    return report


def cluster_findings(scheduler: str) -> list[Finding]:
    """One finding per worker of the Dask cluster at ``scheduler`` (slots, GPUs, what it lacks), or why it is unreachable."""
    from autograder.grading.runner import cluster, executors

    try:
        workers = cluster.describe(scheduler)
    except executors.ClusterGone as error:
        return [Finding("cluster", str(error), "start the scheduler and workers (docs/cluster.md)")]
    if not workers:
        return [Finding("cluster", f"{scheduler}: no workers", "start workers with `autograder cluster-worker` (docs/cluster.md)")]
    report = [Finding("cluster", f"{scheduler}: {len(workers)} worker(s), {sum(w.slots for w in workers)} grading slot(s)")]
    for worker in workers:
        found = f"{worker.slots} slot(s), GPU: {', '.join(worker.gpus) or 'none'}"
        if not worker.slots:
            report.append(Finding(f"worker {worker.name}", found, "start it with `autograder cluster-worker` so it has grading slots"))
        elif worker.missing:
            report.append(Finding(f"worker {worker.name}", f"{found}; lacks {', '.join(worker.missing)}",
                                  "submissions that need these are reported not graded there; install them on that machine"))
        else:
            report.append(Finding(f"worker {worker.name}", found))
    return report


def _calibration_finding() -> Finding:
    """Whether Keras, the backends, NumPy and nbgrader are the versions the thresholds were calibrated on."""
    topic = "versions the thresholds were calibrated on (docs/calibration.md)"
    differing = calibrated.differences()
    if not differing:
        return Finding(topic, "the same")
    listed = ", ".join(f"{name} {installed} (calibrated: {version})" for name, (installed, version) in differing.items())
    return Finding(topic, f"other versions: {listed}",
                   f"grade on the calibrated ones (pip install -c {calibrated.constraints_file()} ...) "
                   "or measure the margins again (autograder calibrate ID)")


def _dataset_finding(name: str) -> Finding:
    found, notes = datasets.locate(name)
    if found is not None:
        return Finding(f"dataset {name}", str(found))
    fix = f"put the files in ${datasets.DATA_DIR_VARIABLE} (looked in: {'; '.join(notes)})"
    if name == "fashion_mnist":
        fix += " or run `apt-get install dataset-fashion-mnist`"
    return Finding(f"dataset {name}", "missing", fix)


def render(report: list[Finding]) -> str:
    """Format the report, one finding per line, fixes indented below problems."""
    lines = []
    for finding in report:
        lines.append(f"{'ok ' if finding.ok else 'FIX'}  {finding.topic}: {finding.found}")
        if finding.fix:
            lines.append(f"       fix: {finding.fix}")
    return "\n".join(lines)
