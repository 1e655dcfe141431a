"""Ending a process and everything it started: the one way the grader (and its tests) kill a family."""

from __future__ import annotations

import contextlib

import psutil


def kill_family(pid: int) -> None:
    """SIGKILL the process ``pid`` and all its descendants, none escaping.

    They are frozen (SIGSTOP) first, until no new one appears, so that none
    started meanwhile (a fork bomb, a grading worker still starting its
    training service, a kernel's sandbox forking the kernel) escapes; then
    each is killed. A process already gone is skipped.
    """
    frozen: dict[int, psutil.Process] = {}
    while True:
        try:
            root = psutil.Process(pid)
            family = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        new = [process for process in family if process.pid not in frozen]
        if not new:
            break
        for process in new:
            with contextlib.suppress(psutil.Error):
                process.suspend()
            frozen[process.pid] = process
    for process in frozen.values():
        with contextlib.suppress(psutil.Error):
            process.kill()
