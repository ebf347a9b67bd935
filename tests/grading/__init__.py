"""Tests of mpcourse/grading/, one file per module (test_<module>.py)."""
