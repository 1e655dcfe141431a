"""Handing feedback back (autograder/grading/output/handback.py): the names each LMS matches, and nbgrader's exchange.

The names are read back the way the LMS reads them: Canvas' re-upload
takes the first two parts of digits only of the ``_``-split base name as
the user id and the submitted file's id; Moodle's importer splits a path
part on ``_`` (at most five pieces) into full name, participant id and
plugin. They also parse back with the kit's own download patterns
(`submissions.CANVAS_FILE`, `submissions.MOODLE_FOLDER`). The exchange test
runs the student's side too, with real nbgrader: ``submit``, the
instructor's ``collect``, ``autograder return --format exchange`` and the
student's ``fetch_feedback``, which must find the page. LMS zips built from
a graded download are tested in tests/test_lms.py, the exchange after a
real grading batch in tests/test_grading.py.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from nbgrader.utils import parse_utc

from autograder import cli, nbgrader_run
from autograder.authoring import student_package
from autograder.course import Course
from autograder.grading import results
from autograder.grading.intake import submissions
from autograder.grading.output import handback
from autograder.grading.results import SubmissionResult


ASSIGNMENT = "fashion_dense"
COURSE_ID = "cnn-course"


def _canvas(name: str, user_id: str = "12345", file_id: str = "67890") -> SubmissionResult:
    return SubmissionResult(f"{name}_{user_id}", ASSIGNMENT, "graded", lms="canvas", lms_user_id=user_id,
                            lms_name=name, lms_submission_id=file_id)


def _moodle(name: str, participant: str = "1234") -> SubmissionResult:
    return SubmissionResult(f"m_{participant}", ASSIGNMENT, "graded", lms="moodle", lms_user_id=participant, lms_name=name)


def _canvas_reads(file_name: str) -> tuple[str, str]:
    """The user id and file id Canvas' re-upload takes from a name (Assignment#infer_comment_context_from_filename)."""
    digits = [part for part in Path(file_name).name.split("_") if re.fullmatch(r"\d+", part)]
    return digits[0], digits[1]


def _moodle_reads(path: str) -> tuple[str, str, str, str]:
    """Full name, participant id, plugin and file name as Moodle's importer finds them (is_valid_filename_for_import)."""
    parts = path.split("/")
    while parts:
        info = parts.pop(0).split("_", 4)
        if len(info) >= 4 and info[1].isdigit():
            return info[0], info[1], f"{info[2]}_{info[3]}", "/".join([(info + [""])[4], *parts])
    raise AssertionError(f"Moodle would not import {path}")


@pytest.mark.quick
@pytest.mark.parametrize("name", ["jonesalice", "Zoë Ölçer-Smith", "o'brien_sean", "2024", ""])
def test_canvas_names_read_back_as_canvas_reads_them(name):
    file_name = handback.canvas_name(_canvas(name), ASSIGNMENT)
    assert "/" not in file_name and not file_name.startswith("._")
    assert _canvas_reads(file_name) == ("12345", "67890")
    parsed = submissions.CANVAS_FILE.match(file_name)
    assert parsed and (parsed["user_id"], parsed["submission_id"]) == ("12345", "67890")
    assert parsed["file"] == f"{ASSIGNMENT}_feedback.html"


@pytest.mark.quick
def test_canvas_name_keeps_the_download_prefix_and_accents():
    assert handback.canvas_name(_canvas("jonesalice"), ASSIGNMENT) == "jonesalice_12345_67890_fashion_dense_feedback.html"
    assert handback.canvas_name(_canvas("Zoë Ölçer"), ASSIGNMENT).startswith("zoëölçer_12345_67890_")
    assert handback.canvas_name(_canvas("2024"), ASSIGNMENT).startswith("student2024_12345_")


@pytest.mark.quick
def test_canvas_name_without_a_file_id_says_what_is_missing():
    with pytest.raises(ValueError, match="no Canvas file id in its results: expected the second number of the "
                                         "download's file name, found none; grade the LMS download again with --force"):
        handback.canvas_name(_canvas("jonesalice", file_id=""), ASSIGNMENT)
    with pytest.raises(ValueError, match="no Canvas user id in its results: .* found 'abc'"):
        handback.canvas_name(_canvas("jonesalice", user_id="abc"), ASSIGNMENT)


