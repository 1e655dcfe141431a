"""What a failed accuracy check says it sees (`learner.diagnosis`), and losses and metrics given as Keras functions."""

from __future__ import annotations

import keras
import pytest
import tensorflow as tf
from keras import layers

from autograder.learner import budgets, checks, diagnosis, training
from autograder.learner.checks import CheckFailure

pytestmark = pytest.mark.quick

INTEGER_LABELS = budgets.FASHION_DENSE_TRAINING
ONE_HOT_LABELS = budgets.SIGN_RPS_TRAINING


def network(*middle, loss="sparse_categorical_crossentropy", optimizer="adam", metrics=("accuracy",)):
    model = keras.Sequential([keras.Input((28, 28, 1)), *middle, layers.Flatten(), layers.Dense(16, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return model


def test_a_right_model_shows_nothing():
    assert diagnosis.likely_causes(network(), INTEGER_LABELS) == []
    assert diagnosis.likely_causes(network(loss="categorical_crossentropy"), ONE_HOT_LABELS) == []
    assert diagnosis.likely_causes(network(optimizer=keras.optimizers.SGD()), INTEGER_LABELS) == []
    assert diagnosis.likely_causes(network(layers.Rescaling(2.0, offset=-1.0)), INTEGER_LABELS) == []


def test_images_scaled_again_in_the_network_are_named():
    [cause] = diagnosis.likely_causes(network(layers.Rescaling(1.0 / 255)), INTEGER_LABELS)
    assert "multiplies the images by 0.00392" in cause and "scaled twice" in cause


def test_frozen_layers_are_named():
    model = network()
    model.layers[1].trainable = False
    assert diagnosis.likely_causes(model, INTEGER_LABELS) == [
        f"layer '{model.layers[1].name}' is frozen (trainable=False): its weights stay random"]
    model.trainable = False
    assert "the whole model is frozen" in diagnosis.likely_causes(model, INTEGER_LABELS)[0]


def test_a_loss_that_does_not_fit_the_labels_is_named():
    [cause] = diagnosis.likely_causes(network(loss="sparse_categorical_crossentropy"), ONE_HOT_LABELS)
    assert cause == ("the loss is sparse_categorical_crossentropy, but the labels are one-hot vectors, "
                     "which categorical_crossentropy fits")
    [cause] = diagnosis.likely_causes(network(loss="mean_squared_error"), INTEGER_LABELS)
    assert "labels are integer class numbers, which sparse_categorical_crossentropy fits" in cause


@pytest.mark.parametrize(("rate", "named"), [(0.5, True), (0.02, True), (0.005, False), (1e-4, False), (1e-6, True)])
def test_a_learning_rate_far_from_the_default_is_named(rate, named):
    causes = diagnosis.likely_causes(network(optimizer=keras.optimizers.Adam(learning_rate=rate)), INTEGER_LABELS)
    assert causes == ([f"the learning rate is {rate:g}, far from Adam's default of 0.001"] if named else [])


def test_the_accuracy_check_says_what_it_sees_before_its_hint():
    with pytest.raises(CheckFailure) as raised:
        checks.min_accuracy(0.31, 0.9, "build()", hint="check the output layer.", causes=["layer 'x' is frozen"])
    assert str(raised.value) == ("build() test accuracy: expected >= 0.900, found 0.310. "
                                 "Hint: the grader sees that layer 'x' is frozen. Check the output layer.")


def test_keras_loss_and_metric_functions_travel_by_name_and_train_as_the_names_do():
    """`loss=tf.keras.losses.categorical_crossentropy` is Keras' own loss: the same training as the string."""
    spelled = network(loss=tf.keras.losses.categorical_crossentropy, metrics=[keras.metrics.categorical_accuracy])
    named = network(loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    request = training.serialise(spelled, "compile_rps()")
    assert request["compile"]["loss"] == "categorical_crossentropy"
    assert request["compile"]["metrics"] == ["categorical_accuracy"]
    budget = {"budget": {"dataset": "sign_language_rps"}}
    assert (training.training_key({**request, **budget})
            == training.training_key({**training.serialise(named, "compile_rps()"), **budget}))


def test_a_learners_own_function_under_a_keras_name_is_refused():
    def categorical_crossentropy(y_true, y_pred):  # not Keras' loss, whatever its name
        return keras.ops.mean(y_pred) * 0

    with pytest.raises(CheckFailure) as raised:
        training.serialise(network(loss=categorical_crossentropy), "compile_rps()")
    assert "a function 'categorical_crossentropy'" in str(raised.value)
    assert "give the loss and metrics by name" in str(raised.value)
