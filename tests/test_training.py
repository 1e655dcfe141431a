"""autograder.learner.training: brief training in a fresh process, deterministic, with clear failures."""

from __future__ import annotations

import json

import keras
import pytest
from keras import layers

from autograder.learner import budgets, training
from autograder.learner.checks import CheckFailure
from conftest import require

SMALL = budgets.TrainingBudget(dataset="fashion_mnist", train_size=1000, test_size=500, epochs=1, batch_size=64)


def small_model(units=10, loss="sparse_categorical_crossentropy", compile_it=True):
    model = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(32, activation="relu"),
                              layers.Dense(units, activation="softmax")])
    if compile_it:
        model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


def test_same_model_same_numbers_twice():
    require("fashion_mnist")
    first = training.brief_train(small_model(), SMALL)
    second = training.brief_train(small_model(), SMALL)
    assert first.test_accuracy == second.test_accuracy
    assert first.history == second.history
    assert 0.4 < first.test_accuracy <= 1.0
    assert first.device in ("CPU", "GPU") and first.backend == keras.backend.backend()


def test_trained_weights_of_the_learner_are_not_used():
    require("fashion_mnist")
    model = small_model()
    for weight in model.weights:
        weight.assign(weight * 0)
    assert training.brief_train(model, SMALL).test_accuracy == training.brief_train(small_model(), SMALL).test_accuracy


def test_shuffled_labels_cannot_be_learnt():
    require("fashion_mnist")
    result = training.brief_train(small_model(), budgets.TrainingBudget(**{**SMALL.__dict__, "shuffle_labels": True}))
    assert result.test_accuracy < 0.3


def test_uncompiled_model_is_refused_before_training():
    with pytest.raises(CheckFailure, match="expected a compiled model"):
        training.brief_train(small_model(compile_it=False), SMALL, "build()")


def test_wrong_output_size_is_a_clear_failure():
    require("fashion_mnist")
    with pytest.raises(CheckFailure, match=r"output shape must be \(None, 10\), found \(None, 9\)"):
        training.brief_train(small_model(units=9), SMALL, "build()")


def test_loss_that_does_not_fit_the_labels():
    require("fashion_mnist")
    with pytest.raises(CheckFailure, match="training build\\(\\): expected a model that trains"):
        training.brief_train(small_model(loss="categorical_crossentropy"), SMALL, "build()")


def test_time_limit(monkeypatch):
    require("fashion_mnist")
    with pytest.raises(CheckFailure, match="to finish within 1 s"):
        training.brief_train(small_model(), budgets.TrainingBudget(**{**SMALL.__dict__, "time_limit_s": 1.0}))


def test_cache_reuses_results_for_the_same_architecture(tmp_path, monkeypatch):
    require("fashion_mnist")
    monkeypatch.setenv(training.CACHE_VARIABLE, str(tmp_path))
    first = training.brief_train(small_model(), SMALL)
    assert len(list(tmp_path.iterdir())) == 1
    assert training.brief_train(small_model(), SMALL) == first
    with pytest.raises(CheckFailure, match="output shape"):
        training.brief_train(small_model(units=9), SMALL)
    assert len(list(tmp_path.iterdir())) == 2


def test_canonical_json_ignores_generated_names_but_keeps_structure():
    def described(model):
        return training.canonical_json({"model": json.loads(model.to_json()), "compile": model.get_compile_config()})

    first, second = small_model(), small_model()
    assert first.to_json() != second.to_json()
    assert described(first) == described(second)
    assert described(first) != described(small_model(units=9))
    assert described(first) != described(small_model(loss="categorical_crossentropy"))


class Doubler(keras.layers.Layer):
    """A custom layer the fresh training process cannot rebuild."""

    def call(self, inputs):
        return inputs * 2


def test_model_with_a_custom_layer_is_a_clear_failure():
    require("fashion_mnist")
    model = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), Doubler(), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(CheckFailure) as raised:
        training.brief_train(model, SMALL, "build()")
    assert "use layers from keras.layers only" in str(raised.value)
