"""Tests of mpcourse/backend/, one file per module."""
