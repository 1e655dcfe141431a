#!/usr/bin/env bash
# The main job: build release/ and solutions/, autograde three sample
# submissions with real nbgrader, print the grade table, write feedback HTML.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec .venv/bin/autograder demo "$@"
