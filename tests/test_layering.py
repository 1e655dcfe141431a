"""The package's layers, checked on every module's imports: everything imports downward.

From the bottom: ``learner`` (what a student's kernel imports, alone in the
learner wheel), the shared modules (the course's paths, notebooks,
nbgrader's gradebook, scores, settings, the install check), then the two
wings, ``authoring`` and ``grading``, which never import each other, and
at the top the commands (``cli``, ``demo``, ``doctor``). The one crossing
is the Gradescope script, which runs inside Gradescope's container and
writes the result in the grader's own format (`autograder.grading.results`).

Inside ``grading`` the stages import downward in the order runner, output,
intake, notebook, trainer; the modules beside them (shared types, the
nbgrader plugins) import no stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import autograder

pytestmark = pytest.mark.quick

PACKAGE = Path(autograder.__file__).parent
SHARED = {"autograder", "autograder.course", "autograder.notebooks", "autograder.nbgrader_run", "autograder.scores",
          "autograder.settings", "autograder.install_check", "autograder.calibrated"}
COMMANDS = {"autograder.cli", "autograder.demo", "autograder.doctor"}
# What each layer may import, besides itself.
ALLOWED = {
    "learner": {"learner"},
    "shared": {"shared", "learner"},
    "authoring": {"authoring", "shared", "learner"},
    "grading": {"grading", "shared", "learner"},
}
CROSSINGS = {("autograder.authoring.gradescope_files.grade_submission", "autograder.grading.results")}
# The grading stages from the top; a stage imports its own modules and those of the stages after it. The modules
# directly in autograder/grading (shared types, the nbgrader plugins) come last.
GRADING_STAGES = ("runner", "output", "intake", "notebook", "trainer", "")


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    if module in SHARED:
        return "shared"
    if module in COMMANDS:
        return "commands"
    return module.split(".")[1]


def _imports(path: Path) -> set[str]:
    """The ``autograder`` modules a file imports (``from autograder import x`` names ``autograder.x``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("autograder")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograder"):
            if _is_package(node.module):
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
            else:
                found.add(node.module)
    return {name if _is_module(name) else name.rsplit(".", 1)[0] for name in found}


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _is_package(name: str) -> bool:
    return (PACKAGE.parent.joinpath(*name.split(".")) / "__init__.py").is_file()


def _stage(module: str) -> str:
    """The grading stage of an ``autograder.grading`` module ("" for one directly in autograder/grading)."""
    parts = module.split(".")
    return parts[2] if len(parts) > 3 else ""


def _stage_problems(module: str, imported: set[str]) -> list[str]:
    """Each import of a grading module that reaches up a stage, in words."""
    if _layer(module) != "grading":
        return []
    rank = GRADING_STAGES.index(_stage(module))
    return [f"{module} (stage {_stage(module) or 'shared'}) imports {name} (stage {_stage(name) or 'shared'})"
            for name in sorted(imported)
            if _layer(name) == "grading" and name != "autograder.grading" and GRADING_STAGES.index(_stage(name)) < rank]


def _problems(module: str, imported: set[str]) -> list[str]:
    """Each import of ``module`` that goes against the layers, in words."""
    layer = _layer(module)
    if layer == "commands":
        return []
    return [f"{module} ({layer}) imports {name} ({_layer(name)})" for name in sorted(imported)
            if _layer(name) not in ALLOWED[layer] and (module, name) not in CROSSINGS]


def test_every_module_imports_only_its_own_layer_or_below():
    wrong = [problem for path in sorted(PACKAGE.rglob("*.py")) for problem in _problems(_name(path), _imports(path))]
    assert wrong == []


def test_grading_stages_import_only_their_own_stage_or_those_below():
    grading = sorted((PACKAGE / "grading").rglob("*.py"))
    assert {_stage(_name(path)) for path in grading} == set(GRADING_STAGES)
    wrong = [problem for path in grading for problem in _stage_problems(_name(path), _imports(path))]
    assert wrong == []


def test_the_checks_name_an_import_against_the_layers_or_up_a_stage(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from autograder.authoring import leaks\nfrom autograder.grading.results import GRADED\n"
                     "from autograder.grading.runner import batch\n")
    imported = _imports(probe)
    assert imported == {"autograder.authoring.leaks", "autograder.grading.results", "autograder.grading.runner.batch"}
    assert _problems("autograder.grading.feedback", imported) == [
        "autograder.grading.feedback (grading) imports autograder.authoring.leaks (authoring)"]
    assert len(_problems("autograder.learner.checks", imported)) == 3
    assert _problems("autograder.cli", imported) == []
    assert _stage_problems("autograder.grading.notebook.worker", imported) == [
        "autograder.grading.notebook.worker (stage notebook) imports autograder.grading.runner.batch (stage runner)"]
    assert _stage_problems("autograder.grading.runner.executors", imported) == []
    assert _stage_problems("autograder.grading.results", {"autograder.grading.trainer.train"}) == [
        "autograder.grading.results (stage shared) imports autograder.grading.trainer.train (stage trainer)"]
