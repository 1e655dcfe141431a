#!/usr/bin/env bash
# Sourced by demo.sh and test.sh: makes .venv with the project installed (for the demo, or SETUP_FOR=test),
# installs Fashion-MNIST from Debian when running as root, and points
# AUTOGRADER_DATA_DIR at ../shared/datasets when that folder exists.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($python --version)"
  "$python" -m venv .venv
fi
# What to install: the demo needs the project alone (Keras on TensorFlow); the tests (SETUP_FOR=test, from
# test.sh) also need pytest, both other Keras backends and the cluster engine (the `test` extra). Both at the
# versions grading was calibrated on (autograder/calibrated.txt).
setup_for=${SETUP_FOR:-demo}
extras=""
if [ "$setup_for" = test ]; then extras="[test]"; fi
fingerprint=$(cat pyproject.toml autograder/calibrated.txt | sha256sum | cut -c1-16)
stamp=".venv/.installed-$setup_for-$fingerprint"
if [ ! -f "$stamp" ] && [ ! -f ".venv/.installed-test-$fingerprint" ]; then
  echo "setup: installing the project for the $setup_for into .venv (a few minutes the first time)"
  # PyTorch (tests only) is pinned to the CPU build where one lies on this machine's disk (see
  # scripts/torch-cpu.txt); elsewhere pip takes PyPI's build.
  torch_pin=()
  if [ "$setup_for" = test ] && ls /opt/wheels/torch-2.13.0+cpu-*.whl >/dev/null 2>&1; then
    torch_pin=(-c scripts/torch-cpu.txt)
  fi
  if ! { .venv/bin/python -m pip install --upgrade pip \
         && .venv/bin/python -m pip install -c autograder/calibrated.txt "${torch_pin[@]}" -e ".$extras"; } \
       > .venv/install.log 2>&1; then
    tail -n 30 .venv/install.log >&2
    echo "setup: pip install failed; the whole log is in .venv/install.log" >&2
    exit 1
  fi
  touch "$stamp"
fi

if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Fashion-MNIST (Debian package dataset-fashion-mnist)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
  else
    echo "setup: Fashion-MNIST is missing. Run 'sudo apt-get install dataset-fashion-mnist'," \
         "or set AUTOGRADER_DATA_DIR to a folder with its four IDX .gz files." >&2
  fi
fi

if [ -z "${AUTOGRADER_DATA_DIR:-}" ] && [ -d ../shared/datasets ]; then
  AUTOGRADER_DATA_DIR="$(cd ../shared/datasets && pwd)"
  export AUTOGRADER_DATA_DIR
fi
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-3}
export MPLBACKEND=${MPLBACKEND:-Agg}
