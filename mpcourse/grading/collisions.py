"""Student names that would share a file on a file system that ignores case or Unicode normalisation.

macOS (by default) and Windows see ``Alice.md`` and ``alice.md`` as one file, and
macOS also ``josé`` written with one code point (NFC) or two (NFD).  Every
per-student output (the feedback file, the stored result, the folder ``collect``
fills) is named after the student, so two such names would overwrite each other's
work there, and a feedback folder made on Linux would lose one of them when copied
to such a machine.  The grader refuses them instead, saying how to fix it
(:func:`refused`), and grades everyone else.  Standard library only.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence

__all__ = ["clash_message", "clashes", "file_key", "refused"]


def file_key(name: str) -> str:
    """What a case-insensitive, normalisation-insensitive file system sees of ``name`` (canonical caseless form)."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())


def clashes(names: Iterable[str]) -> dict[str, list[str]]:
    """Each name that shares its :func:`file_key` with a different name, mapped to those names (sorted)."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for name in names:
        by_key[file_key(name)].add(name)
    return {name: sorted(same - {name}) for same in by_key.values() if len(same) > 1 for name in same}


def clash_message(name: str, others: Sequence[str]) -> str:
    """Why ``name`` is refused, and how to fix it."""
    shown = ", ".join(repr(other) for other in others)
    return (
        f"its name differs from {shown} only in case or accents: on macOS and Windows their feedback and "
        f"results would be one file; rename one of the folders (e.g. to {name}-2) and grade again"
    )


def refused(names: Sequence[str], known: Iterable[str] = ()) -> dict[str, str]:
    """The ``names`` to refuse, with why: those that clash with another of ``names`` or of ``known``.

    ``known`` are the students already in the gradebook: one of them whose name
    clashes only with new names keeps their files (the new names are refused);
    clashing names that are all new, or all known, are all refused.
    """
    known = set(known)
    found = clashes({*names, *known})
    refusals = {}
    for name in names:
        others = found.get(name)
        if others and not (name in known and not known.intersection(others)):
            refusals[name] = clash_message(name, others)
    return refusals
