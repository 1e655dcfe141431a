"""A term in the instructor's hands, with real nbgrader: hand grades survive every regrade, late work counts.

One course lives through the weeks after the first batch, in order:

1. a Canvas download is graded with a due date (Alice on time, Bob's file
   marked ``_LATE``); the course charges 25 % per day late
   (`autograder.grading.late.PercentPerDay`);
2. the written answers are graded by hand through nbgrader's gradebook API,
   as formgrader does, with a comment on each;
3. the class is regraded with ``--force``, then Bob alone with
   ``--student --force``: every hand grade and comment is as it was;
4. Bob resubmits with one written answer rewritten: that answer keeps its
   grade and is flagged for review again, the other is untouched;
5. a Gradescope export brings Carol, submitted two days after the due date;
6. ``autograder feedback`` writes the pages again: each shows the hand
   scores and comments, the late penalty, and no hidden test;
7. the exports count the hand points, less the late penalties.

The notebooks leave the code stubs in place (the written answers are what
is hand-graded), so each grades in seconds.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
from pathlib import Path

import nbformat
import pytest

from autograder import cli, course, nbgrader_run, notebooks
from autograder.authoring import samples
from autograder.course import Course
from autograder.grading import results
from autograder.grading.output import export
import lms_files
from conftest import require

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "fashion_dense"
DUE = "2026-11-30T17:00:00+00:00"
ALICE, BOB, CAROL = "jonesalice_12345", "smithbob_23456", "Carol_Diaz_777"
ANSWERS = {"human_performance": "People would confuse shirts and T-shirts.", "confusions": "Shirts with T-shirts."}
REWRITTEN = {**ANSWERS, "confusions": "Pullovers with coats, because both have long sleeves."}
HAND = {  # what the human grader enters: (grade_id, score, comment)
    ALICE: [("human_performance", 1.0, "Name a class pair."), ("confusions", 2.0, "Good.")],
    BOB: [("human_performance", 2.0, "Clear."), ("confusions", 1.0, "Which classes?")],
}
PENALTY_CONFIG = '\nc.AssignLatePenalties.plugin_class = "autograder.grading.late.PercentPerDay"\nc.PercentPerDay.percent_per_day = 25\n'
GRADESCOPE_METADATA = lms_files.gradescope_metadata(
    {"submission_4242": ([("Carol Diaz", "777", "carol@example.edu")], "2026-12-02 09:00:00.000000000 -08:00")})


def _hand_state(the_course: Course) -> dict[tuple[str, str], tuple[float | None, bool, str | None]]:
    """Every written answer's (manual score, needs manual grade, comment), by student and grade id."""
    state = {}
    with nbgrader_run.open_gradebook(the_course.gradebook) as gradebook:
        for student in (ALICE, BOB, CAROL):
            for grade_id in ANSWERS:
                try:
                    grade = gradebook.find_grade(grade_id, ASSIGNMENT, ASSIGNMENT, student)
                    comment = gradebook.find_comment(grade_id, ASSIGNMENT, ASSIGNMENT, student).manual_comment
                except Exception:  # noqa: BLE001 - nbgrader's MissingEntry: the student is not graded yet
                    continue
                state[(student, grade_id)] = (grade.manual_score, bool(grade.needs_manual_grade), comment)
    return state


def _grade_by_hand(the_course: Course, student: str, marks: list[tuple[str, float, str]]) -> None:
    """Enter hand grades and comments as formgrader does: through nbgrader's gradebook API."""
    with nbgrader_run.open_gradebook(the_course.gradebook) as gradebook:
        for grade_id, score, comment in marks:
            grade = gradebook.find_grade(grade_id, ASSIGNMENT, ASSIGNMENT, student)
            grade.manual_score, grade.needs_manual_grade = score, False
            gradebook.find_comment(grade_id, ASSIGNMENT, ASSIGNMENT, student).manual_comment = comment
        gradebook.db.commit()


