"""Feedback pages handed back where students look: a zip for Canvas or Moodle, or nbgrader's exchange.

``autograder return ID --format canvas|moodle|exchange``. Each student's
page is the one grading wrote (`Course.feedback_page`); who the student is
in the LMS comes from their results (`autograder.grading.intake.submissions.Identity`,
kept when the class was graded from the LMS's download).

Formats:

- ``canvas``: a zip for Canvas' "Re-Upload Submissions" (on the assignment's
  page, beside "Download Submissions"). Canvas matches a file by its name
  alone (instructure/canvas-lms, ``Assignment#infer_comment_context_from_filename``
  in ``app/models/assignment.rb``): it splits the base name on ``_``, takes
  the first two parts made only of digits as the user id and the id of a
  file in the student's submission, and ignores (and lists) a file whose
  ids do not name a file of the student's current submission. Those are
  the ids of the download's names, ``<name>[_LATE]_<user id>_<file id>_<file>``
  (``ContentZipper#add_upload_submission`` in ``lib/content_zipper.rb``,
  whose name part has no ``_`` and no part of digits only), which
  `SubmissionResult` keeps as ``lms_user_id`` and ``lms_submission_id``.
  Each file here sits at the zip's top level as
  ``<name>_<user id>_<file id>_<id>_feedback.html``. Canvas attaches it to a
  comment ("See attached file") on the submission, under the display name
  of the student's submitted file (``fashion_dense.ipynb``), as an HTML page.
  A student who submitted again after the download is ignored by Canvas.
- ``moodle``: a zip for the assignment's "Upload multiple feedback files in
  a zip" (the "Feedback files" feedback type). Moodle's importer
  (moodle/moodle ``mod/assign/feedback/file/importziplib.php``,
  ``is_valid_filename_for_import``) looks at each path part, splits it on
  ``_`` into at most five pieces and wants ``<full name>_<participant
  id>_<plugin type>_<plugin name>``, a numeric participant id of the
  assignment and a known plugin; what follows becomes the feedback file's
  name. Folders (Moodle's own download since 3.1, ``..._assignsubmission_file_/``
  before 4.1 and ``..._assignsubmission_file/`` since) and flat names are
  both taken; here each page is ``<Full Name>_<participant id>_assignsubmission_file_/<id>_feedback.html``,
  the name with ``_`` made a space as Moodle's download writes it
  (``mod/assign/classes/downloader.php``), so only the participant id
  decides who gets the file.
- ``exchange``: nbgrader's ``release_feedback`` for a JupyterHub course.
  It copies each ``feedback/<student>/<id>/<notebook>.html`` to
  ``<exchange root>/<course id>/feedback/<md5(secret + notebook)>.html`` and
  reads ``timestamp.txt`` and ``submission_secret.txt`` beside the page,
  where nbgrader's own ``generate_feedback`` would have copied them from
  ``submitted/<student>/<id>/`` (``nbgrader submit`` writes both, ``collect``
  keeps them). The kit grades from ``submitted/`` without those copies, so
  this writes a missing ``timestamp.txt`` there (the submission time of the
  results, else the notebook's modification time; an existing one is
  never changed), a missing ``submission_secret.txt`` (a submission that
  did not come through ``nbgrader submit``; the student's ``nbgrader
  fetch_feedback`` cannot find feedback released under it, which
  `Handback.caveats` says), copies both beside the page, and runs
  ``nbgrader release_feedback``. Students fetch it with ``nbgrader
  fetch_feedback <id>`` or the Assignment List.

Students left out (not graded, no id of that LMS, no page, no submission
for the exchange) are named in `Handback.left_out` with the reason.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.exchange.default import Exchange
from nbgrader.utils import notebook_hash

from autograder import nbgrader_run
from autograder.course import Course
from autograder.grading import late
from autograder.grading.output import record
from autograder.grading.results import NOT_GRADED, SubmissionResult
from autograder.grading.intake.submissions import CANVAS, MOODLE

EXCHANGE = "exchange"
FORMATS = (CANVAS, MOODLE, EXCHANGE)
PAGE_SUFFIX = "_feedback.html"
# nbgrader's exchange: `nbgrader submit` writes it beside the notebook, `collect` keeps it, release_feedback hashes with it.
SECRET_FILE = "submission_secret.txt"
# How `nbgrader submit` makes a secret (nbgrader/exchange/default/submit.py).
SECRET_BYTES = 64
# Canvas: a name part must not be digits only (Canvas would read it as the user id); such a name gets this before it.
CANVAS_UNNAMED = "student"
# Moodle: the submission plugin the download's folders name; the importer needs a plugin it knows.
MOODLE_PLUGIN = "assignsubmission_file"
# Moodle's own name for a student under blind marking, used when the results have none.
MOODLE_UNNAMED = "Participant"
# What Moodle's clean_filename removes from a name (path separators and characters no file system takes).
MOODLE_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')
DIGITS = re.compile(r"[0-9]+")
WHERE_TO_UPLOAD = {
    CANVAS: "upload it in Canvas with the assignment's Re-Upload Submissions",
    MOODLE: "upload it in Moodle's assignment with Upload multiple feedback files in a zip "
            "(the assignment needs the Feedback files feedback type)",
    EXCHANGE: "by nbgrader release_feedback; students get it with `nbgrader fetch_feedback {assignment}`",
}


@dataclass
class Handback:
    """What `hand_back` wrote.

    Attributes:
        path: the zip written (``canvas``, ``moodle``), or the exchange's
            feedback folder the pages were released to (``exchange``).
        students: the students whose page went back, in order.
        files: each of those students' file: its name in the zip, or its
            name in the exchange's feedback folder.
        left_out: students whose page did not go back, with the reason.
        caveats: students whose page went back with something to know
            (the exchange: a secret the student's account does not have).
    """

    path: Path
    students: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    left_out: dict[str, str] = field(default_factory=dict)
    caveats: dict[str, str] = field(default_factory=dict)


def canvas_name(result: SubmissionResult, assignment: str) -> str:
    """The name Canvas' Re-Upload Submissions matches to ``result``'s submission (see the module).

    Args:
        result: a student's result graded from a Canvas download.
        assignment: the assignment id.

    Returns:
        ``<name>_<user id>_<file id>_<assignment>_feedback.html``.

    Raises:
        ValueError: the result lacks a numeric Canvas user id or file id.

    Example:
        >>> done = SubmissionResult("jonesalice_12345", "fashion_dense", "graded", lms="canvas",
        ...                         lms_user_id="12345", lms_name="jonesalice", lms_submission_id="67890")
        >>> canvas_name(done, "fashion_dense")
        'jonesalice_12345_67890_fashion_dense_feedback.html'
    """
    _require_digits(result.lms_user_id, "Canvas user id", "the first number of the download's file name")
    _require_digits(result.lms_submission_id, "Canvas file id", "the second number of the download's file name")
    return f"{_canvas_name_part(result.lms_name)}_{result.lms_user_id}_{result.lms_submission_id}_{assignment}{PAGE_SUFFIX}"


def moodle_name(result: SubmissionResult, assignment: str) -> str:
    """The path Moodle's Upload multiple feedback files in a zip files under ``result``'s participant (see the module).

    Args:
        result: a student's result graded from a Moodle download.
        assignment: the assignment id.

    Returns:
        ``<Full Name>_<participant id>_assignsubmission_file_/<assignment>_feedback.html``.

    Raises:
        ValueError: the result lacks a numeric Moodle participant id.

    Example:
        >>> done = SubmissionResult("Alice_Jones_1234", "fashion_dense", "graded", lms="moodle",
        ...                         lms_user_id="1234", lms_name="Alice Jones")
        >>> moodle_name(done, "fashion_dense")
        'Alice Jones_1234_assignsubmission_file_/fashion_dense_feedback.html'
    """
    _require_digits(result.lms_user_id, "Moodle participant id", "the number in the download's folder name")
    name = MOODLE_UNSAFE.sub("", result.lms_name.replace("_", " ")).strip() or MOODLE_UNNAMED
    return f"{name}_{result.lms_user_id}_{MOODLE_PLUGIN}_/{assignment}{PAGE_SUFFIX}"


def _canvas_name_part(name: str) -> str:
    """``name`` as Canvas' download writes it: letters and digits only, lowercase; never digits alone."""
    cleaned = re.sub(r"[\W_]+", "", name).lower()
    return cleaned if cleaned and not DIGITS.fullmatch(cleaned) else f"{CANVAS_UNNAMED}{cleaned}"


def _require_digits(value: str, what: str, where: str) -> None:
    """Raise a ValueError naming ``what`` unless ``value`` is a number."""
    if not DIGITS.fullmatch(value or ""):
        found = repr(value) if value else "none"
        raise ValueError(f"no {what} in its results: expected {where}, found {found}; "
                         "grade the LMS download again with --force")


def submission_time(result: SubmissionResult, notebook: Path) -> datetime:
    """When ``result``'s student submitted, in UTC: the results' ``submitted_at``, else ``notebook``'s modification time.

    Example:
        >>> done = SubmissionResult("alice", "fashion_dense", "graded", submitted_at="2026-03-01T17:00:00-05:00")
        >>> submission_time(done, Path("unused")).isoformat()
        '2026-03-01T22:00:00+00:00'
    """
    if result.submitted_at:
        return late.as_utc(datetime.fromisoformat(result.submitted_at))
    source = notebook if notebook.exists() else notebook.parent
    return datetime.fromtimestamp(source.stat().st_mtime, timezone.utc)


def hand_back(
    course: Course, assignment: str, lms_format: str, out: Path | None = None,
    students: tuple[str, ...] = (), exchange_root: Path | None = None,
) -> Handback:
    """Hand the feedback pages of ``assignment`` back as ``lms_format`` takes them (see the module).

    Args:
        course: the course.
        assignment: the assignment id.
        lms_format: ``canvas``, ``moodle`` or ``exchange``.
        out: the zip to write (default: `Course.handback_zip`); not for ``exchange``.
        students: only these students (default: everyone recorded).
        exchange_root: nbgrader's exchange folder (default: the course's
            ``c.Exchange.root``); only for ``exchange``.

    Returns:
        A `Handback`: where it went, whose pages, who was left out and why.

    Raises:
        ValueError: an unknown format, an option the format does not take,
            an unknown student, no page that can go back, or
            ``nbgrader release_feedback`` failing.
        FileNotFoundError: nothing graded yet, or the exchange folder missing.

    Example:
        >>> hand_back(Course(root), "fashion_dense", "canvas")  # doctest: +SKIP
        Handback(path=PosixPath('.../grades/fashion_dense_canvas_feedback.zip'), students=['jonesalice_12345'], ...)
    """
    _check_options(lms_format, out, exchange_root)
    chosen = _chosen(course, assignment, students)
    if lms_format == EXCHANGE:
        return _release(course, assignment, chosen, exchange_root)
    return _zip(course, assignment, chosen, lms_format, out or course.handback_zip(assignment, lms_format))


def _check_options(lms_format: str, out: Path | None, exchange_root: Path | None) -> None:
    """Raise a ValueError for an unknown format or an option it does not take."""
    if lms_format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; received: {lms_format!r}")
    if lms_format == EXCHANGE and out is not None:
        raise ValueError("--out does not apply to --format exchange: pages go to the exchange folder (--exchange)")
    if lms_format != EXCHANGE and exchange_root is not None:
        raise ValueError(f"--exchange applies to --format exchange only; received --format {lms_format}")


def _chosen(course: Course, assignment: str, students: tuple[str, ...]) -> list[SubmissionResult]:
    """The recorded results of ``assignment``, only ``students``' when given."""
    found = record.class_results(course, assignment)
    if not found:
        raise FileNotFoundError(f"no grades of {assignment} in {course.root}: expected feedback/*/{assignment}/results.json; "
                                f"run `autograder grade {assignment}` first")
    known = {result.student for result in found}
    unknown = [student for student in students if student not in known]
    if unknown:
        raise ValueError(f"no results of {assignment} for {', '.join(unknown)}: expected one of {', '.join(sorted(known))}")
    return [result for result in found if not students or result.student in students]


def _why_not(course: Course, result: SubmissionResult, lms_format: str) -> str | None:
    """Why ``result``'s page cannot go back as ``lms_format``, or None."""
    if result.status == NOT_GRADED:
        return f"not graded ({result.reason or 'the grader could not grade it'}): grade it again, then hand back"
    if lms_format != EXCHANGE and result.lms != lms_format:
        source = f"a {result.lms.capitalize()} download" if result.lms else "a folder without LMS ids"
        return f"graded from {source}, so it has no {lms_format.capitalize()} id"
    page = course.feedback_page(result.assignment, result.student)
    if not page.is_file():
        return f"no feedback page: expected {page}"
    return None


def _zip(course: Course, assignment: str, chosen: list[SubmissionResult], lms_format: str, path: Path) -> Handback:
    """Write the pages of ``chosen`` into a zip named as ``lms_format`` matches them."""
    outcome = Handback(path)
    members: dict[str, bytes] = {}
    for result in chosen:
        try:
            why_not = _why_not(course, result, lms_format)
            name = None if why_not else (canvas_name if lms_format == CANVAS else moodle_name)(result, assignment)
        except ValueError as error:
            why_not = str(error)
        if why_not:
            outcome.left_out[result.student] = why_not
            continue
        members[name] = course.feedback_page(assignment, result.student).read_bytes()
        outcome.students.append(result.student)
        outcome.files[result.student] = name
    _nothing_to_hand_back(outcome, assignment, lms_format)
    _write_zip(path, members)
    return outcome


def _nothing_to_hand_back(outcome: Handback, assignment: str, lms_format: str) -> None:
    """Raise a ValueError naming the first reason when no page can go back."""
    if outcome.students:
        return
    student, why = next(iter(outcome.left_out.items()))
    raise ValueError(f"no feedback page of {assignment} can go back as {lms_format}: "
                     f"{len(outcome.left_out)} student(s) left out, the first {student}: {why}")


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    """Write ``members`` (name in the zip: content) to ``path`` so a reader never sees half a zip."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(members.items()):
            archive.writestr(name, content)
    os.replace(partial, path)


def exchange_feedback_folder(course: Course, exchange_root: Path | None = None) -> Path:
    """Where ``nbgrader release_feedback`` puts the course's pages: ``<exchange root>/<course id>/feedback``.

    Raises:
        ValueError: the course's nbgrader config names no course id.
        FileNotFoundError: the exchange root is not a folder.
    """
    config = nbgrader_run.course_config(course.root)
    course_id = config.CourseDirectory.get("course_id", "")
    if not course_id:
        raise ValueError(f"nbgrader's exchange needs a course id: expected c.CourseDirectory.course_id in "
                         f"{course.config}, found none")
    root = Path(exchange_root or config.Exchange.get("root", Exchange.root.default_value))
    if not root.is_dir():
        raise FileNotFoundError(f"no exchange folder at {root}: expected the folder nbgrader's exchange shares "
                                "(c.Exchange.root in nbgrader_config.py, or --exchange)")
    return root / course_id / "feedback"


def _release(course: Course, assignment: str, chosen: list[SubmissionResult], exchange_root: Path | None) -> Handback:
    """Make each chosen student's page releasable, then run ``nbgrader release_feedback`` on them."""
    outcome = Handback(exchange_feedback_folder(course, exchange_root))
    for result in chosen:
        why_not = _why_not(course, result, EXCHANGE) or _no_submission(course, result)
        if why_not:
            outcome.left_out[result.student] = why_not
            continue
        secret, caveat = prepare_for_exchange(course, result)
        outcome.students.append(result.student)
        outcome.files[result.student] = f"{notebook_hash(secret=secret, notebook_id=assignment)}.html"
        if caveat:
            outcome.caveats[result.student] = caveat
    _nothing_to_hand_back(outcome, assignment, EXCHANGE)
    others = {page.parent.parent.name for page in course.all_feedback_pages(assignment)} - set(outcome.students)
    arguments = ["release_feedback", assignment, f"--Exchange.root={outcome.path.parent.parent}"]
    if others:
        arguments.append(f"--CourseDirectory.student_id_exclude={','.join(sorted(others))}")
    try:
        nbgrader_run.run_nbgrader(course.root, *arguments)
    except RuntimeError as error:
        last = [line for line in str(error).splitlines() if line.strip()][-1]
        raise ValueError(f"nbgrader release_feedback {assignment} failed: {last}") from error
    return outcome


def _no_submission(course: Course, result: SubmissionResult) -> str | None:
    """Why the exchange cannot take ``result``'s page for want of a submission, or None."""
    folder = course.submitted_folder(result.assignment, result.student)
    if folder.is_dir():
        return None
    return f"no submission in {folder}: nbgrader's exchange releases feedback only for a submission it collected"


def prepare_for_exchange(course: Course, result: SubmissionResult) -> tuple[str, str | None]:
    """Give ``result``'s feedback folder the ``timestamp.txt`` and secret that ``nbgrader release_feedback`` reads.

    A missing ``timestamp.txt`` or ``submission_secret.txt`` is written in
    ``submitted/<student>/<id>/`` (an existing one is kept), then both are
    copied beside the feedback page, as nbgrader's ``generate_feedback``
    copies them.

    Returns:
        The submission's secret, and a caveat when it had none before.
    """
    folder = course.submitted_folder(result.assignment, result.student)
    late.write_timestamp(folder, submission_time(result, course.submitted_notebook(result.assignment, result.student)),
                         overwrite=False)
    caveat = None
    if not (folder / SECRET_FILE).is_file():
        (folder / SECRET_FILE).write_text(secrets.token_hex(SECRET_BYTES), encoding="utf-8")
        caveat = (f"its submission had no {SECRET_FILE} (it did not come through `nbgrader submit`): released under "
                  "a new secret, which the student's `nbgrader fetch_feedback` cannot match; give them "
                  f"{course.feedback_page(result.assignment, result.student)} another way")
    feedback = course.feedback_folder(result.assignment, result.student)
    for name in (late.TIMESTAMP_FILE, SECRET_FILE):
        if not (feedback / name).is_file() or (feedback / name).read_bytes() != (folder / name).read_bytes():
            shutil.copyfile(folder / name, feedback / name)
    return (folder / SECRET_FILE).read_text(encoding="utf-8"), caveat
