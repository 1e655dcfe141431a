"""Virtual environments for install tests: new, empty environments that borrow only third-party libraries.

Installing TensorFlow, Keras and nbgrader into every test environment would
take minutes, so a test environment reads those from the course's own
environment through a ``.pth`` line (which adds that ``site-packages`` to
``sys.path`` but runs none of its ``.pth`` files, so the course's editable
install of this project stays invisible). What the test installs with
pip, a wheel of ours, is the only ``autograder`` there.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
from pathlib import Path


def borrowing_venv(folder: Path) -> Path:
    """Create a virtual environment at ``folder`` that borrows the running environment's libraries; return its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    borrowed = [path for path in site.getsitepackages() if Path(path).is_dir()] or [sysconfig.get_paths()["purelib"]]
    (Path(own) / "borrowed-libraries.pth").write_text("\n".join(borrowed) + "\n")
    return python


def pip_install(python: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Run the running environment's pip for the environment of ``python`` (offline, no dependencies fetched)."""
    return subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index",
                           "--no-deps", "--quiet", *arguments], capture_output=True, text=True, check=True)


def pip_uninstall(python: Path, *distributions: str) -> subprocess.CompletedProcess:
    """Uninstall ``distributions`` from the environment of ``python`` with the running environment's pip."""
    return subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "uninstall", "--yes", "--quiet",
                           *distributions], capture_output=True, text=True, check=True)


def run_as_student(command: Path, *arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``command`` (from such an environment's bin folder, which goes first on PATH) in ``cwd``, as a student
    would: outside grading mode, TensorFlow's start-up lines off."""
    environment = {key: value for key, value in os.environ.items() if key not in ("AUTOGRADER_MODE", "NBGRADER_EXECUTION")}
    environment.update(PATH=os.pathsep.join([str(command.parent), environment["PATH"]]), TF_CPP_MIN_LOG_LEVEL="3",
                       MPLBACKEND="Agg")
    return subprocess.run([str(command), *arguments], capture_output=True, text=True, cwd=cwd, env=environment,
                          timeout=600)
