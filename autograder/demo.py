"""The demo: build the course, grade three sample submissions with the grading runner, show the grades.

For each assignment, four students submit: ``correct`` (the reference
answers), ``lesson_style`` (the same exercises written the way the original
lessons write code: ``tf.keras``, ``Sequential().add``, ``tf.nn.relu``),
``some_wrong`` (the corpus's submission with several mistakes) and
``untouched`` (the release notebook as handed out). The demo
regenerates ``release/`` and ``solutions/``, grades the three in a scratch
course with `autograder.grading.runner.batch` (real nbgrader autograde and feedback),
prints a grade table per test cell and the runner's summary, and lists the
feedback it wrote. It exits 1 when a sample was not graded or was graded
against expectation (the right answers below full marks, the untouched
notebook above 0): a demo that grades nothing must not look like one that works.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from autograder import course, nbgrader_run, notebooks
from autograder.course import Course
from autograder.authoring import build, corpus, samples
from autograder.grading import results
from autograder.grading.notebook import sandbox
from autograder.grading.runner import batch
from autograder.learner import datasets
from autograder.grading.results import SubmissionResult


def sample_submissions(root: Path, assignment: str) -> dict[str, nbformat.NotebookNode]:
    """Return the demo's three submissions of ``assignment``, by student id."""
    source = notebooks.read(course.source_notebook(root, assignment))
    release = notebooks.read(Course(root).release_notebook(assignment))
    reference = samples.reference_answers(source)
    spec = corpus.load(assignment)
    return {
        "correct": samples.fill(release, reference),
        "lesson_style": samples.fill(release, {**reference, **spec.lesson_style}),
        "some_wrong": samples.fill(release, {**reference, **spec.mixed.overrides}),
        "untouched": release,
    }


def grade_table(assignment: str, graded: list[SubmissionResult]) -> str:
    """Format per-cell scores, totals and grading time, one row per student."""
    cells = list(graded[0].max_scores)
    headers = ["student"] + [cell.removeprefix("test_") for cell in cells] + ["total", "seconds"]
    rows = [
        [result.student]
        + [f"{result.scores[cell]:g}/{result.max_scores[cell]:g}" for cell in cells]
        + [f"{result.total:g}/{result.max_total:g}", f"{result.seconds:.1f}"]
        for result in graded
    ]
    widths = [max(len(row[i]) for row in [headers] + rows) for i in range(len(headers))]
    lines = [f"{assignment}: automatic scores per test cell"]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in [headers] + rows]
    return "\n".join(lines)


FULL_MARKS = ("correct", "lesson_style")


def problems(graded: list[SubmissionResult]) -> list[str]:
    """What went wrong with the demo's samples: not graded, or graded against expectation."""
    found = []
    for result in graded:
        name = f"{result.assignment}/{result.student}"
        if result.status != "graded":
            found.append(f"{name} was not graded ({result.status}): {result.reason}")
        elif result.student in FULL_MARKS and result.total < result.max_total:
            found.append(f"{name} got {result.total:g}/{result.max_total:g}; right answers should get full marks")
        elif result.student == "untouched" and result.total > 0:
            found.append(f"{name} got {result.total:g} points for answering nothing")
    return found


def run(root: Path, out: Path, assignments: list[str]) -> int:
    """Run the demo into the scratch course ``out`` (recreated); return the exit status."""
    for path in [*(path for assignment in assignments for path in build.write(root, assignment)),
                 *build.write_student_package(root)]:
        print(f"built {path}")
    ready = []
    for assignment in assignments:
        try:
            datasets.load(corpus.load(assignment).budget.dataset, subset="full")
            ready.append(assignment)
        except datasets.DatasetError as error:
            print(f"\nskipping {assignment}: its dataset is missing.\n{error}")
    if not ready:
        print(f"\nnothing to grade: no assignment's dataset was found ({datasets.DATA_DIR_VARIABLE} sets the folder)")
        return 1
    shutil.rmtree(out, ignore_errors=True)
    nbgrader_run.scratch_course(root, out, ready)
    print(f"\n{sandbox.isolation_line()}")
    found = []
    for assignment in ready:
        inbox = out / "inbox" / assignment
        samples_of = sample_submissions(root, assignment)
        for student, notebook in samples_of.items():
            notebooks.write(notebook, inbox / f"{student}.ipynb")
        print(f"\n`autograder grade {assignment}` on {len(samples_of)} sample submissions...")
        report = batch.grade(out, assignment, batch.GradeOptions(submissions=inbox))
        print()
        print(grade_table(assignment, report.results))
        found += problems(report.results)
        print()
        print(results.summary_table(report.results))
        print(f"\nclass report: {Course(out).class_report(assignment)}")
        print(f"log: {report.log_path}")
        print("feedback:")
        for path in Course(out).all_feedback_files(assignment):
            print(f"  {path}")
    if found:
        print("\nthe demo did not go as it should:", *found, sep="\n  ")
        return 1
    return 0
