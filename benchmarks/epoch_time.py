"""Epoch time of each assignment's reference model on its full training set, per backend and setting.

Usage: python benchmarks/epoch_time.py [--backends jax,torch] [--epochs 2] [--settings ...] [ASSIGNMENT ...]

Each (assignment, backend, setting) runs in a fresh process with
``KERAS_BACKEND`` set: it builds the reference model the hidden accuracy
test trains, compiles it as the test does, and fits it on the whole
training set with the budget's batch size, timing every epoch (the first
includes compilation). The process gets the grader's environment
(`train.DETERMINISM_ENVIRONMENT`: deterministic GPU kernels). Settings
are the speed-ups `autograder.grading.trainer.train` can apply:

- ``plain``: Keras defaults, NumPy arrays in;
- ``steps``: ``steps_per_execution`` as `train.speed_settings` picks it;
- ``device``: data converted to backend tensors on the device before ``fit``;
- ``tuned``: what `train.speed_settings` picks for this device (the grader's choice).

The table prints seconds per epoch, the device and the final training
accuracy (each setting must learn the same, give or take noise).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "EPOCH-TIME "
SETTINGS = ("plain", "steps", "device", "tuned")


def worker(assignment: str, setting: str, epochs: int) -> dict:
    """Build, compile and fit the reference model in this process; return the timings."""
    import dataclasses

    import keras

    from autograder.authoring import calibration, corpus
    from autograder.grading.trainer import train
    from autograder.learner import datasets, training

    spec = corpus.load(assignment)
    request = training.serialise(calibration.model_builder(ROOT, assignment)(), "the reference model")
    full_size = len(datasets.load(spec.budget.dataset, subset="full")[0][1])
    budget = dataclasses.replace(spec.budget, train_size=full_size, epochs=epochs)
    speed = train.speed_settings()
    if setting == "plain":
        speed = train.SpeedSettings()
    elif setting == "steps":
        speed = train.SpeedSettings(steps_per_execution=max(speed.steps_per_execution, 8))
    elif setting == "device":
        speed = train.SpeedSettings(data_on_device=True)
    times: list[float] = []

    class EpochClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.started)

    result = train.train_here(request["model"], request["compile"], budget, speed, callbacks=[EpochClock()])
    return {
        "assignment": assignment, "backend": result.backend, "device": result.device, "setting": setting,
        "train images": full_size, "batch": budget.batch_size, "epoch s": times,
        "train accuracy": result.history.get("accuracy", [float("nan")])[-1], "test accuracy": result.test_accuracy,
    }


def run(assignment: str, backend: str, setting: str, epochs: int) -> dict:
    """Run `worker` in a fresh process for one backend."""
    from autograder.grading.trainer import train

    environment = {**os.environ, **train.DETERMINISM_ENVIRONMENT, "KERAS_BACKEND": backend}
    finished = subprocess.run(
        [sys.executable, __file__, "--worker", assignment, setting, str(epochs)],
        capture_output=True, text=True, env=environment,
    )
    lines = [line for line in finished.stdout.splitlines() if line.startswith(PREFIX)]
    if not lines:
        return {"assignment": assignment, "backend": backend, "setting": setting,
                "error": (finished.stderr.strip().splitlines() or ["no output"])[-1][:200]}
    return json.loads(lines[-1][len(PREFIX):])


def main() -> int:
    """Print the epoch-time table."""
    if sys.argv[1:2] == ["--worker"]:
        print(PREFIX + json.dumps(worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))), flush=True)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--settings", default="plain,tuned")
    parser.add_argument("--epochs", type=int, default=2)
    arguments = parser.parse_args()
    from autograder import course

    rows = []
    for assignment in arguments.assignments or [a for a in course.assignments(ROOT) if a != "sign_language_rps"]:
        for backend in arguments.backends.split(","):
            for setting in arguments.settings.split(","):
                rows.append(run(assignment, backend, setting, arguments.epochs))
                print(json.dumps(rows[-1]), flush=True)
    print()
    print("| assignment | backend | device | setting | train images | batch | first epoch s | later epoch s | train acc | test acc |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        if "error" in row:
            print(f"| {row['assignment']} | {row['backend']} | | {row['setting']} | error: {row['error']} |||||")
            continue
        later = row["epoch s"][1:] or row["epoch s"]
        print(f"| {row['assignment']} | {row['backend']} | {row['device']} | {row['setting']} | {row['train images']} "
              f"| {row['batch']} | {row['epoch s'][0]:.2f} | {sum(later) / len(later):.2f} "
              f"| {row['train accuracy']:.4f} | {row['test accuracy']:.4f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
