"""Right and wrong answers to `fashion_dense` (see `autograder.authoring.corpus`)."""

from autograder.learner import budgets
from autograder.authoring.corpus import AssignmentCorpus, CalibrationVariant, mistake

NAMES_SHIRT_SANDAL_SWAPPED = """
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Shirt", "Sandal", "Sneaker", "Bag", "Ankle boot"]
"""
SCALE_NOT_DIVIDED = """
def scale_images(images):
    return images.astype("float32")
"""
SCALE_IN_PLACE = """
def scale_images(images):
    scaled = images.astype("float32") / 255.0
    images[...] = 0
    return scaled
"""
SCALE_FLOAT64 = """
def scale_images(images):
    return images / 255.0
"""
NAMES_FROM_THE_LESSON = """
CLASS_NAMES = ["t-shirt", "trousers", "pullover", "dress", "coat",
               "sandle", "shirt", "sneaker", "bag", "boot"]
"""
SCALE_INTEGER_DIVISION = """
def scale_images(images):
    return (images // 255).astype("float32")
"""
SCALE_BY_BATCH_MAXIMUM = """
def scale_images(images):
    return (images / images.max()).astype("float32")
"""
SCALE_MIN_MAX = """
def scale_images(images):
    low, high = images.min(), images.max()
    return ((images - low) / (high - low)).astype("float32")
"""
SCALE_L2_NORMALISED = """
def scale_images(images):
    return keras.utils.normalize(images, axis=1).astype("float32")
"""
BUILD = """
def build_dense_model(hidden_units=(256, 256, 256), activation="relu"):
    model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten()])
    for units in hidden_units:
        model.add(layers.Dense(units, activation=activation))
    model.add(layers.Dense(10, activation="softmax"))
    return model
"""
# The same layers as a functional keras.Model: right (the exercise accepts either).
BUILD_FUNCTIONAL = """
def build_dense_model(hidden_units=(256, 256, 256), activation="relu"):
    inputs = keras.Input(shape=(28, 28))
    x = layers.Flatten()(inputs)
    for units in hidden_units:
        x = layers.Dense(units, activation=activation)(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
"""
BUILD_NINE_OUTPUTS = BUILD.replace("Dense(10,", "Dense(9,")
BUILD_SIGMOID_OUTPUT = BUILD.replace('Dense(10, activation="softmax")', 'Dense(10, activation="sigmoid")')
BUILD_LINEAR_OUTPUT = BUILD.replace('Dense(10, activation="softmax")', "Dense(10)")
BUILD_IGNORES_HIDDEN_UNITS = """
def build_dense_model(hidden_units=(256, 256, 256), activation="relu"):
    return keras.Sequential([
        keras.Input(shape=(28, 28)), layers.Flatten(),
        layers.Dense(256, activation=activation), layers.Dense(256, activation=activation),
        layers.Dense(256, activation=activation), layers.Dense(10, activation="softmax"),
    ])
"""
BUILD_IGNORES_ACTIVATION = BUILD.replace("Dense(units, activation=activation)", "Dense(units, activation=\"relu\")")
BUILD_COMPILED = BUILD.replace(
    "    return model", "    model.compile(optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\")\n    return model"
)
BUILD_ONE_UNIT_BOTTLENECK = BUILD.replace("Dense(units, activation=activation)", "Dense(1, activation=activation)")
BUILD_ACTIVATION_FIRST_LAYER_ONLY = """
def build_dense_model(hidden_units=(256, 256, 256), activation="relu"):
    model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten()])
    for position, units in enumerate(hidden_units):
        model.add(layers.Dense(units, activation=activation if position == 0 else "relu"))
    model.add(layers.Dense(10, activation="softmax"))
    return model
"""
BUILD_DEFAULT_ONE_LAYER = BUILD.replace("hidden_units=(256, 256, 256)", "hidden_units=(128,)")
BUILD_NO_FLATTEN = BUILD.replace(", layers.Flatten()]", "]")
BUILD_REVERSED = BUILD.replace("for units in hidden_units:", "for units in reversed(hidden_units):")
BUILD_LAST_HIDDEN_SKIPPED = BUILD.replace("for units in hidden_units:", "for units in hidden_units[:-1]:")
BUILD_SEPARATE_SOFTMAX = BUILD.replace(
    'model.add(layers.Dense(10, activation="softmax"))',
    'model.add(layers.Dense(10))\n    model.add(layers.Activation("softmax"))',
)
BUILD_WITH_DROPOUT = BUILD.replace(
    "        model.add(layers.Dense(units, activation=activation))\n",
    "        model.add(layers.Dense(units, activation=activation))\n        model.add(layers.Dropout(0.2))\n",
)
COMPILE = """
def compile_model(model):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
"""
# The loss and the metric as Keras' own functions: right.
COMPILE_KERAS_FUNCTIONS = """
def compile_model(model):
    model.compile(optimizer="adam", loss=keras.losses.sparse_categorical_crossentropy,
                  metrics=[keras.metrics.sparse_categorical_accuracy])
    return model
"""
COMPILE_CATEGORICAL_ACCURACY = COMPILE.replace('metrics=["accuracy"]', 'metrics=["categorical_accuracy"]')
# Keras' accuracy for integer labels by its own name: right.
COMPILE_SPARSE_ACCURACY_NAME = COMPILE.replace('metrics=["accuracy"]', 'metrics=["sparse_categorical_accuracy"]')
COMPILE_CATEGORICAL = COMPILE.replace('"sparse_categorical_crossentropy"', '"categorical_crossentropy"')
COMPILE_NO_METRIC = COMPILE.replace(', metrics=["accuracy"]', "")
COMPILE_RETURNS_NONE = COMPILE.replace("    return model\n", "")
COMPILE_FROM_LOGITS = """
def compile_model(model):
    model.compile(optimizer="adam", metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model
"""
COMPILE_MSE = COMPILE.replace('"sparse_categorical_crossentropy"', '"mean_squared_error"')
COMPILE_FAST_ADAM = COMPILE.replace('optimizer="adam"', "optimizer=keras.optimizers.Adam(learning_rate=0.01)")
COMPILE_NADAM = COMPILE.replace('optimizer="adam"', 'optimizer="nadam"')
CALLBACKS = """
NUM_EPOCHS = 20

def make_callbacks():
    return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)]
"""
CALLBACK_ON_ACCURACY = CALLBACKS.replace('monitor="val_loss"', 'monitor="accuracy"')
CALLBACK_NO_RESTORE = CALLBACKS.replace(", restore_best_weights=True", "")
CALLBACK_NO_PATIENCE = CALLBACKS.replace(" patience=3,", "")
CALLBACK_MODE_MAX = CALLBACKS.replace("restore_best_weights=True", 'restore_best_weights=True, mode="max"')
CALLBACK_BASELINE = CALLBACKS.replace("restore_best_weights=True", "restore_best_weights=True, baseline=0.5")
CALLBACK_MIN_DELTA = CALLBACKS.replace("restore_best_weights=True", "restore_best_weights=True, min_delta=0.01")
CALLBACK_ON_TRAINING_LOSS = CALLBACKS.replace('monitor="val_loss"', 'monitor="loss"')
CALLBACK_NOT_IN_A_LIST = CALLBACKS.replace("return [keras.callbacks.EarlyStopping(", "return keras.callbacks.EarlyStopping(").replace(
    "True)]", "True)"
)
CALLBACK_LATE_START = CALLBACKS.replace("restore_best_weights=True", "restore_best_weights=True, start_from_epoch=5")
# A NumPy integer, another callback beside the one EarlyStopping and a verbose one: right.
CALLBACKS_BESIDE_OTHERS = """
NUM_EPOCHS = np.int64(20)

def make_callbacks():
    return [keras.callbacks.TerminateOnNaN(),
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True, verbose=1)]
"""
EPOCHS_AS_FLOAT = CALLBACKS.replace("NUM_EPOCHS = 20", "NUM_EPOCHS = 20.0")
EPOCHS_TOO_MANY = CALLBACKS.replace("NUM_EPOCHS = 20", "NUM_EPOCHS = 500")
TRAIN = """
def train(model, x, y, epochs, callbacks):
    return model.fit(x, y, epochs=epochs, callbacks=callbacks, validation_split=0.2, verbose=0)
"""
TRAIN_NO_VALIDATION = TRAIN.replace(", validation_split=0.2", "")
TRAIN_WRONG_SPLIT = TRAIN.replace("validation_split=0.2", "validation_split=0.1")
TRAIN_IGNORES_CALLBACKS = TRAIN.replace(" callbacks=callbacks,", "")
TRAIN_FIXED_EPOCHS = TRAIN.replace("epochs=epochs", "epochs=1")
TRAIN_GLOBAL_EPOCHS = TRAIN.replace("epochs=epochs", "epochs=NUM_EPOCHS")
TRAIN_RETURNS_HISTORY_DICT = TRAIN.replace("verbose=0)", "verbose=0).history")
TRAIN_RETURNS_MODEL = TRAIN.replace("    return model.fit(", "    model.fit(") + "    return model\n"
TRAIN_VALIDATION_DATA_BY_HAND = """
def train(model, x, y, epochs, callbacks):
    held_out = int(len(x) * 0.8)
    return model.fit(x, y, epochs=epochs, callbacks=callbacks, verbose=0,
                     validation_data=(x[held_out:], y[held_out:]))
"""

