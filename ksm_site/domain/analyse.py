"""Groups -> the programme's and every area's summaries and analyses.

Everything here works on small values, so that a build of 100,000 groups
never holds the groups themselves: ``Facts`` (one per valid group, before
scoring) give the programme-wide values every page depends on (the
``Extent``: as-of date, the shared time axis, the timeline's periods, the
survival chart's span) and the areas' URL slugs; ``GroupSummary`` values
(one per scored group) give the counts, the tables and the analyses.

Areas are the ``wilayah`` hierarchy kota › kecamatan › kelurahan (the
province is shown but not a level of its own: KOTAKU is run per kota and
kabupaten); each has a URL slug (``slugs.py``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction
from typing import Iterable, Sequence

from .slugs import area_slugs
from .model import DISSOLVED, NOT_ASSESSED, Facts, Group, GroupSummary, Rubric, ScoredAssessment, ScoredGroup

AREA_LEVELS = ("kota", "kecamatan", "kelurahan")


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

    @property
    def level(self) -> str:
        return AREA_LEVELS[len(self.names) - 1] if self.names else ""


@dataclass(frozen=True)
class Programme:
    as_of: dt.date | None
    groups: tuple[GroupSummary, ...]
    """Every group in display order."""
    areas: dict[tuple[str, ...], AreaSummary]
    """By slugs; ``()`` is the whole programme."""
    area_of: dict[str, tuple[str, ...]]
    """Group id -> slugs of its kelurahan."""
    warnings: dict[str, tuple[str, ...]]
    """Warning key -> ids of the groups carrying it, in display order; every rubric warning present."""
    attention: tuple[str, ...]
    """Ids of the groups carrying any warning (active groups only), most urgent first (``urgency``)."""

    @cached_property
    def by_id(self) -> dict[str, GroupSummary]:
        return {g.id: g for g in self.groups}

    @cached_property
    def headings(self) -> dict[tuple[str, ...], AreaSummary]:
        """Every area without its groups' ids: what a page shows of an area whose groups it lists by other
        means (``site/inputs.Listed``), or of an area it only names and counts."""
        return {slugs: AreaSummary(a.names, a.slugs, a.counts, (), a.children) for slugs, a in self.areas.items()}


@dataclass(frozen=True)
class TimeAxis:
    """The progression charts' shared time axis: every group's path is drawn on it, so two groups'
    charts compare at a glance."""

    first_year: int
    """The year the first group was formed (2000 with no groups): where the axis starts."""
    last_day: dt.date
    """Where the axis ends: the as-of date or the latest date in the content, whichever is later."""


@dataclass(frozen=True)
class Extent:
    """The programme-wide values that pages show, made from every group's ``Facts``.

    A group page shows ``as_of`` (it judges the group's warnings, and every
    page prints it) and the shared ``axis``; an area page ``as_of``,
    ``periods`` and ``survival_years``. Pages declare which of these they
    show (``site/registry.py``), so a change to one re-renders the pages
    that show it and no other.
    """

    as_of: dt.date | None
    axis: TimeAxis
    periods: tuple[tuple[str, dt.date], ...]
    """The timeline's periods, shared by the programme and every area."""
    survival_years: int
    """The survival chart's span: the longest observed lifetime, in whole years, at least 1."""


def facts_of(group: Group) -> Facts:
    dates = [a.date for a in group.assessments] + ([group.bubar] if group.bubar else [])
    w = group.wilayah
    return Facts(group.id, group.dibentuk, group.bubar, max(dates, default=None), (w.kota, w.kecamatan, w.kelurahan))


def as_of_date(facts: Iterable[Facts]) -> dt.date | None:
    """The date warnings are judged at (DESIGN §4): the latest assessment or dissolution date in the
    content; with neither, the latest formation date; with no groups, None. Never the clock."""
    facts = list(facts)
    latest = [f.latest for f in facts if f.latest is not None]
    if latest:
        return max(latest)
    return max((f.dibentuk for f in facts), default=None)


def extent_of(facts: Sequence[Facts], as_of: dt.date | None) -> Extent:
    """The programme-wide values, with the as-of date given or (None) found in the content."""
    as_of = as_of or as_of_date(facts)
    first_year = min((f.dibentuk.year for f in facts), default=2000)
    last_day = max([as_of or dt.date(first_year, 12, 31)] + [f.latest for f in facts if f.latest is not None])
    lifetimes = [] if as_of is None else [
        ((f.bubar if f.bubar is not None and f.bubar <= as_of else as_of) - f.dibentuk).days
        for f in facts if f.dibentuk <= as_of]
    longest = max(lifetimes) / DAYS_PER_YEAR if lifetimes else 1
    return Extent(as_of, TimeAxis(first_year, last_day), timeline_periods(facts, as_of), max(1, math.ceil(longest)))


