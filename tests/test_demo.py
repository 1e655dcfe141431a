"""The demo's sample submissions and grade table (the full demo runs from README's command)."""

from __future__ import annotations

from autograder import demo, notebooks
from autograder.notebooks import role_cells
from autograder.grading.results import SubmissionResult


def test_sample_submissions(root):
    submissions = demo.sample_submissions(root, "fashion_dense")
    assert list(submissions) == ["correct", "lesson_style", "some_wrong", "untouched"]
    release = notebooks.read(root / "release" / "fashion_dense" / "fashion_dense.ipynb")
    assert submissions["untouched"] == release

    def answers(student):
        return {c.grade_id: c.source for c in role_cells(submissions[student]) if c.role == "solution"}

    assert not any("NotImplementedError" in code for code in answers("correct").values())
    changed = {cell for cell, code in answers("some_wrong").items() if code != answers("correct")[cell]}
    assert changed == {"scale_images", "build_dense_model", "callbacks"}


def test_grade_table():
    full = {"test_a": 2.0, "test_b": 1.0}
    grades = [
        SubmissionResult("correct", "quiz", "graded", scores=dict(full), max_scores=full, seconds=12.34),
        SubmissionResult("untouched", "quiz", "graded", scores={"test_a": 0.0, "test_b": 0.0}, max_scores=full, seconds=3.0),
    ]
    lines = demo.grade_table("quiz", grades).splitlines()
    assert lines[0] == "quiz: automatic scores per test cell"
    assert lines[1].split() == ["student", "a", "b", "total", "seconds"]
    assert lines[2].split() == ["correct", "2/2", "1/1", "3/3", "12.3"]
    assert lines[3].split() == ["untouched", "0/2", "0/1", "0/3", "3.0"]


def test_the_demo_fails_when_a_sample_is_not_graded_or_graded_against_expectation():
    full = {"test_a": 2.0}
    right = SubmissionResult("correct", "quiz", "graded", scores=dict(full), max_scores=full)
    untouched = SubmissionResult("untouched", "quiz", "graded", scores={"test_a": 0.0}, max_scores=full)
    some_wrong = SubmissionResult("some_wrong", "quiz", "graded", scores={"test_a": 1.0}, max_scores=full)
    assert demo.problems([right, untouched, some_wrong]) == []
    kernel_lost = SubmissionResult("correct", "quiz", "not_graded", max_scores=full,
                                   reason="learner's kernel did not start (No module named 'autograder')")
    short = SubmissionResult("lesson_style", "quiz", "graded", scores={"test_a": 1.0}, max_scores=full)
    gifted = SubmissionResult("untouched", "quiz", "graded", scores={"test_a": 2.0}, max_scores=full)
    assert demo.problems([kernel_lost, short, gifted]) == [
        "quiz/correct was not graded (not_graded): learner's kernel did not start (No module named 'autograder')",
        "quiz/lesson_style got 1/2; right answers should get full marks",
        "quiz/untouched got 2 points for answering nothing"]


def test_cli_reports_unknown_assignment(capsys, root):
    from autograder import cli

    assert cli.main(["--course", str(root), "build", "--check", "nope"]) == 2
    assert "No assignment 'nope'" in capsys.readouterr().err