@pytest.mark.quick
@pytest.mark.parametrize("name", ["Alice Jones", "Zoë Ölçer", "Ann_Marie O'Neil", "a/b\\c: d", ""])
def test_moodle_names_read_back_as_moodle_reads_them(name):
    path = handback.moodle_name(_moodle(name), ASSIGNMENT)
    full_name, participant, plugin, file_name = _moodle_reads(path)
    assert (participant, plugin, file_name) == ("1234", "assignsubmission_file", f"/{ASSIGNMENT}_feedback.html")
    assert "_" not in full_name and "/" not in full_name and full_name
    folder, page = path.split("/")
    parsed = submissions.MOODLE_FOLDER.match(folder)
    assert parsed and (parsed["name"], parsed["user_id"], parsed["plugin"]) == (full_name, "1234", "file")
    assert page == f"{ASSIGNMENT}_feedback.html"


@pytest.mark.quick
def test_moodle_name_is_the_download_folder():
    assert handback.moodle_name(_moodle("Alice Jones"), ASSIGNMENT) == \
        "Alice Jones_1234_assignsubmission_file_/fashion_dense_feedback.html"
    assert handback.moodle_name(_moodle("Ann_Marie"), ASSIGNMENT).startswith("Ann Marie_1234_")
    assert handback.moodle_name(_moodle(""), ASSIGNMENT).startswith("Participant_1234_")
    with pytest.raises(ValueError, match="no Moodle participant id in its results"):
        handback.moodle_name(_moodle("Alice Jones", participant=""), ASSIGNMENT)


@pytest.mark.quick
def test_submission_time_prefers_the_results_then_the_notebook(tmp_path):
    with_time = SubmissionResult("alice", ASSIGNMENT, "graded", submitted_at="2026-03-01T17:00:00-05:00")
    assert handback.submission_time(with_time, tmp_path / "none.ipynb").isoformat() == "2026-03-01T22:00:00+00:00"
    notebook = tmp_path / "alice.ipynb"
    notebook.write_text("{}")
    when = handback.submission_time(SubmissionResult("alice", ASSIGNMENT, "graded"), notebook)
    assert when.timestamp() == pytest.approx(notebook.stat().st_mtime) and when.utcoffset().total_seconds() == 0


def _course(root: Path, tmp_path: Path) -> Course:
    """A course with the repository's config and fashion_dense's source and release, nothing graded."""
    the_course = Course(tmp_path / "course")
    for folder in ("source", "release"):
        shutil.copytree(root / folder / ASSIGNMENT, the_course.root / folder / ASSIGNMENT)
    shutil.copy(root / "nbgrader_config.py", the_course.config)
    return the_course


def _record(the_course: Course, result: SubmissionResult, page: str | None) -> None:
    """Store a result and page as grading does (results.json last)."""
    if page is not None:
        the_course.feedback_page(ASSIGNMENT, result.student).parent.mkdir(parents=True, exist_ok=True)
        the_course.feedback_page(ASSIGNMENT, result.student).write_text(page)
    results.write_json(result, the_course.results_json(ASSIGNMENT, result.student))


@pytest.mark.quick
def test_lms_zips_hold_each_page_under_its_name_and_say_who_is_left_out(root, tmp_path, capsys):
    the_course = _course(root, tmp_path)
    _record(the_course, _canvas("jonesalice"), "<p>Alice's page</p>")
    _record(the_course, _canvas("smithbob", "23456", ""), "<p>Bob's page</p>")
    _record(the_course, _moodle("Alice Jones"), "<p>Moodle Alice's page</p>")
    _record(the_course, SubmissionResult("carl", ASSIGNMENT, "not_graded", reason="a worker died"), None)
    assert cli.main(["--course", str(the_course.root), "return", ASSIGNMENT, "--format", "canvas"]) == 0
    printed = capsys.readouterr().out
    zipped = the_course.handback_zip(ASSIGNMENT, "canvas")
    assert f"wrote {zipped}: the feedback of 1 student(s)" in printed and "Re-Upload Submissions" in printed
    with zipfile.ZipFile(zipped) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == {
            "jonesalice_12345_67890_fashion_dense_feedback.html": b"<p>Alice's page</p>"}
    assert "left out smithbob_23456: no Canvas file id" in printed and "left out m_1234: graded from a Moodle" in printed
    assert "left out carl: not graded (a worker died)" in printed
    out = tmp_path / "moodle.zip"
    written = handback.hand_back(the_course, ASSIGNMENT, "moodle", out=out, students=("m_1234", "carl"))
    assert written.students == ["m_1234"] and list(written.left_out) == ["carl"]
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["Alice Jones_1234_assignsubmission_file_/fashion_dense_feedback.html"]


