"""The LMS round trip: an LMS download graded for real, and grades exported as each LMS imports them.

One batch through real nbgrader: a zip of a folder (as a download gets
zipped again) holding a Canvas download (a correct notebook, and a late
untouched one Canvas renamed on resubmission), a Moodle student folder
(untouched), a ``__MACOSX`` folder and a README. Each grade is known: the
reference answers score every automatic point, the release notebook none;
the written answers get manual grades set through nbgrader's API as a human
grader would. The exports are then read the way each LMS's importer reads
them: Canvas' gradebook importer (``Student`` and ``ID`` first, student
columns ending in ``Section``, a ``Points Possible`` row, rows matched on
``ID``) and the Moodle assignment's grading worksheet (``Identifier`` as
``Participant <id>``, ``Grade``, ``Last modified (grade)``). The feedback
pages go back as each LMS matches files to students: Canvas' "Re-Upload
Submissions" (the first two ``_``-separated parts of digits only of a file's
base name: user id, submitted file id) and Moodle's "Upload multiple feedback
files in a zip" (a path part ``<full name>_<participant id>_assignsubmission_file_``).
Layout parsing itself is unit-tested in tests/test_submissions.py, the
names handing back writes in tests/test_handback.py.
"""

from __future__ import annotations

import csv
import zipfile
from datetime import datetime
from pathlib import Path

import nbformat
import pytest

from autograder import cli, course, nbgrader_run, notebooks
from autograder.authoring import samples
from autograder.course import Course
from autograder.grading import results
from autograder.grading.intake import submissions
from autograder.grading.output import export, handback
from autograder.grading.runner import batch
from autograder.grading.runner.batch import GradeOptions
from conftest import require

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "fashion_dense"
CANVAS_COLUMN = "Fashion-MNIST dense networks (4321)"
ALICE, BOB, MOODLE_ALICE = "jonesalice_12345", "smithbob_23456", "Alice_Jones_1234"
# Alice's second written answer ("confusions") is left for the human grader.
MANUAL = {ALICE: {"human_performance": 2.0}, MOODLE_ALICE: {"confusions": 2.0}}


def _notebook_text(notebook: nbformat.NotebookNode) -> str:
    return nbformat.writes(notebook)


@pytest.fixture(scope="module")
def graded(root, tmp_path_factory, scratch_courses):
    """The course after grading the download and setting the manual grades; the batch report."""
    require("fashion_mnist")
    course_root = scratch_courses.make("lms-course")
    release = notebooks.read(Course(root).release_notebook(ASSIGNMENT))
    answers = samples.reference_answers(notebooks.read(course.source_notebook(root, ASSIGNMENT)))
    archive = tmp_path_factory.mktemp("lms-download") / "downloads.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("downloads/jonesalice_12345_67890_fashion_dense.ipynb", _notebook_text(samples.fill(release, answers)))
        zipped.writestr("downloads/smithbob_LATE_23456_78901_fashion_dense-1.ipynb", _notebook_text(release))
        zipped.writestr("downloads/Alice Jones_1234_assignsubmission_file_/fashion_dense.ipynb", _notebook_text(release))
        zipped.writestr("downloads/Alice Jones_1234_assignsubmission_onlinetext_/onlinetext.html", "<p>see notebook</p>")
        zipped.writestr("downloads/README.txt", "downloaded from the LMS")
        zipped.writestr("__MACOSX/downloads/._jonesalice_12345_67890_fashion_dense.ipynb", "resource fork")
    report = batch.grade(course_root, ASSIGNMENT, GradeOptions(submissions=archive, workers=2, cell_timeout_s=60))
    with nbgrader_run.open_gradebook(Course(course_root).gradebook) as gradebook:
        for student, scores in MANUAL.items():
            for cell, score in scores.items():
                grade = gradebook.find_grade(cell, ASSIGNMENT, ASSIGNMENT, student)
                grade.manual_score, grade.needs_manual_grade = score, False
        gradebook.db.commit()
    return Course(course_root), report


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_only_students_are_graded_with_their_lms_ids(graded):
    the_course, report = graded
    assert sorted(result.student for result in report.results) == sorted([ALICE, BOB, MOODLE_ALICE])
    recorded = {path.parent.parent.name for path in the_course.all_results_json(ASSIGNMENT)}
    assert recorded == {ALICE, BOB, MOODLE_ALICE}  # no "downloads", "__MACOSX" or README row
    by_student = {result.student: result for result in report.results}
    assert (by_student[ALICE].lms, by_student[ALICE].lms_user_id, by_student[ALICE].lms_name) == ("canvas", "12345", "jonesalice")
    assert (by_student[BOB].lms, by_student[BOB].lms_user_id) == ("canvas", "23456")
    assert (by_student[MOODLE_ALICE].lms, by_student[MOODLE_ALICE].lms_name) == ("moodle", "Alice Jones")
    assert by_student[ALICE].total == by_student[ALICE].max_total == 15
    assert by_student[BOB].total == by_student[MOODLE_ALICE].total == 0
    assert results.read_json(the_course.results_json(ASSIGNMENT, ALICE)).lms_user_id == "12345"


def test_canvas_export_reads_as_canvas_gradebook_import(graded):
    the_course, _ = graded
    written = export.export(the_course, ASSIGNMENT, "canvas", column=CANVAS_COLUMN)
    header, points, *students = _rows(written.path)
    # Canvas' importer: "Student" then "ID", SIS columns, student columns end with "Section", then assignments.
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", CANVAS_COLUMN]
    assert points[0] == "Points Possible" and points[5] == "19"  # 15 automatic + 4 for written answers
    assert {row[1]: row[5] for row in students} == {"12345": "17", "23456": "0"}  # manual grades included
    assert {row[1]: row[0] for row in students} == {"12345": "jonesalice", "23456": "smithbob"}
    assert set(written.left_out) == {MOODLE_ALICE} and "no Canvas id" in written.left_out[MOODLE_ALICE]
    assert written.manual_pending == [ALICE]  # an untouched written answer scores 0 and needs no human


