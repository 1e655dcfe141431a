"""Right and wrong answers to `sign_language_rps` (see `autograder.authoring.corpus`)."""

from autograder.learner import budgets
from autograder.authoring.corpus import AssignmentCorpus, CalibrationVariant, mistake

LOADER = '''
def rps_load_data(filename):
    table = np.loadtxt(filename, delimiter=",", skiprows=1, dtype="int64", ndmin=2)
    labels, pixels = table[:, 0], table[:, 1:]
    keep = np.isin(labels, [0, 1, 21])
    moves = np.select([labels[keep] == 0, labels[keep] == 1], [0, 1], default=2)
    images = (pixels[keep] / 255.0).astype("float32").reshape(-1, 28, 28, 1)
    return images, keras.utils.to_categorical(moves, 3)
'''
LOADER_21_UNMAPPED = '''
def rps_load_data(filename):
    table = np.loadtxt(filename, delimiter=",", skiprows=1, dtype="int64", ndmin=2)
    labels, pixels = table[:, 0], table[:, 1:]
    keep = np.isin(labels, [0, 1, 21])
    moves = np.minimum(labels[keep], 2)
    moves[labels[keep] == 21] = 1
    images = (pixels[keep] / 255.0).astype("float32").reshape(-1, 28, 28, 1)
    return images, keras.utils.to_categorical(moves, 3)
'''
LOADER_NOT_SCALED = LOADER.replace("(pixels[keep] / 255.0)", "pixels[keep]")
LOADER_FLAT = LOADER.replace(".reshape(-1, 28, 28, 1)", "")
LOADER_TRANSPOSED = LOADER.replace(".reshape(-1, 28, 28, 1)", ".reshape(-1, 28, 28).transpose(0, 2, 1)[..., None]")
LOADER_UPSIDE_DOWN = LOADER.replace(".reshape(-1, 28, 28, 1)", ".reshape(-1, 28, 28, 1)[:, ::-1]")
LOADER_INTEGER_LABELS = LOADER.replace("keras.utils.to_categorical(moves, 3)", "moves")
LOADER_FIRST_ROW_SKIPPED = LOADER.replace("skiprows=1", "skiprows=2")
# The lesson's pandas loader without its `replace` line: 21 stays 21, so
# to_categorical makes 22 columns.
LOADER_LESSON_WITHOUT_REPLACE = '''
import pandas as pd


def rps_load_data(filename):
    df = pd.read_csv(filename)
    df = df[df["label"].isin([0, 1, 21])]
    labels = keras.utils.to_categorical(df.pop("label"))
    return df.values.reshape(-1, 28, 28, 1) / 255, labels
'''
LOADER_SORTED = LOADER.replace("    keep = np.isin(labels, [0, 1, 21])\n", "    order = np.argsort(labels, kind='stable')\n    labels, pixels = labels[order], pixels[order]\n    keep = np.isin(labels, [0, 1, 21])\n")
NETWORK = '''
def build_rps_network():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(3, activation="softmax"),
    ])
'''
# Kernels a pixel wide: no convolution of at least 3 pixels in each direction.
NETWORK_LINE_KERNELS = NETWORK.replace("Conv2D(32, (3, 3)", "Conv2D(32, (5, 1)").replace("Conv2D(64, (3, 3)", "Conv2D(64, (1, 5)")
# Kernels of at least 3 pixels in each direction, not square: right.
NETWORK_OBLONG_KERNELS = NETWORK.replace("Conv2D(32, (3, 3)", "Conv2D(32, (5, 3)").replace("Conv2D(64, (3, 3)", "Conv2D(64, (3, 5)")
NETWORK_24 = NETWORK.replace("Dense(3,", "Dense(24,")
NETWORK_26 = NETWORK.replace("Dense(3,", "Dense(26,")
NETWORK_DENSE_ONLY = '''
def build_rps_network():
    return keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Flatten(),
                             layers.Dense(64, activation="relu"), layers.Dense(3, activation="softmax")])
'''
# A dense network that learns well (0.97 to 0.98 on seeds 0-2) behind a
# Conv2D that only rescales the pixels.
NETWORK_TOKEN_CONVOLUTION = '''
def build_rps_network():
    return keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(1, 1), layers.Flatten(),
                             layers.Dense(128, activation="relu"), layers.Dense(3, activation="softmax")])
'''
NETWORK_GLOBAL_POOLING = '''
def build_rps_network():
    inputs = keras.Input((28, 28, 1))
    x = layers.MaxPool2D()(layers.Conv2D(16, 3, activation="relu", padding="same")(inputs))
    x = layers.GlobalAveragePooling2D()(layers.Conv2D(32, 3, activation="relu")(x))
    return keras.Model(inputs, layers.Dense(3, activation="softmax")(x))
'''
NETWORK_ONE_FILTER_ONE_UNIT = NETWORK.replace("Conv2D(32,", "Conv2D(1,").replace("Conv2D(64,", "Conv2D(1,").replace(
    "Dense(128,", "Dense(1,"
)
NETWORK_TOO_BIG = NETWORK.replace("        layers.MaxPooling2D(2),\n", "").replace("Dense(128,", "Dense(512,")
NETWORK_RESCALED_TWICE = NETWORK.replace("keras.Input(shape=(28, 28, 1)),\n",
                                         "keras.Input(shape=(28, 28, 1)),\n        layers.Rescaling(1.0 / 255),\n")
