"""Stage 5, output: what a graded batch leaves for the instructor and the students.

`record` is the one writer of the course's grading records; `report`
draws the class report; `feedback_pages` writes the pages again after
hand grading; `export` writes the LMS's grade file; `handback` returns the
pages where students look. May import intake, notebook, trainer and the
shared modules, never the runner.
"""
