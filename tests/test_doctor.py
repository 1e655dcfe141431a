"""`autograder doctor` reports what the machine offers and how to fix what is missing."""

from __future__ import annotations

import pytest

from autograder import cli, doctor

pytestmark = pytest.mark.quick


def test_doctor_names_every_topic_and_gives_fixes_for_problems(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("AUTOGRADER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    report = doctor.findings()
    topics = [finding.topic for finding in report]
    assert topics[0] == "GPU" and any(topic.startswith("Keras backend") for topic in topics)
    mnist = next(finding for finding in report if finding.topic == "dataset mnist")
    assert mnist.found == "missing" and "AUTOGRADER_DATA_DIR" in mnist.fix and str(tmp_path) in mnist.fix
    status = cli.main(["doctor"])
    printed = capsys.readouterr().out
    assert status == 1 and "FIX  dataset mnist: missing" in printed and "fix: " in printed


def test_backend_finding_names_the_extra_to_install(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    finding = next(f for f in doctor.findings() if f.topic.startswith("Keras backend"))
    assert finding.topic == "Keras backend (jax, from KERAS_BACKEND)"
    assert finding.ok or finding.fix == "pip install -e '.[jax]'"


def test_versions_other_than_the_calibrated_ones_are_named_with_the_constraints_to_install(monkeypatch):
    """A build tag is the same version; an upgrade is named with both versions and the fix."""
    import importlib.metadata

    from autograder import calibrated

    pinned = calibrated.calibrated_versions()
    assert {"keras", "tensorflow", "numpy"} <= set(pinned)
    installed = {**pinned, "torch": pinned["torch"] + "+cpu", "keras": "9.0.0"}
    real_version = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: installed.get(name.lower()) or real_version(name))
    assert calibrated.differences() == {"keras": ("9.0.0", pinned["keras"])}
    finding = next(f for f in doctor.findings() if f.topic.startswith("versions the thresholds were calibrated on"))
    assert finding.found == f"other versions: keras 9.0.0 (calibrated: {pinned['keras']})"
    assert "pip install -c " in finding.fix and finding.fix.split("pip install -c ")[1].split(" ")[0].endswith("calibrated.txt")
