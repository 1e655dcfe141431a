"""Right and wrong answers to `conv_mechanics` (see `autograder.authoring.corpus`)."""

from autograder.learner import budgets
from autograder.authoring.corpus import AssignmentCorpus, CalibrationVariant, mistake

CONVOLVE = '''
def convolve2d(image, kernel, padding="valid", stride=1):
    image = np.asarray(image, dtype="float64")
    kernel = np.asarray(kernel, dtype="float64")
    size = kernel.shape[0]
    if padding == "same":
        pads = []
        for n in image.shape:
            total = max((-(-n // stride) - 1) * stride + size - n, 0)
            pads.append((total // 2, total - total // 2))
        image = np.pad(image, pads)
    rows = (image.shape[0] - size) // stride + 1
    columns = (image.shape[1] - size) // stride + 1
    result = np.zeros((rows, columns))
    for i in range(rows):
        for j in range(columns):
            window = image[i * stride : i * stride + size, j * stride : j * stride + size]
            result[i, j] = np.sum(window * kernel)
    return result
'''
CONVOLVE_FLIPPED = CONVOLVE.replace("np.sum(window * kernel)", "np.sum(window * kernel[::-1, ::-1])")
CONVOLVE_ONE_SIDED = CONVOLVE.replace("pads.append((total // 2, total - total // 2))", "pads.append((0, total))")
# Integer arrays: fractional pixels and weights (a scaled image, a blur kernel) are truncated.
CONVOLVE_INTEGERS = CONVOLVE.replace('dtype="float64"', "dtype=int")
# No floor at zero: a kernel smaller than the stride asks for a negative number of zeros.
CONVOLVE_PADDING_UNCLAMPED = CONVOLVE.replace("total = max((-(-n // stride) - 1) * stride + size - n, 0)",
                                              "total = (-(-n // stride) - 1) * stride + size - n")
SAME_PADDING = """        pads = []
        for n in image.shape:
            total = max((-(-n // stride) - 1) * stride + size - n, 0)
            pads.append((total // 2, total - total // 2))
        image = np.pad(image, pads)
"""
# The stride-1 padding whatever the stride: k - 1 zeros split around the image.
CONVOLVE_SYMMETRIC = CONVOLVE.replace(SAME_PADDING, """        before = (size - 1) // 2
        image = np.pad(image, ((before, size - 1 - before), (before, size - 1 - before)))
""")
CONVOLVE_HALF_KERNEL_EACH_SIDE = CONVOLVE.replace(SAME_PADDING, "        image = np.pad(image, size // 2)\n")
CONVOLVE_IGNORES_PADDING = CONVOLVE.replace(SAME_PADDING, "        pass\n")
CONVOLVE_SQUARE_ONLY = CONVOLVE.replace("columns = (image.shape[1] - size) // stride + 1", "columns = rows")
CONVOLVE_IGNORES_STRIDE = CONVOLVE.replace("// stride + 1", "+ 1").replace("i * stride", "i").replace("j * stride", "j")
CONVOLVE_UINT8 = CONVOLVE.replace('image = np.asarray(image, dtype="float64")', "image = np.asarray(image)").replace(
    "result = np.zeros((rows, columns))", "result = np.zeros((rows, columns), dtype=image.dtype)"
)
SIZES = '''
def output_size(n, kernel_size, padding="valid", stride=1):
    if padding == "same":
        return -(-n // stride)
    return (n - kernel_size) // stride + 1


def conv2d_param_count(kernel_size, in_channels, filters):
    return (kernel_size * kernel_size * in_channels + 1) * filters
'''
SIZES_OFF_BY_ONE = SIZES.replace("return (n - kernel_size) // stride + 1", "return (n - kernel_size) // stride")
SIZES_SAME_FLOOR = SIZES.replace("return -(-n // stride)", "return n // stride")
SIZES_SAME_FROM_HALF_KERNEL = SIZES.replace("return -(-n // stride)",
                                            "return (n + 2 * (kernel_size // 2) - kernel_size) // stride + 1")
SIZES_VALID_ROUNDED_LATE = SIZES.replace("return (n - kernel_size) // stride + 1", "return (n - kernel_size + 1) // stride")
SIZES_ONE_BIAS = SIZES.replace("(kernel_size * kernel_size * in_channels + 1) * filters",
                               "kernel_size * kernel_size * in_channels * filters + 1")