WRONG = [
    mistake("class names out of order", {"test_class_names"}, class_names=NAMES_SHIRT_SANDAL_SWAPPED),
    mistake("images not scaled", {"test_scale_images"}, scale_images=SCALE_NOT_DIVIDED),
    mistake("input changed in place", {"test_scale_images"}, scale_images=SCALE_IN_PLACE),
    mistake("float64 instead of float32", {"test_scale_images"}, scale_images=SCALE_FLOAT64),
    mistake("9 output units", {"test_build_dense_model", "test_accuracy"}, build_dense_model=BUILD_NINE_OUTPUTS),
    mistake("sigmoid output", {"test_build_dense_model"}, build_dense_model=BUILD_SIGMOID_OUTPUT),
    mistake("hidden_units ignored", {"test_build_dense_model"}, build_dense_model=BUILD_IGNORES_HIDDEN_UNITS),
    mistake("activation argument ignored", {"test_build_dense_model"}, build_dense_model=BUILD_IGNORES_ACTIVATION),
    mistake("model compiled by the builder", {"test_build_dense_model"}, build_dense_model=BUILD_COMPILED),
    mistake(
        "categorical instead of sparse loss",
        {"test_compile_model", "test_accuracy"},
        compile_model=COMPILE_CATEGORICAL,
    ),
    mistake("no accuracy metric", {"test_compile_model"}, compile_model=COMPILE_NO_METRIC),
    mistake("compile_model returns None", {"test_compile_model", "test_accuracy"}, compile_model=COMPILE_RETURNS_NONE),
    mistake("EarlyStopping on the wrong metric", {"test_callbacks"}, callbacks=CALLBACK_ON_ACCURACY),
    mistake("best weights not restored", {"test_callbacks"}, callbacks=CALLBACK_NO_RESTORE),
    mistake("patience left at 0", {"test_callbacks"}, callbacks=CALLBACK_NO_PATIENCE),
    mistake("NUM_EPOCHS out of range", {"test_callbacks"}, callbacks=EPOCHS_TOO_MANY),
    mistake("no validation split", {"test_train"}, train=TRAIN_NO_VALIDATION),
    mistake("validation split 0.1", {"test_train"}, train=TRAIN_WRONG_SPLIT),
    mistake("callbacks not passed to fit", {"test_train"}, train=TRAIN_IGNORES_CALLBACKS),
    mistake("epochs argument ignored", {"test_train"}, train=TRAIN_FIXED_EPOCHS),
    mistake("a model that cannot learn", {"test_build_dense_model", "test_accuracy"}, build_dense_model=BUILD_ONE_UNIT_BOTTLENECK),
    mistake("the lesson's short class names", {"test_class_names"}, class_names=NAMES_FROM_THE_LESSON),
    mistake("integer division by 255", {"test_scale_images"}, scale_images=SCALE_INTEGER_DIVISION),
    mistake("divided by the batch's brightest pixel", {"test_scale_images"}, scale_images=SCALE_BY_BATCH_MAXIMUM),
    mistake("min-max scaled per batch", {"test_scale_images"}, scale_images=SCALE_MIN_MAX),
    mistake("L2-normalised like lesson 4 (keras.utils.normalize)", {"test_scale_images"}, scale_images=SCALE_L2_NORMALISED),
    mistake("activation on the first hidden layer only", {"test_build_dense_model"},
            build_dense_model=BUILD_ACTIVATION_FIRST_LAYER_ONLY),
    mistake("default hidden_units (128,)", {"test_build_dense_model"}, build_dense_model=BUILD_DEFAULT_ONE_LAYER),
    mistake("Flatten missing", {"test_build_dense_model", "test_accuracy"}, build_dense_model=BUILD_NO_FLATTEN),
    mistake("hidden layers in reverse order", {"test_build_dense_model"}, build_dense_model=BUILD_REVERSED),
    mistake("last hidden layer skipped", {"test_build_dense_model"}, build_dense_model=BUILD_LAST_HIDDEN_SKIPPED),
    mistake("softmax as a separate layer", {"test_build_dense_model"}, build_dense_model=BUILD_SEPARATE_SOFTMAX),
    mistake("Dropout between the hidden layers", {"test_build_dense_model"}, build_dense_model=BUILD_WITH_DROPOUT),
    mistake("Adam learning rate 0.01", {"test_compile_model"}, compile_model=COMPILE_FAST_ADAM),
    mistake("Nadam instead of Adam", {"test_compile_model"}, compile_model=COMPILE_NADAM),
    mistake("EarlyStopping mode max", {"test_callbacks"}, callbacks=CALLBACK_MODE_MAX),
    mistake("EarlyStopping with a baseline", {"test_callbacks"}, callbacks=CALLBACK_BASELINE),
    mistake("EarlyStopping min_delta 0.01", {"test_callbacks"}, callbacks=CALLBACK_MIN_DELTA),
    mistake("EarlyStopping on the training loss", {"test_callbacks"}, callbacks=CALLBACK_ON_TRAINING_LOSS),
    mistake("make_callbacks returns the callback, not a list", {"test_callbacks"}, callbacks=CALLBACK_NOT_IN_A_LIST),
    mistake("accuracy metric made for one-hot labels", {"test_compile_model"}, says="made for one-hot labels",
            compile_model=COMPILE_CATEGORICAL_ACCURACY),
    mistake("EarlyStopping starts watching at epoch 5", {"test_callbacks"}, callbacks=CALLBACK_LATE_START),
    mistake("NUM_EPOCHS as a float", {"test_callbacks"}, callbacks=EPOCHS_AS_FLOAT),
    mistake("validation_data built by hand from examples it trains on", {"test_train"}, train=TRAIN_VALIDATION_DATA_BY_HAND),
    mistake("train returns the model", {"test_train"}, train=TRAIN_RETURNS_MODEL),
    mistake("train returns history.history", {"test_train"}, train=TRAIN_RETURNS_HISTORY_DICT),
    mistake("train runs NUM_EPOCHS, not epochs", {"test_train"}, train=TRAIN_GLOBAL_EPOCHS),
]

