"""The first two cells of every release notebook: what to do before starting, and the learner package's install.

A student opens a release notebook on their own machine, on a JupyterHub
or on Colab; the notebook imports `autograder.learner`, which only the
learner wheel provides. The code cell installs that wheel where the
kernel's Python lacks it, from the file next to the notebook (the wheel
travels in ``release/<id>/``) or, failing that, from the address the
course sets once (`autograder.settings.ReleaseSettings.learner_wheel_url`,
for Colab: a wheel the instructor hosts), then says which version the
kernel has. Where the package is installed (the student did it before, or
the grader runs the notebook) it installs nothing.

The markdown cell says the same in words, and how to check the notebook
before submitting (``course-check``, `autograder.learner.course_check`).
Both cells are written by `autograder build` into the release notebooks
only; the instructor's source notebooks do not hold them.
"""

from __future__ import annotations

import nbformat

MARKDOWN_ID = "before-you-start"
CODE_ID = "install-learner-package"

MARKDOWN = """## Before you start

Run the next cell first. It installs the course's small Python package
(`autograder.learner`: datasets, checks and plots) where your Python lacks
it, from the file `{wheel}` that came with this notebook (keep the two in
one folder){url_words}. Where the package is installed already it installs
nothing. Then it prints the package's version.

**Before you submit**, check the notebook as the grader will run it: from
the top, in a fresh kernel, with the grader's small datasets. Save it, then
run `course-check {notebook}` in a terminal (or `!course-check {notebook}`
in a cell). It says "ready to submit" or names each exercise that still
fails and each cell that only worked because cells ran out of order.
"""

CODE = """# Installs the course's learner package where this Python lacks it; installs nothing where it is there.
import importlib.util, pathlib, subprocess, sys

LEARNER_WHEEL = {wheel!r}  # came with this notebook: keep it in the notebook's folder
LEARNER_URL = {url!r}  # where the course hosts the same file (for Colab)
LEARNER_VERSION = {version!r}

if importlib.util.find_spec("autograder") is None:
    source = LEARNER_WHEEL if pathlib.Path(LEARNER_WHEEL).is_file() else LEARNER_URL
    if not source:
        raise FileNotFoundError(f"{{LEARNER_WHEEL}} is not in this notebook's folder ({{pathlib.Path.cwd()}}): "
                                "put the file that came with the notebook there and run this cell again")
    print(f"installing {{source}} (a minute or two the first time) ...")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", source], check=True)
    importlib.invalidate_caches()

import autograder

print(f"learner package {{autograder.__version__}} ready")
if autograder.__version__ != LEARNER_VERSION:
    print(f"note: this notebook came with version {{LEARNER_VERSION}}; to change to it run "
          f"%pip install --force-reinstall --no-deps {{LEARNER_WHEEL}}")
"""


def cells(notebook_name: str, wheel: str, version: str, url: str = "") -> list[nbformat.NotebookNode]:
    """The markdown and code cells, for the notebook ``notebook_name`` released with the learner wheel ``wheel``.

    Args:
        notebook_name: the notebook's file name (for the ``course-check`` line).
        wheel: the learner wheel's file name, next to the notebook.
        version: the learner package's version the notebook was released with.
        url: where the course hosts the same wheel ("" for none).
    """
    url_words = f", or from the course's copy at {url}" if url else ""
    markdown = nbformat.v4.new_markdown_cell(MARKDOWN.format(wheel=wheel, url_words=url_words, notebook=notebook_name),
                                             id=MARKDOWN_ID)
    code = nbformat.v4.new_code_cell(CODE.format(wheel=wheel, url=url, version=version).rstrip("\n"), id=CODE_ID)
    return [markdown, code]


def with_install_cells(notebook: nbformat.NotebookNode, notebook_name: str, wheel: str, version: str,
                       url: str = "") -> nbformat.NotebookNode:
    """``notebook`` with the two cells (see `cells`) first."""
    notebook.cells = [*cells(notebook_name, wheel, version, url), *notebook.cells]
    return notebook
