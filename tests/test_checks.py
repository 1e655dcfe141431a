"""autograder.learner.checks on real Keras models and values, right and wrong."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from autograder.learner import checks
from autograder.learner.checks import CheckFailure

pytestmark = pytest.mark.quick


def dense(output_activation="softmax", units=10, hidden=(32,), activation="relu"):
    return keras.Sequential(
        [keras.Input((28, 28)), layers.Flatten()]
        + [layers.Dense(u, activation=activation) for u in hidden]
        + [layers.Dense(units, activation=output_activation)]
    )


def compiled(**compile_arguments):
    model = dense()
    model.compile(**compile_arguments)
    return model


def test_failure_message_names_expected_found_and_hint():
    with pytest.raises(CheckFailure) as raised:
        checks.equal(3, 4, "len(x)", hint="add one.")
    assert str(raised.value) == "len(x): expected 4, found 3. Hint: add one."
    assert isinstance(raised.value, AssertionError)


def test_shapes():
    model = dense()
    checks.input_shape(model, (None, 28, 28), "m")
    checks.output_shape(model, (None, 10), "m")
    with pytest.raises(CheckFailure, match=r"m output shape: expected \(None, 10\), found \(None, 9\)"):
        checks.output_shape(dense(units=9), (None, 10), "m")
    with pytest.raises(CheckFailure, match="input shape"):
        checks.input_shape(model, (None, 28, 28, 1), "m")
    no_input = keras.Sequential([layers.Flatten(), layers.Dense(10)])
    with pytest.raises(CheckFailure, match="no input shape"):
        checks.input_shape(no_input, (None, 28, 28), "m")


def test_layer_kinds_and_output_shapes_ignore_input_layer():
    inputs = keras.Input((28, 28))
    functional = keras.Model(inputs, layers.Dense(10, activation="softmax")(layers.Flatten()(inputs)))
    checks.layer_kinds(functional, ["Flatten", "Dense"], "m")
    checks.layer_output_shapes(functional, [(None, 784), (None, 10)], "m")
    with pytest.raises(CheckFailure, match=r"expected \['Flatten', 'Dense', 'Dense'\]"):
        checks.layer_kinds(functional, ["Flatten", "Dense", "Dense"], "m")
    with pytest.raises(CheckFailure, match="layer output shapes"):
        checks.layer_output_shapes(dense(), [(None, 784), (None, 16), (None, 10)], "m")


def test_activations():
    checks.output_activation(dense(), "softmax", "m")
    with pytest.raises(CheckFailure, match="expected softmax, found sigmoid"):
        checks.output_activation(dense("sigmoid"), "softmax", "m")
    with pytest.raises(CheckFailure, match="found linear"):
        checks.output_activation(dense(None), "softmax", "m")
    trailing = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.Softmax()])
    checks.output_activation(trailing, "softmax", "m")
    checks.hidden_activations(dense(hidden=(8, 8), activation="tanh"), "Dense", "tanh", "m")
    with pytest.raises(CheckFailure, match="hidden Dense layers"):
        checks.hidden_activations(dense(hidden=(8, 8), activation="relu"), "Dense", "tanh", "m")


def test_param_counts_from_weights_not_count_params(monkeypatch):
    model = dense(hidden=(128,))
    checks.param_count(model, "m", total=101_770, trainable=101_770, non_trainable=0)
    monkeypatch.setattr(keras.Model, "count_params", lambda self: 101_770)
    with pytest.raises(CheckFailure, match="total parameter count: expected 101770, found 101641"):
        checks.param_count(dense(hidden=(128,), units=9), "m", total=101_770)
    frozen = dense(hidden=(128,))
    frozen.layers[1].trainable = False
    with pytest.raises(CheckFailure, match="trainable parameter count"):
        checks.param_count(frozen, "m", trainable=101_770)


def test_compiled_or_not():
    checks.not_compiled(dense(), "m")
    with pytest.raises(CheckFailure, match="an uncompiled model"):
        checks.not_compiled(compiled(optimizer="adam", loss="mse"), "m")
    with pytest.raises(CheckFailure, match="a compiled model"):
        checks.loss(dense(), "sparse_categorical_crossentropy", "m")


@pytest.mark.parametrize(
    "loss",
    ["sparse_categorical_crossentropy", keras.losses.SparseCategoricalCrossentropy(), keras.losses.sparse_categorical_crossentropy],
)
def test_loss_accepts_every_spelling(loss):
    checks.loss(compiled(optimizer="adam", loss=loss), "sparse_categorical_crossentropy", "m")


def test_loss_rejects_wrong_loss_and_logits():
    with pytest.raises(CheckFailure, match="expected sparse_categorical_crossentropy, found categorical_crossentropy"):
        checks.loss(compiled(optimizer="adam", loss="categorical_crossentropy"), "sparse_categorical_crossentropy", "m")
    logits = compiled(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.raises(CheckFailure, match="from_logits=True"):
        checks.loss(logits, "sparse_categorical_crossentropy", "m")


def test_optimizer_and_metrics():
    model = compiled(optimizer=keras.optimizers.Adam(1e-3), loss="mse", metrics=[keras.metrics.SparseCategoricalAccuracy()])
    checks.optimizer(model, "Adam", "m")
    checks.metrics_include(model, "accuracy", "m", labels="integer")
    checks.metrics_include(compiled(optimizer="adam", loss="mse", metrics=["acc"]), "accuracy", "m")
    with pytest.raises(CheckFailure, match="expected Adam, found SGD"):
        checks.optimizer(compiled(optimizer="sgd", loss="mse"), "Adam", "m")
    with pytest.raises(CheckFailure, match="a list that includes 'accuracy'"):
        checks.metrics_include(compiled(optimizer="adam", loss="mse"), "accuracy", "m")


def test_accuracy_metric_made_for_the_other_label_format_fails_and_says_why():
    integer_metric = compiled(optimizer="adam", loss="mse", metrics=["sparse_categorical_accuracy"])
    one_hot_metric = compiled(optimizer="adam", loss="mse", metrics=[keras.metrics.categorical_accuracy])
    checks.metrics_include(one_hot_metric, "accuracy", "m", labels="one_hot")
    with pytest.raises(CheckFailure, match="made for integer labels.*these are one-hot labels"):
        checks.metrics_include(integer_metric, "accuracy", "m", labels="one_hot")
    with pytest.raises(CheckFailure, match="made for one-hot labels"):
        checks.metrics_include(one_hot_metric, "accuracy", "m", labels="integer")
    with pytest.raises(CheckFailure, match="a list that includes 'accuracy'"):  # the label format not given: names only
        checks.metrics_include(integer_metric, "accuracy", "m")


def test_whole_number_takes_python_and_numpy_integers_only():
    for whole in (30, np.int64(30), np.uint8(3)):
        checks.whole_number(whole, "n")
    for bad in (True, np.bool_(True), 30.0, np.float32(30), "30", None):
        with pytest.raises(CheckFailure, match="n: expected a whole number"):
            checks.whole_number(bad, "n")


def test_find_callback():
    stopper = keras.callbacks.EarlyStopping(patience=2)
    assert checks.find_callback([keras.callbacks.TerminateOnNaN(), stopper], keras.callbacks.EarlyStopping, "c") is stopper
    with pytest.raises(CheckFailure, match="exactly one EarlyStopping"):
        checks.find_callback([keras.callbacks.TerminateOnNaN()], keras.callbacks.EarlyStopping, "c")
    with pytest.raises(CheckFailure, match="a list or tuple"):
        checks.find_callback(stopper, keras.callbacks.EarlyStopping, "c")


def test_arrays_and_numbers():
    values = np.linspace(0, 1, 12, dtype="float32").reshape(3, 4)
    checks.array(values, "a", shape=(3, 4), dtype="float32", low=0, high=1)
    with pytest.raises(CheckFailure, match="a dtype: expected float32, found float64"):
        checks.array(values.astype("float64"), "a", dtype="float32")
    with pytest.raises(CheckFailure, match="a largest value: expected <= 1"):
        checks.array(values * 255, "a", high=1)
    with pytest.raises(CheckFailure, match="a NumPy array"):
        checks.array([1, 2], "a")
    with pytest.raises(CheckFailure, match=r"at index \(1, 2\)"):
        expected = values.copy()
        expected[1, 2] += 0.5
        checks.allclose(values, expected, "a")
    checks.in_range(5, 1, 10, "n")
    for bad in (0, 11, True, "5", 2.5e3):
        with pytest.raises(CheckFailure):
            checks.in_range(bad, 1, 10, "n")


def test_names_and_accuracy():
    checks.names(("a", "b"), ["a", "b"], "names")
    with pytest.raises(CheckFailure, match=r"names\[1\]: expected 'b', found 'c'"):
        checks.names(["a", "c"], ["a", "b"], "names")
    with pytest.raises(CheckFailure, match="a list of 2 names"):
        checks.names(["a"], ["a", "b"], "names")
    checks.min_accuracy(0.81, 0.8, "m")
    with pytest.raises(CheckFailure, match="test accuracy: expected >= 0.800, found 0.100"):
        checks.min_accuracy(0.1, 0.8, "m")
    with pytest.raises(CheckFailure):
        checks.min_accuracy(float("nan"), 0.8, "m")


def test_layer_sequence_reads_activation_layers_by_name():
    relu_layer = keras.Sequential([keras.Input((4, 4, 1)), layers.Conv2D(2, 3), layers.ReLU(), layers.Flatten(), layers.Dense(3), layers.Softmax()])
    activation_layer = keras.Sequential([keras.Input((4, 4, 1)), layers.Conv2D(2, 3), layers.Activation("relu"), layers.Flatten(),
                                         layers.Dense(3), layers.Activation("softmax")])
    expected = ["Conv2D", "relu", "Flatten", "Dense", "softmax"]
    checks.layer_sequence(relu_layer, expected, "m")
    checks.layer_sequence(activation_layer, expected, "m")
    with pytest.raises(CheckFailure, match=r"m layers: expected \['Conv2D', 'BatchNormalization'"):
        checks.layer_sequence(relu_layer, ["Conv2D", "BatchNormalization", "relu", "Flatten", "Dense", "softmax"], "m")


def test_at_least():
    checks.at_least(1, 1, "n")
    checks.at_least(np.int64(7), 1, "n")
    with pytest.raises(CheckFailure, match="n: expected at least 1, found 0. Hint: add one."):
        checks.at_least(0, 1, "n", hint="add one.")
    for bad in (True, "5", None):
        with pytest.raises(CheckFailure):
            checks.at_least(bad, 1, "n")


def test_factor_range_reads_numbers_and_pairs_as_keras_does():
    for same_range in (0.2, -0.2, (-0.2, 0.2), [-0.2, 0.2], np.array([-0.2, 0.2])):
        checks.factor_range(same_range, -0.2, 0.2, "f")
    with pytest.raises(CheckFailure, match="f: expected the range -0.2 to 0.2, found 0 to 0.2"):
        checks.factor_range((0, 0.2), -0.2, 0.2, "f")
    with pytest.raises(CheckFailure, match="found -0.698132 to 0.698132"):
        checks.factor_range(np.radians(40), -40 / 360, 40 / 360, "f")
    with pytest.raises(CheckFailure, match=r"found \(0.1, 0.2, 0.3\)"):
        checks.factor_range((0.1, 0.2, 0.3), -0.2, 0.2, "f")


def test_one_of():
    checks.one_of("min", ("auto", "min"), "mode")
    with pytest.raises(CheckFailure, match="mode: expected 'auto' or 'min', found 'max'"):
        checks.one_of("max", ("auto", "min"), "mode")


def test_learning_rate_reads_the_compiled_optimizer():
    checks.learning_rate(compiled(optimizer="adam", loss="mse"), 1e-3, "m")
    checks.learning_rate(compiled(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse"), 1e-3, "m")
    with pytest.raises(CheckFailure, match="m learning rate: expected 0.001, found 0.01"):
        checks.learning_rate(compiled(optimizer=keras.optimizers.Adam(0.01), loss="mse"), 1e-3, "m")
    with pytest.raises(CheckFailure, match="a compiled model"):
        checks.learning_rate(dense(), 1e-3, "m")


def raise_value_error():
    raise ValueError("ends with a full stop.")


def test_call_turns_an_error_into_a_failure():
    assert checks.call(sorted, [2, 1], what="sorted(values)", reverse=True) == [2, 1]
    with pytest.raises(CheckFailure, match=r"f\(x\): expected a result, found ValueError: cannot reshape array of size 4 into shape \(3,3\)\. Hint: h"):
        checks.call(np.reshape, np.zeros(4), (3, 3), what="f(x)", hint="h")
    with pytest.raises(CheckFailure, match=r"found ValueError: ends with a full stop\. Hint"):
        checks.call(raise_value_error, what="f()", hint="h")
    failing_check = lambda: checks.equal(1, 2, "inner")  # noqa: E731
    with pytest.raises(CheckFailure, match="inner: expected 2"):
        checks.call(failing_check, what="outer")


def test_call_arguments_names_every_argument():
    recorded = checks.call_arguments(keras.Model.fit, "model", [1], epochs=3, validation_split=0.2)
    assert (recorded["x"], recorded["epochs"], recorded["validation_split"], recorded["validation_data"]) == ([1], 3, 0.2, None)
    with pytest.raises(TypeError):
        checks.call_arguments(keras.Model.fit, "model", validation_fraction=0.2)


def test_same_image_names_a_transposed_or_flipped_image():
    image = np.arange(12.0).reshape(3, 4)
    checks.same_image(image.copy(), image, "img")
    square = np.arange(9.0).reshape(3, 3)
    with pytest.raises(CheckFailure, match=r"img: expected the image as stored, row by row, found the image transposed"):
        checks.same_image(square.T, square, "img")
    with pytest.raises(CheckFailure, match="found the image upside down. Hint: h"):
        checks.same_image(image[::-1], image, "img", hint="h")
    with pytest.raises(CheckFailure, match="found the image mirrored left to right"):
        checks.same_image(image[:, ::-1, None], image[..., None], "img")
    with pytest.raises(CheckFailure, match=r"img at index \(0, 0\): expected 0.0, found 1.0"):
        checks.same_image(image + 1, image, "img")
    with pytest.raises(CheckFailure, match=r"img shape: expected \(3, 4\), found \(4, 3\)"):
        checks.same_image(image.T, image, "img")
