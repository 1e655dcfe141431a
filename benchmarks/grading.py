"""Time grading a batch of each assignment and print a table.

Usage: python benchmarks/grading.py [--copies K | --class N] [--workers 1,2,default] [--backend B]
                                    [--baseline] [--scheduler] [ASSIGNMENT ...]

For each assignment and each worker count, a fresh scratch course grades a
batch with `autograder grade` (warm workers, real nbgrader autograde and
feedback, gradebook): K identical reference submissions (``--copies``, the
best case for the training service's reuse), or a mixed class of N
(``--class``: right answers in the reference's and the lessons' style and a
second correct solution, the corpus's notebook with several mistakes,
single mistakes of the corpus and untouched notebooks, in `CLASS_SHARES`).
The table gives the batch's wall time, submissions per hour, and the mean
per-notebook split of the graded ones: nbgrader and kernel start (the
autograde step minus the time in cells), waiting for the spare kernel,
learner cells, hidden tests and feedback. Where ``nvidia-smi`` exists, the
peak GPU memory of any one grading process is sampled too.

- ``--baseline`` also grades the same notebooks with plain nbgrader the way
  an instructor runs it, in the same run: ``nbgrader autograde ID`` once
  for the class, then ``nbgrader generate_feedback ID`` (the course's own
  configuration), and prints each run's speed-up over it.
- ``--scheduler`` also grades through a Dask cluster started here (a
  scheduler and two ``autograder cluster-worker`` processes of one slot
  each on 127.0.0.1), to measure what the engine adds per submission.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from autograder import course, nbgrader_run, notebooks
from autograder.authoring import corpus, samples
from autograder.course import Course
from autograder.grading.runner import batch, hardware

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


# A mixed class: what share of the notebooks is which kind (the rest, after rounding, are references).
CLASS_SHARES = (("lesson_style", 0.20), ("second_correct", 0.10), ("several_mistakes", 0.15), ("one_mistake", 0.10),
                ("untouched", 0.05))


def batch_folder(assignment: str, copies: int, folder: Path) -> Path:
    """Write ``copies`` reference submissions of ``assignment`` as ``student_NN.ipynb``."""
    source = notebooks.read(course.source_notebook(ROOT, assignment))
    reference = samples.fill(notebooks.read(Course(ROOT).release_notebook(assignment)), samples.reference_answers(source))
    folder.mkdir(parents=True)
    for number in range(copies):
        notebooks.write(reference, folder / f"student_{number:02d}.ipynb")
    return folder


def class_folder(assignment: str, size: int, folder: Path) -> Path:
    """Write a mixed class of ``size`` notebooks of ``assignment`` (`CLASS_SHARES`) as ``student_NN.ipynb``."""
    spec = corpus.load(assignment)
    release = notebooks.read(Course(ROOT).release_notebook(assignment))
    reference = samples.reference_answers(notebooks.read(course.source_notebook(ROOT, assignment)))
    kinds = [kind for kind, share in CLASS_SHARES for _ in range(round(share * size))]
    kinds = (kinds + ["reference"] * size)[:size]
    random.Random(0).shuffle(kinds)  # in no order, as a class hands in, and the same each run
    mistakes = iter(spec.wrong * size)
    answers = {"reference": lambda: reference, "lesson_style": lambda: {**reference, **spec.lesson_style},
               "second_correct": lambda: {**reference, **spec.second_correct},
               "several_mistakes": lambda: {**reference, **spec.mixed.overrides},
               "one_mistake": lambda: {**reference, **next(mistakes).overrides}}
    folder.mkdir(parents=True)
    for number, kind in enumerate(kinds):
        notebook = release if kind == "untouched" else samples.fill(release, answers[kind]())
        notebooks.write(notebook, folder / f"student_{number:02d}.ipynb")
    return folder


def fresh_course(assignment: str, folder: Path) -> Path:
    """A scratch copy of the course with only ``assignment``."""
    return nbgrader_run.copy_course(ROOT, folder / "course", [assignment])


@dataclasses.dataclass(frozen=True)
class Batch:
    """What is graded: ``size`` notebooks of an assignment, reference copies or a mixed class."""

    assignment: str
    size: int
    mixed: bool

    @property
    def label(self) -> str:
        return f"class of {self.size}" if self.mixed else f"{self.size} copies"

    def write(self, folder: Path) -> Path:
        """Write the notebooks into ``folder``."""
        return (class_folder if self.mixed else batch_folder)(self.assignment, self.size, folder)


def measure(spec: Batch, workers: int, backend: str | None, scheduler: str | None = None) -> dict:
    """Grade the batch in a fresh course with `autograder grade`; return the row of the table."""
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as work:
        root = fresh_course(spec.assignment, Path(work))
        inbox = spec.write(Path(work) / "inbox")
        options = batch.GradeOptions(submissions=inbox, workers=workers, backend=backend, scheduler=scheduler)
        with GpuMemorySampler() as gpu:
            report = batch.grade(root, spec.assignment, options, report=lambda line: None)
    graded = [result for result in report.results if result.status == "graded"]

    def mean(key: str) -> float:
        return statistics.mean(result.timing.get(key, 0.0) for result in graded) if graded else 0.0

    cells = mean("learner_cells") + mean("hidden_tests")
    return {
        "assignment": spec.assignment,
        "batch": spec.label,
        "engine": "cluster (2 x 1 slot)" if scheduler else "autograder grade",
        "workers": workers if not scheduler else 2,
        "total points": sum(result.total for result in report.results),
        "wall s": report.seconds,
        "per hour": spec.size / report.seconds * 3600,
        "per notebook s": statistics.mean(result.seconds for result in report.results),
        "nbgrader+kernel s": mean("autograde") - cells - mean("kernel_wait"),
        "kernel wait s": mean("kernel_wait"),
        "learner cells s": mean("learner_cells"),
        "hidden tests s": mean("hidden_tests"),
        "feedback s": mean("feedback"),
        "GPU MiB/process": gpu.peak_process_mib,
        "GPU MiB total": gpu.peak_total_mib,
    }


def measure_plain_nbgrader(spec: Batch, backend: str | None) -> dict:
    """Grade the batch as an instructor runs plain nbgrader: ``autograde ID``, then ``generate_feedback ID``."""
    environment = {**os.environ, "AUTOGRADER_MODE": "grading", "TF_CPP_MIN_LOG_LEVEL": "3",
                   **({"KERAS_BACKEND": backend} if backend else {})}
    assignment = spec.assignment
    with tempfile.TemporaryDirectory(prefix="grading-baseline-") as work:
        root = fresh_course(assignment, Path(work))
        inbox = spec.write(Path(work) / "inbox")
        nbgrader_run.run_nbgrader(root, "generate_assignment", assignment, "--force")
        students = sorted(path.stem for path in inbox.glob("*.ipynb"))
        for student in students:
            target = Course(root).submitted_notebook(assignment, student)
            target.parent.mkdir(parents=True)
            shutil.copy(inbox / f"{student}.ipynb", target)
        started = time.perf_counter()
        for step in ("autograde", "generate_feedback"):
            subprocess.run([sys.executable, "-m", "nbgrader", step, assignment, "--force", "--log-level=ERROR"],
                           cwd=root, env=environment, check=True, capture_output=True)
        seconds = time.perf_counter() - started
        total = sum(nbgrader_run.read_grades(root, assignment, student).total for student in students)
    return {"assignment": assignment, "batch": spec.label, "engine": "plain nbgrader (autograde ID, generate_feedback ID)",
            "workers": 1, "total points": total, "wall s": seconds, "per hour": spec.size / seconds * 3600,
            "per notebook s": seconds / spec.size}


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
    parser.add_argument("--copies", type=int, default=4, help="grade K copies of the reference")
    parser.add_argument("--class", dest="class_size", type=int, default=0,
                        help="grade a mixed class of N notebooks instead (see CLASS_SHARES)")
    parser.add_argument("--workers", default="1,2,default", help="comma-separated counts; 'default' = the machine's")
    parser.add_argument("--backend", choices=batch.BACKENDS)
    parser.add_argument("--baseline", action="store_true",
                        help="also time plain nbgrader as instructors run it (autograde ID, generate_feedback ID)")
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
        graded = Batch(assignment, arguments.class_size or arguments.copies, bool(arguments.class_size))
        baseline = measure_plain_nbgrader(graded, arguments.backend) if arguments.baseline else None
        if baseline:
            add(baseline)
        for workers in counts:
            add(measure(graded, workers, arguments.backend))
        if arguments.scheduler:
            with tempfile.TemporaryDirectory(prefix="grading-cluster-") as folder:
                cluster = LocalCluster(Path(folder))
                try:
                    add(measure(graded, 2, arguments.backend, scheduler=str(cluster.file)))
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
