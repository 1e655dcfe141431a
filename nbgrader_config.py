"""nbgrader configuration of the course. The repository root is the course root."""

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)

c.CourseDirectory.course_id = "cnn-course"
# Every assignment is one notebook named after it.
c.CourseDirectory.notebook_id = "*"
# The generated student notebook gets this stub where a solution was.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Grading a training notebook on two CPU cores takes about a minute; a
# single cell may take a few minutes, never more.
c.Execute.timeout = 300
# Keep a crashed kernel from aborting the whole autograde run.
c.Execute.interrupt_on_timeout = True
# Grade submitted notebooks even when they arrive without a timestamp.
c.Autograde.create_student = True
# What `autograder grade` takes in (autograder/grading/intake/limits.py): a
# submissions zip (2 GiB uncompressed, 20,000 members, compression ratio 200)
# and each notebook (20 MiB, 2,000 cells, 10 MiB of outputs). To raise one:
# c.IntakeLimits.max_notebook_bytes = 50 * 2**20
# What `autograder grade` uses when a flag is not given (autograder/settings.py;
# a flag overrides it). For example:
# c.GradingSettings.workers = 4                # submissions graded at once (0: from the machine)
# c.GradingSettings.timeout_s = 1200           # seconds for one whole submission
# c.GradingSettings.cell_timeout_s = 0         # seconds for one cell (0: Execute.timeout above)
# c.GradingSettings.memory_mib = 0             # MiB for one kernel (0: a share of RAM)
# c.GradingSettings.backend = "tensorflow"     # Keras backend (None: $KERAS_BACKEND)
# c.GradingSettings.feedback = "messages"      # or "full": every output whole, never hidden tests
# c.GradingSettings.due_dates = {"fashion_dense": "2026-10-01T23:59:00-04:00"}
# c.GradingSettings.canvas_columns = {"fashion_dense": "Fashion MNIST (12345)"}
# What `autograder build` writes for students (autograder/settings.py): the
# release notebooks' first cell installs the learner wheel from beside the
# notebook or, where it is not there (Colab), from the course's copy:
# c.ReleaseSettings.learner_wheel_url = "https://course.example.edu/cnn_course_learner-0.1.0-py3-none-any.whl"
# Late work (autograder/grading/late.py): nbgrader's penalty, none by default.
# c.LateSubmissionPlugin.penalty_method = "zero"   # a late notebook scores 0
# c.AssignLatePenalties.plugin_class = "autograder.grading.late.PercentPerDay"
# c.PercentPerDay.percent_per_day = 10             # 10 % per day or part of a day late
# Autograde with the hardened Execute step: patches to the grading helpers
# are undone before each hidden test, a dead kernel costs only the cells from
# the one that killed it, and `autograder grade` can set a memory limit
# (GuardedExecute.memory_limit_mb).
from autograder.grading.execute import GuardedExecute  # noqa: E402
from nbgrader.converters.autograde import Autograde  # noqa: E402

c.Autograde.autograde_preprocessors = [
    GuardedExecute if step.__name__ == "Execute" else step for step in Autograde.autograde_preprocessors.default()
]
# Feedback for students: each lost point with its message, never the hidden
# tests' code or a traceback (autograder/grading/feedback.py); `autograder
# grade --feedback full` sets StudentFeedback.full_outputs (every output whole,
# the learner's own tracebacks kept; hidden code still left out).
from autograder.grading.feedback import StudentFeedback  # noqa: E402
from nbgrader.converters.generate_feedback import GenerateFeedback  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

c.GenerateFeedback.preprocessors = [
    step for default in GenerateFeedback.preprocessors.default() for step in
    ([GetGrades, StudentFeedback] if default is GetGrades else [default])
]
