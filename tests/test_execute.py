"""GuardedExecute's small pieces that need no kernel: the cap on what a cell prints."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_output

from autograder.grading import execute

pytestmark = pytest.mark.quick


def _cell(*texts: str):
    cell = new_code_cell("print(...)")
    cell.outputs = [new_output("stream", name="stdout", text=text) for text in texts]
    cell.outputs.insert(1, new_output("execute_result", data={"text/plain": "42"}, execution_count=1))
    return cell


def test_printed_output_beyond_the_limit_is_cut_and_said():
    cell = _cell("a" * 600, "b" * 600, "c" * 10)
    execute._cap_printed_output(cell, 1000)
    streams = [output.text for output in cell.outputs if output.output_type == "stream"]
    assert streams[:2] == ["a" * 600, "b" * 400]
    assert "210 characters cut: the grader keeps 0 KiB" in streams[2] and len(streams) == 3
    assert any(output.output_type == "execute_result" for output in cell.outputs)  # results and figures stay


def test_output_within_the_limit_is_left_alone():
    cell = _cell("a" * 10, "b" * 10)
    before = [dict(output) for output in cell.outputs]
    execute._cap_printed_output(cell, 1000)
    assert [dict(output) for output in cell.outputs] == before
    execute._cap_printed_output(cell, 0)  # 0: no limit
    assert [dict(output) for output in cell.outputs] == before


@pytest.mark.parametrize(("limit_mib", "free_gib", "allowed_mib"), [
    (2048, 60, 2048),  # a roomy disk: the limit
    (2048, 4, 1024),  # little room: a quarter of it (the grader's gradebook must still be written)
    (2048, 0, 1),  # a full disk: the first write stops the kernel
    (0, 1, 0),  # no limit asked
])
def test_a_kernel_may_fill_at_most_a_quarter_of_the_free_disk(limit_mib, free_gib, allowed_mib):
    assert execute.disk_allowance_mib(limit_mib, free_gib << 30) == allowed_mib
