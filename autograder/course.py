"""Where the course lives: its root folder and its assignments."""

from __future__ import annotations

from pathlib import Path

CONFIG_FILE = "nbgrader_config.py"


def find_root(start: Path | None = None) -> Path:
    """Return the course root: the nearest folder at or above ``start`` with ``nbgrader_config.py`` and ``source/``.

    Args:
        start: where to begin looking; the current directory by default.

    Raises:
        FileNotFoundError: no such folder above ``start``; run the command
            from the course (the repository root).
    """
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file() and (folder / "source").is_dir():
            return folder
    raise FileNotFoundError(
        f"No course found at or above {start}: expected a folder with {CONFIG_FILE} and source/. "
        "Run the command from the course root (the repository root) or pass --course."
    )


def assignments(root: Path) -> list[str]:
    """Return the ids of the assignments under ``source/``, sorted."""
    return sorted(path.parent.name for path in (root / "source").glob("*/*.ipynb") if path.stem == path.parent.name)


def source_notebook(root: Path, assignment: str) -> Path:
    """Return ``source/<id>/<id>.ipynb``, checking that it exists."""
    path = root / "source" / assignment / f"{assignment}.ipynb"
    if not path.is_file():
        known = ", ".join(assignments(root)) or "none"
        raise FileNotFoundError(f"No assignment {assignment!r}: {path} does not exist. Known assignments: {known}.")
    return path
