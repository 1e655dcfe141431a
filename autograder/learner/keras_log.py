"""Under the grader, how a learner's own cells trained and evaluated their models: a log hidden tests read.

A number a learner's cell measured (fashion_cnn's filter experiment stores
test accuracies) cannot show how it was measured: the loss in place of the
accuracy, images scaled by 127.5 or the training and test sets swapped all
give numbers near the right ones. So under the grader the learner's
``Model.fit``, ``Model.evaluate`` and ``Model.predict`` calls are logged:
each measurement (an evaluation or a prediction) with its model, what it
returned and the fits that model had before. Logging
starts where a learner's training cell begins under the grader
(`autograder.learner.modes.watch_training`: loading data, asking for the
epochs) and never in learning mode; a learner's code runs exactly as it
would without it.
"""

from __future__ import annotations

import collections
import functools
import weakref
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from autograder.learner import checks, quiet

KEPT = 32  # the latest evaluations kept (each holds its model)


@dataclass(frozen=True)
class Fit:
    """One ``fit`` call: on how many samples, their largest value, for how many epochs."""

    samples: int | None
    largest_value: float | None
    epochs: int


@dataclass(frozen=True)
class Measurement:
    """One ``evaluate`` or ``predict`` call: the model, its fits before it, its data, what it returned.

    Attributes:
        samples, largest_value: how many samples it measured on, and their largest value.
        values: ``evaluate``'s numbers, the loss first (empty for ``predict``).
        classes: ``predict``'s most likely class per sample (None for ``evaluate``).
    """

    model: Any
    fits: tuple[Fit, ...]
    samples: int | None
    largest_value: float | None
    values: tuple[float, ...] = ()
    classes: np.ndarray | None = None

    def accuracies(self, labels: np.ndarray) -> tuple[float, ...]:
        """The accuracies this measurement gave: ``evaluate``'s numbers after the loss, or ``predict``'s against
        ``labels``."""
        if self.classes is None:
            return self.values[1:]
        if len(self.classes) != len(labels):
            return ()
        return (float(np.mean(self.classes == np.ravel(labels))),)


MEASUREMENTS: collections.deque[Measurement] = collections.deque(maxlen=KEPT)
_FITS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def start() -> None:
    """Log every later ``fit``, ``evaluate`` and ``predict`` of a Keras model; nothing when they are logged already.

    Checked on every call, not cached: the grader's tamper guard puts Keras' own methods back after a cell.
    """
    keras = quiet.load_keras()
    if getattr(keras.Model.fit, "_logged", False):
        return
    keras.Model.fit = _logging(keras.Model.fit, _after_fit)
    keras.Model.evaluate = _logging(keras.Model.evaluate, _after_evaluate)
    keras.Model.predict = _logging(keras.Model.predict, _after_predict)


def clear() -> None:
    """Forget what was logged (the in-process test harness starts each notebook run with an empty log)."""
    MEASUREMENTS.clear()
    _FITS.clear()


def measurements_of(matches: Callable[[Any], bool]) -> list[Measurement]:
    """The logged measurements whose model ``matches``, oldest first."""
    return [measurement for measurement in MEASUREMENTS if matches(measurement.model)]


def _logging(method: Callable[..., Any], after: Callable[..., None]) -> Callable[..., Any]:
    @functools.wraps(method)
    def logged(self, *args: Any, **kwargs: Any) -> Any:
        returned = method(self, *args, **kwargs)
        try:
            after(self, checks.call_arguments(method, self, *args, **kwargs), returned)
        except Exception:  # noqa: BLE001 (the log never changes what the learner's call does)
            pass
        return returned

    logged._logged = True
    return logged


def _after_fit(model: Any, arguments: dict[str, Any], history: Any) -> None:
    samples, largest = _data_facts(arguments.get("x"))
    _FITS.setdefault(model, []).append(Fit(samples, largest, int(arguments["epochs"])))


def _after_evaluate(model: Any, arguments: dict[str, Any], returned: Any) -> None:
    if isinstance(returned, dict):
        values = [returned.get("loss"), *(value for name, value in returned.items() if name != "loss")]
    else:
        values = list(np.ravel(returned))
    _measured(model, arguments, values=tuple(float(value) for value in values if value is not None))


def _after_predict(model: Any, arguments: dict[str, Any], returned: Any) -> None:
    _measured(model, arguments, classes=np.asarray(returned).argmax(axis=-1) if np.ndim(returned) >= 2 else None)


def _measured(model: Any, arguments: dict[str, Any], **returned: Any) -> None:
    """Log a measurement of ``model`` on the data of ``arguments``, with the fits it had and what it ``returned``."""
    MEASUREMENTS.append(Measurement(model, tuple(_FITS.get(model, ())), *_data_facts(arguments.get("x")), **returned))


def _data_facts(x: Any) -> tuple[int | None, float | None]:
    """The number of samples of an array-like ``x`` and its largest value (None for a dataset or generator)."""
    if not hasattr(x, "shape") or not getattr(x, "shape", None):
        return None, None
    return int(x.shape[0]), float(np.max(x))
