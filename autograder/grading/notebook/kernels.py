"""The learner's kernels: started sandboxed, one ahead of time, warmed up, used for one notebook each.

A Jupyter kernel for a notebook costs a Python start and the imports of its
setup cell (Keras and its backend: seconds). A grading worker therefore
keeps one spare kernel: while one notebook is graded, the next kernel
starts and imports what every notebook's setup cell imports. A kernel is
never reused: each notebook gets a fresh one, discarded afterwards.

Where the machine allows it (`autograder.grading.notebook.sandbox`), a kernel runs
with no network and sees, of the workers' folders, only its own empty
folder (not the scratch course with the gradebook and its hidden tests,
not other students' files), nor the course's private paths. It talks to
the grader over Unix sockets in that folder (Jupyter's ``ipc`` transport),
since it has no network, not even the worker's loopback.
"""

from __future__ import annotations

import itertools
import json
import queue
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_client import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from autograder.grading import processes

from autograder.grading.notebook import sandbox
from autograder.learner.training import SERVICE_VARIABLE as TRAINER_VARIABLE

KERNEL_NAME = "autograder-learner"
# What every notebook's setup cell imports; importing it ahead binds no name in the learner's namespace.
WARM_UP_MODULES = ("keras", "numpy", "autograder.learner.checks", "autograder.learner.training",
                   "autograder.learner.datasets", "autograder.learner.plots", "autograder.learner.modes")
WARM_UP_CODE = f"[__import__('importlib').import_module(name) for name in {list(WARM_UP_MODULES)!r}]"
START_TIMEOUT_S = 120


@dataclass
class Kernel:
    """A started learner kernel: its manager (what nbgrader's Execute drives), its folder and its process group."""

    manager: AsyncKernelManager
    folder: Path
    process_group: Path | None = None
    started_s: float = 0.0

    def kill(self) -> None:
        """Kill the kernel and everything it started (its sandbox wrapper included)."""
        provisioner = getattr(self.manager, "provisioner", None)
        pid = getattr(provisioner, "pid", None)
        if pid:
            processes.kill_family(pid)


