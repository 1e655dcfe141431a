"""A stand-in grading worker for tests/test_executors.py: speaks `autograder.grading.hops`, grades nothing.

``python -m fake_worker FOLDER``: writes the ready word, then answers each
job by its student id (after writing ``<student>.started`` beside FOLDER: its pid and
whether the job asked it to keep a spare kernel): ``dies`` exits without an answer, ``dies_once``
does so only the first time (a marker beside FOLDER remembers), ``hangs``
never answers, anyone else gets full marks. With ``FAKE_WORKER_BROKEN=1``
it exits before it is ready.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from autograder.grading.hops import WORKER_READY, receive, send
from autograder.grading.job import GradingOutcome
from autograder.grading.results import GRADED, SubmissionResult


def main() -> None:
    folder = Path(sys.argv[1])
    print(f"fake worker {os.getpid()} starting", file=sys.stderr, flush=True)
    if os.environ.get("FAKE_WORKER_BROKEN") == "1":
        print("fake worker: cannot start (broken on purpose)", file=sys.stderr, flush=True)
        sys.exit(2)
    send(sys.stdout.buffer, WORKER_READY)
    while (job := receive(sys.stdin.buffer)) is not None:
        (folder.parent / f"{job.student}.started").write_text(f"{os.getpid()} {job.spare_after}")
        marker = folder.parent / f"{job.student}.seen"
        if job.student == "dies" or (job.student == "dies_once" and not marker.exists()):
            marker.touch()
            print(f"fake worker: dying on {job.student}", file=sys.stderr, flush=True)
            os._exit(3)
        if job.student == "hangs":
            time.sleep(3600)
        scores = dict(job.template.max_scores)
        send(sys.stdout.buffer, GradingOutcome(SubmissionResult(job.student, job.assignment, GRADED, scores=scores,
                                                                max_scores=dict(job.template.max_scores))))


if __name__ == "__main__":
    main()
