#!/usr/bin/env bash
# The full test suite (about 10 minutes on 2 CPU cores).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec .venv/bin/python -m pytest "$@"
