"""The figures the lessons show.

Each function draws one figure and returns the ``matplotlib.figure.Figure``
(a notebook displays it; a test can save it). None of them picks a
matplotlib backend, so they render inline in Jupyter and headless under
``MPLBACKEND=Agg``.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib import pyplot as plt


def _grid(count: int, columns: int, cell_size: float = 1.6) -> tuple[Figure, np.ndarray]:
    rows = max(1, math.ceil(count / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(columns * cell_size, rows * cell_size * 1.15), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    return figure, axes.reshape(-1)


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
    figure, axes = _grid(count, min(columns, count))
    for axis, image, label in zip(axes, images[:count], labels[:count]):
        _show(axis, image)
        axis.set_title(class_names[label], fontsize=8)
    figure.tight_layout()
    return figure


def training_curves(history: Any) -> Figure:
    """Plot loss and accuracy per epoch, training and validation side by side.

    Args:
        history: a ``keras.callbacks.History`` or its ``.history`` dict.
    """
    values: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    kinds = [name for name in ("loss", "accuracy") if name in values] or sorted(k for k in values if not k.startswith("val_"))
    figure, axes = plt.subplots(1, len(kinds), figsize=(5 * len(kinds), 3.5), squeeze=False)
    for axis, name in zip(axes[0], kinds):
        epochs = np.arange(1, len(values[name]) + 1)
        axis.plot(epochs, values[name], marker="o", label="training")
        if f"val_{name}" in values:
            axis.plot(epochs, values[f"val_{name}"], marker="o", label="validation")
        axis.set_xlabel("epoch")
        axis.set_ylabel(name)
        axis.legend()
    figure.tight_layout()
    return figure


def confusion_matrix(
    true_labels: Sequence[int], predicted: Sequence[int], class_names: Sequence[str], normalize: str | None = None
) -> Figure:
    """Draw a confusion matrix (rows: true class, columns: predicted class).

    Args:
        true_labels: integer labels or one-hot rows.
        predicted: integer predictions, or per-class scores (argmax is taken).
        class_names: name of each label.
        normalize: ``None`` for counts, or scikit-learn's ``"true"``,
            ``"pred"`` (normalised by prediction, as in the lab) or ``"all"``.
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    figure, axis = plt.subplots(figsize=(1 + 0.6 * len(class_names), 0.6 * len(class_names)))
    ConfusionMatrixDisplay.from_predictions(
        _as_integers(true_labels),
        _as_integers(predicted),
        labels=list(range(len(class_names))),
        display_labels=list(class_names),
        normalize=normalize,
        values_format=".2f" if normalize else "d",
        xticks_rotation=45,
        colorbar=False,
        ax=axis,
    )
    figure.tight_layout()
    return figure


def misclassified(
    images: np.ndarray,
    true_labels: Sequence[int],
    predicted: Sequence[int],
    class_names: Sequence[str],
    count: int = 12,
    columns: int = 6,
) -> Figure:
    """Show up to ``count`` wrongly classified images, titled "true -> predicted"."""
    truth, guess = _as_integers(true_labels), _as_integers(predicted)
    wrong = np.flatnonzero(truth != guess)[:count]
    figure, axes = _grid(max(1, len(wrong)), min(columns, max(1, len(wrong))))
    if not len(wrong):
        axes[0].set_title("no misclassified images")
    for axis, index in zip(axes, wrong):
        _show(axis, images[index])
        axis.set_title(f"{class_names[truth[index]]} -> {class_names[guess[index]]}", fontsize=7)
    figure.tight_layout()
    return figure


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
    figure, axes = plt.subplots(count, len(activations), figsize=(1.8 * len(activations), 1.8 * count), squeeze=False)
    for row in range(count):
        for column, (output, name) in enumerate(zip(activations, layer_names)):
            axis = axes[row, column]
            axis.imshow(np.asarray(output)[row, :, :, channel], cmap="viridis")
            axis.set_xticks([])
            axis.set_yticks([])
            if row == 0:
                axis.set_title(name, fontsize=8)
    figure.tight_layout()
    return figure


def _as_integers(values: Sequence[int] | np.ndarray) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] > 1:
        return array.argmax(axis=1)
    return array.reshape(-1).astype(int)
