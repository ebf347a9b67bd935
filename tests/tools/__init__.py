"""Tests of mpcourse/tools/, one file per module."""
