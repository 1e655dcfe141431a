"""Right and wrong answers to `fashion_cnn` (see `autograder.authoring.corpus`)."""

from autograder.learner import budgets
from autograder.authoring.corpus import AssignmentCorpus, CalibrationVariant, mistake

CHANNEL_FIRST = """
def add_channel_axis(images):
    return images[:, np.newaxis]
"""
CHANNEL_RESHAPE_60000 = """
def add_channel_axis(images):
    return images.reshape(60000, 28, 28, 1)
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
CNN_FIRST_FILTERS_ONLY = BUILD_CNN.replace("Conv2D(count,", "Conv2D(filters[0],")
CNN_FILTERS_REVERSED = BUILD_CNN.replace("for count in filters:", "for count in reversed(filters):")
CNN_SAME_PADDING = BUILD_CNN.replace('(3, 3), activation="relu")', '(3, 3), activation="relu", padding="same")')
CNN_NO_FLATTEN = BUILD_CNN.replace("    model.add(layers.Flatten())\n", "")
CNN_POOL_BEFORE_CONV = BUILD_CNN.replace(
    '        model.add(layers.Conv2D(count, (3, 3), activation="relu"))\n        model.add(layers.MaxPooling2D(2))\n',
    '        model.add(layers.MaxPooling2D(2))\n        model.add(layers.Conv2D(count, (3, 3), activation="relu"))\n',
)
CNN_LINEAR_HIDDEN_DENSE = BUILD_CNN.replace('Dense(dense_units, activation="relu")', "Dense(dense_units)")
CNN_WITH_DROPOUT = BUILD_CNN.replace(
    "        model.add(layers.MaxPooling2D(2))\n", "        model.add(layers.MaxPooling2D(2))\n        model.add(layers.Dropout(0.25))\n"
)
CNN_DEFAULT_32_FILTERS = BUILD_CNN.replace("filters=(64, 64)", "filters=(32, 32)")
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
BN_DOUBLE_SOFTMAX = BUILD_BN.replace("layers.Dense(10),", 'layers.Dense(10, activation="softmax"),')
BN_RELU_BEFORE_BATCHNORM = BUILD_BN.replace(
    "        layers.BatchNormalization(),\n        layers.ReLU(),\n", "        layers.ReLU(),\n        layers.BatchNormalization(),\n"
)
# 3x3 pooling windows at stride 2: the same shapes and parameters, other numbers.
BN_POOL_3 = BUILD_BN.replace("layers.MaxPooling2D(2, strides=2,", "layers.MaxPooling2D(3, strides=2,")
BN_FIXED_FILTERS = BUILD_BN.replace("Conv2D(num_filters,", "Conv2D(4,")
BN_DOUBLED_SECOND_BLOCK = BUILD_BN.replace(
    'padding="same"),\n        layers.Conv2D(num_filters,', 'padding="same"),\n        layers.Conv2D(2 * num_filters,'
)
BN_DEFAULT_8_FILTERS = BUILD_BN.replace("num_filters=4", "num_filters=8")
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
THRESHOLD = """
class AccuracyThreshold(keras.callbacks.Callback):
    def __init__(self, threshold=0.98):
        super().__init__()
        self.threshold = threshold

    def on_epoch_end(self, epoch, logs=None):
        if logs["accuracy"] > self.threshold:
            print("stopping")
            self.model.stop_training = True
"""
THRESHOLD_ON_VALIDATION = THRESHOLD.replace('logs["accuracy"]', 'logs.get("val_accuracy", 0)')
THRESHOLD_HARDCODED = THRESHOLD.replace("> self.threshold", "> 0.98")
THRESHOLD_SILENT = THRESHOLD.replace('            print("stopping")\n', "")
THRESHOLD_AT_ONCE = THRESHOLD_SILENT.replace('if logs["accuracy"] > self.threshold:', "if True:")
THRESHOLD_AT_OR_ABOVE = THRESHOLD.replace('logs["accuracy"] > self.threshold', 'logs["accuracy"] >= self.threshold')
THRESHOLD_LESSON_KEY = THRESHOLD.replace('logs["accuracy"]', "logs.get('acc')")
THRESHOLD_ON_CALLBACK_ITSELF = THRESHOLD.replace("self.model.stop_training", "self.stop_training")
THRESHOLD_EVERY_BATCH = THRESHOLD.replace("def on_epoch_end(self, epoch, logs=None):", "def on_train_batch_end(self, batch, logs=None):")
THRESHOLD_DEFAULT_090 = THRESHOLD.replace("threshold=0.98", "threshold=0.9")
VIEWER_WITHOUT_POOLING = """
def activation_model(model):
    outputs = [layer.output for layer in model.layers if isinstance(layer, layers.Conv2D)]
    return keras.Model(inputs=model.inputs, outputs=outputs)
