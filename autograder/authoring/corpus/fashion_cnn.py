"""Right and wrong answers to `fashion_cnn` (see `autograder.authoring.corpus`)."""

from autograder.learner import budgets
from autograder.authoring.corpus import AssignmentCorpus, CalibrationVariant, mistake

CHANNEL_FIRST = """
def add_channel_axis(images):
    return images[:, np.newaxis]
"""
CHANNEL_AND_SCALE = """
def add_channel_axis(images):
    return (images[..., np.newaxis] / 255.0).astype("float32")
"""
BUILD_CNN = """
def build_cnn(filters=(64, 64), dense_units=128):
    model = keras.Sequential([keras.Input(shape=(28, 28, 1))])
    for count in filters:
        model.add(layers.Conv2D(count, (3, 3), activation="relu"))
        model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dense(dense_units, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    return model
"""
CNN_NO_POOLING = BUILD_CNN.replace("        model.add(layers.MaxPooling2D(2))\n", "")
CNN_NINE_OUTPUTS = BUILD_CNN.replace("Dense(10,", "Dense(9,")
CNN_SIGMOID_OUTPUT = BUILD_CNN.replace('Dense(10, activation="softmax")', 'Dense(10, activation="sigmoid")')
CNN_LINEAR_OUTPUT = BUILD_CNN.replace('Dense(10, activation="softmax")', "Dense(10)")
CNN_FIXED_DENSE = BUILD_CNN.replace("Dense(dense_units,", "Dense(128,")
CNN_FIVE_BY_FIVE = BUILD_CNN.replace("(3, 3)", "(5, 5)")
CNN_CANNOT_LEARN = BUILD_CNN.replace("Conv2D(count,", "Conv2D(1,").replace("Dense(dense_units,", "Dense(1,")
BUILD_BN = """
def build_conv_bn_model(num_filters=4):
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(num_filters, (3, 3), padding="same"),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.MaxPooling2D(2, strides=2, padding="same"),
        layers.Conv2D(num_filters, (3, 3), padding="same"),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.Flatten(),
        layers.Dense(10),
        layers.Softmax(),
    ])
"""
BN_VALID_PADDING = BUILD_BN.replace('(3, 3), padding="same"', "(3, 3)")
BN_WITHOUT_BATCHNORM = BUILD_BN.replace("        layers.BatchNormalization(),\n", "")
BN_RELU_IN_CONV = BUILD_BN.replace('(3, 3), padding="same")', '(3, 3), padding="same", activation="relu")').replace(
    "        layers.ReLU(),\n", ""
)
THRESHOLD_ONE_EPOCH_LATE = """
class AccuracyThreshold(keras.callbacks.Callback):
    def __init__(self, threshold=0.98):
        super().__init__()
        self.threshold = threshold
        self.passed = False

    def on_epoch_end(self, epoch, logs=None):
        if self.passed:
            print("stopping")
            self.model.stop_training = True
        if logs["accuracy"] > self.threshold:
            self.passed = True
"""
THRESHOLD_ON_VALIDATION = """
class AccuracyThreshold(keras.callbacks.Callback):
    def __init__(self, threshold=0.98):
        super().__init__()
        self.threshold = threshold

    def on_epoch_end(self, epoch, logs=None):
        if logs.get("val_accuracy", 0) > self.threshold:
            print("stopping")
            self.model.stop_training = True
"""
THRESHOLD_HARDCODED = THRESHOLD_ON_VALIDATION.replace('logs.get("val_accuracy", 0) > self.threshold', 'logs["accuracy"] > 0.98')
THRESHOLD_SILENT = THRESHOLD_ON_VALIDATION.replace('logs.get("val_accuracy", 0)', 'logs["accuracy"]').replace(
    '            print("stopping")\n', ""
)
THRESHOLD_AT_ONCE = THRESHOLD_SILENT.replace("if logs[\"accuracy\"] > self.threshold:", "if True:")
VIEWER_WITHOUT_POOLING = """
def activation_model(model):
    outputs = [layer.output for layer in model.layers if isinstance(layer, layers.Conv2D)]
    return keras.Model(inputs=model.inputs, outputs=outputs)
"""
VIEWER_EVERY_LAYER = """
def activation_model(model):
    return keras.Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])
"""
RESULTS = "FILTER_RESULTS = {16: 0.86, 32: 0.87, 64: 0.875}\n"
RESULTS_IN_PERCENT = "FILTER_RESULTS = {16: 86.0, 32: 87.0, 64: 87.5}\n"
RESULTS_WITH_TEXT_KEYS = "FILTER_RESULTS = {'16': 0.86, '32': 0.87, '64': 0.875}\n"


