"""Right and wrong answers to `cifar10_cnn` (see `autograder.authoring.corpus`)."""

from autograder.learner import budgets
from autograder.authoring.corpus import AssignmentCorpus, CalibrationVariant, mistake

NAMES_CAR = 'CLASS_NAMES = ["airplane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]\n'
PREPARE = '''
def prepare(images, labels):
    x = images.astype("float32") / 255.0
    y = keras.utils.to_categorical(labels.reshape(-1), 10)
    return x, y
'''
PREPARE_NOT_ONE_HOT = PREPARE.replace('keras.utils.to_categorical(labels.reshape(-1), 10)', "labels")
PREPARE_NOT_SCALED = PREPARE.replace(' / 255.0', "")
PREPARE_BY_BATCH_MAXIMUM = PREPARE.replace('images.astype("float32") / 255.0', 'images.astype("float32") / images.max()')
PREPARE_FLOAT64 = PREPARE.replace('images.astype("float32") / 255.0', "images / 255.0")
PREPARE_LABELS_FLATTENED_IN_PLACE = '''
def prepare(images, labels):
    labels.shape = (len(labels),)
    return images.astype("float32") / 255.0, keras.utils.to_categorical(labels, 10)
'''
SPLIT = '''
def split_train_validation(x, y):
    is_validation = np.arange(len(x)) % 10 == 9
    return (x[~is_validation], y[~is_validation]), (x[is_validation], y[is_validation])
'''
SPLIT_LAST_TENTH = '''
def split_train_validation(x, y):
    cut = len(x) - len(x) // 10
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
'''
SPLIT_FIRST_OF_TEN = SPLIT.replace("% 10 == 9", "% 10 == 0")
SPLIT_VALIDATION_KEPT_IN_TRAINING = '''
def split_train_validation(x, y):
    return (x, y), (x[9::10], y[9::10])
'''
MODELS = '''
def build_dense_baseline():
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        layers.Flatten(),
        layers.Dense(256, activation="sigmoid"),
        layers.Dense(10, activation="softmax"),
    ])


def build_simple_cnn():
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(128),
        layers.Dense(10, activation="softmax"),
    ])


def build_regularised_cnn(dropout=0.5):
    model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
    for filters in (32, 32, 64):
        model.add(layers.Conv2D(filters, (3, 3), padding="same", activation="relu"))
        model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dropout(dropout))
    model.add(layers.Dense(10, activation="softmax"))
    return model
'''
DENSE_RELU = MODELS.replace('Dense(256, activation="sigmoid")', 'Dense(256, activation="relu")')
SIMPLE_VALID = MODELS.replace('Conv2D(32, (3, 3), padding="same", activation="relu"),\n        layers.Flatten()',
                              'Conv2D(32, (3, 3), activation="relu"),\n        layers.Flatten()')
SIMPLE_RELU_DENSE = MODELS.replace("layers.Dense(128),", 'layers.Dense(128, activation="relu"),')
SIMPLE_WITH_POOLING = MODELS.replace('Conv2D(32, (3, 3), padding="same", activation="relu"),\n        layers.Flatten()',
                                     'Conv2D(32, (3, 3), padding="same", activation="relu"),\n        layers.MaxPooling2D(2),\n        layers.Flatten()')
REGULARISED_DROPOUT_PER_BLOCK = MODELS.replace("        model.add(layers.MaxPooling2D(2))\n",
                                               "        model.add(layers.MaxPooling2D(2))\n        model.add(layers.Dropout(dropout))\n")
