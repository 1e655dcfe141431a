"""autograder.learner.plots: every figure on real-shaped data, sized to its content, with no text overlapping.

Data shapes are the course's: 28x28 greyscale (Fashion-MNIST, MNIST, Sign
Language MNIST) and 32x32 colour (CIFAR-10), 3 classes (rock, paper,
scissors) and 10. Sizes are checked at 100 dpi, as Jupyter's inline backend
shows figures; texts are measured with matplotlib's renderer.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.text import Text

from autograder.learner import plots

INLINE_DPI = 100
FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
CIFAR = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
HANDS = ["rock (A)", "paper (B)", "scissors (V)"]
RNG = np.random.default_rng(0)
GREY = RNG.integers(0, 256, (400, 28, 28), dtype=np.uint8)
COLOUR = RNG.integers(0, 256, (400, 32, 32, 3), dtype=np.uint8)


def _labels(classes: int, count: int = 400) -> np.ndarray:
    return RNG.integers(0, classes, count)


def _predictions(truth: np.ndarray, classes: int, right: float = 0.8) -> np.ndarray:
    """Predictions that are right for about ``right`` of the images, as a trained model's are."""
    wrong = RNG.random(len(truth)) > right
    return np.where(wrong, (truth + RNG.integers(1, classes, len(truth))) % classes, truth)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _tick_labels(axis) -> list[Text]:
    """The tick labels drawn: those of ticks inside the axis' view."""
    low, high = sorted(axis.get_view_interval())
    return [label for location, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels())
            if low - 1e-9 <= location <= high + 1e-9]


def _drawn_texts(figure: Figure) -> list[Text]:
    """Every non-empty text the figure draws: titles, axis and tick labels, legends, annotations."""
    figure.canvas.draw()
    found = []
    for axis in figure.axes:
        found += [axis.title, axis._left_title, axis._right_title, *axis.texts]
        if axis.axison:
            found += [axis.xaxis.label, axis.yaxis.label, *_tick_labels(axis.xaxis), *_tick_labels(axis.yaxis)]
        if axis.get_legend():
            found += axis.get_legend().get_texts()
    found += figure.texts
    return [text for text in found if text.get_visible() and text.get_text().strip()]


def assert_legible(figure: Figure, min_font: float = 7) -> None:
    """No two texts overlap, every text lies inside the figure, and none is smaller than ``min_font`` points."""
    renderer = figure.canvas.get_renderer()
    texts = _drawn_texts(figure)
    boxes = [text.get_window_extent(renderer).shrunk(0.98, 0.98) for text in texts]
    page = figure.bbox
    for text, box in zip(texts, boxes):
        assert text.get_fontsize() >= min_font, f"{text.get_text()!r} is {text.get_fontsize():.1f} pt"
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1 and page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, \
            f"{text.get_text()!r} is outside the figure"
    for (first, one), (second, other) in itertools.combinations(zip(texts, boxes), 2):
        assert not one.overlaps(other), f"{first.get_text()!r} overlaps {second.get_text()!r}"


def _pixels(figure: Figure) -> tuple[int, int]:
    width, height = figure.get_size_inches() * INLINE_DPI
    return int(width), int(height)


FIGURES = {
    "sample grid, 28x28 grey, 10 classes": lambda: plots.sample_grid(GREY, _labels(10), FASHION, count=16),
    "sample grid, 28x28 grey, one-hot, 3 classes": lambda: plots.sample_grid(GREY[..., None], np.eye(3)[_labels(3)], HANDS),
    "sample grid, 32x32 colour, 10 classes": lambda: plots.sample_grid(COLOUR, _labels(10), CIFAR, count=16),
    "sample grid, one image": lambda: plots.sample_grid(GREY[:1], _labels(10)[:1], FASHION, count=1),
    "training curves": lambda: plots.training_curves({"loss": [1.0, 0.6, 0.5], "val_loss": [1.1, 0.7, 0.65],
                                                      "accuracy": [0.6, 0.8, 0.85], "val_accuracy": [0.55, 0.75, 0.8]}),
    "confusion matrix, 10 classes, counts": lambda: plots.confusion_matrix(
        (truth := _labels(10, 10000)), _predictions(truth, 10), FASHION),
    "confusion matrix, 10 classes, normalised by prediction": lambda: plots.confusion_matrix(
        (truth := _labels(10)), np.eye(10)[_predictions(truth, 10)], CIFAR, normalize="pred"),
    "confusion matrix, 3 classes, counts": lambda: plots.confusion_matrix(
        np.eye(3)[(truth := _labels(3, 1500))], _predictions(truth, 3, 0.9), HANDS),
    "misclassified, 28x28 grey, 10 classes": lambda: plots.misclassified(
        GREY[..., None], (truth := _labels(10)), _predictions(truth, 10), FASHION, count=12),
    "misclassified, 32x32 colour": lambda: plots.misclassified(
        COLOUR, (truth := _labels(10)), _predictions(truth, 10), CIFAR, count=12),
    "misclassified, 3 classes": lambda: plots.misclassified(GREY, (truth := _labels(3)), _predictions(truth, 3), HANDS),
    "feature maps": lambda: plots.feature_maps([RNG.random((4, 26, 26, 8)), RNG.random((4, 13, 13, 8)),
                                                RNG.random((4, 11, 11, 16))],
                                               ["conv2d", "max_pooling2d", "batch_normalization_1"], channel=2),
}


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_is_legible_and_not_oversized(name, tmp_path):
    figure = FIGURES[name]()
    assert isinstance(figure, Figure)
    assert_legible(figure)
    width, height = _pixels(figure)
    assert 250 <= width <= 1400 and 150 <= height <= 1400, (width, height)
    figure.savefig(tmp_path / "figure.png", bbox_inches="tight")  # as the inline backend saves it
    assert (tmp_path / "figure.png").stat().st_size > 1000