MIXED = mistake(
    "several mistakes",
    {"test_scale_images", "test_build_dense_model", "test_callbacks"},
    scale_images=SCALE_NOT_DIVIDED,
    build_dense_model=BUILD_SIGMOID_OUTPUT,
    callbacks=CALLBACK_ON_ACCURACY,
)

SECOND_CORRECT = {
    "class_names": """
CLASS_NAMES = tuple("T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot".split(","))
""",
    "scale_images": """
def scale_images(images):
    return np.divide(images, 255, dtype=np.float32)
""",
    "build_dense_model": """
def build_dense_model(hidden_units=(256, 256, 256), activation="relu"):
    inputs = keras.Input(shape=(28, 28))
    x = layers.Flatten()(inputs)
    for units in hidden_units:
        x = layers.Dense(units, activation=activation)(x)
    outputs = layers.Dense(10, activation=keras.activations.softmax)(x)
    return keras.Model(inputs, outputs)
""",
    "compile_model": """
def compile_model(model):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    return model
""",
    "callbacks": """
NUM_EPOCHS = 50

def make_callbacks():
    stopper = keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)
    return [stopper, keras.callbacks.TerminateOnNaN()]
""",
    "train": """
def train(model, x, y, epochs, callbacks):
    history = model.fit(x, y, batch_size=64, epochs=epochs, validation_split=0.2,
                        callbacks=callbacks, verbose=0)
    return history
""",
}

