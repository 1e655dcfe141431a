"""The instructor's entry points refuse to run when the learner package shadows this install, and say how to fix it.

Quick tests of `autograder.install_check` with a stand-in `autograder`
module, and one with real files: the learner wheel unpacked ahead of this
environment's editable install on ``sys.path``, which is what ``pip install
-e .`` and then the learner wheel make (the editable install supplies
`autograder.grading`, the wheel `autograder` and `autograder.learner`).
Installing the wheels in either order is in ``tests/test_install.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import types
import zipfile
from pathlib import Path

import pytest

import autograder
from autograder import install_check
from autograder.authoring import student_package

pytestmark = pytest.mark.quick


def stand_in(monkeypatch, init: Path | None, distribution: str | None) -> None:
    """Make ``sys.modules["autograder"]`` a module whose ``__init__.py`` is ``init``, naming ``distribution``."""
    module = types.ModuleType("autograder")
    module.__file__ = None if init is None else str(init)
    if distribution is not None:
        module.__distribution__ = distribution
    monkeypatch.setitem(sys.modules, "autograder", module)


@pytest.mark.quick
def test_this_install_is_the_instructors(root):
    assert install_check.shadowing() is None
    install_check.require_instructor_install()
    assert autograder.__distribution__ == install_check.INSTRUCTOR
    assert tomllib.loads((root / "pyproject.toml").read_text())["project"]["name"] == install_check.INSTRUCTOR


@pytest.mark.quick
def test_the_learner_package_names_itself():
    init = student_package.package_files()["autograder/__init__.py"].decode()
    names: dict = {}
    exec(compile(init, "autograder/__init__.py", "exec"), names)
    assert names["__distribution__"] == install_check.LEARNER == student_package.DISTRIBUTION


@pytest.mark.quick
def test_the_learner_init_over_this_folder_is_refused_with_the_fix(monkeypatch, root):
    stand_in(monkeypatch, Path(install_check.__file__).parent / "__init__.py", install_check.LEARNER)
    with pytest.raises(install_check.ShadowedInstall) as raised:
        install_check.require_instructor_install()
    message = str(raised.value)
    assert f"the learner package {install_check.LEARNER}" in message
    assert f"-m pip uninstall -y {install_check.LEARNER}" in message
    assert f"install --force-reinstall --no-deps -e {root}" in message


@pytest.mark.quick
def test_a_learner_package_elsewhere_on_the_path_is_refused(monkeypatch, tmp_path):
    stand_in(monkeypatch, tmp_path / "autograder" / "__init__.py", install_check.LEARNER)
    message = install_check.shadowing()
    assert message is not None and str(tmp_path / "autograder") in message
    assert str(Path(install_check.__file__).parent) in message


@pytest.mark.quick
def test_another_or_a_broken_autograder_is_refused_too(monkeypatch, tmp_path):
    stand_in(monkeypatch, tmp_path / "autograder" / "__init__.py", None)
    assert "another autograder package" in install_check.shadowing()
    stand_in(monkeypatch, None, None)
    assert "has lost its __init__.py" in install_check.shadowing()


@pytest.mark.quick
def test_the_command_line_check_exits_2_with_one_line(monkeypatch, capsys):
    stand_in(monkeypatch, Path(install_check.__file__).parent / "__init__.py", install_check.LEARNER)
    with pytest.raises(SystemExit) as exited:
        install_check.exit_if_shadowed()
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("autograder: the learner package") and error.count("\n") == 1


@pytest.fixture(scope="module")
def learner_first_on_path(root, tmp_path_factory):
    """The committed learner wheel unpacked into a folder; with it on PYTHONPATH it shadows the editable install."""
    folder = tmp_path_factory.mktemp("learner-on-path")
    with zipfile.ZipFile(root / "release" / student_package.wheel_name()) as wheel:
        wheel.extractall(folder)
    return folder


def run_shadowed(folder: Path, *arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(folder), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, *arguments], capture_output=True, text=True, cwd=folder, env=environment,
                          timeout=300)


@pytest.mark.quick
def test_an_editable_install_under_the_learner_wheel_refuses_to_grade(learner_first_on_path, root):
    if Path(autograder.__file__).resolve().parent != root / "autograder":
        pytest.skip("this environment does not import autograder from the checkout")
    mixed = run_shadowed(learner_first_on_path, "-c", "import autograder.learner.checks, autograder.grading")
    assert mixed.returncode != 0
    assert "ShadowedInstall" in mixed.stderr and f"uninstall -y {install_check.LEARNER}" in mixed.stderr
    command = run_shadowed(learner_first_on_path, "-m", "autograder.cli", "doctor")
    assert command.returncode == 2, command.stdout + command.stderr
    assert "Traceback" not in command.stderr and f"-e {root}" in command.stderr
    learner_only = run_shadowed(learner_first_on_path, "-c", "import autograder.learner.checks")
    assert learner_only.returncode == 0, learner_only.stderr[-2000:]
