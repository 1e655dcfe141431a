"""The class report: one HTML page that shows an instructor, in ten seconds, what to re-teach.

`write` turns a class's recorded results (`autograder.grading.output.record.class_results`)
into ``grades/<id>.html``: the checks the class failed most with their most
common failure messages and how many students hit each, a score histogram,
the pass rate of every check, errors in the learners' own cells, the time
each submission took, and every submission that was not graded normally,
with the reason. Figures are matplotlib PNGs embedded in the page (base64),
so the page is one file to mail or publish.

Pass rates count graded submissions only: a notebook that could not be run
(not a notebook, over the time limit) says nothing about a check, and is
listed with its reason instead.
"""

from __future__ import annotations

import base64
import html
import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from matplotlib.figure import Figure

from autograder.course import Course
from autograder.grading import late
from autograder.grading.output import record
from autograder.grading.results import FAILED, GRADED, SubmissionResult, write_atomically

RETEACH_FIRST = 3  # checks named at the top of the page
MESSAGES_PER_CHECK = 3  # most common failure messages shown per check
SLOWEST_SHOWN = 3
FIGURE_DPI = 100
FIGURE_WIDTH_IN = 5.2  # two figures side by side in the page's 1100 px
NUMBER = re.compile(r"\d+(?:\.\d+)?")


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.summary { font-size: 1.1em; } .generated { color: #777; font-size: 0.85em; margin-top: 2em; }
.reteach { background: #fff4e5; border-left: 4px solid #e8890c; padding: 0.6em 1.2em; }
.reteach li { margin: 0.4em 0; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin-top: 0.5em; }
th, td { text-align: left; padding: 0.35em 0.6em; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f6f6f6; } td.number { text-align: right; white-space: nowrap; } td.rate { white-space: nowrap; }
.bar { background: #eee; width: 8em; height: 0.9em; display: inline-block; vertical-align: middle; }
.bar span { background: #3b7dd8; height: 100%; display: block; }
.message { font-family: ui-monospace, monospace; font-size: 0.85em; }
.count { color: #555; white-space: nowrap; }
"""


@dataclass(frozen=True)
class CheckSummary:
    """How the class did on one hidden-test cell.

    Attributes:
        cell: the test cell's ``grade_id``.
        points: its points.
        passed: graded submissions with full points on it.
        attempted: graded submissions.
        failures: the most common failure messages, each with how many
            submissions failed with it (numbers in messages do not split a group).
    """

    cell: str
    points: float
    passed: int
    attempted: int
    failures: tuple[tuple[str, int], ...]

    @property
    def rate(self) -> float:
        """Share of graded submissions that passed, 0 to 1 (1 when none were graded)."""
        return self.passed / self.attempted if self.attempted else 1.0


def common_messages(messages: list[str], most: int = MESSAGES_PER_CHECK) -> tuple[tuple[str, int], ...]:
    """The ``most`` most common messages with their counts; messages that differ only in numbers count as one.

    Example:
        >>> common_messages(["found 9", "found 8", "shape wrong"])
        (('found 9', 2), ('shape wrong', 1))
    """
    groups: dict[str, Counter] = {}
    for message in messages:
        groups.setdefault(NUMBER.sub("#", message), Counter())[message] += 1
    ranked = sorted(groups.values(), key=lambda group: -sum(group.values()))
    return tuple((group.most_common(1)[0][0], sum(group.values())) for group in ranked[:most])


def check_summaries(results: list[SubmissionResult]) -> list[CheckSummary]:
    """Every test cell's pass rate over the graded submissions, lowest first."""
    graded = [result for result in results if result.status == GRADED]
    cells: dict[str, float] = {}
    for result in results:
        cells.update(result.max_scores)
    summaries = []
    for cell, points in cells.items():
        failed = [result for result in graded if result.scores.get(cell, 0.0) < points]
        messages = [result.messages.get(cell) or "lost the points without an error" for result in failed]
        summaries.append(CheckSummary(cell, points, len(graded) - len(failed), len(graded), common_messages(messages)))
    return sorted(summaries, key=lambda summary: (summary.rate, -summary.points))


def cell_errors(results: list[SubmissionResult]) -> dict[str, tuple[int, tuple[tuple[str, int], ...]]]:
    """Errors in the learners' own cells: per cell, how many submissions and the most common messages."""
    by_cell: dict[str, list[str]] = {}
    for result in results:
        for cell, message in result.cell_errors.items():
            by_cell.setdefault(cell, []).append(message)
    ranked = sorted(by_cell.items(), key=lambda item: -len(item[1]))
    return {cell: (len(messages), common_messages(messages)) for cell, messages in ranked}


def write(course: Course, assignment: str) -> Path:
    """Write the class report of ``assignment`` from its recorded results; return its path.

    Args:
        course: the course.
        assignment: the assignment id.

    Returns:
        `Course.class_report` of ``assignment``.

    Example:
        >>> write(Course(root), "fashion_dense")  # doctest: +SKIP
        PosixPath('.../grades/fashion_dense.html')
    """
    path = course.class_report(assignment)
    write_atomically(path, page(assignment, record.class_results(course, assignment)))
    return path


def page(assignment: str, results: list[SubmissionResult]) -> str:
    """The report as one HTML page (see the module)."""
    checks = check_summaries(results)
    title = f"{assignment}: class report"
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='summary'>{html.escape(_summary(results))}</p>",
        _reteach(checks),
        "<div class='figures'>" + _scores_figure(results) + _pass_rate_figure(checks) + "</div>",
        _checks_table(checks),
        _cell_errors_table(results),
        _time_section(results),
        _problems_table(results),
        _manual_section(results),
        _late_section(results),
    ]
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(section for section in sections if section)
        + f"\n<p class='generated'>Written {datetime.now():%Y-%m-%d %H:%M} from {len(results)} results.json.</p>"
        + "\n</body></html>\n"
    )




def _summary(results: list[SubmissionResult]) -> str:
    counted = [result for result in results if result.status in (GRADED, FAILED)]
    statuses = Counter(result.status for result in results)
    parts = [f"{len(results)} submissions: {statuses[GRADED]} graded, {statuses[FAILED]} failed, "
             f"{len(results) - statuses[GRADED] - statuses[FAILED]} not graded."]
    if counted:
        totals = [result.total for result in counted]
        maximum = max(result.max_total for result in counted)
        full = sum(result.total >= result.max_total for result in counted)
        parts.append(f"Median {statistics.median(totals):g}/{maximum:g}, mean {statistics.fmean(totals):.1f}; "
                     f"{full} with full marks.")
    return " ".join(parts)


def _reteach(checks: list[CheckSummary]) -> str:
    if not any(check.attempted for check in checks):
        return ""
    weak = [check for check in checks if check.rate < 1.0][:RETEACH_FIRST]
    if not weak:
        return "<div class='reteach'><p>Every graded submission passed every check.</p></div>"
    items = []
    for check in weak:
        message, count = check.failures[0]
        items.append(
            f"<li><b>{html.escape(check.cell)}</b> ({check.points:g} points): {check.passed} of {check.attempted} "
            f"passed ({check.rate:.0%}). Most common: <span class='message'>{html.escape(message)}</span> "
            f"<span class='count'>({count} {_students(count)})</span></li>"
        )
    return "<div class='reteach'><h2>Re-teach first</h2><ol>" + "".join(items) + "</ol></div>"


def _students(count: int) -> str:
    return "student" if count == 1 else "students"


def _image(figure: Figure, alt: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    width = int(figure.get_figwidth() * FIGURE_DPI)
    return f"<img src='data:image/png;base64,{encoded}' alt='{html.escape(alt)}' width='{width}'>"


def _scores_figure(results: list[SubmissionResult]) -> str:
    counted = [result for result in results if result.status in (GRADED, FAILED)]
    if not counted:
        return ""
    maximum = max(result.max_total for result in counted)
    step = max(1.0, maximum / 20)
    edges = [index * step - step / 2 for index in range(int(maximum / step) + 2)]
    figure = Figure(figsize=(FIGURE_WIDTH_IN, 3.4), layout="constrained")
    axis = figure.add_subplot()
    series = [(status, label, colour, [result.total for result in counted if result.status == status])
              for status, label, colour in ((GRADED, "graded", "#3b7dd8"), (FAILED, "failed (0 points)", "#d8553b"))]
    series = [entry for entry in series if entry[3]]
    axis.hist([totals for *_, totals in series], bins=edges, stacked=True,
              color=[colour for _, _, colour, _ in series], label=[label for _, label, _, _ in series])
    axis.axvline(statistics.median(result.total for result in counted), color="#222", linestyle="--", label="median")
    axis.set_xlabel(f"score (of {maximum:g})")
    axis.set_ylabel("submissions")
    axis.set_title("Scores")
    axis.yaxis.get_major_locator().set_params(integer=True)
    axis.legend(fontsize=8)
    return _image(figure, "histogram of the scores")


def _pass_rate_figure(checks: list[CheckSummary]) -> str:
    if not checks or not checks[0].attempted:
        return ""
    ordered = list(reversed(checks))  # lowest pass rate at the top
    figure = Figure(figsize=(FIGURE_WIDTH_IN, 0.9 + 0.32 * len(ordered)), layout="constrained")
    axis = figure.add_subplot()
    rates = [check.rate * 100 for check in ordered]
    axis.barh(range(len(ordered)), rates, color=["#d8553b" if rate < 50 else "#3b7dd8" for rate in rates])
    axis.set_yticks(range(len(ordered)), [f"{check.cell} ({check.points:g})" for check in ordered], fontsize=8)
    for row, check in enumerate(ordered):
        axis.text(101, row, f"{check.passed}/{check.attempted}", va="center", fontsize=8)
    axis.set_xlim(0, 118)
    axis.set_xticks([0, 25, 50, 75, 100])
    axis.set_xlabel("% of graded submissions that passed")
    axis.set_title("Pass rate per check")
    return _image(figure, "pass rate of every check")


def _messages(failures: tuple[tuple[str, int], ...]) -> str:
    return "<br>".join(
        f"<span class='message'>{html.escape(message)}</span> <span class='count'>({count})</span>"
        for message, count in failures
    )


def _checks_table(checks: list[CheckSummary]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(check.cell)}</td><td class='number'>{check.points:g}</td>"
        f"<td class='number'>{check.passed}/{check.attempted}</td>"
        f"<td class='rate'><span class='bar'><span style='width:{check.rate:.0%}'></span></span> {check.rate:.0%}</td>"
        f"<td>{_messages(check.failures)}</td></tr>"
        for check in checks
    )
    return ("<h2>Every check</h2><table><tr><th>check</th><th>points</th><th>passed</th><th>pass rate</th>"
            "<th>most common failure messages (submissions)</th></tr>" + rows + "</table>")


def _cell_errors_table(results: list[SubmissionResult]) -> str:
    errors = cell_errors(results)
    if not errors:
        return ""
    rows = "".join(
        f"<tr><td>{html.escape(cell)}</td><td class='number'>{count}</td><td>{_messages(failures)}</td></tr>"
        for cell, (count, failures) in errors.items()
    )
    return ("<h2>Errors in the learners' own cells</h2><table><tr><th>cell</th><th>submissions</th>"
            "<th>most common errors (submissions)</th></tr>" + rows + "</table>")


def _time_section(results: list[SubmissionResult]) -> str:
    timed = sorted((result for result in results if result.seconds > 0), key=lambda result: -result.seconds)
    if not timed:
        return ""
    seconds = [result.seconds for result in timed]
    figure = Figure(figsize=(FIGURE_WIDTH_IN, 3.0), layout="constrained")
    axis = figure.add_subplot()
    axis.hist(seconds, bins=min(20, max(5, len(seconds))), color="#6a9f58")
    axis.set_xlabel("seconds to grade one submission")
    axis.set_ylabel("submissions")
    axis.set_title("Time per submission")
    axis.yaxis.get_major_locator().set_params(integer=True)
    slowest = ", ".join(f"{html.escape(result.student)} ({result.seconds:.0f} s)" for result in timed[:SLOWEST_SHOWN])
    return (
        "<h2>Time per submission</h2><div class='figures'>" + _image(figure, "histogram of grading times")
        + f"<p>Median {statistics.median(seconds):.0f} s, longest {seconds[0]:.0f} s, "
        f"{sum(seconds) / 60:.1f} minutes of grading in all. Slowest: {slowest}.</p></div>"
    )


def _problems_table(results: list[SubmissionResult]) -> str:
    problems = [result for result in results if result.status != GRADED]
    if not problems:
        return "<h2>Submissions not graded normally</h2><p>None: every submission ran through the grader.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(result.student)}</td><td>{'failed (0 points)' if result.status == FAILED else 'not graded'}"
        f"</td><td>{html.escape(result.reason or '')}</td></tr>"
        for result in sorted(problems, key=lambda result: (result.status, result.student))
    )
    return ("<h2>Submissions not graded normally</h2><p>Failed: the notebook could not be graded through its own "
            "fault. Not graded: the grader could not grade it; the next run tries again.</p>"
            "<table><tr><th>student</th><th>status</th><th>reason</th></tr>" + rows + "</table>")


def _manual_section(results: list[SubmissionResult]) -> str:
    waiting = [result.student for result in results if result.manual]
    changed = [f"{result.student} ({', '.join(result.manual_changed)})" for result in results if result.manual_changed]
    if not waiting:
        return ""
    again = (f" Answers changed since graded by hand (each keeps its grade, flagged for review again): "
             f"{html.escape('; '.join(changed))}." if changed else "")
    return (f"<h2>Written answers to grade by hand</h2><p>{len(waiting)} {_students(len(waiting))}: "
            f"{html.escape(', '.join(waiting))}.{again} Grade them in nbgrader's formgrader, then run "
            "<code>autograder feedback</code> (pages with the hand grades) and <code>autograder export</code>.</p>")


def _late_section(results: list[SubmissionResult]) -> str:
    late_ones = sorted((result for result in results if result.late), key=lambda result: -result.seconds_late)
    if not late_ones:
        return ""
    rows = "".join(
        f"<tr><td>{html.escape(result.student)}</td><td>{html.escape(result.submitted_at or 'not given')}</td>"
        f"<td>{html.escape(late.describe(result.seconds_late, result.flagged_late))}</td>"
        f"<td>{result.late_penalty:g}</td></tr>"
        for result in late_ones
    )
    return (f"<h2>Late work</h2><p>{len(late_ones)} {_students(len(late_ones))} submitted after the due date; the "
            "penalty is the course's (<code>AssignLatePenalties.plugin_class</code> in nbgrader_config.py).</p>"
            "<table><tr><th>student</th><th>submitted</th><th>late</th><th>points taken</th></tr>" + rows + "</table>")
