"""The project installs as users install it: a built wheel, not an editable checkout, and its commands work from there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest

from autograder.authoring import student_package
from autograder.grading.notebook import sandbox
from test_sandbox import IMPORTS
from venvs import borrowing_venv, pip_install, pip_uninstall


@pytest.fixture(scope="module")
def project_wheel(root, tmp_path_factory):
    """The project's wheel, built by pip from the repository."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(root), "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(folder)], check=True, capture_output=True, text=True)
    (wheel,) = folder.glob("cnn_course_autograder-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(project_wheel, tmp_path_factory):
    """A new environment with the wheel installed (non-editable); returns its python."""
    python = borrowing_venv(tmp_path_factory.mktemp("installed") / "venv")
    pip_install(python, str(project_wheel))
    return python


def run(python, *arguments: str, cwd) -> subprocess.CompletedProcess:
    """Run the installed environment's python; the borrowed libraries' commands (nbgrader's alembic) come after its own."""
    path = [str(python.parent), str(os.path.dirname(sys.executable)), os.environ["PATH"]]
    environment = {**os.environ, "PATH": os.pathsep.join(path)}
    return subprocess.run([str(python), *arguments], capture_output=True, text=True, cwd=cwd, env=environment,
                          timeout=600)


def test_the_wheel_holds_every_sub_package(project_wheel):
    names = zipfile.ZipFile(project_wheel).namelist()
    for package in ("autograder/learner/", "autograder/authoring/corpus/", "autograder/grading/"):
        assert any(name.startswith(package) for name in names), package


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, tmp_path):
    finished = run(installed, "-c", "import json, autograder.authoring.corpus as c; print(json.dumps(c.__file__))",
                   cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert str(installed.parent.parent) in json.loads(finished.stdout)


def test_the_commands_work_from_the_installed_package(installed, root, tmp_path):
    command = installed.parent / "autograder"
    assert command.is_file()
    checked = run(installed, str(command), "--course", str(root), "build", "--check", "fashion_dense", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    assert "match source/" in checked.stdout
    calibration = run(installed, "-c", "from pathlib import Path; from autograder.authoring import calibration; "
                      f"print(calibration.model_builder(Path({str(root)!r}), 'fashion_dense')().count_params())",
                      cwd=tmp_path)
    assert calibration.returncode == 0, calibration.stderr[-2000:]
    assert calibration.stdout.strip().endswith("335114")
    doctor = run(installed, str(command), "doctor", cwd=tmp_path)
    assert "nbgrader" in doctor.stdout and "Traceback" not in doctor.stderr


def test_the_learner_wheel_installed_over_the_project_refuses_to_grade_until_fixed(project_wheel, root, tmp_path):
    python = borrowing_venv(tmp_path / "venv")
    command = str(python.parent / "autograder")
    pip_install(python, str(project_wheel))
    pip_install(python, str(root / "release" / student_package.wheel_name()))
    probe = run(python, "-c", "import autograder.grading", cwd=tmp_path)
    assert probe.returncode != 0
    assert "ShadowedInstall: the learner package cnn_course_learner" in probe.stderr, probe.stderr[-2000:]
    assert "uninstall -y cnn_course_learner" in probe.stderr and "install --force-reinstall --no-deps" in probe.stderr
    doctor = run(python, command, "doctor", cwd=tmp_path)
    assert doctor.returncode == 2 and "Traceback" not in doctor.stderr, doctor.stderr[-2000:]
    assert "uninstall -y cnn_course_learner" in doctor.stderr
    # The fix the message names: the learner package out, this project's files back.
    pip_uninstall(python, "cnn_course_learner")
    pip_install(python, "--force-reinstall", str(project_wheel))
    fixed = run(python, "-c", "import autograder.grading, autograder.authoring.build, autograder.learner.checks",
                cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr[-2000:]
    assert run(python, command, "--help", cwd=tmp_path).returncode == 0


def test_the_project_installed_over_the_learner_wheel_wins_and_losing_its_files_is_caught(project_wheel, root,
                                                                                        tmp_path):
    python = borrowing_venv(tmp_path / "venv")
    pip_install(python, str(root / "release" / student_package.wheel_name()))
    pip_install(python, str(project_wheel))
    probe = "import autograder, autograder.grading; print(autograder.__distribution__)"
    over = run(python, "-c", probe, cwd=tmp_path)
    assert over.returncode == 0 and over.stdout.strip() == "cnn-course-autograder", over.stderr[-2000:]
    # Uninstalling the learner package now deletes files the two share (autograder/__init__.py, autograder/learner/).
    pip_uninstall(python, "cnn_course_learner")
    broken = run(python, "-c", "import autograder.grading", cwd=tmp_path)
    assert broken.returncode != 0 and "has lost its __init__.py" in broken.stderr, broken.stderr[-2000:]
    assert "install --force-reinstall --no-deps" in broken.stderr


KERNEL_OF_THE_INSTALL = """
import subprocess, sys
from autograder.grading.notebook import sandbox
command = sandbox.wrap([sys.executable, "-c", sys.argv[1]], sandbox.Confinement(cover=sandbox.instructor_cover()))
print(subprocess.run(command, capture_output=True, text=True, cwd="/").stdout, end="")
"""


@pytest.mark.skipif(not sandbox.available(), reason="this machine does not allow unprivileged namespaces (unshare)")
def test_a_kernel_under_the_installed_package_sees_only_the_learner_part(installed, tmp_path):
    """As the editable checkout's test in test_sandbox, for the wheel a grading machine or Gradescope image installs."""
    finished = run(installed, "-c", KERNEL_OF_THE_INSTALL, IMPORTS, cwd=tmp_path)
    assert finished.stdout.splitlines() == [
        "['__init__.py', 'learner']", "autograder.learner.checks imported", "autograder.grading not found",
        "autograder.authoring.corpus not found", "autograder.cli not found"], finished.stderr[-2000:]
