"""Running a grading command with no network and with the course's private files hidden.

Where Linux lets an ordinary process make namespaces (``unshare -rnm``),
`wrap` prefixes a command (the learner's kernel, `autograder.grading.kernels`)
so that it runs in a new network namespace (only its own loopback) and a
new mount namespace in which the given paths (``source/``, ``solutions/``,
the course gradebook) are covered by empty ones and, in the folder that
holds every grading run's work (template gradebooks, scratch courses,
other kernels), only the kernel's own folder is left visible. Elsewhere
`available` is False and the runner says so; the learner's code still runs
in a folder of its own outside the course.

``python -m autograder.grading.sandbox [--hide PATH ...] [--reveal-only FOLDER KEEP] -- COMMAND ...``
is the part that runs inside the namespaces.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import functools
import os
import shutil
import socket
import struct
import subprocess
import sys
from pathlib import Path

SIOCSIFFLAGS = 0x8914
IFF_UP_RUNNING = 0x1 | 0x40


SWITCH_VARIABLE = "AUTOGRADER_SANDBOX"


@functools.cache
def available() -> bool:
    """Return True when the sandbox is wanted (``AUTOGRADER_SANDBOX`` is not ``off``) and the machine allows it."""
    if os.environ.get(SWITCH_VARIABLE, "").strip().lower() in ("off", "0", "no"):
        return False
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = subprocess.run([unshare, "-rnm", "true"], capture_output=True)
    return probe.returncode == 0


def wrap(command: list[str], hide: list[Path], reveal_only: tuple[Path, Path] | None = None) -> list[str]:
    """Return ``command`` prefixed to run sandboxed, or unchanged when namespaces are unavailable.

    Args:
        command: the program and its arguments.
        hide: files and folders to make empty for it; ones that do not exist are skipped.
        reveal_only: ``(folder, keep)``: make ``folder`` empty except for
            ``keep``, a folder inside it. What is created in ``folder`` later
            stays hidden too (the grading runs started after this one).

    Raises:
        ValueError: ``keep`` is not inside ``folder``.
    """
    if not available():
        return command
    arguments = [argument for path in hide if path.exists() for argument in ("--hide", str(path.resolve()))]
    if reveal_only is not None:
        folder, keep = (path.resolve() for path in reveal_only)
        if folder not in keep.parents:
            raise ValueError(f"the folder to keep must lie inside {folder}; received: {keep}")
        arguments += ["--reveal-only", str(folder), str(keep)]
    return [shutil.which("unshare") or "unshare", "-rnm", sys.executable, "-m", __name__, *arguments, "--", *command]


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sH14s", b"lo", IFF_UP_RUNNING, b"\x00" * 14)
        fcntl.ioctl(probe.fileno(), SIOCSIFFLAGS, request)


MS_BIND, MS_REC = 4096, 16384


def _mount(source: bytes, target: Path, kind: bytes | None, flags: int, options: bytes | None) -> None:
    """mount(2) through libc (no subprocess per path); a target removed meanwhile has nothing left to hide."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(source, os.fsencode(target), kind, flags, options) != 0 and ctypes.get_errno() != errno.ENOENT:
        raise OSError(ctypes.get_errno(), f"cannot mount over {target}: {os.strerror(ctypes.get_errno())}")


def _cover(path: Path) -> None:
    """Mount an empty tmpfs over a folder, or /dev/null over a file."""
    if path.is_dir():
        _mount(b"none", path, b"tmpfs", 0, b"size=64k")
    else:
        _mount(b"/dev/null", path, None, MS_BIND, None)


def _reveal_only(folder: Path, keep: Path) -> None:
    """Cover ``folder`` with an empty tmpfs, then bind ``keep`` (inside it) back at its own path."""
    handle = os.open(keep, os.O_PATH | os.O_DIRECTORY)  # still reaches ``keep`` once the folder is covered
    try:
        _mount(b"none", folder, b"tmpfs", 0, b"size=64k,mode=700")
        keep.mkdir(parents=True)
        _mount(f"/proc/self/fd/{handle}".encode(), keep, None, MS_BIND | MS_REC, None)
    finally:
        os.close(handle)


def main(argv: list[str] | None = None) -> None:
    """Inside fresh namespaces: bring loopback up, cover the hidden paths, then run the command."""
    parser = argparse.ArgumentParser(prog="python -m autograder.grading.sandbox")
    parser.add_argument("--hide", action="append", type=Path, default=[])
    parser.add_argument("--reveal-only", nargs=2, type=Path, metavar=("FOLDER", "KEEP"))
    parser.add_argument("command", nargs=argparse.REMAINDER)
    arguments = parser.parse_args(argv)
    command = arguments.command[1:] if arguments.command[:1] == ["--"] else arguments.command
    _loopback_up()
    for path in arguments.hide:
        _cover(path)
    if arguments.reveal_only:
        _reveal_only(*arguments.reveal_only)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
