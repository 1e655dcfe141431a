"""`autograder grade` end to end: one batch of good and bad fashion_dense submissions through real nbgrader.

The batch mixes two correct notebooks with one fixture per failure the
runner must survive (a cell that loops, one that sleeps, a kernel that
exits, one that runs out of memory, a notebook that is not JSON, a missing
notebook, tampering with the grading helpers, a deleted and an edited
locked cell, reading the course's ``source/``). Each must get exactly the
expected grade and reason, and the correct ones full marks. A second run is
killed mid-batch and resumed, and must end with the same grades.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbgrader.utils import notebook_hash, parse_utc

from autograder import cli, course, nbgrader_run, notebooks
from autograder.authoring import corpus, leaks, samples
from autograder.authoring.corpus import hostile
from autograder.course import Course
from autograder.grading import batch, results, sandbox, workfolders
from autograder.grading.batch import GradeOptions
from autograder.grading.processes import kill_family
from conftest import printed_accuracies, require

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "fashion_dense"
CELL_TIMEOUT_S = 30
MEMORY_MIB = 3000

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
found = glob.glob(tempfile.gettempdir() + "/autograder-grading-*/**/fashion_dense/fashion_dense.ipynb", recursive=True)
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
TAMPER = """
import keras
from autograder.learner import checks
checks.output_shape = lambda *args, **kwargs: None
checks.param_count = lambda *args, **kwargs: None
keras.Model.count_params = lambda self: 335114
"""


@pytest.fixture(scope="module")
def project(root) -> Path:
    """The course being tested (the repository), as opposed to the scratch courses graded here."""
    return root


def _release(project: Path) -> nbformat.NotebookNode:
    return notebooks.read(Course(project).release_notebook(ASSIGNMENT))


def _answers(project: Path) -> dict[str, str]:
    return samples.reference_answers(notebooks.read(course.source_notebook(project, ASSIGNMENT)))


def _all_tests(project: Path) -> frozenset[str]:
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
    """Each fixture student's notebook (a text for a damaged file, None for none) and the cells it must lose."""
    release, answers, spec = _release(project), _answers(project), corpus.load(ASSIGNMENT)
    nine_outputs = next(wrong for wrong in spec.wrong if wrong.name == "9 output units")
    wrong_scale = next(wrong for wrong in spec.wrong if wrong.name == "images not scaled")
    absolute = f", pathlib.Path({str(course_root)!r})"
    # Without namespaces (see `autograder doctor`) these files stay readable; the fixtures then pass.
    sandboxed_loses = frozenset({"test_class_names"}) if sandbox.available() else frozenset()
    return {
        "correct_a": (samples.fill(release, answers), frozenset()),
        "correct_b": (samples.fill(release, {**answers, **spec.second_correct}), frozenset()),
        "infinite_loop": (samples.fill(release, {**answers, "scale_images": "while True:\n    pass"}),
                          frozenset({"test_scale_images"})),
        "sleeps_forever": (samples.fill(release, {**answers, "compile_model": "import time\ntime.sleep(10**6)"}),
                           frozenset({"test_compile_model", "test_accuracy"})),
        "kernel_exits": (samples.fill(release, {**answers, "callbacks": "import os\nos._exit(3)"}),
                         frozenset({"test_callbacks", "test_train", "test_accuracy"})),
        "out_of_memory": (samples.fill(release, {**answers, "train": "import numpy\nbig = numpy.ones(2**30, 'float32')"}),
                          frozenset({"test_train", "test_accuracy"})),
        "tampering": (samples.fill(release, {**answers, **nine_outputs.overrides,
                                             "build_dense_model": nine_outputs.overrides["build_dense_model"] + TAMPER}),
                      nine_outputs.loses),
        "deleted_locked": (_without_cell(samples.fill(release, answers), "test_class_names"),
                           frozenset({"test_class_names"})),
        "edited_locked": (_with_cell_source(samples.fill(release, {**answers, **wrong_scale.overrides}),
                                            "test_scale_images", "pass"), wrong_scale.loses),
        "reads_source": (samples.fill(release, {**answers, "class_names": READ_SOURCE.format(extra="")}),
                         frozenset({"test_class_names"})),
        "reads_source_absolute": (samples.fill(release, {**answers, "class_names": READ_SOURCE.format(extra=absolute)}),
                                  sandboxed_loses),
        "reads_runner_files": (samples.fill(release, {**answers, "class_names": READ_TEMPLATE}), sandboxed_loses),
        "reads_gradebook": (samples.fill(release, {**answers, "class_names": READ_GRADEBOOK}), sandboxed_loses),
        "not_json": ("{not json", _all_tests(project)),
        "missing_file": (None, _all_tests(project)),
        **hostile_notebooks(release, answers, course_root, _all_tests(project)),
    }