@pytest.mark.parametrize("names", [HANDS, FASHION, CIFAR], ids=["3 classes", "fashion", "cifar10"])
def test_confusion_matrix_cells_are_large_enough_for_their_counts(names):
    truth = _labels(len(names), 5000)
    figure = plots.confusion_matrix(truth, _predictions(truth, len(names)), names)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    (axis,) = figure.axes
    cell_width = axis.get_window_extent(renderer).width / len(names)
    assert cell_width / figure.dpi >= 0.45  # inches: a count is readable at a glance
    counts = axis.texts
    assert len(counts) == len(names) ** 2
    assert sum(int(text.get_text()) for text in counts) == 5000
    for text in counts:
        box = text.get_window_extent(renderer)
        assert box.width < 0.9 * cell_width and box.height < 0.9 * cell_width, text.get_text()
        assert text.get_fontsize() >= 8
    assert [label.get_text() for label in axis.get_xticklabels()] == names
    assert (axis.get_xlabel(), axis.get_ylabel()) == ("predicted class", "true class")


def test_three_class_matrix_is_no_thumbnail():
    truth = _labels(3, 600)
    width, height = _pixels(plots.confusion_matrix(truth, _predictions(truth, 3), HANDS))
    assert width >= 400 and height >= 350


def test_confusion_matrix_normalisation_matches_scikit_learn():
    from sklearn.metrics import confusion_matrix as reference

    truth = _labels(10)
    guess = _predictions(truth, 10)
    for normalize in (None, "true", "pred", "all"):
        drawn = plots.confusion_matrix(truth, guess, CIFAR, normalize=normalize).axes[0].images[0].get_array()
        np.testing.assert_allclose(drawn, reference(truth, guess, labels=range(10), normalize=normalize))
    with pytest.raises(ValueError, match="normalize must be None, 'true', 'pred' or 'all'; received: 'rows'"):
        plots.confusion_matrix(truth, guess, CIFAR, normalize="rows")


def test_misclassified_shows_only_mistakes():
    truth = _labels(10, 20)
    predicted = truth.copy()
    predicted[[3, 7]] = (predicted[[3, 7]] + 1) % 10
    figure = plots.misclassified(GREY, truth, predicted, FASHION)
    titles = [axis.get_title().replace("\n", " ") for axis in figure.axes if axis.get_title()]
    assert titles == [f"{FASHION[truth[i]]} -> {FASHION[predicted[i]]}" for i in (3, 7)]


def test_no_mistakes_is_one_line_not_an_empty_grid():
    truth = _labels(10)
    figure = plots.misclassified(GREY, truth, truth, FASHION)
    assert [text.get_text() for text in figure.texts] == ["no misclassified images"]
    assert not figure.axes and _pixels(figure)[1] <= 60
    assert_legible(figure)


def test_feature_maps_title_each_layer_once():
    figure = plots.feature_maps([RNG.random((4, 26, 26, 8)), RNG.random((4, 13, 13, 8))], ["conv", "pool"],
                                channel=2, images=3)
    assert [axis.get_title() for axis in figure.axes] == ["conv", "pool", "", "", "", ""]


@pytest.mark.parametrize("mode", ["learning", "grading"])
def test_figures_are_built_in_both_modes_and_drawn_only_while_learning(mode, monkeypatch, capsys):
    monkeypatch.setenv("AUTOGRADER_MODE", mode)
    figure = plots.sample_grid(GREY, _labels(10), FASHION, count=4)
    assert len(figure.axes) == 4
    assert plt.fignum_exists(figure.number) == (mode == "learning")
    assert (plots.NOT_DRAWN in capsys.readouterr().out) == (mode == "grading")
    plt.close(figure)
    with pytest.raises(IndexError):  # a wrong argument fails alike in both modes
        plots.sample_grid(GREY, _labels(10), FASHION[:3], count=4)
