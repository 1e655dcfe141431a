"""The grading runner (instructor only): refuses to load under a learner package that shadows this install.

Read it in stages, in the order a submission travels: ``intake/`` (finding
the submissions), ``runner/`` (one run: plan, hand out, record),
``notebook/`` (a worker grading one notebook in a sandboxed kernel),
``trainer/`` (the trusted trainer behind the hidden accuracy checks) and
``output/`` (records, reports, exports, feedback handed back). Each stage
imports only the stages below it in the order runner, output, intake,
notebook, trainer (tests/test_layering.py checks it). Beside them sit the
modules every stage shares (`job`, `hops`, `results`, `late`, `processes`,
`workfolders`) and the nbgrader plugins a course's ``nbgrader_config.py``
names (`execute` with its `guard`, `feedback`, `late`), which keep their
names so that existing course configs load.
"""

from autograder.install_check import require_instructor_install

require_instructor_install()
