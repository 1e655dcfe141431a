"""What a learner reads when nbgrader itself could not grade a notebook (`grade_one.nbgrader_problem`)."""

from __future__ import annotations

import pytest

from autograder.grading.notebook.grade_one import nbgrader_problem

pytestmark = pytest.mark.quick

# What nbgrader's API answered when the disk filled while it wrote the gradebook (trimmed).
DISK_FULL_LOG = """[INFO] Autograding /work/autograded/s1/fashion_dense/fashion_dense.ipynb
[WARNING] Removing failed assignment: /work/autograded/s1/fashion_dense
[ERROR] Traceback (most recent call last):
      File ".../sqlalchemy/engine/default.py", line 1192, in do_execute
        cursor.execute(statement, parameters)
    sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database or disk is full
    [SQL: UPDATE grade SET auto_score=?, needs_manual_grade=? WHERE grade.id = ?]
[ERROR] There was an error accessing the nbgrader database. This may occur if you recently upgraded nbgrader.
"""
DISK_FULL_ERROR = """Traceback (most recent call last):
  File ".../nbgrader/converters/base.py", line 419, in convert_notebooks
    raise NbGraderException(msg)
nbgrader.converters.base.NbGraderException: There was an error accessing the nbgrader database.
"""


def test_the_cause_is_named_not_the_advice_that_followed_it():
    problem = nbgrader_problem({"success": False, "log": DISK_FULL_LOG, "error": DISK_FULL_ERROR})
    assert problem == "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database or disk is full"


def test_a_logged_error_without_a_traceback_is_named():
    answer = {"success": False, "log": "[INFO] Converting\n[ERROR] No notebooks were matched by 'x.ipynb'\n"}
    assert nbgrader_problem(answer) == "No notebooks were matched by 'x.ipynb'"


def test_an_answer_with_nothing_in_it_says_so():
    assert nbgrader_problem({"success": False}) == "no output"
    assert nbgrader_problem({"success": False, "log": "[INFO] done\n"}) == "[INFO] done"
