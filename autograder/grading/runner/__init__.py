"""Stage 2, the runner: one grading run from start to end, in the instructor's process.

`batch` plans the run and records each outcome as it arrives; `templates`
keeps the generated assignment; `executors` hands jobs to warm workers
here or on a Dask cluster (`cluster` is what a cluster operator runs);
`hardware`, `progress` and `runlog` say what the machine offers, how far
the run is and what happened. The top stage: it may import every other.
"""
