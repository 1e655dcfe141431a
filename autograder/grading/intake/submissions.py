"""Finding a class's submissions of one assignment, in the layouts instructors receive them.

Layouts understood:

- nbgrader's: ``<path>/<student>/<assignment>/<assignment>.ipynb`` (a
  course's ``submitted/`` folder);
- Canvas' "Download Submissions": flat files
  ``<name>[_LATE]_<user id>_<file id>_<file>``, where a file the
  student uploaded again ends in ``-1``, ``-2``... before ``.ipynb``;
- Moodle's "Download all submissions": a folder per student and plugin,
  ``<Full Name>_<participant id>_assignsubmission_file_/``, or with
  folders turned off flat files ``<Full Name>_<participant id>_assignsubmission_file_<file>``;
- Gradescope's "Export Submissions": ``submission_metadata.yml`` next to a
  folder ``submission_<id>/`` per submission, whose submitters (name, SID,
  email) the metadata lists;
- a plain folder of notebooks named by student (``alice.ipynb``,
  ``alice_fashion_dense.ipynb``) or of one folder per student holding one
  notebook (``alice/anything.ipynb``);
- a ``.zip`` of any of these. A folder that only wraps one of these (a
  folder that was zipped, so everything sits under ``class/``) is looked into.

A student found in an LMS layout keeps the LMS's `Identity`, so grades can
go back to it (`autograder.grading.output.export`). Every student found becomes an
`Incoming`; one whose notebook is missing or ambiguous still does, with the
problem in words, so the grade table shows them instead of silently leaving
them out. What is not a submission (``__MACOSX``, hidden files, a README, a
wrapping folder) never becomes a student.

When each student submitted (`Incoming.submitted_at`, timezone-aware) comes
from wherever the layout gives it:

- nbgrader's layout: ``<student>/<assignment>/timestamp.txt``, read as
  nbgrader reads it (``nbgrader.utils.parse_utc``), a time without a zone
  being UTC; an unreadable one gives no time;
- Gradescope: each submission's ``:created_at:`` in ``submission_metadata.yml``
  (``2024-01-19 10:11:12.345678000 -08:00`` as Gradescope's Ruby writes it,
  or any YAML timestamp); one that is not a time gives no time;
- Moodle: its download holds no times, but its "Download grading worksheet"
  CSV does (``Last modified (submission)``, by ``Identifier``); pass it as
  ``collect(..., worksheet=...)``, with the time zone it was written in;
- Canvas: its download holds no times, only ``_LATE`` in a late student's
  file names, which sets `Incoming.flagged_late`;
- plain folders: no time.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
import tempfile
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from autograder.grading import late
from autograder.grading.intake.limits import IntakeLimits
from autograder.grading.results import SubmissionResult

NOTEBOOK_SUFFIX = ".ipynb"
IGNORED_PARTS = ("__MACOSX", ".ipynb_checkpoints")
GRADESCOPE_METADATA = "submission_metadata.yml"
# Gradescope's export names each submission's folder "submission_<submission id>".
GRADESCOPE_FOLDER = re.compile(r"^submission_(?P<submission_id>\d+)$")
# Gradescope writes :created_at: as Ruby's YAML does ("2024-01-19 10:11:12.345678000 -08:00", "... Z");
# quoted, PyYAML leaves it a string. Fractions past microseconds are dropped.
GRADESCOPE_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
# Moodle's "Download grading worksheet" (mod/assign, offline grading worksheet): the columns read here.
WORKSHEET_IDENTIFIER = "Identifier"
WORKSHEET_NAME = "Full name"
WORKSHEET_SUBMITTED = "Last modified (submission)"
WORKSHEET_COLUMNS = (WORKSHEET_IDENTIFIER, WORKSHEET_NAME, WORKSHEET_SUBMITTED)
# "Participant 1234": Moodle's word for a student (translated on other sites), then the participant id.
WORKSHEET_PARTICIPANT = re.compile(r"(?P<user_id>\d+)\s*$")
# userdate() with English's strftimedaydatetime, "%A, %d %B %Y, %I:%M %p": "Monday, 7 December 2026, 2:05 PM".
WORKSHEET_TIME_FORMAT = "%A, %d %B %Y, %I:%M %p"
# What the worksheet holds for a student who has not submitted.
WORKSHEET_NO_TIME = ("", "-")
CANVAS = "canvas"
MOODLE = "moodle"
GRADESCOPE = "gradescope"
# Canvas: lowercase name without punctuation, "_LATE" for a late submission, user id, the submitted file's id, the file.
CANVAS_FILE = re.compile(r"^(?P<name>[^\W_]+)(?P<late>_LATE)?_(?P<user_id>\d+)_(?P<submission_id>\d+)_(?P<file>.+)$")
# A file Canvas renamed because the student had uploaded one of that name before.
CANVAS_RESUBMITTED = re.compile(r"-\d+(?=\.ipynb$)")
# Moodle (mod/assign): full name, participant id, the submission plugin; a folder ends in "_".
MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_(?P<user_id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_$")
MOODLE_FILE = re.compile(r"^(?P<name>.+)_(?P<user_id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)$")
# Extraction copies a member this many bytes at a time, counting them.
UNZIP_CHUNK_BYTES = 1 << 20
# What extracting a damaged, encrypted or oddly compressed zip raises (OSError: a clash of names, a full disk).
UNZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError)


class SubmissionsError(ValueError):
    """The submissions path cannot be read at all.

    It is missing, neither a folder nor a zip, a zip that is damaged or over
    the course's `IntakeLimits`, or holds unreadable metadata.
    """


@dataclass(frozen=True)
class Identity:
    """Who a submission belongs to, as the LMS it came from knows them.

    Attributes:
        lms: ``canvas``, ``moodle`` or ``gradescope``.
        user_id: the LMS's id of the student: Canvas' user id, Moodle's
            participant id (the assignment's own number for the student, as
            its grading worksheet names them), Gradescope's SID (the email
            when there is no SID).
        name: the name as the LMS wrote it (Canvas: the lowercase sortable
            name, ``jonesalice``; Moodle and Gradescope: the full name).
        email: the email, where the LMS gives it (Gradescope), else ``""``.
        submission_id: the LMS's id of the submission where it gives one
            (Canvas: the id of the submitted file in the download's names,
            which its "Re-Upload Submissions" keys
            on; Gradescope's submission folder), else ``""``.

    Example:
        >>> Identity("canvas", "12345", "jonesalice").student
        'jonesalice_12345'
    """

    lms: str
    user_id: str
    name: str
    email: str = ""
    submission_id: str = ""

    @property
    def student(self) -> str:
        """The student id this identity is graded under: name and LMS id, so it is readable and unique."""
        return _clean(f"{self.name}_{self.user_id}")

    def stamp(self, result: SubmissionResult) -> SubmissionResult:
        """Return ``result`` carrying this identity (`SubmissionResult`'s ``lms*`` fields)."""
        return dataclasses.replace(
            result, lms=self.lms, lms_user_id=self.user_id, lms_name=self.name, lms_email=self.email,
            lms_submission_id=self.submission_id,
        )


@dataclass(frozen=True)
class Incoming:
    """One student's submission as found.

    Attributes:
        student: the student id (letters, digits, ``_``, ``-``, ``.``).
        notebook: the notebook file, or None when there is none to grade.
        problem: why there is nothing to grade, or None.
        identity: who the student is in the LMS the submission came from;
            None for nbgrader's layout and plain folders.
        submitted_at: when the student submitted (timezone-aware), where
            the layout says: nbgrader's ``timestamp.txt``, Gradescope's
            metadata, a Moodle grading worksheet; else None.
        flagged_late: the LMS marked the submission late without giving its
            time (Canvas' ``_LATE`` in a downloaded file's name).
    """

    student: str
    notebook: Path | None
    problem: str | None = None
    identity: Identity | None = None
    submitted_at: datetime | None = None
    flagged_late: bool = False

    def stamp(self, result: SubmissionResult) -> SubmissionResult:
        """Return ``result`` carrying how this submission arrived: the LMS identity, its time, the late flag."""
        if self.identity is not None:
            result = self.identity.stamp(result)
        submitted_at = self.submitted_at.isoformat() if self.submitted_at else ""
        return dataclasses.replace(result, submitted_at=submitted_at, flagged_late=self.flagged_late)


def _clean(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "unnamed"


def student_id(name: str, assignment: str) -> str:
    """Turn a file or folder name into a student id.

    Example:
        >>> student_id("Alice Smith_fashion_dense.ipynb", "fashion_dense")
        'Alice_Smith'
    """
    stem = name.removesuffix(NOTEBOOK_SUFFIX)
    for affix in (f"_{assignment}", f"-{assignment}"):
        stem = stem.removesuffix(affix)
    stem = stem.removeprefix(f"{assignment}_").removeprefix(f"{assignment}-")
    return _clean(stem)


def _ignored(path: Path) -> bool:
    return path.name in IGNORED_PARTS or path.name.startswith(".")


def _notebooks(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob(f"*{NOTEBOOK_SUFFIX}")
        if path.is_file() and not any(_ignored(Path(part)) for part in path.relative_to(folder).parts)
    )


def _pick(student: str, found: dict[Path, str], where: str, assignment: str, identity: Identity | None = None) -> Incoming:
    """The one notebook to grade among ``found`` (each with the name the student gave it), or the problem."""
    expected = f"{assignment}{NOTEBOOK_SUFFIX}"
    named = [path for path, name in found.items() if name == expected]
    if len(named) == 1 or len(found) == 1:
        return Incoming(student, (named or list(found))[0], identity=identity)
    if not found:
        return Incoming(student, None, f"no notebook in {where}: expected {expected}", identity)
    names = ", ".join(sorted(found.values()))
    return Incoming(student, None, f"several notebooks and none named {expected}: {names}", identity)


def _in_folder(student: str, folder: Path, assignment: str, identity: Identity | None = None) -> Incoming:
    """A student's folder: nbgrader's ``<student>/<assignment>/`` when there is one, else the whole folder."""
    nbgrader_folder = folder / assignment
    searched = nbgrader_folder if nbgrader_folder.is_dir() else folder
    found = _pick(student, {path: path.name for path in _notebooks(searched)}, f"{folder.name}/", assignment, identity)
    if not nbgrader_folder.is_dir():
        return found
    return dataclasses.replace(found, submitted_at=late.read_timestamp(nbgrader_folder))


def collect(path: Path, assignment: str, unpack_to: Path | None = None, limits: IntakeLimits | None = None, *,
            worksheet: Path | None = None, worksheet_timezone: str = "UTC") -> list[Incoming]:
    """Return every student's submission of ``assignment`` under ``path``, sorted by student.

    Args:
        path: a folder in one of the layouts above, or a ``.zip`` of one.
        assignment: the assignment id.
        unpack_to: where to unpack a zip (default: a new temporary folder).
        limits: how large a zip may be (default: `IntakeLimits`' defaults;
            ``autograder grade`` passes the course's).
        worksheet: Moodle's grading worksheet for the assignment (the CSV of
            "Download grading worksheet"), to give Moodle students the time
            they submitted; see `read_moodle_worksheet`.
        worksheet_timezone: the time zone the worksheet's times are in, as a
            ``zoneinfo`` name (``"Europe/London"``): Moodle writes them in
            the downloading user's time zone (by default the site's) without
            naming it. Default ``"UTC"``.

    Returns:
        One `Incoming` per student, LMS students with their `Identity`, each
        with the time it was submitted where the layout gives one.

    Raises:
        SubmissionsError: ``path`` is missing, is neither a folder nor a zip,
            is a zip over ``limits``, damaged or with a member outside
            itself, or holds a Gradescope ``submission_metadata.yml`` that
            cannot be read; or ``worksheet`` cannot be read (see
            `read_moodle_worksheet`).

    Example:
        >>> collect(Path("canvas_download.zip"), "fashion_dense")[0].identity  # doctest: +SKIP
        Identity(lms='canvas', user_id='12345', name='jonesalice', email='', submission_id='67890')
    """
    if not path.exists():
        raise SubmissionsError(f"submissions not found: {path} does not exist")
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise SubmissionsError(f"submissions must be a folder or a .zip; received: {path}")
        folder = Path(unpack_to or tempfile.mkdtemp(prefix="autograder-zip-"))
        _unzip(path, folder, limits or IntakeLimits())
        return collect(folder, assignment, worksheet=worksheet, worksheet_timezone=worksheet_timezone)
    moodle_times = read_moodle_worksheet(worksheet, worksheet_timezone) if worksheet is not None else {}
    folder = _unwrapped(path, assignment)
    found = _gradescope(folder, assignment) if (folder / GRADESCOPE_METADATA).is_file() else _listed(folder, assignment)
    found = [_with_moodle_time(entry, moodle_times) for entry in found] if worksheet is not None else found
    incoming: dict[str, Incoming] = {}
    for entry in found:
        if entry.student in incoming:
            entry = Incoming(entry.student, None, f"two submissions map to student id {entry.student!r}", entry.identity)
        incoming[entry.student] = entry
    return [incoming[student] for student in sorted(incoming)]


def read_moodle_worksheet(path: Path, timezone: str = "UTC") -> dict[str, datetime]:
    """Read when each student submitted from Moodle's grading worksheet.

    The worksheet is the CSV of an assignment's "Download grading worksheet"
    (offline grading worksheet on). Each row names a student by
    ``Identifier`` (``Participant 1234``: the participant id that Moodle's
    download also puts in file names) and gives ``Last modified
    (submission)`` as Moodle's English date (``Monday, 7 December 2026,
    2:05 PM``), or ``-`` when the student has not submitted.

    Args:
        path: the worksheet CSV.
        timezone: the time zone its times are written in, as a ``zoneinfo``
            name (``"Europe/London"``); Moodle does not name it.

    Returns:
        Participant id to the time it was submitted (timezone-aware), for
        every student who submitted.

    Raises:
        SubmissionsError: the file cannot be read as CSV, lacks the
            ``Identifier``, ``Full name`` or ``Last modified (submission)``
            columns (the message lists those found), holds a time that is not
            in Moodle's format, or ``timezone`` is not a time zone.

    Example:
        >>> read_moodle_worksheet(Path("grades.csv"), "Europe/London")["1234"]  # doctest: +SKIP
        datetime.datetime(2026, 12, 7, 14, 5, tzinfo=zoneinfo.ZoneInfo(key='Europe/London'))
    """
    zone = _zone(timezone)
    rows = _worksheet_rows(path)
    times: dict[str, datetime] = {}
    for row in rows:
        participant = WORKSHEET_PARTICIPANT.search(row.get(WORKSHEET_IDENTIFIER) or "")
        written = (row.get(WORKSHEET_SUBMITTED) or "").strip()
        if participant and written not in WORKSHEET_NO_TIME:
            times[participant["user_id"]] = _worksheet_time(written, path, row).replace(tzinfo=zone)
    return times


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise SubmissionsError(
            f"worksheet_timezone: expected a time zone name such as 'Europe/London' or 'UTC'; received: {name!r}"
        ) from error


def _worksheet_rows(path: Path) -> list[dict[str, str]]:
    """The worksheet's rows, once it is known to have the columns read here."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as opened:
            reader = csv.DictReader(opened)
            columns = [name.strip() for name in reader.fieldnames or []]
            rows = [{(key or "").strip(): value for key, value in row.items()} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise SubmissionsError(f"Moodle worksheet {path} cannot be read: {error}") from error
    missing = [column for column in WORKSHEET_COLUMNS if column not in columns]
    if missing:
        found = ", ".join(repr(column) for column in columns) or "none"
        expected = ", ".join(repr(column) for column in WORKSHEET_COLUMNS)
        raise SubmissionsError(
            f"Moodle worksheet {path}: expected columns {expected} (Moodle's \"Download grading worksheet\"); "
            f"found: {found}"
        )
    return rows


def _worksheet_time(written: str, path: Path, row: dict[str, str]) -> datetime:
    try:
        return datetime.strptime(written, WORKSHEET_TIME_FORMAT)
    except ValueError as error:
        raise SubmissionsError(
            f"Moodle worksheet {path}, {row.get(WORKSHEET_IDENTIFIER)}: {WORKSHEET_SUBMITTED} {written!r} is not a time "
            f"as Moodle writes it in English, e.g. 'Monday, 7 December 2026, 2:05 PM'"
        ) from error


def _with_moodle_time(entry: Incoming, times: dict[str, datetime]) -> Incoming:
    if entry.identity is None or entry.identity.lms != MOODLE:
        return entry
    return dataclasses.replace(entry, submitted_at=times.get(entry.identity.user_id))


def _candidates(folder: Path) -> list[Path]:
    """What in ``folder`` may be a submission: folders, notebooks, LMS-named files and Gradescope's metadata."""
    return [
        entry
        for entry in sorted(folder.iterdir())
        if not _ignored(entry)
        and (entry.is_dir() or entry.suffix == NOTEBOOK_SUFFIX or entry.name == GRADESCOPE_METADATA
             or CANVAS_FILE.match(entry.name) or MOODLE_FILE.match(entry.name))
    ]


def _is_student_folder(folder: Path, assignment: str) -> bool:
    return (folder / assignment).is_dir() or bool(MOODLE_FOLDER.match(folder.name))


def _unwrapped(folder: Path, assignment: str) -> Path:
    """Look through folders that only wrap the submissions (``class.zip`` holding ``class/``).

    A lone folder is a wrapper unless it is a student's own folder: it holds
    several submissions, Gradescope's metadata, or one student's folder.
    """
    while True:
        entries = _candidates(folder)
        if len(entries) != 1 or not entries[0].is_dir() or _is_student_folder(entries[0], assignment):
            return folder
        inside = _candidates(entries[0])
        wraps = len(inside) > 1 or any(
            entry.name == GRADESCOPE_METADATA or (entry.is_dir() and _is_student_folder(entry, assignment))
            or CANVAS_FILE.match(entry.name) or MOODLE_FILE.match(entry.name)
            for entry in inside
        )
        if not wraps:
            return folder
        folder = entries[0]


def _listed(folder: Path, assignment: str) -> list[Incoming]:
    """Students of a folder in nbgrader's, Canvas', Moodle's or a plain layout (mixed layouts too)."""
    found: list[Incoming] = []
    lms_files: dict[Identity, dict[Path, str]] = defaultdict(dict)
    lms_where: dict[Identity, str] = {}
    flagged_late: set[Identity] = set()
    for entry in _candidates(folder):
        moodle_folder = MOODLE_FOLDER.match(entry.name) if entry.is_dir() else None
        moodle_file = MOODLE_FILE.match(entry.name) if entry.is_file() else None
        canvas = CANVAS_FILE.match(entry.name) if entry.is_file() else None
        if moodle_folder:
            identity = Identity(MOODLE, moodle_folder["user_id"], moodle_folder["name"])
            lms_files[identity].update({path: path.name for path in _notebooks(entry)})
            lms_where.setdefault(identity, f"{entry.name}/")
        elif moodle_file:
            identity = Identity(MOODLE, moodle_file["user_id"], moodle_file["name"])
            if moodle_file["file"].endswith(NOTEBOOK_SUFFIX):
                lms_files[identity][entry] = moodle_file["file"]
            lms_where.setdefault(identity, f"the files of {moodle_file['name']}")
        elif canvas:
            identity = Identity(CANVAS, canvas["user_id"], canvas["name"], submission_id=canvas["submission_id"])
            if canvas["late"]:
                flagged_late.add(identity)
            if canvas["file"].endswith(NOTEBOOK_SUFFIX):
                lms_files[identity][entry] = CANVAS_RESUBMITTED.sub("", canvas["file"])
            lms_where.setdefault(identity, f"the files of {canvas['name']}")
        elif entry.is_dir():
            found.append(_in_folder(student_id(entry.name, assignment), entry, assignment))
        elif entry.suffix == NOTEBOOK_SUFFIX:
            found.append(Incoming(student_id(entry.name, assignment), entry))
    for identity, where in lms_where.items():
        picked = _pick(identity.student, lms_files[identity], where, assignment, identity)
        found.append(dataclasses.replace(picked, flagged_late=identity in flagged_late))
    return found


def _gradescope(folder: Path, assignment: str) -> list[Incoming]:
    """Students of a Gradescope export: one per submitter listed in ``submission_metadata.yml``."""
    metadata_file = folder / GRADESCOPE_METADATA
    try:
        metadata = yaml.safe_load(metadata_file.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise SubmissionsError(f"{metadata_file} is not readable YAML: {str(error).splitlines()[0]}") from error
    if not isinstance(metadata, dict):
        raise SubmissionsError(
            f"{metadata_file}: expected a mapping of submission folders to their submitters; found {type(metadata).__name__}"
        )
    found = []
    for submission, details in metadata.items():
        details = details if isinstance(details, dict) else {}
        submitters = details.get(":submitters") or []
        submission_folder = folder / str(submission)
        notebooks = _notebooks(submission_folder) if submission_folder.is_dir() else []
        submission_id = match["submission_id"] if (match := GRADESCOPE_FOLDER.match(str(submission))) else ""
        submitted_at = gradescope_time(details.get(":created_at"))
        for submitter in submitters:
            email = str(submitter.get(":email") or "")
            identity = Identity(
                GRADESCOPE, str(submitter.get(":sid") or "") or email, str(submitter.get(":name") or ""), email,
                submission_id,
            )
            picked = _pick(identity.student, {path: path.name for path in notebooks}, f"{submission}/", assignment, identity)
            found.append(dataclasses.replace(picked, submitted_at=submitted_at))
    return found


def gradescope_time(value: object) -> datetime | None:
    """Read a Gradescope ``:created_at:`` as a timezone-aware time; None when it is not one.

    PyYAML already turns an unquoted ``2024-01-19 10:11:12.345678000 -08:00``
    into a datetime; a quoted one stays a string and is read here the same
    way. A time without a zone is UTC, as YAML's timestamps are.

    Example:
        >>> gradescope_time("2024-01-19 10:11:12.345678000 -08:00").isoformat()
        '2024-01-19T10:11:12.345678-08:00'
    """
    if isinstance(value, str):
        value = _yaml_time(value.strip())
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _yaml_time(text: str) -> datetime | None:
    """A YAML timestamp as Ruby writes it (nanoseconds, a space before the zone), or None."""
    parts = GRADESCOPE_TIME.match(text)
    if not parts:
        return None
    fraction = f".{parts['fraction'][:6]}" if parts["fraction"] else ""
    zone = {None: "", "Z": "+00:00"}.get(parts["zone"], parts["zone"])
    try:
        return datetime.fromisoformat(f"{parts['date']}T{parts['time']}{fraction}{zone}")
    except ValueError:
        return None


def _unzip(archive: Path, folder: Path, limits: IntakeLimits) -> None:
    """Extract ``archive`` into ``folder`` within ``limits``, refusing members that would land outside it.

    The central directory is checked first (member count, sizes,
    compression ratios, paths), so an archive over a limit writes nothing.
    Headers can lie, so extraction also counts the bytes it writes and stops
    at a member that holds more than its header declares: the declared sizes
    passed the check, so the bytes written stay within ``max_archive_bytes``.
    When the archive is refused, what was extracted is removed (unless
    ``folder`` held something before).

    Raises:
        SubmissionsError: the archive is over a limit, damaged, or has a
            member outside itself; the message names the limit, the value
            found and how to raise the limit.
    """
    owned = not folder.exists() or not any(folder.iterdir())
    problem: str | None = "extraction was interrupted"
    try:
        problem = _unzip_problem(archive, folder, limits)
    finally:
        if problem and owned:
            shutil.rmtree(folder, ignore_errors=True)
    if problem:
        raise SubmissionsError(f"{archive.name} is refused: {problem}")


def _unzip_problem(archive: Path, folder: Path, limits: IntakeLimits) -> str | None:
    """Check ``archive``'s central directory, then extract it; why it is refused, or None once extracted."""
    try:
        with zipfile.ZipFile(archive) as opened:
            members = opened.infolist()
            problem = limits.archive_problem(members) or _outside(members, folder)
            if problem:
                return problem
            for member in members:
                problem = _extract(opened, member, folder)
                if problem:
                    return problem
    except UNZIP_ERRORS as error:
        return f"it cannot be extracted ({type(error).__name__}: {str(error).strip()[:200]})"
    return None


def _outside(members: list[zipfile.ZipInfo], folder: Path) -> str | None:
    """The first member whose path leaves ``folder`` (``../``, an absolute path), in words, or None."""
    inside = folder.resolve()
    for member in members:
        if not (folder / member.filename).resolve().is_relative_to(inside):
            return f"member {member.filename!r} points outside the archive"
    return None


def _extract(opened: zipfile.ZipFile, member: zipfile.ZipInfo, folder: Path) -> str | None:
    """Write one member under ``folder``; stop, and say why, once it yields more bytes than its header declares."""
    target = (folder / member.filename).resolve()
    if member.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with opened.open(member) as source, target.open("wb") as out:
        while chunk := source.read(UNZIP_CHUNK_BYTES):
            written += len(chunk)
            if written > member.file_size:
                return f"member {member.filename!r} holds more than the {member.file_size:,} bytes its header declares"
            out.write(chunk)
    return None
