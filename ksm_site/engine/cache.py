"""The build's cache: results of earlier builds, found again by what they were made from.

One SQLite file, ``<folder>/cache.sqlite`` (``--cache``, default
``.cache/ksm-site/``; git-ignored), holds three things:

* **entries**: a key (a SHA-256 of everything a result depends on, made in
  ``pipeline.py``) -> the result, pickled: a group file's parsed ``Group``
  and ``Facts``; a group's page digests, ``GroupSummary``, table rows and
  data-file shares; an aggregate page's digests; the chart frames. An
  entry ``K:part`` belongs to entry ``K``: it is kept as long as ``K`` is.
* **blobs**: the SHA-256 of a page's bytes -> those bytes, compressed (``pack``).
  Pages are stored here as they are made, so a build never holds every page
  in memory, and a build into an empty output folder (a fresh CI runner
  with the cache restored) copies unchanged pages from here instead of
  rendering them.
* **outputs**: per output folder, the writer's manifest of what it holds
  (see ``write.py``), so a rebuild does not read the old site to find
  which files changed.

A build records which entries and blobs it used (one row per build, not
one write per entry: marking 30,000 rows would cost a rebuild's budget);
once the rows added since the last removal reach ``Tuning.prune_growth`` of the
rows there were then, what none of the last ``KEEP_BUILDS`` recorded
builds used is removed, so the cache holds a few sites' worth, not every
version ever built. (Removal reads every key: a build that edits one group
adds a few rows and should not pay for it.)

A cache is local, trusted state, like ``__pycache__``: it holds pickles, so
restore it only from your own builds (GitHub Actions caches and artifacts
of one repository are). A cache file that is not a cache of this version is
replaced. Two builds may share a cache folder; SQLite serialises their writes.

``Cache(None)`` is a throw-away cache in a temporary folder: ``--no-cache``
builds with one, so the code path is the same and nothing is kept.
"""

from __future__ import annotations

import contextlib
import gc
import io
import itertools
import os
import pickle
import shutil
import sqlite3
import tempfile
import threading
from typing import Any, Iterable, Iterator

import zstandard

from .tuning import Tuning

SCHEMA = "ksm-site cache 5"
KEEP_BUILDS = 3
"""Results unused by this many recorded builds in a row are removed..."""
BATCH = 500
"""Keys per SQL statement (SQLite allows 999 parameters in older versions)."""


PAGE_SIZE = 16384
WRITER_CACHE_KB = 16384
"""A cache file's page size, and the building process's page cache. A cold build writes its pages and
entries under random keys in many commits; with SQLite's defaults (4 KB pages, 2 MB of cache) each commit
rewrote index pages that the last one had written already (``bench/RESULTS.md``, "The cache"). Workers'
connections keep the default cache: they only read."""

LEVEL = 1
"""Zstandard's level for blobs: faster than zlib's fastest level, and smaller (``bench/RESULTS.md``)."""

_local = threading.local()


def _contexts() -> tuple[zstandard.ZstdCompressor, zstandard.ZstdDecompressor]:
    """This thread's compressor and decompressor (neither may be shared between threads)."""
    found = getattr(_local, "contexts", None)
    if found is None:
        found = _local.contexts = (zstandard.ZstdCompressor(level=LEVEL), zstandard.ZstdDecompressor())
    return found


def pack(data: bytes) -> bytes:
    """Bytes as the cache keeps them: compressed with Zstandard (as ccache and sccache do), every page a
    build makes."""
    return _contexts()[0].compress(data)


def packer() -> "zstandard.ZstdCompressionObj":
    """A ``compress``/``flush`` object for bytes that come in pieces: ``unpack`` reads what it makes.
    Each has a compressor of its own (several may be open at once)."""
    return zstandard.ZstdCompressor(level=LEVEL).compressobj()


def unpack(data: bytes) -> bytes:
    return _contexts()[1].decompressobj().decompress(data)


class CacheError(Exception):
    """A bundle or cache file cannot be used."""


def _lost(digest: str, folder: str) -> CacheError:
    return CacheError(f"the cache lost a page ({digest[:12]}); delete {folder} or build with --no-cache")


