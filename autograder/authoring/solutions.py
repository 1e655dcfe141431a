"""Turning a source notebook into a plain answer key for `solutions/`.

The answer key keeps the solutions and the visible tests, and drops what
learners must never see or need not see: hidden test blocks (removed with
nbgrader's own ``ClearHiddenTests``), solution and mark-scheme markers,
outputs, and the nbgrader metadata.
"""

from __future__ import annotations

import copy

import nbformat
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, ClearOutput

from autograder.notebooks import strip_solution_markers


def answer_key(source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the answer key of a source notebook (the input is not changed).

    Args:
        source: an instructor notebook with nbgrader metadata.

    Returns:
        A plain notebook: solutions in place, no hidden tests, no markers,
        no outputs, no nbgrader metadata.

    Example:
        >>> key = answer_key(notebooks.read("source/fashion_dense/fashion_dense.ipynb"))  # doctest: +SKIP
    """
    notebook = copy.deepcopy(source)
    resources: dict = {}
    for preprocessor in (ClearHiddenTests(), ClearMarkScheme(), ClearOutput()):
        notebook, resources = preprocessor.preprocess(notebook, resources)
    for cell in notebook.cells:
        cell.source = strip_solution_markers(cell.source)
        cell.metadata.pop("nbgrader", None)
    notebook.metadata.pop("nbgrader", None)
    return notebook
