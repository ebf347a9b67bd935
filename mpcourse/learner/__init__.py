"""The learner's side of the course: their own copy, solutions on demand, progress.

One module per concern: :mod:`.course` (where the course's master notebooks are,
installed or in a checkout), :mod:`.workspace` (the learner's copy, kept across
updates), :mod:`.solutions` (exercises and their reference answers, shown only
when asked for), :mod:`.progress` (what the learner's check cells recorded) and
:mod:`.lab` (JupyterLab on the learner's copy).  The command line is
``mpcourse start`` and ``mpcourse progress``.
"""
