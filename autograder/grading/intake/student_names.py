"""Matching the students an instructor names (``--student``) against those a download or a course has."""

from __future__ import annotations

import difflib
from typing import Iterable

NEAR_MATCHES = 5


class UnknownStudent(ValueError):
    """A named student matches none found; the message lists near matches (a usage error, exit status 2)."""


def check_named(named: Iterable[str], known: Iterable[str], where: str) -> None:
    """Raise `UnknownStudent` unless every name in ``named`` is one of ``known``.

    Args:
        named: the student ids asked for (``--student``).
        known: the student ids there are.
        where: where ``known`` were found, for the message.

    Example:
        >>> check_named(["alcie"], ["alice", "bob"], "submitted")
        Traceback (most recent call last):
        ...
        autograder.grading.intake.student_names.UnknownStudent: --student 'alcie' matches none of the 2 submission(s) found in submitted; did you mean: alice?
    """
    known = sorted(set(known))
    missing = [name for name in named if name not in known]
    if missing:
        raise UnknownStudent("; ".join(_no_such_student(name, known, where) for name in missing))


def _no_such_student(student: str, known: list[str], where: str) -> str:
    near = difflib.get_close_matches(student, known, n=NEAR_MATCHES, cutoff=0.6)
    hint = f"did you mean: {', '.join(near)}?" if near else "no student id comes close"
    return f"--student {student!r} matches none of the {len(known)} submission(s) found in {where}; {hint}"
