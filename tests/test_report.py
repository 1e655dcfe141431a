"""The class report: what it says about a class, and that a real browser shows it."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest
from matplotlib import image as mpimg

from autograder.course import Course
from autograder.grading import results
from autograder.grading.output import report
from autograder.grading.results import FAILED, GRADED, NOT_GRADED, SubmissionResult, unscored

pytestmark = pytest.mark.quick

A = "fashion_dense"
POINTS = {"test_class_names": 1.0, "test_scale_images": 2.0, "test_build_dense_model": 3.0, "test_compile_model": 2.0,
          "test_callbacks": 2.0, "test_train": 2.0, "test_accuracy": 3.0}
NINE_UNITS = "CheckFailure: build_dense_model() output shape: expected (None, 10), found (None, {units})."
NOT_SCALED = "CheckFailure: scale_images(images) largest value: expected <= 1.0, found 255.0. Hint: divide by 255."
WRONG_LOSS = ("CheckFailure: compile_model(model) loss: expected sparse_categorical_crossentropy, "
              "found categorical_crossentropy.")


def _graded(student: str, lost: dict[str, str], seconds: float, cell_errors: dict[str, str] | None = None) -> SubmissionResult:
    scores = {cell: (0.0 if cell in lost else points) for cell, points in POINTS.items()}
    return SubmissionResult(student, A, GRADED, scores=scores, max_scores=dict(POINTS), messages=dict(lost),
                            cell_errors=cell_errors or {}, seconds=seconds)


def class_results() -> list[SubmissionResult]:
    """A class of 24: most lose the dense model's output layer, some forget scaling, a few did not run."""
    rng = np.random.default_rng(0)
    made = []
    for index in range(20):
        lost = {}
        if index % 3:
            lost["test_build_dense_model"] = NINE_UNITS.format(units=9 if index % 2 else 8)
        if index % 4 == 0:
            lost["test_scale_images"] = NOT_SCALED
        if index % 5 == 0:
            lost["test_compile_model"] = WRONG_LOSS
        errors = {"train": "ValueError: Arguments `target` and `output` must have the same rank."} if index == 7 else None
        made.append(_graded(f"student_{index:02d}", lost, float(rng.uniform(40, 160)), errors))
    made.append(unscored("late_loop", A, FAILED, "grading stopped after 1200 s: the notebook ran too long in total",
                         POINTS, seconds=1200.0))
    made.append(unscored("not_a_notebook", A, FAILED, "the file is not a readable Jupyter notebook (Expecting value)",
                         POINTS, seconds=0.4))
    made.append(unscored("no_data_worker", A, NOT_GRADED, "this grading worker has no copy of the fashion_mnist dataset",
                         POINTS, seconds=3.0))
    made.append(_graded("essay_writer", {}, 70.0))
    made[-1].manual = ["written_answer"]
    return made


class _Page(HTMLParser):
    """Collects a page's images and the text of each section."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs)["src"])

    def handle_data(self, data):
        self.text.append(data)


def _parsed(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def test_common_messages_group_messages_that_differ_only_in_numbers():
    grouped = report.common_messages([NINE_UNITS.format(units=9), NINE_UNITS.format(units=8),
                                      NINE_UNITS.format(units=9), NOT_SCALED])
    assert grouped == ((NINE_UNITS.format(units=9), 3), (NOT_SCALED, 1))


def test_checks_are_ranked_by_pass_rate_over_graded_submissions_only():
    checks = report.check_summaries(class_results())
    worst = checks[0]
    assert worst.cell == "test_build_dense_model"
    assert (worst.passed, worst.attempted) == (8, 21)  # 21 graded; failed and not graded ones do not count
    assert worst.failures[0] == (NINE_UNITS.format(units=9), 13)
    assert [check.cell for check in checks[1:3]] == ["test_scale_images", "test_compile_model"]
    assert checks[-1].rate == 1.0


def test_page_says_what_to_reteach_first_and_lists_every_problem():
    page = report.page(A, class_results())
    text = " ".join(_parsed(page).text)
    reteach = text[text.index("Re-teach first"):text.index("Every check")]
    assert reteach.index("test_build_dense_model") < reteach.index("test_scale_images") < reteach.index("test_compile_model")
    assert "8 of 21 passed (38%)" in reteach and "(13 students)" in reteach
    assert "24 submissions: 21 graded, 2 failed, 1 not graded." in text
    for student, reason in [("late_loop", "stopped after 1200 s"), ("not_a_notebook", "not a readable Jupyter notebook"),
                            ("no_data_worker", "no copy of the fashion_mnist dataset")]:
        row = text[text.index(student, text.index("Submissions not graded normally")):]
        assert reason in row[:300], student
    assert "Arguments `target` and `output` must have the same rank" in text
    assert "1 student: essay_writer" in text
    assert "Slowest: late_loop (1200 s)" in text


def test_figures_are_embedded_pngs():
    images = _parsed(report.page(A, class_results())).images
    assert len(images) == 3  # scores, pass rates, time per submission
    for source in images:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_empty_or_all_failed_class_still_gets_a_page():
    assert "0 submissions" in report.page(A, [])
    failed = [unscored("x", A, FAILED, "the file is not a readable Jupyter notebook", POINTS)]
    page = report.page(A, failed)
    assert "Re-teach first" not in page and "not a readable Jupyter notebook" in page


def test_write_reads_the_recorded_results_into_the_course_page(tmp_path):
    course = Course(tmp_path)
    for result in class_results():
        results.write_json(result, course.results_json(A, result.student))
    path = report.write(course, A)
    assert path == course.class_report(A) == tmp_path / "grades" / f"{A}.html"
    assert "test_build_dense_model" in path.read_text(encoding="utf-8")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IMAGE_WIDTHS = """<script>window.addEventListener('load', () => {
  document.body.dataset.widths = [...document.images].map(image => image.naturalWidth).join(',');
});</script></body>"""


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)")
def test_a_real_browser_renders_the_page_and_its_figures(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(report.page(A, class_results()).replace("</body>", IMAGE_WIDTHS), encoding="utf-8")
    browser = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run([*browser, "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    widths = [int(width) for width in re.search(r'data-widths="([\d,]*)"', dom)[1].split(",")]
    assert len(widths) == 3 and min(widths) >= 400  # every figure decoded, none a broken image
    shot = tmp_path / "report.png"
    subprocess.run([*browser, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    pixels = mpimg.imread(shot)
    assert pixels.shape[:2] == (1600, 1200)
    assert pixels[..., :3].std() > 0.05  # text and figures, not a blank page