def _batches(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Cache:
    """The cache folder of one build. Only the process that opened it uses it."""

    def __init__(self, folder: str | None, tuning: Tuning = Tuning()):
        self.rows_per_entry = tuning.cache_rows
        self.prune_growth = tuning.prune_growth
        self.temporary = folder is None
        self.folder = tempfile.mkdtemp(prefix="ksm-site-cache-") if folder is None else folder
        os.makedirs(self.folder, exist_ok=True)
        self.path = os.path.join(self.folder, "cache.sqlite")
        self.db = self._open()
        self.generation = self._next_generation()
        self.used_keys: set[str] = set()
        self.used_blobs: set[str] = set()
        self.added = 0
        """Rows this build wrote (or, for a bundle's, may have)."""
        self.finished = False
        """Set when the build succeeded: only then does closing record what it used."""
        self.whole_site_cached = False
        """Set when the build found its whole site here: it used nothing new, so it records nothing."""

    def __enter__(self) -> "Cache":
        return self

    def __exit__(self, *exc) -> None:
        self.close(record=self.finished and not self.whole_site_cached)

    # --- opening -------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            db = self._connect()
            found = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if found and found[0] == SCHEMA:
                return db
            db.close()
        except sqlite3.DatabaseError:
            pass
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)
        db = self._connect()
        db.executescript(_SCHEMA_SQL)
        db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA,))
        db.commit()
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60)
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # a new file's; an existing file keeps its own
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KB}")
        return db

    def _next_generation(self) -> int:
        with self.db:
            found = self.db.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
            generation = int(found[0]) + 1 if found else 1
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(generation),))
        return generation

    def clock(self) -> int:
        """The file system's time now, in nanoseconds, as a file touched in the cache folder shows it:
        comparable with the content files' mtimes. It decides only which files are read again, never
        what a build writes."""
        path = os.path.join(self.folder, "clock")
        with open(path, "wb"):
            pass
        os.utime(path)
        return os.stat(path).st_mtime_ns

    # --- entries -------------------------------------------------------------

    def get(self, keys: Iterable[str]) -> dict[str, Any]:
        """The values held for ``keys`` (those found); the keys count as used by this build."""
        keys = list(dict.fromkeys(keys))
        self.used_keys.update(keys)
        return _get(self.db, keys)

    def use(self, keys: Iterable[str]) -> None:
        """Count entries that another process read (a worker, through a ``Reader``) as used by this build."""
        self.used_keys.update(keys)

    def put(self, items: dict[str, Any]) -> None:
        self.put_pickled({key: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) for key, value in items.items()})

    def put_pickled(self, items: dict[str, bytes]) -> None:
        """Like ``put``, for values pickled already (with the highest protocol, as ``put`` does)."""
        self.added += len(items)
        self.used_keys.update(items)
        self.db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", items.items())

    def put_rows(self, key: str, items: dict) -> None:
        """A dict too big for one entry, in entries of ``Tuning.cache_rows`` items: ``key`` holds how many, and
        ``key:1``, ``key:2``, ... the items (kept as long as ``key`` is)."""
        pieces = iter(items.items())
        count = 0
        while chunk := dict(itertools.islice(pieces, self.rows_per_entry)):
            count += 1
            self.put({f"{key}:{count}": chunk})
        self.put({key: count})

    def get_rows(self, key: str) -> dict | None:
        """What ``put_rows`` kept under ``key``, or None."""
        count = self.get([key]).get(key)
        if count is None:
            return None
        items: dict = {}
        for n in range(1, count + 1):
            chunk = self.get([f"{key}:{n}"]).get(f"{key}:{n}")
            if chunk is None:
                return None
            items.update(chunk)
        return items

    # --- blobs ---------------------------------------------------------------

    def put_blobs(self, blobs: Iterable[tuple[str, bytes]]) -> None:
        """``(digest, packed bytes)`` pairs; a digest held already is kept as it is."""
        blobs = list(blobs)
        self.added += len(blobs)
        self.used_blobs.update(digest for digest, _ in blobs)
        self.db.executemany("INSERT OR IGNORE INTO blobs VALUES (?, ?)", blobs)

    def use_blobs(self, digests: Iterable[str]) -> None:
        """Count blobs as used by this build."""
        self.used_blobs.update(digests)

    def blob(self, digest: str) -> bytes:
        found = self.db.execute("SELECT data FROM blobs WHERE digest = ?", (digest,)).fetchone()
        if found is None:
            raise _lost(digest, self.folder)
        return unpack(found[0])

    # --- bundles (shards) -----------------------------------------------------

    def export(self, path: str, keys: Iterable[str], digests: Iterable[str], meta: dict[str, str]) -> None:
        """Write a bundle at ``path``: a cache file holding only ``keys``, ``digests`` and ``meta``."""
        self.commit()
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=".bundle-", suffix=".sqlite", dir=folder)
        os.close(fd)
        os.remove(partial)
        try:
            bundle = sqlite3.connect(partial)
            bundle.executescript(_SCHEMA_SQL)
            bundle.executemany("INSERT INTO meta VALUES (?, ?)", [("schema", SCHEMA), *meta.items()])
            bundle.commit()
            bundle.close()
            self.db.execute("ATTACH DATABASE ? AS bundle", (partial,))
            try:
                with self.db:
                    for batch in _batches(list(dict.fromkeys(keys))):
                        marks = ",".join("?" * len(batch))
                        self.db.execute(f"INSERT OR IGNORE INTO bundle.entries SELECT key, value FROM entries "
                                        f"WHERE key IN ({marks})", batch)
                    for batch in _batches(list(dict.fromkeys(digests))):
                        marks = ",".join("?" * len(batch))
                        self.db.execute(f"INSERT OR IGNORE INTO bundle.blobs SELECT digest, data FROM blobs "
                                        f"WHERE digest IN ({marks})", batch)
            finally:
                self.db.execute("DETACH DATABASE bundle")
            os.replace(partial, path)
        except BaseException:
            if os.path.exists(partial):
                os.remove(partial)
            raise

    def import_bundle(self, path: str) -> dict[str, str]:
        """Take every entry and blob of the bundle at ``path`` into this cache; returns its ``meta``."""
        try:
            bundle = sqlite3.connect(f"file:{os.path.abspath(path)}?mode=ro", uri=True)
            meta = dict(bundle.execute("SELECT name, value FROM meta").fetchall())
            bundle.close()
        except sqlite3.Error as exc:
            raise CacheError(f"{path} is not a shard bundle ({exc})") from None
        if meta.get("schema") != SCHEMA:
            raise CacheError(f"{path} is not a shard bundle of this version of ksm-site")
        self.db.execute("ATTACH DATABASE ? AS bundle", (f"file:{os.path.abspath(path)}?mode=ro",))
        try:
            with self.db:
                self.db.execute("INSERT OR IGNORE INTO entries SELECT key, value FROM bundle.entries")
                self.db.execute("INSERT OR IGNORE INTO blobs SELECT digest, data FROM bundle.blobs")
            self.added += self._rows()
        finally:
            self.db.execute("DETACH DATABASE bundle")
        return meta

    # --- the end of a build ----------------------------------------------------

    def commit(self) -> None:
        self.db.commit()

    def close(self, record: bool = True) -> None:
        """Record what this build used, remove what recent builds did not, and close.

        ``record=False`` (a build that failed, or found its whole site in the
        cache) records nothing and removes nothing. A temporary cache is deleted.
        """
        if self.temporary:
            self.db.close()
            shutil.rmtree(self.folder, ignore_errors=True)
            return
        if record and (self.used_keys or self.used_blobs):
            self.db.execute("INSERT OR REPLACE INTO builds VALUES (?, ?, ?)",
                            (self.generation, _pack(self.used_keys), _pack(self.used_blobs)))
            if self.added:
                meta = dict(self.db.execute("SELECT name, value FROM meta WHERE name IN ('rows', 'growth')"))
                growth = int(meta.get("growth", 0)) + self.added
                if "rows" not in meta or growth >= self.prune_growth * int(meta["rows"]):
                    if "rows" in meta:
                        self._prune()
                    self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                        [("rows", str(self._rows())), ("growth", "0")])
                else:
                    self.db.execute("INSERT OR REPLACE INTO meta VALUES ('growth', ?)", (str(growth),))
        self.db.commit()
        self.db.close()

    def _rows(self) -> int:
        return self.db.execute("SELECT (SELECT COUNT(*) FROM entries) + (SELECT COUNT(*) FROM blobs)").fetchone()[0]

    def _prune(self) -> None:
        """Remove what none of the last ``KEEP_BUILDS`` builds used.

        A build of 100,000 groups uses a million keys and digests; held as
        Python sets, three builds' worth cost more memory than the build
        itself. So each build's lists go, a piece at a time, into temporary
        tables (gone with the connection), and SQLite finds the rest. Rows
        are looked up through the keys' indexes, never by reading the
        tables, whose rows hold the pages.
        """
        recent = [g for (g,) in self.db.execute("SELECT generation FROM builds ORDER BY generation DESC LIMIT ?",
                                                (KEEP_BUILDS,))]
        self.db.execute("DELETE FROM builds WHERE generation < ?", (recent[-1],))
        self.db.execute("CREATE TEMP TABLE kept_keys (key TEXT NOT NULL)")
        self.db.execute("CREATE TEMP TABLE kept_blobs (digest TEXT NOT NULL)")
        for generation in recent:
            packed_keys, packed_blobs = self.db.execute("SELECT keys, blobs FROM builds WHERE generation = ?",
                                                        (generation,)).fetchone()
            self.db.executemany("INSERT INTO kept_keys VALUES (?)", ((k,) for k in _unpack(packed_keys)))
            self.db.executemany("INSERT INTO kept_blobs VALUES (?)", ((d,) for d in _unpack(packed_blobs)))
        self.db.execute("CREATE INDEX temp.kept_key ON kept_keys (key)")  # one sort: faster than an index filled row by row
        self.db.execute("CREATE INDEX temp.kept_digest ON kept_blobs (digest)")
        # an entry K:part is kept as long as K is
        self.db.execute("DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE key NOT IN kept_keys "
                        "AND substr(key, 1, CASE instr(key, ':') WHEN 0 THEN length(key) ELSE instr(key, ':') - 1 END) "
                        "NOT IN kept_keys)")
        self.db.execute("DELETE FROM blobs WHERE rowid IN (SELECT rowid FROM blobs WHERE digest NOT IN kept_blobs)")


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """No automatic garbage collection inside: for many new objects that hold no cycles (a build's
    entries, read from the cache), which the collector would otherwise look through again and again
    as they arrive, for nothing."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _get(db: sqlite3.Connection, keys: list[str]) -> dict[str, Any]:
    """The values held for the distinct ``keys`` (those found)."""
    found: dict[str, Any] = {}
    with no_collection():  # collecting while 10,000 unpickled values arrive costs half the time
        for batch in _batches(keys):
            marks = ",".join("?" * len(batch))
            for key, value in db.execute(f"SELECT key, value FROM entries WHERE key IN ({marks})", batch):
                found[key] = pickle.loads(value)
    return found


def _pack(items: Iterable[str]) -> bytes:
    """Strings, one per line, packed a slice at a time: a build of 100,000 groups uses a million keys and
    digests, and one text of them all would be the build's biggest value at its end."""
    packing, parts, separator = packer(), [], ""
    remaining = iter(items)
    while chunk := list(itertools.islice(remaining, 8192)):
        parts.append(packing.compress((separator + "\n".join(chunk)).encode()))
        separator = "\n"
    parts.append(packing.flush())
    return b"".join(parts)


