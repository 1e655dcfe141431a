#!/usr/bin/env bash
# The full test suite (about 50 minutes on 2 CPU cores, plus the install the first time).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# Two test processes (pytest-xdist): most tests wait on kernels, process start-up and time limits, so a second
# keeps the cores busy; tests/conftest.py keeps each graded batch on one of them.
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
