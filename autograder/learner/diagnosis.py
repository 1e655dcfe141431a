"""What a model shows that explains a low accuracy after brief training, in words a learner can act on.

A failed accuracy check knows only a number. Before its generic hint it
says what it can see in the model the learner handed over, set against
how the trainer feeds it (`autograder.grading.trainer.train.budget_data`:
images scaled to [0, 1], integer labels or one-hot vectors as the
budget says):

- images rescaled again by a ``Rescaling`` layer (scaled twice);
- frozen layers (``trainable=False``), which keep their random weights;
- a loss that does not fit the labels' format;
- a learning rate far from the optimizer's default.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from autograder.learner import budgets, checks

# A learning rate this many times above (or below, times 100) the optimizer's default is worth naming.
LEARNING_RATE_FACTOR_UP = 10.0
LEARNING_RATE_FACTOR_DOWN = 100.0


def likely_causes(model: Any, budget: budgets.TrainingBudget) -> list[str]:
    """Each thing in ``model`` that could explain a low accuracy under ``budget``, as a phrase (none: ``[]``).

    Example:
        >>> likely_causes(model_with_rescaling, budgets.SIGN_RPS_TRAINING)  # doctest: +SKIP
        ["layer 'rescaling' multiplies the images by 0.00392, but they arrive scaled to [0, 1]: they are scaled twice"]
    """
    return [*_rescaled_twice(model), *_frozen(model), *_loss_for_labels(model, budget), *_learning_rate(model)]


def _rescaled_twice(model: Any) -> list[str]:
    found = []
    for layer in checks.model_layers(model):
        if type(layer).__name__ == "Rescaling":
            scale = float(np.max(np.abs(np.asarray(layer.scale, dtype=float))))
            if scale < 0.5:
                found.append(f"layer '{layer.name}' multiplies the images by {scale:.3g}, but they arrive scaled to "
                             "[0, 1]: they are scaled twice")
    return found


def _frozen(model: Any) -> list[str]:
    if not getattr(model, "trainable", True):
        return ["the whole model is frozen (trainable=False): its weights stay random"]
    frozen = [layer.name for layer in checks.model_layers(model) if layer.weights and not layer.trainable]
    if not frozen:
        return []
    names = ", ".join(f"'{name}'" for name in frozen)
    several = len(frozen) > 1
    return [f"layer{'s' if several else ''} {names} {'are' if several else 'is'} frozen (trainable=False): "
            f"{'their' if several else 'its'} weights stay random"]


def _loss_for_labels(model: Any, budget: budgets.TrainingBudget) -> list[str]:
    config = (model.get_compile_config() or {}) if getattr(model, "compiled", False) else {}
    loss = checks.serialized_name(config["loss"]) if config.get("loss") is not None else ""
    fitting = "categorical_crossentropy" if budget.one_hot_labels else "sparse_categorical_crossentropy"
    if not loss or loss in checks.LOSS_ALIASES[fitting]:
        return []
    labels = "one-hot vectors" if budget.one_hot_labels else "integer class numbers"
    return [f"the loss is {loss}, but the labels are {labels}, which {fitting} fits"]


def _learning_rate(model: Any) -> list[str]:
    import keras

    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not isinstance(optimizer.learning_rate, keras.Variable):
        return []  # not compiled, or a schedule
    default = inspect.signature(type(optimizer).__init__).parameters.get("learning_rate")
    if default is None or not isinstance(default.default, (int, float)):
        return []
    rate = float(np.asarray(keras.ops.convert_to_numpy(optimizer.learning_rate)))
    usual = float(default.default)
    if usual / LEARNING_RATE_FACTOR_DOWN <= rate <= usual * LEARNING_RATE_FACTOR_UP:
        return []
    return [f"the learning rate is {rate:g}, far from {type(optimizer).__name__}'s default of {usual:g}"]
