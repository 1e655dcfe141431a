"""The one graded fashion_dense batch of a test run: every end-to-end file that needs one reads it.

Graded once per session (the ``fashion_dense_batch`` fixture of
conftest.py) by `autograder grade` with two workers, in a scratch course:

- the standard submissions every assignment is graded with in
  tests/test_autograde.py (`standard_notebooks`: the reference, a second
  correct solution, the lesson-style answers, the untouched release, the
  corpus's several mistakes, and single mistakes packed so that every test
  cell is lost);
- one notebook per failure the runner must survive and per attack
  (tests/test_grading.py: a cell that loops, a kernel that exits, tampering,
  reading the course's files, the hostile corpus, ...);

each with the test cells it must lose. tests/test_cluster.py and
tests/test_gradescope.py compare their grades with this batch's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import course, notebooks
from autograder.authoring import corpus, samples
from autograder.authoring.corpus import hostile
from autograder.course import Course
from autograder.grading.notebook import sandbox
from autograder.grading.runner import batch
from autograder.grading.runner.batch import GradeOptions

FULL_CORPUS = os.environ.get("AUTOGRADER_FULL_CORPUS", "") == "1"

ASSIGNMENT = "fashion_dense"
CELL_TIMEOUT_S = 20
# Limits the attacks pass well within the cell limit, also on a virtual machine that gives a process fresh memory
# (and page cache) at some 70 MB/s: a right notebook's kernel peaks near 1,000 MiB.
MEMORY_MIB = 1600
DISK_MIB = 256

READ_SOURCE = """
import json, pathlib
places = [pathlib.Path.cwd(), *pathlib.Path.cwd().parents{extra}]
found = [p / "source" / "fashion_dense" / "fashion_dense.ipynb" for p in places]
found = [p for p in found if p.exists()]
cells = json.loads(found[0].read_text())["cells"]
exec("".join(next(c["source"] for c in cells if c.get("metadata", {{}}).get("nbgrader", {{}}).get("grade_id") == "class_names")))
"""
READ_TEMPLATE = """
import glob, json, tempfile
found = [*glob.glob(tempfile.gettempdir() + "/autograder-grading-*/**/fashion_dense/fashion_dense.ipynb", recursive=True),
         *glob.glob({course!r} + "/.autograder/templates/**/fashion_dense.ipynb", recursive=True)]
