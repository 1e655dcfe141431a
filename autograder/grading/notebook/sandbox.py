"""Confining a learner's kernel: what it can see, reach, write and start.

Where Linux lets an ordinary process make namespaces (``unshare``), `wrap`
prefixes a command (the learner's kernel, `autograder.grading.notebook.kernels`) so
that it runs:

- in a network namespace of its own (only its own loopback: no network,
  not the runner's loopback either);
- in a PID and an IPC namespace of its own: ``/proc`` lists only the kernel
  and what it started, and no signal reaches the runner, its workers, the
  training service or another student's kernel;
- in a mount namespace where the given paths (the course's private files,
  every instructor module of this package) are covered by empty ones
  (see `instructor_cover`), the work area shows only the kernel's own folder,
  the temporary folder and ``/dev/shm`` are small private memory-backed
  ones, and everything else is read-only;
- with a process limit (a pids cgroup where the machine lets this user
  make one, and ``RLIMIT_NPROC``) and a limit on the size of one file.

The mounts are made in one user namespace and the command runs in a second,
nested one, so they are locked: the learner's code, root in its namespace,
can neither unmount a cover nor make a read-only mount writable again.
Inside, this module's `main` stays as the namespace's first process (its
``init``): it reaps orphans and ends, taking every process of the
namespace with it, when the command ends.

Elsewhere `available` is False and the runner says so in its first line;
the learner's code still runs in a folder of its own outside the course.

``python -m autograder.grading.notebook.sandbox [options] -- COMMAND ...`` is the
part that runs inside the namespaces.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import functools
import os
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder import install_check

SIOCSIFFLAGS = 0x8914
IFF_UP_RUNNING = 0x1 | 0x40
SWITCH_VARIABLE = "AUTOGRADER_SANDBOX"
UNSHARE_FLAGS = ("--user", "--map-root-user", "--net", "--mount", "--ipc", "--pid", "--fork", "--mount-proc",
                 "--kill-child")
# The parts of the package a kernel still sees (`instructor_cover`).
LEARNER_PARTS = ("__init__.py", "learner")
DATA_DIR_VARIABLE = "AUTOGRADER_DATA_DIR"  # autograder.learner.datasets' (not imported: it loads NumPy)
GROUP_PREFIX = "autograder-"
PIDS_CGROUP_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_RELATIME, MS_STRICTATIME = 1 << 21, 1 << 24
LOCKED_OPTIONS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
                  "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME}
CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000


@dataclass(frozen=True)
class Limits:
    """What a confined command may use.

    Attributes:
        processes: processes and threads it may run at once.
        file_mib: the largest file it may write, in MiB.
        tmp_mib: the size of its private temporary folder and of ``/dev/shm``, in MiB each.
    """

    processes: int = 1024
    file_mib: int = 1024
    tmp_mib: int = 2048


@dataclass(frozen=True)
class Confinement:
    """Where a confined command lives.

    Attributes:
        hide: files and folders to make empty for it; ones that do not exist are skipped.
        reveal_only: ``(folder, keep)``: ``folder`` is made empty except for
            ``keep``, a folder inside it, which stays writable. What is created
            in ``folder`` later stays hidden too (the grading runs started after this one).
        cover: ``(folder, keep)``: ``folder`` is made empty except for the
            paths of ``keep`` inside it, which stay read-only (`instructor_cover`)
            and stay there where ``folder`` lies in the temporary folder (a clone in /tmp).
        reachable: files (a socket) it must still reach where they lie in the temporary folder
            (the Python environment and the data folder are added).
        limits: what it may use.
        process_group: a pids cgroup folder the command joins (`process_group`), or None.
    """

    hide: tuple[Path, ...] = ()
    reveal_only: tuple[Path, Path] | None = None
    cover: tuple[Path, tuple[Path, ...]] | None = None
    reachable: tuple[Path, ...] = ()
    limits: Limits = field(default_factory=Limits)
    process_group: Path | None = None


def _switched_off() -> bool:
    return os.environ.get(SWITCH_VARIABLE, "").strip().lower() in ("off", "0", "no")


@functools.cache
def available() -> bool:
    """Return True when the sandbox is wanted (``AUTOGRADER_SANDBOX`` is not ``off``) and the machine allows it."""
    if _switched_off():
        return False
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = subprocess.run([unshare, *UNSHARE_FLAGS, "true"], capture_output=True)
    return probe.returncode == 0


def describe() -> str:
    """One line on the isolation learner kernels get on this machine (for ``doctor`` and a grading run's first line)."""
    if not available():
        why = ("switched off (AUTOGRADER_SANDBOX=off)" if _switched_off()
               else "this machine does not allow unprivileged namespaces (unshare)")
        return (f"none: {why}; learner code can use the network, read this user's files, see and signal the "
                "grader's processes and import the instructor's package")
    if _pids_cgroup_root():
        processes = "processes limited by a pids cgroup"
    elif os.geteuid() == 0:
        processes = "NO process limit (root is exempt from RLIMIT_NPROC and no pids cgroup is writable)"
    else:
        processes = "processes limited by RLIMIT_NPROC"
    return ("namespaces (user, network, PID, IPC, mount): no network, own processes only, instructor modules and "
            f"course files hidden, read-only outside its own folder; {processes}")


def isolation_line(where: str | None = None) -> str:
    """The line a grading run starts with: `describe`, or ``where`` (a cluster's workers) says it."""
    return f"learner kernels' isolation: {where or describe()}"


def instructor_cover() -> tuple[Path, tuple[Path, ...]]:
    """What to cover so that a kernel sees only the learner's part of this package: ``(folder, keep)``.

    The folder is the installed `autograder` package, or, for a checkout
    installed in place (``pip install -e``), the whole checkout: its tests,
    history (``.git``) and answer corpus included. Kept: the package's
    ``__init__.py`` and ``learner/``, and the Python environment, the
    library folders on ``sys.path`` and the data folder where they lie inside it.
    """
    package = Path(__file__).resolve().parents[2]
    folder = install_check.checkout(package) or package
    keep = [package / name for name in LEARNER_PARTS]
    keep += [place for place in _environment_places() if folder in place.parents and place not in keep]
    return folder, tuple(keep)


def _environment_places() -> list[Path]:
    """The Python environment, the library folders on ``sys.path`` and the data folder: what a kernel must still read."""
    data = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    libraries = [Path(entry) for entry in sys.path if Path(entry).name in ("site-packages", "dist-packages")]
    return [place.resolve() for place in (Path(sys.prefix), Path(sys.base_prefix), *libraries,
                                          *([Path(data)] if data else []))]


def _pids_cgroup_root() -> Path | None:
    for root in PIDS_CGROUP_ROOTS:
        controllers = root / "cgroup.controllers"
        is_v1 = (root / "pids.max").exists() or root.name == "pids" and (root / "cgroup.procs").exists()
        is_v2 = controllers.exists() and "pids" in controllers.read_text().split()
        if (is_v1 or is_v2) and os.access(root, os.W_OK):
            return root
    return None


def make_process_group(name: str, processes: int) -> Path | None:
    """Make a pids cgroup allowing ``processes`` tasks; None where this user may make none.

    Args:
        name: a name unique in this process (a kernel's); the group is named after the process too.
        processes: the most processes and threads its members may run.
    """
    root = _pids_cgroup_root() if available() else None
    if root is None:
        return None
    for stale in root.glob(f"{GROUP_PREFIX}*"):  # left by a worker that was killed
        owner = stale.name.split("-")[1]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            remove_process_group(stale, wait_s=0)
    group = root / f"{GROUP_PREFIX}{os.getpid()}-{name}"
    try:
        group.mkdir()
        (group / "pids.max").write_text(str(processes))
    except OSError:
        remove_process_group(group)
        return None
    return group


def remove_process_group(group: Path | None, wait_s: float = 5.0) -> None:
    """Remove a cgroup made by `make_process_group`, waiting up to ``wait_s`` for its killed processes to go."""
    deadline = time.monotonic() + wait_s
    while group is not None:
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)


