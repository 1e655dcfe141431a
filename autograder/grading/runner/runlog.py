"""A grading run's log, kept under the course: ``.autograder/logs/<time>-<assignment>.log``.

`start` opens the log of a run (`autograder.course.Course.run_log`) and
removes all but the last `KEEP_RUNS` logs. The runner writes its own lines
as they happen (what it grades, every progress line, how it ended), so a
run killed midway leaves its log. The local grading workers and their
trainers log into the run's work folder
(`autograder.grading.runner.executors.worker_logs`); `attach_workers` appends
those logs at the end of the run, also after an error or Ctrl-C. A run
killed outright (SIGKILL, a crash) cannot: its work folder names its log
(`POINTER_FILE`), and the next run's `salvage` appends the workers' logs
it finds there before the folder is removed. A cluster's workers keep
their logs on their own machines.
"""

from __future__ import annotations

import time
from pathlib import Path

from autograder.course import RUNNER_FOLDER, Course
from autograder.grading import workfolders
from autograder.grading.runner.executors import worker_logs

KEEP_RUNS = 20
POINTER_FILE = "run-log.txt"
# A worker's log holds what learner kernels write to their stderr: the run's log keeps the last MiB of each.
ATTACH_LIMIT_BYTES = 2**20


class RunLog:
    """The log file of one run, appended to line by line (each line flushed).

    Args:
        path: the log file (created, or appended to).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open(path, "a", encoding="utf-8")

    def line(self, text: str) -> None:
        """Append ``text`` (one or more lines), each line stamped with the time."""
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        self._file.writelines(f"{stamp} {line}\n" for line in text.splitlines() or [""])
        self._file.flush()

    def attach(self, label: str, log: Path) -> None:
        """Append another process's log ``log`` (its last `ATTACH_LIMIT_BYTES`) under a heading naming it ``label``."""
        try:
            with open(log, "rb") as source:
                size = source.seek(0, 2)
                source.seek(max(0, size - ATTACH_LIMIT_BYTES))
                text = source.read().decode(errors="replace")
        except OSError as error:
            size, text = 0, f"(cannot read it: {error})\n"
        cut = f" (its last {ATTACH_LIMIT_BYTES:,} of {size:,} bytes)" if size > ATTACH_LIMIT_BYTES else ""
        self._file.write(f"---- {label}: {log.name}{cut} ----\n{text}")
        self._file.write("" if text.endswith("\n") else "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def start(the_course: Course, assignment: str, work: Path) -> RunLog:
    """Open a new run's log under ``the_course``, name it in the run's work folder ``work``, prune old logs.

    Args:
        the_course: the course being graded.
        assignment: the assignment id (part of the log's name).
        work: the run's work folder (`autograder.grading.workfolders.run_folder`).

    Returns:
        The open `RunLog`.
    """
    the_course.logs_folder.mkdir(parents=True, exist_ok=True)
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{assignment}"
    path, number = the_course.run_log(name), 1
    while path.exists():
        number += 1
        path = the_course.run_log(f"{name}-{number}")
    path.touch()
    (work / POINTER_FILE).write_text(str(path))
    prune(the_course)
    return RunLog(path)


def prune(the_course: Course, keep: int = KEEP_RUNS) -> list[Path]:
    """Remove all but the newest ``keep`` run logs of ``the_course``; return those removed.

    Log names start with the run's time, so they sort oldest first.
    """
    logs = sorted(the_course.logs_folder.glob("*.log"))
    removed = logs[: max(0, len(logs) - keep)]
    for old in removed:
        old.unlink(missing_ok=True)
    return removed


def attach_workers(log: RunLog, work: Path) -> None:
    """Append to ``log`` the logs of the local grading workers (and their trainers) of the work folder ``work``."""
    for label, path in worker_logs(workfolders.workers(work)):
        log.attach(label, path)


def salvage() -> list[Path]:
    """Append to each killed run's log the logs its workers left in its work folder; return the logs completed.

    Called before a run's `autograder.grading.workfolders.run_folder`
    removes the folders of runs that are gone.
    """
    completed = []
    for folder in workfolders.abandoned_folders():
        pointer = folder / POINTER_FILE
        try:
            path = Path(pointer.read_text().strip())
            pointer.unlink()
        except OSError:
            continue
        if not _is_run_log(path):
            continue
        log = RunLog(path)
        try:
            log.line("the run was killed; its workers' logs, found by a later run:")
            attach_workers(log, folder)
        finally:
            log.close()
        completed.append(path)
    return completed


def _is_run_log(path: Path) -> bool:
    """True for an existing file where `start` puts run logs (a work folder's pointer is only trusted that far)."""
    return (path.suffix == ".log" and path.parent.name == "logs" and path.parent.parent.name == RUNNER_FOLDER
            and path.is_file() and not path.is_symlink())
