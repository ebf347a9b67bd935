"""Tests of mpcourse/pytest_plugins/, one file per module."""