NETWORK_LINEAR = NETWORK.replace('Dense(3, activation="softmax")', "Dense(3)")
COMPILE = '''
def compile_rps(model):
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


NUM_EPOCHS = 12
BATCH_SIZE = 512
'''
# The loss and the metric as Keras' own functions, spelled as tf.keras code often does: right.
COMPILE_KERAS_FUNCTIONS = '''
import tensorflow as tf


def compile_rps(model):
    model.compile(optimizer=tf.keras.optimizers.Adam(), loss=tf.keras.losses.categorical_crossentropy,
                  metrics=[tf.keras.metrics.categorical_accuracy])
    return model


NUM_EPOCHS = 12
BATCH_SIZE = 512
'''
COMPILE_SPARSE_ACCURACY = COMPILE.replace('metrics=["accuracy"]', 'metrics=["sparse_categorical_accuracy"]')
# Keras' accuracy for one-hot labels by its own name: right.
COMPILE_CATEGORICAL_ACCURACY_NAME = COMPILE.replace('metrics=["accuracy"]', 'metrics=["categorical_accuracy"]')
COMPILE_SPARSE = COMPILE.replace('loss="categorical_crossentropy"', 'loss="sparse_categorical_crossentropy"')
COMPILE_RMSPROP = COMPILE.replace('optimizer="adam"', 'optimizer="rmsprop"')
COMPILE_NO_METRICS = COMPILE.replace(', metrics=["accuracy"]', "")
COMPILE_NO_EPOCHS = COMPILE.replace("NUM_EPOCHS = 12", "NUM_EPOCHS = 0")


WRONG = [
    mistake("label 21 not mapped to 2", {"test_rps_load_data"}, rps_load_data=LOADER_21_UNMAPPED),
    mistake("pixels not scaled", {"test_rps_load_data"}, rps_load_data=LOADER_NOT_SCALED),
    mistake("images left flat (N, 784)", {"test_rps_load_data"}, rps_load_data=LOADER_FLAT),
    mistake("rows sorted by label", {"test_rps_load_data"}, rps_load_data=LOADER_SORTED),
    mistake("images transposed", {"test_rps_load_data"}, rps_load_data=LOADER_TRANSPOSED),
    mistake("images upside down", {"test_rps_load_data"}, rps_load_data=LOADER_UPSIDE_DOWN),
    mistake("moves as integers, not one-hot", {"test_rps_load_data"}, rps_load_data=LOADER_INTEGER_LABELS),
    mistake("first image skipped with the header", {"test_rps_load_data"}, rps_load_data=LOADER_FIRST_ROW_SKIPPED),
    mistake("lesson loader without its replace: 22 columns", {"test_rps_load_data"},
            rps_load_data=LOADER_LESSON_WITHOUT_REPLACE),
    mistake("24 output units", {"test_build_rps_network", "test_rps_accuracy"}, build_rps_network=NETWORK_24),
    mistake("26 output units", {"test_build_rps_network", "test_rps_accuracy"}, build_rps_network=NETWORK_26),
    mistake("no convolution", {"test_build_rps_network"}, build_rps_network=NETWORK_DENSE_ONLY),
    mistake("a token Conv2D(1, 1)", {"test_build_rps_network"}, build_rps_network=NETWORK_TOKEN_CONVOLUTION),
    mistake("linear output", {"test_build_rps_network", "test_rps_accuracy"}, build_rps_network=NETWORK_LINEAR),
    mistake("images rescaled again in the network", {"test_rps_accuracy"}, says="scaled twice",
            build_rps_network=NETWORK_RESCALED_TWICE),
    mistake("over a million parameters", {"test_build_rps_network"}, build_rps_network=NETWORK_TOO_BIG),
    mistake("sparse loss with one-hot labels", {"test_compile_rps", "test_rps_accuracy"}, compile_rps=COMPILE_SPARSE),
    mistake("NUM_EPOCHS of 0", {"test_compile_rps"}, compile_rps=COMPILE_NO_EPOCHS),
    mistake("RMSprop as in the MNIST lesson", {"test_compile_rps"}, compile_rps=COMPILE_RMSPROP),
    mistake("no accuracy metric", {"test_compile_rps"}, compile_rps=COMPILE_NO_METRICS),
    mistake("accuracy metric made for integer labels", {"test_compile_rps"}, says="made for integer labels",
            compile_rps=COMPILE_SPARSE_ACCURACY),
    mistake("convolutions one pixel wide, (5, 1) and (1, 5)", {"test_build_rps_network"},
            build_rps_network=NETWORK_LINE_KERNELS),
]