SIZES_NO_BIAS = SIZES.replace("(kernel_size * kernel_size * in_channels + 1) * filters", "kernel_size * kernel_size * in_channels * filters")
SIZES_ONE_CHANNEL = SIZES.replace("(kernel_size * kernel_size * in_channels + 1) * filters", "(kernel_size * kernel_size + 1) * filters")
AUGMENTER = '''
def build_augmenter(seed=None):
    return keras.Sequential([
        layers.RandomRotation(40 / 360, seed=seed),
        layers.RandomTranslation(0.2, 0.2, seed=seed),
    ])
'''
AUGMENTER_CROPS = AUGMENTER.replace("        layers.RandomTranslation(0.2, 0.2, seed=seed),\n",
                                    "        layers.RandomTranslation(0.2, 0.2, seed=seed),\n        layers.RandomCrop(24, 24, seed=seed),\n")
AUGMENTER_RADIANS = AUGMENTER.replace("RandomRotation(40 / 360,", "RandomRotation(np.radians(40),")
AUGMENTER_NO_SHIFT = AUGMENTER.replace("        layers.RandomTranslation(0.2, 0.2, seed=seed),\n", "")
AUGMENTER_ROTATES_ONE_WAY = AUGMENTER.replace("RandomRotation(40 / 360,", "RandomRotation((0, 40 / 360),")
AUGMENTER_SHIFTS_DOWN_ONLY = AUGMENTER.replace("RandomTranslation(0.2, 0.2,", "RandomTranslation(height_factor=(0, 0.2), width_factor=0.2,")
AUGMENTER_UNSEEDED = AUGMENTER.replace(", seed=seed)", ")", 2)
AUGMENTER_FLIPS = AUGMENTER.replace("        layers.RandomTranslation(0.2, 0.2, seed=seed),\n",
                                    '        layers.RandomTranslation(0.2, 0.2, seed=seed),\n        layers.RandomFlip("horizontal", seed=seed),\n')
# The lesson's fill mode and another interpolation: right (the exercise leaves both open).
AUGMENTER_NEAREST = AUGMENTER.replace("RandomRotation(40 / 360, seed=seed)",
                                      'RandomRotation(40 / 360, fill_mode="nearest", interpolation="nearest", seed=seed)').replace(
    "RandomTranslation(0.2, 0.2, seed=seed)", 'RandomTranslation(0.2, 0.2, fill_mode="constant", seed=seed)')
MNIST_CNN = '''
def build_mnist_cnn():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
'''
MNIST_CNN_SAME_PADDING = MNIST_CNN.replace('activation="relu"),\n        layers.MaxPooling2D', 'activation="relu", padding="same"),\n        layers.MaxPooling2D')
MNIST_CNN_LINEAR_OUTPUT = MNIST_CNN.replace('Dense(10, activation="softmax")', "Dense(10)")
MNIST_CNN_SIGMOID_OUTPUT = MNIST_CNN.replace('Dense(10, activation="softmax")', 'Dense(10, activation="sigmoid")')
MNIST_CNN_ELEVEN = MNIST_CNN.replace("Dense(10,", "Dense(11,")
MNIST_CNN_LINEAR_HIDDEN_DENSE = MNIST_CNN.replace('Dense(64, activation="relu")', "Dense(64)")
MNIST_CNN_WITH_DROPOUT = MNIST_CNN.replace('layers.Dense(64, activation="relu"),\n',
                                           'layers.Dense(64, activation="relu"),\n        layers.Dropout(0.5),\n')
MNIST_CNN_THIRD_POOLING = MNIST_CNN.replace('activation="relu"),\n        layers.Flatten()',
                                            'activation="relu"),\n        layers.MaxPooling2D(2),\n        layers.Flatten()')
MNIST_CNN_CANNOT_LEARN = MNIST_CNN.replace("Conv2D(32,", "Conv2D(1,").replace("Conv2D(64,", "Conv2D(1,").replace("Dense(64,", "Dense(1,")
TRANSFER = '''
def freeze(model):
    for layer in model.layers:
        layer.trainable = False
    model.trainable = False
    return model


def build_transfer_model(base, num_classes):
    freeze(base)
    head = [layers.Flatten()] if len(base.output_shape) > 2 else []
    return keras.Sequential([base] + head + [layers.Dense(num_classes, activation="softmax")])
'''
TRANSFER_BASE_TRAINABLE = TRANSFER.replace("    freeze(base)\n", "")
TRANSFER_FREEZE_DOES_NOTHING = TRANSFER.replace("        layer.trainable = False\n    model.trainable = False\n", "        pass\n")
TRANSFER_COPIED_BASE = TRANSFER.replace(
    "    freeze(base)\n", "    base = freeze(keras.models.clone_model(base))\n"
)
TRANSFER_NO_SOFTMAX = TRANSFER.replace('Dense(num_classes, activation="softmax")', "Dense(num_classes)")
TRANSFER_NO_FLATTEN = TRANSFER.replace("    head = [layers.Flatten()] if len(base.output_shape) > 2 else []\n", "    head = []\n")
TRANSFER_TEN_CLASSES = TRANSFER.replace('Dense(num_classes, activation="softmax")', 'Dense(10, activation="softmax")')
TRANSFER_FREEZE_RETURNS_NOTHING = TRANSFER.replace("    model.trainable = False\n    return model\n", "    model.trainable = False\n")
TRANSFER_FREEZES_FIRST_LAYER = TRANSFER.replace("    for layer in model.layers:\n        layer.trainable = False\n    model.trainable = False\n",
                                                "    model.layers[0].trainable = False\n")
