"""Problems found in content, and the one exception that carries them.

A ``Problem`` names the file, the line, the field and what is wrong, with a
hint that says how to fix it. Steps that read content collect every problem
they find and raise a single ``ContentError`` at the end, so a facilitator
sees every mistake in one run, never only the first.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one file.

    ``path`` is the file as the user would name it (``content/groups/a.md``),
    ``line`` is 1-based (0 when the problem is about the whole file and no
    line fits better), ``field`` is where in the data the problem lies, e.g.
    ``penilaian[2].indikator.kehadiran`` (assessments counted from 1, as a
    person counts them), or ``(berkas)`` for the file itself.
    """

    path: str
    line: int
    field: str
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        # Keys, values and file names are quoted back to the user; whatever
        # they hold, a problem prints as one visible line (no terminal
        # escape sequences, no line breaks, no invisible characters).
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                object.__setattr__(self, f.name, visible(value))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ContentError(Exception):
    """Content that cannot be built; holds every problem found, sorted."""

    def __init__(self, problems):
        self.problems = tuple(sorted(problems))
        super().__init__(f"{len(self.problems)} problem(s) in content")


FILE_FIELD = "(berkas)"
"""The ``field`` of a problem that concerns the whole file, not one value."""

MAX_PROBLEMS_PER_FILE = 50
"""Shown per file; a file with more is usually wrong in one way many times over."""


def limit_per_file(problems, most: int = MAX_PROBLEMS_PER_FILE) -> list[Problem]:
    """For printing: the first ``most`` problems of each file (by line), then one that counts the rest.

    Every problem is still found and kept in ``ContentError``; only the
    report is cut, so that a pasted spreadsheet does not bury the first,
    most useful, messages under thousands of lines.
    """
    by_path: dict[str, list[Problem]] = {}
    for problem in sorted(problems):
        by_path.setdefault(problem.path, []).append(problem)
    kept: list[Problem] = []
    for path, found in by_path.items():
        kept += found[:most]
        if len(found) > most:
            kept.append(Problem(path, found[most].line, FILE_FIELD,
                                f"{len(found) - most:,} more problems in this file are not shown",
                                "fix the ones above first; they often cause the rest"))
    return kept


_INVISIBLE = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))


def visible(text: str) -> str:
    """``text`` with every control, format (zero-width, direction) or unassigned
    character written as an escape: ``KSM\u200bA`` -> ``KSM\\u200bA``."""
    if text.isprintable():
        return text
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
        if unicodedata.category(c) in _INVISIBLE else c
        for c in text)


def char_label(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``, or ``U+001B`` for a character without a name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} ({name})" if name else f"U+{ord(char):04X}"