found = [path for path in found if "BEGIN SOLUTION" in open(path).read()]
cells = json.loads(open(found[0]).read())["cells"]
exec("".join(next(c["source"] for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "class_names")))
"""
READ_GRADEBOOK = """
import pathlib, sqlite3
books = [folder / "gradebook.db" for folder in pathlib.Path.cwd().parents if (folder / "gradebook.db").exists()]
hidden_tests = sqlite3.connect(books[0]).execute("select source from source_cell").fetchall()
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
"""
IGNORE_INTERRUPT = """
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
time.sleep(10**6)
"""
TAMPER = """
import keras
from autograder.learner import checks
checks.output_shape = lambda *args, **kwargs: None
checks.param_count = lambda *args, **kwargs: None
keras.Model.count_params = lambda self: 335114
"""


def release_notebook(project: Path) -> nbformat.NotebookNode:
    return notebooks.read(Course(project).release_notebook(ASSIGNMENT))


def answers(project: Path) -> dict[str, str]:
    return samples.reference_answers(notebooks.read(course.source_notebook(project, ASSIGNMENT)))


def all_tests(project: Path) -> frozenset[str]:
    return frozenset(notebooks.test_points(notebooks.read(course.source_notebook(project, ASSIGNMENT))))


def _without_cell(notebook: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    notebook.cells = [cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade_id") != grade_id]
    return notebook


def _with_cell_source(notebook: nbformat.NotebookNode, grade_id: str, source: str) -> nbformat.NotebookNode:
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
    return notebook


def batch_notebooks(project: Path, course_root: Path) -> dict[str, tuple[nbformat.NotebookNode | str | None, frozenset[str]]]:
    """Each student's notebook of the batch (a text for a damaged file, None for none) and the cells it must lose."""
    release, right, spec = release_notebook(project), answers(project), corpus.load(ASSIGNMENT)
    left_out = unanswered(all_tests(project))
    nine_outputs = next(wrong for wrong in spec.wrong if wrong.name == "9 output units")
    wrong_scale = next(wrong for wrong in spec.wrong if wrong.name == "images not scaled")
    absolute = f", pathlib.Path({str(course_root)!r})"
    # Without namespaces (see `autograder doctor`) these files stay readable; the fixtures then pass.
    sandboxed_loses = frozenset({"test_class_names"}) if sandbox.available() else frozenset()
    return {
        **standard_notebooks(project),
        "infinite_loop": (samples.fill(release, {**right, "scale_images": "while True:\n    pass"}),
                          frozenset({"test_scale_images"})),
        # Interrupted at the cell limit, it sleeps on: the kernel is stopped, so every later cell is lost too.
        "ignores_interrupt": (samples.fill(release, {**right, "compile_model": IGNORE_INTERRUPT}),
                              frozenset({"test_compile_model", "test_callbacks", "test_train", "test_accuracy"})),
        "kernel_exits": (samples.fill(release, {**right, "callbacks": "import os\nos._exit(3)"}),
                         frozenset({"test_callbacks", "test_train", "test_accuracy"})),
        "out_of_memory": (samples.fill(release, {**right, "train": "import numpy\nbig = numpy.ones(2**30, 'float32')"}),
                          frozenset({"test_train", "test_accuracy"})),
        "tampering": (samples.fill(release, {**right, **nine_outputs.overrides,
                                             "build_dense_model": nine_outputs.overrides["build_dense_model"] + TAMPER}),
                      nine_outputs.loses),
        "deleted_locked": (_without_cell(samples.fill(release, right), "test_class_names"),
                           frozenset({"test_class_names"})),
        "edited_locked": (_with_cell_source(samples.fill(release, {**right, **wrong_scale.overrides}),
                                            "test_scale_images", "pass"), wrong_scale.loses),
        "reads_source": (attacking(release, right, READ_SOURCE.format(extra="")), left_out | {"test_class_names"}),
        "reads_source_absolute": (attacking(release, right, READ_SOURCE.format(extra=absolute)),
                                  left_out | sandboxed_loses),
        "reads_runner_files": (attacking(release, right, READ_TEMPLATE.replace("{course!r}", repr(str(course_root)))),
                               left_out | sandboxed_loses),
        "reads_gradebook": (attacking(release, right, READ_GRADEBOOK), left_out | sandboxed_loses),
        "not_json": ("{not json", all_tests(project)),
        "missing_file": (None, all_tests(project)),
        **hostile_notebooks(release, right, course_root, all_tests(project)),
    }


# Attacks on the grader's processes: the rest of their notebook, training included, must still grade, so every
# other answer is right. Every other attack is graded with only the answers up to scale_images (`attacking`).
FULLY_ANSWERED_ATTACKS = frozenset({"kills_everything", "signals_parent"})
# The cells those other attackers answer (the reference's answers): none trains a model.
ANSWERED_UP_TO = ("class_names", "scale_images")


def attacking(release, answers: dict[str, str], attack: str) -> nbformat.NotebookNode:
    """``release`` with ``attack`` as the class_names answer, the reference scale_images and nothing after it."""
    return samples.fill(release, {**{cell: answers[cell] for cell in ANSWERED_UP_TO}, "class_names": attack})


def unanswered(every_test: frozenset[str]) -> frozenset[str]:
    """The test cells a notebook answered only up to scale_images loses."""
    return every_test - {f"test_{cell}" for cell in ANSWERED_UP_TO}


def hostile_notebooks(release, answers, course_root: Path, every_test: frozenset[str]) -> dict:
    """The hostile corpus: each attack in the ``class_names`` cell (see `FULLY_ANSWERED_ATTACKS`, `attacking`).

    Attacks that would harm the grader itself on a machine without namespaces are graded only where they are in force.
    """
    confined = sandbox.available()
    notebooks_and_losses = {}
    for attack in hostile.ATTACKS:
        if not confined and attack.harms_without_sandbox:
            continue
        code = hostile.code(attack, str(course_root))
        if attack.name in FULLY_ANSWERED_ATTACKS:
            notebook, besides = samples.fill(release, {**answers, hostile.CELL: code}), frozenset()
        else:
            notebook, besides = attacking(release, answers, code), unanswered(every_test)
        cell_losses = {"cell": frozenset({"test_class_names"}) | besides, "all": every_test, "none": besides}
        notebooks_and_losses[attack.name] = (notebook, cell_losses[attack.loses if confined else attack.unsandboxed_loses])
    return notebooks_and_losses


