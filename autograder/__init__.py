"""Autograder for a GPU-graded course on convolutional neural networks.

Three parts, for two audiences:

- `autograder.learner`: what release notebooks import, and all that the
  student package holds (`autograder build` writes it to ``release/`` as a
  wheel). No answer lives here.

  - `datasets`: find, verify and load the course's datasets.
  - `modes`: learning mode or grading mode, and what that changes.
  - `budgets`: every number grading depends on (subsets, budgets, thresholds).
  - `checks`: assertions with messages a student can act on.
  - `plots`: the figures the lessons show.
  - `training`: brief training, the learner's side (a request to the trusted trainer).

- `autograder.authoring`: what the instructor builds the course with.

  - `build`: ``release/`` and ``solutions/`` from ``source/``, and the student package.
  - `student_package`: the student wheel.
  - `solutions`: a source notebook as a plain answer key.
  - `samples`: submissions made from a release notebook and answers.
  - `corpus`: right and wrong answers per assignment.
  - `cell_tests`: a notebook's test cells run in-process against answers.
  - `calibration`: measuring accuracy thresholds.
  - `backend_parity`: grading the corpus under one Keras backend.
  - `leaks`: finding answers or hidden tests where students could read them.

- `autograder.grading`: the grading runner; a submission's whole path.

  - `submissions`: finding a class's notebooks (nbgrader layout, LMS folders, zips).
  - `batch`: plan, resume, progress; jobs to an executor, outcomes to the recorder.
  - `templates`: the generated assignment a run starts from, kept until its source changes.
  - `hops`: how the grading processes start and the frames they exchange.
  - `job`: the self-contained `GradingJob` and its `GradingOutcome`.
  - `executors`: warm worker pools here, or on a Dask cluster.
  - `worker`: one warm grading process.
  - `submission`: grading one notebook in a worker (nbgrader autograde and feedback).
  - `kernels`: the learner's sandboxed kernels, one started ahead.
  - `execute`: nbgrader's Execute step hardened for untrusted notebooks.
  - `guard`: undoing a learner's patches before hidden tests.
  - `sandbox`: confining learner kernels (network, processes, files, limits).
  - `trainer`, `training_service`: the trusted trainer, warm per worker.
  - `feedback`: feedback pages without hidden tests.
  - `record`: the one writer of gradebook, feedback, results.json and tables.
  - `results`: one graded submission, results.json, the grades CSV.
  - `progress`: the progress bar or lines.
  - `runlog`: each run's log under the course, worker and trainer lines included.
  - `cluster`: Dask workers for grading, and what a cluster offers.
  - `hardware`, `workfolders`: GPUs and cores; each run's private folder.

- Shared: `course` (the one home of course paths), `settings` (what a
  course sets for grading in ``nbgrader_config.py``), `notebooks` (cell
  roles), `nbgrader_run` (nbgrader commands and gradebooks),
  `install_check` (this install, not the learner package over it),
  `calibrated` (the library versions grading was calibrated on), and the
  commands: `cli`, `demo`, `doctor`.
"""

import sys

# nbformat (so nbgrader) imports jsonschema, which builds a parser for IRI format checks at import where the
# optional rfc3987-syntax is installed (jupyter-events pulls it in): 2 s in every grading process and command, for
# a format no notebook schema uses. Without it, jsonschema leaves that one check out.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

__version__ = "0.1.0"
# The distribution this ``autograder/__init__.py`` belongs to; the student package's names its own
# (`autograder.install_check` tells the two apart).
__distribution__ = "cnn-course-autograder"
