"""Limits on what the grader takes in: a submissions zip (zip bombs) and each notebook (huge files)."""

from __future__ import annotations

import io
import struct
import zipfile

import nbformat
import pytest

from autograder import cli
from autograder.course import Course
from autograder.grading.intake import limits as intake_limits
from autograder.grading.runner import batch
from autograder.grading.intake.limits import MiB, IntakeLimits
from autograder.grading.job import Template
from autograder.grading.results import FAILED
from autograder.grading.intake.submissions import Incoming, SubmissionsError, collect

pytestmark = pytest.mark.quick

A = "fashion_dense"
NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def _bomb(archive, size=300 * MiB):
    """A zip of one member, ``size`` bytes of zeros, written in chunks so memory stays small (about 300 KB on disk)."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("alice.ipynb", NOTEBOOK)
        with zipped.open("bob.ipynb", "w") as member:
            for _ in range(size // MiB):
                member.write(bytes(MiB))
    return archive


def _written(folder):
    """Bytes of every file under ``folder`` (0 when it does not exist)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) if folder.exists() else 0


def test_a_zip_bomb_is_refused_before_anything_is_extracted(tmp_path):
    archive = _bomb(tmp_path / "class.zip")
    assert archive.stat().st_size < 2 * MiB
    unpacked = tmp_path / "unpacked"
    with pytest.raises(SubmissionsError) as refused:
        collect(archive, A, unpack_to=unpacked)
    message = str(refused.value)
    assert message.startswith("class.zip is refused: member 'bob.ipynb' expands to 300 MiB")
    assert "c.IntakeLimits.max_compression_ratio in nbgrader_config.py" in message
    assert not unpacked.exists()


