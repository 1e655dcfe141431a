"""Assertions on a learner's model or function, with messages to act on.

Every check raises `CheckFailure` (an ``AssertionError``, so nbgrader and
pytest both treat it as a failed test) whose message names what was
checked, the expected value, the value found, and a hint::

    build_dense_model((128,)): parameter count: expected 101770, found 101641.
    Hint: the output layer needs 10 units, one per class.

``what`` always names the call the learner can rerun to see the problem.
"""

from __future__ import annotations

import inspect
import re
from typing import Any, Callable, Iterable, NoReturn, Sequence

import numpy as np

LOSS_ALIASES = {
    "sparse_categorical_crossentropy": {"sparse_categorical_crossentropy", "sparsecategoricalcrossentropy"},
    "categorical_crossentropy": {"categorical_crossentropy", "categoricalcrossentropy"},
}
ACCURACY_NAMES = {"accuracy", "acc"}
# Keras' explicit accuracy metrics: each compares predictions with one format of labels.
LABEL_ACCURACY = {"integer": "sparse_categorical_accuracy", "one_hot": "categorical_accuracy"}
LABEL_WORDS = {"integer": "integer labels (0, 1, 2, ...)", "one_hot": "one-hot labels"}


class CheckFailure(AssertionError):
    """A learner's code does not meet one requirement of the exercise."""


def fail(what: str, expected: Any, found: Any, hint: str = "") -> NoReturn:
    """Raise a `CheckFailure` saying what was expected and what was found.

    Args:
        what: the call or value checked, e.g. ``"build_dense_model()"``.
        expected: what a correct solution gives.
        found: what the learner's code gave.
        hint: one sentence on how to fix it.

    Raises:
        CheckFailure: always.
    """
    message = f"{what}: expected {expected}, found {found}."
    if hint:
        message += f" Hint: {hint}"
    raise CheckFailure(message)


def equal(found: Any, expected: Any, what: str, hint: str = "") -> None:
    """Check ``found == expected``.

    Example:
        >>> equal(len([1, 2]), 2, "len(values)")
    """
    if found != expected:
        fail(what, repr(expected), repr(found), hint)


def in_range(found: Any, low: float, high: float, what: str, hint: str = "") -> None:
    """Check ``low <= found <= high`` for a real number (bools are refused)."""
    is_number = isinstance(found, (int, float, np.integer, np.floating)) and not isinstance(found, (bool, np.bool_))
    if not is_number or not low <= found <= high:
        fail(what, f"a number from {low} to {high}", repr(found), hint)


def at_least(found: Any, low: float, what: str, hint: str = "") -> None:
    """Check ``found >= low`` for a real number (bools are refused).

    Example:
        >>> at_least(3, 1, "number of Conv2D layers")
    """
    is_number = isinstance(found, (int, float, np.integer, np.floating)) and not isinstance(found, (bool, np.bool_))
    if not is_number or not found >= low:
        fail(what, f"at least {low}", repr(found), hint)


def factor_range(found: Any, low: float, high: float, what: str, atol: float = 1e-6, hint: str = "") -> None:
    """Check the range a Keras preprocessing factor stands for.

    Keras reads a number ``f`` as the range ``(-f, f)`` and a pair as
    ``(lower, upper)``, so ``0.2``, ``(-0.2, 0.2)`` and ``[-0.2, 0.2]`` all
    stand for the same range while ``(0, 0.2)`` only goes one way.

    Args:
        found: the factor as the layer's ``get_config()`` gives it.
        low: the lower end expected.
        high: the upper end expected.
        what: the layer and argument checked.
        atol: tolerance on each end.
        hint: one sentence on how to fix it.

    Example:
        >>> factor_range(0.2, -0.2, 0.2, "RandomTranslation height_factor")
    """
    expected = f"the range {low:g} to {high:g}"
    values = np.asarray(found, dtype="float64").reshape(-1)
    if values.size not in (1, 2):
        fail(what, expected, repr(found), hint)
    lower, upper = (-abs(values[0]), abs(values[0])) if values.size == 1 else (values[0], values[1])
    if not (abs(lower - low) <= atol and abs(upper - high) <= atol):
        fail(what, expected, f"{lower:g} to {upper:g}", hint)


