"""The sandbox: no network, private paths hidden, own processes only, read-only outside, limits, locked mounts."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.grading.notebook import sandbox

needs_namespaces = pytest.mark.skipif(
    not sandbox.available(), reason="this machine does not allow unprivileged namespaces (unshare)"
)
pytestmark = pytest.mark.quick


@pytest.fixture
def tmp_path():
    """A folder outside the temporary folder (a confined command gets a private one, where nothing here would show)."""
    with tempfile.TemporaryDirectory(dir="/var/tmp") as name:
        yield Path(name)

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
    confinement = sandbox.Confinement(hide=(folder, gradebook, tmp_path / "none"))
    command = sandbox.wrap(["python3", "-c", PROBE, str(folder), str(gradebook)], confinement)
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
    confinement = sandbox.Confinement(reveal_only=(tmp_path, keep))
    command = sandbox.wrap(["python3", "-c", WAIT_AND_LIST, str(tmp_path), str(keep)], confinement)
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
        sandbox.wrap(["true"], sandbox.Confinement(reveal_only=(tmp_path / "work", tmp_path / "elsewhere")))


def test_switching_the_sandbox_off_runs_commands_unchanged(monkeypatch):
    monkeypatch.setenv(sandbox.SWITCH_VARIABLE, "off")
    sandbox.available.cache_clear()
    try:
        assert sandbox.wrap(["true"], sandbox.Confinement()) == ["true"]
        assert sandbox.describe().startswith("none: switched off")
        assert sandbox.isolation_line().startswith("learner kernels' isolation: none: switched off")
    finally:
        sandbox.available.cache_clear()


ATTACK = """
import ctypes, os, pathlib, sys
libc = ctypes.CDLL(None, use_errno=True)
hidden, own, runner = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
print("processes:", sorted(int(name) for name in os.listdir("/proc") if name.isdigit()))
try:
    os.kill(runner, 0)
    print("runner: reachable")
except OSError:
    print("runner: unreachable")
try:
    os.kill(-1, 9)  # every process it may signal but itself and init: none here
except ProcessLookupError:
    pass
print("umount:", libc.umount2(bytes(hidden), 2) == 0, "remount:", libc.mount(None, b"/", None, 32 | 4096, None) == 0)
print("hidden:", os.listdir(hidden))
for target in (hidden.parent / "planted.txt", own / "mine.txt", pathlib.Path(sys.argv[4])):
    try:
        target.write_text("x")
        print("wrote:", target.name)
    except OSError as error:
        print("refused:", target.name, error.strerror)
started = 0
try:
    for _ in range(500):
        if os.fork() == 0:
            __import__("time").sleep(5)
            os._exit(0)
        started += 1
except OSError:
    pass
print("forks:", started)
"""


@needs_namespaces
def test_attacks_on_the_runner_and_the_machine_fail(tmp_path):
    """Processes, signals, unmounting a cover, remounting, writing outside its folder and a fork bomb."""
    hidden = tmp_path / "course" / "source"
    hidden.mkdir(parents=True)
    (hidden / "answers.ipynb").write_text("secret")
    work = tmp_path / "work"
    own = work / "kernel-1"
    own.mkdir(parents=True)
    group = sandbox.make_process_group("test", 64)
    confinement = sandbox.Confinement(hide=(hidden,), reveal_only=(work, own), limits=sandbox.Limits(processes=64),
                                      process_group=group)
    scratch = Path(tempfile.gettempdir()) / f"scratch-{os.getpid()}.txt"
    command = sandbox.wrap([sys.executable, "-c", ATTACK, str(hidden), str(own), str(os.getpid()), str(scratch)],
                           confinement)
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=own)
    finally:
        sandbox.remove_process_group(group)
    lines = finished.stdout.splitlines()
    assert finished.returncode == 0, finished.stderr
    assert lines[:6] == ["processes: [1, 2]", "runner: unreachable", "umount: False remount: False", "hidden: []",
                         "refused: planted.txt Read-only file system", "wrote: mine.txt"]
    assert lines[6] == f"wrote: {scratch.name}" and not scratch.exists()  # its temporary folder is its own
    assert int(lines[7].split()[1]) < 64
    assert not (tmp_path / "course" / "planted.txt").exists() and (own / "mine.txt").read_text() == "x"


IMPORTS = """
import importlib, os, pathlib
import autograder
print(sorted(os.listdir(pathlib.Path(autograder.__file__).parent)))
for name in ("autograder.learner.checks", "autograder.grading", "autograder.authoring.corpus", "autograder.cli"):
    try:
        importlib.import_module(name)
        print(name, "imported")
    except ImportError:
        print(name, "not found")
"""


@needs_namespaces
def test_the_instructors_package_is_hidden_and_the_learners_is_not(tmp_path):
    folder, keep = sandbox.instructor_cover()
    assert all(folder == path or folder in path.parents for path in keep)
    command = sandbox.wrap([sys.executable, "-c", IMPORTS], sandbox.Confinement(cover=(folder, keep)))
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=environment)
    assert finished.stdout.splitlines() == [
        "['__init__.py', 'learner']", "autograder.learner.checks imported", "autograder.grading not found",
        "autograder.authoring.corpus not found", "autograder.cli not found"], finished.stderr


LIST_CHECKOUT = """
import pathlib, sys
checkout = pathlib.Path(sys.argv[1])
print(sorted(str(path.relative_to(checkout)) for path in checkout.rglob("*")))
print((checkout / "package" / "learner" / "checks.py").read_text())
print(sorted(path.name for path in checkout.parent.iterdir()))
"""


@needs_namespaces
def test_a_checkout_in_the_temporary_folder_keeps_only_its_learner_part_and_environment():
    with tempfile.TemporaryDirectory() as name:  # a clone in /tmp: the kernel's private /tmp covers it
        checkout = Path(name) / "clone"
        for relative, text in [("package/__init__.py", ""), ("package/learner/checks.py", "learner code"),
                               ("package/cli.py", "instructor code"), ("source/quiz/quiz.ipynb", "answers"),
                               (".venv/lib/site.py", "library"), ("gradebook.db", "grades")]:
            (checkout / relative).parent.mkdir(parents=True, exist_ok=True)
            (checkout / relative).write_text(text)
        (Path(name) / "other_student.ipynb").write_text("not yours")
        keep = (checkout / "package" / "__init__.py", checkout / "package" / "learner", checkout / ".venv")
        confinement = sandbox.Confinement(cover=(checkout, keep))  # as `instructor_cover` gives it for a checkout
        command = sandbox.wrap([sys.executable, "-c", LIST_CHECKOUT, str(checkout)], confinement)
        finished = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/")
        assert finished.stdout.splitlines() == [
            str([".venv", ".venv/lib", ".venv/lib/site.py", "package", "package/__init__.py", "package/learner",
                 "package/learner/checks.py"]),
            "learner code", "['clone']"], finished.stderr
