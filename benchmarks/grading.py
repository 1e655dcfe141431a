"""Time grading K copies of each assignment's reference submission and print a table.

Usage: python benchmarks/grading.py [--copies K] [--workers 1,2,default] [--backend B]
                                    [--baseline] [--scheduler] [ASSIGNMENT ...]

For each assignment and each worker count, a fresh scratch course grades K
identical reference submissions with `autograder grade` (warm workers,
real nbgrader autograde and feedback, gradebook). The table gives the
batch's wall time, submissions per hour, and the mean per-notebook split:
nbgrader and kernel start (the autograde step minus the time in cells),
waiting for the spare kernel, learner cells, hidden tests and feedback.
Where ``nvidia-smi`` exists, the peak GPU memory of any one grading
process is sampled too.

- ``--baseline`` also times plain sequential ``nbgrader autograde`` +
  ``nbgrader generate_feedback`` (one CLI process each per student, the
  course's own configuration) on the same copies in the same run, and
  prints each run's speed-up over it.
- ``--scheduler`` also grades through a Dask cluster started here (a
  scheduler and two ``autograder cluster-worker`` processes of one slot
  each on 127.0.0.1), to measure what the engine adds per submission.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from autograder import course, nbgrader_run, notebooks
from autograder.authoring import samples
from autograder.course import Course
from autograder.grading import batch, hardware

ROOT = course.find_root(Path(__file__).resolve().parent)


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
    reference = samples.fill(notebooks.read(Course(ROOT).release_notebook(assignment)), samples.reference_answers(source))
    folder.mkdir(parents=True)
    for number in range(copies):
        notebooks.write(reference, folder / f"student_{number:02d}.ipynb")
    return folder


def fresh_course(assignment: str, folder: Path) -> Path:
    """A scratch copy of the course with only ``assignment``."""
    root = folder / "course"
    nbgrader_run.scratch_course(ROOT, root, [])
    shutil.copytree(ROOT / "source" / assignment, root / "source" / assignment)
    return root


def measure(assignment: str, copies: int, workers: int, backend: str | None, scheduler: str | None = None) -> dict:
    """Grade one batch in a fresh course with `autograder grade`; return the row of the table."""
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as work:
        root = fresh_course(assignment, Path(work))
        inbox = batch_folder(assignment, copies, Path(work) / "inbox")
        options = batch.GradeOptions(submissions=inbox, workers=workers, backend=backend, scheduler=scheduler)
        with GpuMemorySampler() as gpu:
            report = batch.grade(root, assignment, options, report=lambda line: None)
    graded = [result for result in report.results if result.status == "graded"]

    def mean(key: str) -> float:
        return statistics.mean(result.timing.get(key, 0.0) for result in graded) if graded else 0.0

    cells = mean("learner_cells") + mean("hidden_tests")
    return {
        "assignment": assignment,
        "engine": "cluster (2 x 1 slot)" if scheduler else "autograder grade",
        "workers": workers if not scheduler else 2,
        "copies": copies,
        "full marks": sum(result.total == result.max_total for result in graded),
        "wall s": report.seconds,
        "per hour": copies / report.seconds * 3600,
        "per notebook s": statistics.mean(result.seconds for result in report.results),
        "nbgrader+kernel s": mean("autograde") - cells - mean("kernel_wait"),
        "kernel wait s": mean("kernel_wait"),
        "learner cells s": mean("learner_cells"),
        "hidden tests s": mean("hidden_tests"),
        "feedback s": mean("feedback"),
        "GPU MiB/process": gpu.peak_process_mib,
        "GPU MiB total": gpu.peak_total_mib,
    }


def measure_plain_nbgrader(assignment: str, copies: int, backend: str | None) -> dict:
    """Grade the same copies with plain sequential ``nbgrader autograde`` and ``generate_feedback``, one student at a time."""
    environment = {**os.environ, "AUTOGRADER_MODE": "grading", "TF_CPP_MIN_LOG_LEVEL": "3",
                   **({"KERAS_BACKEND": backend} if backend else {})}
    with tempfile.TemporaryDirectory(prefix="grading-baseline-") as work:
        root = fresh_course(assignment, Path(work))
        inbox = batch_folder(assignment, copies, Path(work) / "inbox")
        nbgrader_run.run_nbgrader(root, "generate_assignment", assignment, "--force")
        students = sorted(path.stem for path in inbox.glob("*.ipynb"))
        for student in students:
            target = Course(root).submitted_notebook(assignment, student)
            target.parent.mkdir(parents=True)
            shutil.copy(inbox / f"{student}.ipynb", target)
        started = time.perf_counter()
        for student in students:
            for step in ("autograde", "generate_feedback"):
                subprocess.run([sys.executable, "-m", "nbgrader", step, assignment, f"--student={student}", "--force",
                                "--log-level=ERROR"], cwd=root, env=environment, check=True, capture_output=True)
        seconds = time.perf_counter() - started
        grades = [nbgrader_run.read_grades(root, assignment, student) for student in students]
        full = sum(grade.total == grade.max_total for grade in grades)
    return {"assignment": assignment, "engine": "plain nbgrader CLI", "workers": 1, "copies": copies,
            "full marks": full, "wall s": seconds, "per hour": copies / seconds * 3600, "per notebook s": seconds / copies}


class LocalCluster:
    """A Dask scheduler and two one-slot grading workers on 127.0.0.1, for the ``--scheduler`` rows."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / "scheduler.json"
        log = open(folder / "cluster.log", "ab")
        self.processes = [subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(self.file)], stdout=log, stderr=log, start_new_session=True)]
        while not self.file.is_file():
            time.sleep(0.2)
        for name in ("a", "b"):
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "autograder.cli", "cluster-worker", str(self.file), "--slots", "1", "--name", name],
                stdout=log, stderr=log, start_new_session=True))

    def stop(self) -> None:
        for process in self.processes:
            os.killpg(process.pid, 9)
            process.wait()


