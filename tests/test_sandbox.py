"""The sandbox hides the course's private paths and the network, where the machine allows it."""

from __future__ import annotations

import subprocess

import pytest

from autograder import sandbox

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


def test_hidden_paths_are_empty_and_the_network_is_gone(tmp_path):
    if not sandbox.available():
        pytest.skip("this machine does not allow unprivileged namespaces (unshare -rnm)")
    folder = tmp_path / "source"
    folder.mkdir()
    (folder / "answers.ipynb").write_text("secret")
    gradebook = tmp_path / "gradebook.db"
    gradebook.write_text("grades")
    command = sandbox.wrap(["python3", "-c", PROBE, str(folder), str(gradebook)], [folder, gradebook, tmp_path / "none"])
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    assert finished.stdout.splitlines() == ["folder: []", "file: ''", "network: no", "loopback: yes"]
    assert (folder / "answers.ipynb").read_text() == "secret"


def test_switching_the_sandbox_off_runs_commands_unchanged(monkeypatch):
    monkeypatch.setenv(sandbox.SWITCH_VARIABLE, "off")
    sandbox.available.cache_clear()
    try:
        assert sandbox.wrap(["true"], []) == ["true"]
    finally:
        sandbox.available.cache_clear()
