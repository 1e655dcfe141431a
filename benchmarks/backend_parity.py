"""Grade every assignment's corpus on each Keras backend and print where outcomes differ.

Usage: python benchmarks/backend_parity.py [--backends tensorflow,jax,torch] [ASSIGNMENT ...]

For each backend `autograder.authoring.backend_parity` runs, in a fresh process, the
notebook's test cells against the reference, the second correct solution
and every wrong submission, and reports the failed test cells.
The table shows, per submission, whether every backend fails exactly the
cells the corpus expects. Brief-training accuracies are printed by the
test cells and are expected to differ slightly between backends.

Brief-training results are reused within one run for the same model on
the same backend (`training.CACHE_VARIABLE`, as tests/test_corpus.py does:
training is deterministic), so a wrong answer that leaves the model as the
reference's does not train it again; ``--no-cache`` trains every time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from autograder import course
from autograder.authoring import backend_parity as backends

ROOT = Path(__file__).resolve().parent.parent



def main() -> int:
    """Print the parity table; exit 1 when any backend misses the corpus's expectation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--no-cache", action="store_true", help="train every submission's model, even a repeated one")
    arguments = parser.parse_args()
    assignments = arguments.assignments or course.assignments(ROOT)
    names = arguments.backends.split(",")
    results = {}
    with tempfile.TemporaryDirectory(prefix="parity-training-cache-") as folder:
        cache = None if arguments.no_cache else Path(folder)
        for backend in names:
            started = time.perf_counter()
            results[backend] = backends.grade_with_backend(ROOT, assignments, backend, training_cache=cache)
            seconds = time.perf_counter() - started
            print(f"{backend}: {len(results[backend])} submissions in {seconds:.0f} s", flush=True)
    print()
    print("| assignment | submission | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    mismatches = 0
    for position, row in enumerate(results[names[0]]):
        marks = []
        for backend in names:
            found = results[backend][position]
            mismatches += not found.as_expected
            marks.append("as expected" if found.as_expected else f"failed {list(found.failed)}")
        print(f"| {row.assignment} | {row.submission} | " + " | ".join(marks) + " |")
    print(f"\n{mismatches} outcome(s) differ from the corpus's expectation.")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