def write_batch(folder, fixtures) -> None:
    """Write fixtures as an LMS-style folder: ``<student>.ipynb``, or an empty student folder for None."""
    folder.mkdir(parents=True, exist_ok=True)
    for student, (notebook, _) in fixtures.items():
        if notebook is None:
            (folder / student).mkdir()
            (folder / student / "README.txt").write_text("forgot the notebook")
        elif isinstance(notebook, str):
            (folder / f"{student}.ipynb").write_text(notebook)
        else:
            nbformat.write(notebook, str(folder / f"{student}.ipynb"))


def options(batch, **changes) -> GradeOptions:
    settings = dict(submissions=batch, workers=2, cell_timeout_s=CELL_TIMEOUT_S, memory_mib=MEMORY_MIB,
                    disk_mib=DISK_MIB)
    settings.update(changes)
    return GradeOptions(**settings)


def graded_rounds(assignment: str) -> list[corpus.WrongSubmission]:
    """The packed mistakes graded under nbgrader: all of them with ``AUTOGRADER_FULL_CORPUS=1``, else the few that
    lose every test cell the corpus's several mistakes (graded beside them) keep."""
    spec = corpus.load(assignment)
    packed = corpus.rounds(spec.wrong)
    return packed if FULL_CORPUS else corpus.covering(packed, already=frozenset(spec.mixed.loses))


def round_name(index: int) -> str:
    """The student id of the ``index``-th round of single mistakes."""
    return f"mistakes_{index:02d}"


def standard_notebooks(project: Path, assignment: str = ASSIGNMENT,
                       everything: bool = True) -> dict[str, tuple[nbformat.NotebookNode, frozenset[str]]]:
    """The submissions an assignment is graded with under nbgrader, and the cells each must lose.

    Always the corpus's second correct solution (``correct_b``: proven only
    here, under nbgrader) and the untouched release; with ``everything``
    also the reference answers (``correct``), the corpus's several
    mistakes, the answers written as the lessons write them and the packed
    single mistakes of `graded_rounds` (tests/test_corpus.py proves these
    in-process for every assignment).
    """
    spec = corpus.load(assignment)
    release = notebooks.read(Course(project).release_notebook(assignment))
    reference = samples.reference_answers(notebooks.read(course.source_notebook(project, assignment)))
    every_test = frozenset(notebooks.test_points(notebooks.read(course.source_notebook(project, assignment))))
    chosen = {
        "correct_b": (samples.fill(release, {**reference, **spec.second_correct}), frozenset()),
        "untouched": (release, every_test),
    }
    if not everything:
        return chosen
    chosen["correct"] = (samples.fill(release, reference), frozenset())
    chosen["some_wrong"] = (samples.fill(release, {**reference, **spec.mixed.overrides}), frozenset(spec.mixed.loses))
    chosen["lesson_style"] = (samples.fill(release, {**reference, **spec.lesson_style}), frozenset())
    for index, packed in enumerate(graded_rounds(assignment)):
        overrides = {**reference, **packed.overrides}
        chosen[round_name(index)] = (samples.fill(release, overrides), frozenset(packed.loses))
    return chosen


@dataclass
class GradedBatch:
    """A graded batch: its course, each student's notebook and expected losses, the report, progress lines, inbox."""

    root: Path
    fixtures: dict[str, tuple[nbformat.NotebookNode | str | None, frozenset[str]]]
    report: batch.BatchReport
    lines: list[str]
    inbox: Path


def grade(project: Path, course_root: Path, inbox: Path) -> GradedBatch:
    """Write the batch into ``inbox`` and grade it in ``course_root`` (see the module)."""
    fixtures = batch_notebooks(project, course_root)
    write_batch(inbox, fixtures)
    lines: list[str] = []
    report = batch.grade(course_root, ASSIGNMENT, options(inbox), report=lines.append)
    return GradedBatch(course_root, fixtures, report, lines, inbox)