def _unpack(packed: bytes) -> Iterator[str]:
    """The strings ``_pack`` packed, read a piece at a time."""
    with zstandard.ZstdDecompressor().stream_reader(packed) as reader:
        for line in io.TextIOWrapper(reader, encoding="utf-8", newline="\n"):
            yield line.removesuffix("\n")


class Reader:
    """Read-only access to a cache from another process (a pool's worker), with a connection of its own.

    Workers read what the build process stored in earlier steps (a parsed
    group, a group's table rows) instead of receiving it through a pipe, so
    neither process has to hold every group's share at once.
    """

    def __init__(self, folder: str):
        self.folder = folder
        self.db = sqlite3.connect(os.path.join(folder, "cache.sqlite"), timeout=60)

    def get(self, keys: Iterable[str]) -> dict[str, Any]:
        return _get(self.db, list(dict.fromkeys(keys)))

    def blobs(self, digests: list[str]) -> Iterator[bytes]:
        """The bytes of the blobs ``digests``, in order, read in batches."""
        for batch in _batches(digests):
            marks = ",".join("?" * len(batch))
            found = dict(self.db.execute(f"SELECT digest, data FROM blobs WHERE digest IN ({marks})", batch))
            for digest in batch:
                if digest not in found:
                    raise _lost(digest, self.folder)
                yield unpack(found[digest])

    def close(self) -> None:
        self.db.close()


_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (digest TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (path TEXT NOT NULL, part INTEGER NOT NULL, manifest BLOB NOT NULL,
                                    PRIMARY KEY (path, part));
CREATE TABLE IF NOT EXISTS builds (generation INTEGER PRIMARY KEY, keys BLOB NOT NULL, blobs BLOB NOT NULL);
"""
