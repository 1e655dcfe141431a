#!/usr/bin/env bash
# The full test suite (21 to 33 minutes on 2 CPU cores, by the machine's speed, plus the install the first time).
set -euo pipefail
SETUP_FOR=test source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec .venv/bin/python -m pytest "$@"
