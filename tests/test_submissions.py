"""Finding submissions in nbgrader's layout, LMS folders and zips."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from autograder.grading import results

from autograder.grading.intake import submissions
from autograder.grading.results import SubmissionResult
from autograder.grading.intake.submissions import (
    SubmissionsError,
    collect,
    gradescope_time,
    read_moodle_worksheet,
    student_id,
)

pytestmark = pytest.mark.quick

A = "fashion_dense"


def _touch(path, text="{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_student_ids_drop_the_assignment_and_odd_characters():
    assert student_id("alice_fashion_dense.ipynb", A) == "alice"
    assert student_id("fashion_dense-bob.ipynb", A) == "bob"
    assert student_id("Carol Smith (late).ipynb", A) == "Carol_Smith_late"
    assert student_id("...", A) == "unnamed"


def test_nbgrader_layout(tmp_path):
    _touch(tmp_path / "alice" / A / f"{A}.ipynb")
    _touch(tmp_path / "bob" / A / f"{A}.ipynb")
    found = collect(tmp_path, A)
    assert [(entry.student, entry.notebook.name) for entry in found] == [("alice", f"{A}.ipynb"), ("bob", f"{A}.ipynb")]


def test_flat_folder_and_folder_per_student(tmp_path):
    _touch(tmp_path / "alice_fashion_dense.ipynb")
    _touch(tmp_path / "bob" / "my work.ipynb")
    _touch(tmp_path / "bob" / ".ipynb_checkpoints" / "my work-checkpoint.ipynb")
    _touch(tmp_path / "notes.txt")
    found = {entry.student: entry for entry in collect(tmp_path, A)}
    assert set(found) == {"alice", "bob"}
    assert found["bob"].notebook.name == "my work.ipynb"


def test_missing_ambiguous_and_clashing_submissions_are_kept_with_a_reason(tmp_path):
    (tmp_path / "carol" / A).mkdir(parents=True)
    _touch(tmp_path / "dave" / "one.ipynb")
    _touch(tmp_path / "dave" / "two.ipynb")
    _touch(tmp_path / "erin.ipynb")
    _touch(tmp_path / "erin_fashion_dense.ipynb")
    found = {entry.student: entry for entry in collect(tmp_path, A)}
    assert found["carol"].notebook is None and "no notebook" in found["carol"].problem
    assert found["dave"].notebook is None and "one.ipynb, two.ipynb" in found["dave"].problem
    assert found["erin"].notebook is None and "two submissions" in found["erin"].problem


def test_zip_of_an_lms_download(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("alice_fashion_dense.ipynb", "{}")
        zipped.writestr("bob/fashion_dense/fashion_dense.ipynb", "{}")
        zipped.writestr("__MACOSX/._alice_fashion_dense.ipynb", "junk")
    found = collect(archive, A, unpack_to=tmp_path / "unpacked")
    assert [entry.student for entry in found] == ["alice", "bob"]
    assert all(entry.notebook.is_file() for entry in found)


def test_zip_members_outside_the_archive_are_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("../escape.ipynb", "{}")
    with pytest.raises(SubmissionsError, match="points outside the archive"):
        collect(archive, A, unpack_to=tmp_path / "unpacked")
    assert not (tmp_path / "escape.ipynb").exists()


def test_unreadable_paths_say_what_was_expected(tmp_path):
    with pytest.raises(SubmissionsError, match="does not exist"):
        collect(tmp_path / "nowhere", A)
    _touch(tmp_path / "grades.csv", "a,b")
    with pytest.raises(SubmissionsError, match="folder or a .zip"):
        collect(tmp_path / "grades.csv", A)
    assert submissions.NOTEBOOK_SUFFIX == ".ipynb"


def _zip(archive, members):
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, text in members.items():
            zipped.writestr(name, text)
    return archive


def test_a_zipped_folder_is_looked_into_not_taken_for_one_student(tmp_path):
    archive = _zip(tmp_path / "class.zip", {
        "class/alice.ipynb": "{}", "class/bob_fashion_dense.ipynb": "{}", "class/carol/fashion_dense/fashion_dense.ipynb": "{}",
        "class/README.md": "instructions", "__MACOSX/class/._alice.ipynb": "junk", "class/.DS_Store": "junk",
    })
    found = collect(archive, A, unpack_to=tmp_path / "unpacked")
    assert [entry.student for entry in found] == ["alice", "bob", "carol"]
    assert all(entry.notebook is not None and entry.identity is None for entry in found)


def test_a_wrapped_single_nbgrader_student_and_a_lone_student_folder(tmp_path):
    _touch(tmp_path / "wrapped" / "class" / "alice" / A / f"{A}.ipynb")
    assert [entry.student for entry in collect(tmp_path / "wrapped", A)] == ["alice"]
    _touch(tmp_path / "lone" / "bob" / "my work.ipynb")
    assert [entry.student for entry in collect(tmp_path / "lone", A)] == ["bob"]


def test_canvas_download_keeps_user_ids_and_names(tmp_path):
    _touch(tmp_path / "jonesalice_12345_67890_fashion_dense.ipynb")
    _touch(tmp_path / "smithbob_LATE_23456_78901_fashion_dense-1.ipynb")
    _touch(tmp_path / "smithbob_LATE_23456_78901_screenshot.png")
    _touch(tmp_path / "leecarol_34567_89012_notes.ipynb")
    _touch(tmp_path / "leecarol_34567_89012_fashion_dense-2.ipynb")
    _touch(tmp_path / "kimdan_45678_90123_report.pdf")
    found = {entry.student: entry for entry in collect(tmp_path, A)}
    assert set(found) == {"jonesalice_12345", "smithbob_23456", "leecarol_34567", "kimdan_45678"}
    assert found["jonesalice_12345"].identity == submissions.Identity("canvas", "12345", "jonesalice", submission_id="67890")
    assert found["smithbob_23456"].notebook.name == "smithbob_LATE_23456_78901_fashion_dense-1.ipynb"
    assert found["leecarol_34567"].notebook.name.endswith("fashion_dense-2.ipynb")  # the one named as the assignment
    assert found["kimdan_45678"].notebook is None and "no notebook" in found["kimdan_45678"].problem
    assert found["kimdan_45678"].identity.user_id == "45678"


def test_moodle_download_in_folders_and_flat(tmp_path):
    folders = tmp_path / "folders"
    _touch(folders / "Alice Jones_1234_assignsubmission_file_" / "fashion_dense.ipynb")
    _touch(folders / "Alice Jones_1234_assignsubmission_onlinetext_" / "onlinetext.html", "<p>hi</p>")
    _touch(folders / "Bob Smith_5678_assignsubmission_file_" / "work" / "my notebook.ipynb")
    _touch(folders / "Carol Lee_9012_assignsubmission_onlinetext_" / "onlinetext.html", "<p>forgot</p>")
    found = {entry.student: entry for entry in collect(folders, A)}
    assert set(found) == {"Alice_Jones_1234", "Bob_Smith_5678", "Carol_Lee_9012"}
    assert found["Alice_Jones_1234"].identity == submissions.Identity("moodle", "1234", "Alice Jones")
    assert found["Bob_Smith_5678"].notebook.name == "my notebook.ipynb"
    assert found["Carol_Lee_9012"].notebook is None and "no notebook" in found["Carol_Lee_9012"].problem
    flat = tmp_path / "flat"
    _touch(flat / "Participant_4321_assignsubmission_file_fashion_dense.ipynb")
    (only,) = collect(flat, A)
    assert (only.student, only.identity.user_id, only.identity.name) == ("Participant_4321", "4321", "Participant")


def test_a_single_moodle_student_folder_is_not_unwrapped(tmp_path):
    _touch(tmp_path / "Alice Jones_1234_assignsubmission_file_" / "a.ipynb")
    _touch(tmp_path / "Alice Jones_1234_assignsubmission_file_" / "b.ipynb")
    (only,) = collect(tmp_path, A)
    assert only.student == "Alice_Jones_1234" and "several notebooks" in only.problem


GRADESCOPE_METADATA = """\
submission_1001:
  :submitters:
  - :name: Alice Jones
    :sid: '12345'
    :email: alice@example.edu
  :created_at: 2024-03-01 10:00:00.000000000 -08:00
  :score: 0.0