def is_instance(found: Any, kind: type | tuple[type, ...], what: str, hint: str = "") -> None:
    """Check that ``found`` is an instance of ``kind``."""
    if not isinstance(found, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        fail(what, f"a {names}", f"a {type(found).__name__}", hint)


def array(
    found: Any,
    what: str,
    shape: tuple[int, ...] | None = None,
    dtype: Any = None,
    low: float | None = None,
    high: float | None = None,
    hint: str = "",
) -> None:
    """Check an array's type, shape, dtype and value range.

    Args:
        found: the value to check; must be a NumPy array.
        what: the call that produced it.
        shape: the exact shape expected, if any.
        dtype: the exact dtype expected, if any.
        low: smallest allowed value, if any.
        high: largest allowed value, if any.
        hint: one sentence on how to fix it.
    """
    is_instance(found, np.ndarray, what, hint or "return a NumPy array.")
    if shape is not None and found.shape != tuple(shape):
        fail(f"{what} shape", tuple(shape), found.shape, hint)
    if dtype is not None and found.dtype != np.dtype(dtype):
        fail(f"{what} dtype", np.dtype(dtype).name, found.dtype.name, hint)
    if found.size and low is not None and found.min() < low:
        fail(f"{what} smallest value", f">= {low}", found.min(), hint)
    if found.size and high is not None and found.max() > high:
        fail(f"{what} largest value", f"<= {high}", found.max(), hint)


def allclose(found: Any, expected: np.ndarray, what: str, atol: float = 1e-6, hint: str = "") -> None:
    """Check that an array equals ``expected`` within ``atol``, naming the first difference."""
    found = np.asarray(found)
    if found.shape != expected.shape:
        fail(f"{what} shape", expected.shape, found.shape, hint)
    wrong = ~np.isclose(found, expected, atol=atol, rtol=0)
    if wrong.any():
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        fail(f"{what} at index {index}", expected[index], found[index], hint)


# Ways a loader commonly turns an image, by the words that name them.
IMAGE_TURNS = {
    "transposed (rows and columns swapped)": lambda image: np.swapaxes(image, 0, 1),
    "upside down": lambda image: image[::-1],
    "mirrored left to right": lambda image: image[:, ::-1],
}


def same_image(found: Any, expected: np.ndarray, what: str, atol: float = 1e-6, hint: str = "") -> None:
    """Check an image pixel by pixel, naming the turn when it is ``expected`` transposed or flipped.

    Args:
        found: the learner's image, ``(H, W)`` or ``(H, W, C)``.
        expected: the right image.
        what: the call that produced it.
        atol: the largest difference accepted per pixel.
        hint: one sentence on how to fix it.

    Example:
        >>> same_image(np.eye(2), np.eye(2), "image 0")
    """
    found, expected = np.asarray(found), np.asarray(expected)
    if found.shape == expected.shape and not np.allclose(found, expected, atol=atol, rtol=0):
        for how, turn in IMAGE_TURNS.items():
            turned = turn(expected)
            if turned.shape == found.shape and np.allclose(found, turned, atol=atol, rtol=0):
                fail(what, "the image as stored, row by row", f"the image {how}", hint)
    allclose(found, expected, what, atol, hint)


def is_model(found: Any, what: str) -> None:
    """Check that ``found`` is a Keras model."""
    import keras

    is_instance(found, keras.Model, what, "return the model you built (keras.Sequential or keras.Model).")


def _model_shape(model: Any, side: str, expected: tuple, what: str, hint: str) -> None:
    is_model(model, what)
    try:
        found = tuple(getattr(model, f"{side}_shape"))
    except (AttributeError, ValueError):
        found = f"no {side} shape (the model was not given a keras.Input)"
    if found != tuple(expected):
        fail(f"{what} {side} shape", tuple(expected), found, hint)


def input_shape(model: Any, expected: tuple, what: str, hint: str = "") -> None:
    """Check the model's input shape, batch axis included (``None``)."""
    _model_shape(model, "input", expected, what, hint or "start the model with keras.Input(shape=...).")


def output_shape(model: Any, expected: tuple, what: str, hint: str = "") -> None:
    """Check the model's output shape, batch axis included (``None``)."""
    _model_shape(model, "output", expected, what, hint)


def model_layers(model: Any) -> list:
    """Return the model's layers without its InputLayer."""
    import keras

    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def layer_kinds(model: Any, expected: Sequence[str], what: str, hint: str = "") -> None:
    """Check the class names of the model's layers, in order (InputLayer ignored).

    Example:
        >>> layer_kinds(model, ["Flatten", "Dense", "Dense"], "build_dense_model((128,))")  # doctest: +SKIP
    """
    is_model(model, what)
    found = [type(layer).__name__ for layer in model_layers(model)]
    if found != list(expected):
        fail(f"{what} layers", list(expected), found, hint)


def layer_signature(model: Any) -> list[str]:
    """Describe the model's layers in order: class names, with activation layers by their activation.

    ``ReLU()``, ``Activation("relu")`` and ``Softmax()`` read ``relu``,
    ``relu`` and ``softmax``, so equivalent ways to apply an activation as
    a separate layer compare equal.
    """
    activation_kinds = ("ReLU", "Softmax", "Activation")
    return [
        activation_of(layer) if type(layer).__name__ in activation_kinds else type(layer).__name__
        for layer in model_layers(model)
    ]


def layer_sequence(model: Any, expected: Sequence[str], what: str, hint: str = "") -> None:
    """Check `layer_signature` of the model against ``expected``.

    Example:
        >>> layer_sequence(model, ["Conv2D", "BatchNormalization", "relu"], "build()")  # doctest: +SKIP
    """
    is_model(model, what)
    found = layer_signature(model)
    if found != list(expected):
        fail(f"{what} layers", list(expected), found, hint)


def layer_output_shapes(model: Any, expected: Sequence[tuple], what: str, hint: str = "") -> None:
    """Check every layer's output shape, in order (InputLayer ignored)."""
    is_model(model, what)
    found = [tuple(layer.output.shape) for layer in model_layers(model)]
    if found != [tuple(shape) for shape in expected]:
        fail(f"{what} layer output shapes", [tuple(shape) for shape in expected], found, hint)


# Names under which TensorFlow functions that equal a Keras activation are
# known (``tf.nn.softmax`` is ``softmax_v2``), and the Keras name.
ACTIVATION_ALIASES = {"softmax_v2": "softmax", "log_softmax_v2": "log_softmax", "swish": "silu"}


def activation_name(function: Any) -> str:
    """Return the Keras name of an activation given as a name or a function.

    ``"relu"``, ``keras.activations.relu`` and ``tf.nn.relu`` all read
    ``relu``; ``tf.nn.softmax`` reads ``softmax``.

    Example:
        >>> activation_name("relu"), activation_name(np.tanh)
        ('relu', 'tanh')
    """
    name = function if isinstance(function, str) else getattr(function, "__name__", type(function).__name__)
    return ACTIVATION_ALIASES.get(name, name)


def activation_of(layer: Any) -> str:
    """Name the activation a layer applies (``linear`` where it applies none).

    The activation is read from the layer itself, so a name, a Keras
    function and a TensorFlow function such as ``tf.nn.relu`` (as the
    lessons write it) all count.
    """
    kind = type(layer).__name__
    if kind in ("Softmax", "ReLU"):
        return kind.lower()
    function = getattr(layer, "activation", None)
    return "linear" if function is None else activation_name(function)


def output_activation(model: Any, expected: str, what: str, hint: str = "") -> None:
    """Check the activation applied by the model's last layer."""
    is_model(model, what)
    layers = model_layers(model)
    found = activation_of(layers[-1]) if layers else "no layers"
    if found != expected:
        fail(f"{what} output activation", expected, found, hint)


def hidden_activations(model: Any, kind: str, expected: str, what: str, hint: str = "") -> None:
    """Check the activation of every layer of class ``kind`` but the last layer."""
    is_model(model, what)
    found = [activation_of(layer) for layer in model_layers(model)[:-1] if type(layer).__name__ == kind]
    if any(name != expected for name in found):
        fail(f"{what} activations of the hidden {kind} layers", f"all {expected}", found, hint)


def param_count(
    model: Any,
    what: str,
    total: int | None = None,
    trainable: int | None = None,
    non_trainable: int | None = None,
    hint: str = "",
) -> None:
    """Check the model's parameter counts, computed from its weights.

    Counts are summed from the weight shapes, so a patched
    ``Model.count_params`` does not change them.
    """
    is_model(model, what)
    sizes = {
        "total": sum(int(np.prod(w.shape)) for w in model.weights),
        "trainable": sum(int(np.prod(w.shape)) for w in model.trainable_weights),
        "non-trainable": sum(int(np.prod(w.shape)) for w in model.non_trainable_weights),
    }
    for name, expected in (("total", total), ("trainable", trainable), ("non-trainable", non_trainable)):
        if expected is not None and sizes[name] != expected:
            fail(f"{what} {name} parameter count", expected, sizes[name], hint)


def not_compiled(model: Any, what: str) -> None:
    """Check that the model has not been compiled yet."""
    is_model(model, what)
    if getattr(model, "compiled", False) or getattr(model, "optimizer", None) is not None:
        fail(what, "an uncompiled model", "a compiled model", "build only; compiling happens in compile_model.")


def _compile_config(model: Any, what: str) -> dict:
    is_model(model, what)
    if not getattr(model, "compiled", False):
        fail(what, "a compiled model", "a model that was not compiled", "call model.compile(...) and return the model.")
    return model.get_compile_config() or {}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def serialized_name(entry: Any) -> str:
    """Name of a loss or metric as `get_compile_config` serialises it."""
    if isinstance(entry, str):
        return entry.lower()
    if isinstance(entry, dict):
        config = entry.get("config")
        if isinstance(config, str):
            return config.lower()
        if isinstance(config, dict) and entry.get("class_name") in (None, "function"):
            return str(config.get("name", "")).lower()
        return _snake(str(entry.get("class_name", "")))
    return _snake(type(entry).__name__)


def loss(model: Any, expected: str, what: str, hint: str = "") -> None:
    """Check the compiled loss (string, function or Loss object all count).

    A loss object with ``from_logits=True`` fails, since the course's
    models end in a softmax.
    """
    entry = _compile_config(model, what).get("loss")
    found = serialized_name(entry)
    if found not in LOSS_ALIASES.get(expected, {expected}):
        fail(f"{what} loss", expected, found or "no loss", hint)
    if isinstance(entry, dict) and isinstance(entry.get("config"), dict) and entry["config"].get("from_logits"):
        fail(f"{what} loss", "from_logits=False", "from_logits=True", "the model already ends in a softmax.")


def optimizer(model: Any, expected: str, what: str, hint: str = "") -> None:
    """Check the compiled optimizer's class, e.g. ``"Adam"``."""
    _compile_config(model, what)
    found = type(model.optimizer).__name__
    if found.lower() != expected.lower():
        fail(f"{what} optimizer", expected, found, hint)


def metrics_include(model: Any, expected: str, what: str, hint: str = "", labels: str | None = None) -> None:
    """Check that the compiled metrics include ``expected``.

    ``"accuracy"`` is also met by ``"acc"`` and, when ``labels`` names the
    labels' format (``"integer"`` or ``"one_hot"``), by the Keras accuracy
    metric made for that format; the one made for the other format fails
    with a message that says so.

    Example:
        >>> metrics_include(model, "accuracy", "compile_model(model)", labels="integer")  # doctest: +SKIP
    """
    entries = _compile_config(model, what).get("metrics") or []
    if isinstance(entries, (str, dict)):
        entries = [entries]
    found = [serialized_name(entry) for entry in entries]
    accepted = {expected}
    if expected == "accuracy":
        accepted |= ACCURACY_NAMES | ({LABEL_ACCURACY[labels]} if labels else set())
    if set(found) & accepted:
        return
    for other, metric in LABEL_ACCURACY.items():
        if expected == "accuracy" and labels and other != labels and metric in found:
            fail(f"{what} metrics", f"a list that includes '{expected}'", found,
                 f"'{metric}' is made for {LABEL_WORDS[other]}, and these are {LABEL_WORDS[labels]}: "
                 "metrics=['accuracy'] picks the right one.")
    fail(f"{what} metrics", f"a list that includes '{expected}'", found, hint)


def whole_number(found: Any, what: str, hint: str = "") -> None:
    """Check that ``found`` is a whole number: a Python or NumPy integer, not a bool, a float or a string.

    Example:
        >>> whole_number(np.int64(30), "NUM_EPOCHS")
    """
    if not isinstance(found, (int, np.integer)) or isinstance(found, (bool, np.bool_)):
        fail(what, "a whole number", f"{found!r} (a {type(found).__name__})", hint)


def find_callback(callbacks: Any, kind: type, what: str, hint: str = "") -> Any:
    """Return the one callback of class ``kind`` in a list of callbacks.

    Raises:
        CheckFailure: ``callbacks`` is not a list or tuple, or does not hold
            exactly one ``kind``.
    """
    is_instance(callbacks, (list, tuple), what, "return a list of callbacks.")
    matches = [callback for callback in callbacks if isinstance(callback, kind)]
    if len(matches) != 1:
        fail(what, f"exactly one {kind.__name__}", [type(c).__name__ for c in callbacks], hint)
    return matches[0]


def min_accuracy(accuracy: float, threshold: float, what: str, hint: str = "", causes: Sequence[str] = ()) -> None:
    """Check that a measured accuracy reaches a calibrated threshold.

    Args:
        accuracy: what brief training measured.
        threshold: the calibrated least accuracy.
        what: the call that built the model.
        hint: one sentence on what to check.
        causes: what the grader sees in the model that could explain a low
            accuracy (`autograder.learner.training.TrainingResult.causes`),
            said before ``hint``.
    """
    if not accuracy >= threshold:
        fail(f"{what} test accuracy", f">= {threshold:.3f}", f"{accuracy:.3f}", with_causes(hint, causes))


def with_causes(hint: str, causes: Sequence[str]) -> str:
    """``hint`` preceded by what the grader sees that could explain a failure (``causes``), if anything.

    Example:
        >>> with_causes("check the loss.", ["layer 'dense' is frozen (trainable=False): its weights stay random"])
        "the grader sees that layer 'dense' is frozen (trainable=False): its weights stay random. Check the loss."
    """
    if not causes:
        return hint
    return f"the grader sees that {'; '.join(causes)}. {hint[:1].upper()}{hint[1:]}".strip()


def names(found: Iterable[str], expected: Sequence[str], what: str, hint: str = "") -> None:
    """Check a sequence of names, pointing at the first that differs."""
    found = list(found) if isinstance(found, (list, tuple)) else found
    if not isinstance(found, list) or len(found) != len(expected):
        fail(what, f"a list of {len(expected)} names", repr(found), hint)
    for position, (got, want) in enumerate(zip(found, expected)):
        if got != want:
            fail(f"{what}[{position}]", repr(want), repr(got), hint)


def one_of(found: Any, allowed: Sequence[Any], what: str, hint: str = "") -> None:
    """Check that ``found`` equals one of the ``allowed`` values.

    Example:
        >>> one_of("min", ("auto", "min"), "EarlyStopping mode")
    """
    if not any(found == value for value in allowed):
        fail(what, " or ".join(repr(value) for value in allowed), repr(found), hint)


def learning_rate(model: Any, expected: float, what: str, rtol: float = 1e-3, hint: str = "") -> None:
    """Check the compiled optimizer's learning rate (a schedule's rate at step 0) within a relative tolerance.

    Args:
        model: a compiled Keras model.
        expected: the learning rate the exercise asks for.
        what: the call that compiled the model.
        rtol: the largest relative difference accepted.
        hint: one sentence on how to fix it.
    """
    import keras

    _compile_config(model, what)
    found = float(np.asarray(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))
    if not np.isclose(found, expected, rtol=rtol, atol=0.0):
        fail(f"{what} learning rate", f"{expected:g}", f"{found:g}", hint)


def call(function: Callable[..., Any], *args: Any, what: str, hint: str = "", **kwargs: Any) -> Any:
    """Call a learner's function and return its result; an error it raises fails the check.

    A traceback from inside the learner's code does not say what the
    exercise wanted; the failure names the call, says that a result was
    expected and which error came instead.

    Args:
        function: the learner's function.
        *args: its positional arguments.
        what: the call as the learner would write it.
        hint: one sentence on how to fix it.
        **kwargs: its keyword arguments.

    Returns:
        What ``function`` returned.

    Example:
        >>> call(len, [1, 2], what="len(values)")
        2
    """
    try:
        return function(*args, **kwargs)
    except CheckFailure:
        raise
    except Exception as error:  # learner code may raise anything
        message = (str(error).strip().splitlines() or [""])[0][:200].rstrip(".")
        fail(what, "a result", f"{type(error).__name__}: {message}", hint)


def call_arguments(function: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Return the arguments a call of ``function`` would receive, by parameter name, defaults included.

    Hidden tests use it to record how a learner's code calls a library
    method (for example ``validation_split`` in ``Model.fit``) and check the
    arguments themselves instead of guessing them from results.

    Raises:
        TypeError: the arguments do not fit ``function``'s signature.

    Example:
        >>> call_arguments(lambda x, y=2: None, 1)
        {'x': 1, 'y': 2}
    """
    bound = inspect.signature(function).bind(*args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)
