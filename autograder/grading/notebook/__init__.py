"""Stage 3, one notebook: what a grading worker does with a job, in a process of its own.

`worker` serves jobs from the runner; `grade_one` runs real nbgrader
autograde and feedback for one notebook; `kernels` starts the learner's
sandboxed kernels (`sandbox` confines them). Imports the trainer stage and
the shared modules, never the runner, intake or output stages.
"""
