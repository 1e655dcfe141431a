"""The library versions grading was calibrated on (``calibrated.txt``, a pip constraints file), and this machine's.

Accuracy thresholds and their margins were measured with particular Keras,
backend and NumPy builds (docs/calibration.md). Other versions usually
train to the same numbers, but nothing has measured it; `autograder doctor`
says which differ, CI installs exactly these, and the Gradescope zip carries
them as its ``constraints.txt``.
"""

from __future__ import annotations

import importlib.metadata
from importlib import resources

CONSTRAINTS_FILE = "calibrated.txt"


def constraints_file() -> resources.abc.Traversable:
    """The constraints file as shipped in the package."""
    return resources.files("autograder").joinpath(CONSTRAINTS_FILE)


def constraints_text() -> str:
    """The constraints file's text."""
    return constraints_file().read_text(encoding="utf-8")


def calibrated_versions() -> dict[str, str]:
    """``{distribution: version}`` of every pinned line.

    Example:
        >>> calibrated_versions()["keras"]  # doctest: +SKIP
        '3.15.1'
    """
    pinned = {}
    for line in constraints_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pinned[name.strip().lower()] = version.strip()
    return pinned


def differences() -> dict[str, tuple[str, str]]:
    """``{distribution: (installed, calibrated)}`` for each installed distribution at another version.

    A local build tag (``2.13.0+cpu``) counts as the same version; a
    distribution that is not installed is not a difference (doctor reports
    missing backends on its own).
    """
    found = {}
    for name, version in calibrated_versions().items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if installed.split("+", 1)[0] != version:
            found[name] = (installed, version)
    return found
