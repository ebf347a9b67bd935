"""Learner content as inert text: one function per place it goes (terminal, CSV, Markdown), and student names.

Everything that came from a submission (its name, outputs, hints quoting learner
values, log tails) passes through one of :func:`for_terminal`, :func:`for_csv` or
:func:`for_markdown` before the teacher sees it.  Each of them:

- hides paths of the teacher's machine (the package, Python, HOME, the temporary
  folder, the current folder, then any other absolute path: only its last part stays);
- shows control, format and escape characters (ESC, BEL, CR, bidi overrides,
  zero-width characters, lone surrogates) as visible escapes such as ``\\x1b``.

Then :func:`for_csv` stores a value a spreadsheet would run as a formula after a
``'``, and :func:`for_markdown` escapes every character Markdown or HTML would act
on, so a learner's text renders as the text it is.

:func:`student_name` turns a folder or zip name (any bytes the filesystem allows)
into the student's name in the gradebook: printable text, one line, the same for
the same name every time.  Standard library only.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path

__all__ = [
    "FORMULA_STARTS",
    "for_csv",
    "for_markdown",
    "for_terminal",
    "hide_paths",
    "show_controls",
    "student_name",
]

#: A spreadsheet runs a cell starting with one of these as a formula; such a value is stored after a "'".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")

# Unicode categories shown as escapes: control, format (bidi overrides, zero-width), separators, surrogates.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def show_controls(text: str, keep_newlines: bool = False) -> str:
    """``text`` with every control, format or escape character shown as a visible escape (``\\x1b``).

    With ``keep_newlines``, ``\\n`` stays a line break (and ``\\t`` a tab).
    """
    kept = "\n\t" if keep_newlines else ""
    return "".join(
        char if char in kept or unicodedata.category(char) not in _HIDDEN_CATEGORIES else _escape(char) for char in text
    )


@lru_cache(maxsize=1)
def _known_roots() -> tuple[tuple[str, str], ...]:
    """Folders of the teacher's machine a text may name, longest first, with what to show instead."""
    package = Path(__file__).resolve().parent.parent
    roots = {
        str(package): "mpcourse",
        str(package.parent): "<course>",
        sys.prefix: "<python>",
        sys.base_prefix: "<python>",
        sys.exec_prefix: "<python>",
        tempfile.gettempdir(): "<tmp>",
        os.path.expanduser("~"): "~",
        os.getcwd(): ".",
    }
    usable = {root.rstrip("/"): label for root, label in roots.items() if len(root.rstrip("/")) > 1}
    return tuple(sorted(usable.items(), key=lambda item: -len(item[0])))


# An absolute path with at least one folder (POSIX or Windows), not inside a word or a relative path.
_ABSOLUTE = re.compile(r"(?<![\w.~/\\-])(?:/|[A-Za-z]:\\)(?:[^\s/\\'\"<>|:]+[/\\])+")


def hide_paths(text: str) -> str:
    """``text`` without paths of the teacher's machine: known folders by name, any other absolute folder as ``…/``."""
    for root, label in _known_roots():
        if root in text:
            text = re.sub(re.escape(root) + r"(?![\w.-])", lambda _, shown=label: shown, text)  # a whole folder
    return _ABSOLUTE.sub("…/", text)


def for_terminal(text: str, keep_newlines: bool = False) -> str:
    """``text`` safe to print to the teacher's terminal: no teacher's path, no control or escape character."""
    return show_controls(hide_paths(text), keep_newlines)


def for_csv(text: str) -> str:
    """``text`` safe in a CSV cell: one line, no control character or teacher's path, never a formula."""
    text = show_controls(hide_paths(text))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# What Markdown (CommonMark with GitHub's extensions, MathJax in Jupyter) or HTML would act on inside a line:
# always-active characters; "_" that can open or close emphasis (not inside a word: snake_case stays as it is);
# "(" that would make "[text](url)" a link; "&" of an entity; ":" of "scheme://" and "." of "www." (autolinks).
_MARKDOWN_ACTIVE = re.compile(
    r"[\\`*<>~$@]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|(?<=\])\(|&(?=#?\w+;)|:(?=//)|(?i:(?<=www)\.)"
)


def for_markdown(text: str) -> str:
    """``text`` as inert Markdown on one line: no tag, link, emphasis, code span or math, no teacher's path."""
    return _MARKDOWN_ACTIVE.sub(lambda match: "\\" + match.group(0), show_controls(hide_paths(text)))


def student_name(entry: str | bytes) -> str:
    """The student a folder or zip is named after, as printable one-line text.

    Bytes that are not UTF-8 become ``\\xNN`` escapes and control or format
    characters visible escapes, so the same name always gives the same text,
    and no two different names of one folder give the same one (a name that
    already spells an escape aside).
    """
    return show_controls(os.fsdecode(entry) if isinstance(entry, bytes) else entry)
