"""A Gradescope autograder for one assignment: the ``autograder.zip`` that Gradescope's autograder containers take.

Gradescope unpacks the zip into ``/autograder/source`` and runs its
``setup.sh`` there once, as root, on its Ubuntu image; then for every
submission it runs ``run_autograder`` with the student's files in
``/autograder/submission/`` and reads ``/autograder/results/results.json``
(https://gradescope-autograders.readthedocs.io/en/latest/specs/). The zip holds:

- ``setup.sh`` and ``run_autograder`` (from ``gradescope_files/``, with
  ``grade_submission.py``): install, then grade each submission with
  ``autograder grade`` and hand its ``results.json`` to Gradescope;
- ``assignment.env``: the assignment id, the wheel's file name and the
  datasets the notebook loads, for the two scripts;
- this project's wheel (``pip wheel``), which holds `autograder.learner` for
  the learner's kernel and `autograder.grading` for the runner, and
  ``requirements.txt``: the wheel's requirements for PyPI, TensorFlow as its
  CPU build, and ``constraints.txt``: the versions grading was calibrated on
  (`autograder.calibrated`), by the same names;
- ``course/``: the course's ``nbgrader_config.py`` and ``source/<id>/``;
- ``datasets/``: the data files that have no public download (Sign Language
  MNIST's two CSVs); ``setup.sh`` fetches the others from their official hosts.
"""

from __future__ import annotations

import gzip
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import autograder
from autograder import calibrated, course, notebooks
from autograder.course import Course
from autograder.learner import datasets

SCRIPTS = Path(__file__).parent / "gradescope_files"
# Gradescope runs these two; the zip marks them executable.
EXECUTABLES = ("setup.sh", "run_autograder")
RUNNER = "grade_submission.py"
# Datasets with no public download, and the files the zip carries for them
# (`autograder.learner.datasets` downloads only Fashion-MNIST, MNIST and CIFAR-10).
BUNDLED = {"sign_language": ("sign_mnist_train.csv", "sign_mnist_test.csv")}
# What `pip wheel` needs of the project's source tree.
PROJECT_FILES = ("pyproject.toml", "README.md", "autograder")
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(.*)$")
# The CPU build replaces TensorFlow: Gradescope's containers have no GPU.
CPU_BUILDS = {"tensorflow": "tensorflow-cpu"}


class BuildError(RuntimeError):
    """The zip cannot be built (the project's wheel does not build); the message says why."""


@dataclass(frozen=True)
class AutograderZip:
    """A written Gradescope autograder.

    Attributes:
        path: the zip file.
        assignment: the assignment id.
        wheel: the file name of this project's wheel inside the zip.
        datasets: the datasets the notebook loads (``setup.sh`` makes each ready).
        bundled: the data files the zip carries, under ``datasets/``.
    """

    path: Path
    assignment: str
    wheel: str
    datasets: tuple[str, ...]
    bundled: tuple[str, ...]


def build(root: Path, assignment: str, out: Path | None = None) -> AutograderZip:
    """Write the Gradescope autograder of ``assignment``; see the module docstring for what it holds.

    Args:
        root: the course root.
        assignment: the assignment id.
        out: the zip to write (default: ``<id>_autograder.zip`` in the current folder).

    Returns:
        The written `AutograderZip`.

    Raises:
        FileNotFoundError: no such assignment, no project source to build the
            wheel from, or a dataset without a public download is not on this machine.
        BuildError: ``pip wheel`` failed.

    Example:
        >>> build(Path("."), "fashion_dense").path.name  # doctest: +SKIP
        'fashion_dense_autograder.zip'
    """
    source = course.source_notebook(root, assignment)
    # The cells' code, not the notebook's JSON, in which the quotes the pattern looks for are escaped.
    needed = notebooks.notebook_datasets("\n".join(cell.source for cell in notebooks.read(source).cells))
    data_files = bundled_data(needed)
    out = Path(out or Path.cwd() / f"{assignment}_autograder.zip")
    with tempfile.TemporaryDirectory(prefix="autograder-gradescope-") as scratch:
        wheel = project_wheel(Path(scratch))
        environment = {"ASSIGNMENT": assignment, "WHEEL": wheel.name, "DATASETS": " ".join(needed)}
        members = {name: (SCRIPTS / name).read_bytes() for name in (*EXECUTABLES, RUNNER)}
        members["assignment.env"] = "".join(f"{key}={shlex.quote(value)}\n" for key, value in environment.items()).encode()
        members["requirements.txt"] = ("\n".join(requirements(wheel)) + "\n").encode()
        members["constraints.txt"] = constraints().encode()
        members[wheel.name] = wheel.read_bytes()
        members[f"course/{course.CONFIG_FILE}"] = Course(root).config.read_bytes()
        for path in sorted(source.parent.rglob("*")):
            if path.is_file() and not {".ipynb_checkpoints", "__pycache__"} & set(path.parts):
                members[f"course/source/{assignment}/{path.relative_to(source.parent).as_posix()}"] = path.read_bytes()
        for name, content in data_files.items():
            members[f"datasets/{name}"] = content
        _write_zip(out, members)
    return AutograderZip(out, assignment, wheel.name, needed, tuple(data_files))


