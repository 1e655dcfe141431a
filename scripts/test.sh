#!/usr/bin/env bash
# The full test suite (29.5 minutes on 2 CPU cores, plus the install the first time).
set -euo pipefail
SETUP_FOR=test source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# Two processes (pytest-xdist): a grading batch leaves a core idle about a third of the time. Tests that share a
# graded batch or a module's fixtures run in one process (tests/conftest.py); `-n 0` runs everything in one.
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
