"""Brief training, the learner's side: hand a model to the trusted trainer and read back what it measured.

The learner's kernel is not trusted (seeds, patched functions, a dataset
changed in place), so `brief_train` never trains there. It sends the model
as data (its Keras JSON and compile config) to the grader's trusted trainer
(`autograder.grading.trainer.train`): the warm training service of the grading
worker when ``AUTOGRADER_TRAINER`` names its socket, else a new Python
process. The trainer rebuilds the model with Keras' safe mode, fixes every
seed, loads the budget's fixed data subset itself, trains, and reports the
test accuracy it measured from predictions.

Models written the way the lessons teach (``activation=tf.nn.relu``,
``tf.nn.softmax``) travel as the Keras activations they equal
(`sanitise_config`), and Keras' own loss and metric functions
(``loss=tf.keras.losses.categorical_crossentropy``) by their names; any
other function is refused with a message, since the trainer runs no
learner code. A failed accuracy check says what it can see in the model
that explains it (`likely_causes`).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from autograder.learner import budgets, checks, diagnosis

RESULT_PREFIX = "AUTOGRADER-TRAINING-RESULT "
# Set by the grading worker: the Unix socket of its warm training service.
SERVICE_VARIABLE = "AUTOGRADER_TRAINER"
TRAINER_MODULE = "autograder.grading.trainer.train"
# Test suites may set this to a folder where results are kept by request:
# training is deterministic, so a model trained once need not train again.
# The grader never sets it.
CACHE_VARIABLE = "AUTOGRADER_TRAINING_CACHE"


@dataclass(frozen=True)
class TrainingResult:
    """What one brief training run measured.

    Attributes:
        test_accuracy: share of the budget's test images classified right.
        seconds: wall time of ``fit``.
        history: Keras' per-epoch metrics.
        device: ``GPU`` or ``CPU``, where Keras trained.
        backend: the Keras backend that trained.
        causes: what the learner's side sees in the model that could explain
            a low accuracy (`autograder.learner.diagnosis.likely_causes`),
            for `autograder.learner.checks.min_accuracy`; none from the trainer.
    """

    test_accuracy: float
    seconds: float
    history: dict[str, list[float]] = field(default_factory=dict)
    device: str = "CPU"
    backend: str = "tensorflow"
    causes: tuple[str, ...] = ()


def serialise(model: Any, what: str) -> dict[str, Any]:
    """Turn a compiled Keras model into JSON-able data for the worker.

    Raises:
        CheckFailure: ``model`` is not a compiled Keras model, or its
            layers cannot be written as a Keras config.
    """
    checks.is_model(model, what)
    if not getattr(model, "compiled", False):
        checks.fail(what, "a compiled model", "a model that was not compiled", "compile it before training.")
    try:
        config = json.loads(model.to_json())
        compile_config = model.get_compile_config()
    except Exception as error:  # custom layers or lambdas that Keras cannot serialise
        checks.fail(
            what,
            "a model made of Keras' built-in layers",
            f"one Keras cannot save ({type(error).__name__}: {str(error).splitlines()[0][:200]})",
            "use layers from keras.layers only.",
        )
    own = keras_functions(model)
    try:
        compile_settings = sanitise_config(compile_config, own)
    except ValueError as error:
        checks.fail(f"{what} compile settings", "Keras' own losses and metrics", str(error),
                    "give the loss and metrics by name, e.g. loss='categorical_crossentropy', or as Keras' own "
                    "functions or classes.")
    try:  # the model's JSON holds the compile settings too
        return {"model": json.dumps(sanitise_config(config, own)), "compile": compile_settings}
    except ValueError as error:
        checks.fail(what, "a model made of Keras' built-in layers and activations", str(error),
                    "write activations by name, e.g. activation='relu'.")


def keras_functions(model: Any) -> frozenset[str]:
    """The names of Keras' own loss and metric functions the model was compiled with (``keras.losses.mse``, say).

    Keras writes any function, its own included, as ``{"class_name":
    "function", "config": <its name>}``; only a function that *is* the one
    Keras has under that name may travel by name, not one of the learner's
    own that happens to share it.
    """
    import keras

    raw = getattr(getattr(model, "_compile_config", None), "config", None) or {}
    found: set[str] = set()

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)
        elif callable(value) and not isinstance(value, type) and isinstance(getattr(value, "__name__", None), str):
            if any(getattr(module, value.__name__, None) is value for module in (keras.losses, keras.metrics)):
                found.add(value.__name__)

    for part in ("loss", "metrics", "weighted_metrics"):
        visit(raw.get(part))
    return frozenset(found)


KERAS_ACTIVATIONS = frozenset({
    "relu", "relu6", "sigmoid", "softmax", "log_softmax", "tanh", "elu", "selu", "softplus", "softsign",
    "silu", "gelu", "exponential", "hard_sigmoid", "hard_silu", "leaky_relu", "linear", "mish",
})


def sanitise_config(config: Any, keras_names: frozenset[str] = frozenset()) -> Any:
    """Return ``config`` with every function written by module and name replaced by the Keras name it equals.

    Keras writes a function, such as ``tf.nn.softmax`` or a loss function,
    as ``{"class_name": "function", "module": ..., "config": "softmax_v2"}``;
    rebuilding that would import the module and call whatever it names.
    Known activations and the names in ``keras_names`` (Keras' own loss and
    metric functions, `keras_functions`) become their Keras name; anything
    else is refused.

    Raises:
        ValueError: a function that is none of those, naming it.
    """
    if isinstance(config, list):
        return [sanitise_config(value, keras_names) for value in config]
    if not isinstance(config, dict):
        return config
    if config.get("class_name") == "function" and not str(config.get("module", "")).startswith("keras"):
        written = str(config.get("config", ""))
        if written in keras_names:
            return written
        name = checks.activation_name(written)
        if name not in KERAS_ACTIVATIONS:
            raise ValueError(f"a function {written!r} from {config.get('module')!r} that brief training cannot rebuild")
        return name
    return {key: sanitise_config(value, keras_names) for key, value in config.items()}


def brief_train(model: Any, budget: budgets.TrainingBudget, what: str = "the model") -> TrainingResult:
    """Train a copy of ``model`` from fresh weights under ``budget``, in the trusted trainer.

    Args:
        model: a compiled Keras model; only its architecture and compile
            settings are used, never its weights.
        budget: data subset, epochs, batch size, seed and time limit.
        what: the learner's call that built the model, for messages.

    Returns:
        The `TrainingResult` measured by the worker.

    Raises:
        CheckFailure: the model cannot be handed over, training fails or
            runs past ``budget.time_limit_s``.

    Example:
        >>> result = brief_train(compile_model(build_dense_model()), budgets.FASHION_DENSE_TRAINING)  # doctest: +SKIP
        >>> result.test_accuracy  # doctest: +SKIP
        0.83
    """
    request = {**serialise(model, what), "budget": asdict(budget)}
    cached = _cache_file(request)
    if cached is not None and cached.is_file():
        reply = json.loads(cached.read_text())
    else:
        reply = _ask_trainer(request, budget, what)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            aside = cached.with_name(f".{os.getpid()}-{cached.name}")  # renamed whole: another process may read it
            aside.write_text(json.dumps(reply))
            os.replace(aside, cached)
    causes = tuple(diagnosis.likely_causes(model, budget))
    if "error" in reply:
        checks.fail(f"training {what}", "a model that trains on the assignment's data", reply["error"],
                    checks.with_causes("", causes))
    return TrainingResult(**{**reply, "causes": causes})


def canonical_json(config: Any) -> str:
    """Return JSON of ``config`` with generated layer and optimizer names replaced by their order of appearance.

    Two builds of the same architecture and compile settings differ only in
    generated names such as ``dense_7`` or ``adam_1``. Only names in those
    places are replaced (a layer's or optimizer's own ``name`` and the
    references to a layer in ``keras_history``, ``input_layers`` and
    ``output_layers``), each by the same placeholder wherever it is used, so
    wiring is kept; every other string, such as an activation or a dtype
    policy's name, stays as written. Two configs with the same result
    therefore differ in names only, and train to the same numbers.

    Args:
        config: ``{"model": <model config>, "compile": <compile config>}``.
    """
    names: dict[str, str] = {}
    named: set[int] = set()

    def collect_name(node: dict) -> None:
        if isinstance(node.get("name"), str):
            names.setdefault(node["name"], f"name{len(names)}")
            named.add(id(node))

    def collect_layer(node: Any) -> None:
        inner = node.get("config") if isinstance(node, dict) else None
        if isinstance(inner, dict):
            collect_name(node)  # a functional model's layers carry their name beside their config too
            collect_name(inner)
            for child in inner.get("layers") or []:
                collect_layer(child)

    def collect_optimizers(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "optimizer":
                    collect_layer(value)
                collect_optimizers(value)
        elif isinstance(node, list):
            for value in node:
                collect_optimizers(value)

    def reference(value: Any) -> Any:
        if isinstance(value, list) and value and isinstance(value[0], str):
            return [names.get(value[0], value[0]), *value[1:]]
        if isinstance(value, list):
            return [reference(item) for item in value]
        return value

    def rename(node: Any) -> Any:
        if isinstance(node, list):
            return [rename(value) for value in node]
        if not isinstance(node, dict):
            return node
        renamed = {}
        for key, value in node.items():
            if key == "name" and id(node) in named:
                renamed[key] = names[value]
            elif key in ("keras_history", "input_layers", "output_layers"):
                renamed[key] = reference(value)
            else:
                renamed[key] = rename(value)
        return renamed

    collect_layer(config.get("model"))
    collect_optimizers(config)
    return json.dumps(rename(config), sort_keys=True)


def training_key(request: dict[str, Any]) -> str:
    """A digest of everything that decides a brief training's result: architecture, compile settings, budget, backend.

    Training is deterministic, so two requests with the same key train to
    the same numbers (`canonical_json` says which differences are ignored).
    """
    key = json.dumps(
        {
            "learner": canonical_json({"model": json.loads(request["model"]), "compile": request["compile"]}),
            "budget": request["budget"],
            "backend": os.environ.get("KERAS_BACKEND", "tensorflow"),
        },
        sort_keys=True,
    )
    return hashlib.sha256(key.encode()).hexdigest()


def _cache_file(request: dict[str, Any]) -> Path | None:
    folder = os.environ.get(CACHE_VARIABLE, "").strip()
    return Path(folder) / f"{training_key(request)}.json" if folder else None


def _ask_trainer(request: dict[str, Any], budget: budgets.TrainingBudget, what: str) -> dict[str, Any]:
    """Send ``request`` to the warm training service or a new trainer process; return its reply."""
    service = os.environ.get(SERVICE_VARIABLE, "").strip()
    try:
        reply = json.loads(_ask_service(service, request, budget) if service else _ask_new_process(request, budget))
    except (OSError, RuntimeError) as error:
        checks.fail(f"training {what}", "a finished training run", f"a crash ({error})")
    if "timeout" in reply:
        checks.fail(f"training {what}", f"to finish within {budget.time_limit_s:.0f} s", "it ran longer")
    return reply


def _ask_service(path: str, request: dict[str, Any], budget: budgets.TrainingBudget) -> str:
    """One request over the service's Unix socket: a JSON line each way."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(budget.time_limit_s + 30)
        try:
            connection.connect(path)
            connection.sendall(json.dumps(request).encode() + b"\n")
            with connection.makefile("rb") as replies:
                line = replies.readline()
        except socket.timeout:
            return json.dumps({"timeout": budget.time_limit_s})
    if not line.startswith(RESULT_PREFIX.encode()):
        raise RuntimeError("the training service closed the connection without a result")
    return line[len(RESULT_PREFIX) :].decode()


def _ask_new_process(request: dict[str, Any], budget: budgets.TrainingBudget) -> str:
    """One request to a new ``python -m autograder.grading.trainer.train``."""
    try:
        finished = subprocess.run(
            [sys.executable, "-m", TRAINER_MODULE],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=budget.time_limit_s,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
    except subprocess.TimeoutExpired:
        return json.dumps({"timeout": budget.time_limit_s})
    lines = [line for line in finished.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        stderr = finished.stderr.strip()
        if "No module named 'autograder.grading'" in stderr:
            raise RuntimeError("brief training runs only under the grader (the course's grading install)")
        raise RuntimeError((stderr.splitlines() or ["no output"])[-1])
    return lines[-1][len(RESULT_PREFIX) :]
