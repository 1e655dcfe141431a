"""What the grader takes in: limits on a submissions archive and on each notebook, and the checks against them.

A zip handed to ``autograder grade --submissions`` and every notebook found
in it are the learners' (or an LMS's) bytes, not the instructor's: a zip
bomb would fill the grading machine's disk, a notebook of gigabytes its
memory. `IntakeLimits` says how much is accepted; a course changes it in its
``nbgrader_config.py`` (``c.IntakeLimits.max_notebook_bytes = 50 * 2**20``),
read by `load`. The checks return the problem in words, or None, and leave
the reaction to the caller: `autograder.grading.intake.submissions` refuses an
archive over a limit before extracting anything (and stops an extraction
that writes more than the headers declared), `autograder.grading.runner.batch`
turns a notebook over a limit into that student's failed result and grades
the others.

The defaults fit a class of 500 students with room to spare, and stay far
below what hurts a grading machine:

- an archive: 2 GiB uncompressed (500 students at 4 MiB each, a notebook
  with its figures being 0.1 to 2 MiB; a few stray dataset files fit too),
  20,000 members (40 a student: a notebook, checkpoints, images, and the
  ``__MACOSX`` twin of each), and a compression ratio of 200 to 1 for any
  member (and the archive as a whole) above 1 MiB: notebooks compress about
  4 to 1, Keras progress logs about 10 to 1, figures barely; a zip bomb
  compresses about 1,000 to 1, deflate's maximum;
- a notebook: 20 MiB on disk, 2,000 cells (the assignments have 25 to 38)
  and 10 MiB of cell outputs (about a hundred figures); grading clears the
  outputs anyway, so only a notebook far outside normal use is refused.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Iterable

from traitlets import Float, Int
from traitlets.config import Configurable

from autograder import course, nbgrader_run

MiB = 2**20
GiB = 2**30
# A member (or archive) smaller than this is never refused for its
# compression ratio: a small file of repeated characters compresses far
# better than 200 to 1 and can do no harm.
RATIO_FLOOR_BYTES = 1 * MiB
# nbformat 3 kept cells in worksheets; nbgrader still reads such notebooks.
_WORKSHEETS = "worksheets"
# What a student can do about a notebook that is too large.
_CLEAR_HINT = "; clear its outputs (Edit > Clear Outputs of All Cells), save it and submit it again"


def size_text(size: float) -> str:
    """Write a number of bytes the way a person reads it, in binary units.

    Example:
        >>> size_text(52.43 * 2**20), size_text(20 * 2**20), size_text(512)
        ('52.4 MiB', '20 MiB', '512 bytes')
    """
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{int(size)} bytes"


def over_limit(limit: str, found: str, allowed: str) -> str:
    """Say that a value is over ``limit``: what was found, the limit, and where to raise it.

    Args:
        limit: the `IntakeLimits` trait, as the course's config names it.
        found: the value found, in words.
        allowed: the limit's value, in words.

    Example:
        >>> over_limit("max_notebook_cells", "2,400 cells", "2,000")[:60]
        "2,400 cells, more than the grader's limit of 2,000 (raise c."
    """
    return f"{found}, more than the grader's limit of {allowed} (raise c.IntakeLimits.{limit} in {course.CONFIG_FILE})"


class IntakeLimits(Configurable):
    """How large a submissions archive and each notebook in it may be; set in the course's ``nbgrader_config.py``.

    Attributes:
        max_archive_bytes: the uncompressed size of all members of a
            submissions zip together.
        max_archive_members: the number of members (files and folders) of a
            submissions zip.
        max_compression_ratio: uncompressed to compressed size, for any
            member and for the whole archive, once above 1 MiB.
        max_notebook_bytes: the size of one notebook file.
        max_notebook_cells: the number of cells of one notebook.
        max_output_bytes: the size of one notebook's cell outputs together
            (as JSON).

    Example:
        >>> limits = IntakeLimits(max_notebook_cells=10)
        >>> limits.max_notebook_cells, limits.max_notebook_bytes == 20 * 2**20
        (10, True)
    """

    max_archive_bytes = Int(2 * GiB, help="Largest uncompressed size of a submissions zip, in bytes.").tag(config=True)
    max_archive_members = Int(20_000, help="Most members (files and folders) in a submissions zip.").tag(config=True)
    max_compression_ratio = Float(
        200.0, help="Largest uncompressed-to-compressed ratio of a zip member (or the whole zip) above 1 MiB."
    ).tag(config=True)
    max_notebook_bytes = Int(20 * MiB, help="Largest submitted notebook file, in bytes.").tag(config=True)
    max_notebook_cells = Int(2_000, help="Most cells in a submitted notebook.").tag(config=True)
    max_output_bytes = Int(10 * MiB, help="Largest total size of a notebook's cell outputs, in bytes.").tag(config=True)

    def archive_problem(self, members: Iterable[zipfile.ZipInfo]) -> str | None:
        """Why a zip with these central-directory entries is refused, or None; read before anything is extracted.

        Args:
            members: the archive's entries (``ZipFile.infolist()``), as its
                central directory declares them.

        Returns:
            The first limit the archive passes, in words, or None.
        """
        members = list(members)
        if len(members) > self.max_archive_members:
            found, allowed = f"{len(members):,} members", f"{self.max_archive_members:,}"
            return "it holds " + over_limit("max_archive_members", found, allowed)
        total = sum(member.file_size for member in members)
        if total > self.max_archive_bytes:
            found, allowed = f"{size_text(total)} uncompressed", size_text(self.max_archive_bytes)
            return "its members add up to " + over_limit("max_archive_bytes", found, allowed)
        for member in members:
            problem = self._ratio_problem(f"member {member.filename!r}", member.file_size, member.compress_size)
            if problem:
                return problem
        return self._ratio_problem("the archive", total, sum(member.compress_size for member in members))

    def _ratio_problem(self, what: str, size: int, compressed: int) -> str | None:
        """Why ``what`` (``size`` bytes stored in ``compressed``) expands too much, or None."""
        ratio = size / max(compressed, 1)
        if size <= RATIO_FLOOR_BYTES or ratio <= self.max_compression_ratio:
            return None
        found = f"{size_text(size)} from {size_text(compressed)}, a compression ratio of {ratio:,.0f} to 1"
        return f"{what} expands to " + over_limit("max_compression_ratio", found, f"{self.max_compression_ratio:g}")

    def notebook_problem(self, notebook: Path) -> str | None:
        """Why ``notebook`` is refused before grading, or None.

        The file's size is checked before it is read, so a huge file is
        never loaded. A file that is not JSON passes: grading reports it as
        not a readable notebook.

        Args:
            notebook: the submitted notebook file.

        Returns:
            The first limit the notebook passes, with a hint for the student,
            or None.
        """
        size = notebook.stat().st_size
        if size > self.max_notebook_bytes:
            found, allowed = size_text(size), size_text(self.max_notebook_bytes)
            return "the notebook is " + over_limit("max_notebook_bytes", found, allowed) + _CLEAR_HINT
        try:
            content = json.loads(notebook.read_bytes())
        except (ValueError, RecursionError):  # not JSON: grading says it is not a readable notebook
            return None
        cells = _cells(content)
        if len(cells) > self.max_notebook_cells:
            found, allowed = f"{len(cells):,} cells", f"{self.max_notebook_cells:,} cells"
            return "the notebook has " + over_limit("max_notebook_cells", found, allowed)
        outputs = sum(_output_bytes(cell) for cell in cells)
        if outputs > self.max_output_bytes:
            found, allowed = f"{size_text(outputs)} of cell outputs", size_text(self.max_output_bytes)
            return "the notebook holds " + over_limit("max_output_bytes", found, allowed) + _CLEAR_HINT
        return None


def _cells(content: object) -> list:
    """The cells of a notebook's JSON (nbformat 4, or 3 with worksheets); [] for anything else."""
    if not isinstance(content, dict):
        return []
    cells = content.get("cells")
    if isinstance(cells, list):
        return cells
    sheets = content.get(_WORKSHEETS)
    if not isinstance(sheets, list):
        return []
    return [cell for sheet in sheets if isinstance(sheet, dict) for cell in sheet.get("cells") or []]


def _output_bytes(cell: object) -> int:
    """The size of a cell's outputs as compact JSON (UTF-8)."""
    outputs = cell.get("outputs") if isinstance(cell, dict) else None
    if not outputs:
        return 0
    return len(json.dumps(outputs, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass"))


def load(root: Path) -> IntakeLimits:
    """Return the intake limits of the course at ``root``: ``c.IntakeLimits`` in its config, else the defaults.

    Args:
        root: the course root (the folder with ``nbgrader_config.py``).

    Returns:
        The course's `IntakeLimits`.

    Example:
        >>> load(Path(".")).max_archive_members  # doctest: +SKIP
        20000
    """
    return IntakeLimits(config=nbgrader_run.course_config(root))