def main() -> int:
    """Print the grading benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--workers", default="1,2,default", help="comma-separated counts; 'default' = the machine's")
    parser.add_argument("--backend", choices=batch.BACKENDS)
    parser.add_argument("--baseline", action="store_true", help="also time plain sequential nbgrader on the same copies")
    parser.add_argument("--scheduler", action="store_true", help="also grade through a local 2-worker Dask cluster")
    arguments = parser.parse_args()
    counts = []
    for item in arguments.workers.split(","):
        count = hardware.default_workers() if item == "default" else int(item)
        if count not in counts:
            counts.append(count)
    rows = []

    def add(row: dict) -> None:
        rows.append(row)
        print(" ".join(f"{key}={value:.1f}" if isinstance(value, float) else f"{key}={value}"
                       for key, value in row.items()), flush=True)

    for assignment in arguments.assignments or course.assignments(ROOT):
        baseline = measure_plain_nbgrader(assignment, arguments.copies, arguments.backend) if arguments.baseline else None
        if baseline:
            add(baseline)
        for workers in counts:
            add(measure(assignment, arguments.copies, workers, arguments.backend))
        if arguments.scheduler:
            with tempfile.TemporaryDirectory(prefix="grading-cluster-") as folder:
                cluster = LocalCluster(Path(folder))
                try:
                    add(measure(assignment, arguments.copies, 2, arguments.backend, scheduler=str(cluster.file)))
                finally:
                    cluster.stop()
        if baseline:
            for row in rows:
                if row["assignment"] == assignment:
                    row["x plain nbgrader"] = baseline["wall s"] / row["wall s"]
    print()
    headers = list(dict.fromkeys(key for row in rows for key in row))
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for row in rows:
        print("| " + " | ".join(f"{row[key]:.1f}" if isinstance(row.get(key), float) else str(row.get(key, "-"))
                                for key in headers) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