def summarise_group(g: ScoredGroup) -> GroupSummary:
    latest = g.latest
    with_assets = rated(g)
    group = g.group
    previous = g.assessments[-2] if len(g.assessments) > 1 else None
    return GroupSummary(
        g.id, group.nama, group.jenis, group.wilayah, group.dibentuk, group.bubar, g.status, g.warnings,
        tuple((a.date, a.stage) for a in g.assessments), latest.tenths if latest else None,
        previous.tenths if previous else None, first_step(g),
        latest.assessment.assessor if latest else "",
        dict(latest.levels) if latest else {},
        dict(with_assets[0].assessment.assets) if with_assets else None,
        dict(with_assets[-1].assessment.assets) if with_assets else None)


def first_step(g: ScoredGroup) -> str:
    """What an active, assessed group should work on first: the first unmet requirement of its next stage,
    else the indicator with the most room to grow (``NextStage``, ``ScoredGroup.focus``); else ''."""
    if g.next_stage is not None:
        gates = g.next_stage.unmet_gates
        steps = (gates[0].indicator,) if gates else g.next_stage.suggestions
    else:
        steps = g.focus
    return steps[0] if steps else ""


def display_order(group: GroupSummary) -> tuple:
    w = group.wilayah
    return (w.kota.casefold(), w.kecamatan.casefold(), w.kelurahan.casefold(), group.nama.casefold(), group.id)


def count(groups: Iterable[GroupSummary], rubric: Rubric) -> Counts:
    by_status = {key: 0 for key in rubric.status_keys}
    total = warned = 0
    for group in groups:
        by_status[group.status] += 1
        total += 1
        warned += bool(group.warnings)
    return Counts(by_status, total, warned)


def summarise(groups: Iterable[GroupSummary], rubric: Rubric, as_of: dt.date | None) -> Programme:
    ordered = tuple(sorted(groups, key=display_order))
    members: dict[tuple[str, ...], list[GroupSummary]] = {(): []}
    for group in ordered:
        w = group.wilayah
        names = (w.kota, w.kecamatan, w.kelurahan)
        for depth in range(len(names) + 1):
            members.setdefault(names[:depth], []).append(group)
    slugs = area_slugs(n for n in members if len(n) == 3)
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for names in sorted(members, key=lambda n: ([x.casefold() for x in n], n)):
        if names:
            children.setdefault(names[:-1], []).append(slugs[names])
    areas = {}
    for names, area_groups in members.items():
        areas[slugs[names]] = AreaSummary(names, slugs[names], count(area_groups, rubric),
                                          tuple(g.id for g in area_groups), tuple(children.get(names, ())))
    area_of = {}
    for group in ordered:
        w = group.wilayah
        area_of[group.id] = slugs[(w.kota, w.kecamatan, w.kelurahan)]
    warnings = {rule.key: tuple(g.id for g in ordered if rule.key in g.warnings) for rule in rubric.warnings}
    return Programme(as_of, ordered, areas, area_of, warnings, attention(ordered, rubric))


def urgency(group: GroupSummary, rank: dict[str, int]) -> tuple:
    """How soon a group with warnings needs a visit, as a sort key, most urgent first (DESIGN §5): its
    worst warning (``rank``: each warning's place in the rubric, the order of urgency), then more warnings
    before fewer, then the lower score; a group never assessed counts as below every score (its only
    possible warning is ``penilaian-lama``, and nothing is known of it). Ties in display order."""
    score = -1 if group.latest_tenths is None else group.latest_tenths
    return (min(rank[w] for w in group.warnings), -len(group.warnings), score, display_order(group))


def attention(groups: Iterable[GroupSummary], rubric: Rubric) -> tuple[str, ...]:
    """The ids of the groups that carry a warning, most urgent first (``urgency``)."""
    rank = {rule.key: n for n, rule in enumerate(rubric.warnings)}
    return tuple(g.id for g in sorted((g for g in groups if g.warnings), key=lambda g: urgency(g, rank)))


# --------------------------------------------------------------------------
# Analyses of a set of groups (the programme or one area)

QUARTERLY_MAX_YEARS = 3
"""A timeline spanning at most this many years is drawn by quarter, a longer one by year."""


def timeline_periods(groups: Sequence[Facts | GroupSummary], as_of: dt.date | None) -> tuple[tuple[str, dt.date], ...]:
    """``(label, end date)`` of each period, from the first formation to the as-of date.

    The same periods serve the programme and every area, so their charts
    share an axis. The last period ends at the as-of date.
    """
    if not groups or as_of is None:
        return ()
    start = min(g.dibentuk for g in groups)
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


