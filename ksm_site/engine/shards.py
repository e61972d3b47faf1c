"""Shards: a build split over machines, each making some groups, merged into one site.

``build --shard K/N`` makes only the groups whose id falls in shard ``K`` of
``N`` (``shard_of``, a hash of the id, stable across runs, machines and
Python versions) and exports what it made as a bundle (a cache file of
just those results, ``export``); ``merge`` imports every shard's bundle
into one cache and builds the whole site, which finds every group made.
"""

from __future__ import annotations

import hashlib
import os
from typing import Mapping, Sequence

from .bundles import GroupEntry
from .cache import Cache
from .sources import Source


class ShardError(Exception):
    """Shard bundles that cannot be merged into a site of this content."""


def shard_of(group_id: str, shards: int) -> int:
    """The shard (1..``shards``) a group belongs to."""
    return int.from_bytes(hashlib.sha256(group_id.encode()).digest()[:8], "big") % shards + 1


def export(cache: Cache, k: int, n: int, sources: Sequence[Source], entries: Mapping[str, GroupEntry],
           keys: Mapping[str, str], languages: Sequence[str], frames_key: str, fingerprint: str) -> str:
    """Write shard ``k`` of ``n``'s bundle into the cache folder: every group's facts (every shard parses
    them all), its own groups' entries, rows and data shares with their files' bytes, the chart frames.
    Returns its path."""
    path = os.path.join(cache.folder, "shards", f"shard-{k}-of-{n}.sqlite")
    digests = [digest for entry in entries.values() for _, digest in entry.pages + entry.search]
    cache.use_blobs(digests)
    parts = ("", ":data", *(f":rows:{lang}" for lang in languages))
    group_keys = [group_key + part for group_key in keys.values() for part in parts]
    cache.export(path, [s.key for s in sources] + group_keys + [frames_key], digests,
                 {"fingerprint": fingerprint, "shard": str(k), "shards": str(n)})
    return path


def check(metas: list[tuple[str, dict[str, str]]], fingerprint: str) -> None:
    """Every shard of one split of this content, each once: else ``ShardError``."""
    if not metas:
        raise ShardError("no shard bundles to merge")
    counts = {meta.get("shards") for _, meta in metas}
    for path, meta in metas:
        if meta.get("fingerprint") != fingerprint:
            raise ShardError(f"{path} was built from other content, settings, code or --as-of")
    if len(counts) != 1:
        raise ShardError("the bundles come from different splits: " + ", ".join(sorted(map(str, counts))))
    n = int(counts.pop())
    have = sorted(int(meta["shard"]) for _, meta in metas)
    if have != list(range(1, n + 1)):
        raise ShardError(f"merging needs shards 1 to {n}, each once; got {', '.join(map(str, have)) or 'none'}")
