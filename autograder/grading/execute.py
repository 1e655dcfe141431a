"""nbgrader's Execute step, hardened for untrusted notebooks.

`GuardedExecute` replaces nbgrader's ``Execute`` in the course's
``nbgrader_config.py``, so plain ``nbgrader autograde`` and
``autograder grade`` both get it. On top of nbgrader's own behaviour it:

- undoes a learner's patches before each hidden test cell
  (`autograder.grading.guard`), tells the learner in that cell's output
  (on stdout: nbgrader scores a test cell with stderr output as failed)
  and records what it undid in the cell's metadata for the grader
  (``metadata.autograder.guard_undid``);
- runs the notebook in a kernel the grading worker started ahead of time
  (`kernel`), when the worker set one;
- keeps grading when the kernel dies (out of memory, ``os._exit``, a
  crash): the cell that killed it and every later code cell get an error
  saying so, so they lose their points and earlier cells keep theirs;
- stops the kernel when it uses more memory than ``memory_limit_mb``, or
  writes more into its own folder than ``disk_limit_mb`` or a quarter of
  what that disk had free when the kernel started, whichever is less
  (`disk_allowance_mib`: a full disk would fail the grader's own writes);
- says in plain words when a cell ran past the time limit, and stops the
  kernel when the interrupt does not stop the cell (a loop in compiled
  code): that cell and every later one lose their points, earlier ones
  keep theirs, instead of nbgrader failing the whole notebook;
- keeps at most ``output_limit_kb`` of a cell's printed output, saying how
  much it cut (nbgrader's ``LimitOutput`` counts lines only, so megabytes
  on one line would otherwise fill the autograded notebook and the
  feedback page);
- moves a hidden test cell's stderr text (library warnings, TensorFlow's
  C++ log) to stdout: nbgrader scores any stderr output as a failure, and a
  correct model that makes Keras warn must not lose points. Failing checks
  raise, which nbgrader records as an error either way.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import psutil
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_output
from nbgrader.preprocessors import Execute
from traitlets import Any as TraitAny
from traitlets import Bool, Integer

from autograder.grading import guard, processes
from autograder.notebooks import role_of

# Where GuardedExecute leaves data for the grader in a cell's metadata.
METADATA_KEY = "autograder"

GUARD_MODULE = "_autograder_guard"


# Kernel code for the guard module: the one loaded before, or one made from the guard's source. The guard
# travels as source text since the learner's kernel cannot import `autograder.grading` (the sandbox hides the
# instructor's package); the code binds no name in the learner's namespace.
GUARD_IN_KERNEL = (
    f"(__import__('sys').modules.get({GUARD_MODULE!r}) or __import__('sys').modules.setdefault({GUARD_MODULE!r}, "
    f"(lambda module: (exec(compile({Path(guard.__file__).read_text(encoding='utf-8')!r}, 'autograder-guard', 'exec'),"
    f" module.__dict__), module)[1])(__import__('types').ModuleType({GUARD_MODULE!r}))))"
)
PROTECT_CODE = f"{GUARD_IN_KERNEL}.protect(globals())\n"
RESTORE_CODE = f"print(__import__('json').dumps({GUARD_IN_KERNEL}.restore(globals())))\n"
MEMORY_POLL_SECONDS = 0.25
# A kernel may fill at most this share of the free space its folder's disk had when it started.
DISK_SHARE_OF_FREE = 4


class KernelHandle:
    """A kernel the grading worker started, as a job's nbgrader config carries it to `GuardedExecute`.

    traitlets deep-copies configured values into each instance; a copy of
    this handle is the handle itself, so the Execute step gets the kernel.
    """

    def __init__(self, manager: Any) -> None:
        self.manager = manager

    def __deepcopy__(self, memo: dict) -> "KernelHandle":
        return self


class GuardedExecute(Execute):
    """nbgrader's Execute with a tamper guard, kernel-death handling and a memory limit."""

    kernel = TraitAny(None, allow_none=True, help=(
        "A `KernelHandle`: a kernel the grading worker started (and will stop) itself, set in the job's config "
        "object; None: start a kernel as nbgrader does.")).tag(config=True)
    memory_limit_mb = Integer(0, help="Stop the kernel above this resident memory in MiB (0: no limit).").tag(
        config=True
    )
    disk_limit_mb = Integer(0, help="Stop the kernel once its own folder holds more than this many MiB (0: no limit)."
                            ).tag(config=True)
    output_limit_kb = Integer(1024, help="Keep at most this many KiB of a cell's printed output (0: no limit).").tag(
        config=True
    )
    guard = Bool(True, help="Undo changes to autograder, keras, numpy and builtins before hidden tests.").tag(
        config=True
    )

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> tuple[NotebookNode, Any]:
        """Execute ``nb`` as nbgrader does, with this class's protections."""
        self._death_reason: str | None = None
        self._memory_watch: threading.Event | None = None
        self.error_on_timeout = {
            "ename": "CellTimeoutError",
            "evalue": f"this cell ran longer than the grader's limit of {self.timeout} s and was stopped",
            "traceback": [f"CellTimeoutError: this cell ran longer than the grader's limit of {self.timeout} s"],
        }
        provided = km is None and self.kernel is not None
        if provided:
            km = self.kernel.manager
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self._memory_watch is not None:
                self._memory_watch.set()
            if provided and self.kc is not None:
                self.kc.stop_channels()
                self.kc = None

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> tuple[NotebookNode, Any]:
        """Execute one cell; guard hidden tests; turn a dead kernel into cell errors."""
        if cell.cell_type != "code":
            return cell, resources
        if self._death_reason is not None:
            cell.outputs = [_error("KernelDied", f"not run: {self._death_reason} in an earlier cell")]
            return cell, resources
        if self._memory_watch is None:
            self._start(index)
        role = role_of(cell)
        undone = self._run_hidden(RESTORE_CODE, index) if self.guard and role == "test" else ""
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._death_reason = self._death_reason or "the kernel stopped (it crashed, ran out of memory or exited)"
            cell.outputs.append(_error("KernelDied", f"{self._death_reason} while running this cell"))
            return cell, resources
        except CellTimeoutError:  # interrupted at the time limit, the kernel did not answer: it is stuck
            self._death_reason = self._death_reason or (
                f"a cell ran longer than the grader's limit of {self.timeout} s and did not stop when interrupted, "
                "so the kernel was stopped")
            self._kill_kernel()
            cell.outputs.append(_error("CellTimeoutError", f"{self._death_reason} while running this cell"))
            return cell, resources
        _cap_printed_output(cell, self.output_limit_kb << 10)
        if role == "test":
            _stderr_to_stdout(cell)
        if undone and undone.strip() not in ("", "[]"):
            names = json.loads(undone)
            note = f"The grader undid changes your notebook made to {', '.join(names)} before running this test.\n"
            cell.outputs.insert(0, new_output("stream", name="stdout", text=note))
            cell.metadata.setdefault(METADATA_KEY, {})["guard_undid"] = names
        if self.guard and role == "readonly":
            self._run_hidden(PROTECT_CODE, index)
        return cell, resources

    def _start(self, index: int) -> None:
        """Record the trusted modules before any learner code, and start the memory watch."""
        self._memory_watch = threading.Event()
        watched = self.memory_limit_mb > 0 or self.disk_limit_mb > 0
        pid = self._kernel_pid()
        if watched and pid is not None:
            # A kernel the worker started has a folder of its own (its connection file's); plain nbgrader's does not.
            own = Path(self.km.connection_file).parent if self.kernel is not None else None
            allowance = disk_allowance_mib(self.disk_limit_mb, shutil.disk_usage(own).free) if own else 0
            threading.Thread(target=self._watch_memory, args=(pid, own, allowance), daemon=True).start()
        if self.guard:
            self._run_hidden(PROTECT_CODE, index)

    def _kernel_pid(self) -> int | None:
        """The process the kernel runs in (its sandbox wrapper where there is one), or None when unknown."""
        provisioner = getattr(self.km, "provisioner", None) if self.km is not None else None
        if provisioner is None:
            return None
        return provisioner.pid or getattr(getattr(provisioner, "process", None), "pid", None)

    def _kill_kernel(self) -> None:
        """Kill the kernel and everything it started."""
        pid = self._kernel_pid()
        if pid is not None:
            processes.kill_family(pid)

    def _run_hidden(self, code: str, index: int) -> str:
        """Run grader code in the kernel, outside the notebook; return what it printed."""
        scratch = new_code_cell(code)
        notebook_cell = self.nb.cells[index]
        try:
            super().execute_cell(scratch, index, store_history=False)
        except DeadKernelError:
            return ""
        finally:
            self.nb.cells[index] = notebook_cell  # nbclient stores the cell it ran at ``index``
        return "".join(output.get("text", "") for output in scratch.outputs if output.output_type == "stream")

    def _watch_memory(self, pid: int, folder: Path | None, disk_mib: int) -> None:
        """Kill the kernel's process tree once its resident memory or its folder's size (``disk_mib``) passes its limit."""
        assert self._memory_watch is not None
        limit = self.memory_limit_mb * 1024 * 1024 if self.memory_limit_mb > 0 else float("inf")
        while not self._memory_watch.wait(MEMORY_POLL_SECONDS):
            try:
                kernel = psutil.Process(pid)
                tree = [kernel, *kernel.children(recursive=True)]
                used = sum(process.memory_info().rss for process in tree)
            except psutil.Error:
                return
            written = _folder_bytes(folder) if folder is not None and disk_mib > 0 else 0
            if used > limit:
                self._death_reason = (
                    f"the kernel used {used / 2**20:.0f} MiB, more than the grader's limit of "
                    f"{self.memory_limit_mb} MiB, and was stopped"
                )
            elif disk_mib > 0 and written > disk_mib << 20:
                self._death_reason = (
                    f"the notebook wrote {written / 2**20:.0f} MiB of files, more than the grader's limit of "
                    f"{disk_mib:,} MiB, and was stopped"
                )
            if self._death_reason is not None:
                processes.kill_family(pid)
                return