submission_1002:
  :submitters:
  - :name: Bob Smith
    :sid: ''
    :email: bob@example.edu
  - :name: Carol Lee
    :sid: '34567'
    :email: carol@example.edu
"""


def test_gradescope_export_reads_its_metadata_and_gives_each_group_member_the_notebook(tmp_path):
    archive = _zip(tmp_path / "submissions.zip", {
        "assignment_777_export/submission_metadata.yml": GRADESCOPE_METADATA,
        "assignment_777_export/submission_1001/fashion_dense.ipynb": "{}",
        "assignment_777_export/submission_1002/pair work.ipynb": "{}",
        "assignment_777_export/submission_9999/stray.ipynb": "{}",
    })
    found = {entry.student: entry for entry in collect(archive, A, unpack_to=tmp_path / "unpacked")}
    assert set(found) == {"Alice_Jones_12345", "Bob_Smith_bob_example.edu", "Carol_Lee_34567"}
    assert found["Alice_Jones_12345"].identity == submissions.Identity(
        "gradescope", "12345", "Alice Jones", "alice@example.edu", submission_id="1001"
    )
    assert found["Bob_Smith_bob_example.edu"].identity.user_id == "bob@example.edu"
    assert found["Bob_Smith_bob_example.edu"].notebook == found["Carol_Lee_34567"].notebook
    assert found["Carol_Lee_34567"].notebook.name == "pair work.ipynb"


def test_unreadable_gradescope_metadata_says_so(tmp_path):
    _touch(tmp_path / "submission_metadata.yml", "submission_1: [unclosed")
    with pytest.raises(SubmissionsError, match="submission_metadata.yml is not readable YAML"):
        collect(tmp_path, A)


def test_identity_is_carried_into_a_result():
    identity = submissions.Identity("canvas", "12345", "jonesalice")
    stamped = identity.stamp(SubmissionResult(identity.student, A, "graded"))
    assert (stamped.lms, stamped.lms_user_id, stamped.lms_name) == ("canvas", "12345", "jonesalice")


def test_results_json_written_before_identities_still_reads(tmp_path):
    old = SubmissionResult("alice", A, "graded").to_gradescope()
    for field in ("lms", "lms_user_id", "lms_name", "lms_email"):
        del old["extra_data"][field]
    (tmp_path / "results.json").write_text(json.dumps(old))
    assert results.read_json(tmp_path / "results.json").lms == ""


# Submission times, from wherever each layout gives them.


def test_nbgrader_timestamp_is_read_as_nbgrader_reads_it_and_garbage_gives_no_time(tmp_path):
    _touch(tmp_path / "alice" / A / f"{A}.ipynb")
    _touch(tmp_path / "alice" / A / "timestamp.txt", "2024-01-19 10:11:12.345678 UTC\n")
    _touch(tmp_path / "bob" / A / f"{A}.ipynb")
    _touch(tmp_path / "bob" / A / "timestamp.txt", "2024-01-19T10:11:12-08:00")
    _touch(tmp_path / "carol" / A / f"{A}.ipynb")
    _touch(tmp_path / "carol" / A / "timestamp.txt", "not a time at all")
    _touch(tmp_path / "dave" / A / f"{A}.ipynb")
    _touch(tmp_path / "dave" / A / "timestamp.txt", "")
    (tmp_path / "erin" / A).mkdir(parents=True)
    _touch(tmp_path / "erin" / A / f"{A}.ipynb")
    (tmp_path / "erin" / A / "timestamp.txt").write_bytes(b"\xff\xfe\x00garbage")
    _touch(tmp_path / "frank" / A / f"{A}.ipynb")
    found = {entry.student: entry for entry in collect(tmp_path, A)}
    assert found["alice"].submitted_at == datetime(2024, 1, 19, 10, 11, 12, 345678, tzinfo=UTC)
    assert found["bob"].submitted_at == datetime(2024, 1, 19, 18, 11, 12, tzinfo=UTC)
    assert found["bob"].submitted_at.tzinfo is not None
    for student in ("carol", "dave", "erin", "frank"):
        assert found[student].submitted_at is None and found[student].problem is None
        assert found[student].notebook.name == f"{A}.ipynb"
    assert not any(entry.flagged_late for entry in found.values())


def test_a_timestamp_outside_an_nbgrader_folder_is_not_read(tmp_path):
    _touch(tmp_path / "alice" / "work.ipynb")
    _touch(tmp_path / "alice" / "timestamp.txt", "2024-01-19 10:11:12 UTC")
    _touch(tmp_path / "bob.ipynb")
    assert [entry.submitted_at for entry in collect(tmp_path, A)] == [None, None]


def test_canvas_late_flag_comes_from_the_file_name_and_gives_no_time(tmp_path):
    _touch(tmp_path / "jonesalice_12345_67890_fashion_dense.ipynb")
    _touch(tmp_path / "smithbob_LATE_23456_78901_fashion_dense.ipynb")
    _touch(tmp_path / "smithbob_LATE_23456_78901_notes.txt")
    _touch(tmp_path / "kimdan_LATE_45678_90123_report.pdf")
    found = {entry.student: entry for entry in collect(tmp_path, A)}
    assert not found["jonesalice_12345"].flagged_late
    assert found["smithbob_23456"].flagged_late and found["smithbob_23456"].notebook is not None
    assert found["kimdan_45678"].flagged_late and found["kimdan_45678"].notebook is None
    assert all(entry.submitted_at is None for entry in found.values())


GRADESCOPE_TIMES = """\
submission_2001:
  :submitters:
  - :name: Alice Jones
    :sid: '1'
  :created_at: 2024-01-19 10:11:12.345678000 -08:00
