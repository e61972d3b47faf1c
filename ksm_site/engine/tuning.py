"""The engine's knobs: sizes that trade memory, processes and cache rows for time.

None changes what a build makes, only how: a build with any ``Tuning``
makes the same bytes (the tests build with small values to reach, on a
small programme, the paths a big one takes).
"""

from __future__ import annotations

from dataclasses import dataclass

from .sources import SETTLED_NS


@dataclass(frozen=True)
class Tuning:
    pool_min: int = 32
    """Below this many pieces of work in a round, a process pool costs more than it saves: work here."""
    bundles: int = 64
    """How many bundles the groups' facts and entries are also kept in (``bundles.py``)."""
    settled_ns: int = SETTLED_NS
    """How long before a build a group file must have last changed for its stat to stand for its bytes
    (``sources.py``); a negative value trusts every file's stat at once."""
    cache_rows: int = 32_768
    """Items per row of a value the cache keeps in rows (the list of a site's files, the writer's manifest):
    100,000 groups make a site of 600,000 files, and one row of them all, with SQLite's copy of it, was a
    build's highest memory."""
    prune_growth: float = 0.25
    """The cache removes what recent builds did not use once the rows added since the last removal reach
    this share of the rows left by it (``cache.py``)."""
    search_first: int = 10
    """How much lower (``nice``) the workers of the programme's pages run while Pagefind runs beside them
    (``search_runs.py``)."""
