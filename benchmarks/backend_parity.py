"""Grade every assignment's corpus on each Keras backend and print where outcomes differ.

Usage: python benchmarks/backend_parity.py [--backends tensorflow,jax,torch] [ASSIGNMENT ...]

For each backend a fresh Python process (KERAS_BACKEND set before Keras is
imported, grading mode on) runs the notebook's test cells in-process
(`autograder.cell_tests`) against the reference, the second correct
solution and every wrong submission, and reports the failed test cells.
The table shows, per submission, whether every backend fails exactly the
cells the corpus expects. Brief-training accuracies are printed by the
test cells and are expected to differ slightly between backends.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKER = """
import json, sys
from autograder import cell_tests, corpus, course, notebooks
root, assignments = sys.argv[1], sys.argv[2:]
rows = []
for assignment in assignments:
    spec = corpus.load(assignment)
    source = notebooks.read(course.source_notebook(__import__("pathlib").Path(root), assignment))
    cases = [("reference", {}, set()), ("second correct", spec.second_correct, set())]
    cases += [(w.name, {**spec.fast_answers, **w.overrides}, set(w.loses)) for w in spec.wrong + [spec.mixed]]
    for name, overrides, expected in cases:
        failed = cell_tests.run_test_cells(source, overrides).failed
        rows.append({"assignment": assignment, "submission": name, "failed": sorted(failed), "expected": sorted(expected)})
print("PARITY " + json.dumps(rows))
"""


def run_backend(backend: str, assignments: list[str]) -> tuple[list[dict], float]:
    """Run the corpus of ``assignments`` under one backend; return its rows and wall time."""
    environment = {**os.environ, "KERAS_BACKEND": backend, "AUTOGRADER_MODE": "grading", "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, "-c", WORKER, str(ROOT), *assignments], capture_output=True, text=True, env=environment
    )
    lines = [line for line in finished.stdout.splitlines() if line.startswith("PARITY ")]
    if not lines:
        raise RuntimeError(f"{backend} failed:\n{finished.stderr[-3000:]}")
    return json.loads(lines[-1][len("PARITY ") :]), time.perf_counter() - started


def main() -> int:
    """Print the parity table; exit 1 when any backend misses the corpus's expectation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    arguments = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from autograder import course

    assignments = arguments.assignments or course.assignments(ROOT)
    backends = arguments.backends.split(",")
    results = {}
    for backend in backends:
        results[backend], seconds = run_backend(backend, assignments)
        print(f"{backend}: {len(results[backend])} submissions in {seconds:.0f} s", flush=True)
    print()
    print("| assignment | submission | " + " | ".join(backends) + " |")
    print("|---|---|" + "---|" * len(backends))
    mismatches = 0
    for position, row in enumerate(results[backends[0]]):
        marks = []
        for backend in backends:
            found = results[backend][position]
            right = found["failed"] == found["expected"]
            mismatches += not right
            marks.append("as expected" if right else f"failed {found['failed']}")
        print(f"| {row['assignment']} | {row['submission']} | " + " | ".join(marks) + " |")
    print(f"\n{mismatches} outcome(s) differ from the corpus's expectation.")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
