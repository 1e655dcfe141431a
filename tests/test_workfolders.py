"""Grading runs' work folders: private to the user, and a killed run's folder is removed by the next run."""

from __future__ import annotations

import json
import os
import subprocess
import time

import psutil
import pytest

from autograder.grading import workfolders

pytestmark = pytest.mark.quick


@pytest.fixture
def parent(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    return workfolders.parent()


def _folder(parent, name, owner=None, age_s=0.0):
    folder = parent / name
    folder.mkdir()
    if owner is not None:
        (folder / workfolders.OWNER_FILE).write_text(json.dumps(owner))
    then = time.time() - age_s
    os.utime(folder, (then, then))
    return folder


def test_parent_that_others_may_open_is_refused(parent, tmp_path):
    assert parent.parent == tmp_path and parent.stat().st_mode & 0o777 == 0o700
    parent.chmod(0o755)
    with pytest.raises(PermissionError, match="mode 700"):
        workfolders.parent()


def test_next_run_removes_only_the_folders_of_runs_that_are_gone(parent):
    finished = subprocess.Popen(["true"])
    finished.wait()
    me = psutil.Process()
    live = _folder(parent, "live", {"pid": me.pid, "started": me.create_time()})
    killed = _folder(parent, "killed", {"pid": finished.pid, "started": 1.0})
    reused_pid = _folder(parent, "reused", {"pid": me.pid, "started": me.create_time() - 100})
    starting = _folder(parent, "starting")
    stale = _folder(parent, "stale", age_s=workfolders.UNCLAIMED_GRACE_S + 60)
    with workfolders.run_folder() as mine:
        assert json.loads((mine / workfolders.OWNER_FILE).read_text())["pid"] == me.pid
        assert sorted(path.name for path in parent.iterdir()) == sorted([mine.name, live.name, starting.name])
    assert not mine.exists() and not killed.exists() and not reused_pid.exists() and not stale.exists()