# Written as lesson 4 (000) and the Fashion CNN lesson (003) write such code:
# tf.keras, Sequential() + .add, input_shape= on the first layer, tf.nn
# activations, string losses and metrics, EarlyStopping as in the lesson
# with the exercise's restore_best_weights.
LESSON_STYLE = {
    "class_names": """
class_names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
               'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
CLASS_NAMES = class_names
""",
    "scale_images": """
def scale_images(images):
    images = images / 255.0
    return images.astype(np.float32)
""",
    "build_dense_model": """
import tensorflow as tf

def build_dense_model(hidden_units=(256, 256, 256), activation=tf.nn.relu):
    model = tf.keras.models.Sequential()
    # Input layer
    model.add(tf.keras.layers.Flatten(input_shape=(28,28)))
    # Hidden Layers
    for units in hidden_units:
        model.add(tf.keras.layers.Dense(units, activation=activation))
    # Output layer
    model.add(tf.keras.layers.Dense(10, activation=tf.nn.softmax))
    return model
""",
    "compile_model": """
import tensorflow as tf

def compile_model(model):
    model.compile(optimizer=tf.keras.optimizers.Adam(),
                  loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])
    return model
""",
    "callbacks": """
NUM_EPOCHS = 20

def make_callbacks():
    early_stop = keras.callbacks.EarlyStopping(monitor='val_loss', patience=3, restore_best_weights=True)
    return [early_stop]
""",
    "train": """
def train(model, x, y, epochs, callbacks):
    history = model.fit(x, y, epochs=epochs, validation_split = 0.2,
                        callbacks=callbacks)
    return history
""",
}

