"""The search index's parts, where each goes, and the error of making it: what the command line and the
engine need to know of the search without loading what makes it (``search.py``)."""

from __future__ import annotations

from dataclasses import dataclass


class SearchIndexError(Exception):
    """Pagefind could not index the site."""


@dataclass(frozen=True)
class SearchSplit:
    """How a language's entries are split into parts."""

    one_part: int = 20_000
    """A language of up to this many entries has one part: a reader's browser loads one index."""
    part: int = 12_000
    """A language of more entries than ``one_part`` is split into parts of at most this many, so that one
    Pagefind run holds a bounded memory (see ``bench/RESULTS.md``)."""

    def parts_for(self, count: int) -> int:
        """How many parts a language's ``count`` entries need."""
        return 1 if count <= self.one_part else -(-count // self.part)


def search_bundle(part: int) -> str:
    """Where part ``part`` of the search index goes (see ``search.py``): part 0 at ``pagefind/``, which the
    search page loads first, part ``k`` > 0 at ``pagefind/part-{k + 1}``."""
    return "pagefind" if part == 0 else f"pagefind/part-{part + 1}"
