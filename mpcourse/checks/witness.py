"""A worker that leaves a record of each call: which index it was given, and the process it ran in.

The check of chapter 03's ``collect_cubes`` hands the learner's function a
:class:`CubeWitness` in place of ``put_cube``.  It does what ``put_cube`` does
(puts ``(index, number ** 3)`` on the queue) and first writes one small file per
call into a folder the check created, so the check learns afterwards how many
times the worker ran, for which indices, and in which processes: what a kernel
cannot see from the ``Process`` objects (``start()`` lets go of a target).

It is a class of an importable module, so every start method can pickle it: a
*spawn* or *forkserver* child unpickles it by reference and imports this module.
Standard library only.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

__all__ = ["CubeRecord", "CubeWitness"]


@dataclass(frozen=True)
class CubeRecord:
    """One call of the witness: the index it was given and the process id it ran in."""

    index: Any
    pid: int


class CubeWitness:
    """``witness(queue, index, number)``: record the call in ``folder``, then put ``(index, number ** 3)``."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.__name__ = "put_cube"  # the worker the learner was told about, for code that names it

    def __call__(self, queue: Any, index: int, number: int) -> None:
        """Write this call's record first, so a cube that reached the parent always has its record."""
        name = os.path.join(self.folder, uuid.uuid4().hex)
        with open(name + ".part", "w", encoding="utf-8") as stream:
            json.dump({"index": index if isinstance(index, int) else repr(index)[:50], "pid": os.getpid()}, stream)
        os.replace(name + ".part", name + ".json")  # whole or absent: never half a record
        queue.put((index, number**3))

    def records(self) -> list[CubeRecord]:
        """Every call recorded so far."""
        found = []
        for entry in sorted(os.listdir(self.folder)):
            if entry.endswith(".json"):
                with open(os.path.join(self.folder, entry), encoding="utf-8") as stream:
                    record = json.load(stream)
                found.append(CubeRecord(record["index"], int(record["pid"])))
        return found