def bundled_data(needed: tuple[str, ...]) -> dict[str, bytes]:
    """The data files the zip carries for ``needed`` datasets (those without a public download), by file name.

    Each file is found as `autograder.learner.datasets` finds it, plain or
    gzipped, and carried plain (the zip compresses it), so that learners'
    loaders read it as Kaggle distributes it without a copy per submission.

    Raises:
        FileNotFoundError: a file is in none of `autograder.learner.datasets`' places.
    """
    found = {}
    for name in needed:
        for file_name in BUNDLED.get("sign_language" if name == "sign_language_rps" else name, ()):
            for candidate in (file_name, f"{file_name}.gz"):
                try:
                    path = datasets.find_file(candidate)
                except datasets.DatasetError:
                    continue
                found[file_name] = gzip.decompress(path.read_bytes()) if candidate.endswith(".gz") else path.read_bytes()
                break
            else:
                places = ", ".join(f"{place.label} ({place.folder})" for place in datasets.search_places(name))
                raise FileNotFoundError(
                    f"{name} has no public download, so the zip carries {file_name}; expected it (or {file_name}.gz) "
                    f"in {places}; found neither. Set {datasets.DATA_DIR_VARIABLE} to the folder that holds it."
                )
    return found


def project_wheel(folder: Path) -> Path:
    """Build this project's wheel (``pip wheel --no-deps --no-build-isolation``) in ``folder``; return it.

    The source tree is copied into ``folder`` first, so that the build's own
    ``build/`` and ``*.egg-info`` stay out of the project.

    Raises:
        FileNotFoundError: the installed `autograder` is not a source checkout.
        BuildError: pip failed; the message ends with its error output.
    """
    project = Path(autograder.__file__).resolve().parent.parent
    missing = [name for name in PROJECT_FILES if not (project / name).exists()]
    if missing:
        raise FileNotFoundError(
            f"autograder gradescope builds this project's wheel from its source: expected {', '.join(PROJECT_FILES)} "
            f"in {project}, found no {', '.join(missing)}. Install the project from a source checkout (pip install -e .)."
        )
    tree = folder / "project"
    tree.mkdir()
    for name in PROJECT_FILES:
        if (project / name).is_dir():
            shutil.copytree(project / name, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(project / name, tree / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(tree), "--no-deps", "--no-build-isolation", "--quiet",
         "--wheel-dir", str(folder / "dist")],
        capture_output=True, text=True,
    )
    wheels = sorted((folder / "dist").glob("*.whl"))
    if built.returncode != 0 or len(wheels) != 1:
        raise BuildError(
            f"pip wheel {project} --no-deps --no-build-isolation failed (exit status {built.returncode}; a wheel needs "
            f"setuptools in this environment): {(built.stderr or built.stdout).strip()[-1500:]}"
        )
    return wheels[0]


def requirements(wheel: Path) -> list[str]:
    """The requirements of ``wheel`` (its ``Requires-Dist`` lines without extras), TensorFlow as its CPU build.

    Example:
        >>> requirements(Path("cnn_course_autograder-0.1.0-py3-none-any.whl"))[0]  # doctest: +SKIP
        'tensorflow-cpu>=2.16'
    """
    with zipfile.ZipFile(wheel) as opened:
        metadata = next(name for name in opened.namelist() if name.endswith(".dist-info/METADATA"))
        lines = opened.read(metadata).decode("utf-8").splitlines()
    found = []
    for line in lines:
        if not line.startswith("Requires-Dist:") or "extra ==" in line:
            continue
        name, rest = REQUIREMENT_NAME.match(line.removeprefix("Requires-Dist:")).groups()
        found.append(CPU_BUILDS.get(name.lower(), name) + rest.strip())
    return found


def constraints() -> str:
    """The calibrated versions (`autograder.calibrated`) as a constraints file, TensorFlow by its CPU build's name.

    Example:
        >>> "tensorflow-cpu==" in constraints()  # doctest: +SKIP
        True
    """
    return "".join(f"{CPU_BUILDS.get(name, name)}=={version}\n" for name, version in calibrated.calibrated_versions().items())


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    """Write ``members`` into the zip at ``path``; `EXECUTABLES` get mode 755, the rest 644."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    now = time.localtime()[:6]
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            entry = zipfile.ZipInfo(name, date_time=now)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = (0o100755 if name in EXECUTABLES else 0o100644) << 16
            archive.writestr(entry, content)
    partial.replace(path)
