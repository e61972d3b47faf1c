"""Names -> URL and file-name parts: a group's id segments and each area's slug.

An area's slug is made from its name, cut to ``MAX_SLUG`` characters at a
word boundary (a long name must not make a file name the file system
refuses); two names in one parent that make the same slug get ``-2``,
``-3`` in name order, so URLs are stable and never collide.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

MAX_SLUG = 60


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens: 'KSM Maju Bersama' -> 'ksm-maju-bersama'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def area_slugs(areas: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Names -> URL slugs of every area (and every area above it) that holds one of ``areas``
    (each the names of a kota, kecamatan and kelurahan); ``()``, the whole programme, has none.

    A slug depends on the names of the area's siblings only where two of
    them make the same slug.
    """
    names = {()}
    for area in areas:
        for depth in range(1, len(area) + 1):
            names.add(tuple(area[:depth]))
    slugs: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}
    taken: dict[tuple[str, ...], set[str]] = {}
    for area in sorted(names, key=lambda n: (len(n), [x.casefold() for x in n], n)):
        if not area:
            continue
        parent = slugs[area[:-1]]
        siblings = taken.setdefault(parent, set())
        base = shorten(slugify(area[-1])) or "wilayah"
        slug, suffix = base, 1
        while slug in siblings:
            suffix += 1
            slug = f"{base}-{suffix}"
        siblings.add(slug)
        slugs[area] = (*parent, slug)
    return slugs


def shorten(slug: str) -> str:
    """``slug`` cut to at most ``MAX_SLUG`` characters, at a hyphen where there is one."""
    if len(slug) <= MAX_SLUG:
        return slug
    cut = slug[:MAX_SLUG + 1]
    return cut[:cut.rfind("-")] if "-" in cut[1:] else slug[:MAX_SLUG]
