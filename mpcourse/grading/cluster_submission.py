"""A submission as a dask worker gets it: the notebook files a task reads, read on the client (no path)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .submissions import Submission

__all__ = ["SentSubmission"]


@dataclass(frozen=True)
class SentSubmission(Submission):
    """A submission as a worker gets it: its name and the notebook files a task reads, read on the client.

    Those files are the one named like the master and its near-named copies
    (``… (1).ipynb``), with the list of the submission's notebooks.  Reading (and
    its errors: missing, too large, a bad zip) happens where the files are; the
    worker's :meth:`read` and :meth:`notebook_names` give back exactly that, so
    grading there takes the same steps as grading here.
    """

    notebooks: tuple[str, ...] | BaseException = field(default=(), compare=False)
    files: Mapping[str, bytes | BaseException | None] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, submission: Submission, filename: str) -> SentSubmission:
        """What grading ``submission`` against the master ``filename`` reads, without any path of this machine."""
        notebooks: tuple[str, ...] | BaseException = ()
        files: dict[str, bytes | BaseException | None] = {}
        if not submission.problem:
            try:
                notebooks = tuple(submission.notebook_names())
            except Exception as exc:  # the worker raises it again, where grading expects it
                notebooks = exc
            near = [] if isinstance(notebooks, BaseException) else submission.near_named(filename)
            for name in (filename, *near):
                try:
                    files[name] = submission.read(name)
                except Exception as exc:
                    files[name] = exc
        path = Path(submission.path.name)
        return cls(submission.name, path, submission.problem, submission.submitted, notebooks, files)

    def notebook_names(self) -> list[str]:
        """The notebooks the client listed, or the error listing them raised there."""
        if isinstance(self.notebooks, BaseException):
            raise self.notebooks
        return list(self.notebooks)

    def read(self, filename: str) -> bytes | None:
        """The bytes read on the client (``None``: no such file), or the error reading them raised there."""
        if filename not in self.files:
            raise LookupError(f"{self.name}: {filename} was not sent to this worker")
        data = self.files[filename]
        if isinstance(data, BaseException):
            raise data
        return data
