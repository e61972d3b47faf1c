"""What a build's cached results are keyed by: the code, the settings, and each group file.

Every result a build keeps is filed under a SHA-256 of exactly what made
it. A page's key comes from its declared inputs (``site/inputs.key_of``)
with the settings key; this module makes the settings key and the keys of
what is read from disk (each group file's parse, the whole content).
"""

from __future__ import annotations

import glob
import hashlib
import importlib.metadata
import os
import sys
from functools import lru_cache
from typing import Iterable

LIBRARIES = ("Jinja2", "MarkupSafe", "markdown-it-py", "mdurl", "PyYAML", "nh3", "babel", "matplotlib", "pagefind")
"""The libraries whose versions decide the output's bytes (pinned in requirements.txt)."""

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def key(*parts: object) -> str:
    """A SHA-256 of ``parts``: text, numbers, dates, None and tuples of them (their repr is exact)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def key_of_pairs(head: tuple, pairs: Iterable[tuple[str, str]]) -> str:
    """Like ``key(*head, tuple(pairs))`` for many pairs of texts without a NUL (paths and digests), hashed
    as they come rather than joined first (the search entries of 100,000 groups are tens of megabytes)."""
    digest = hashlib.sha256(repr(head).encode())
    for a, b in pairs:
        digest.update(f"\0{a}\0{b}".encode())
    return digest.hexdigest()


@lru_cache(maxsize=None)
def code_version() -> str:
    """A SHA-256 of this package's code and catalogues, the libraries' versions and Python's."""
    digest = hashlib.sha256()
    paths = glob.glob(os.path.join(PACKAGE, "**", "*.py"), recursive=True)
    paths += glob.glob(os.path.join(PACKAGE, "locale", "**", "*.po"), recursive=True)
    for path in sorted(paths):
        digest.update(os.path.relpath(path, PACKAGE).encode() + b"\0")
        with open(path, "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    for name in LIBRARIES:
        digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
    digest.update(f"python={sys.version_info[0]}.{sys.version_info[1]}".encode())
    return digest.hexdigest()
