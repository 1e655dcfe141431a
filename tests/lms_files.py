"""Files as the LMSs write them, for tests that need one (tests/test_submissions.py shows each format literally)."""

from __future__ import annotations

Submitter = tuple[str, str, str]  # name, student id (sid), email


def gradescope_metadata(submissions: dict[str, tuple[list[Submitter], str]]) -> str:
    """``submission_metadata.yml`` of a Gradescope export: ``{submission folder: ([submitters], created_at)}``."""
    lines = []
    for folder, (submitters, created_at) in submissions.items():
        lines += [f"{folder}:", "  :submitters:"]
        for name, sid, email in submitters:
            lines += [f"  - :name: {name}", f"    :sid: '{sid}'", f"    :email: {email}"]
        lines.append(f"  :created_at: {created_at}")
    return "\n".join(lines) + "\n"
