"""Score totals, shared by the gradebook reader (`autograder.nbgrader_run`) and the results (`autograder.grading.results`)."""

from __future__ import annotations


class ScoreTotals:
    """``total`` and ``max_total`` of an object with ``scores`` and ``max_scores`` per test cell."""

    scores: dict[str, float]
    max_scores: dict[str, float]

    @property
    def total(self) -> float:
        """Sum of the automatic scores."""
        return sum(self.scores.values())

    @property
    def max_total(self) -> float:
        """Sum of the automatic points available."""
        return sum(self.max_scores.values())