TRANSFER_HEAD_FROZEN = TRANSFER.replace("    freeze(base)\n", "").replace(
    "    return keras.Sequential([base] + head", "    return freeze(keras.Sequential([base] + head").replace(
    '(num_classes, activation="softmax")])', '(num_classes, activation="softmax")]))')


WRONG = [
    mistake("flipped kernel (true convolution)", {"test_convolve2d"}, convolve2d=CONVOLVE_FLIPPED),
    mistake("same padding on one side only", {"test_convolve2d"}, convolve2d=CONVOLVE_ONE_SIDED),
    mistake("same padding of stride 1 whatever the stride (symmetric)", {"test_convolve2d"}, convolve2d=CONVOLVE_SYMMETRIC),
    mistake("same padding of k // 2 zeros on every side", {"test_convolve2d"}, convolve2d=CONVOLVE_HALF_KERNEL_EACH_SIDE),
    mistake("padding argument ignored", {"test_convolve2d"}, convolve2d=CONVOLVE_IGNORES_PADDING),
    mistake("columns counted from the rows (square images only)", {"test_convolve2d"}, convolve2d=CONVOLVE_SQUARE_ONLY),
    mistake("stride ignored", {"test_convolve2d"}, convolve2d=CONVOLVE_IGNORES_STRIDE),
    mistake("uint8 arithmetic", {"test_convolve2d"}, convolve2d=CONVOLVE_UINT8),
    mistake("image and kernel made integer arrays", {"test_convolve2d"}, convolve2d=CONVOLVE_INTEGERS),
    mistake("same padding not floored at 0 (kernel smaller than the stride)", {"test_convolve2d"},
            convolve2d=CONVOLVE_PADDING_UNCLAMPED),
    mistake("off-by-one output size for strides", {"test_output_size"}, sizes=SIZES_OFF_BY_ONE),
    mistake("same padding rounded down", {"test_output_size"}, sizes=SIZES_SAME_FLOOR),
    mistake("same size from k // 2 zeros on every side", {"test_output_size"}, sizes=SIZES_SAME_FROM_HALF_KERNEL),
    mistake("valid size as (n - k + 1) // stride", {"test_output_size"}, sizes=SIZES_VALID_ROUNDED_LATE),
    mistake("parameter count with one bias in all", {"test_conv2d_param_count"}, sizes=SIZES_ONE_BIAS),
    mistake("parameter count without biases", {"test_conv2d_param_count"}, sizes=SIZES_NO_BIAS),
    mistake("parameter count ignores input channels", {"test_conv2d_param_count"}, sizes=SIZES_ONE_CHANNEL),
    mistake("augmenter that changes the shape", {"test_build_augmenter"}, build_augmenter=AUGMENTER_CROPS),
    mistake("rotation factor in radians", {"test_build_augmenter"}, build_augmenter=AUGMENTER_RADIANS),
    mistake("augmenter without shifts", {"test_build_augmenter"}, build_augmenter=AUGMENTER_NO_SHIFT),
    mistake("rotation one way only", {"test_build_augmenter"}, build_augmenter=AUGMENTER_ROTATES_ONE_WAY),
    mistake("vertical shifts one way only", {"test_build_augmenter"}, build_augmenter=AUGMENTER_SHIFTS_DOWN_ONLY),
    mistake("seed not passed to the layers", {"test_build_augmenter"}, build_augmenter=AUGMENTER_UNSEEDED),
    mistake("horizontal flips added", {"test_build_augmenter"}, build_augmenter=AUGMENTER_FLIPS),
    mistake("same padding in the MNIST CNN", {"test_build_mnist_cnn"}, build_mnist_cnn=MNIST_CNN_SAME_PADDING),
    mistake("sigmoid output", {"test_build_mnist_cnn"}, build_mnist_cnn=MNIST_CNN_SIGMOID_OUTPUT),
    mistake("Dense(64) without relu", {"test_build_mnist_cnn"}, build_mnist_cnn=MNIST_CNN_LINEAR_HIDDEN_DENSE),
    mistake("the lesson's commented-out dropout added", {"test_build_mnist_cnn"}, build_mnist_cnn=MNIST_CNN_WITH_DROPOUT),
    mistake("pooling after the third convolution", {"test_build_mnist_cnn"}, build_mnist_cnn=MNIST_CNN_THIRD_POOLING),
    mistake("11 output units", {"test_build_mnist_cnn", "test_mnist_cnn_accuracy"}, build_mnist_cnn=MNIST_CNN_ELEVEN),
    mistake("a CNN that cannot learn", {"test_build_mnist_cnn", "test_mnist_cnn_accuracy"}, build_mnist_cnn=MNIST_CNN_CANNOT_LEARN),
    mistake("transfer model whose base is still trainable", {"test_transfer"}, transfer=TRANSFER_BASE_TRAINABLE),
    mistake("freeze that changes nothing", {"test_transfer"}, transfer=TRANSFER_FREEZE_DOES_NOTHING),
    mistake("transfer model on a copy of the base", {"test_transfer"}, transfer=TRANSFER_COPIED_BASE),
    mistake("transfer head without softmax", {"test_transfer"}, transfer=TRANSFER_NO_SOFTMAX),
    mistake("transfer head without Flatten", {"test_transfer"}, transfer=TRANSFER_NO_FLATTEN),
    mistake("transfer head with 10 outputs whatever num_classes", {"test_transfer"}, transfer=TRANSFER_TEN_CLASSES),
    mistake("freeze returns nothing", {"test_transfer"}, transfer=TRANSFER_FREEZE_RETURNS_NOTHING),
    mistake("freeze only the first layer", {"test_transfer"}, transfer=TRANSFER_FREEZES_FIRST_LAYER),
    mistake("whole transfer model frozen, head included", {"test_transfer"}, transfer=TRANSFER_HEAD_FROZEN),
]

