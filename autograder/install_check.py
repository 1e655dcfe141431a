"""Whether `autograder` is the instructor's own install, not the learner package over it.

The learner package (``cnn_course_learner``, `autograder.authoring.student_package`)
installs a top-level package of the same name, ``autograder``, holding only
``autograder/__init__.py`` and ``autograder/learner/``. Installed in an
environment that also holds this project (``cnn-course-autograder``), one
overwrites the other's files or shadows them on ``sys.path``, and the
instructor's modules (`autograder.grading`, `autograder.authoring`) would
run next to the learner package's stale `autograder.learner` without a word.

Each ``autograder/__init__.py`` names its distribution in
``__distribution__``. This module ships only with the instructor's install,
so the folder it lies in is the instructor's ``autograder`` folder: the
imported `autograder` must come from that same folder and name this
project. The instructor's entry points (`autograder.cli`, and the package
inits of `autograder.grading` and `autograder.authoring`) check it before
anything else; `autograder.learner` does not (it imports only itself, and
is what learners run).
"""

from __future__ import annotations

import sys
from pathlib import Path

INSTRUCTOR = "cnn-course-autograder"
LEARNER = "cnn_course_learner"


class ShadowedInstall(ImportError):
    """`autograder` is not the instructor's own install (the learner package, or another copy, shadows it)."""


def shadowing() -> str | None:
    """Say what is wrong with the imported `autograder` package, or return None when it is the instructor's own.

    Cheap: two paths compared and one attribute read; nothing is imported.

    Returns:
        ``None`` when `autograder` comes from this module's folder and names
        ``cnn-course-autograder``; otherwise one line saying which install
        shadows which, and the commands that fix it.

    Example:
        >>> shadowing() is None  # in a working install of this project
        True
    """
    package = sys.modules.get("autograder")
    own_folder = Path(__file__).resolve().parent
    init = getattr(package, "__file__", None)
    found = getattr(package, "__distribution__", None)
    if init is not None and Path(init).resolve().parent == own_folder and found == INSTRUCTOR:
        return None
    if init is None:
        problem = (f"the instructor's autograder (at {own_folder}) has lost its __init__.py (uninstalling {LEARNER} "
                   "deletes the files the two packages share)")
    elif found == LEARNER:
        problem = (f"the learner package {LEARNER} (installed at {Path(init).resolve().parent}) shadows the "
                   f"instructor's autograder (at {own_folder}): grading would run its autograder.learner, not "
                   "this project's")
    else:
        problem = (f"another autograder package (at {Path(init).resolve().parent}, __distribution__={found!r}, "
                   f"expected {INSTRUCTOR!r}) shadows the instructor's autograder (at {own_folder})")
    return (f"{problem}. Fix: run `{_pip()} uninstall -y {LEARNER}`, then reinstall this project: "
            f"{_reinstall(own_folder)}.")


def version() -> str:
    """The installed version of the instructor's distribution (``autograder.__version__`` where it is not installed).

    Example:
        >>> version()  # doctest: +SKIP
        '0.1.0'
    """
    from importlib import metadata

    try:
        return metadata.version(INSTRUCTOR)
    except metadata.PackageNotFoundError:
        return str(getattr(sys.modules.get("autograder"), "__version__", "unknown"))


def require_instructor_install() -> None:
    """Raise `ShadowedInstall` unless `autograder` is the instructor's own install (see `shadowing`).

    Raises:
        ShadowedInstall: the message of `shadowing`.
    """
    problem = shadowing()
    if problem is not None:
        raise ShadowedInstall(problem)


def exit_if_shadowed(status: int = 2) -> None:
    """For command-line entry points: print `shadowing`'s message and exit with ``status`` when there is one."""
    problem = shadowing()
    if problem is not None:
        print(f"autograder: {problem}", file=sys.stderr)
        raise SystemExit(status)


def checkout(package_folder: Path) -> Path | None:
    """The checkout ``package_folder`` was installed in place from (``pip install -e``), or None for an installed copy."""
    return package_folder.parent if (package_folder.parent / "pyproject.toml").is_file() else None


def _pip() -> str:
    return f"{sys.executable} -m pip"


def _reinstall(own_folder: Path) -> str:
    """The command that puts this project's files back: an editable checkout's, or its wheel's."""
    source = checkout(own_folder)
    if source is not None:
        return f"`{_pip()} install --force-reinstall --no-deps -e {source}`"
    return (f"`{_pip()} install --force-reinstall --no-deps <the project's wheel, "
            f"{INSTRUCTOR.replace('-', '_')}-*.whl>` (or `-e <its checkout>`)")
