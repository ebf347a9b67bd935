"""Tests of mpcourse/ui/, one file per module."""