MIXED = mistake(
    "several mistakes",
    {"test_rps_load_data", "test_build_rps_network", "test_compile_rps", "test_rps_accuracy"},
    rps_load_data=LOADER_21_UNMAPPED,
    build_rps_network=NETWORK_26,
    compile_rps=COMPILE_SPARSE,
)

SECOND_CORRECT = {
    "rps_load_data": '''
import csv


def rps_load_data(filename):
    mapping = {0: 0, 1: 1, 21: 2}
    images, moves = [], []
    with open(filename, newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        for row in rows:
            label = int(row[0])
            if label in mapping:
                moves.append(mapping[label])
                images.append(np.array(row[1:], dtype="float32").reshape(28, 28, 1) / 255)
    return np.array(images), np.eye(3)[moves]
''',
    "build_rps_network": '''
def build_rps_network():
    inputs = keras.Input((28, 28, 1))
    x = layers.MaxPool2D()(layers.Conv2D(16, 5, padding="same", activation="relu")(inputs))
    x = layers.MaxPool2D()(layers.Conv2D(32, 3, activation="relu")(x))
    x = layers.Dense(32, activation="relu")(layers.Flatten()(x))
    return keras.Model(inputs, layers.Dense(3, activation="softmax")(x))
''',
    "compile_rps": '''
def compile_rps(model):
    model.compile(keras.optimizers.Adam(learning_rate=0.001), keras.losses.CategoricalCrossentropy(),
                  metrics=["acc"])
    return model


NUM_EPOCHS, BATCH_SIZE = 10, 128
''',
}

# Written the way lesson 002 writes such code: its pandas loader line for
# line, `models.Sequential()` + `.add` with `input_shape=`, tf.nn
# activations, its compile call, 12 epochs of batch 512.
LESSON_STYLE = {
    "rps_load_data": """
import numpy as np
import pandas as pd
from keras.utils import to_categorical


def rps_load_data(filename):
    df = pd.read_csv(filename, delimiter=',')
    df = df[df['label'].isin([0,1,21])]
    df.replace({"label":21}, 2, inplace=True)
    labels = df.pop('label')  #Pops the label column and stores in 'labels'
    labels = to_categorical(labels)
    data = df.values
    data = np.array([np.reshape(i, (28,28)) for i in data])
    data = data.reshape(data.shape[0], 28,28,1)
    data = data / 255
    return data, labels
""",
    "build_rps_network": """
import tensorflow as tf
from keras import models
from keras import layers


def build_rps_network():
    network = models.Sequential()
    network.add(layers.Conv2D(32, (3,3), activation=tf.nn.relu, input_shape=(28,28,1)))
    network.add(layers.MaxPooling2D((2,2)))
    network.add(layers.Conv2D(64, (3,3), activation=tf.nn.relu))
    network.add(layers.MaxPooling2D((2,2)))
    network.add(layers.Flatten())
    network.add(layers.Dense(64, activation=tf.nn.relu))
    network.add(layers.Dense(3, activation=tf.nn.softmax))
    return network
""",
    "compile_rps": """
def compile_rps(network):
    network.compile(loss = 'categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
    return network


NUM_EPOCHS = 12
BATCH_SIZE = 512
""",
}

CORPUS = AssignmentCorpus(
    wrong=WRONG,
    mixed=MIXED,
    second_correct=SECOND_CORRECT,
    model_code="model = compile_rps(build_rps_network())",
    budget=budgets.SIGN_RPS_TRAINING,
    accuracy_cell="test_rps_accuracy",
    threshold=budgets.SIGN_RPS_MIN_ACCURACY,
    variants=[
        CalibrationVariant("reference", must_fail=False),
        CalibrationVariant("second correct (functional API)", {"build_rps_network": SECOND_CORRECT["build_rps_network"]},
                           must_fail=False),
        CalibrationVariant("dense only (caught by structure)", {"build_rps_network": NETWORK_DENSE_ONLY}, must_fail=False),
        CalibrationVariant("tiny global-pooling CNN (too slow to learn in the budget)",
                           {"build_rps_network": NETWORK_GLOBAL_POOLING}, must_fail=False),
        CalibrationVariant("linear output", {"build_rps_network": NETWORK_LINEAR}),
        CalibrationVariant("sparse loss on one-hot labels (does not train)", {"compile_rps": COMPILE_SPARSE}),
        CalibrationVariant("1 filter per conv, 1 dense unit", {"build_rps_network": NETWORK_ONE_FILTER_ONE_UNIT}),
        CalibrationVariant("labels shuffled", shuffle_labels=True),
    ],
    lesson_style=LESSON_STYLE,
    right_variants={
        "loss and metric as Keras functions": {"compile_rps": COMPILE_KERAS_FUNCTIONS},
        "the accuracy metric for one-hot labels by name": {"compile_rps": COMPILE_CATEGORICAL_ACCURACY_NAME},
        "kernels of 5x3 and 3x5": {"build_rps_network": NETWORK_OBLONG_KERNELS},
    },
)
