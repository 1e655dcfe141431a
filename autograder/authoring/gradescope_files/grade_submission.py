"""Grade one Gradescope submission with ``autograder grade`` and write Gradescope's ``results.json``.

``run_autograder`` runs ``python grade_submission.py ROOT ASSIGNMENT`` for every
submission, ROOT being Gradescope's ``/autograder``:

1. the notebooks in ``ROOT/submission`` go, in nbgrader's layout, into the inbox
   of a fresh copy of the course in ``ROOT/source/course``;
2. ``autograder grade ASSIGNMENT --submissions INBOX --workers 1`` grades them as
   it grades a class (the same hidden tests, limits and feedback) and picks the
   notebook as it picks a student's: the only one, or the one named
   ``ASSIGNMENT.ipynb``; with none, or several and none so named, it records the
   submission as failed with the reason;
3. the student's ``results.json``, already in Gradescope's format, is copied to
   ``ROOT/results/results.json``; when grading stops without writing it, a result
   with every test at 0 and the reason is written instead.

In a container, ``psutil`` sees the host's memory, so ``autograder grade``'s
default kernel memory limit (a share of RAM) would let a greedy notebook run the
whole container out of memory and leave no result. The kernel's limit here is
the container's (its cgroup's limit) less what the grader's own processes use.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

from autograder import notebooks
from autograder.course import Course
from autograder.grading import results
from autograder.grading.results import NOT_GRADED

# The student id the submission is graded as (it names nothing a student sees but
# the reasons "no notebook in submission/: ..." and "several notebooks ...").
STUDENT = "submission"
# Memory of the grader's own processes beside the kernel (runner, worker, trainer):
# at most 1276 MiB (proportional set size, cifar10_cnn) measured, docs/gradescope.md; 20 % more.
GRADER_RESERVE_MIB = 1536
# Below this the kernel cannot import Keras at all; a smaller container is reported, not graded.
MINIMUM_KERNEL_MIB = 512
# Where the memory limits of this process's cgroups are: version 1's memory controller, version 2's unified tree.
CGROUP_LIMIT_FILES = {"memory": (Path("/sys/fs/cgroup/memory"), "memory.limit_in_bytes"),
                      "": (Path("/sys/fs/cgroup"), "memory.max")}


def container_memory_mib() -> int | None:
    """Return the container's memory limit in MiB, or None when no cgroup of this process has one below the RAM.

    The limit is the smallest of this process's memory cgroup and its parents
    (cgroup version 1 or 2), which is what the container's runtime enforces.
    """
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    limits = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers not in CGROUP_LIMIT_FILES:
            continue
        base, name = CGROUP_LIMIT_FILES[controllers]
        folder = base / path.lstrip("/")
        for candidate in (folder, *folder.parents):
            if not candidate.is_relative_to(base):
                break
            try:
                text = (candidate / name).read_text().strip()
            except OSError:
                continue
            if text.isdigit():
                limits.append(int(text))
    below_ram = [limit for limit in limits if limit < psutil.virtual_memory().total]
    return min(below_ram) // 2**20 if below_ram else None


def gather(submission: Path, inbox: Path) -> list[Path]:
    """Copy every notebook under ``submission`` into ``inbox``, keeping its path; return the copies.

    Args:
        submission: Gradescope's submission folder.
        inbox: the student's nbgrader folder, ``<submissions>/<student>/<assignment>/``.

    Returns:
        The copied notebooks (empty when the student sent none).
    """
    inbox.mkdir(parents=True, exist_ok=True)
    copies = []
    for notebook in sorted(submission.rglob("*.ipynb")) if submission.is_dir() else []:
        if notebook.is_file():
            copy = inbox / notebook.relative_to(submission)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(notebook, copy)
            copies.append(copy)
    return copies


def received(submission: Path) -> str:
    """Name what the student sent, for a submission without a notebook."""
    files = sorted(str(path.relative_to(submission)) for path in submission.rglob("*") if path.is_file()) \
        if submission.is_dir() else []
    shown = ", ".join(files[:20]) + (f" and {len(files) - 20} more" if len(files) > 20 else "")
    return f"Gradescope received {shown}; expected a Jupyter notebook (.ipynb)." if files else \
        "Gradescope received no files; expected a Jupyter notebook (.ipynb)."


def grade(root: Path, assignment: str, work: Path) -> tuple[dict, int]:
    """Grade ``root/submission`` in a copy of the course under ``work``.

    Args:
        root: Gradescope's ``/autograder`` folder.
        assignment: the assignment id.
        work: an empty scratch folder.

    Returns:
        Gradescope's results (a dict) and the exit status for ``run_autograder``.
    """
    course = Course(work / "course")
    shutil.copytree(root / "source" / "course", course.root)
    inbox = work / "inbox"
    found = gather(root / "submission", inbox / STUDENT / assignment)
    command = [sys.executable, "-m", "autograder.cli", "--course", str(course.root), "grade", assignment,
               "--submissions", str(inbox), "--workers", "1"]
    memory = container_memory_mib()
    if memory is not None:
        command += ["--memory", str(max(MINIMUM_KERNEL_MIB, memory - GRADER_RESERVE_MIB))]
    print(f"grade_submission.py: {' '.join(command)}", flush=True)
    finished = subprocess.run(command)
    result = results.read_json(course.results_json(assignment, STUDENT))
    status = finished.returncode
    if result is None:
        max_scores = notebooks.test_points(notebooks.read(course.source_notebook(assignment)))
        reason = (f"The autograder stopped (exit status {finished.returncode}) before grading your submission; "
                  "it was not graded. Please tell the course staff.")
        result, status = results.unscored(STUDENT, assignment, NOT_GRADED, reason, max_scores), status or 1
    graded = result.to_gradescope()
    if not found:
        graded["output"] = "\n".join(filter(None, [graded["output"], received(root / "submission")]))
    return graded, status


def main(argv: list[str]) -> int:
    """Grade the submission under ``argv[0]`` (Gradescope's root) for assignment ``argv[1]``; return the exit status."""
    root, assignment = Path(argv[0]), argv[1]
    with tempfile.TemporaryDirectory(prefix="gradescope-") as work:
        graded, status = grade(root, assignment, Path(work))
    results.write_atomically(root / "results" / "results.json", json.dumps(graded, indent=2) + "\n")
    print(f"grade_submission.py: {graded['score']:g} points; wrote {root / 'results' / 'results.json'}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
