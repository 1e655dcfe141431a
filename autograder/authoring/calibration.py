"""Measuring an assignment's accuracy threshold: the reference against broken variants.

For each variant in the assignment's corpus (`autograder.authoring.corpus`), the
calibration builds the model the hidden accuracy test trains (the
reference answers with the variant's overrides), trains it with the hidden
test's exact budget over several seeds, each in a fresh process, and
reports min/median/max test accuracy. The margin of a threshold is the
reference's minimum minus the threshold, and the threshold minus the best
broken variant that must fail.
"""

from __future__ import annotations

import dataclasses
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from autograder import course, notebooks
from autograder.authoring import cell_tests, corpus
from autograder.learner import training


@dataclass
class VariantAccuracies:
    """Test accuracies of one variant, one per seed."""

    variant: corpus.CalibrationVariant
    accuracies: list[float]

    def summary(self) -> tuple[float, float, float]:
        """Return ``(min, median, max)``."""
        return min(self.accuracies), statistics.median(self.accuracies), max(self.accuracies)


def model_builder(
    root: Path, assignment: str, overrides: Mapping[str, str] | None = None, what: str = "the reference"
) -> Callable[[], Any]:
    """Run the source notebook's answers (the reference, with ``overrides``); return a maker of the hidden test's model.

    Each call of the returned function builds and compiles a new model, as
    the hidden accuracy test's ``model_code`` does.

    Raises:
        RuntimeError: the answers do not run; ``what`` names them in the message.
    """
    spec = corpus.load(assignment)
    source = notebooks.read(course.source_notebook(root, assignment))
    namespace, errors = cell_tests.answer_namespace(source, overrides)
    if errors:
        raise RuntimeError(f"the answers of {what} do not run: {errors}")

    def build() -> Any:
        exec(spec.model_code, namespace)
        return namespace["model"]

    return build


def calibrate(
    root: Path, assignment: str, seeds: list[int], progress: Callable[[str], None] = lambda line: None
) -> list[VariantAccuracies]:
    """Train every calibration variant of ``assignment`` once per seed.

    Args:
        root: the course root.
        assignment: an assignment with a corpus module.
        seeds: training seeds (weights, shuffling, dropout).
        progress: called with one line per finished run.
    """
    spec = corpus.load(assignment)
    results = []
    for variant in spec.variants:
        build = model_builder(root, assignment, variant.overrides, f"calibration variant {variant.name!r}")
        accuracies = []
        for seed in seeds:
            budget = dataclasses.replace(spec.budget, seed=seed, shuffle_labels=variant.shuffle_labels)
            try:
                accuracy = training.brief_train(build(), budget, "the model").test_accuracy
            except AssertionError:  # the variant cannot even train: it scores nothing
                accuracy = 0.0
            accuracies.append(accuracy)
            progress(f"{variant.name}, seed {seed}: {accuracy:.4f}")
        results.append(VariantAccuracies(variant, accuracies))
    return results


def table(results: list[VariantAccuracies], threshold: float) -> str:
    """Format the calibration as a Markdown table with the margins under it."""
    lines = [
        "| variant | must fail | seeds | min | median | max | passes threshold |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        low, middle, high = result.summary()
        passes = sum(accuracy >= threshold for accuracy in result.accuracies)
        lines.append(
            f"| {result.variant.name} | {'yes' if result.variant.must_fail else 'no'} | {len(result.accuracies)} "
            f"| {low:.4f} | {middle:.4f} | {high:.4f} | {passes}/{len(result.accuracies)} |"
        )
    reference = min(min(r.accuracies) for r in results if r.variant.is_reference)
    broken = [max(r.accuracies) for r in results if r.variant.must_fail]
    lines.append("")
    lines.append(f"threshold {threshold:.3f}: reference minimum {reference:.4f}, margin {reference - threshold:+.4f}")
    if broken:
        lines.append(f"best broken variant {max(broken):.4f}, margin {threshold - max(broken):+.4f}")
    return "\n".join(lines)


def problems(results: list[VariantAccuracies], threshold: float) -> list[str]:
    """Return one line per seed on which the reference fails or a must-fail variant passes."""
    found = []
    for result in results:
        for accuracy in result.accuracies:
            if result.variant.is_reference and accuracy < threshold:
                found.append(f"reference scored {accuracy:.4f} < {threshold}")
            if result.variant.must_fail and accuracy >= threshold:
                found.append(f"{result.variant.name} scored {accuracy:.4f} >= {threshold}")
    return found
