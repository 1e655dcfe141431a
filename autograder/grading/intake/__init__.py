"""Stage 1, intake: finding a class's submissions in the layouts instructors receive, within the course's limits.

`submissions` reads nbgrader's layout, LMS downloads and zips; `limits`
refuses what is too big; `student_names` matches the students an
instructor names. Imports only the shared modules of `autograder.grading`.
"""
