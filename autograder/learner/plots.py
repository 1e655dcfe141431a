"""The figures the lessons show.

Each function draws one figure and returns the ``matplotlib.figure.Figure``
(a notebook displays it; a test can save it). None of them picks a
matplotlib backend, so they render inline in Jupyter and headless under
``MPLBACKEND=Agg``. While grading they are built but not drawn (a line
says so): grades never depend on them, and drawing costs seconds per
notebook.

Every figure is sized to what it shows: an image grid's cells are as wide
as their longest title, a confusion matrix's cells as large as their counts
need and its margins as wide as the class names, so a 3-class and a
10-class matrix are both legible. Layout is matplotlib's constrained
layout, which keeps titles, tick labels and axis labels apart.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.textpath import TextPath

from autograder.learner import modes

TITLE_PT = 9  # titles over images
LABEL_PT = 10  # tick labels and axis labels
IMAGE_IN = 1.3  # the least width of one image in a grid, inches
GRID_IN = 2.6  # the least width of a whole grid, inches (a grid of one or two images)
MATRIX_IN = 6.0  # a confusion matrix's cells together, inches, unless that makes a cell too small or too large
MATRIX_CELL_IN = (0.5, 1.0)  # the smallest and largest cell of a confusion matrix, inches
COUNT_PT = (7, 14)  # the smallest and largest font of a confusion matrix's numbers
MARGIN_IN = 0.2
NONE_WRONG = "no misclassified images"
NOT_DRAWN = "(figure not drawn while grading)"


def text_width_in(text: str, points: float) -> float:
    """The width of ``text`` set in matplotlib's default font at ``points`` size, in inches.

    Example:
        >>> round(text_width_in("Ankle boot", 10), 1)
        0.7
    """
    widest_line = max(text.split("\n"), key=len)
    return TextPath((0, 0), widest_line, size=points).get_extents().width / 72


def _grid(count: int, columns: int, cell_width: float, title_lines: int = 1) -> tuple[Figure, np.ndarray]:
    """A grid of ``count`` image axes, ``columns`` wide, each ``cell_width`` inches wide plus room for its title."""
    rows = max(1, math.ceil(count / columns))
    cell_width = max(cell_width, GRID_IN / columns)
    title_in = title_lines * TITLE_PT * 1.3 / 72
    figure, axes = plt.subplots(rows, columns, squeeze=False, layout="constrained",
                                figsize=(columns * cell_width, rows * (cell_width + title_in)))
    for axis in axes.flat:
        axis.axis("off")
    return figure, axes.reshape(-1)


def _cell_width(titles: Sequence[str]) -> float:
    """Width of a grid cell: at least `IMAGE_IN`, and wide enough for the longest title."""
    return max([IMAGE_IN, *(text_width_in(title, TITLE_PT) + MARGIN_IN for title in titles)])


def _drawn(figure: Figure) -> Figure:
    """Return ``figure``; while grading, close it first so that it is not rendered.

    Grades never depend on figures, and under the grader they would show a
    couple of epochs on a data subset; rendering them costs seconds per
    notebook. The figure is still built, so a wrong argument fails alike in
    both modes.
    """
    if modes.is_grading():
        plt.close(figure)
        print(NOT_DRAWN)
    return figure


def _show(axis: Any, image: np.ndarray) -> None:
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    axis.imshow(image, cmap="gray" if image.ndim == 2 else None)


def sample_grid(
    images: np.ndarray, labels: Sequence[int], class_names: Sequence[str], count: int = 16, columns: int = 8
) -> Figure:
    """Show the first ``count`` images with their class names.

    Args:
        images: ``(N, H, W)``, ``(N, H, W, 1)`` or ``(N, H, W, 3)``.
        labels: integer labels (or one-hot rows), one per image.
        class_names: name of each label.
        count: how many images.
        columns: images per row.

    Example:
        >>> sample_grid(x_train, y_train, CLASS_NAMES)  # doctest: +SKIP
    """
    labels = _as_integers(labels)
    count = min(count, len(images))
    titles = [str(class_names[label]) for label in labels[:count]]
    figure, axes = _grid(count, min(columns, count), _cell_width(titles))
    for axis, image, title in zip(axes, images[:count], titles):
        _show(axis, image)
        axis.set_title(title, fontsize=TITLE_PT)
    return _drawn(figure)


def training_curves(history: Any) -> Figure:
    """Plot loss and accuracy per epoch, training and validation side by side.

    Args:
        history: a ``keras.callbacks.History`` or its ``.history`` dict.
    """
    values: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    kinds = [name for name in ("loss", "accuracy") if name in values] or sorted(k for k in values if not k.startswith("val_"))
    figure, axes = plt.subplots(1, len(kinds), figsize=(5 * len(kinds), 3.5), squeeze=False, layout="constrained")
    for axis, name in zip(axes[0], kinds):
        epochs = np.arange(1, len(values[name]) + 1)
        axis.plot(epochs, values[name], marker="o", label="training")
        if f"val_{name}" in values:
            axis.plot(epochs, values[f"val_{name}"], marker="o", label="validation")
        axis.xaxis.get_major_locator().set_params(integer=True)
        axis.set_xlabel("epoch")
        axis.set_ylabel(name)
        axis.legend()
    return _drawn(figure)


def confusion_matrix(
    true_labels: Sequence[int], predicted: Sequence[int], class_names: Sequence[str], normalize: str | None = None
) -> Figure:
    """Draw a confusion matrix (rows: true class, columns: predicted class), each cell with its count.

    Args:
        true_labels: integer labels or one-hot rows.
        predicted: integer predictions, or per-class scores (argmax is taken).
        class_names: name of each label.
        normalize: ``None`` for counts, or scikit-learn's ``"true"``,
            ``"pred"`` (normalised by prediction, as in the lab) or ``"all"``.

    Raises:
        ValueError: ``normalize`` is none of those.

    Example:
        >>> confusion_matrix(y_test, model.predict(x_test), CLASS_NAMES)  # doctest: +SKIP
    """
    names = [str(name) for name in class_names]
    values = _confusion(_as_integers(true_labels), _as_integers(predicted), len(names), normalize)
    texts = [[f"{value:.2f}" if normalize else f"{value:.0f}" for value in row] for row in values]
    cell = min(max(MATRIX_IN / len(names), MATRIX_CELL_IN[0]), MATRIX_CELL_IN[1])
    widest_count = max(text_width_in(text, 1) for row in texts for text in row)
    count_pt = min(max(0.7 * cell / widest_count, COUNT_PT[0]), COUNT_PT[1], 0.45 * cell * 72)
    names_in = max(text_width_in(name, LABEL_PT) for name in names)
    upright = names_in > cell * 0.9  # names too wide for their column stand upright
    below_in = (names_in if upright else LABEL_PT / 72) + 0.5
    figure, axis = plt.subplots(layout="constrained", figsize=(
        len(names) * cell + names_in + 0.6 + MARGIN_IN, len(names) * cell + below_in + MARGIN_IN))
    axis.imshow(values, cmap="Blues", vmin=0, vmax=max(values.max(), 1e-9))
    dark = values > values.max() / 2
    for row, column in np.ndindex(values.shape):
        axis.text(column, row, texts[row][column], ha="center", va="center", fontsize=count_pt,
                  color="white" if dark[row, column] else "black")
    axis.set_xticks(range(len(names)), names, fontsize=LABEL_PT, rotation=90 if upright else 0)
    axis.set_yticks(range(len(names)), names, fontsize=LABEL_PT)
    axis.set_xlabel("predicted class", fontsize=LABEL_PT)
    axis.set_ylabel("true class", fontsize=LABEL_PT)
    return _drawn(figure)


def _confusion(truth: np.ndarray, guess: np.ndarray, classes: int, normalize: str | None) -> np.ndarray:
    """Counts of (true, predicted) pairs from scikit-learn's ``confusion_matrix``, as the lessons compute them."""
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be None, 'true', 'pred' or 'all'; received: {normalize!r}")
    from sklearn.metrics import confusion_matrix as counted  # imported when drawn: it takes a second

    return counted(truth, guess, labels=list(range(classes)), normalize=normalize).astype(float)


