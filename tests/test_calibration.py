"""autograder.authoring.calibration: the table and the problems it reports (training is covered by `autograder calibrate`)."""

from __future__ import annotations

import pytest

from autograder.authoring import calibration, corpus
from autograder.authoring.corpus import CalibrationVariant



def results(reference, broken, caught=(0.9,)):
    return [
        calibration.VariantAccuracies(CalibrationVariant("reference", must_fail=False), list(reference)),
        calibration.VariantAccuracies(CalibrationVariant("sigmoid", {"build": "x"}, must_fail=False), list(caught)),
        calibration.VariantAccuracies(CalibrationVariant("labels shuffled", shuffle_labels=True), list(broken)),
    ]


def test_table_reports_spread_and_margins():
    text = calibration.table(results([0.82, 0.80, 0.84], [0.1, 0.2]), 0.75)
    assert "| reference | no | 3 | 0.8000 | 0.8200 | 0.8400 | 3/3 |" in text
    assert "| labels shuffled | yes | 2 | 0.1000 | 0.1500 | 0.2000 | 0/2 |" in text
    assert "reference minimum 0.8000, margin +0.0500" in text
    assert "best broken variant 0.2000, margin +0.5500" in text


def test_problems_name_failing_reference_and_passing_broken_variant():
    assert calibration.problems(results([0.82, 0.8], [0.1]), 0.75) == []
    assert calibration.problems(results([0.7, 0.8], [0.76]), 0.75) == [
        "reference scored 0.7000 < 0.75",
        "labels shuffled scored 0.7600 >= 0.75",
    ]


def test_every_corpus_has_a_reference_and_a_variant_that_must_fail():
    spec = corpus.load("fashion_dense")
    assert sum(variant.is_reference for variant in spec.variants) == 1
    assert any(variant.must_fail for variant in spec.variants)


def test_model_builder_builds_a_new_compiled_model_per_call(root):
    build = calibration.model_builder(root, "fashion_dense")
    first, second = build(), build()
    assert first is not second
    assert first.compiled and first.count_params() == second.count_params() == 335_114


def test_model_builder_names_answers_that_do_not_run(root):
    broken = {"build_dense_model": "def build_dense_model(:\n    pass"}
    with pytest.raises(RuntimeError, match="the answers of variant 'x' do not run: .*build_dense_model"):
        calibration.model_builder(root, "fashion_dense", broken, "variant 'x'")
