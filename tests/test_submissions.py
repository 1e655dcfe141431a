"""Finding submissions in nbgrader's layout, LMS folders and zips."""

from __future__ import annotations

import json
import zipfile

import pytest

from autograder.grading import results, submissions
from autograder.grading.results import SubmissionResult
from autograder.grading.submissions import SubmissionsError, collect, student_id

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
    assert found["Alice_Jones_12345"].identity == submissions.Identity("gradescope", "12345", "Alice Jones", "alice@example.edu")
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
