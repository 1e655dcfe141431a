"""Finding an answer or a hidden test where a student could read it.

A source notebook has three kinds of lines: hidden-test lines (inside
``### BEGIN HIDDEN TESTS`` blocks), solution lines (inside solution blocks
and written answers) and public lines (everything a release notebook shows
anyway); a line that also appears in a more
public place is not a secret (`autograder.notebooks.secret_lines` sorts
them). `leaks` finds secret lines in any text: a
release notebook, a feedback page, the student package.
"""

from __future__ import annotations

import html
import re

# Secret lines shorter than this are too common to prove a leak (")", "return model").
MIN_SECRET_LENGTH = 16
# Elements whose content a reader never sees (a style sheet names Pygments' "Generic.Traceback").
UNSEEN = re.compile(r"<(style|script)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")


def readable_text(page: str) -> str:
    """What a reader of an HTML page sees: style sheets, scripts and tags removed (syntax highlighting splits code
    into spans), entities decoded."""
    return html.unescape(TAG.sub("", UNSEEN.sub("", page)))


def leaks(text: str, secrets: frozenset[str] | set[str]) -> list[str]:
    """Return the secret lines (long enough to mean something) that are whole lines of ``text``, leading and trailing
    spaces aside (HTML is read as its reader sees it).

    Whole lines, because a secret line may also be the start of a public one
    (a hidden ``_model = keras.Sequential([`` and a visible test's
    ``_model = keras.Sequential([keras.Input(...), ...])``), or the end of
    a failed check's message (a hidden list of expected layer shapes).
    """
    plain = readable_text(text) if "<" in text else text
    lines = {line.strip() for line in plain.splitlines()}
    return [line for line in sorted(secrets) if len(line) >= MIN_SECRET_LENGTH and line in lines]
