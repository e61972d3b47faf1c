"""Problems found in content, and the one exception that carries them.

A ``Problem`` names the file, the line, the field and what is wrong, with a
hint that says how to fix it. Steps that read content collect every problem
they find and raise a single ``ContentError`` at the end, so a facilitator
sees every mistake in one run, never only the first.
"""

from __future__ import annotations

from dataclasses import dataclass


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

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ContentError(Exception):
    """Content that cannot be built; holds every problem found, sorted."""

    def __init__(self, problems):
        self.problems = tuple(sorted(problems))
        super().__init__(f"{len(self.problems)} problem(s) in content")


FILE_FIELD = "(berkas)"
"""The ``field`` of a problem that concerns the whole file, not one value."""
