"""Time a class's first grading and a regrade, with and without the store of trained results; print a table.

Usage: python benchmarks/regrade.py [--class N] [--workers W] [ASSIGNMENT ...]

For each assignment, a fresh scratch course grades a mixed class of N
(`grading.class_folder`: reference, lesson-style and second correct
answers, mistakes, untouched notebooks) with `autograder grade`, then
regrades every student (``--force``, as after a hidden test changed) twice:
with the course's store of trained results (``.autograder/trained/``, what
a regrade does by default) and with none (``AUTOGRADER_TRAINED_STORE=none``,
every model trained again). Scores must be the same in all three runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grading import class_folder, fresh_course  # noqa: E402  (the sibling benchmark's class of notebooks)

from autograder.grading.runner import batch  # noqa: E402
from autograder.grading.trainer import trained_store  # noqa: E402

RUNS = (("first grading", False, None), ("regrade, store kept", True, None),
        ("regrade, no store", True, trained_store.OFF))


def grade_once(root: Path, assignment: str, inbox: Path, workers: int, force: bool,
               store: str | None) -> tuple[float, dict[str, dict[str, float]]]:
    """Grade (or regrade) the class; return the wall time and each student's scores."""
    saved = os.environ.pop(trained_store.STORE_VARIABLE, None)
    if store is not None:
        os.environ[trained_store.STORE_VARIABLE] = store
    try:
        began = time.perf_counter()
        report = batch.grade(root, assignment, batch.GradeOptions(submissions=inbox, workers=workers, force=force),
                             report=lambda line: None)
        return time.perf_counter() - began, {result.student: result.scores for result in report.results}
    finally:
        os.environ.pop(trained_store.STORE_VARIABLE, None)
        if saved is not None:
            os.environ[trained_store.STORE_VARIABLE] = saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=["fashion_dense"])
    parser.add_argument("--class", dest="size", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    print("| assignment | class | run | wall s | s per notebook |\n|---|---|---|---|---|")
    for assignment in arguments.assignments:
        with tempfile.TemporaryDirectory(prefix="regrade-benchmark-") as work:
            root = fresh_course(assignment, Path(work))
            inbox = class_folder(assignment, arguments.size, Path(work) / "inbox")
            scores = []
            for label, force, store in RUNS:
                seconds, graded = grade_once(root, assignment, inbox, arguments.workers, force, store)
                scores.append(graded)
                print(f"| {assignment} | {arguments.size} | {label} | {seconds:.0f} | {seconds / arguments.size:.1f} |",
                      flush=True)
            if any(run != scores[0] for run in scores[1:]):
                print(f"{assignment}: the scores differ between runs", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
