"""Brief training: in a fresh process or the warm service, deterministic (the same bits either way), with clear failures.

Tests about determinism and about what the trainer ignores train in fresh
processes (the warm service would answer the second request from its
reuse of results); the others train in the warm service, as grading does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict

import keras
import psutil
import pytest
from keras import layers

from autograder.grading.trainer import trained_store
from autograder.grading.trainer.training_service import TrainingService
from autograder.learner import budgets, training
from autograder.learner.checks import CheckFailure
from conftest import require

SMALL = budgets.TrainingBudget(dataset="fashion_mnist", train_size=1000, test_size=500, epochs=1, batch_size=64)


@pytest.fixture
def warm(warm_service, monkeypatch):
    """Brief training goes to the module's warm service (as under the grader), not to a fresh process."""
    monkeypatch.setenv(training.SERVICE_VARIABLE, str(warm_service.socket))


def small_model(units=10, loss="sparse_categorical_crossentropy", compile_it=True, activation="relu"):
    model = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(32, activation=activation),
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


def test_shuffled_labels_cannot_be_learnt(warm):
    require("fashion_mnist")
    result = training.brief_train(small_model(), budgets.TrainingBudget(**{**SMALL.__dict__, "shuffle_labels": True}))
    assert result.test_accuracy < 0.3


def test_uncompiled_model_is_refused_before_training():
    with pytest.raises(CheckFailure, match="expected a compiled model"):
        training.brief_train(small_model(compile_it=False), SMALL, "build()")


def test_wrong_output_size_is_a_clear_failure(warm):
    require("fashion_mnist")
    with pytest.raises(CheckFailure, match=r"output shape must be \(None, 10\), found \(None, 9\)"):
        training.brief_train(small_model(units=9), SMALL, "build()")


def test_loss_that_does_not_fit_the_labels(warm):
    require("fashion_mnist")
    with pytest.raises(CheckFailure, match="training build\\(\\): expected a model that trains"):
        training.brief_train(small_model(loss="categorical_crossentropy"), SMALL, "build()")


def test_time_limit(monkeypatch):
    require("fashion_mnist")
    long_run = {**SMALL.__dict__, "train_size": 20000, "epochs": 5, "time_limit_s": 1.0}  # a warm child can fit SMALL in 1 s
    with pytest.raises(CheckFailure, match="to finish within 1 s"):
        training.brief_train(small_model(), budgets.TrainingBudget(**long_run))


def test_cache_reuses_results_for_the_same_architecture(warm, tmp_path, monkeypatch):
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


