"""The student package: what a learner's kernel imports, as a wheel the instructor hands out with the release.

Release notebooks import `autograder.learner` (datasets, modes, checks,
plots, the budgets a notebook states, the client side of brief training).
Students install only that: a wheel holding ``autograder/__init__.py`` and
``autograder/learner/``, and nothing of `autograder.authoring` (reference
answers, the wrong-answer corpus, calibration) or `autograder.grading`
(the runner, the trusted trainer), and the ``course-check`` command
(`autograder.learner.course_check`). `autograder build` writes it to
``release/`` and into each ``release/<id>/`` beside the notebook, byte for
byte the same from the same sources (fixed timestamps, no compression), so ``build --check``
can tell when it is stale. Its ``autograder/__init__.py`` names the
distribution (``__distribution__``), so an instructor's install that it
shadows refuses to grade (`autograder.install_check`).
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path

import autograder
from autograder import install_check

DISTRIBUTION = install_check.LEARNER
SUMMARY = "What the CNN course's notebooks import: datasets, checks, plots and brief-training requests."
REQUIREMENTS = (
    "numpy>=1.26",
    "keras>=3.3",
    "tensorflow>=2.16",
    "matplotlib>=3.8",
    "scikit-learn>=1.4",
    "pandas>=2.0",
    "nbclient>=0.7",  # course-check runs the notebook in a fresh kernel
    "ipykernel>=6",
)
# The commands the wheel installs (console scripts).
COMMANDS = {"course-check": "autograder.learner.course_check:main"}
PACKAGE_INIT = '''"""The CNN course's learner package: `autograder.learner` is what the notebooks import."""

__version__ = "{version}"
# Not the instructor's autograder: its grading and authoring refuse to run under this file.
__distribution__ = "{distribution}"
'''
TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def wheel_name(version: str = autograder.__version__) -> str:
    """The wheel's file name, e.g. ``cnn_course_learner-0.1.0-py3-none-any.whl``."""
    return f"{DISTRIBUTION}-{version}-py3-none-any.whl"


def package_files(version: str = autograder.__version__) -> dict[str, bytes]:
    """The files the wheel installs, by path inside ``site-packages``: the learner modules and a small package init."""
    files = {"autograder/__init__.py": PACKAGE_INIT.format(version=version, distribution=DISTRIBUTION).encode()}
    learner = Path(autograder.__file__).parent / "learner"
    for path in sorted(learner.glob("*.py")):
        files[f"autograder/learner/{path.name}"] = path.read_bytes()
    return files


def _metadata(version: str) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {DISTRIBUTION}", f"Version: {version}", f"Summary: {SUMMARY}",
             "Requires-Python: >=3.10", *[f"Requires-Dist: {requirement}" for requirement in REQUIREMENTS]]
    return ("\n".join(lines) + "\n").encode()


def _record_line(path: str, content: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(content)}"


def build_wheel(version: str = autograder.__version__) -> bytes:
    """Return the wheel's bytes (the same for the same sources) of the installed `autograder.learner`."""
    info = f"{DISTRIBUTION}-{version}.dist-info"
    files = package_files(version)
    files[f"{info}/METADATA"] = _metadata(version)
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: autograder build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/top_level.txt"] = b"autograder\n"
    scripts = "".join(f"{name} = {target}\n" for name, target in COMMANDS.items())
    files[f"{info}/entry_points.txt"] = f"[console_scripts]\n{scripts}".encode()
    record = [_record_line(path, content) for path, content in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as wheel:
        for path, content in files.items():
            entry = zipfile.ZipInfo(path, date_time=TIMESTAMP)
            entry.external_attr = 0o644 << 16
            wheel.writestr(entry, content)
    return buffer.getvalue()


def generate() -> dict[str, bytes]:
    """The student package as `autograder.authoring.build` writes it: ``release/<wheel>``."""
    return {f"release/{wheel_name()}": build_wheel()}
