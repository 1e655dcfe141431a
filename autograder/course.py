"""Where a course lives: its root folder, its assignments, and the one home of every course path.

A course is a folder with ``nbgrader_config.py`` and ``source/``; nbgrader
keeps its working folders beside them. `Course` names every file and
folder the kit reads or writes there, as nbgrader's
``CourseDirectory.format_path`` does for nbgrader, so no other module builds
a course path by hand. A grading worker's scratch course is a `Course` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "nbgrader_config.py"
GRADEBOOK_FILE = "gradebook.db"
# Course folders and files that learner code must never see while it is graded.
# The runner's own files (run logs, generated assignments) live in RUNNER_FOLDER.
RUNNER_FOLDER = ".autograder"
PRIVATE_NAMES = ("source", "solutions", GRADEBOOK_FILE, "submitted", "autograded", "feedback", "grades", RUNNER_FOLDER)


def find_root(start: Path | None = None) -> Path:
    """Return the course root: the nearest folder at or above ``start`` with ``nbgrader_config.py`` and ``source/``.

    Args:
        start: where to begin looking; the current directory by default.

    Raises:
        FileNotFoundError: no such folder above ``start``; run the command
            from the course (the repository root).
    """
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file() and (folder / "source").is_dir():
            return folder
    raise FileNotFoundError(
        f"No course found at or above {start}: expected a folder with {CONFIG_FILE} and source/. "
        "Run the command from the course root (the repository root) or pass --course."
    )


def assignments(root: Path) -> list[str]:
    """Return the ids of the assignments under ``source/``, sorted."""
    return sorted(path.parent.name for path in (root / "source").glob("*/*.ipynb") if path.stem == path.parent.name)


def source_notebook(root: Path, assignment: str) -> Path:
    """Return ``source/<id>/<id>.ipynb``, checking that it exists."""
    path = Course(root).source_notebook(assignment)
    if not path.is_file():
        known = ", ".join(assignments(root)) or "none"
        raise FileNotFoundError(f"No assignment {assignment!r}: {path} does not exist. Known assignments: {known}.")
    return path


@dataclass(frozen=True)
class Course:
    """The paths of one course (or scratch course) rooted at ``root``.

    Example:
        >>> Course(Path("/c")).results_json("fashion_dense", "alice").as_posix()
        '/c/feedback/alice/fashion_dense/results.json'
    """

    root: Path

    @property
    def config(self) -> Path:
        """``nbgrader_config.py``."""
        return self.root / CONFIG_FILE

    @property
    def gradebook(self) -> Path:
        """nbgrader's gradebook, ``gradebook.db``."""
        return self.root / GRADEBOOK_FILE

    def source_notebook(self, assignment: str) -> Path:
        """The instructor notebook, ``source/<id>/<id>.ipynb``."""
        return self.source_folder(assignment) / f"{assignment}.ipynb"

    def source_folder(self, assignment: str) -> Path:
        """The instructor's folder of an assignment, ``source/<id>/``."""
        return self.root / "source" / assignment

    def audit_verdicts(self, assignment: str) -> Path:
        """The mutants of an assignment recorded as equivalent, with why: ``audit/<id>.toml`` (never released)."""
        return self.root / "audit" / f"{assignment}.toml"

    @property
    def release_root(self) -> Path:
        """``release/``: every assignment's student files and the learner wheel."""
        return self.root / "release"

    def release_folder(self, assignment: str) -> Path:
        """The student files of an assignment, ``release/<id>/``."""
        return self.release_root / assignment

    def release_notebook(self, assignment: str) -> Path:
        """The student notebook, ``release/<id>/<id>.ipynb``."""
        return self.release_folder(assignment) / f"{assignment}.ipynb"

    @property
    def submitted_root(self) -> Path:
        """nbgrader's ``submitted/``: every student's submissions, where ``nbgrader collect`` puts them."""
        return self.root / "submitted"

    def submitted_folder(self, assignment: str, student: str) -> Path:
        """nbgrader's folder of a submission: the notebook, and its exchange's ``timestamp.txt`` and ``submission_secret.txt``."""
        return self.root / "submitted" / student / assignment

    def submitted_notebook(self, assignment: str, student: str) -> Path:
        """Where nbgrader keeps a student's submission."""
        return self.submitted_folder(assignment, student) / f"{assignment}.ipynb"

    def autograded_folder(self, assignment: str, student: str) -> Path:
        """nbgrader's autograded copy of a submission."""
        return self.root / "autograded" / student / assignment

    def autograded_notebook(self, assignment: str, student: str) -> Path:
        """The executed, autograded notebook."""
        return self.autograded_folder(assignment, student) / f"{assignment}.ipynb"

    def feedback_folder(self, assignment: str, student: str) -> Path:
        """Where a student's feedback HTML and ``results.json`` go."""
        return self.root / "feedback" / student / assignment

    def feedback_page(self, assignment: str, student: str) -> Path:
        """The feedback HTML a student receives."""
        return self.feedback_folder(assignment, student) / f"{assignment}.html"

    def results_json(self, assignment: str, student: str) -> Path:
        """A student's ``results.json``; it exists only once the student is fully graded."""
        return self.feedback_folder(assignment, student) / "results.json"

    def all_results_json(self, assignment: str) -> list[Path]:
        """Every ``results.json`` of ``assignment``, sorted by student."""
        return sorted((self.root / "feedback").glob(f"*/{assignment}/results.json"))

    def all_feedback_files(self, assignment: str) -> list[Path]:
        """Every file in the students' feedback folders of ``assignment`` (pages and ``results.json``), sorted."""
        return sorted((self.root / "feedback").glob(f"*/{assignment}/*"))

    def all_feedback_pages(self, assignment: str) -> list[Path]:
        """Every feedback HTML of ``assignment`` (what ``nbgrader release_feedback`` releases), sorted by student."""
        return sorted((self.root / "feedback").glob(f"*/{assignment}/*.html"))

    @property
    def grades_folder(self) -> Path:
        """Where the grade tables, exports and class reports go."""
        return self.root / "grades"

    def grades_csv(self, assignment: str) -> Path:
        """The grades CSV of ``assignment``."""
        return self.grades_folder / f"{assignment}.csv"

    def class_report(self, assignment: str) -> Path:
        """The class report of ``assignment`` (score histogram, pass rates, problems), an HTML page."""
        return self.grades_folder / f"{assignment}.html"

    def lms_export(self, assignment: str, lms_format: str) -> Path:
        """The grades of ``assignment`` as the LMS of ``lms_format`` imports them (``canvas``, ``moodle``, ``csv``)."""
        return self.grades_folder / f"{assignment}_{lms_format}.csv"

    def handback_zip(self, assignment: str, lms_format: str) -> Path:
        """The feedback pages of ``assignment`` zipped as the LMS of ``lms_format`` takes them back (``canvas``, ``moodle``)."""
        return self.grades_folder / f"{assignment}_{lms_format}_feedback.zip"

    @property
    def nbgrader_export(self) -> Path:
        """``nbgrader export``'s CSV of every assignment."""
        return self.grades_folder / "nbgrader_export.csv"

    @property
    def demo_folder(self) -> Path:
        """The scratch course ``autograder demo`` grades in by default, ``demo/``."""
        return self.root / "demo"

    @property
    def logs_folder(self) -> Path:
        """Where each ``autograder grade`` run keeps its log, ``.autograder/logs/``."""
        return self.root / RUNNER_FOLDER / "logs"

    @property
    def templates_folder(self) -> Path:
        """Where generated assignments are kept for the next grading run, ``.autograder/templates/``."""
        return self.root / RUNNER_FOLDER / "templates"

    @property
    def trained_store(self) -> Path:
        """Where local grading runs keep brief-training results for the next run, ``.autograder/trained/``."""
        return self.root / RUNNER_FOLDER / "trained"

    def run_log(self, run: str) -> Path:
        """The log of the grading run named ``run`` (``<time>-<assignment>``)."""
        return self.logs_folder / f"{run}.log"

    def private_paths(self) -> list[Path]:
        """Folders and files of the course that learner code must not see."""
        return [self.root / name for name in PRIVATE_NAMES]