def wrap(command: list[str], confinement: Confinement) -> list[str]:
    """Return ``command`` prefixed to run confined, or unchanged when namespaces are unavailable.

    Raises:
        ValueError: ``reveal_only``'s folder to keep is not inside the folder to empty.
    """
    if not available():
        return command
    arguments = [argument for path in confinement.hide if path.exists() for argument in ("--hide", str(path.resolve()))]
    if confinement.reveal_only is not None:
        folder, keep = (path.resolve() for path in confinement.reveal_only)
        if folder not in keep.parents:
            raise ValueError(f"the folder to keep must lie inside {folder}; received: {keep}")
        arguments += ["--reveal-only", str(folder), str(keep)]
    if confinement.cover is not None:
        folder, keep = confinement.cover
        arguments += ["--cover", str(folder), *[argument for path in keep for argument in ("--keep", str(path))]]
    reachable = [*confinement.reachable, *_environment_places()]
    arguments += [argument for path in reachable for argument in ("--reachable", str(path))]
    limits = confinement.limits
    arguments += ["--processes", str(limits.processes), "--file-mib", str(limits.file_mib),
                  "--tmp-mib", str(limits.tmp_mib)]
    if confinement.process_group is not None:
        arguments += ["--process-group", str(confinement.process_group)]
    unshare = shutil.which("unshare") or "unshare"
    return [unshare, *UNSHARE_FLAGS, sys.executable, "-m", __name__, *arguments, "--", *command]


