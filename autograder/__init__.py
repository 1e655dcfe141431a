"""Autograder for a GPU-graded course on convolutional neural networks.

Modules, one job each:

- `datasets`: find, verify and load the course's datasets.
- `modes`: learning mode or grading mode, and what that changes.
- `budgets`: every number grading depends on (subset sizes, training
  budgets, accuracy thresholds), in one place.
- `checks`: assertions on a learner's model or function with messages a
  student can act on.
- `training`: brief, deterministic training of a learner's model in a fresh
  process.
- `plots`: the figures the lessons show.
- `notebooks`: reading the nbgrader roles of a notebook's cells.
- `solutions`: turning a source notebook into a plain answer key.
- `build`: regenerating `release/` and `solutions/` from `source/`.
- `samples`: making submissions from a release notebook and answers.
- `cell_tests`: running a notebook's own test cells in-process.
- `nbgrader_run`: driving real nbgrader in a scratch course.
- `calibration`: measuring accuracy thresholds.
- `cli`: the `autograder` command.
"""

__version__ = "0.1.0"