def test_archives_over_the_total_size_or_the_member_count_are_refused(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:  # stored: no compression ratio to trip on
        for student in range(11):
            zipped.writestr(f"student{student}.ipynb", bytes(200_000))
    unpacked = tmp_path / "unpacked"
    with pytest.raises(SubmissionsError, match=r"holds 11 members, more than the grader's limit of 10 \(raise "
                                               r"c\.IntakeLimits\.max_archive_members"):
        collect(archive, A, unpack_to=unpacked, limits=IntakeLimits(max_archive_members=10))
    with pytest.raises(SubmissionsError, match=r"add up to 2.1 MiB uncompressed, more than the grader's limit of 2 MiB"):
        collect(archive, A, unpack_to=unpacked, limits=IntakeLimits(max_archive_bytes=2 * MiB))
    assert not unpacked.exists()
    assert len(collect(archive, A, unpack_to=unpacked)) == 11


def test_the_whole_archive_has_a_compression_ratio_limit_too(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for student in range(4):
            zipped.writestr(f"student{student}.ipynb", bytes(MiB))  # each at or under the floor of 1 MiB
    with pytest.raises(SubmissionsError, match=r"the archive expands to 4 MiB from .*max_compression_ratio"):
        collect(archive, A, unpack_to=tmp_path / "unpacked")


def _lie_about_sizes(archive, declared):
    """Rewrite every local and central header of ``archive`` to declare ``declared`` uncompressed bytes."""
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start != -1:
            data[start + offset:start + offset + 4] = struct.pack("<I", declared)
            start = data.find(signature, start + 4)
    archive.write_bytes(bytes(data))


def test_a_header_that_understates_a_member_is_caught_while_extracting(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("alice.ipynb", bytes(5 * MiB))
    _lie_about_sizes(archive, 1000)
    assert zipfile.ZipFile(archive).infolist()[0].file_size == 1000  # the check before extraction sees 1,000 bytes
    unpacked = tmp_path / "unpacked"
    with pytest.raises(SubmissionsError, match="class.zip is refused: it cannot be extracted"):
        collect(archive, A, unpack_to=unpacked)
    assert _written(unpacked) <= 1000


def test_extraction_stops_at_a_member_that_yields_more_than_it_declares(tmp_path, monkeypatch):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("alice.ipynb", NOTEBOOK)
        zipped.writestr("bob.ipynb", "0123456789")
    # A zip reader that believes the data rather than the header (CPython's stops at the declared size).
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, member, *args, **kwargs: (
        io.BytesIO(bytes(5 * MiB)) if getattr(member, "filename", member) == "bob.ipynb"
        else real_open(self, member, *args, **kwargs)))
    unpacked = tmp_path / "unpacked"
    with pytest.raises(SubmissionsError, match="member 'bob.ipynb' holds more than the 10 bytes its header declares"):
        collect(archive, A, unpack_to=unpacked)
    assert not unpacked.exists()


@pytest.mark.parametrize("name", ["../escape.ipynb", "/tmp/absolute.ipynb", "class/../../escape.ipynb"])
def test_members_outside_the_archive_are_refused_before_extraction(tmp_path, name):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("alice.ipynb", NOTEBOOK)
        zipped.writestr(name, NOTEBOOK)
    unpacked = tmp_path / "unpacked"
    with pytest.raises(SubmissionsError, match="points outside the archive"):
        collect(archive, A, unpack_to=unpacked)
    assert not unpacked.exists() and not (tmp_path / "escape.ipynb").exists()


def test_the_command_line_says_in_one_line_which_limit_and_how_to_raise_it(tmp_path, capsys):
    root = tmp_path / "course"
    Course(root).source_notebook(A).parent.mkdir(parents=True)
    Course(root).source_notebook(A).write_text(NOTEBOOK)
    Course(root).config.write_text("c = get_config()\n")
    archive = _bomb(tmp_path / "class.zip", size=20 * MiB)
    status = cli.main(["--course", str(root), "grade", A, "--submissions", str(archive), "--workers", "1"])
    error = capsys.readouterr().err
    assert status == 2
    assert error.count("\n") == 1 and "Traceback" not in error
    assert error.startswith("autograder: class.zip is refused: member 'bob.ipynb' expands to 20 MiB")
    assert "raise c.IntakeLimits.max_compression_ratio in nbgrader_config.py" in error


def _notebook(path, cells=1, output_text=""):
    """A valid nbformat 4 notebook with ``cells`` code cells, the first printing ``output_text``."""
    notebook = nbformat.v4.new_notebook()
    for index in range(cells):
        outputs = [nbformat.v4.new_output("stream", name="stdout", text=output_text)] if index == 0 and output_text else []
        notebook.cells.append(nbformat.v4.new_code_cell(f"print({index})", outputs=outputs))
    nbformat.write(notebook, str(path))
    return path


def test_a_huge_notebook_fails_its_student_and_the_others_are_graded(tmp_path):
    normal = _notebook(tmp_path / "alice.ipynb")
    huge = _notebook(tmp_path / "bob.ipynb", output_text="x" * (50 * MiB))
    the_course = Course(tmp_path / "course")
    template = Template(A, b"", b"", {"test_a": 2.0, "test_b": 3.0})
    options = batch.GradeOptions(cell_timeout_s=60, memory_mib=512)
    incoming = [Incoming("alice", normal), Incoming("bob", huge)]
    done, jobs, failed = batch._plan(the_course, incoming, options, template, IntakeLimits())
    assert [job.student for job in jobs] == ["alice"] and not done
    assert jobs[0].notebook == normal.read_bytes()
    [bob] = failed
    assert (bob.student, bob.status, bob.scores) == ("bob", FAILED, {"test_a": 0.0, "test_b": 0.0})
    assert bob.reason.startswith("the notebook is 50 MiB, more than the grader's limit of 20 MiB "
                                 "(raise c.IntakeLimits.max_notebook_bytes in nbgrader_config.py); clear its outputs")
    assert not the_course.submitted_notebook(A, "bob").exists()  # the huge file is not copied into the course


def test_notebook_cell_and_output_limits(tmp_path):
    limits = IntakeLimits(max_notebook_cells=5, max_output_bytes=MiB)
    assert limits.notebook_problem(_notebook(tmp_path / "fine.ipynb", cells=5, output_text="x" * 1000)) is None
    many = limits.notebook_problem(_notebook(tmp_path / "many.ipynb", cells=6))
    assert many == ("the notebook has 6 cells, more than the grader's limit of 5 cells "
                    "(raise c.IntakeLimits.max_notebook_cells in nbgrader_config.py)")
    loud = limits.notebook_problem(_notebook(tmp_path / "loud.ipynb", output_text="x" * (2 * MiB)))
    assert loud.startswith("the notebook holds 2 MiB of cell outputs, more than the grader's limit of 1 MiB "
                           "(raise c.IntakeLimits.max_output_bytes")
    not_json = tmp_path / "broken.ipynb"
    not_json.write_text("{ not json")
    assert limits.notebook_problem(not_json) is None  # grading reports it as not a readable notebook


def test_limits_are_read_from_the_course_config(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.IntakeLimits.max_notebook_bytes = 1234\nc.IntakeLimits.max_compression_ratio = 50\n"
    )
    limits = intake_limits.load(tmp_path)
    assert (limits.max_notebook_bytes, limits.max_compression_ratio) == (1234, 50.0)
    assert limits.max_archive_members == IntakeLimits().max_archive_members == 20_000


def test_the_course_config_keeps_the_defaults(root):
    limits = intake_limits.load(root)
    assert (limits.max_archive_bytes, limits.max_notebook_bytes, limits.max_notebook_cells) == (2**31, 20 * MiB, 2000)


def test_sizes_read_as_a_person_reads_them():
    assert [intake_limits.size_text(size) for size in (0, 1536, 20 * MiB, 52.43 * MiB, 2**31)] == [
        "0 bytes", "1.5 KiB", "20 MiB", "52.4 MiB", "2 GiB"]
