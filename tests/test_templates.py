"""The generated assignment a grading run starts from: kept in the course until what generation reads changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder import nbgrader_run
from autograder.course import Course
from autograder.grading.runner import templates

pytestmark = pytest.mark.quick

A, B = "fashion_dense", "conv_mechanics"


def _new_course(root: Path, folder: Path) -> Path:
    """A course with two assignments' sources and nothing generated."""
    folder.mkdir()
    shutil.copy(Course(root).config, Course(folder).config)
    for assignment in (A, B):
        shutil.copytree(Course(root).source_folder(assignment), Course(folder).source_folder(assignment))
    return folder


@pytest.fixture
def course_root(root, tmp_path):
    """A course with two assignments' sources and nothing generated."""
    return _new_course(root, tmp_path / "course")


@pytest.fixture(scope="module")
def kept(root, tmp_path_factory):
    """Such a course where A's generation is kept already."""
    folder = _new_course(root, tmp_path_factory.mktemp("kept") / "course")
    templates.generated_course(folder, A)
    return folder


@pytest.fixture
def kept_course(kept, tmp_path):
    """A copy of `kept` for one test."""
    return Path(shutil.copytree(kept, tmp_path / "course"))


def test_a_generation_is_kept_until_the_source_or_config_changes(kept_course):
    first = templates.generated_course(kept_course, A)
    stamp = first.gradebook.stat().st_mtime_ns
    assert templates.generated_course(kept_course, A).gradebook.stat().st_mtime_ns == stamp  # kept, not generated again
    assert templates.load(kept_course, A).max_scores == nbgrader_run.read_max_scores(first.gradebook, A)

    with Course(kept_course).source_notebook(A).open("a", encoding="utf-8") as notebook:
        notebook.write("\n")
    edited = templates.generated_course(kept_course, A)
    assert edited.root != first.root and not first.root.exists()  # the older generation is removed

    with Course(kept_course).config.open("a", encoding="utf-8") as config:
        config.write("\n# a comment\n")
    assert templates.template_key(kept_course, A) != edited.root.name


def test_a_course_without_a_gradebook_gets_the_kept_one(kept_course):
    templates.register(kept_course, A)
    assert nbgrader_run.read_max_scores(Course(kept_course).gradebook, A) == templates.load(kept_course, A).max_scores


def test_a_course_gradebook_learns_a_second_assignment_and_keeps_the_first(kept_course):
    templates.register(kept_course, A)
    templates.register(kept_course, B)
    templates.register(kept_course, B)  # known already: nothing to do
    with nbgrader_run.open_gradebook(Course(kept_course).gradebook) as gradebook:
        assert sorted(assignment.name for assignment in gradebook.assignments) == sorted([A, B])
    assert not Course(kept_course).release_folder(B).exists()  # generated for the gradebook only


def test_a_missing_assignment_is_an_error_before_anything_runs(course_root):
    with pytest.raises(FileNotFoundError):
        templates.generated_course(course_root, "no_such_assignment")
    assert not (Course(course_root).templates_folder / "no_such_assignment").exists()
