"""Tests of mpcourse/kernel/, one file per module."""