def hostile_notebooks(release, answers, course_root: Path, every_test: frozenset[str]) -> dict:
    """The hostile corpus: each attack in the ``class_names`` cell of a notebook whose other answers are right.

    Attacks that would harm the grader itself on a machine without namespaces are graded only where they are in force.
    """
    confined = sandbox.available()
    losses = {"cell": frozenset({"test_class_names"}), "all": every_test, "none": frozenset()}
    return {
        attack.name: (samples.fill(release, {**answers, hostile.CELL: hostile.code(attack, str(course_root))}),
                      losses[attack.loses if confined else attack.unsandboxed_loses])
        for attack in hostile.ATTACKS if confined or not attack.harms_without_sandbox
    }


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


def _options(batch, **changes) -> GradeOptions:
    settings = dict(submissions=batch, workers=2, cell_timeout_s=CELL_TIMEOUT_S, memory_mib=MEMORY_MIB)
    settings.update(changes)
    return GradeOptions(**settings)


@pytest.fixture(scope="module")
def graded_batch(scratch_courses, project, tmp_path_factory):
    require("fashion_mnist")
    root = scratch_courses.make("course")
    fixtures = batch_notebooks(project, root)
    folder = tmp_path_factory.mktemp("inbox")
    write_batch(folder, fixtures)
    lines = []
    report = batch.grade(root, ASSIGNMENT, _options(folder), report=lines.append)
    return root, fixtures, report, lines, folder


def _lost(result: results.SubmissionResult) -> frozenset[str]:
    return frozenset(cell for cell, points in result.max_scores.items() if result.scores.get(cell, 0.0) < points)


@pytest.mark.parametrize("student", [
    "correct_a", "correct_b", "infinite_loop", "sleeps_forever", "kernel_exits", "out_of_memory", "tampering",
    "deleted_locked", "edited_locked", "reads_source", "reads_source_absolute", "reads_runner_files",
    "reads_gradebook", "not_json", "missing_file", *[attack.name for attack in hostile.ATTACKS],
])
def test_each_submission_gets_its_expected_grade(graded_batch, student, project):
    root, fixtures, report, _, _ = graded_batch
    if student not in fixtures:
        pytest.skip(f"{student} would harm the grader on a machine without namespaces ({sandbox.describe()})")
    result = next(result for result in report.results if result.student == student)
    assert result.max_scores == notebooks.test_points(notebooks.read(course.source_notebook(project, ASSIGNMENT)))
    assert _lost(result) == fixtures[student][1], result.messages


@pytest.mark.parametrize("student, status, words", [
    ("infinite_loop", "graded", f"ran longer than the grader's limit of {CELL_TIMEOUT_S} s"),
    ("kernel_exits", "graded", "the kernel stopped"),
    ("out_of_memory", "graded", "more than the grader's limit of 3000 MiB"),
    ("not_json", "failed", "is not a readable Jupyter notebook"),
    ("missing_file", "failed", "no notebook in missing_file/"),
])
def test_failures_say_why_in_results_and_feedback(graded_batch, student, status, words):
    root, _, _, _, _ = graded_batch
    result = results.read_json(Course(root).results_json(ASSIGNMENT, student))
    assert result is not None and result.status == status
    feedback = Course(root).feedback_page(ASSIGNMENT, student).read_text()
    shown = json.loads(Course(root).results_json(ASSIGNMENT, student).read_text())["output"]
    assert words in shown
    assert words.split("'")[0] in feedback.replace("&#x27;", "'").replace("&#39;", "'")


def test_attacks_change_nothing_of_the_course_or_the_machine(graded_batch):
    """Nothing an attacker wrote reached the course, the right notebooks' results or the runner's disk."""
    root, fixtures, report, lines, _ = graded_batch
    assert len(report.results) == len(fixtures) and len(lines) == len(fixtures)
    assert report.interrupted is None  # what `autograder grade` exits 0 on
    assert all(result.status != results.NOT_GRADED for result in report.results)  # every student graded
    attacker = "writes_the_course"  # its own notebook and feedback show its code, mark included
    written = [path for path in root.rglob("*") if path.is_file() and hostile.MARK.encode() in path.read_bytes()
               and attacker not in path.parts]
    assert written == []
    for student in ("correct_a", "correct_b"):
        assert nbgrader_run.read_grades(root, ASSIGNMENT, student).total == 15
    assert not list(Path(tempfile.gettempdir()).glob("filler-*"))
    notebook = Course(root).autograded_notebook(ASSIGNMENT, "prints_megabytes")
    page = Course(root).feedback_page(ASSIGNMENT, "prints_megabytes")
    assert notebook.stat().st_size < 2 << 20 and page.stat().st_size < 2 << 20  # it printed 50 MB
    assert "characters cut: the grader keeps 1,024 KiB of what a cell prints" in page.read_text()
    if sandbox.available():
        messages = results.read_json(Course(root).results_json(ASSIGNMENT, "fills_disk")).messages
        assert any("of files, more than the grader's limit" in message for message in messages.values()), messages


