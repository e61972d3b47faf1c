"""Scored groups -> the programme's and every area's summaries and analyses.

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
from fractions import Fraction

from .load import slugify
from .model import DISSOLVED, NOT_ASSESSED, Rubric, ScoredAssessment, ScoredGroup

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
class Timeline:
    """How many groups were in each status at the end of each period."""

    labels: tuple[str, ...]
    ends: tuple[dt.date, ...]
    counts: dict[str, tuple[int, ...]]
    """Every status key, in display order -> its count at each period's end."""


@dataclass(frozen=True)
class Transitions:
    """Moves between consecutive assessments of a group, and from the last one into dissolution."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    counts: dict[tuple[str, str], int]
    """(from, to) -> how many times; every pair present, zeros included."""


@dataclass(frozen=True)
class SurvivalCurve:
    """Kaplan–Meier estimate of the share of groups of one ``jenis`` still active, by years since formation."""

    jenis: str
    groups: int
    dissolved: int
    steps: tuple[tuple[float, float], ...]
    """(years, survival) at 0 and at every time a group dissolved."""
    censored: tuple[float, ...]
    """Years at which still-active groups leave the observation (at the as-of date)."""
    horizon: float
    """The longest time observed for this jenis, in years."""

    def at(self, years: float) -> float | None:
        """Survival at ``years`` since formation; None beyond what was observed."""
        if years > self.horizon:
            return None
        value = 1.0
        for time, survival in self.steps:
            if time <= years:
                value = survival
        return value


@dataclass(frozen=True)
class IndicatorMean:
    key: str
    mean: Fraction
    groups: int


@dataclass(frozen=True)
class AssetMeans:
    """Mean of each asset at the groups' first and latest rated assessments."""

    first: dict[str, Fraction]
    latest: dict[str, Fraction]
    groups: int


@dataclass(frozen=True)
class Analysis:
    timeline: Timeline
    transitions: Transitions
    survival: tuple[SurvivalCurve, ...]
    indicators: tuple[IndicatorMean, ...]
    """Mean level of each indicator at the active groups' latest assessments, weakest first."""
    assets: AssetMeans


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
    analysis: Analysis

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
    periods = timeline_periods(ordered, as_of)
    areas = {}
    for names, area_groups in members.items():
        areas[slugs[names]] = AreaSummary(names, slugs[names], count(area_groups, rubric),
                                          tuple(g.id for g in area_groups), tuple(children.get(names, ())),
                                          analyse(area_groups, rubric, as_of, periods))
    if () not in areas:
        areas[()] = AreaSummary((), (), count([], rubric), (), (), analyse([], rubric, as_of, periods))

    area_of = {}
    for group in ordered:
        w = group.group.wilayah
        area_of[group.id] = slugs[(w.kota, w.kecamatan, w.kelurahan)]
    warnings = {rule.key: tuple(g.id for g in ordered if rule.key in g.warnings) for rule in rubric.warnings}
    return Programme(as_of, ordered, areas, area_of, warnings)


# --------------------------------------------------------------------------
# Analyses of a set of groups (the programme or one area)

QUARTERLY_MAX_YEARS = 3
"""A timeline spanning at most this many years is drawn by quarter, a longer one by year."""


def timeline_periods(groups: tuple[ScoredGroup, ...], as_of: dt.date | None) -> tuple[tuple[str, dt.date], ...]:
    """``(label, end date)`` of each period, from the first formation to the as-of date.

    The same periods serve the programme and every area, so their charts
    share an axis. The last period ends at the as-of date.
    """
    if not groups or as_of is None:
        return ()
    start = min(g.group.dibentuk for g in groups)
    if start > as_of:
        return ()
    periods = []
    if as_of.year - start.year + 1 <= QUARTERLY_MAX_YEARS:
        year, quarter = start.year, (start.month - 1) // 3 + 1
        while True:
            end = dt.date(year, 3 * quarter, 1) + dt.timedelta(days=31)
            end = end.replace(day=1) - dt.timedelta(days=1)
            periods.append((f"{year} Q{quarter}", min(end, as_of)))
            if end >= as_of:
                break
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    else:
        for year in range(start.year, as_of.year + 1):
            periods.append((str(year), min(dt.date(year, 12, 31), as_of)))
    return tuple(periods)


def status_at(group: ScoredGroup, day: dt.date) -> str | None:
    """The group's status on ``day``; None before it was formed."""
    if group.group.dibentuk > day:
        return None
    if group.group.bubar is not None and group.group.bubar <= day:
        return DISSOLVED
    stage = NOT_ASSESSED
    for assessment in group.assessments:
        if assessment.date > day:
            break
        stage = assessment.stage
    return stage