# What follows runs inside the namespaces.

def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sH14s", b"lo", IFF_UP_RUNNING, b"\x00" * 14)
        fcntl.ioctl(probe.fileno(), SIOCSIFFLAGS, request)


def _mount(source: bytes | None, target: Path, kind: bytes | None, flags: int, options: bytes | None) -> None:
    """mount(2) through libc (no subprocess per path); a target removed meanwhile has nothing left to hide."""
    if _libc().mount(source, os.fsencode(target), kind, flags, options) != 0 and ctypes.get_errno() != errno.ENOENT:
        raise OSError(ctypes.get_errno(), f"cannot mount over {target}: {os.strerror(ctypes.get_errno())}")


def _cover(path: Path) -> None:
    """Mount an empty tmpfs over a folder, or /dev/null over a file."""
    if path.is_dir():
        _mount(b"none", path, b"tmpfs", 0, b"size=64k")
    else:
        _mount(b"/dev/null", path, None, MS_BIND, None)


def _cover_keeping(folder: Path, keep: list[Path], options: bytes) -> None:
    """Cover ``folder`` with an empty tmpfs, then bind each path of ``keep`` that lies inside it back at its own place."""
    inside = [path for path in keep if folder in path.resolve().parents and path.exists()]
    handles = [(path, path.is_dir(), os.open(path, os.O_PATH)) for path in inside]
    try:
        _mount(b"none", folder, b"tmpfs", 0, options)
        for path, is_folder, handle in handles:
            if is_folder:
                path.mkdir(parents=True, exist_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch()
            _mount(f"/proc/self/fd/{handle}".encode(), path, None, MS_BIND | MS_REC, None)
    finally:
        for _, _, handle in handles:
            os.close(handle)


def _mount_points() -> list[tuple[Path, set[str]]]:
    """This namespace's mount points with their per-mount options, from ``/proc/self/mountinfo``."""
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        target = fields[4].encode().decode("unicode_escape").encode("latin-1").decode()
        points.append((Path(target), set(fields[5].split(","))))
    return points


def _read_only_except(writable: list[Path]) -> None:
    """Remount every mount read-only except ``writable`` ones, ``/proc`` and ``/dev`` (device files)."""
    kept = {path.resolve() for path in writable} | {Path("/proc"), Path("/dev"), Path("/dev/pts")}
    for point, options in _mount_points():
        if point in kept or Path("/proc") in point.parents or "ro" in options:
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for option in options:
            flags |= LOCKED_OPTIONS.get(option, 0)
        if _libc().mount(None, os.fsencode(point), None, flags, None) != 0 and ctypes.get_errno() not in (
                errno.ENOENT, errno.EINVAL):
            raise OSError(ctypes.get_errno(), f"cannot make {point} read-only: {os.strerror(ctypes.get_errno())}")


def _set_limits(processes: int, file_mib: int, group: Path | None) -> None:
    if group is not None:
        (group / "cgroup.procs").write_text(str(os.getpid()))
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mib << 20, file_mib << 20))


