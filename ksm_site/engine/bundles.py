"""Every group's facts and entry, kept in a few rows as well as one by one: a build reads 10,000 in 64 rows.

What every build reads of each group (its ``Facts`` after parsing, its
``GroupEntry`` after rendering) is kept in the cache under the group's
key, and also in ``Tuning.bundles`` **bundles**: a group's bundle is fixed
by its id, and a bundle's key by the keys of its groups' entries, so a
build that edits one group misses one bundle (read entry by entry, then
kept again) and reads every other in one row. A bundle holds its entries as
records in ``marshal`` (``domain/model.Record``), which reads them
faster than ``pickle`` (``bench/RESULTS.md``, "Bundles").
"""

from __future__ import annotations

import marshal
import zlib
from dataclasses import dataclass

from ..domain.model import FACTS_RECORD, SUMMARY_RECORD, GroupSummary
from .cache import Cache, no_collection
from .keys import key


@dataclass(frozen=True, slots=True)
class GroupEntry:
    """What every build reads of a rendered group. Its rows and its share of the data files are kept apart
    (``{key}:rows:{lang}``, ``{key}:data``), read only by a build that makes a page listing the group or
    the data files again."""

    pages: tuple[tuple[str, str], ...]
    """(path, digest) of its page in each language and of its ``data.json``."""
    search: tuple[tuple[str, str], ...]
    """(path, digest) of its search entry in each language."""
    summary: GroupSummary
    shown: str
    """``GroupMade.shown``: the digest the keys of the pages that list it are made of."""
    data_key: str
    """``GroupMade.data_key``."""


def entry_record(entry: GroupEntry) -> tuple:
    return entry.pages, entry.search, entry.shown, entry.data_key, SUMMARY_RECORD.record(entry.summary)


def entry_from(record: tuple) -> GroupEntry:
    pages, search, shown, data_key, summary = record
    return GroupEntry(pages, search, SUMMARY_RECORD.value(summary), shown, data_key)


FACTS = ("facts", FACTS_RECORD.record, FACTS_RECORD.value)
ENTRIES = ("entry", entry_record, entry_from)
"""The two kinds of bundle: (name, value -> record, record -> value)."""


def bundle_of(group_id: str, bundles: int) -> int:
    return zlib.crc32(group_id.encode()) % bundles  # stable everywhere, and cheaper than a SHA-256


Bundles = dict[str, tuple[list[str], dict[str, object] | None]]
"""Bundle key -> (its entries' keys, {entry key: value} as the cache held it, or None when it held none)."""


def read_bundled(cache: Cache, kind: tuple, members: list[tuple[str, str]], bundles: int) -> tuple[Bundles, dict]:
    """The values of ``members`` ((group id, entry key) of every group) that the cache holds, from bundles
    and else one by one; and the bundles, for ``keep_bundles``."""
    name, _, decode = kind
    keys: dict[int, list[str]] = {}
    for group_id, entry_key in members:
        keys.setdefault(bundle_of(group_id, bundles), []).append(entry_key)
    wanted = {key("bundle", name, tuple(entry_keys)): entry_keys for _, entry_keys in sorted(keys.items())}
    cached = cache.get(wanted)
    bundles: Bundles = {}
    with no_collection():  # the decoded records hold no cycles for the collector to look for
        for bundle_key, entry_keys in wanted.items():
            values = None
            if bundle_key in cached:
                values = dict(zip(entry_keys, map(decode, marshal.loads(cached[bundle_key]))))
                cache.use(entry_keys)
            bundles[bundle_key] = (entry_keys, values)
    values = {k: value for _, bundled in bundles.values() if bundled is not None for k, value in bundled.items()}
    values.update(cache.get(k for _, k in members if k not in values))
    return bundles, values


def keep_bundles(cache: Cache, kind: tuple, bundles: Bundles, values: dict) -> None:
    """The bundles that ``read_bundled`` did not find, made of ``values`` (by entry key), one at a time (the
    entries' bundles of 100,000 groups are a build's biggest values)."""
    _, encode, _ = kind
    for bundle_key, (entry_keys, bundled) in bundles.items():
        if bundled is None:
            cache.put({bundle_key: marshal.dumps(tuple(encode(values[k]) for k in entry_keys))})
    cache.commit()