@pytest.mark.quick
def test_handing_back_says_what_is_wrong(root, tmp_path, capsys):
    the_course = _course(root, tmp_path)
    with pytest.raises(FileNotFoundError, match="run `autograder grade fashion_dense` first"):
        handback.hand_back(the_course, ASSIGNMENT, "canvas")
    _record(the_course, _moodle("Alice Jones"), "<p>page</p>")
    assert cli.main(["--course", str(the_course.root), "return", ASSIGNMENT, "--format", "exchange",
                     "--exchange", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith(f"autograder: no exchange folder at {tmp_path / 'missing'}")
    with pytest.raises(ValueError, match="format must be one of canvas, moodle, exchange; received: 'blackboard'"):
        handback.hand_back(the_course, ASSIGNMENT, "blackboard")
    with pytest.raises(ValueError, match="no results of fashion_dense for zed: expected one of m_1234"):
        handback.hand_back(the_course, ASSIGNMENT, "moodle", students=("zed",))
    with pytest.raises(ValueError, match="can go back as canvas: 1 student.* m_1234: graded from a Moodle download"):
        handback.hand_back(the_course, ASSIGNMENT, "canvas")
    with pytest.raises(ValueError, match="--out does not apply to --format exchange"):
        handback.hand_back(the_course, ASSIGNMENT, "exchange", out=tmp_path / "x.zip")
    with pytest.raises(FileNotFoundError, match="no exchange folder at .*missing: expected the folder"):
        handback.hand_back(the_course, ASSIGNMENT, "exchange", exchange_root=tmp_path / "missing")


@pytest.mark.nbgrader
def test_exchange_feedback_reaches_the_student_through_nbgrader(root, tmp_path):
    """release, fetch (the notebook and the learner wheel), submit, collect, return --format exchange, fetch_feedback:
    the student's page arrives; timestamps stay."""
    the_course, exchange, cache = _course(root, tmp_path), tmp_path / "exchange", tmp_path / "cache"
    exchange.mkdir()
    student_home = tmp_path / "alice-home"
    shutil.copytree(the_course.root / "release" / ASSIGNMENT, student_home / ASSIGNMENT)
    places = [f"--Exchange.root={exchange}", f"--Exchange.cache={cache}"]
    nbgrader_run.run_nbgrader(the_course.root, "release_assignment", ASSIGNMENT, *places)
    fetching_home = tmp_path / "dave-home"  # what a student fetches: the notebook and the learner wheel beside it
    fetching_home.mkdir()
    nbgrader_run.run_nbgrader(fetching_home, "fetch_assignment", ASSIGNMENT, f"--course={COURSE_ID}", *places)
    assert sorted(path.name for path in (fetching_home / ASSIGNMENT).iterdir()) == [
        student_package.wheel_name(), f"{ASSIGNMENT}.ipynb"]
    nbgrader_run.run_nbgrader(student_home, "submit", ASSIGNMENT, f"--course={COURSE_ID}", "--student=alice", *places)
    nbgrader_run.run_nbgrader(the_course.root, "collect", ASSIGNMENT, *places)
    submitted = the_course.submitted_folder(ASSIGNMENT, "alice")
    stamp = (submitted / "timestamp.txt").read_text()
    _record(the_course, SubmissionResult("alice", ASSIGNMENT, "graded", submitted_at="2020-01-01T00:00:00+00:00"),
            "<p>Alice's feedback</p>")
    _record(the_course, SubmissionResult("bob", ASSIGNMENT, "graded"), "<p>Bob's</p>")  # graded from elsewhere
    the_course.submitted_notebook(ASSIGNMENT, "bob").parent.mkdir(parents=True)
    the_course.submitted_notebook(ASSIGNMENT, "bob").write_text("{}")
    _record(the_course, SubmissionResult("carl", ASSIGNMENT, "failed", reason="not a notebook"), "<p>Carl's</p>")
    released = handback.hand_back(the_course, ASSIGNMENT, "exchange", exchange_root=exchange)
    assert (submitted / "timestamp.txt").read_text() == stamp  # nbgrader's own time kept, not the results'
    assert list(released.caveats) == ["bob"] and "did not come through `nbgrader submit`" in released.caveats["bob"]
    assert list(released.left_out) == ["carl"] and "no submission in" in released.left_out["carl"]
    bob_time = parse_utc((the_course.submitted_folder(ASSIGNMENT, "bob") / "timestamp.txt").read_text())
    assert bob_time.timestamp() == pytest.approx(the_course.submitted_notebook(ASSIGNMENT, "bob").stat().st_mtime)
    assert sorted(path.name for path in released.path.iterdir()) == sorted(released.files.values())
    nbgrader_run.run_nbgrader(student_home, "fetch_feedback", ASSIGNMENT, f"--course={COURSE_ID}", "--student=alice",
                              *places)
    (fetched,) = (student_home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html")
    assert fetched.read_text() == "<p>Alice's feedback</p>" and fetched.parent.name == stamp
