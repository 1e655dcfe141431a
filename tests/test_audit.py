"""`autograder audit`: mutants of the reference answers, each killed by a test, recorded as equivalent, or unexplained.

The mutants are real edits of the course's reference answers and are graded
by the course's own test cells (the in-process harness of tests/test_corpus.py).
The recorded verdicts of audit/<id>.toml are checked here on every run:
every mutant of fashion_dense (about 150, some 40 s) and, for each other
audited assignment, mutants of the answer cells no training test
depends on (a fixed sample of 12 of them; the whole audit trains hundreds of models:
`autograder audit ID` on demand) is killed or equivalent, so a test
weakened later, or a reason that no longer holds, fails the suite.
"""

from __future__ import annotations

import shutil

import pytest

from autograder import cli, course, notebooks
from autograder.authoring import audit, cell_tests, corpus, mutants
from autograder.course import Course
from conftest import PROJECT_ROOT, require

SAMPLE = 12  # mutants per assignment checked on every run besides fashion_dense's
AUDITED_BESIDES_FASHION_DENSE = sorted(path.stem for path in (PROJECT_ROOT / "audit").glob("*.toml")
                                       if path.stem != "fashion_dense")

DOCSTRING_AND_DIVISION = '''
def scale(images, limit=10):
    """Scale."""
    values = [images[0], images[-1]]
    if limit > 3:
        return images.astype("float32", copy=True) / 255.0
    return values[:2]
'''


@pytest.mark.quick
def test_each_operator_proposes_its_edits_once_with_a_stable_name():
    found = mutants.cell_mutants("scale", DOCSTRING_AND_DIVISION)
    names = [mutant.name for mutant in found]
    assert len(names) == len(set(names))
    assert {mutant.operator for mutant in found} == set(mutants.OPERATORS)
    sources = {mutant.name.split(":", 3)[3]: mutant.source for mutant in found}
    assert "images.astype('float32', copy=True) // 255.0" in sources["Div -> FloorDiv"]
    assert "images.astype('float32') /" in sources["copy= left out"]
    assert "limit >= 3" in sources["Gt -> GtE"]
    assert "'float64'" in sources["'float32' -> 'float64'"]
    assert "limit=11" in sources["10 -> 11"]
    assert "max(images)" in sources["[-1] -> max() (best, not last)"]
    assert "values[:2:-1]" in sources["slice reversed"]
    assert "[images[-1], images[0]]" in sources["items 0 and 1 swapped"]
    assert all("Scale." in source for name, source in sources.items() if "deleted" in name), \
        "deleting the docstring is no mistake"
    assert mutants.cell_mutants("scale", DOCSTRING_AND_DIVISION) == found


@pytest.fixture
def course_copy(tmp_path, root):
    """The course's fashion_dense source alone, with no recorded verdicts."""
    shutil.copytree(root / "source" / "fashion_dense", tmp_path / "source" / "fashion_dense")
    return tmp_path


@pytest.mark.quick
def test_a_survivor_is_unexplained_until_a_reason_is_recorded_by_name_or_pattern(course_copy, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_MODE", "grading")
    report = audit.audit(course_copy, "fashion_dense", operators=("keyword",), cells=("callbacks",))
    verdicts = {verdict.mutant.name: verdict for verdict in report.verdicts}
    survivor = "callbacks:keyword:6.12:monitor= left out"
    assert verdicts[survivor].outcome == audit.UNEXPLAINED  # EarlyStopping's default monitor is val_loss
    assert verdicts["callbacks:keyword:6.12:patience= left out"].killed_by == {"test_callbacks"}
    assert not report.passed and report.summary().endswith("1 unexplained")
    verdicts_file = Course(course_copy).audit_verdicts("fashion_dense")
    verdicts_file.parent.mkdir()
    verdicts_file.write_text('[equivalent]\n"callbacks:keyword:*:monitor= left out" = "the default monitor is val_loss"\n')
    again = audit.audit(course_copy, "fashion_dense", operators=("keyword",), cells=("callbacks",))
    assert again.passed and again.summary() == (f"audit fashion_dense: {len(again.verdicts)} mutants, "
                                                f"{len(again.verdicts) - 1} killed, 1 equivalent, 0 unexplained")


@pytest.mark.quick
def test_bad_input_gets_a_message_that_says_what_was_expected(course_copy, capsys):
    assert cli.main(["--course", str(course_copy), "audit", "no_such_assignment"]) == 2
    assert "no assignment 'no_such_assignment': expected" in capsys.readouterr().err
    with pytest.raises(audit.AuditError, match="unknown operators \\['swap'\\]: expected some of"):
        audit.audit(course_copy, "fashion_dense", operators=("swap",))
    Course(course_copy).audit_verdicts("fashion_dense").parent.mkdir()
    Course(course_copy).audit_verdicts("fashion_dense").write_text("[equivalent]\nname = \n")
    with pytest.raises(audit.AuditError, match="expected TOML"):
        audit.audit(course_copy, "fashion_dense", cells=("callbacks",))


def test_every_mutant_of_fashion_dense_is_killed_or_recorded_as_equivalent(root, capsys):
    """The command as an instructor runs it, on the committed verdicts: exit 0 and the closing line."""
    require("fashion_mnist")
    assert cli.main(["--course", str(root), "audit", "fashion_dense"]) == 0, capsys.readouterr().out
    closing = capsys.readouterr().out.strip().splitlines()[-1]
    assert closing.startswith("audit fashion_dense: ") and closing.endswith(" 0 unexplained")
    assert int(closing.split(": ")[1].split(" mutants")[0]) >= 100


def cells_training_nothing(source) -> tuple[str, ...]:
    """The answer cells of ``source`` whose mutants no training test cell can see."""
    reference = audit.code_answers(source)
    training = cell_tests.training_tests(source)
    return tuple(cell for cell, text in reference.items() if not cell_tests.affected_tests(source, {cell: text}) & training)


@pytest.mark.parametrize("assignment", AUDITED_BESIDES_FASHION_DENSE)
def test_recorded_verdicts_hold_for_the_cells_that_train_nothing(assignment, root, monkeypatch):
    require(corpus.load(assignment).budget.dataset)
    monkeypatch.setenv("AUTOGRADER_MODE", "grading")
    cells = cells_training_nothing(notebooks.read(course.source_notebook(root, assignment)))
    report = audit.audit(root, assignment, cells=cells, sample=SAMPLE)
    assert cells and len(report.verdicts) == SAMPLE
    assert report.passed, [verdict.mutant.name for verdict in report.verdicts if verdict.outcome == audit.UNEXPLAINED]
