"""The sandbox hides the course's private paths and the network, where the machine allows it."""

from __future__ import annotations

import subprocess
import time

import pytest

from autograder.grading import sandbox

needs_namespaces = pytest.mark.skipif(
    not sandbox.available(), reason="this machine does not allow unprivileged namespaces (unshare -rnm)"
)

PROBE = """
import pathlib, socket, sys
secret = pathlib.Path(sys.argv[1])
print("folder:", sorted(p.name for p in secret.iterdir()))
print("file:", repr(pathlib.Path(sys.argv[2]).read_text()))
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    print("network: yes")
except OSError:
    print("network: no")
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()
socket.create_connection(server.getsockname(), timeout=2)
print("loopback: yes")
"""


@needs_namespaces
def test_hidden_paths_are_empty_and_the_network_is_gone(tmp_path):
    folder = tmp_path / "source"
    folder.mkdir()
    (folder / "answers.ipynb").write_text("secret")
    gradebook = tmp_path / "gradebook.db"
    gradebook.write_text("grades")
    command = sandbox.wrap(["python3", "-c", PROBE, str(folder), str(gradebook)], [folder, gradebook, tmp_path / "none"])
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    assert finished.stdout.splitlines() == ["folder: []", "file: ''", "network: no", "loopback: yes"]
    assert (folder / "answers.ipynb").read_text() == "secret"


WAIT_AND_LIST = """
import os, pathlib, sys, time
folder, keep = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
while not (keep / "go").exists():
    time.sleep(0.05)
print(sorted(str(path.relative_to(folder)) for path in folder.rglob("*")))
(keep / "written").write_text("kept")
"""


@needs_namespaces
def test_reveal_only_leaves_one_folder_even_among_later_ones(tmp_path):
    keep = tmp_path / "run_a" / "students" / "alice"
    keep.mkdir(parents=True)
    (tmp_path / "run_a" / "students" / "bob").mkdir()
    (tmp_path / "run_a" / "private").mkdir()
    (tmp_path / "run_a" / "private" / "template.ipynb").write_text("solutions")
    command = sandbox.wrap(["python3", "-c", WAIT_AND_LIST, str(tmp_path), str(keep)], [], reveal_only=(tmp_path, keep))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    time.sleep(1)  # the sandbox is up and waiting; a run that starts now must stay hidden too
    (tmp_path / "run_b" / "private").mkdir(parents=True)
    (tmp_path / "run_b" / "private" / "template.ipynb").write_text("solutions")
    (keep / "go").write_text("")
    listed, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert listed.strip() == str(["run_a", "run_a/students", "run_a/students/alice", "run_a/students/alice/go"])
    assert (keep / "written").read_text() == "kept"


@needs_namespaces
def test_reveal_only_refuses_a_folder_outside(tmp_path):
    with pytest.raises(ValueError, match="must lie inside"):
        sandbox.wrap(["true"], [], reveal_only=(tmp_path / "work", tmp_path / "elsewhere"))


def test_switching_the_sandbox_off_runs_commands_unchanged(monkeypatch):
    monkeypatch.setenv(sandbox.SWITCH_VARIABLE, "off")
    sandbox.available.cache_clear()
    try:
        assert sandbox.wrap(["true"], []) == ["true"]
    finally:
        sandbox.available.cache_clear()