def test_tampering_is_undone_and_reported(graded_batch):
    root, _, report, _, _ = graded_batch
    result = next(result for result in report.results if result.student == "tampering")
    assert "autograder.learner.checks.output_shape" in result.guard_undid["test_build_dense_model"]
    assert "keras.src.models.model.Model.count_params" in result.guard_undid["test_build_dense_model"]
    feedback = Course(root).feedback_page(ASSIGNMENT, "tampering").read_text()
    assert "found (None, 9)" in feedback and "The grader undid changes" in feedback


def test_gradebook_csv_and_results_json_agree(graded_batch):
    root, fixtures, report, _, _ = graded_batch
    with_scores = {result.student: result for result in report.results}
    for student in fixtures:
        stored = nbgrader_run.read_grades(root, ASSIGNMENT, student)
        assert stored.scores == with_scores[student].scores
        gradescope = json.loads(Course(root).results_json(ASSIGNMENT, student).read_text())
        assert gradescope["score"] == with_scores[student].total
        assert {test["name"] for test in gradescope["tests"] if test["status"] == "failed"} == fixtures[student][1]
    rows = (root / "grades" / f"{ASSIGNMENT}.csv").read_text().splitlines()
    assert rows[0].startswith("student,test_class_names") and len(rows) == len(fixtures) + 1
    assert any(line.startswith("correct_a,1,2,3,2,2,2,3,15,15,graded") for line in rows)
    assert (root / "grades" / "nbgrader_export.csv").exists()


def test_progress_lines_count_up_to_the_batch(graded_batch):
    _, fixtures, _, lines, _ = graded_batch
    assert len(lines) == len(fixtures)
    assert lines[-1].startswith(f"[{len(fixtures)}/{len(fixtures)}]") and "/hour" in lines[-1]


def test_second_run_grades_nothing_and_regrading_one_student_replaces_only_theirs(graded_batch, project):
    """The regraded student now hands in correct_a's notebook: another run (another worker and training service)
    must give it the same scores and, to the printed digit, the same accuracy (grading is deterministic)."""
    root, fixtures, first_run, _, folder = graded_batch
    before = {student: Course(root).results_json(ASSIGNMENT, student).stat().st_mtime_ns for student in fixtures}
    again = batch.grade(root, ASSIGNMENT, _options(folder))
    assert again.graded_now == []
    nbformat.write(samples.fill(_release(project), _answers(project)), str(folder / "deleted_locked.ipynb"))
    regraded = batch.grade(root, ASSIGNMENT, _options(folder, students=("deleted_locked",), feedback="full"))
    assert regraded.graded_now == ["deleted_locked"]
    page = Course(root).feedback_page(ASSIGNMENT, "deleted_locked").read_text()
    hidden = notebooks.secret_lines(notebooks.read(course.source_notebook(project, ASSIGNMENT))).hidden
    assert leaks.leaks(page, hidden) == [] and "(the grader's hidden checks ran here)" in page
    assert "lines folded" not in page
    assert _lost(regraded.results[0]) == frozenset()
    assert regraded.results[0].scores == next(result.scores for result in first_run.results if result.student == "correct_a")
    first = printed_accuracies(root, ASSIGNMENT, "correct_a")
    assert len(first) == 1 and printed_accuracies(root, ASSIGNMENT, "deleted_locked") == first
    for student in fixtures:
        changed = Course(root).results_json(ASSIGNMENT, student).stat().st_mtime_ns != before[student]
        assert changed == (student == "deleted_locked"), student
    assert nbgrader_run.read_grades(root, ASSIGNMENT, "correct_a").total == 15


def test_whole_submission_time_limit_fails_only_that_submission(scratch_courses, tmp_path_factory, project):
    require("fashion_mnist")
    root = scratch_courses.make("slow")
    folder = tmp_path_factory.mktemp("slow-inbox")
    sleeper = samples.fill(_release(project), {**_answers(project), "class_names": "import time\ntime.sleep(10**6)"})
    write_batch(folder, {"sleeper": (sleeper, _all_tests(project))})
    report = batch.grade(root, ASSIGNMENT, _options(folder, timeout_s=20, workers=1))
    result = report.results[0]
    assert result.status == "failed" and "stopped after 20 s" in result.reason
    assert set(result.scores.values()) == {0.0}
    assert not [process for process in psutil.Process().children(recursive=True) if "ipykernel" in " ".join(process.cmdline())]


