#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image from
# autograder.zip (written by `autograder gradescope ID`), with the zip unpacked
# in /autograder/source. It installs what grading needs and the assignment's data.
#
# Environment (all optional; Gradescope sets none of them):
#   AUTOGRADER_GRADESCOPE_ROOT          the /autograder folder (default /autograder)
#   AUTOGRADER_GRADESCOPE_PYTHON        the Python that grades (default $ROOT/venv/bin/python)
#   AUTOGRADER_GRADESCOPE_SKIP_INSTALL  1: no apt or PyPI step; that Python has everything already
#   AUTOGRADER_DATA_DIR                 a folder that holds the datasets: use it, fetch nothing
set -euo pipefail

ROOT="${AUTOGRADER_GRADESCOPE_ROOT:-/autograder}"
SOURCE="$ROOT/source"
PYTHON="${AUTOGRADER_GRADESCOPE_PYTHON:-$ROOT/venv/bin/python}"
# ASSIGNMENT (the assignment id), WHEEL (this project's wheel), DATASETS (what the notebook loads)
source "$SOURCE/assignment.env"

if [ "${AUTOGRADER_GRADESCOPE_SKIP_INSTALL:-}" = "1" ]; then
    echo "setup.sh: AUTOGRADER_GRADESCOPE_SKIP_INSTALL=1: no apt or PyPI step; grading with $PYTHON"
    if [ ! -x "$PYTHON" ]; then
        echo "setup.sh: expected a Python with this project installed at $PYTHON; found nothing there" >&2
        exit 1
    fi
else
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-venv python3-pip
    if [ ! -x "$PYTHON" ]; then
        python3 -m venv "$ROOT/venv"
    fi
    "$PYTHON" -m pip install --upgrade pip
    # Keras on TensorFlow's CPU build, nbgrader and the rest of the project's requirements, at the versions
    # grading was calibrated on.
    "$PYTHON" -m pip install -r "$SOURCE/requirements.txt" -c "$SOURCE/constraints.txt"
    "$PYTHON" -m pip install --no-deps "$SOURCE/$WHEEL"
fi
export PATH="$(dirname "$PYTHON"):$PATH"

"$PYTHON" - <<'PYTHON'
import importlib.metadata, keras, nbgrader, tensorflow
from autograder.grading.notebook import sandbox
print(f"setup.sh: autograder {importlib.metadata.version('cnn-course-autograder')}, keras {keras.__version__} "
      f"on {keras.backend.backend()} {tensorflow.__version__}, nbgrader {nbgrader.__version__}; sandbox "
      + ("available" if sandbox.available() else "not available: learner code runs with network and can read the course"))
PYTHON

# The data: from AUTOGRADER_DATA_DIR when it is set, else from the zip's datasets/
# (what has no public download) and the official hosts (the rest, checked against
# pinned sha256), downloaded into the same folder.
if [ -n "${AUTOGRADER_DATA_DIR:-}" ]; then
    echo "setup.sh: datasets from AUTOGRADER_DATA_DIR=$AUTOGRADER_DATA_DIR; nothing fetched"
    export AUTOGRADER_OFFLINE=1
else
    export AUTOGRADER_DATA_DIR="$SOURCE/datasets" KERAS_HOME="$SOURCE"
fi
for name in $DATASETS; do
    "$PYTHON" -c 'import sys
from autograder.learner import datasets
(x_train, _), (x_test, _) = datasets.load(sys.argv[1], subset="full")
print(f"setup.sh: dataset {sys.argv[1]}: {len(x_train)} training and {len(x_test)} test images in {datasets.locate(sys.argv[1])[0]}")' "$name"
done

# Register the assignment in the course's gradebook once, here, rather than for every submission.
cd "$SOURCE/course"
"$PYTHON" -m nbgrader generate_assignment "$ASSIGNMENT" --force --log-level=WARN
echo "setup.sh: $ASSIGNMENT is ready to grade"
