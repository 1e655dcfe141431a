"""`StudentFeedback` on a small notebook executed by a real kernel: no hidden line in the page, in either mode.

The notebook has a test cell whose hidden block defines a helper and fails
(its traceback quotes hidden lines), and a learner cell with a long output
that calls the hidden helper (its traceback has frames of the learner's
own code and of the hidden block). Each mode's page is rendered with
nbconvert's HTML exporter, as ``nbgrader generate_feedback`` renders it,
and searched with `autograder.authoring.leaks`.
"""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_notebook

from autograder import notebooks
from autograder.authoring import leaks
from autograder.grading.feedback import HIDDEN_NOTE, StudentFeedback, without_hidden_lines

pytestmark = pytest.mark.quick

SETUP = "import numpy as np"
TEST_CELL = """assert callable(np.ones)
### BEGIN HIDDEN TESTS
_expected_units_for_grading = [128, 64, 10]
def _hidden_grading_helper(found):
    assert found == _expected_units_for_grading, "layer units differ from what the grader expects"
_hidden_grading_helper([128, 10])
### END HIDDEN TESTS
"""
LEARNER_CELL = """for epoch in range(60):
    print(f"epoch {epoch}: loss {1 / (epoch + 1):.4f}")
def check_my_units(units):
    return _hidden_grading_helper(units)
check_my_units([32, 10])
"""
LONG_OUTPUT_LINE = "epoch 30: loss 0.0323"
# A frame of the learner's own function: only a traceback shows it.
LEARNER_FRAME = "in check_my_units(units)"


def nbgrader_cell(source: str, role: str, grade_id: str) -> nbformat.NotebookNode:
    meta = {"grade_id": grade_id, "schema_version": 3, "locked": role != "solution", "solution": role == "solution",
            "grade": role == "test"}
    if role == "test":
        meta.update(points=2, score=0.0)
    return new_code_cell(source, metadata={"nbgrader": meta})


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    """The notebook after a real kernel ran it (errors kept, as nbgrader autograde keeps them)."""
    notebook = new_notebook(cells=[nbgrader_cell(SETUP, "readonly", "setup"),
                                   nbgrader_cell(TEST_CELL, "test", "test_units"),
                                   nbgrader_cell(LEARNER_CELL, "solution", "answer")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, timeout=60, allow_errors=True).execute()
    return notebook


@pytest.fixture(scope="module")
def hidden(executed) -> frozenset[str]:
    return notebooks.secret_lines(executed).hidden


def page(notebook: nbformat.NotebookNode, full_outputs: bool | None) -> str:
    """The notebook as its feedback HTML, after `StudentFeedback` (``None``: without it, nbgrader's own rendering)."""
    notebook = copy.deepcopy(notebook)
    if full_outputs is not None:
        notebook, _ = StudentFeedback(full_outputs=full_outputs).preprocess(notebook, {})
    body, _ = HTMLExporter().from_notebook_node(notebook)
    return leaks.readable_text(body)


@pytest.mark.quick
def test_the_notebook_would_leak_without_student_feedback(executed, hidden):
    learner_error = executed.cells[2].outputs[-1]
    assert learner_error.output_type == "error" and "_hidden_grading_helper" in "".join(learner_error.traceback)
    assert len(leaks.leaks(page(executed, None), hidden)) == len(hidden) == 4


@pytest.mark.quick
@pytest.mark.parametrize("full_outputs", [False, True], ids=["messages", "full"])
def test_no_hidden_line_in_either_mode(executed, hidden, full_outputs):
    shown = page(executed, full_outputs)
    assert leaks.leaks(shown, hidden) == []
    assert HIDDEN_NOTE.strip() in shown and "BEGIN HIDDEN TESTS" not in shown
    assert "Tests that lost points" in shown and "layer units differ from what the grader expects" in shown


@pytest.mark.quick
def test_messages_mode_folds_outputs_and_tracebacks(executed):
    shown = page(executed, False)
    assert "lines folded" in shown and LONG_OUTPUT_LINE not in shown
    assert "Traceback" not in shown and LEARNER_FRAME not in shown


@pytest.mark.quick
def test_full_mode_keeps_outputs_and_the_learners_traceback(executed):
    shown = page(executed, True)
    assert "lines folded" not in shown and LONG_OUTPUT_LINE in shown
    assert LEARNER_FRAME in shown and "----> 5 check_my_units([32, 10])" in shown and "Traceback" in shown


@pytest.mark.quick
def test_full_mode_keeps_test_cells_errors_to_one_line(executed):
    notebook, _ = StudentFeedback(full_outputs=True).preprocess(copy.deepcopy(executed), {})
    test_error = [output for output in notebook.cells[2].outputs if output.output_type == "error"]
    assert [len(output.traceback) for output in test_error] == [1]
    assert test_error[0].traceback[0].startswith("AssertionError: layer units differ")


@pytest.mark.quick
def test_a_frame_loses_only_the_lines_that_quote_hidden_code():
    frame = ("Cell \x1b[0;32mIn[2], line 4\x1b[0m, in \x1b[0;36m_check\x1b[0;34m(found)\x1b[0m\n"
             "\x1b[1;32m      3\x1b[0m \x1b[38;5;28;01mdef\x1b[39;00m \x1b[38;5;21m_check\x1b[39m(found):\n"
             "\x1b[0;32m----> 4\x1b[0m     \x1b[38;5;28;01massert\x1b[39;00m found \x1b[38;5;241m==\x1b[39m [128, 10]\n"
             "\x1b[1;32m      5\x1b[0m print(found)")
    kept = without_hidden_lines(frame, {"assert found == [128, 10]", "def _check(found):"})
    assert kept.split("\n") == [frame.split("\n")[0], frame.split("\n")[3]]
