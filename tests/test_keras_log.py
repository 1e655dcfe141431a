"""The grader's log of a learner's own fits and measurements (`autograder.learner.keras_log`)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from autograder.learner import keras_log
from conftest import require

pytestmark = pytest.mark.quick

STARTS_ONLY_WHEN_GRADING = """
import os
from autograder.learner import datasets, modes, quiet
keras = quiet.load_keras()
def logged():
    return getattr(keras.Model.fit, "_logged", False) and getattr(keras.Model.predict, "_logged", False)
for mode in ("learning", "grading"):
    os.environ["AUTOGRADER_MODE"] = mode
    datasets.load("mnist", subset="full")  # as the grader's own processes load: starts nothing
    after_the_load = logged()
    modes.epochs(3)
    print(mode, after_the_load, logged())
"""


def test_the_log_starts_under_the_grader_only():
    require("mnist")
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    finished = subprocess.run([sys.executable, "-c", STARTS_ONLY_WHEN_GRADING], capture_output=True, text=True,
                              env=environment, timeout=120)
    assert finished.stdout.splitlines() == ["learning False False", "grading False True"], finished.stderr


@pytest.fixture
def logged():
    keras_log.start()
    keras_log.clear()
    yield
    keras_log.clear()


def _model():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_each_measurement_keeps_its_model_its_fits_and_what_it_returned(logged):
    images, labels = np.full((20, 4), 0.5, dtype="float32"), np.arange(20) % 3
    model, other = _model(), _model()
    history = model.fit(images, labels, epochs=2, verbose=0)
    model.fit(images[:10], labels[:10], verbose=0)
    assert len(history.history["loss"]) == 2  # the learner's call returns what it always does
    loss, accuracy = model.evaluate(images[:6], labels[:6], verbose=0)
    named = other.evaluate(images, labels, verbose=0, return_dict=True)
    classes = model.predict(images, verbose=0).argmax(axis=-1)
    first, second, third = keras_log.MEASUREMENTS
    assert (first.model, first.samples, first.largest_value, first.values) == (model, 6, 0.5, (loss, accuracy))
    assert first.fits == (keras_log.Fit(20, 0.5, 2), keras_log.Fit(10, 0.5, 1))
    assert first.accuracies(labels[:6]) == (accuracy,)
    assert second.model is other and second.fits == () and second.values[0] == named["loss"]
    assert third.values == () and third.accuracies(labels) == (float(np.mean(classes == labels)),)
    assert third.accuracies(labels[:5]) == ()  # predictions of other images than the labels'
    assert keras_log.measurements_of(lambda found: found is other) == [second]


def test_a_call_that_fails_fails_as_before_and_logs_nothing(logged):
    with pytest.raises(ValueError):
        _model().evaluate(np.zeros((5, 7)), np.zeros(5), verbose=0)  # 7 features where the model takes 4
    assert list(keras_log.MEASUREMENTS) == []
