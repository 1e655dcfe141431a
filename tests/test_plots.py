"""autograder.learner.plots renders every figure headless."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from autograder.learner import plots

NAMES = [f"class {i}" for i in range(10)]
RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, (20, 28, 28), dtype=np.uint8)
LABELS = RNG.integers(0, 10, 20)


@pytest.mark.parametrize(
    "draw",
    [
        lambda: plots.sample_grid(IMAGES, LABELS, NAMES, count=16),
        lambda: plots.sample_grid(RNG.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8), np.eye(10)[[1, 2, 3, 4]], NAMES),
        lambda: plots.training_curves({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.7], "val_accuracy": [0.4, 0.6]}),
        lambda: plots.confusion_matrix(LABELS, RNG.random((20, 10)), NAMES, normalize="pred"),
        lambda: plots.confusion_matrix(LABELS, LABELS, NAMES),
        lambda: plots.misclassified(IMAGES[..., None], LABELS, (LABELS + 1) % 10, NAMES, count=5),
        lambda: plots.misclassified(IMAGES, LABELS, LABELS, NAMES),
    ],
)
def test_renders(draw, tmp_path):
    figure = draw()
    assert isinstance(figure, Figure)
    figure.savefig(tmp_path / "figure.png")
    assert (tmp_path / "figure.png").stat().st_size > 1000


def test_misclassified_shows_only_mistakes():
    predicted = LABELS.copy()
    predicted[[3, 7]] = (predicted[[3, 7]] + 1) % 10
    figure = plots.misclassified(IMAGES, LABELS, predicted, NAMES)
    titles = [axis.get_title() for axis in figure.axes if axis.get_title()]
    assert titles == [f"{NAMES[LABELS[i]]} -> {NAMES[predicted[i]]}" for i in (3, 7)]


def test_feature_maps(tmp_path):
    activations = [RNG.random((4, 26, 26, 8)), RNG.random((4, 13, 13, 8))]
    figure = plots.feature_maps(activations, ["conv", "pool"], channel=2, images=3)
    assert [axis.get_title() for axis in figure.axes][:2] == ["conv", "pool"]
    assert len(figure.axes) == 6
    figure.savefig(tmp_path / "maps.png")