def timeline(groups: list[ScoredGroup], rubric: Rubric, periods: tuple[tuple[str, dt.date], ...]) -> Timeline:
    counts = {key: [0] * len(periods) for key in rubric.status_keys}
    for group in groups:
        for index, (_, end) in enumerate(periods):
            status = status_at(group, end)
            if status is not None:
                counts[status][index] += 1
    return Timeline(tuple(label for label, _ in periods), tuple(end for _, end in periods),
                    {key: tuple(values) for key, values in counts.items()})


def transitions(groups: list[ScoredGroup], rubric: Rubric) -> Transitions:
    sources = tuple(s.key for s in rubric.stages)
    targets = (*sources, DISSOLVED)
    counts = {(a, b): 0 for a in sources for b in targets}
    for group in groups:
        stages = [a.stage for a in group.assessments]
        for before, after in zip(stages, stages[1:]):
            counts[(before, after)] += 1
        if group.group.bubar is not None and stages:
            counts[(stages[-1], DISSOLVED)] += 1
    return Transitions(sources, targets, counts)


DAYS_PER_YEAR = 365.25


def survival(groups: list[ScoredGroup], rubric: Rubric, as_of: dt.date | None) -> tuple[SurvivalCurve, ...]:
    """Kaplan–Meier curves per ``jenis``: time from ``dibentuk`` to ``bubar``, censored at the as-of date."""
    curves = []
    for jenis in rubric.jenis:
        observed = []  # (days, dissolved?)
        for group in groups:
            g = group.group
            if g.jenis != jenis.key or as_of is None or g.dibentuk > as_of:
                continue
            if g.bubar is not None and g.bubar <= as_of:
                observed.append(((g.bubar - g.dibentuk).days, True))
            else:
                observed.append(((as_of - g.dibentuk).days, False))
        if not observed:
            continue
        steps = [(0.0, 1.0)]
        value = 1.0
        for day in sorted({d for d, event in observed if event}):
            at_risk = sum(1 for d, _ in observed if d >= day)
            events = sum(1 for d, event in observed if event and d == day)
            value *= 1 - events / at_risk
            steps.append((day / DAYS_PER_YEAR, value))
        censored = tuple(sorted(d / DAYS_PER_YEAR for d, event in observed if not event))
        curves.append(SurvivalCurve(jenis.key, len(observed), sum(1 for _, e in observed if e), tuple(steps),
                                    censored, max(d for d, _ in observed) / DAYS_PER_YEAR))
    return tuple(curves)


def indicator_means(groups: list[ScoredGroup], rubric: Rubric) -> tuple[IndicatorMean, ...]:
    """Mean level per indicator at active groups' latest assessments, weakest first (ties in rubric order)."""
    latest = [g.latest for g in groups if g.status != DISSOLVED and g.latest is not None]
    means = []
    for indicator in rubric.indicators:
        levels = [a.levels[indicator.key] for a in latest if indicator.key in a.levels]
        if levels:
            means.append(IndicatorMean(indicator.key, Fraction(sum(levels), len(levels)), len(levels)))
    return tuple(sorted(means, key=lambda m: m.mean))  # stable: ties keep rubric order


def rated(group: ScoredGroup) -> list[ScoredAssessment]:
    """A group's assessments that rated its assets, by date."""
    return [a for a in group.assessments if a.assessment.assets]


def asset_means(groups: list[ScoredGroup], rubric: Rubric) -> AssetMeans:
    """Mean assets of active groups, at their first and latest assessments that rated them."""
    rated_groups = [rated(g) for g in groups if g.status != DISSOLVED]
    rated_groups = [r for r in rated_groups if r]
    if not rated_groups:
        return AssetMeans({}, {}, 0)
    n = len(rated_groups)
    first = {a.key: Fraction(sum(r[0].assessment.assets[a.key] for r in rated_groups), n) for a in rubric.assets}
    latest = {a.key: Fraction(sum(r[-1].assessment.assets[a.key] for r in rated_groups), n) for a in rubric.assets}
    return AssetMeans(first, latest, n)


def analyse(groups: list[ScoredGroup], rubric: Rubric, as_of: dt.date | None,
            periods: tuple[tuple[str, dt.date], ...]) -> Analysis:
    return Analysis(timeline(groups, rubric, periods), transitions(groups, rubric), survival(groups, rubric, as_of),
                    indicator_means(groups, rubric), asset_means(groups, rubric))


def _short(slug: str) -> str:
    """``slug`` cut to at most ``MAX_SLUG`` characters, at a hyphen where there is one."""
    if len(slug) <= MAX_SLUG:
        return slug
    cut = slug[:MAX_SLUG + 1]
    return cut[:cut.rfind("-")] if "-" in cut[1:] else slug[:MAX_SLUG]