"""
VIEWER_EVERY_LAYER = """
def activation_model(model):
    return keras.Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])
"""
VIEWER_KERAS_2_INPUT = """
def activation_model(model):
    layer_outputs = [layer.output for layer in model.layers if isinstance(layer, (layers.Conv2D, layers.MaxPooling2D))]
    return keras.Model(inputs=model.input, outputs=layer_outputs)
"""
VIEWER_RETURNS_OUTPUTS = """
def activation_model(model):
    return [layer.output for layer in model.layers if isinstance(layer, (layers.Conv2D, layers.MaxPooling2D))]
"""
VIEWER_NEW_LAYERS = """
def activation_model(model):
    inputs = keras.Input(model.input_shape[1:])
    outputs, x = [], inputs
    for layer in model.layers:
        if isinstance(layer, (layers.Conv2D, layers.MaxPooling2D)):
            x = type(layer).from_config(layer.get_config())(x)
            outputs.append(x)
    return keras.Model(inputs, outputs)
"""
# The reference experiment, and how a student who half-read the exercise measures the wrong thing with it.
EXPERIMENT = """
(_x, _y), (_x_test, _y_test) = datasets.load("fashion_mnist")
_x, _x_test = add_channel_axis(_x) / 255.0, add_channel_axis(_x_test) / 255.0
FILTER_RESULTS = {}
for filters in (16, 32, 64):
    experiment = build_cnn((filters, filters))
    experiment.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    experiment.fit(_x, _y, epochs=modes.epochs(3), verbose=0)
    FILTER_RESULTS[filters] = float(experiment.evaluate(_x_test, _y_test, verbose=0)[1])