DROPOUT_MISPLACED = MODELS.replace(
    '    model.add(layers.Flatten())\n    model.add(layers.Dense(64, activation="relu"))\n    model.add(layers.Dropout(dropout))\n',
    '    model.add(layers.Flatten())\n    model.add(layers.Dropout(dropout))\n    model.add(layers.Dense(64, activation="relu"))\n',
)
REGULARISED_NO_POOLING = MODELS.replace("        model.add(layers.MaxPooling2D(2))\n", "")
DROPOUT_FIXED = MODELS.replace("layers.Dropout(dropout)", "layers.Dropout(0.5)")
DROPOUT_DEFAULT_02 = MODELS.replace("def build_regularised_cnn(dropout=0.5):", "def build_regularised_cnn(dropout=0.2):")
REGULARISED_LINEAR_OUTPUT = MODELS.replace(
    '    model.add(layers.Dense(10, activation="softmax"))', "    model.add(layers.Dense(10))"
)
REGULARISED_SIGMOID_OUTPUT = MODELS.replace(
    '    model.add(layers.Dense(10, activation="softmax"))', '    model.add(layers.Dense(10, activation="sigmoid"))'
)
REGULARISED_CANNOT_LEARN = MODELS.replace("for filters in (32, 32, 64):", "for filters in (1, 1, 1):").replace(
    'model.add(layers.Dense(64, activation="relu"))', 'model.add(layers.Dense(1, activation="relu"))'
)
REGULARISED_IS_DENSE = MODELS.replace(
    "def build_regularised_cnn(dropout=0.5):\n", "def build_regularised_cnn(dropout=0.5):\n    return build_dense_baseline()\n"
)
FEATURES = '''
def feature_map_model(model, conv_index):
    convolutions = [layer for layer in model.layers if isinstance(layer, layers.Conv2D)]
    return keras.Model(inputs=model.inputs, outputs=convolutions[conv_index].output)
'''
FEATURES_AT_POOLING = FEATURES.replace(
    "outputs=convolutions[conv_index].output", "outputs=model.layers[model.layers.index(convolutions[conv_index]) + 1].output"
)
FEATURES_ANY_LAYER = '''
def feature_map_model(model, conv_index):
    return keras.Model(inputs=model.inputs, outputs=model.layers[conv_index].output)
'''
# The lesson's own positions: its conv layers sit at model3.layers[0], [2], [4].
FEATURES_LESSON_POSITIONS = FEATURES_ANY_LAYER.replace("model.layers[conv_index]", "model.layers[2 * conv_index]")
FEATURES_BY_NAME = '''
def feature_map_model(model, conv_index):
    convolutions = [layer for layer in model.layers if "conv" in layer.name]
    return keras.Model(inputs=model.inputs, outputs=convolutions[conv_index].output)
'''
GAP_REVERSED = '''
def overfitting_gap(history):
    return history.history["val_accuracy"][-1] - history.history["accuracy"][-1]
'''
GAP_ABSOLUTE = '''
def overfitting_gap(history):
    return abs(history.history["accuracy"][-1] - history.history["val_accuracy"][-1])
'''
GAP_FROM_LOSS = '''
def overfitting_gap(history):
    return history.history["loss"][-1] - history.history["val_loss"][-1]
'''
GAP_BEST_EPOCH = '''
def overfitting_gap(history):
    return max(history.history["accuracy"]) - max(history.history["val_accuracy"])
'''
# The last training accuracy against the best validation accuracy.
GAP_BEST_VALIDATION = '''
def overfitting_gap(history):
    return history.history["accuracy"][-1] - max(history.history["val_accuracy"])
'''


