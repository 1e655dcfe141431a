"""Finding submissions in nbgrader's layout, LMS folders and zips."""

from __future__ import annotations

import zipfile

import pytest

from autograder.grading import submissions
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