class SpareKernels:
    """Starts learner kernels in ``folder``, one spare ahead of the notebook that needs it.

    Args:
        folder: a folder of the worker's own; each kernel gets a subfolder.
        environment: the kernels' environment (grading mode, backend, the
            training service's socket, which the kernel can still reach).
        hide: paths the kernel must not see (the course's private files);
            the instructor's part of this package is hidden too (`sandbox.instructor_cover`).
        hide_all_but_own: a folder of which the kernel sees only its own
            subfolder (the worker's whole work area).
        limits: what each kernel may use (processes, file size, temporary space).
    """

    def __init__(self, folder: Path, environment: dict[str, str], hide: list[Path], hide_all_but_own: Path,
                 limits: sandbox.Limits = sandbox.Limits()) -> None:
        self.folder, self.environment, self.hide, self.hide_all_but_own = folder, environment, hide, hide_all_but_own
        self.limits = limits
        self._count = itertools.count(1)
        self._spare: threading.Thread | None = None
        self._ready: Kernel | BaseException | None = None

    def prepare(self) -> None:
        """Start the next kernel in the background (no-op when one is already starting or ready)."""
        if self._spare is None:
            self._spare = threading.Thread(target=self._start_spare, daemon=True)
            self._spare.start()

    def take(self, prepare_next: bool = True) -> Kernel:
        """Return a ready, warmed-up kernel and, with ``prepare_next``, start the next one.

        Raises:
            RuntimeError: the kernel could not be started (why, in words).
        """
        self.prepare()
        assert self._spare is not None
        self._spare.join()
        found, self._spare, self._ready = self._ready, None, None
        if prepare_next:
            self.prepare()
        if isinstance(found, BaseException):
            raise RuntimeError(f"the learner's kernel did not start ({type(found).__name__}: {found})")
        assert found is not None
        return found

    def discard(self, kernel: Kernel) -> None:
        """Stop a kernel for good (reaping its process) and remove its folder."""
        kernel.kill()
        process = getattr(getattr(kernel.manager, "provisioner", None), "process", None)
        if process is not None:
            try:
                process.wait(timeout=30)
            except Exception:  # already reaped, or stuck in the kernel: nothing more to do here
                pass
        try:
            run_sync(kernel.manager.cleanup_resources)()
        except Exception:  # already gone; nothing left to release
            pass
        shutil.rmtree(kernel.folder, ignore_errors=True)
        sandbox.remove_process_group(kernel.process_group)

    def close(self) -> None:
        """Stop the spare kernel, if any."""
        if self._spare is not None:
            self._spare.join()
            if isinstance(self._ready, Kernel):
                self.discard(self._ready)
            self._spare, self._ready = None, None

    def _start_spare(self) -> None:
        try:
            self._ready = self._start()
        except BaseException as error:  # reported to the notebook that takes it
            self._ready = error

    def _start(self) -> Kernel:
        started = time.perf_counter()
        folder = self.folder / f"kernel-{next(self._count)}"
        (folder / "spec").mkdir(parents=True)
        group = sandbox.make_process_group(folder.name, self.limits.processes)
        self._write_spec(folder, group)
        manager = AsyncKernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(folder / "spec")]),
            transport="ipc" if sandbox.available() else "tcp",
            ip=str(folder / "ipc") if sandbox.available() else "127.0.0.1",
        )
        manager.connection_file = str(folder / "connection.json")
        run_sync(manager.start_kernel)(env={**self.environment, **_private_settings(folder)}, cwd=str(folder))
        kernel = Kernel(manager, folder, group)
        client = BlockingKernelClient()
        client.load_connection_info(manager.get_connection_info())
        client.start_channels()
        try:
            _wait_until_ready(client, manager)
            reply = client.execute_interactive(WARM_UP_CODE, silent=True, store_history=False, timeout=START_TIMEOUT_S)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"warming up failed: {reply['content'].get('evalue', '')}")
        except BaseException:
            client.stop_channels()
            self.discard(kernel)
            raise
        client.stop_channels()
        kernel.started_s = time.perf_counter() - started
        return kernel

    def _write_spec(self, folder: Path, group: Path | None) -> None:
        """A kernel spec whose kernel runs sandboxed, seeing only ``folder`` of the work area."""
        command = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        trainer = self.environment.get(TRAINER_VARIABLE, "").strip()
        confinement = sandbox.Confinement(
            hide=tuple(self.hide), reveal_only=(self.hide_all_but_own, folder), cover=sandbox.instructor_cover(),
            reachable=(Path(trainer).parent,) if trainer else (), limits=self.limits, process_group=group,
        )
        wrapped = sandbox.wrap(command, confinement)
        spec = {"argv": wrapped, "display_name": "Python 3 (graded)", "language": "python"}
        (folder / "spec" / KERNEL_NAME).mkdir()
        (folder / "spec" / KERNEL_NAME / "kernel.json").write_text(json.dumps(spec, indent=1))


def _private_settings(folder: Path) -> dict[str, str]:
    """Where IPython and Matplotlib keep their files: the kernel's own folder (the rest of the disk is read-only)."""
    return {"IPYTHONDIR": str(folder / ".ipython"), "MPLCONFIGDIR": str(folder / ".matplotlib")}


def _wait_until_ready(client: BlockingKernelClient, manager: AsyncKernelManager) -> None:
    """Wait for the kernel's first reply, judging it alive by its process (a slow start is not a death).

    jupyter_client's ``wait_for_ready`` judges a client without a manager by
    its heartbeat, which has not answered yet while a loaded machine starts
    the kernel; here the manager watches the process instead.
    """
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        client.kernel_info()
        try:
            if client.get_shell_msg(timeout=1)["msg_type"] == "kernel_info_reply":
                break
        except queue.Empty:
            pass
        if not run_sync(manager.is_alive)():
            raise RuntimeError("the kernel exited while starting")
    else:
        raise RuntimeError(f"the kernel did not answer within {START_TIMEOUT_S} s")
    while True:  # drop the start-up messages before the warm-up code runs
        try:
            client.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            return
