"""How long a shared-memory block lives: small programs that create or attach to one and exit (chapter 09).

Run as separate programs, the way a script is run from a terminal::

    python -m mpcourse.block_lifetime create NAME              # create, close, exit without unlink()
    python -m mpcourse.block_lifetime create NAME --untracked  # the same, not registered with a resource tracker
    python -m mpcourse.block_lifetime attach NAME              # attach to NAME, read it, close, exit
    python -m mpcourse.block_lifetime attach NAME --untracked  # the same, not registered

On POSIX each program that registers a block with its resource tracker has that
block unlinked when it exits, whether it created the block or only attached to
it.  ``track=False`` (Python 3.13+) opts out; before 3.13 the only way is to
unregister the block by hand, which :func:`attach_untracked` does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from multiprocessing import resource_tracker, shared_memory

__all__ = ["BLOCK_SIZE", "attach_untracked", "block_exists", "create_untracked", "main", "remove_block"]

#: The size in bytes of the blocks these programs create.
BLOCK_SIZE = 64
#: ``track=`` exists from Python 3.13 on.
_HAS_TRACK = sys.version_info >= (3, 13)


def _untrack(block: shared_memory.SharedMemory) -> None:
    """Before 3.13: take ``block`` off this process's resource tracker, so its exit does not unlink it."""
    if sys.platform != "win32":  # Windows has no tracker: a block lives while a handle is open
        resource_tracker.unregister(block._name, "shared_memory")  # type: ignore[attr-defined]


def create_untracked(name: str, size: int = BLOCK_SIZE) -> shared_memory.SharedMemory:
    """Create block ``name`` without registering it with a resource tracker."""
    if _HAS_TRACK:
        return shared_memory.SharedMemory(name=name, create=True, size=size, track=False)
    block = shared_memory.SharedMemory(name=name, create=True, size=size)
    _untrack(block)
    return block


def attach_untracked(name: str) -> shared_memory.SharedMemory:
    """Attach to block ``name`` without registering it with a resource tracker."""
    if _HAS_TRACK:
        return shared_memory.SharedMemory(name=name, track=False)
    block = shared_memory.SharedMemory(name=name)
    _untrack(block)
    return block


def block_exists(name: str) -> bool:
    """Is there a shared-memory block called ``name``? (Looking leaves no trace in any tracker.)"""
    try:
        attach_untracked(name).close()
    except FileNotFoundError:
        return False
    return True


def remove_block(name: str) -> None:
    """Unlink block ``name`` if it exists (registered and unregistered again: no tracker keeps it)."""
    try:
        block = shared_memory.SharedMemory(name=name)
    except FileNotFoundError:
        return
    block.close()
    block.unlink()


def main(argv: Sequence[str] | None = None) -> int:
    """Create or attach to a block, then exit without unlinking it."""
    parser = argparse.ArgumentParser(prog="python -m mpcourse.block_lifetime", description=main.__doc__)
    parser.add_argument("action", choices=["create", "attach"])
    parser.add_argument("name")
    parser.add_argument("--untracked", action="store_true", help="register the block with no resource tracker")
    args = parser.parse_args(argv)
    if args.action == "create":
        if args.untracked:
            block = create_untracked(args.name)
        else:
            block = shared_memory.SharedMemory(name=args.name, create=True, size=BLOCK_SIZE)
        block.buf[:5] = b"hello"
    else:
        block = attach_untracked(args.name) if args.untracked else shared_memory.SharedMemory(name=args.name)
        print(bytes(block.buf[:5]).decode("ascii", errors="replace"))
    block.close()  # and no unlink(): what happens to the block is the resource tracker's doing
    return 0


if __name__ == "__main__":
    sys.exit(main())
