"""The course's grading settings (`autograder.settings`) and what ``autograder grade`` makes of them and of its flags.

The command runs for real against a small course: each case stops at a
check that comes before any grading (an unknown backend, a student with no
submission), so it takes a second, and shows which value reached the run.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest

import autograder
from autograder import cli, settings
from autograder.course import Course
from autograder.grading.runner import batch
from autograder.grading.results import FAILED, GRADED, NOT_GRADED, SubmissionResult

pytestmark = pytest.mark.quick

ASSIGNMENT = "fashion_dense"


@pytest.fixture
def small_course(root, tmp_path):
    """A course with one assignment's source notebook, and an inbox of three students' notebooks."""
    course_root = tmp_path / "course"
    shutil.copytree(root / "source" / ASSIGNMENT, course_root / "source" / ASSIGNMENT)
    shutil.copy(root / "nbgrader_config.py", course_root / "nbgrader_config.py")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    release = nbformat.read(Course(root).release_notebook(ASSIGNMENT), as_version=4)
    for student in ("alice", "alicia", "bob"):
        nbformat.write(release, str(inbox / f"{student}.ipynb"))
    return course_root, inbox


def _configure(course_root, *lines: str) -> None:
    with open(course_root / "nbgrader_config.py", "a") as config:
        config.write("\n" + "\n".join(lines) + "\n")


def test_the_course_config_sets_every_trait_and_leaves_the_rest_default(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.GradingSettings.workers = 3\nc.GradingSettings.feedback = 'full'\n"
        "c.GradingSettings.due_dates = {'quiz': '2026-10-01T23:59:00-04:00'}\n"
        "c.GradingSettings.canvas_columns = {'quiz': 'Quiz (12)'}\n"
    )
    loaded = settings.load(tmp_path)
    assert (loaded.workers, loaded.feedback, loaded.timeout_s, loaded.backend) == (3, "full", 1200.0, None)
    assert loaded.due_dates == {"quiz": "2026-10-01T23:59:00-04:00"} and loaded.canvas_columns == {"quiz": "Quiz (12)"}
    assert loaded.merged(workers=None, timeout_s=60.0, feedback=None) == {"workers": 3, "timeout_s": 60.0,
                                                                          "feedback": "full"}


def test_the_repository_course_keeps_the_defaults(root):
    loaded = settings.load(root)
    assert (loaded.workers, loaded.timeout_s, loaded.cell_timeout_s, loaded.memory_mib) == (0, 1200.0, 0, 0)
    assert (loaded.backend, loaded.feedback) == (None, "messages")


def test_grade_takes_the_course_setting_and_a_flag_overrides_it(small_course, capsys):
    course_root, inbox = small_course
    _configure(course_root, "c.GradingSettings.backend = 'theano'")
    grade = ["--course", str(course_root), "grade", ASSIGNMENT, "--submissions", str(inbox)]
    assert cli.main(grade) == 2
    assert "backend must be one of tensorflow, jax, torch; received: 'theano'" in capsys.readouterr().err
    # With the flag the backend check passes; the run stops at the next check, before any grading.
    assert cli.main([*grade, "--backend", "torch", "--student", "nobody"]) == 2
    assert "--student 'nobody' matches none" in capsys.readouterr().err


def test_a_student_with_no_submission_is_a_usage_error_with_near_matches(small_course, capsys):
    course_root, inbox = small_course
    status = cli.main(["--course", str(course_root), "grade", ASSIGNMENT, "--submissions", str(inbox),
                       "--student", "alcie"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip() == (f"autograder: --student 'alcie' matches none of the 3 submission(s) found in {inbox}; "
                           "did you mean: alice, alicia?")
    assert not Course(course_root).gradebook.exists() and not Course(course_root).logs_folder.exists()


def test_version_prints_the_distribution_version(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"autograder {autograder.__version__}"


def _result(student: str, status: str) -> SubmissionResult:
    return SubmissionResult(student, "quiz", status, scores={"t": 0.0}, max_scores={"t": 1.0},
                            reason=None if status == GRADED else "why")


def test_a_run_is_complete_when_every_submission_got_a_grade():
    graded = batch.BatchReport("quiz", [_result("a", GRADED), _result("b", FAILED)])
    assert graded.complete
    assert graded.verdict() == "every submission got a grade: 2 in all, 1 of them failed with a reason"
    missing = batch.BatchReport("quiz", [_result("a", GRADED), _result("c", NOT_GRADED)])
    assert not missing.complete and missing.not_graded == ["c"]
    assert missing.verdict() == "1 submission(s) not graded (c; reasons above): run again to grade them"
    stopped = batch.BatchReport("quiz", [_result("a", GRADED)], interrupted="lost the Dask scheduler; run again")
    assert not stopped.complete and stopped.verdict().startswith("stopped early: lost the Dask scheduler")
