"""Train each assignment's reference model several times exactly as grading does; print whether the numbers repeat.

Usage: python benchmarks/repeatability.py [--backend B] [--runs 2] [ASSIGNMENT ...]

Each run is the hidden accuracy test's own call, `training.brief_train`
with the assignment's budget: a fresh process with the grader's
environment (fixed seeds, deterministic GPU kernels). The same notebook
graded twice must get the same score; this checks the stronger property
that the measured test accuracy and every epoch's metrics repeat to the
last bit, on whatever device the backend finds (run it on a GPU machine).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autograder import course
from autograder.learner import training
from autograder.authoring import calibration, corpus

ROOT = Path(__file__).resolve().parent.parent



def measure(assignment: str, runs: int) -> dict:
    """Train the reference ``runs`` times; return the accuracies and whether everything repeated."""
    spec = corpus.load(assignment)
    build = calibration.model_builder(ROOT, assignment)
    results = [training.brief_train(build(), spec.budget, "the reference model") for _ in range(runs)]
    return {
        "assignment": assignment,
        "backend": results[0].backend,
        "device": results[0].device,
        "accuracies": [result.test_accuracy for result in results],
        "seconds": [result.seconds for result in results],
        "identical": all(result.test_accuracy == results[0].test_accuracy and result.history == results[0].history
                         for result in results),
    }


def main() -> int:
    """Print the repeatability table; exit 1 when any assignment's numbers differ between runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--backend", help="KERAS_BACKEND for the training processes (default: the environment's)")
    parser.add_argument("--runs", type=int, default=2)
    arguments = parser.parse_args()
    if arguments.backend:
        os.environ["KERAS_BACKEND"] = arguments.backend
    rows = []
    for assignment in arguments.assignments or [a for a in course.assignments(ROOT) if a != "sign_language_rps"]:
        rows.append(measure(assignment, arguments.runs))
        print(rows[-1], flush=True)
    print()
    print("| assignment | backend | device | test accuracy per run | fit s per run | identical |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        accuracies = ", ".join(f"{value:.4f}" for value in row["accuracies"])
        seconds = ", ".join(f"{value:.1f}" for value in row["seconds"])
        print(f"| {row['assignment']} | {row['backend']} | {row['device']} | {accuracies} | {seconds} "
              f"| {'yes' if row['identical'] else 'NO'} |")
    return 0 if all(row["identical"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