def _run_pid(folder: Path) -> int | None:
    """The process recorded in a work folder; None for one another run is still setting up."""
    try:
        return json.loads((folder / workfolders.OWNER_FILE).read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return None


def test_killed_run_resumes_to_the_same_grades(scratch_courses, graded_batch, tmp_path_factory, project):
    _, fixtures, uninterrupted, _, _ = graded_batch
    root = scratch_courses.make("resumed")
    students = ["correct_a", "kernel_exits", "tampering", "not_json"]
    folder = tmp_path_factory.mktemp("resume-inbox")
    write_batch(folder, {student: fixtures[student] for student in students})
    command = [sys.executable, "-m", "autograder.cli", "--course", str(root), "grade", ASSIGNMENT,
               "--submissions", str(folder), "--workers", "2", "--cell-timeout", str(CELL_TIMEOUT_S),
               "--memory", str(MEMORY_MIB)]
    runner = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not list((root / "feedback").glob(f"*/{ASSIGNMENT}/results.json")) and time.monotonic() < deadline:
        time.sleep(0.5)
    kill_family(runner.pid)
    runner.wait()
    killed_folders = [folder for folder in workfolders.parent().iterdir() if _run_pid(folder) == runner.pid]
    assert len(killed_folders) == 1  # a killed run cannot remove its folder; the next run does
    finished_before = {path.parent.parent.name for path in (root / "feedback").glob(f"*/{ASSIGNMENT}/results.json")}
    assert 1 <= len(finished_before) < len(students)
    resumed = batch.grade(root, ASSIGNMENT, _options(folder))
    assert set(resumed.graded_now) == set(students) - finished_before
    expected = {result.student: result.scores for result in uninterrupted.results if result.student in students}
    assert {result.student: result.scores for result in resumed.results} == expected
    assert {student: nbgrader_run.read_grades(root, ASSIGNMENT, student).scores for student in students} == expected
    assert not killed_folders[0].exists()
    killed_log, resumed_log = sorted(Course(root).logs_folder.glob("*.log"))  # the killed run's log stays
    assert resumed.log_path == resumed_log
    killed_text = killed_log.read_text()
    assert f"grade {ASSIGNMENT}: {len(students)} submission(s)" in killed_text
    assert "the run was killed; its workers' logs, found by a later run:" in killed_text  # added by the resumed run
    assert "---- worker-1: worker-1.log ----" in killed_text


def test_feedback_released_through_nbgrader_exchange(graded_batch, tmp_path, capsys):
    """`autograder return --format exchange` makes `nbgrader release_feedback` succeed on the graded course.

    nbgrader reads timestamp.txt and submission_secret.txt beside each page; a submission without them (this
    batch came from a plain folder) gets them, and one that has a timestamp.txt (from nbgrader's collect) keeps it.
    """
    root, _, report, _, _ = graded_batch
    the_course = Course(root)
    collected = the_course.submitted_folder(ASSIGNMENT, "correct_b") / "timestamp.txt"
    collected.write_text("2020-01-02 03:04:05.000000 UTC")
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    assert cli.main(["--course", str(root), "return", ASSIGNMENT, "--format", "exchange", "--exchange", str(exchange)]) == 0
    printed = capsys.readouterr().out
    released_to = exchange / "cnn-course" / "feedback"
    assert f"released to {released_to}: the feedback of" in printed
    assert "left out missing_file: no submission in" in printed  # nothing was handed in, so nothing to match
    assert collected.read_text() == "2020-01-02 03:04:05.000000 UTC"
    released = {result.student for result in report.results
                if result.status != "not_graded" and the_course.submitted_folder(ASSIGNMENT, result.student).is_dir()}
    assert {"correct_a", "correct_b", "infinite_loop", "tampering"} <= released
    for student in released:
        folder = the_course.submitted_folder(ASSIGNMENT, student)
        secret = (folder / "submission_secret.txt").read_text()
        page = released_to / f"{notebook_hash(secret=secret, notebook_id=ASSIGNMENT)}.html"
        assert page.read_bytes() == the_course.feedback_page(ASSIGNMENT, student).read_bytes(), student
        feedback = the_course.feedback_folder(ASSIGNMENT, student)
        assert (feedback / "timestamp.txt").read_text() == (folder / "timestamp.txt").read_text()
    assert len(list(released_to.iterdir())) == len(released)
    written = parse_utc((the_course.submitted_folder(ASSIGNMENT, "correct_a") / "timestamp.txt").read_text())
    assert written.timestamp() == pytest.approx(the_course.submitted_notebook(ASSIGNMENT, "correct_a").stat().st_mtime)