def _run(*arguments: str) -> tuple[int, str]:
    """Run the ``autograder`` command; its exit status and what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = cli.main(list(arguments))
    return status, printed.getvalue()


def _grade(the_course: Course, submissions: Path, *flags: str) -> tuple[int, str]:
    return _run("--course", str(the_course.root), "grade", ASSIGNMENT, "--submissions", str(submissions),
                "--workers", "2", *flags)


@pytest.fixture(scope="module")
def term(root, tmp_path_factory, scratch_courses):
    """Run the term (see the module); return the course and what each step left."""
    require("fashion_mnist")
    course_root = scratch_courses.make("term-course", extra_config=PENALTY_CONFIG)
    the_course = Course(course_root)
    release = notebooks.read(Course(root).release_notebook(ASSIGNMENT))
    canvas = tmp_path_factory.mktemp("canvas")
    (canvas / f"jonesalice_12345_67890_{ASSIGNMENT}.ipynb").write_text(nbformat.writes(samples.fill(release, ANSWERS)))
    (canvas / f"smithbob_LATE_23456_78901_{ASSIGNMENT}.ipynb").write_text(nbformat.writes(samples.fill(release, ANSWERS)))
    seen = {}
    seen["first"] = _grade(the_course, canvas, "--due", DUE)
    for student, marks in HAND.items():
        _grade_by_hand(the_course, student, marks)
    seen["hand"] = _hand_state(the_course)
    seen["force"] = _grade(the_course, canvas, "--force")
    seen["after_force"] = _hand_state(the_course)
    seen["student"] = _grade(the_course, canvas, "--force", "--student", BOB)
    seen["after_student"] = _hand_state(the_course)
    (canvas / f"smithbob_LATE_23456_78901_{ASSIGNMENT}-1.ipynb").write_text(nbformat.writes(samples.fill(release, REWRITTEN)))
    (canvas / f"smithbob_LATE_23456_78901_{ASSIGNMENT}.ipynb").unlink()
    seen["resubmitted"] = _grade(the_course, canvas)
    seen["after_resubmission"] = _hand_state(the_course)
    gradescope = tmp_path_factory.mktemp("gradescope")
    (gradescope / "submission_metadata.yml").write_text(GRADESCOPE_METADATA)
    (gradescope / "submission_4242").mkdir()
    (gradescope / "submission_4242" / f"{ASSIGNMENT}.ipynb").write_text(nbformat.writes(samples.fill(release, ANSWERS)))
    seen["gradescope"] = _grade(the_course, gradescope)
    _grade_by_hand(the_course, CAROL, [("human_performance", 2.0, "Well argued."), ("confusions", 2.0, "Yes.")])
    seen["feedback"] = _run("--course", str(course_root), "feedback", ASSIGNMENT)
    return the_course, seen


def test_every_run_of_the_term_exits_0(term):
    _, seen = term
    for step in ("first", "force", "student", "resubmitted", "gradescope", "feedback"):
        assert seen[step][0] == 0, f"{step}: {seen[step][1][-2000:]}"


def test_hand_grades_and_comments_survive_a_forced_regrade_of_the_class_and_of_one_student(term):
    _, seen = term
    assert seen["hand"][(ALICE, "human_performance")] == (1.0, False, "Name a class pair.")
    assert seen["hand"][(BOB, "confusions")] == (1.0, False, "Which classes?")
    assert seen["after_force"] == seen["hand"]
    assert seen["after_student"] == seen["hand"]


def test_a_rewritten_answer_keeps_its_grade_and_is_flagged_for_review(term):
    the_course, seen = term
    after = seen["after_resubmission"]
    assert after[(BOB, "confusions")] == (1.0, True, "Which classes?")  # kept, flagged again
    assert after[(BOB, "human_performance")] == seen["hand"][(BOB, "human_performance")]  # unchanged answer: untouched
    assert {key: value for key, value in after.items() if key[0] == ALICE} == {
        key: value for key, value in seen["hand"].items() if key[0] == ALICE}
    assert f"{BOB}" in seen["resubmitted"][1] and "changed since graded by hand: confusions" in seen["resubmitted"][1]
    recorded = results.read_json(the_course.results_json(ASSIGNMENT, BOB))
    assert recorded.manual_changed == ["confusions"] and "confusions" in recorded.manual
    page = the_course.class_report(ASSIGNMENT).read_text(encoding="utf-8")
    assert "changed since graded by hand" in page and BOB in page


def test_late_work_is_dated_and_penalised_by_the_course_rule(term):
    the_course, _ = term
    alice, bob, carol = (results.read_json(the_course.results_json(ASSIGNMENT, s)) for s in (ALICE, BOB, CAROL))
    assert not alice.late and alice.late_penalty == 0
    assert bob.flagged_late and bob.late and bob.late_penalty == pytest.approx(0.25 * 3)  # one day: 25 % of 3 points
    assert carol.submitted_at.startswith("2026-12-02T09:00:00-08:00") or carol.submitted_at.startswith("2026-12-02T17:00:00")
    assert carol.seconds_late == pytest.approx(2 * 86400)  # 2026-12-02 17:00 UTC, two days after the due date
    assert carol.late_penalty == pytest.approx(0.5 * 4)  # two days: 50 % of 4 points
    stamp = (the_course.submitted_notebook(ASSIGNMENT, CAROL).parent / "timestamp.txt").read_text()
    assert stamp.startswith("2026-12-02 17:00:00")  # nbgrader's timestamp.txt, so its own tools agree
    with nbgrader_run.open_gradebook(the_course.gradebook) as gradebook:
        assert gradebook.find_submission(ASSIGNMENT, CAROL).total_seconds_late == pytest.approx(2 * 86400)
        assert gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, CAROL).late_submission_penalty == pytest.approx(2)


def test_regenerated_feedback_shows_hand_grades_comments_and_penalty_but_no_hidden_test(term, root):
    the_course, seen = term
    hidden = notebooks.secret_lines(notebooks.read(course.source_notebook(root, ASSIGNMENT))).hidden
    for student, comments in ((ALICE, ["Name a class pair.", "Good."]), (CAROL, ["Well argued.", "Yes."])):
        page = the_course.feedback_page(ASSIGNMENT, student).read_text(encoding="utf-8")
        assert all(comment in page for comment in comments), student
        assert "BEGIN HIDDEN TESTS" not in page
        assert not [line for line in hidden if len(line) > 15 and html.escape(line) in page]
    carol_page = the_course.feedback_page(ASSIGNMENT, CAROL).read_text(encoding="utf-8")
    assert "Late submission penalty (Score: -2.0)" in carol_page
    assert f"wrote {the_course.feedback_page(ASSIGNMENT, ALICE)}" in seen["feedback"][1]


def test_exports_count_hand_points_less_late_penalties_and_say_who_was_late(term):
    the_course, _ = term
    canvas = export.export(the_course, ASSIGNMENT, "canvas")
    with canvas.path.open(newline="", encoding="utf-8") as handle:
        _, _, *rows = list(csv.reader(handle))
    assert {row[1]: row[5] for row in rows} == {"12345": "3", "23456": "2.25"}  # Bob: 3 hand points less 25 %
    assert canvas.late == {BOB: "late (time unknown), 0.75 point(s) taken"}
    table = export.export(the_course, ASSIGNMENT, "csv")
    with table.path.open(newline="", encoding="utf-8") as handle:
        by_student = {row["student"]: row for row in csv.DictReader(handle)}
    assert (by_student[CAROL]["score"], by_student[CAROL]["late"], by_student[CAROL]["late_penalty"]) == ("2", "2 d late", "2")
    assert (by_student[BOB]["late"], by_student[ALICE]["late"]) == ("late (time unknown)", "")
    assert table.late[CAROL] == "2 d late, 2 point(s) taken"
    status, printed = _run("--course", str(the_course.root), "export", ASSIGNMENT, "--format", "csv")
    assert status == 0 and f"late: {CAROL}: 2 d late, 2 point(s) taken" in printed
    page = the_course.class_report(ASSIGNMENT).read_text(encoding="utf-8")
    assert "Late work" in page and CAROL in page
