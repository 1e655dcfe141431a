"""Where grading runs keep their private files: one folder per run inside one folder per user.

A run's work folder holds the template course (with the source notebook),
unpacked uploads and the local grading workers (`workers`: their folders,
each student's scratch course, and their logs). All of them lie in
`parent` (mode 700 in the system's temporary folder), which the sandbox
covers whole for a submission except its own scratch course. A run
records its process in its folder; the next run removes folders whose
process is gone (a killed run cannot clean up after itself).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterator

import psutil

OWNER_FILE = "owner.json"
WORKERS_FOLDER = "workers"
# A folder with no owner file yet may belong to a run that is just starting.
UNCLAIMED_GRACE_S = 600


def parent() -> Path:
    """Return the folder, one per user in the system's temporary folder, that holds every run's work folder.

    Raises:
        PermissionError: the folder exists but belongs to another user or others may open it
            (the work folders hold the source notebook).
    """
    folder = Path(tempfile.gettempdir()) / f"autograder-grading-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    status = folder.lstat()
    if status.st_uid != os.getuid() or status.st_mode & 0o077 or folder.is_symlink():
        raise PermissionError(
            f"{folder} must be a folder of this user's that only it can open (mode 700); found owner uid "
            f"{status.st_uid}, mode {status.st_mode & 0o777:o}. Remove it and grade again."
        )
    return folder


@contextlib.contextmanager
def run_folder() -> Iterator[Path]:
    """Make this run's work folder (removed afterwards) and remove the folders of runs that were killed."""
    with tempfile.TemporaryDirectory(dir=parent()) as name:
        folder = Path(name)
        claim(folder)
        yield folder


def workers(folder: Path) -> Path:
    """The folder of a run's local grading workers inside its work folder ``folder``."""
    return folder / WORKERS_FOLDER


def abandoned_folders() -> list[Path]:
    """The work folders, in `parent`, of runs that are gone (killed); the next `claim` removes them."""
    return [folder for folder in parent().iterdir() if abandoned(folder)]


def claim(folder: Path) -> None:
    """Make ``folder`` (in `parent`) and record this process as its owner; remove folders whose owner is gone.

    A process that keeps a folder for its lifetime (a cluster worker's
    pool) claims it; once the process is gone, the next claim removes it.
    """
    folder.mkdir(mode=0o700, exist_ok=True)
    me = psutil.Process()
    (folder / OWNER_FILE).write_text(json.dumps({"pid": me.pid, "started": me.create_time()}))
    for other in folder.parent.iterdir():
        if other != folder and abandoned(other):
            shutil.rmtree(other, ignore_errors=True)


def abandoned(folder: Path) -> bool:
    """Return True when the run that made ``folder`` is gone (False while unsure)."""
    try:
        owner = json.loads((folder / OWNER_FILE).read_text())
        return psutil.Process(owner["pid"]).create_time() != owner["started"]
    except psutil.NoSuchProcess:
        return True
    except FileNotFoundError:
        try:
            return time.time() - folder.stat().st_mtime > UNCLAIMED_GRACE_S
        except OSError:  # removed meanwhile
            return False
    except (OSError, ValueError, KeyError, TypeError, psutil.Error):
        return False