def test_canonical_json_keeps_strings_that_merely_equal_a_name():
    """A layer named after its activation, or a dtype, must not make two different models look alike."""

    def described(activation, dtype="float32"):
        model = keras.Sequential([keras.Input((28, 28)), layers.Flatten(),
                                  layers.Dense(32, activation=activation, name=activation, dtype=dtype),
                                  layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return training.canonical_json({"model": json.loads(model.to_json()), "compile": model.get_compile_config()})

    assert described("relu") != described("tanh")
    assert described("relu") != described("relu", dtype="float64")


def test_functional_wiring_survives_renaming():
    def described(swap):
        inputs = keras.Input((28, 28))
        flat = layers.Flatten()(inputs)
        wide, narrow = layers.Dense(32, activation="relu")(flat), layers.Dense(16, activation="tanh")(flat)
        joined = layers.Concatenate()([narrow, wide] if swap else [wide, narrow])
        model = keras.Model(inputs, layers.Dense(10, activation="softmax")(joined))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return training.canonical_json({"model": json.loads(model.to_json()), "compile": model.get_compile_config()})

    assert described(False) == described(False)
    assert described(False) != described(True)


class Doubler(keras.layers.Layer):
    """A custom layer the fresh training process cannot rebuild."""

    def call(self, inputs):
        return inputs * 2


def test_model_with_a_custom_layer_is_a_clear_failure(warm):
    require("fashion_mnist")
    model = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), Doubler(), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(CheckFailure) as raised:
        training.brief_train(model, SMALL, "build()")
    assert "use layers from keras.layers only" in str(raised.value)


@pytest.fixture(scope="module")
def warm_service(tmp_path_factory):
    """The grading worker's warm training service, started once for these tests."""
    require("fashion_mnist")
    environment = {name: value for name, value in os.environ.items() if name != trained_store.STORE_VARIABLE}
    service = TrainingService(["fashion_mnist"], environment, log=tmp_path_factory.mktemp("service") / "log")
    service.start()
    yield service
    service.stop()


def test_warm_service_gives_the_fresh_process_numbers_to_the_last_bit(warm_service, monkeypatch):
    fresh = training.brief_train(small_model(), SMALL)
    monkeypatch.setenv(training.SERVICE_VARIABLE, str(warm_service.socket))
    warm = [training.brief_train(small_model(), SMALL) for _ in range(2)]
    assert warm[0].test_accuracy == warm[1].test_accuracy == fresh.test_accuracy
    assert warm[0].history == warm[1].history == fresh.history


def test_warm_service_reuses_a_result_for_the_same_architecture_and_trains_any_other(warm_service, monkeypatch):
    monkeypatch.setenv(training.SERVICE_VARIABLE, str(warm_service.socket))
    first = training.brief_train(small_model(), SMALL)
    again = training.brief_train(small_model(), SMALL)  # built anew: other generated names, same model
    assert again == first  # `seconds` too: the same reply, not a second training of the same length
    longer = training.brief_train(small_model(), budgets.TrainingBudget(**{**SMALL.__dict__, "epochs": 2}))
    assert longer.history["loss"][0] == first.history["loss"][0] and len(longer.history["loss"]) == 2
    assert training.brief_train(small_model(activation="tanh"), SMALL).test_accuracy != first.test_accuracy


def test_warm_service_reports_learner_errors_and_time_limits(warm_service, monkeypatch):
    monkeypatch.setenv(training.SERVICE_VARIABLE, str(warm_service.socket))
    with pytest.raises(CheckFailure, match=r"output shape must be \(None, 10\), found \(None, 9\)"):
        training.brief_train(small_model(units=9), SMALL, "build()")
    long_run = {**SMALL.__dict__, "train_size": 20000, "epochs": 5, "time_limit_s": 1.0}  # a warm child can fit SMALL in 1 s
    with pytest.raises(CheckFailure, match="to finish within 1 s"):
        training.brief_train(small_model(), budgets.TrainingBudget(**long_run))
    assert warm_service.running
    assert training.brief_train(small_model(), SMALL).test_accuracy > 0.4


def test_a_service_files_what_it_trains_in_its_store_and_answers_from_it(tmp_path, monkeypatch):
    """The store outlives the service: what one run trained, the next reads back instead of training again."""
    store = tmp_path / "trained"
    service = TrainingService([], {**os.environ, trained_store.STORE_VARIABLE: str(store)}, log=tmp_path / "log")
    service.start()
    try:
        monkeypatch.setenv(training.SERVICE_VARIABLE, str(service.socket))
        trained = training.brief_train(small_model(units=10, activation="elu"), SMALL)
        deadline = time.monotonic() + 10  # the learner has its reply from the trainer before the service files it
        while not list(store.glob("*/*.json")) and time.monotonic() < deadline:
            time.sleep(0.1)
        [filed] = store.glob("*/*.json")
        assert filed.parent.name.startswith(("tensorflow-cpu-", "jax-cpu-", "torch-cpu-"))
        assert json.loads(filed.read_text()[len(training.RESULT_PREFIX):])["history"] == trained.history
        unseen = small_model(units=10, activation="selu")  # never trained: a reply filed for it is the one given
        request = {**training.serialise(unseen, "build()"), "budget": asdict(SMALL)}
        reply = json.loads(filed.read_text()[len(training.RESULT_PREFIX):])
        (filed.parent / f"{training.training_key(request)}.json").write_text(
            training.RESULT_PREFIX + json.dumps({**reply, "test_accuracy": 0.123}))
        assert training.brief_train(unseen, SMALL).test_accuracy == 0.123
    finally:
        service.stop()


STARTS_A_SERVICE_AND_WAITS = """
import os, time
from autograder.grading.trainer.training_service import TrainingService
service = TrainingService([], dict(os.environ))
service.start()
print(service.process.pid, flush=True)
time.sleep(600)
"""


def test_service_stops_once_the_worker_that_started_it_is_killed():
    """A grading worker killed outright (SIGKILL: no clean-up runs) must not leave its service holding Keras in memory."""
    worker = subprocess.Popen([sys.executable, "-c", STARTS_A_SERVICE_AND_WAITS], stdout=subprocess.PIPE, text=True)
    try:
        service = psutil.Process(int(worker.stdout.readline()))
        assert service.is_running()
    finally:
        worker.kill()
        worker.wait()
    service.wait(timeout=30)  # psutil.TimeoutExpired if it is still there


def test_lesson_style_tensorflow_activations_train_as_their_keras_twins():
    require("fashion_mnist")
    import tensorflow as tf

    lesson = tf.keras.models.Sequential()
    lesson.add(tf.keras.layers.Flatten(input_shape=(28, 28)))
    lesson.add(tf.keras.layers.Dense(32, activation=tf.nn.relu))
    lesson.add(tf.keras.layers.Dense(10, activation=tf.nn.softmax))
    lesson.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert training.brief_train(lesson, SMALL).test_accuracy == training.brief_train(small_model(), SMALL).test_accuracy


def test_functions_from_outside_keras_are_refused_before_training():
    config = {"class_name": "Dense", "config": {"activation": {"module": "os", "class_name": "function",
                                                               "config": "system", "registered_name": "function"}}}
    with pytest.raises(ValueError, match="'system' from 'os'"):
        training.sanitise_config(config)
    relu = {"module": "tensorflow.python.ops.gen_nn_ops", "class_name": "function", "config": "relu"}
    assert training.sanitise_config({"activation": relu}) == {"activation": "relu"}
    assert training.sanitise_config({"activation": {**relu, "config": "softmax_v2"}}) == {"activation": "softmax"}


def test_the_lesson_style_and_the_keras_style_of_one_model_share_a_training_key():
    """The key a warm service reuses results by: right answers written either way train once per worker."""
    import tensorflow as tf

    lesson = tf.keras.models.Sequential()
    lesson.add(tf.keras.layers.Flatten(input_shape=(28, 28)))
    lesson.add(tf.keras.layers.Dense(32, activation=tf.nn.relu))
    lesson.add(tf.keras.layers.Dense(10, activation=tf.nn.softmax))
    lesson.compile(optimizer=tf.keras.optimizers.Adam(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    def key(model, budget=SMALL):
        return training.training_key({**training.serialise(model, "build()"), "budget": asdict(budget)})

    assert key(lesson) == key(small_model()) == key(small_model())
    assert key(small_model()) != key(small_model(), budgets.TrainingBudget(**{**SMALL.__dict__, "seed": 1}))
