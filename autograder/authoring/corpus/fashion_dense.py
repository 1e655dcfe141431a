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
BUILD_NINE_OUTPUTS = """
def build_dense_model(hidden_units=(256, 256, 256), activation="relu"):
    model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten()])
    for units in hidden_units:
        model.add(layers.Dense(units, activation=activation))
    model.add(layers.Dense(9, activation="softmax"))
    return model
"""
BUILD_SIGMOID_OUTPUT = BUILD_NINE_OUTPUTS.replace("Dense(9, activation=\"softmax\")", "Dense(10, activation=\"sigmoid\")")
BUILD_LINEAR_OUTPUT = BUILD_NINE_OUTPUTS.replace("Dense(9, activation=\"softmax\")", "Dense(10)")
BUILD_IGNORES_HIDDEN_UNITS = """
def build_dense_model(hidden_units=(256, 256, 256), activation="relu"):
    return keras.Sequential([
        keras.Input(shape=(28, 28)), layers.Flatten(),
        layers.Dense(256, activation=activation), layers.Dense(256, activation=activation),
        layers.Dense(256, activation=activation), layers.Dense(10, activation="softmax"),
    ])
"""
BUILD_IGNORES_ACTIVATION = BUILD_NINE_OUTPUTS.replace(
    "Dense(units, activation=activation)", "Dense(units, activation=\"relu\")"
).replace("Dense(9,", "Dense(10,")
BUILD_COMPILED = BUILD_NINE_OUTPUTS.replace("Dense(9,", "Dense(10,").replace(
    "    return model", "    model.compile(optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\")\n    return model"
)
BUILD_ONE_UNIT_BOTTLENECK = BUILD_NINE_OUTPUTS.replace("Dense(9,", "Dense(10,").replace(
    "Dense(units, activation=activation)", "Dense(1, activation=activation)"
)
COMPILE_CATEGORICAL = """
def compile_model(model):
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model
"""
COMPILE_NO_METRIC = """
def compile_model(model):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
"""
COMPILE_RETURNS_NONE = """
def compile_model(model):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
"""
COMPILE_FROM_LOGITS = """
def compile_model(model):
    model.compile(optimizer="adam", metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model
"""
COMPILE_MSE = COMPILE_CATEGORICAL.replace('"categorical_crossentropy"', '"mean_squared_error"')
CALLBACK_ON_ACCURACY = """
NUM_EPOCHS = 20

def make_callbacks():
    return [keras.callbacks.EarlyStopping(monitor="accuracy", patience=3, restore_best_weights=True)]
"""
CALLBACK_NO_RESTORE = """
NUM_EPOCHS = 20

def make_callbacks():
    return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)]
"""
CALLBACK_NO_PATIENCE = """
NUM_EPOCHS = 20

def make_callbacks():
    return [keras.callbacks.EarlyStopping(monitor="val_loss", restore_best_weights=True)]
"""
EPOCHS_TOO_MANY = """
NUM_EPOCHS = 500

def make_callbacks():
    return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)]
"""
TRAIN_NO_VALIDATION = """
def train(model, x, y, epochs, callbacks):
    return model.fit(x, y, epochs=epochs, callbacks=callbacks, verbose=0)
"""
TRAIN_WRONG_SPLIT = """
def train(model, x, y, epochs, callbacks):
    return model.fit(x, y, epochs=epochs, callbacks=callbacks, validation_split=0.1, verbose=0)
"""
TRAIN_IGNORES_CALLBACKS = """
def train(model, x, y, epochs, callbacks):
    return model.fit(x, y, epochs=epochs, validation_split=0.2, verbose=0)
"""
TRAIN_FIXED_EPOCHS = """
def train(model, x, y, epochs, callbacks):
    return model.fit(x, y, epochs=1, callbacks=callbacks, validation_split=0.2, verbose=0)
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

CORPUS = AssignmentCorpus(
    wrong=WRONG,
    mixed=MIXED,
    second_correct=SECOND_CORRECT,
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
