"""Tests of mpcourse/cli/, one file per command module (test_<module>.py)."""
