"""Tests of mpcourse/grading/judge/, one file per module where a module is tested alone."""
