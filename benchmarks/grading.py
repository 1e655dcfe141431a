"""Time `autograder grade` on K copies of each assignment's reference submission and print a table.

Usage: python benchmarks/grading.py [--copies K] [--workers 1,2,default] [--backend B] [ASSIGNMENT ...]

For each assignment and each worker count, a fresh scratch course grades K
identical reference submissions with the real runner (nbgrader autograde,
feedback, gradebook). The table gives the batch's wall time, submissions
per hour, and the mean per-notebook split: nbgrader and kernel start,
learner cells, hidden tests and feedback. Where ``nvidia-smi`` exists, the
peak GPU memory of any one grading process is sampled too.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from autograder import course, nbgrader_run, notebooks
from autograder.authoring import samples
from autograder.grading import batch as grading, hardware

ROOT = Path(__file__).resolve().parent.parent



class GpuMemorySampler:
    """Samples ``nvidia-smi`` every half second; keeps the largest per-process and total use in MiB."""

    def __init__(self) -> None:
        self.peak_process_mib = 0
        self.peak_total_mib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "GpuMemorySampler":
        if shutil.which("nvidia-smi"):
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()

    def _run(self) -> None:
        query = ["nvidia-smi", "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"]
        while not self._stop.wait(0.5):
            listing = subprocess.run(query, capture_output=True, text=True).stdout
            used = [int(line.split(",")[1]) for line in listing.strip().splitlines() if "," in line]
            if used:
                self.peak_process_mib = max(self.peak_process_mib, max(used))
                self.peak_total_mib = max(self.peak_total_mib, sum(used))


def batch_folder(assignment: str, copies: int, folder: Path) -> Path:
    """Write ``copies`` reference submissions of ``assignment`` as ``student_NN.ipynb``."""
    source = notebooks.read(course.source_notebook(ROOT, assignment))
    release = notebooks.read(ROOT / "release" / assignment / f"{assignment}.ipynb")
    reference = samples.fill(release, samples.reference_answers(source))
    folder.mkdir(parents=True)
    for number in range(copies):
        notebooks.write(reference, folder / f"student_{number:02d}.ipynb")
    return folder


def measure(assignment: str, copies: int, workers: int, backend: str | None) -> dict:
    """Grade one batch in a fresh course; return the row of the table."""
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as work:
        root = Path(work) / "course"
        nbgrader_run.scratch_course(ROOT, root, [])
        shutil.copytree(ROOT / "source" / assignment, root / "source" / assignment)
        inbox = batch_folder(assignment, copies, Path(work) / "inbox")
        options = grading.GradeOptions(submissions=inbox, workers=workers, backend=backend)
        with GpuMemorySampler() as gpu:
            report = grading.grade(root, assignment, options, report=lambda line: None)
    graded = [result for result in report.results if result.status == "graded"]

    def mean(key: str) -> float:
        return statistics.mean(result.timing.get(key, 0.0) for result in graded) if graded else 0.0

    cells = mean("learner_cells") + mean("hidden_tests")
    return {
        "assignment": assignment,
        "workers": workers,
        "copies": copies,
        "full marks": sum(result.total == result.max_total for result in graded),
        "wall s": report.seconds,
        "per hour": copies / report.seconds * 3600,
        "per notebook s": statistics.mean(result.seconds for result in report.results),
        "nbgrader+kernel s": mean("autograde") - cells,
        "learner cells s": mean("learner_cells"),
        "hidden tests s": mean("hidden_tests"),
        "feedback s": mean("feedback"),
        "GPU MiB/process": gpu.peak_process_mib,
        "GPU MiB total": gpu.peak_total_mib,
    }


def main() -> int:
    """Print the grading benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--workers", default="1,2,default", help="comma-separated counts; 'default' = the machine's")
    parser.add_argument("--backend", choices=grading.BACKENDS)
    arguments = parser.parse_args()
    counts = []
    for item in arguments.workers.split(","):
        count = hardware.default_workers() if item == "default" else int(item)
        if count not in counts:
            counts.append(count)
    rows = []
    for assignment in arguments.assignments or course.assignments(ROOT):
        for workers in counts:
            rows.append(measure(assignment, arguments.copies, workers, arguments.backend))
            print(" ".join(f"{key}={value:.1f}" if isinstance(value, float) else f"{key}={value}"
                           for key, value in rows[-1].items()), flush=True)
    print()
    headers = list(rows[0])
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for row in rows:
        print("| " + " | ".join(f"{value:.1f}" if isinstance(value, float) else str(value) for value in row.values()) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
