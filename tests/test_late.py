"""Late work's rules without grading: due dates, seconds late, nbgrader's timestamp, the penalty plugins."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from nbgrader.utils import parse_utc
from traitlets.config import Config

from autograder.grading import late

pytestmark = pytest.mark.quick

DUE = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)


def test_a_due_date_without_a_zone_is_utc_and_one_with_a_zone_is_converted():
    assert late.parse_due("2026-11-30 17:00") == DUE
    assert late.parse_due("2026-11-30T12:00-05:00") == DUE
    with pytest.raises(ValueError, match="due date must be a date and time like .*received: 'friday-ish'"):
        late.parse_due("friday-ish")


def test_seconds_late_counts_past_the_due_date_only():
    assert late.seconds_late(DUE - timedelta(hours=1), DUE) == 0
    assert late.seconds_late(DUE + timedelta(days=2), DUE) == 2 * 86400
    assert late.seconds_late(None, DUE, flagged=True) == late.FLAGGED_SECONDS_LATE  # Canvas' flag alone
    assert late.seconds_late(None, None) == 0
    assert late.seconds_late(DUE + timedelta(days=1), None) == 0  # no due date: never late


def test_the_timestamp_is_the_one_nbgrader_reads_back():
    assert late.timestamp_for(None, DUE, flagged=True) == DUE + timedelta(seconds=1)
    assert late.timestamp_for(None, None, flagged=True) is None


def test_timestamp_file_round_trips_through_nbgrader(tmp_path):
    when = datetime(2026, 12, 2, 9, 0, tzinfo=timezone(timedelta(hours=-8)))
    path = late.write_timestamp(tmp_path / "alice" / "fashion_dense", when)
    assert parse_utc(path.read_text()) == datetime(2026, 12, 2, 17, 0)  # nbgrader's naive UTC
    late.write_timestamp(path.parent, DUE, overwrite=False)
    assert parse_utc(path.read_text()) == datetime(2026, 12, 2, 17, 0)  # an existing one is kept


def test_penalties_follow_the_course_config():
    assert late.penalty(Config(), "alice", 10.0, 86400 * 3) == 0  # nbgrader's default: none
    zero = Config({"LateSubmissionPlugin": {"penalty_method": "zero"}})
    assert late.penalty(zero, "alice", 10.0, 1) == 10
    assert late.penalty(zero, "alice", 10.0, 0) == 0  # on time: nothing taken
    per_day = Config({"AssignLatePenalties": {"plugin_class": "autograder.grading.late.PercentPerDay"},
                      "PercentPerDay": {"percent_per_day": 25.0}})
    assert late.penalty(per_day, "alice", 8.0, 1) == 2  # part of a day counts as a day
    assert late.penalty(per_day, "alice", 8.0, 86400 + 1) == 4
    assert late.penalty(per_day, "alice", 8.0, 86400 * 10) == 8  # never below zero points


def test_lateness_in_words():
    assert late.describe(0) == ""
    assert late.describe(1, flagged=True) == "late (time unknown)"
    assert late.describe(90) == "1 min late"
    assert late.describe(2 * 86400) == "2 d late"
    assert late.describe(3 * 3600 + 5) == "3 h late"
