"""What this machine offers for grading: GPUs, cores, memory, and the defaults that follow.

GPUs are read with ``nvidia-smi`` so that asking costs no framework import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

import psutil

# A grading kernel with TensorFlow and a small CNN peaks near 3 GiB of RAM;
# leave room for the runner and nbgrader beside it.
MIB_PER_SUBMISSION = 6 * 1024
MAX_MEMORY_LIMIT_MIB = 16 * 1024
# The course's models use well under 4 GiB of GPU memory each with memory
# growth on, so several submissions share one GPU.
GPU_MIB_PER_SUBMISSION = 8 * 1024


@dataclass(frozen=True)
class Gpu:
    """One GPU: its name and total memory in MiB."""

    name: str
    memory_mib: int


def gpus() -> list[Gpu]:
    """Return the NVIDIA GPUs ``nvidia-smi`` reports; empty when there is none or no driver."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        listing = subprocess.run(
            [smi, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    found = []
    for line in listing.stdout.strip().splitlines() if listing.returncode == 0 else []:
        name, _, memory = line.rpartition(",")
        found.append(Gpu(name.strip(), int(float(memory))))
    return found


def cores() -> int:
    """Return the CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_workers() -> int:
    """Submissions to grade at once: several per GPU when there is one, else one per core.

    Grading a notebook is mostly single-threaded Python (nbgrader, kernel
    start, imports, a fresh training process); the brief training is short.
    So submissions in flight scale with cores (the runner gives each its
    share of threads), and on a GPU several share the card, bounded by GPU
    memory, cores and RAM. Measured in ``docs/performance.md``: 2 workers on
    2 cores grade 1.6 times as fast as 1; 8 on an H100 with 16 cores, 6.6 times.
    """
    by_ram = max(1, psutil.virtual_memory().total // (MIB_PER_SUBMISSION * 2**20))
    found = gpus()
    if found:
        by_gpu = sum(max(1, gpu.memory_mib // GPU_MIB_PER_SUBMISSION) for gpu in found)
        return int(max(1, min(by_gpu, cores() // 2, by_ram)))
    return int(max(1, min(cores(), by_ram)))


def default_memory_limit_mib(workers: int) -> int:
    """Memory one submission's kernel may use: an equal share of 80 % of RAM, at most 16 GiB."""
    share = psutil.virtual_memory().total * 0.8 / max(1, workers) / 2**20
    return int(min(MAX_MEMORY_LIMIT_MIB, share))