CORPUS = AssignmentCorpus(
    wrong=WRONG,
    mixed=MIXED,
    second_correct=SECOND_CORRECT,
    lesson_style=LESSON_STYLE,
    right_variants={
        "loss and metric as Keras functions": {"compile_model": COMPILE_KERAS_FUNCTIONS},
        "the accuracy metric for integer labels by name": {"compile_model": COMPILE_SPARSE_ACCURACY_NAME},
        "a functional keras.Model": {"build_dense_model": BUILD_FUNCTIONAL},
        "NUM_EPOCHS a NumPy integer, another callback beside EarlyStopping": {"callbacks": CALLBACKS_BESIDE_OTHERS},
    },
    model_code="model = compile_model(build_dense_model())",
    budget=budgets.FASHION_DENSE_TRAINING,
    accuracy_cell="test_accuracy",
    threshold=budgets.FASHION_DENSE_MIN_ACCURACY,
    variants=[
        CalibrationVariant("reference", must_fail=False),
        CalibrationVariant("sigmoid output (caught by structure)", {"build_dense_model": BUILD_SIGMOID_OUTPUT}, must_fail=False),
        CalibrationVariant("linear output", {"build_dense_model": BUILD_LINEAR_OUTPUT}),
        CalibrationVariant("loss from_logits=True (caught by the compile check)", {"compile_model": COMPILE_FROM_LOGITS}, must_fail=False),
        CalibrationVariant("mean squared error loss (does not train)", {"compile_model": COMPILE_MSE}),
        CalibrationVariant("categorical loss on integer labels (does not train)", {"compile_model": COMPILE_CATEGORICAL}),
        CalibrationVariant("hidden layers of 1 unit", {"build_dense_model": BUILD_ONE_UNIT_BOTTLENECK}),
        CalibrationVariant("labels shuffled", shuffle_labels=True),
    ],
)
