"""The writer's record of an output folder (``write.ManifestStore``), kept in the build's cache file.

With it, a rebuild does not read the old site to find which files changed:
the manifest says what each file of the live output (and of its spare)
holds, as long as its inode, size and mtime say so (``place.holds``).
"""

from __future__ import annotations

import itertools
import marshal
import os

from .cache import Cache


class Manifests:
    """The writer's record of one output folder, kept in the cache (see ``write.write_site``)."""

    def __init__(self, cache: Cache, out_dir: str):
        self.cache = cache
        self.out_dir = os.path.abspath(out_dir)

    def load(self) -> dict | None:
        rows = self.cache.db.execute("SELECT manifest FROM outputs WHERE path = ? ORDER BY part",
                                     (self.out_dir,))
        manifest = None
        try:
            for (data,) in rows:
                if manifest is None:
                    manifest = marshal.loads(data)
                    manifest["live"]["files"] = {}
                else:
                    manifest["live"]["files"].update(marshal.loads(data))
        except (EOFError, ValueError, TypeError, KeyError, AttributeError):
            return None  # written by another version: the writer then compares bytes, as without a manifest
        return manifest if isinstance(manifest, dict) else None

    def save(self, manifest: dict | None) -> None:
        """Kept with ``marshal``: a manifest is plain dicts, tuples, strings and numbers, six entries a
        group, which ``marshal`` reads and writes several times faster than ``pickle``.
        The first row holds all but the live output's files, which follow in rows of ``Tuning.cache_rows``."""
        db = self.cache.db
        db.execute("DELETE FROM outputs WHERE path = ?", (self.out_dir,))
        if manifest is not None:
            head = {**manifest, "live": {**manifest["live"], "files": None}}
            db.execute("INSERT INTO outputs VALUES (?, 0, ?)", (self.out_dir, marshal.dumps(head)))
            items = iter(manifest["live"]["files"].items())
            for part in itertools.count(1):
                chunk = dict(itertools.islice(items, self.cache.rows_per_entry))
                if not chunk:
                    break
                db.execute("INSERT INTO outputs VALUES (?, ?, ?)", (self.out_dir, part, marshal.dumps(chunk)))
        db.commit()
