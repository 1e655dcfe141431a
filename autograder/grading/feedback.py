"""Feedback a student reads: every lost point with its message, no hidden test code.

nbgrader's ``generate_feedback`` renders the autograded notebook as it is,
hidden tests included (nbgrader issue #917). `StudentFeedback` is one more
preprocessor in its chain, after ``GetGrades``, that makes the page safe to
return and quick to read:

- test cells keep their visible asserts and lose every
  ``### BEGIN HIDDEN TESTS`` block;
- an error in a test cell shows as its one-line message (``CheckFailure:
  ... expected ..., found ... Hint: ...``), never a traceback, which would
  quote hidden code;
- an error in any other cell does too, unless ``full_outputs`` is set;
- long outputs (training logs) are folded to their first and last lines,
  unless ``full_outputs`` is set;
- a cell at the top lists each test that lost points, with its message;
- an error in a notebook graded on JAX or PyTorch whose code calls
  TensorFlow (``tf.``) says so.

``full_outputs`` (``autograder grade --feedback full``) keeps every output
whole and the tracebacks of the learner's own cells, less each line that
quotes a hidden block (a learner cell that calls a function a hidden
block defined would otherwise show its code); hidden blocks and test
cells' tracebacks stay hidden in both modes.

The course's ``nbgrader_config.py`` puts it in ``GenerateFeedback``'s
chain, so plain ``nbgrader generate_feedback`` gets it too.
`for_phones` adds what a page needs to read well on a small screen.
"""

from __future__ import annotations

import html
import os
import re
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer

from autograder.notebooks import role_of, secret_lines

HIDDEN_BLOCK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)
HIDDEN_NOTE = "# (the grader's hidden checks ran here)\n"
TENSORFLOW_CALL = re.compile(r"\btf\.")
# Terminal colours in a traceback, and the gutter IPython puts before a frame's code ("----> 5 ", "      3 ").
ANSI_CODE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
GUTTER = re.compile(r"^(?:-*>\s*)?\d+\s+")
PHONE_HEAD = (
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<style>body{max-width:100%;overflow-wrap:anywhere} pre{white-space:pre-wrap;word-break:break-word}"
    " img{max-width:100%;height:auto} #lost-points{border:2px solid #c0392b;padding:0.5em 1em;margin:1em 0}</style>\n"
)


def hide_hidden_tests(source: str) -> str:
    """Return a test cell's source with each hidden block replaced by a one-line note.

    Example:
        >>> hide_hidden_tests("check(a)\\n### BEGIN HIDDEN TESTS\\ncheck(b)\\n### END HIDDEN TESTS\\n")
        "check(a)\\n# (the grader's hidden checks ran here)\\n"
    """
    return HIDDEN_BLOCK.sub(HIDDEN_NOTE, source)


def error_message(output: NotebookNode) -> str:
    """The one line an error output says: ``ename: evalue``."""
    return f"{output.get('ename', 'Error')}: {str(output.get('evalue', '')).strip()}".strip()


def fold(text: str, keep: int) -> str:
    """Keep the first and last ``keep`` lines of a long text, saying how many were folded."""
    lines = text.splitlines(keepends=True)
    if len(lines) <= 2 * keep + 1:
        return text
    folded = len(lines) - 2 * keep
    return "".join(lines[:keep]) + f"... ({folded} lines folded) ...\n" + "".join(lines[-keep:])


def without_hidden_lines(frame: str, hidden: frozenset[str] | set[str]) -> str:
    """Drop the lines of a traceback frame whose code is a line of a hidden block.

    Args:
        frame: one entry of an error output's ``traceback`` (several lines,
            with terminal colours).
        hidden: the stripped lines of the notebook's hidden blocks
            (`autograder.notebooks.secret_lines`).

    Returns:
        ``frame`` less those lines; colours, gutters and spaces are ignored
        when comparing.

    Example:
        >>> without_hidden_lines("Cell In[4], line 2\\n      1 x = 1\\n----> 2 _expect(x, 42)", {"_expect(x, 42)"})
        'Cell In[4], line 2\\n      1 x = 1'
    """
    kept = []
    for line in frame.split("\n"):
        plain = ANSI_CODE.sub("", line).strip()
        if plain not in hidden and GUTTER.sub("", plain).strip() not in hidden:
            kept.append(line)
    return "\n".join(kept)