"""
EXPERIMENT_STORES_THE_LOSS = EXPERIMENT.replace("verbose=0)[1])", "verbose=0)[0])")
EXPERIMENT_SCALED_BY_127 = EXPERIMENT.replace("/ 255.0", "/ 127.5")
EXPERIMENT_ON_THE_TEST_IMAGES = EXPERIMENT.replace("fit(_x, _y,", "fit(_x_test, _y_test,").replace(
    "evaluate(_x_test, _y_test,", "evaluate(_x, _y,")
EXPERIMENT_DEFAULT_OPTIMIZER = EXPERIMENT.replace('optimizer="adam", ', "")
EXPERIMENT_TEST_IMAGES_UNSCALED = EXPERIMENT.replace("add_channel_axis(_x_test) / 255.0", "add_channel_axis(_x_test)")
RESULTS_FROM_A_FULL_DATA_RUN = "FILTER_RESULTS = {16: 0.905, 32: 0.912, 64: 0.918}\n"
RESULTS_IN_PERCENT = "FILTER_RESULTS = {16: 86.0, 32: 87.0, 64: 87.5}\n"
RESULTS_WITH_TEXT_KEYS = "FILTER_RESULTS = {'16': 0.86, '32': 0.87, '64': 0.875}\n"


WRONG = [
    mistake("channel axis first", {"test_add_channel_axis"}, add_channel_axis=CHANNEL_FIRST),
    mistake("channel axis and scaling mixed", {"test_add_channel_axis"}, add_channel_axis=CHANNEL_AND_SCALE),
    mistake("missing pooling", {"test_build_cnn"}, build_cnn=CNN_NO_POOLING),
    mistake("output units off by one", {"test_build_cnn", "test_cnn_accuracy", "test_filter_results"},
            build_cnn=CNN_NINE_OUTPUTS),
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
    mistake("reshape(60000, ...) as in the lesson", {"test_add_channel_axis"}, add_channel_axis=CHANNEL_RESHAPE_60000),
    mistake("filters[0] in every block", {"test_build_cnn"}, build_cnn=CNN_FIRST_FILTERS_ONLY),
    mistake("filters in reverse order", {"test_build_cnn"}, build_cnn=CNN_FILTERS_REVERSED),
    mistake("same padding in build_cnn", {"test_build_cnn"}, build_cnn=CNN_SAME_PADDING),
    mistake("Flatten missing", {"test_build_cnn", "test_cnn_accuracy", "test_filter_results"}, build_cnn=CNN_NO_FLATTEN),
    mistake("pooling before convolution", {"test_build_cnn"}, build_cnn=CNN_POOL_BEFORE_CONV),
    mistake("hidden Dense without relu", {"test_build_cnn"}, build_cnn=CNN_LINEAR_HIDDEN_DENSE),
    mistake("Dropout after each block as in lesson 4", {"test_build_cnn"}, build_cnn=CNN_WITH_DROPOUT),
    mistake("default filters (32, 32)", {"test_build_cnn"}, build_cnn=CNN_DEFAULT_32_FILTERS),
    mistake("softmax twice in the batch-norm model", {"test_build_conv_bn_model"}, build_conv_bn_model=BN_DOUBLE_SOFTMAX),
    mistake("ReLU layer before batch normalisation", {"test_build_conv_bn_model"}, build_conv_bn_model=BN_RELU_BEFORE_BATCHNORM),
    mistake("num_filters ignored", {"test_build_conv_bn_model"}, build_conv_bn_model=BN_FIXED_FILTERS),
    mistake("3x3 pooling windows at stride 2", {"test_build_conv_bn_model"}, build_conv_bn_model=BN_POOL_3),
    mistake("second block with twice the filters", {"test_build_conv_bn_model"}, build_conv_bn_model=BN_DOUBLED_SECOND_BLOCK),
    mistake("default num_filters 8", {"test_build_conv_bn_model"}, build_conv_bn_model=BN_DEFAULT_8_FILTERS),
    mistake("callback stops at the threshold (>=)", {"test_accuracy_threshold"}, accuracy_threshold=THRESHOLD_AT_OR_ABOVE),
    mistake("callback reads the lesson's logs['acc']", {"test_accuracy_threshold"}, accuracy_threshold=THRESHOLD_LESSON_KEY),
    mistake("callback sets its own stop_training", {"test_accuracy_threshold"}, accuracy_threshold=THRESHOLD_ON_CALLBACK_ITSELF),
    mistake("callback checks after every batch", {"test_accuracy_threshold"}, accuracy_threshold=THRESHOLD_EVERY_BATCH),
    mistake("callback default threshold 0.9", {"test_accuracy_threshold"}, accuracy_threshold=THRESHOLD_DEFAULT_090),
    mistake("activation model returns a list of outputs", {"test_activation_model"}, activation_model=VIEWER_RETURNS_OUTPUTS),
    mistake("activation model of new layers", {"test_activation_model"}, activation_model=VIEWER_NEW_LAYERS),
    mistake("activation model from model.input (Keras 2)", {"test_activation_model"}, activation_model=VIEWER_KERAS_2_INPUT),
    mistake("filter results typed in from a full-data run", {"test_filter_results"}, filter_experiment=RESULTS_FROM_A_FULL_DATA_RUN),
    mistake("filter results hold the loss", {"test_filter_results"}, filter_experiment=EXPERIMENT_STORES_THE_LOSS,
            says="store the accuracy"),
    mistake("filter experiment on images scaled by 127.5", {"test_filter_results"},
            filter_experiment=EXPERIMENT_SCALED_BY_127, says="largest pixel value"),
    mistake("filter experiment trained on the test images", {"test_filter_results"},
            filter_experiment=EXPERIMENT_ON_THE_TEST_IMAGES, says="images it was fitted on"),
    mistake("filter experiment with Keras' default optimizer", {"test_filter_results"},
            filter_experiment=EXPERIMENT_DEFAULT_OPTIMIZER, says="optimizer"),
    mistake("filter experiment's test images left unscaled", {"test_filter_results"},
            filter_experiment=EXPERIMENT_TEST_IMAGES_UNSCALED, says="evaluated on"),
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
def filter_experiment(sizes=(16, 32, 64)):
    (x, y), (x_test, y_test) = datasets.load("fashion_mnist")
    x, x_test = add_channel_axis(x).astype("float32") / 255, add_channel_axis(x_test).astype("float32") / 255
    results = {}
    for size in sizes:
        model = build_cnn(filters=(size, size))
        model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x, y, epochs=modes.epochs(5), verbose=0)
        results[size] = float(np.mean(model.predict(x_test, verbose=0).argmax(axis=1) == y_test))
    return results


FILTER_RESULTS = filter_experiment()
""",
}

