"""Stage 4, the trusted trainer: brief, deterministic training of a model received as data.

`training_service` is the warm fork server a worker starts; `train` trains
one request (also as a fresh ``python -m autograder.grading.trainer.train``).
Imports only the shared modules of `autograder.grading`.
"""