MIXED = mistake(
    "several mistakes",
    {"test_convolve2d", "test_conv2d_param_count", "test_transfer"},
    convolve2d=CONVOLVE_FLIPPED,
    sizes=SIZES_NO_BIAS,
    transfer=TRANSFER_BASE_TRAINABLE,
)

SECOND_CORRECT = {
    "convolve2d": '''
import math


def convolve2d(image, kernel, padding="valid", stride=1):
    kernel = np.asarray(kernel, dtype=float)
    k = kernel.shape[0]
    image = np.asarray(image, dtype=float)
    if padding == "same":
        totals = [max((math.ceil(n / stride) - 1) * stride + k - n, 0) for n in image.shape]
        image = np.pad(image, [(total // 2, total - total // 2) for total in totals], mode="constant")
    windows = np.lib.stride_tricks.sliding_window_view(image, (k, k))[::stride, ::stride]
    return np.einsum("ijkl,kl->ij", windows, kernel)
''',
    "sizes": '''
import math


def output_size(n, kernel_size, padding="valid", stride=1):
    if padding == "valid":
        return math.floor((n - kernel_size) / stride) + 1
    return math.ceil(n / stride)


def conv2d_param_count(kernel_size, in_channels, filters):
    weights = kernel_size ** 2 * in_channels * filters
    return weights + filters
''',
    "build_augmenter": '''
def build_augmenter(seed=None):
    augmenter = keras.Sequential(name="augmenter")
    augmenter.add(layers.RandomRotation(factor=(-40 / 360, 40 / 360), fill_mode="constant", seed=seed))
    augmenter.add(layers.RandomTranslation(height_factor=(-0.2, 0.2), width_factor=(-0.2, 0.2), fill_mode="constant", seed=seed))
    return augmenter
''',
    "build_mnist_cnn": '''
def build_mnist_cnn():
    inputs = keras.Input((28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.MaxPool2D()(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPool2D()(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.Dense(64, activation="relu")(layers.Flatten()(x))
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
''',
    "transfer": '''
def freeze(model):
    model.trainable = False
    return model


def build_transfer_model(base, num_classes):
    base = freeze(base)
    inputs = keras.Input(base.input_shape[1:])
    features = base(inputs, training=False)
    if len(features.shape) > 2:
        features = layers.GlobalAveragePooling2D()(features)
    features = layers.Dense(32, activation="relu")(features)
    return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(features))
''',
}

