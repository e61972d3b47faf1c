"""How the site splits what grows with the programme, so that no page outgrows a phone: long tables into
numbered pages, the search index into parts; and the search index's error. Light on purpose: the command
line and the engine read it without loading what makes pages.

DESIGN §5: no HTML page over 200 KB, whatever the programme's size. A row of
a table of groups is about 0.7 KB and a page's charts and frame under
100 KB, so a page lists at most ``table_rows`` groups.
"""

from __future__ import annotations

from dataclasses import dataclass


PAGE_BUDGET = 200_000
"""No HTML page may be bigger than this, in bytes of UTF-8 (DESIGN §5: 200 KB). The limits below keep
pages well under it at any programme size (``tests/test_budget.py``); the attention list also checks it
as it is made (``pages/attention.py``)."""


class SearchIndexError(Exception):
    """Pagefind could not index the site."""


@dataclass(frozen=True)
class Limits:
    table_rows: int = 100
    """An area's table of groups is split into numbered pages of at most this many rows; the home page lists
    every group while there are at most this many (else it points to the areas and the search)."""
    tree_entries: int = 1_000
    """The areas page lists every kota, kecamatan and kelurahan while there are at most this many of them;
    else the kota and kecamatan while they fit, else the kota only: each area's page lists its children."""
    attention_rows: int = 400
    """The most groups the attention list declares and may list; a row takes 700 bytes or more, so the page
    budget binds first."""
    search_one_part: int = 20_000
    """A language of up to this many search entries has one part: a reader's browser loads one index."""
    search_part: int = 12_000
    """A language of more entries than ``search_one_part`` is split into parts of at most this many, so that
    one Pagefind run holds a bounded memory (see ``bench/RESULTS.md``)."""

    def search_parts(self, count: int) -> int:
        """How many parts a language's ``count`` search entries need."""
        return 1 if count <= self.search_one_part else -(-count // self.search_part)

    def tree_depth(self, counts: tuple[int, ...]) -> int:
        """How many levels the areas page lists (at least the kota), given how many areas each level has
        (``counts``: kota, kecamatan, kelurahan)."""
        depth, listed = 0, 0
        for count in counts:
            listed += count
            if listed > self.tree_entries:
                break
            depth += 1
        return max(1, depth)

    def table_pages(self, count: int) -> int:
        """How many pages a table of ``count`` groups takes (at least one)."""
        return max(1, -(-count // self.table_rows))


def search_bundle(part: int) -> str:
    """Where part ``part`` of the search index goes (see ``search.py``): part 0 at ``pagefind/``, which the
    search page loads first, part ``k`` > 0 at ``pagefind/part-{k + 1}``."""
    return "pagefind" if part == 0 else f"pagefind/part-{part + 1}"
