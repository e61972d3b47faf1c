"""The rows of the tables of groups and the shares of the data files, read from the cache in a worker.

A group's rows (one per language) and its share of the data files are kept
in the cache with its entry (``{group key}:rows:{lang}``, ``{group key}:data``);
a page's ``Listed`` names each group by that key (``Listed.refs``), and the
sources here read them in batches as the page is made (``CachedRows``,
``CachedShares``).

A big table (``Tuning.kept_table`` rows or more: the home page lists every
group) is also kept in **pieces**: each piece of ``PlacedRows.PIECE`` rows,
as placed on one page, under a key of what its rows show (their ``shown``
digests) and where they are placed. The home page of 10,000 groups, made
again after one group changed, then reads one piece's rows, not every
group's. A worker makes pieces but does not write to the cache (only the
build process does): it leaves the new pieces in a file in the writer's
scratch folder (``Spill``), which the build process reads into the cache;
a piece of 100,000 rows' table sent back whole through the pool's pipe
would double that worker's memory.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from typing import Callable, Iterable, Iterator, Sequence

from markupsafe import Markup

from ..site.data import GroupData
from ..site.rows import Row
from .cache import pack, unpack
from .keys import code_version, key
from .pool import worker

BATCH = 500
"""Rows read from the cache in one query."""


class TableWork:
    """What the tables of one task read and made: kept pieces used, new pieces spilled, rows read."""

    def __init__(self, scratch: str | None):
        self.scratch = scratch
        self.used: list[str] = []
        self.spill: Spill | None = None
        self.rows_read = 0

    def add_piece(self, piece_key: str, data: bytes) -> None:
        if self.spill is None:
            self.spill = Spill(self.scratch)
        self.spill.add(piece_key, data)

    def spilled(self) -> str | None:
        return self.spill.close() if self.spill is not None else None


def read_rows(refs: Sequence[str], lang: str) -> Iterator[Row]:
    """The rows of the groups kept under ``refs``, in one language, read in batches as they are used."""
    work, reader = worker().tables, worker().reader()
    for start in range(0, len(refs), BATCH):
        batch = refs[start:start + BATCH]
        rows = reader.get(f"{ref}:rows:{lang}" for ref in batch)
        work.rows_read += len(batch)
        for ref in batch:
            yield rows[f"{ref}:rows:{lang}"]


class CachedRows:
    """A page's table rows, from the cache (see the module's docstring); in pieces the cache keeps for a
    table of at least ``kept_table`` rows."""

    def __init__(self, kept_table: int):
        self.kept_table = kept_table

    def rows(self, refs: Sequence[str], shown: Sequence[str], lang: str) -> Iterable[Row]:
        if len(refs) < self.kept_table:
            return read_rows(refs, lang)
        return KeptRows(refs, shown, lang)


class KeptRows:
    """A big table's rows, given to ``PlacedRows`` as pieces (``pieces``): each found in the cache by a
    key of what its rows show and where they are placed, or made now (and spilled, for the cache)."""

    def __init__(self, refs: Sequence[str], shown: Sequence[str], lang: str):
        self.refs, self.shown, self.lang = refs, shown, lang

    def pieces(self, place: Callable[[Iterable[Row]], Markup], size: int, placing: tuple) -> Iterator[Markup]:
        work, reader = worker().tables, worker().reader()
        starts = range(0, len(self.refs), size)
        keys = [key("rows piece", code_version(), self.lang, placing, tuple(self.shown[s:s + size])) for s in starts]
        kept: dict = {}
        for n, (start, piece_key) in enumerate(zip(starts, keys)):
            if n % 64 == 0:  # read as they are placed: the pieces of 100,000 rows are many megabytes
                kept = reader.get(keys[n:n + 64])
            if piece_key in kept:
                work.used.append(piece_key)
                yield Markup(unpack(kept[piece_key]).decode())
            else:
                piece = place(read_rows(self.refs[start:start + size], self.lang))
                work.add_piece(piece_key, pack(piece.encode()))
                yield piece


class CachedShares:
    """The groups' shares of the data files, from the cache, in batches as they are used."""

    def shares(self, refs: Sequence[str]) -> Iterator[GroupData]:
        reader = worker().reader()
        for start in range(0, len(refs), BATCH):
            batch = refs[start:start + BATCH]
            shares = reader.get(f"{ref}:data" for ref in batch)
            for ref in batch:
                yield shares[f"{ref}:data"]


class Spill:
    """The table pieces one task makes, written to a file in the writer's scratch folder as they are made,
    for the build process to read back into the cache (``spilled``)."""

    def __init__(self, scratch: str | None):
        folder = os.path.join(scratch or tempfile.gettempdir(), "table-pieces")
        os.makedirs(folder, exist_ok=True)
        self.file = tempfile.NamedTemporaryFile(dir=folder, suffix=".pickle", delete=False)

    def add(self, piece_key: str, data: bytes) -> None:
        pickle.dump((piece_key, data), self.file, pickle.HIGHEST_PROTOCOL)

    def close(self) -> str:
        self.file.close()
        return self.file.name


def spilled(path: str) -> Iterator[tuple[str, bytes]]:
    """The (key, compressed piece) pairs a ``Spill`` wrote, one at a time; the file goes once read."""
    try:
        with open(path, "rb") as f:
            while True:
                try:
                    yield pickle.load(f)
                except EOFError:
                    return
    finally:
        os.remove(path)
