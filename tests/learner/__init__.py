"""Tests of mpcourse/learner/, one file per module."""