WRONG = [
    mistake("channel axis first", {"test_add_channel_axis"}, add_channel_axis=CHANNEL_FIRST),
    mistake("channel axis and scaling mixed", {"test_add_channel_axis"}, add_channel_axis=CHANNEL_AND_SCALE),
    mistake("missing pooling", {"test_build_cnn"}, build_cnn=CNN_NO_POOLING),
    mistake("output units off by one", {"test_build_cnn", "test_cnn_accuracy"}, build_cnn=CNN_NINE_OUTPUTS),
    mistake("sigmoid output", {"test_build_cnn"}, build_cnn=CNN_SIGMOID_OUTPUT),
    mistake("dense_units ignored", {"test_build_cnn"}, build_cnn=CNN_FIXED_DENSE),
    mistake("5x5 kernels", {"test_build_cnn"}, build_cnn=CNN_FIVE_BY_FIVE),
    mistake("a CNN that cannot learn", {"test_build_cnn", "test_cnn_accuracy"}, build_cnn=CNN_CANNOT_LEARN),
    mistake("valid instead of same padding", {"test_build_conv_bn_model"}, build_conv_bn_model=BN_VALID_PADDING),
    mistake("no batch normalisation", {"test_build_conv_bn_model"}, build_conv_bn_model=BN_WITHOUT_BATCHNORM),
    mistake("ReLU before batch normalisation", {"test_build_conv_bn_model"}, build_conv_bn_model=BN_RELU_IN_CONV),
    mistake("callback stops one epoch late", {"test_accuracy_threshold"}, accuracy_threshold=THRESHOLD_ONE_EPOCH_LATE),
    mistake("callback on the wrong metric", {"test_accuracy_threshold"}, accuracy_threshold=THRESHOLD_ON_VALIDATION),
    mistake("callback ignores its threshold", {"test_accuracy_threshold"}, accuracy_threshold=THRESHOLD_HARDCODED),
    mistake("callback stops without a word", {"test_accuracy_threshold"}, accuracy_threshold=THRESHOLD_SILENT),
    mistake("callback stops at once", {"test_accuracy_threshold"}, accuracy_threshold=THRESHOLD_AT_ONCE),
    mistake("activation model skips the pooling outputs", {"test_activation_model"}, activation_model=VIEWER_WITHOUT_POOLING),
    mistake("activation model of every layer", {"test_activation_model"}, activation_model=VIEWER_EVERY_LAYER),
    mistake("filter results in percent", {"test_filter_results"}, filter_experiment=RESULTS_IN_PERCENT),
    mistake("filter results keyed by text", {"test_filter_results"}, filter_experiment=RESULTS_WITH_TEXT_KEYS),
]

MIXED = mistake(
    "several mistakes",
    {"test_build_conv_bn_model", "test_accuracy_threshold", "test_activation_model"},
    build_conv_bn_model=BN_VALID_PADDING,
    accuracy_threshold=THRESHOLD_ONE_EPOCH_LATE,
    activation_model=VIEWER_WITHOUT_POOLING,
)

SECOND_CORRECT = {
    "add_channel_axis": """
def add_channel_axis(images):
    return np.expand_dims(images, axis=-1)
""",
    "build_cnn": """
def build_cnn(filters=(64, 64), dense_units=128):
    inputs = keras.Input(shape=(28, 28, 1))
    x = inputs
    for count in filters:
        x = layers.Conv2D(filters=count, kernel_size=3, activation="relu", padding="valid")(x)
        x = layers.MaxPool2D(pool_size=(2, 2))(x)
    x = layers.Flatten()(x)
    x = layers.Dense(dense_units, activation=keras.activations.relu)(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
""",
    "build_conv_bn_model": """
def build_conv_bn_model(num_filters=4):
    def block():
        return [layers.Conv2D(num_filters, 3, padding="same"), layers.BatchNormalization(), layers.Activation("relu")]

    return keras.Sequential(
        [keras.Input((28, 28, 1))] + block() + [layers.MaxPool2D(2, 2, padding="same")] + block()
        + [layers.Flatten(), layers.Dense(10), layers.Activation("softmax")]
    )
""",
    "accuracy_threshold": """
class AccuracyThreshold(keras.callbacks.Callback):
    def __init__(self, threshold=0.98):
        super().__init__()
        self.threshold = threshold

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if logs.get("accuracy", 0.0) > self.threshold:
            self.model.stop_training = True
            print("Reached", self.threshold, "training accuracy, so cancelling training!")
""",
    "activation_model": """
def activation_model(model):
    wanted = [layer for layer in model.layers if type(layer).__name__ in ("Conv2D", "MaxPooling2D")]
    return keras.Model(model.inputs[0], [layer.output for layer in wanted])
""",
    "filter_experiment": """
FILTER_RESULTS = {}
for filters in [16, 32, 64]:
    FILTER_RESULTS[filters] = 0.85 + filters / 1000
""",
}

CORPUS = AssignmentCorpus(
    wrong=WRONG,
    mixed=MIXED,
    second_correct=SECOND_CORRECT,
    model_code=(
        "model = build_cnn()\n"
        'model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])'
    ),
    budget=budgets.FASHION_CNN_TRAINING,
    accuracy_cell="test_cnn_accuracy",
    threshold=budgets.FASHION_CNN_MIN_ACCURACY,
    variants=[
        CalibrationVariant("reference", must_fail=False),
        CalibrationVariant("sigmoid output (caught by structure)", {"build_cnn": CNN_SIGMOID_OUTPUT}, must_fail=False),
        CalibrationVariant("missing pooling (caught by structure)", {"build_cnn": CNN_NO_POOLING}, must_fail=False),
        CalibrationVariant("linear output", {"build_cnn": CNN_LINEAR_OUTPUT}),
        CalibrationVariant("1 filter and 1 dense unit", {"build_cnn": CNN_CANNOT_LEARN}),
        CalibrationVariant("labels shuffled", shuffle_labels=True),
    ],
    fast_answers={"filter_experiment": RESULTS},
)
