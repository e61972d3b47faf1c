"""Scored groups -> the programme's and every area's summaries.

Areas are the ``wilayah`` hierarchy kota › kecamatan › kelurahan (the
province is shown but not a level of its own: KOTAKU is run per kota and
kabupaten). Each area gets a URL slug made from its name, cut to
``MAX_SLUG`` characters at a word boundary (a long name must not make a
file name the file system refuses); two names in one parent that make the
same slug get ``-2``, ``-3`` in name order, so URLs are stable and never
collide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .load import slugify
from .model import Rubric, ScoredGroup

AREA_LEVELS = ("kota", "kecamatan", "kelurahan")
MAX_SLUG = 60


@dataclass(frozen=True)
class Counts:
    """How many groups are in each status, and how many carry a warning."""

    by_status: dict[str, int]
    """Every status key of the rubric, in display order, with its count (zeros kept)."""
    total: int
    warned: int


@dataclass(frozen=True)
class AreaSummary:
    names: tuple[str, ...]
    """('Kabupaten Madiun', 'Jiwan') for a kecamatan; () for the whole programme."""
    slugs: tuple[str, ...]
    counts: Counts
    group_ids: tuple[str, ...]
    """In display order (area, then name)."""
    children: tuple[tuple[str, ...], ...]
    """Slugs of the areas one level down, in name order."""

    @property
    def level(self) -> str:
        return AREA_LEVELS[len(self.names) - 1] if self.names else ""


@dataclass(frozen=True)
class Programme:
    as_of: dt.date | None
    groups: tuple[ScoredGroup, ...]
    """Every group in display order."""
    areas: dict[tuple[str, ...], AreaSummary]
    """By slugs; ``()`` is the whole programme."""
    area_of: dict[str, tuple[str, ...]]
    """Group id -> slugs of its kelurahan."""
    warnings: dict[str, tuple[str, ...]]
    """Warning key -> ids of the groups carrying it, in display order; every rubric warning present."""


def display_order(group: ScoredGroup) -> tuple:
    w = group.group.wilayah
    return (w.kota.casefold(), w.kecamatan.casefold(), w.kelurahan.casefold(), group.group.nama.casefold(), group.id)


def count(groups: list[ScoredGroup], rubric: Rubric) -> Counts:
    by_status = {key: 0 for key in rubric.status_keys}
    for group in groups:
        by_status[group.status] += 1
    return Counts(by_status, len(groups), sum(1 for g in groups if g.warnings))


def summarise(groups: list[ScoredGroup], rubric: Rubric, as_of: dt.date | None) -> Programme:
    ordered = tuple(sorted(groups, key=display_order))
    members: dict[tuple[str, ...], list[ScoredGroup]] = {}
    for group in ordered:
        w = group.group.wilayah
        names = (w.kota, w.kecamatan, w.kelurahan)
        for depth in range(len(names) + 1):
            members.setdefault(names[:depth], []).append(group)

    slugs: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}
    taken: dict[tuple[str, ...], set[str]] = {}
    for names in sorted(members, key=lambda n: (len(n), [x.casefold() for x in n], n)):
        if not names:
            continue
        parent = slugs[names[:-1]]
        siblings = taken.setdefault(parent, set())
        base = _short(slugify(names[-1])) or "wilayah"
        slug, suffix = base, 1
        while slug in siblings:
            suffix += 1
            slug = f"{base}-{suffix}"
        siblings.add(slug)
        slugs[names] = (*parent, slug)

    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for names in sorted(members, key=lambda n: ([x.casefold() for x in n], n)):
        if names:
            children.setdefault(names[:-1], []).append(slugs[names])
    areas = {}
    for names, area_groups in members.items():
        areas[slugs[names]] = AreaSummary(names, slugs[names], count(area_groups, rubric),
                                          tuple(g.id for g in area_groups), tuple(children.get(names, ())))
    if () not in areas:
        areas[()] = AreaSummary((), (), count([], rubric), (), ())

    area_of = {}
    for group in ordered:
        w = group.group.wilayah
        area_of[group.id] = slugs[(w.kota, w.kecamatan, w.kelurahan)]
    warnings = {rule.key: tuple(g.id for g in ordered if rule.key in g.warnings) for rule in rubric.warnings}
    return Programme(as_of, ordered, areas, area_of, warnings)


def _short(slug: str) -> str:
    """``slug`` cut to at most ``MAX_SLUG`` characters, at a hyphen where there is one."""
    if len(slug) <= MAX_SLUG:
        return slug
    cut = slug[:MAX_SLUG + 1]
    return cut[:cut.rfind("-")] if "-" in cut[1:] else slug[:MAX_SLUG]
