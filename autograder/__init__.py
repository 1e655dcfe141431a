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
- `nbgrader_run`: running nbgrader commands and reading its gradebook.
- `submissions`: finding a class's notebooks (nbgrader layout, folders, zips).
- `grading`: the runner behind ``autograder grade``.
- `workfolders`: each grading run's private folder, and removing killed runs' ones.
- `execute`: nbgrader's Execute step hardened for untrusted notebooks.
- `guard`: undoing a learner's patches before hidden tests.
- `sandbox`: no network and private files hidden for learner code.
- `results`: one graded submission, results.json, the grades CSV.
- `hardware`: GPUs, cores and the runner's defaults.
- `doctor`: what the machine offers for grading.
- `backends`: grading the corpus under one Keras backend.
- `calibration`: measuring accuracy thresholds.
- `cli`: the `autograder` command.
"""

__version__ = "0.1.0"