submission_2002:
  :submitters:
  - :name: Bob Smith
    :sid: '2'
  :created_at: '2024-01-19 18:11:12.345678000 Z'
submission_2003:
  :submitters:
  - :name: Carol Lee
    :sid: '3'
  - :name: Dan Kim
    :sid: '4'
  :created_at: yesterday, around noon
submission_2004:
  :submitters:
  - :name: Erin Wu
    :sid: '5'
oddly_named:
  :submitters:
  - :name: Frank Ode
    :sid: '6'
  :created_at: 2024-01-19 18:11:12
"""


def test_gradescope_created_at_keeps_its_instant_and_the_folder_gives_the_submission_id(tmp_path):
    _touch(tmp_path / "submission_metadata.yml", GRADESCOPE_TIMES)
    for folder in ("submission_2001", "submission_2002", "submission_2003", "submission_2004", "oddly_named"):
        _touch(tmp_path / folder / f"{A}.ipynb")
    found = {entry.identity.user_id: entry for entry in collect(tmp_path, A)}
    instant = datetime(2024, 1, 19, 18, 11, 12, 345678, tzinfo=UTC)
    assert found["1"].submitted_at == instant  # -08:00 is the same instant as 18:11 UTC
    assert found["1"].submitted_at.utcoffset() == timedelta(hours=-8)
    assert found["2"].submitted_at == instant  # a quoted string with "Z"
    assert found["3"].submitted_at is None and found["4"].submitted_at is None  # not a time
    assert found["5"].submitted_at is None  # no :created_at:
    assert found["6"].submitted_at == datetime(2024, 1, 19, 18, 11, 12, tzinfo=UTC)  # no zone: UTC, as YAML says
    assert [found[sid].identity.submission_id for sid in "123456"] == ["2001", "2002", "2003", "2003", "2004", ""]
    assert not any(entry.flagged_late for entry in found.values())


def test_gradescope_time_reads_datetimes_strings_and_refuses_the_rest():
    pacific = timezone(timedelta(hours=-8))
    assert gradescope_time(datetime(2024, 1, 19, 10, 11, 12, tzinfo=pacific)) == datetime(2024, 1, 19, 18, 11, 12, tzinfo=UTC)
    assert gradescope_time("2024-01-19T10:11:12-08:00") == datetime(2024, 1, 19, 18, 11, 12, tzinfo=UTC)
    assert gradescope_time("2024-01-19 10:11:12.123456789 -0800").microsecond == 123456
    for value in (None, "", "2024-13-45 10:11:12 Z", "2024-01-19", 1705687872, ["2024-01-19 10:11:12 Z"]):
        assert gradescope_time(value) is None


WORKSHEET = """\ufeffIdentifier,"Full name","Email address",Status,Grade,"Maximum Grade","Grade can be changed",\
"Last modified (submission)","Last modified (grade)","Feedback comments"
"Participant 1234","Alice Jones",alice@example.edu,"Submitted for grading",,100.00,Yes,\
"Monday, 7 December 2026, 2:05 PM",-,
"Participant 5678","Bob Smith",bob@example.edu,"No submission",,100.00,Yes,-,-,
"Participant 9012","Carol Lee",carol@example.edu,"Submitted for grading",,100.00,Yes,\
"Saturday, 4 July 2026, 09:00 AM",-,
"""


def test_moodle_worksheet_gives_times_in_the_named_time_zone_and_dash_means_no_submission(tmp_path):
    worksheet = _touch(tmp_path / "grades.csv", WORKSHEET)
    times = read_moodle_worksheet(worksheet, "Europe/London")
    assert set(times) == {"1234", "9012"}  # "-": Bob has not submitted
    assert times["1234"] == datetime(2026, 12, 7, 14, 5, tzinfo=ZoneInfo("Europe/London"))
    assert times["1234"] == datetime(2026, 12, 7, 14, 5, tzinfo=UTC)  # winter: London is UTC
    assert times["9012"] == datetime(2026, 7, 4, 8, 0, tzinfo=UTC)  # summer: London is UTC+1; "09" as older Moodles write it
    assert read_moodle_worksheet(worksheet, "America/New_York")["1234"] == datetime(2026, 12, 7, 19, 5, tzinfo=UTC)
    assert read_moodle_worksheet(worksheet)["1234"] == datetime(2026, 12, 7, 14, 5, tzinfo=UTC)


def test_collect_gives_moodle_students_their_worksheet_time_zipped_or_not(tmp_path):
    worksheet = _touch(tmp_path / "grades.csv", WORKSHEET)
    archive = _zip(tmp_path / "moodle.zip", {
        "Alice Jones_1234_assignsubmission_file_/fashion_dense.ipynb": "{}",
        "Bob Smith_5678_assignsubmission_file_/fashion_dense.ipynb": "{}",
        "Dan Kim_3456_assignsubmission_file_/fashion_dense.ipynb": "{}",
        "erin.ipynb": "{}",
    })
    found = {entry.student: entry for entry in collect(
        archive, A, unpack_to=tmp_path / "unpacked", worksheet=worksheet, worksheet_timezone="Europe/Paris"
    )}
    assert found["Alice_Jones_1234"].submitted_at == datetime(2026, 12, 7, 13, 5, tzinfo=UTC)
    assert found["Bob_Smith_5678"].submitted_at is None  # "-" in the worksheet
    assert found["Dan_Kim_3456"].submitted_at is None  # not in the worksheet
    assert found["erin"].submitted_at is None and found["erin"].identity is None
    without = {entry.student: entry for entry in collect(tmp_path / "unpacked", A)}
    assert all(entry.submitted_at is None for entry in without.values())


def test_a_worksheet_missing_a_column_says_which_were_expected_and_found(tmp_path):
    worksheet = _touch(tmp_path / "grades.csv", 'Identifier,"Full name",Grade\n"Participant 1234","Alice Jones",\n')
    with pytest.raises(SubmissionsError) as raised:
        read_moodle_worksheet(worksheet, "UTC")
    message = str(raised.value)
    assert "'Last modified (submission)'" in message and "expected columns" in message
    assert "found: 'Identifier', 'Full name', 'Grade'" in message
    _touch(tmp_path / "Alice Jones_1234_assignsubmission_file_" / f"{A}.ipynb")
    with pytest.raises(SubmissionsError, match="expected columns"):
        collect(tmp_path, A, worksheet=worksheet)


def test_an_unreadable_worksheet_or_time_zone_or_time_is_refused_in_words(tmp_path):
    with pytest.raises(SubmissionsError, match="cannot be read"):
        read_moodle_worksheet(tmp_path / "missing.csv", "UTC")
    empty = _touch(tmp_path / "empty.csv", "")
    with pytest.raises(SubmissionsError, match="found: none"):
        read_moodle_worksheet(empty, "UTC")
    binary = tmp_path / "grades.xlsx"
    binary.write_bytes(b"PK\x03\x04\xff\xfe\x00\x81")
    with pytest.raises(SubmissionsError, match="cannot be read"):
        read_moodle_worksheet(binary, "UTC")
    worksheet = _touch(tmp_path / "grades.csv", WORKSHEET)
    with pytest.raises(SubmissionsError, match="worksheet_timezone.*'Mars/Olympus'"):
        read_moodle_worksheet(worksheet, "Mars/Olympus")
    french = _touch(tmp_path / "french.csv", WORKSHEET.replace("Monday, 7 December 2026, 2:05 PM", "lundi 7 décembre 2026, 14:05"))
    with pytest.raises(SubmissionsError, match="Participant 1234.*'lundi 7 décembre 2026, 14:05'"):
        read_moodle_worksheet(french, "UTC")
