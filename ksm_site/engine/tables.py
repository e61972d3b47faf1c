"""The rows of the tables of groups and the shares of the data files, read from the cache in a worker.

A group's rows (one per language) and its share of the data files are kept
in the cache with its entry (``{group key}:rows:{lang}``, ``{group key}:data``);
a page's ``Listed`` names each group by that key (``Listed.refs``), and the
sources here read them in batches as the page is made. No table lists more
than ``Limits.table_rows`` groups, so a page reads at most that many rows; the
data files read every group's share, streamed.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from ..site.data import GroupData
from ..site.rows import Row
from .pool import worker

BATCH = 500
"""Rows or shares read from the cache in one query."""


class CachedRows:
    """A page's table rows, from the cache; counted (``Worker.rows_read``), for a build's report."""

    def rows(self, refs: Sequence[str], shown: Sequence[str], lang: str) -> Iterator[Row]:
        w = worker()
        reader = w.reader()
        for start in range(0, len(refs), BATCH):
            batch = refs[start:start + BATCH]
            rows = reader.get(f"{ref}:rows:{lang}" for ref in batch)
            w.rows_read += len(batch)
            for ref in batch:
                yield rows[f"{ref}:rows:{lang}"]


class CachedShares:
    """The groups' shares of the data files, from the cache, in batches as they are used."""

    def shares(self, refs: Sequence[str]) -> Iterator[GroupData]:
        reader = worker().reader()
        for start in range(0, len(refs), BATCH):
            batch = refs[start:start + BATCH]
            shares = reader.get(f"{ref}:data" for ref in batch)
            for ref in batch:
                yield shares[f"{ref}:data"]
