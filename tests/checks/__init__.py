"""Tests of mpcourse/checks/, one file per module."""