# Written the way lesson 002 writes such code: `from keras import models,
# layers`, `models.Sequential()` + `.add`, `input_shape=` on the first layer
# (and, copied from the lesson, on the Dense layer too), loops over pixels,
# `layer.trainable = False` per layer, a Flatten + Dense head.
LESSON_STYLE = {
    "convolve2d": '''
import numpy as np


def convolve2d(image, kernel, padding="valid", stride=1):
    image = np.array(image).astype('float32')
    kernel = np.array(kernel).astype('float32')
    k = len(kernel)
    if padding == 'same':
        rows_out = int(np.ceil(image.shape[0] / stride))
        cols_out = int(np.ceil(image.shape[1] / stride))
        pad_rows = max((rows_out - 1) * stride + k - image.shape[0], 0)
        pad_cols = max((cols_out - 1) * stride + k - image.shape[1], 0)
        padded = np.zeros([image.shape[0] + pad_rows, image.shape[1] + pad_cols])
        padded[pad_rows // 2:pad_rows // 2 + image.shape[0], pad_cols // 2:pad_cols // 2 + image.shape[1]] = image
        image = padded
    output = []
    for row in range(0, image.shape[0] - k + 1, stride):
        output_row = []
        for col in range(0, image.shape[1] - k + 1, stride):
            output_row.append((image[row:row + k, col:col + k] * kernel).sum())
        output.append(output_row)
    return np.array(output)
''',
    "sizes": '''
import numpy as np


def output_size(n, kernel_size, padding="valid", stride=1):
    if padding == 'same':
        return int(np.ceil(n / stride))
    return int(np.floor((n - kernel_size) / stride)) + 1


def conv2d_param_count(kernel_size, in_channels, filters):
    values_per_kernel = kernel_size * kernel_size * in_channels + 1
    return values_per_kernel * filters
''',
    "build_augmenter": '''
import tensorflow as tf


def build_augmenter(seed=None):
    data_generator = tf.keras.Sequential()
    data_generator.add(tf.keras.layers.RandomRotation(factor=40 / 360, seed=seed))
    data_generator.add(tf.keras.layers.RandomTranslation(height_factor=0.2, width_factor=0.2, seed=seed))
    return data_generator
''',
    "build_mnist_cnn": '''
from keras import models
from keras import layers


def build_mnist_cnn():
    network = models.Sequential()
    network.add(layers.Conv2D(32, (3,3), activation='relu', input_shape=(28,28,1)))
    network.add(layers.MaxPooling2D((2,2)))
    network.add(layers.Conv2D(64, (3,3), activation='relu'))
    network.add(layers.MaxPooling2D((2,2)))
    network.add(layers.Conv2D(64, (3,3), activation='relu'))
    network.add(layers.Flatten())
    network.add(layers.Dense(64, activation='relu', input_shape=(784,)))
    network.add(layers.Dense(10, activation='softmax'))
    return network
''',
    "transfer": '''
from keras import models
from keras import layers


def freeze(model):
    for layer in model.layers:
        layer.trainable = False
    return model


def build_transfer_model(base, num_classes):
    conv_base = freeze(base)
    network = models.Sequential()
    network.add(conv_base)
    network.add(layers.Flatten())
    network.add(layers.Dense(256, activation='relu'))
    network.add(layers.Dense(num_classes, activation='softmax'))
    return network
''',
}

CORPUS = AssignmentCorpus(
    right_variants={"the lesson's fill mode, nearest interpolation": {"build_augmenter": AUGMENTER_NEAREST}},
    wrong=WRONG,
    mixed=MIXED,
    second_correct=SECOND_CORRECT,
    model_code=(
        "model = build_mnist_cnn()\n"
        'model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])'
    ),
    budget=budgets.MNIST_CNN_TRAINING,
    accuracy_cell="test_mnist_cnn_accuracy",
    threshold=budgets.MNIST_CNN_MIN_ACCURACY,
    variants=[
        CalibrationVariant("reference", must_fail=False),
        CalibrationVariant("sigmoid output (caught by structure)", {"build_mnist_cnn": MNIST_CNN_SIGMOID_OUTPUT}, must_fail=False),
        CalibrationVariant("same padding (caught by structure)", {"build_mnist_cnn": MNIST_CNN_SAME_PADDING}, must_fail=False),
        CalibrationVariant("linear output", {"build_mnist_cnn": MNIST_CNN_LINEAR_OUTPUT}),
        CalibrationVariant("1 filter per conv, 1 dense unit", {"build_mnist_cnn": MNIST_CNN_CANNOT_LEARN}),
        CalibrationVariant("labels shuffled", shuffle_labels=True),
    ],
    lesson_style=LESSON_STYLE,
)