# Written as the Fashion CNN lesson (003) and the batch-norm lab (004) write
# such code: tf.keras, Sequential() + .add, input_shape= on the first layer,
# tf.nn activations, the lab's imports from keras.layers, the lesson's
# callback with logs.get, layer outputs gathered in a list (from
# model.inputs: a Keras 3 Sequential has no model.input).
LESSON_STYLE = {
    "add_channel_axis": """
def add_channel_axis(images):
    return images.reshape(images.shape[0], 28, 28, 1)
""",
    "build_cnn": """
import tensorflow as tf

def build_cnn(filters=(64, 64), dense_units=128):
    model = tf.keras.models.Sequential()
    model.add(tf.keras.layers.Conv2D(filters[0], (3,3), activation='relu', input_shape=(28, 28, 1)))
    model.add(tf.keras.layers.MaxPooling2D(2, 2))
    for number in filters[1:]:
        model.add(tf.keras.layers.Conv2D(number, (3,3), activation='relu'))
        model.add(tf.keras.layers.MaxPooling2D(2,2))
    model.add(tf.keras.layers.Flatten())
    model.add(tf.keras.layers.Dense(dense_units, activation=tf.nn.relu))
    model.add(tf.keras.layers.Dense(10, activation=tf.nn.softmax))
    return model
""",
    "build_conv_bn_model": """
from keras.models import Sequential
from keras.layers import Dense, BatchNormalization, Activation, Input, Conv2D, MaxPooling2D, Flatten, Softmax

num_classes = 10

def build_conv_bn_model(num_filters=4):
    model = Sequential()
    model.add(Input(shape=(28,28,1)))
    model.add(Conv2D(num_filters, kernel_size =(3, 3), padding='same'))
    model.add(BatchNormalization())
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size =(2, 2), strides=(2, 2), padding= 'same'))
    model.add(Conv2D(num_filters, kernel_size =(3, 3), padding='same'))
    model.add(BatchNormalization())
    model.add(Activation('relu'))
    model.add(Flatten())
    model.add(Dense(num_classes))
    model.add(Softmax())
    return model
""",
    "accuracy_threshold": """
import tensorflow as tf

class AccuracyThreshold(tf.keras.callbacks.Callback):
  def __init__(self, threshold=0.98):
    super().__init__()
    self.threshold = threshold

  def on_epoch_end(self, epoch, logs={}):
    if(logs.get('accuracy')>self.threshold):
      print("Reached", self.threshold, "accuracy so cancelling training!")
      self.model.stop_training = True
""",
    "activation_model": """
import tensorflow as tf

def activation_model(model):
    layer_outputs = [layer.output for layer in model.layers
                     if isinstance(layer, (tf.keras.layers.Conv2D, tf.keras.layers.MaxPooling2D))]
    return tf.keras.models.Model(inputs = model.inputs, outputs = layer_outputs)
""",
    "filter_experiment": """
(training_images, training_labels), (test_images, test_labels) = datasets.load("fashion_mnist")
training_images = add_channel_axis(training_images)
training_images = training_images / 255.0
test_images = add_channel_axis(test_images)
test_images = test_images / 255.0

FILTER_RESULTS = {}
for number in [16, 32, 64]:
    model = build_cnn((number, number))
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    model.fit(training_images, training_labels, epochs=modes.epochs(5))
    test_loss, test_acc = model.evaluate(test_images, test_labels)
    FILTER_RESULTS[number] = test_acc
print(FILTER_RESULTS)
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
    lesson_style=LESSON_STYLE,
)