def misclassified(
    images: np.ndarray,
    true_labels: Sequence[int],
    predicted: Sequence[int],
    class_names: Sequence[str],
    count: int = 12,
    columns: int = 6,
) -> Figure:
    """Show up to ``count`` wrongly classified images, titled "true -> predicted".

    A title too wide for its image breaks after the arrow; with no mistakes
    the figure is one line saying so.
    """
    truth, guess = _as_integers(true_labels), _as_integers(predicted)
    wrong = np.flatnonzero(truth != guess)[:count]
    if not len(wrong):
        figure = plt.figure(figsize=(text_width_in(NONE_WRONG, LABEL_PT) + 2 * MARGIN_IN, 0.4))
        figure.text(0.5, 0.5, NONE_WRONG, ha="center", va="center", fontsize=LABEL_PT)
        return _drawn(figure)
    titles = [f"{class_names[truth[index]]} -> {class_names[guess[index]]}" for index in wrong]
    lines = 1
    if any(text_width_in(title, TITLE_PT) + MARGIN_IN > IMAGE_IN for title in titles):
        titles, lines = [title.replace(" -> ", " ->\n") for title in titles], 2
    figure, axes = _grid(len(wrong), min(columns, len(wrong)), _cell_width(titles), lines)
    for axis, index, title in zip(axes, wrong, titles):
        _show(axis, images[index])
        axis.set_title(title, fontsize=TITLE_PT)
    return _drawn(figure)


def feature_maps(
    activations: Sequence[np.ndarray], layer_names: Sequence[str], channel: int = 0, images: int = 3
) -> Figure:
    """Show one channel of each layer's output for a few images.

    Args:
        activations: one array per layer, ``(N, H, W, C)``, as an
            activation model's ``predict`` returns them.
        layer_names: a title per layer.
        channel: which filter's output to show.
        images: how many of the N images (one row each).
    """
    count = min(images, len(activations[0]))
    width = max(1.8, _cell_width(layer_names))
    title_in = TITLE_PT * 1.3 / 72
    figure, axes = plt.subplots(count, len(activations), squeeze=False, layout="constrained",
                                figsize=(width * len(activations), 1.8 * count + title_in))
    for row in range(count):
        for column, (output, name) in enumerate(zip(activations, layer_names)):
            axis = axes[row, column]
            axis.imshow(np.asarray(output)[row, :, :, channel], cmap="viridis")
            axis.set_xticks([])
            axis.set_yticks([])
            if row == 0:
                axis.set_title(name, fontsize=TITLE_PT)
    return _drawn(figure)


def _as_integers(values: Sequence[int] | np.ndarray) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] > 1:
        return array.argmax(axis=1)
    return array.reshape(-1).astype(int)
