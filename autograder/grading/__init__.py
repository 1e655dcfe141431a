"""The grading runner (instructor only): refuses to load under a learner package that shadows this install."""

from autograder.install_check import require_instructor_install

require_instructor_install()