WRONG = [
    mistake("car instead of automobile", {"test_class_names"}, class_names=NAMES_CAR),
    mistake("labels not one-hot", {"test_prepare"}, prepare=PREPARE_NOT_ONE_HOT),
    mistake("pixels not scaled", {"test_prepare"}, prepare=PREPARE_NOT_SCALED),
    mistake("pixels divided by the batch's brightest pixel", {"test_prepare"}, prepare=PREPARE_BY_BATCH_MAXIMUM),
    mistake("images left float64", {"test_prepare"}, prepare=PREPARE_FLOAT64),
    mistake("labels flattened in place", {"test_prepare"}, prepare=PREPARE_LABELS_FLATTENED_IN_PLACE),
    mistake("validation is the last tenth", {"test_split"}, split=SPLIT_LAST_TENTH),
    mistake("validation starts at index 0", {"test_split"}, split=SPLIT_FIRST_OF_TEN),
    mistake("validation examples left in the training set", {"test_split"}, split=SPLIT_VALIDATION_KEPT_IN_TRAINING),
    mistake("relu in the dense baseline", {"test_build_dense_baseline"}, models=DENSE_RELU),
    mistake("valid padding in the simple CNN", {"test_build_simple_cnn"}, models=SIMPLE_VALID),
    mistake("relu on the simple CNN's Dense(128)", {"test_build_simple_cnn"}, models=SIMPLE_RELU_DENSE),
    mistake("pooling in the simple CNN", {"test_build_simple_cnn"}, models=SIMPLE_WITH_POOLING),
    mistake("dropout after every block", {"test_build_regularised_cnn"}, models=REGULARISED_DROPOUT_PER_BLOCK),
    mistake("dropout before the wrong layer", {"test_build_regularised_cnn"}, models=DROPOUT_MISPLACED),
    mistake("missing pooling", {"test_build_regularised_cnn", "test_feature_map_model"}, models=REGULARISED_NO_POOLING),
    mistake("dropout rate ignored", {"test_build_regularised_cnn"}, models=DROPOUT_FIXED),
    mistake("default dropout of 0.2", {"test_build_regularised_cnn"}, models=DROPOUT_DEFAULT_02),
    mistake(
        "a CNN that cannot learn",
        {"test_build_regularised_cnn", "test_feature_map_model", "test_regularised_accuracy"},
        models=REGULARISED_CANNOT_LEARN,
    ),
    mistake("30 epochs not kept", {"test_num_epochs"}, num_epochs="NUM_EPOCHS_REGULARISED = 10\n"),
    mistake("30 epochs as a float", {"test_num_epochs"}, num_epochs="NUM_EPOCHS_REGULARISED = 30.0\n"),
    mistake("overfitting gap reversed", {"test_overfitting_gap"}, overfitting_gap=GAP_REVERSED),
    mistake("overfitting gap of the best epochs", {"test_overfitting_gap"}, overfitting_gap=GAP_BEST_EPOCH),
    mistake("overfitting gap against the best validation accuracy", {"test_overfitting_gap"},
            overfitting_gap=GAP_BEST_VALIDATION),
    mistake("overfitting gap as an absolute value", {"test_overfitting_gap"}, overfitting_gap=GAP_ABSOLUTE),
    mistake("overfitting gap of the losses", {"test_overfitting_gap"}, overfitting_gap=GAP_FROM_LOSS),
    mistake("feature map at the pooling layer", {"test_feature_map_model"}, feature_map_model=FEATURES_AT_POOLING),
    mistake("feature map counts every layer", {"test_feature_map_model"}, feature_map_model=FEATURES_ANY_LAYER),
    mistake("feature map at the lesson's positions 0, 2, 4", {"test_feature_map_model"},
            feature_map_model=FEATURES_LESSON_POSITIONS),
    mistake("feature map finds layers by name", {"test_feature_map_model"}, feature_map_model=FEATURES_BY_NAME),
]

MIXED = mistake(
    "several mistakes",
    {"test_split", "test_build_regularised_cnn", "test_feature_map_model"},
    split=SPLIT_LAST_TENTH,
    models=DROPOUT_MISPLACED,
    feature_map_model=FEATURES_AT_POOLING,
)

SECOND_CORRECT = {
    "class_names": 'CLASS_NAMES = "airplane automobile bird cat deer dog frog horse ship truck".split()\n',
    "prepare": '''
def prepare(images, labels):
    return np.divide(images, 255.0, dtype=np.float32), np.eye(10, dtype="float32")[np.ravel(labels)]
''',
    "split": '''
def split_train_validation(x, y):
    validation = list(range(9, len(x), 10))
    training = [i for i in range(len(x)) if i % 10 != 9]
    return (x[training], y[training]), (x[validation], y[validation])
''',
    "models": '''
def build_dense_baseline():
    inputs = keras.Input((32, 32, 3))
    hidden = layers.Dense(256, activation="sigmoid")(layers.Flatten()(inputs))
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(hidden))


def build_simple_cnn():
    model = keras.Sequential()
    model.add(keras.Input((32, 32, 3)))
    model.add(layers.Conv2D(32, 3, padding="same", activation="relu"))
    model.add(layers.Flatten())
    model.add(layers.Dense(128, activation=None))
    model.add(layers.Dense(10, activation="softmax"))
    return model


def build_regularised_cnn(dropout=0.5):
    inputs = keras.Input(shape=(32, 32, 3))
    x = inputs
    for filters in [32, 32, 64]:
        x = layers.MaxPool2D(pool_size=2)(layers.Conv2D(filters, kernel_size=3, padding="same", activation="relu")(x))
    x = layers.Dropout(rate=dropout)(layers.Dense(64, activation="relu")(layers.Flatten()(x)))
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
''',
    "num_epochs": "NUM_EPOCHS_REGULARISED = 30\n",
    "overfitting_gap": '''
def overfitting_gap(history):
    metrics = history.history
    return float(metrics["accuracy"][-1]) - float(metrics["val_accuracy"][-1])
''',
    "feature_map_model": '''
def feature_map_model(model, conv_index):
    conv_layers = [layer for layer in model.layers if type(layer).__name__ == "Conv2D"]
    return keras.Model(model.inputs[0], conv_layers[conv_index].output)
''',
}