def disk_allowance_mib(limit_mib: int, free_bytes: int) -> int:
    """What a kernel may write into its folder: ``limit_mib`` (0: no limit), or less on a disk with little room.

    At most a quarter of the disk's free space (``free_bytes``) when the
    kernel starts: the watch looks every `MEMORY_POLL_SECONDS`, so a notebook
    writes on for a moment after passing its allowance, and the grader must
    still be able to write the gradebook and the graded notebook (on a full
    disk both fail and the submission is not graded). At least 1 MiB.
    """
    if limit_mib <= 0:
        return 0
    return max(1, min(limit_mib, (free_bytes // DISK_SHARE_OF_FREE) >> 20))


def _folder_bytes(folder: Path) -> int:
    """The bytes of the files under ``folder`` (0 once it is gone)."""
    total = 0
    for parent, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(parent, name)).st_size
            except OSError:  # removed meanwhile
                pass
    return total


def _cap_printed_output(cell: NotebookNode, limit: int) -> None:
    """Cut a cell's printed (stream) output beyond ``limit`` characters, ending with a line that says so."""
    if limit <= 0:
        return
    room, cut, kept = limit, 0, []
    for output in cell.outputs:
        if output.output_type == "stream":
            text = output.get("text", "")
            cut += max(0, len(text) - room)
            output.text = text[:room]
            room -= len(output.text)
            if not output.text:
                continue
        kept.append(output)
    if cut:
        note = f"\n... ({cut:,} characters cut: the grader keeps {limit >> 10:,} KiB of what a cell prints)\n"
        kept.append(new_output("stream", name="stdout", text=note))
    cell.outputs = kept


def _stderr_to_stdout(cell: NotebookNode) -> None:
    for output in cell.outputs:
        if output.output_type == "stream" and output.get("name") == "stderr":
            output.name = "stdout"


def _error(name: str, message: str) -> NotebookNode:
    return new_output("error", ename=name, evalue=message, traceback=[f"{name}: {message}"])