def test_moodle_export_reads_as_the_assignment_grading_worksheet(graded):
    the_course, _ = graded
    written = export.export(the_course, ASSIGNMENT, "moodle", out_of=100)
    header, *students = _rows(written.path)
    assert {"Identifier", "Grade", "Last modified (grade)"} <= set(header)  # what Moodle's importer looks up
    (row,) = [dict(zip(header, row)) for row in students]
    assert row["Identifier"] == "Participant 1234" and row["Full name"] == "Alice Jones"
    assert (row["Grade"], row["Maximum Grade"]) == (f"{round(2 / 19 * 100, 2):g}", "100")
    datetime.strptime(row["Last modified (grade)"], "%Y-%m-%d %H:%M:%S")
    assert set(written.left_out) == {ALICE, BOB}


def test_csv_export_has_every_student_with_every_id(graded):
    the_course, _ = graded
    written = export.export(the_course, ASSIGNMENT, "csv", out=the_course.root / "all.csv")
    header, *students = _rows(written.path)
    rows = {row[0]: dict(zip(header, row)) for row in students}
    assert set(rows) == {ALICE, BOB, MOODLE_ALICE}
    assert (rows[ALICE]["lms_user_id"], rows[ALICE]["score"], rows[ALICE]["automatic_score"]) == ("12345", "17", "15")
    assert (rows[ALICE]["needs_manual_grading"], rows[BOB]["needs_manual_grading"]) == ("confusions", "")
    assert (rows[MOODLE_ALICE]["lms"], rows[MOODLE_ALICE]["score"], rows[MOODLE_ALICE]["max_score"]) == ("moodle", "2", "19")
    assert {row["status"] for row in rows.values()} == {"graded"}


def test_export_command_and_class_report(graded, capsys):
    the_course, _ = graded
    assert cli.main(["--course", str(the_course.root), "export", ASSIGNMENT, "--format", "canvas"]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {the_course.lms_export(ASSIGNMENT, 'canvas')}: 2 student(s)" in printed
    assert f"left out {MOODLE_ALICE}" in printed and f"lack those points: {ALICE}" in printed
    page = the_course.class_report(ASSIGNMENT).read_text(encoding="utf-8")
    assert "Re-teach first" in page and "1 of 3 passed" in page


def test_export_before_grading_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `autograder grade fashion_dense` first"):
        export.export(Course(tmp_path), ASSIGNMENT, "canvas")
    with pytest.raises(ValueError, match="format must be one of canvas, moodle, csv; received: 'blackboard'"):
        export.export(Course(tmp_path), ASSIGNMENT, "blackboard")


def _digit_parts(file_name: str) -> list[str]:
    """The parts of a base name Canvas' re-upload reads as ids: ``_``-separated, digits only, the first two."""
    return [part for part in Path(file_name).name.split("_") if part.isdigit()][:2]


def test_canvas_feedback_zip_reads_as_canvas_reupload(graded, capsys):
    the_course, _ = graded
    assert cli.main(["--course", str(the_course.root), "return", ASSIGNMENT, "--format", "canvas"]) == 0
    printed = capsys.readouterr().out
    zipped = the_course.handback_zip(ASSIGNMENT, "canvas")
    assert f"wrote {zipped}: the feedback of 2 student(s)" in printed
    assert f"left out {MOODLE_ALICE}: graded from a Moodle download, so it has no Canvas id" in printed
    pages = {}
    with zipfile.ZipFile(zipped) as archive:
        for name in archive.namelist():
            assert "/" not in name  # each file at the top level, as Canvas' download hands them out
            parsed = submissions.CANVAS_FILE.match(name)
            assert parsed and _digit_parts(name) == [parsed["user_id"], parsed["submission_id"]]
            assert parsed["file"] == f"{ASSIGNMENT}_feedback.html"
            pages[(parsed["user_id"], parsed["submission_id"])] = archive.read(name)
    on_disk = {student: the_course.feedback_page(ASSIGNMENT, student).read_bytes() for student in (ALICE, BOB)}
    # The ids of the download Canvas handed out: jonesalice_12345_67890_..., smithbob_LATE_23456_78901_...
    assert pages == {("12345", "67890"): on_disk[ALICE], ("23456", "78901"): on_disk[BOB]}
    assert on_disk[ALICE] != on_disk[BOB]


def test_moodle_feedback_zip_reads_as_moodle_feedback_import(graded, tmp_path):
    the_course, _ = graded
    written = handback.hand_back(the_course, ASSIGNMENT, "moodle", out=tmp_path / "moodle.zip")
    assert written.students == [MOODLE_ALICE]
    assert set(written.left_out) == {ALICE, BOB} and "so it has no Moodle id" in written.left_out[ALICE]
    with zipfile.ZipFile(written.path) as archive:
        (name,) = archive.namelist()
        page = archive.read(name)
    folder, file_name = name.split("/")
    # Moodle's importer: the path part split on "_" (at most 5 pieces) is full name, participant id, plugin type and name.
    assert folder.split("_", 4) == ["Alice Jones", "1234", "assignsubmission", "file", ""]
    parsed = submissions.MOODLE_FOLDER.match(folder)
    assert parsed and (parsed["name"], parsed["user_id"], parsed["plugin"]) == ("Alice Jones", "1234", "file")
    assert file_name == f"{ASSIGNMENT}_feedback.html"
    assert page == the_course.feedback_page(ASSIGNMENT, MOODLE_ALICE).read_bytes()