def _enter_nested_user_namespace() -> None:
    """A user namespace below this one: the mounts made here become locked for what runs in it."""
    uid, gid = os.getuid(), os.getgid()
    if _libc().unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), f"cannot make a nested user namespace: {os.strerror(ctypes.get_errno())}")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


def _run_as_init(command: list[str], folder: str) -> None:
    """Run ``command`` in ``folder`` as a child, reap every orphan, and exit with its status (this process is PID 1).

    Jupyter's ``JPY_PARENT_PID`` names a process outside this namespace, where
    the kernel's parent is this one: the kernel would think its parent gone.
    """
    child = os.fork()
    if child == 0:
        try:
            _enter_nested_user_namespace()
            os.chdir(folder)
            os.environ.pop("JPY_PARENT_PID", None)
            os.execvp(command[0], command)
        except BaseException as error:  # nothing above to report to: say it on stderr and end the child
            print(f"sandbox: cannot start {command[0]}: {error}", file=sys.stderr)
        os._exit(127)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt reaches the command through its process group
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda received, _frame: os.kill(child, received))
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(1)
        except InterruptedError:
            continue
        if pid == child:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def main(argv: list[str] | None = None) -> None:
    """Inside fresh namespaces: network, mounts and limits as asked, then run the command as init's child."""
    parser = argparse.ArgumentParser(prog="python -m autograder.grading.notebook.sandbox")
    parser.add_argument("--hide", action="append", type=Path, default=[])
    parser.add_argument("--reveal-only", nargs=2, type=Path, metavar=("FOLDER", "KEEP"))
    parser.add_argument("--cover", type=Path)
    parser.add_argument("--keep", action="append", type=Path, default=[])
    parser.add_argument("--reachable", action="append", type=Path, default=[])
    parser.add_argument("--processes", type=int, default=Limits.processes)
    parser.add_argument("--file-mib", type=int, default=Limits.file_mib)
    parser.add_argument("--tmp-mib", type=int, default=Limits.tmp_mib)
    parser.add_argument("--process-group", type=Path)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    arguments = parser.parse_args(argv)
    command = arguments.command[1:] if arguments.command[:1] == ["--"] else arguments.command
    working_folder = os.getcwd()  # covered below, then found again at its path
    _loopback_up()
    for path in arguments.hide:
        _cover(path)
    if arguments.cover:
        _cover_keeping(arguments.cover, arguments.keep, b"size=64k,mode=755")
    writable = []
    if arguments.reveal_only:
        folder, keep = arguments.reveal_only
        _cover_keeping(folder, [keep], b"size=64k,mode=700")
        writable.append(keep)
    temporary = Path(tempfile.gettempdir()).resolve()
    size = f"size={arguments.tmp_mib}m,mode=1777".encode()
    # A checkout under the temporary folder (a clone in /tmp) keeps its learner part and environment, nothing else.
    _cover_keeping(temporary, [*writable, *arguments.reachable, *arguments.keep], size)
    _mount(b"none", Path("/dev/shm"), b"tmpfs", 0, size)
    _set_limits(arguments.processes, arguments.file_mib, arguments.process_group)
    _read_only_except([*writable, temporary, Path("/dev/shm")])
    _run_as_init(command, working_folder)


if __name__ == "__main__":
    main()
