"""The generated assignment a grading run starts from: kept in the course until what generation reads changes."""

from __future__ import annotations

import shutil

import pytest

from autograder import nbgrader_run
from autograder.course import Course
from autograder.grading import templates

pytestmark = pytest.mark.quick

A, B = "fashion_dense", "conv_mechanics"


@pytest.fixture
def course_root(root, tmp_path):
    """A course with two assignments' sources and nothing generated."""
    folder = tmp_path / "course"
    folder.mkdir()
    shutil.copy(Course(root).config, Course(folder).config)
    for assignment in (A, B):
        shutil.copytree(Course(root).source_folder(assignment), Course(folder).source_folder(assignment))
    return folder


def test_a_generation_is_kept_until_the_source_or_config_changes(course_root):
    first = templates.generated_course(course_root, A)
    stamp = first.gradebook.stat().st_mtime_ns
    assert templates.generated_course(course_root, A).gradebook.stat().st_mtime_ns == stamp  # kept, not generated again
    assert templates.load(course_root, A).max_scores == nbgrader_run.read_max_scores(first.gradebook, A)

    with Course(course_root).source_notebook(A).open("a", encoding="utf-8") as notebook:
        notebook.write("\n")
    edited = templates.generated_course(course_root, A)
    assert edited.root != first.root and not first.root.exists()  # the older generation is removed

    with Course(course_root).config.open("a", encoding="utf-8") as config:
        config.write("\n# a comment\n")
    assert templates.template_key(course_root, A) != edited.root.name


def test_a_course_without_a_gradebook_gets_the_kept_one(course_root):
    templates.register(course_root, A)
    assert nbgrader_run.read_max_scores(Course(course_root).gradebook, A) == templates.load(course_root, A).max_scores


def test_a_course_gradebook_learns_a_second_assignment_and_keeps_the_first(course_root):
    templates.register(course_root, A)
    templates.register(course_root, B)
    templates.register(course_root, B)  # known already: nothing to do
    with nbgrader_run.open_gradebook(Course(course_root).gradebook) as gradebook:
        assert sorted(assignment.name for assignment in gradebook.assignments) == sorted([A, B])
    assert not Course(course_root).release_folder(B).exists()  # generated for the gradebook only


def test_a_missing_assignment_is_an_error_before_anything_runs(course_root):
    with pytest.raises(FileNotFoundError):
        templates.generated_course(course_root, "no_such_assignment")
    assert not (Course(course_root).templates_folder / "no_such_assignment").exists()