def status_at(group: GroupSummary, day: dt.date) -> str | None:
    """The group's status on ``day``; None before it was formed."""
    if group.dibentuk > day:
        return None
    if group.bubar is not None and group.bubar <= day:
        return DISSOLVED
    stage = NOT_ASSESSED
    for date, assessed in group.stages:
        if date > day:
            break
        stage = assessed
    return stage


def timeline(groups: Sequence[GroupSummary], rubric: Rubric, periods: tuple[tuple[str, dt.date], ...]) -> Timeline:
    """Each group's status at each period's end (``status_at``), walking its assessments once."""
    counts = {key: [0] * len(periods) for key in rubric.status_keys}
    for group in groups:
        stages, seen, stage = group.stages, 0, NOT_ASSESSED
        for index, (_, end) in enumerate(periods):
            if group.dibentuk > end:
                continue
            if group.bubar is not None and group.bubar <= end:
                counts[DISSOLVED][index] += 1
                continue
            while seen < len(stages) and stages[seen][0] <= end:
                stage = stages[seen][1]
                seen += 1
            counts[stage][index] += 1
    return Timeline(tuple(label for label, _ in periods), tuple(end for _, end in periods),
                    {key: tuple(values) for key, values in counts.items()})


def transitions(groups: Sequence[GroupSummary], rubric: Rubric) -> Transitions:
    sources = tuple(s.key for s in rubric.stages)
    targets = (*sources, DISSOLVED)
    counts = {(a, b): 0 for a in sources for b in targets}
    for group in groups:
        stages = [stage for _, stage in group.stages]
        for before, after in zip(stages, stages[1:]):
            counts[(before, after)] += 1
        if group.bubar is not None and stages:
            counts[(stages[-1], DISSOLVED)] += 1
    return Transitions(sources, targets, counts)


DAYS_PER_YEAR = 365.25


def survival(groups: Sequence[GroupSummary], rubric: Rubric, as_of: dt.date | None) -> tuple[SurvivalCurve, ...]:
    """Kaplan–Meier curves per ``jenis``: time from ``dibentuk`` to ``bubar``, censored at the as-of date."""
    curves = []
    for jenis in rubric.jenis:
        observed = []  # (days, dissolved?)
        for g in groups:
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
        # One pass over the durations in order: everything at or after a day is still at risk on it.
        observed.sort()
        at_risk = len(observed)
        index = 0
        while index < len(observed):
            day = observed[index][0]
            same_day = index
            while same_day < len(observed) and observed[same_day][0] == day:
                same_day += 1
            events = sum(1 for _, event in observed[index:same_day] if event)
            if events:
                value *= 1 - events / at_risk
                steps.append((day / DAYS_PER_YEAR, value))
            at_risk -= same_day - index
            index = same_day
        censored = tuple(sorted(d / DAYS_PER_YEAR for d, event in observed if not event))
        curves.append(SurvivalCurve(jenis.key, len(observed), sum(1 for _, e in observed if e), tuple(steps),
                                    censored, max(d for d, _ in observed) / DAYS_PER_YEAR))
    return tuple(curves)


def indicator_means(groups: Sequence[GroupSummary], rubric: Rubric) -> tuple[IndicatorMean, ...]:
    """Mean level per indicator at active groups' latest assessments, weakest first (ties in rubric order)."""
    latest = [g.latest_levels for g in groups if g.status != DISSOLVED and g.stages]
    means = []
    for indicator in rubric.indicators:
        levels = [a[indicator.key] for a in latest if indicator.key in a]
        if levels:
            means.append(IndicatorMean(indicator.key, Fraction(sum(levels), len(levels)), len(levels)))
    return tuple(sorted(means, key=lambda m: m.mean))  # stable: ties keep rubric order


def rated(group: ScoredGroup) -> list[ScoredAssessment]:
    """A group's assessments that rated its assets, by date."""
    return [a for a in group.assessments if a.assessment.assets]


def asset_means(groups: Sequence[GroupSummary], rubric: Rubric) -> AssetMeans:
    """Mean assets of active groups, at their first and latest assessments that rated them."""
    rated_groups = [g for g in groups if g.status != DISSOLVED and g.latest_assets is not None]
    if not rated_groups:
        return AssetMeans({}, {}, 0)
    n = len(rated_groups)
    first = {a.key: Fraction(sum(g.first_assets[a.key] for g in rated_groups), n) for a in rubric.assets}
    latest = {a.key: Fraction(sum(g.latest_assets[a.key] for g in rated_groups), n) for a in rubric.assets}
    return AssetMeans(first, latest, n)


def analyse(groups: Sequence[GroupSummary], rubric: Rubric, as_of: dt.date | None,
            periods: tuple[tuple[str, dt.date], ...]) -> Analysis:
    return Analysis(timeline(groups, rubric, periods), transitions(groups, rubric), survival(groups, rubric, as_of),
                    indicator_means(groups, rubric), asset_means(groups, rubric))