def tensorflow_note(source: str, backend: str) -> str:
    """A sentence for an error in code that calls TensorFlow while Keras runs on another backend, else ``""``."""
    if backend in ("", "tensorflow") or not TENSORFLOW_CALL.search(source):
        return ""
    return (
        f" Note: this notebook was graded with Keras on {backend}, where TensorFlow calls (tf.) do not run;"
        " write the same with keras (e.g. activation='relu', keras.layers.Dense)."
    )


class StudentFeedback(NbGraderPreprocessor):
    """Strip hidden tests and tracebacks, fold long outputs and list lost points at the top (see the module)."""

    kept_lines = Integer(15, help="Lines kept at each end of a long output (unless full_outputs).").tag(config=True)
    full_outputs = Bool(
        False,
        help="Keep outputs whole and the tracebacks of the learner's own cells (less lines that quote hidden code); "
        "hidden blocks and test cells' tracebacks stay hidden (autograder grade --feedback full).",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: Any) -> tuple[NotebookNode, Any]:
        """Rewrite ``nb`` for the student; ``GetGrades`` must have run before (scores in the metadata)."""
        backend = os.environ.get("KERAS_BACKEND", "tensorflow")
        hidden = secret_lines(nb).hidden if self.full_outputs else frozenset()
        lost = []
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            keep_traceback = self.full_outputs and role_of(cell) != "test"
            for output in cell.get("outputs", []):
                self._rewrite_output(output, cell.source, backend, hidden if keep_traceback else None)
            meta = cell.metadata.get("nbgrader", {})
            if role_of(cell) == "test":
                cell.source = hide_hidden_tests(cell.source)
                if meta.get("score") is not None and meta.get("points") and meta["score"] < meta["points"]:
                    messages = [output.evalue for output in cell.outputs if output.output_type == "error"]
                    lost.append((meta["grade_id"], meta["score"], meta["points"], messages[-1] if messages else ""))
        nb.cells.insert(0, new_markdown_cell(self._summary(lost)))
        return nb, resources

    def _rewrite_output(self, output: NotebookNode, source: str, backend: str, hidden: frozenset[str] | None) -> None:
        """Shorten ``output``; with ``hidden`` (the hidden blocks' lines) an error keeps its traceback less those."""
        if output.output_type == "error":
            note = tensorflow_note(source, backend)
            output.evalue = str(output.get("evalue", "")) + note
            if hidden is None or not output.get("traceback"):
                output.traceback = [error_message(output)]
            else:
                frames = [without_hidden_lines(frame, hidden) for frame in output.get("traceback", [])]
                output.traceback = frames + ([note.strip()] if note else [])
        elif output.output_type == "stream" and not self.full_outputs:
            output.text = fold(output.text, self.kept_lines)

    @staticmethod
    def _summary(lost: list[tuple[str, float, float, str]]) -> str:
        if not lost:
            return '<div id="lost-points">\n\n**Every automatically graded test passed.**\n\n</div>'
        items = "\n".join(
            f"- **{html.escape(grade_id)}**: {score:g} of {points:g} points. {html.escape(message)}"
            for grade_id, score, points, message in lost
        )
        return f'<div id="lost-points">\n\n**Tests that lost points**\n\n{items}\n\n</div>'


def for_phones(page: str) -> str:
    """Add a viewport and wrapping rules to a feedback page so it reads on a small screen."""
    return page.replace("<head>", "<head>\n" + PHONE_HEAD, 1) if "<head>" in page else PHONE_HEAD + page