# Written the way lesson 001 writes such code (`tf.keras.Sequential([...])`,
# `from tensorflow.keras.layers import *`, `INPUT_SHAPE`, `class_num`,
# `model.layers[i].output`) and lesson 002 prepares arrays (`astype('float32')
# / 255`, `to_categorical` without a class count).
LESSON_STYLE = {
    "class_names": """
class_names = ['airplane', 'automobile', 'bird', 'cat', 'deer',
               'dog', 'frog', 'horse', 'ship', 'truck']
CLASS_NAMES = class_names
""",
    "prepare": """
from keras.utils import to_categorical


def prepare(images, labels):
    images = images.astype('float32') / 255
    labels = to_categorical(labels)
    return images, labels
""",
    "split": """
def split_train_validation(x, y):
    validation_data = (x[9::10], y[9::10])
    train_data = (np.delete(x, np.s_[9::10], axis=0), np.delete(y, np.s_[9::10], axis=0))
    return train_data, validation_data
""",
    "models": """
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers, optimizers, metrics, Sequential
from tensorflow.keras.layers import *

ROWS = 32
COLS = 32
CHANNELS = 3
INPUT_SHAPE = (ROWS, COLS, CHANNELS)
class_num = 10


def build_dense_baseline():
    model = tf.keras.Sequential([
        tf.keras.layers.Input(INPUT_SHAPE),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(256, activation='sigmoid'),
        tf.keras.layers.Dense(class_num, activation='softmax')
    ])
    return model


def build_simple_cnn():
    model2 = Sequential([
        Input(INPUT_SHAPE),
        Conv2D(filters=32, kernel_size=(3, 3), padding='same', activation='relu'),
        # MaxPooling2D(pool_size=(2, 2)),
        # Dropout(0.5),
        Flatten(),
        Dense(128),
        Dense(class_num, activation='softmax')
    ])
    return model2


def build_regularised_cnn(dropout=0.5):
    model3 = Sequential([
        Input((32, 32, 3)),
        Conv2D(filters=32, kernel_size=(3, 3), padding='same', activation='relu'),
        MaxPooling2D(pool_size=(2, 2)),
        Conv2D(filters=32, kernel_size=(3, 3), padding='same', activation='relu'),
        MaxPooling2D(pool_size=(2, 2)),
        Conv2D(filters=64, kernel_size=(3, 3), padding='same', activation='relu'),
        MaxPooling2D(pool_size=(2, 2)),

        Flatten(),
        Dense(64, activation='relu'),
        Dropout(dropout),
        Dense(class_num, activation='softmax')
    ])
    return model3
""",
    "num_epochs": "NUM_EPOCHS_REGULARISED = 30\n",
    "overfitting_gap": """
def overfitting_gap(history):
    acc = history.history['accuracy']
    val_acc = history.history['val_accuracy']
    return acc[-1] - val_acc[-1]
""",
    "feature_map_model": """
def feature_map_model(model, conv_index):
    conv_layers = [i for i, layer in list(enumerate(model.layers)) if isinstance(layer, Conv2D)]
    intermediate_layer_model = keras.Model(inputs=model.inputs,
                                           outputs=model.layers[conv_layers[conv_index]].output)
    return intermediate_layer_model
""",
}

CORPUS = AssignmentCorpus(
    wrong=WRONG,
    mixed=MIXED,
    second_correct=SECOND_CORRECT,
    right_variants={"NUM_EPOCHS_REGULARISED a NumPy integer": {"num_epochs": "NUM_EPOCHS_REGULARISED = np.int64(30)\n"}},
    model_code=(
        "model = build_regularised_cnn()\n"
        'model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])'
    ),
    budget=budgets.CIFAR10_CNN_TRAINING,
    accuracy_cell="test_regularised_accuracy",
    threshold=budgets.CIFAR10_CNN_MIN_ACCURACY,
    variants=[
        CalibrationVariant("reference", must_fail=False),
        CalibrationVariant("dense baseline instead (caught by structure)", {"models": REGULARISED_IS_DENSE}, must_fail=False),
        CalibrationVariant("sigmoid output (caught by structure)", {"models": REGULARISED_SIGMOID_OUTPUT}, must_fail=False),
        CalibrationVariant("linear output", {"models": REGULARISED_LINEAR_OUTPUT}),
        CalibrationVariant("1 filter per conv, 1 dense unit", {"models": REGULARISED_CANNOT_LEARN}),
        CalibrationVariant("labels shuffled", shuffle_labels=True),
    ],
    lesson_style=LESSON_STYLE,
)
