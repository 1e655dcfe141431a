"""The store of trained results on its own: filing, reading back, what it ignores, and its fingerprint."""

from __future__ import annotations

import pytest

from autograder.grading.trainer import trained_store
from autograder.grading.trainer.trained_store import TrainedStore

pytestmark = pytest.mark.quick


def test_a_filed_reply_reads_back_whole_and_a_missing_one_is_none(tmp_path):
    store = TrainedStore(tmp_path, "tensorflow-cpu-0123")
    assert store.get("key") is None
    store.put("key", 'RESULT {"test_accuracy": 0.8}')
    assert store.get("key") == 'RESULT {"test_accuracy": 0.8}'
    assert [path.name for path in (tmp_path / "tensorflow-cpu-0123").iterdir()] == ["key.json"]  # nothing left aside


def test_a_store_that_cannot_be_written_only_costs_time(tmp_path):
    (tmp_path / "taken").write_text("a file where the store's folder should be")
    store = TrainedStore(tmp_path / "taken", "fingerprint")
    store.put("key", "RESULT {}")
    assert store.get("key") is None


def test_results_are_filed_apart_by_device_and_the_variable_can_switch_the_store_off(tmp_path, monkeypatch):
    assert trained_store.fingerprint("CPU") != trained_store.fingerprint("GPU")
    assert trained_store.fingerprint("CPU") == trained_store.fingerprint("CPU")
    for off in ("", "none"):
        monkeypatch.setenv(trained_store.STORE_VARIABLE, off)
        assert trained_store.store_from_environment(lambda: pytest.fail("no store: no device to ask")) is None
    monkeypatch.setenv(trained_store.STORE_VARIABLE, str(tmp_path))
    assert trained_store.store_from_environment(lambda: "CPU").folder.parent == tmp_path
