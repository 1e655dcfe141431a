"""The trusted trainer: brief, deterministic training of a model received as data.

The learner's kernel is not trusted, so brief training never happens there:
`autograder.learner.training.brief_train` hands the model over as its Keras
JSON and compile config, and this module, in a process of its own, rebuilds
it with Keras' safe mode (no learner code runs here), fixes every seed,
loads the budget's fixed data subset itself, trains, and measures the test
accuracy from predictions. The same model and budget give the same numbers
on the same machine.

Run as ``python -m autograder.grading.trainer.train`` the module reads one JSON
request on stdin and writes one JSON line on stdout.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from autograder.learner import budgets, datasets
from autograder.learner.training import RESULT_PREFIX, TrainingResult, sanitise_config

# Set before the worker imports a backend: deterministic GPU kernels for
# JAX (XLA) and PyTorch (cuBLAS), fixed hashing, quiet TensorFlow.
DETERMINISM_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONHASHSEED": "0",
    "XLA_FLAGS": "--xla_gpu_deterministic_ops=true",
    "CUBLAS_WORKSPACE_CONFIG": ":4096:8",
    "XLA_PYTHON_CLIENT_PREALLOCATE": "false",
    "TF_FORCE_GPU_ALLOW_GROWTH": "true",
}

# Chosen from benchmarks/epoch_time.py on an H100 (docs/performance.md):
# 16 steps per call cut epochs by 1.4 to 2x; data put on the device before
# `fit` gained nothing there (-9 % to +30 %), so it stays off.
GPU_STEPS_PER_EXECUTION = 16
GPU_DATA_ON_DEVICE = False


@dataclass(frozen=True)
class SpeedSettings:
    """How `train_here` makes training fast without changing what is learned.

    The budget (data, epochs, batch size, seed) is calibrated and never
    changes; these only change how the work reaches the device.

    Attributes:
        steps_per_execution: training batches per compiled call (fewer
            host round trips; the PyTorch backend supports only 1).
        data_on_device: convert the arrays to backend tensors on the
            device once, before ``fit``.
        predict_batch_size: batch size when measuring test accuracy (any
            size gives the same predictions).
    """

    steps_per_execution: int = 1
    data_on_device: bool = False
    predict_batch_size: int = 1024


def speed_settings() -> SpeedSettings:
    """Pick `SpeedSettings` for the active backend and device (measured in docs/performance.md)."""
    import keras

    if device_name() != "GPU":
        return SpeedSettings()
    steps = 1 if keras.backend.backend() == "torch" else GPU_STEPS_PER_EXECUTION
    return SpeedSettings(steps_per_execution=steps, data_on_device=GPU_DATA_ON_DEVICE, predict_batch_size=8192)



def device_name() -> str:
    """Return ``GPU`` when the active Keras backend sees a GPU, else ``CPU``."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    if backend == "jax":
        import jax

        return "GPU" if jax.default_backend() == "gpu" else "CPU"
    if backend == "torch":
        import torch

        return "GPU" if torch.cuda.is_available() else "CPU"
    return "CPU"


def fix_seeds(seed: int) -> None:
    """Seed Python, NumPy and the Keras backend, and make TensorFlow ops deterministic."""
    import keras

    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    elif keras.backend.backend() == "torch":
        import torch

        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False


def budget_data(budget: budgets.TrainingBudget) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return the budget's fixed stratified subset, scaled to [0, 1] float32, integer labels.

    With ``budget.shuffle_labels`` the training labels are permuted (the
    calibration's broken variant); the test labels never are.
    """
    (x_train, y_train), (x_test, y_test) = datasets.load(budget.dataset, subset="full")
    result = []
    for images, labels, size in ((x_train, y_train, budget.train_size), (x_test, y_test, budget.test_size)):
        keep = datasets.stratified_indices(labels, min(size, len(labels)))
        result.append(((images[keep] / 255.0).astype("float32"), labels.reshape(-1)[keep].astype("int64")))
    (x_train, y_train), test = result
    if budget.shuffle_labels:
        y_train = np.random.default_rng(budget.seed).permutation(y_train)
    return (x_train, y_train), test


def _fit_images(images: np.ndarray, model: Any) -> np.ndarray:
    shape = tuple(model.input_shape[1:])
    if int(np.prod(shape)) != int(np.prod(images.shape[1:])) or None in shape:
        raise ValueError(
            f"the model's input shape {tuple(model.input_shape)} cannot take images of shape "
            f"{images.shape[1:]}"
        )
    return images.reshape((-1,) + shape)


def train_here(
    model_json: str,
    compile_config: dict,
    budget: budgets.TrainingBudget,
    speed: SpeedSettings | None = None,
    callbacks: list[Any] | None = None,
) -> TrainingResult:
    """Build a model from its JSON, compile it and train it in this process.

    Call it in a fresh process (see `brief_train`): it fixes global seeds.

    Args:
        model_json: the model's Keras JSON.
        compile_config: its ``get_compile_config()``.
        budget: data subset, epochs, batch size and seed.
        speed: how to feed the device (default: `speed_settings`).
        callbacks: extra Keras callbacks for ``fit`` (benchmarks time epochs with one).
    """
    import keras

    fix_seeds(budget.seed)
    config = json.dumps(sanitise_config(json.loads(model_json)))
    try:
        model = keras.models.model_from_json(config)
    except Exception as error:  # custom classes the fresh process does not know
        raise ValueError(
            "the model could not be rebuilt from its Keras config; use layers from keras.layers only "
            f"({type(error).__name__})"
        ) from None
    model.compile_from_config(sanitise_config(compile_config))
    (x_train, y_train), (x_test, y_test) = budget_data(budget)
    classes = int(max(y_train.max(), y_test.max())) + 1
    if tuple(model.output_shape) != (None, classes):
        raise ValueError(f"the model's output shape must be (None, {classes}), found {tuple(model.output_shape)}")
    x_train, x_test = _fit_images(x_train, model), _fit_images(x_test, model)
    targets = keras.utils.to_categorical(y_train, classes) if budget.one_hot_labels else y_train
    speed = speed or speed_settings()
    model.steps_per_execution = speed.steps_per_execution
    if speed.data_on_device:
        x_train, targets = keras.ops.convert_to_tensor(x_train), keras.ops.convert_to_tensor(targets)
    started = time.perf_counter()
    history = model.fit(
        x_train, targets, epochs=budget.epochs, batch_size=budget.batch_size, verbose=0, shuffle=True,
        callbacks=callbacks,
    )
    seconds = time.perf_counter() - started
    predictions = np.asarray(model.predict(x_test, batch_size=speed.predict_batch_size, verbose=0))
    accuracy = float(np.mean(np.argmax(predictions, axis=-1) == y_test))
    return TrainingResult(
        test_accuracy=accuracy,
        seconds=round(seconds, 3),
        history={key: [float(value) for value in values] for key, values in history.history.items()},
        device=device_name(),
        backend=keras.backend.backend(),
    )


def answer(request: dict[str, Any]) -> str:
    """Train as ``request`` asks; return the reply line (a result, or an error the learner caused, as data)."""
    try:
        result = train_here(request["model"], request["compile"], budgets.TrainingBudget(**request["budget"]))
        reply: dict[str, Any] = asdict(result)
    except Exception as error:  # report any learner-caused failure as data
        reply = {"error": f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"}
    return RESULT_PREFIX + json.dumps(reply)


def _worker() -> None:
    os.environ.update(DETERMINISM_ENVIRONMENT)
    print(answer(json.loads(sys.stdin.read())), flush=True)


if __name__ == "__main__":
    _worker()
