"""Analyses -> figures for one language: the chart's SVG, its caption, a sentence
describing it for screen readers, and its numbers as a table.

The page functions (``pages/``) call this and pass the results to the
templates as they are. The SVG comes from ``charts.py``;
everything written here is formatted for the page's language.

Every chart of one kind shares a frame for the whole build (see
``charts/``): the frame's axes come from the rubric (stage bands, assets,
indicators) and from the programme-wide values a page declares (the time
axis of the progression chart, the survival chart's span); an area's count
axis comes from the area itself.

A chart with nothing to show is not drawn: its figure has no SVG and says
why in a sentence (``Figure.note``), rather than show empty axes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from . import charts
from ..domain.analyse import Analysis, TimeAxis, rated
from .i18n import Lang
from ..domain.model import DISSOLVED, Rubric, ScoredGroup


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    """The first cell of each row names the row."""


@dataclass(frozen=True)
class Figure:
    ident: str
    caption: str
    svg: Markup
    """Empty when there is nothing to draw: then ``note`` says so, in place of the chart."""
    table: Table
    note: str = ""
    """Said under the chart, e.g. what a mark means, or in its place when there is no data to draw."""


NO_CHART = Markup("")


SURVIVAL_YEARS = (1, 3, 5)
"""The times at which the survival table reports the share still active."""


class Figures:
    """Builds every figure of one language for one build."""

    def __init__(self, rubric: Rubric, lang: Lang):
        self.rubric = rubric
        self.lang = lang
        _ = lang._
        self.rank = {s.key: n for n, s in enumerate(rubric.stages)}
        stage_names = [lang.text(s.name) for s in rubric.stages]
        bounds = [float(s.min_score) for s in rubric.stages] + [100.0]
        self.stage_bands = tuple((bounds[n], bounds[n + 1], n, name) for n, name in enumerate(stage_names))
        self.pentagon_axes = charts.PentagonAxes(
            tuple(lang.text(a.name) for a in rubric.assets), rubric.asset_max, (_("First assessment"), _("Latest assessment")))
        self.statuses = rubric.status_keys
        self.status_names = [lang.text(rubric.status_name(k)) for k in self.statuses]
        self.name_of = dict(zip(self.statuses, self.status_names))
        self.matrix_axes = charts.MatrixAxes(
            tuple(stage_names), (*stage_names, lang.text(rubric.status_name(DISSOLVED))), _("From"), _("To"))
        self.survival_labels = (tuple(lang.text(j.name) for j in rubric.jenis), _("Years since the group was formed"),
                                _("Still active"))
        self.bars_axes = charts.BarsAxes(len(rubric.indicators), max(i.max_level for i in rubric.indicators),
                                         _("Mean level at the latest assessment"))

    def progression_axes(self, axis: TimeAxis) -> charts.ProgressionAxes:
        """The progression chart's frame on the programme's time ``axis`` (every group's shares it)."""
        return charts.ProgressionAxes(dt.date(axis.first_year, 1, 1), axis.last_day, self.stage_bands)

    def survival_axes(self, years: int, shown: tuple[int, ...] | None = None) -> charts.SurvivalAxes:
        """The survival chart's frame over ``years`` (every area's shares it), its legend naming the types
        ``shown`` (by their index in the rubric; None: every type)."""
        jenis, x_label, y_label = self.survival_labels
        return charts.SurvivalAxes(jenis, years, x_label, y_label, shown)

    def colour(self, status: str) -> str:
        return charts.status_colour(self.rank.get(status), dissolved=status == DISSOLVED)

    # --- a group -----------------------------------------------------------

    def progression(self, g: ScoredGroup, axis: TimeAxis) -> Figure:
        """The group's path through the stages, on the programme's shared time ``axis``.

        Each point has its stage's colour; a point whose score lies in a higher stage's band than its stage
        (a gate held the group below it) is ringed, and the sentence under the chart, its description and
        its table say so, so that the band's colour around it is not read as its stage."""
        _ = self.lang._
        lang = self.lang
        caption = _("Score at each assessment, against the stage bands")
        header = (_("Date"), _("Score"), _("Stage"))
        if not g.assessments:
            note = (_("The group dissolved before any assessment.") if g.group.bubar
                    else _("No assessment yet: the chart appears after the first assessment."))
            return Figure("progression", caption, NO_CHART, Table(header, ()), note)
        name_of = self.name_of
        held = tuple(i for i, a in enumerate(g.assessments) if a.held)
        data = charts.ProgressionData(
            tuple((a.date, a.score, self.rank[a.stage]) for a in g.assessments), g.group.dibentuk, g.group.bubar,
            _("formed"), name_of[DISSOLVED].lower(), held)
        rows = tuple((lang.date(a.date), lang.score(a.tenths),
                      _("%(stage)s (held by a requirement)") % {"stage": name_of[a.stage]} if a.held
                      else name_of[a.stage])
                     for a in g.assessments)
        steps = "; ".join(f"{date}: {score} ({stage})" for date, score, stage in rows)
        desc = _("Score at each assessment: %(steps)s.") % {"steps": steps}
        note = ""
        if held:
            marks = "; ".join(_("%(date)s, score %(score)s in the %(band)s band, held at %(stage)s by a requirement") % {
                "date": rows[i][0], "score": rows[i][1], "band": name_of[g.assessments[i].band],
                "stage": name_of[g.assessments[i].stage]} for i in held)
            note = lang.ngettext("Ringed point: %(marks)s.", "Ringed points: %(marks)s.", len(held)) % {"marks": marks}
            desc += " " + note
        if g.group.bubar:
            desc += " " + _("Dissolved on %(date)s.") % {"date": lang.date(g.group.bubar)}
        title = _("Path through the stages: %(name)s") % {"name": g.group.nama}
        svg = charts.progression_svg(self.progression_axes(axis), data, title, desc, "progression")
        return Figure("progression", caption, Markup(svg), Table(header, rows), note)

    def pentagon(self, g: ScoredGroup) -> Figure:
        _ = self.lang._
        lang = self.lang
        with_assets = rated(g)
        first = with_assets[0] if len(with_assets) > 1 else None
        latest = with_assets[-1] if with_assets else None
        keys = [a.key for a in self.rubric.assets]
        values = lambda a: tuple(a.assessment.assets[k] for k in keys) if a else None  # noqa: E731
        header = [_("Asset")]
        if first:
            header.append(_("First (%(date)s)") % {"date": lang.short_date(first.date)})
        if latest:
            header.append(_("Latest (%(date)s)") % {"date": lang.short_date(latest.date)})
        rows = tuple((lang.text(asset.name), *[str(a.assessment.assets[asset.key]) for a in (first, latest) if a])
                     for asset in self.rubric.assets) if latest else ()
        if latest:
            note = ""
        elif g.group.bubar and not g.assessments:
            note = _("The group dissolved before any assessment.")
        else:
            note = _("No assessment has rated the assets yet.")
        return self._pentagon(values(first), values(latest), Table(tuple(header), rows),
                              _("Livelihood assets of %(name)s") % {"name": g.group.nama}, note)

    def _pentagon(self, first, latest, table: Table, title: str, note: str) -> Figure:
        _ = self.lang._
        names = [row[0] for row in table.rows]
        parts = []
        for label, values in ((_("first"), first), (_("latest"), latest)):
            if values is not None:
                shown = ", ".join(f"{n} {self.lang.number(v)}" for n, v in zip(names, values))
                parts.append(f"{label}: {shown}")
        caption = _("The five livelihood assets, 0 to %(max)d: first assessment as an outline, latest filled") % {
            "max": self.rubric.asset_max}
        if latest is None:
            return Figure("pentagon", caption, NO_CHART, table, note)
        svg = charts.pentagon_svg(self.pentagon_axes, first, latest, title, "; ".join(parts) + ".", "pentagon")
        return Figure("pentagon", caption, Markup(svg), table, note)

    # --- the programme or an area -------------------------------------------

    def area(self, a: Analysis, name: str, survival_years: int) -> list[Figure]:
        """The five charts of the programme or an area; ``survival_years``: the survival chart's span,
        shared by every area."""
        return [self.timeline(a, name), self.transitions(a, name), self.survival(a, name, survival_years),
                self.indicators(a, name), self.mean_assets(a, name)]

    def timeline(self, a: Analysis, name: str) -> Figure:
        _ = self.lang._
        lang = self.lang
        t = a.timeline
        labels = tuple(self.period_label(label) for label in t.labels)
        totals = [sum(t.counts[k][i] for k in self.statuses) for i in range(len(labels))]
        axes = charts.TimelineAxes(labels, tuple((n, self.colour(k)) for k, n in zip(self.statuses, self.status_names)),
                                   _("Groups"))
        ticks = tuple((v, lang.count(v)) for v in charts.count_ticks(charts.nice_ceiling(max(totals, default=0))))
        counts = tuple(t.counts[k] for k in self.statuses)
        rows = tuple((labels[i], *[lang.number(t.counts[k][i]) for k in self.statuses], lang.number(totals[i]))
                     for i in range(len(labels)))
        caption = _("Groups per stage at the end of each period")
        table = Table((_("Period"), *self.status_names, _("Total")), rows)
        if not labels:
            return Figure("timeline", caption, NO_CHART, table, _("No groups."))
        last = ", ".join(f"{lang.number(t.counts[k][-1])} {n}" for k, n in zip(self.statuses, self.status_names))
        desc = _("At the end of %(period)s: %(counts)s.") % {"period": labels[-1], "counts": last}
        svg = charts.timeline_svg(axes, ticks, counts, _("Groups per stage over time in %(area)s") % {"area": name}, desc, "timeline")
        return Figure("timeline", caption, Markup(svg), table)

    def period_label(self, label: str) -> str:
        """'2023 Q2' -> '2023 K2' in Indonesian (kuartal); years stay as they are."""
        _ = self.lang._
        year, _sep, quarter = label.partition(" Q")
        return _("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter} if quarter else year

    def transitions(self, a: Analysis, name: str) -> Figure:
        _ = self.lang._
        lang = self.lang
        t = a.transitions
        counts = tuple(tuple(t.counts[(s, d)] for d in t.targets) for s in t.sources)
        rank = {**self.rank, DISSOLVED: None}
        up = sum(v for (s, d), v in t.counts.items() if d != DISSOLVED and rank[d] > rank[s])
        down = sum(v for (s, d), v in t.counts.items() if d != DISSOLVED and rank[d] < rank[s])
        same = sum(v for (s, d), v in t.counts.items() if d == s)
        gone = sum(v for (s, d), v in t.counts.items() if d == DISSOLVED)
        desc = _("Between consecutive assessments: %(up)s moves up a stage, %(same)s stays, %(down)s falls back; "
                 "%(gone)s groups dissolved after their last assessment.") % {
            "up": lang.number(up), "same": lang.number(same), "down": lang.number(down), "gone": lang.number(gone)}
        caption = _("Stage at one assessment (rows) and at the next, or dissolution (columns)")
        header = (_("From \u2192 to"), *self.matrix_axes.columns)
        if not up + down + same + gone:
            return Figure("transitions", caption, NO_CHART, Table(header, ()), _("No group has been assessed twice yet."))
        svg = charts.matrix_svg(self.matrix_axes, counts, _("Stage transitions in %(area)s") % {"area": name}, desc,
                                "transitions")
        rows = tuple((self.matrix_axes.rows[i], *[lang.number(v) for v in row]) for i, row in enumerate(counts))
        return Figure("transitions", caption, Markup(svg), Table(header, rows))

    def survival(self, a: Analysis, name: str, years: int) -> Figure:
        _ = self.lang._
        lang = self.lang
        by_jenis = {c.jenis: c for c in a.survival}
        curves = tuple((by_jenis[j.key].steps, by_jenis[j.key].censored, by_jenis[j.key].horizon)
                       if j.key in by_jenis else None for j in self.rubric.jenis)
        rows, sentences = [], []
        for j in self.rubric.jenis:
            c = by_jenis.get(j.key)
            if c is None:
                continue
            shares = [c.at(y) for y in SURVIVAL_YEARS]
            cells = [lang.number(round(100 * s)) + "%" if s is not None else "–" for s in shares]
            rows.append((lang.text(j.name), lang.number(c.groups), lang.number(c.dissolved), *cells))
            sentences.append(_("%(jenis)s: %(groups)s groups, %(gone)s dissolved") % {
                "jenis": lang.text(j.name), "groups": lang.number(c.groups), "gone": lang.number(c.dissolved)})
        header = (_("Type"), _("Groups"), _("Dissolved"),
                  *[lang.ngettext("after %(num)d year", "after %(num)d years", y) % {"num": y} for y in SURVIVAL_YEARS])
        caption = _("Share of groups still active, by years since formation (Kaplan–Meier; "
                    "groups still active are counted until the data date)")
        if not sentences:
            return Figure("survival", caption, NO_CHART, Table(header, ()), _("No groups."))
        shown = tuple(i for i, curve in enumerate(curves) if curve is not None)
        svg = charts.survival_svg(self.survival_axes(years, shown), curves,
                                  _("Survival of groups by type in %(area)s") % {"area": name}, "; ".join(sentences) + ".",
                                  "survival")
        return Figure("survival", caption, Markup(svg), Table(header, tuple(rows)))

    def indicators(self, a: Analysis, name: str) -> Figure:
        _ = self.lang._
        lang = self.lang
        items = tuple((lang.text(self.rubric.indicator(m.key).name), float(m.mean), lang.one_decimal(m.mean))
                      for m in a.indicators)
        caption = _("Mean level of each indicator at the latest assessment of active groups, "
                    "weakest first: where facilitators can help most")
        rows = tuple((label, shown, lang.number(m.groups)) for (label, _v, shown), m in zip(items, a.indicators))
        table = Table((_("Indicator"), _("Mean level"), _("Groups")), rows)
        if not items:
            return Figure("indicators", caption, NO_CHART, table, _("No active group has been assessed."))
        weakest = ", ".join(f"{label} ({shown})" for label, _v, shown in items[:3])
        svg = charts.bars_svg(self.bars_axes, items, _("Mean level per indicator in %(area)s") % {"area": name},
                              _("Weakest indicators: %(list)s.") % {"list": weakest}, "indicators")
        return Figure("indicators", caption, Markup(svg), table)

    def mean_assets(self, a: Analysis, name: str) -> Figure:
        _ = self.lang._
        lang = self.lang
        m = a.assets
        keys = [x.key for x in self.rubric.assets]
        first = tuple(float(m.first[k]) for k in keys) if m.groups else None
        latest = tuple(float(m.latest[k]) for k in keys) if m.groups else None
        rows = tuple((lang.text(x.name), lang.one_decimal(m.first[x.key]), lang.one_decimal(m.latest[x.key]))
                     for x in self.rubric.assets) if m.groups else ()
        table = Table((_("Asset"), _("First (mean)"), _("Latest (mean)")), rows)
        title = _("Mean livelihood assets in %(area)s") % {"area": name}
        note = "" if m.groups else _("No assessment has rated the assets yet.")
        figure = self._pentagon(first, latest, table, title, note)
        caption = lang.ngettext("Mean of %(num)d active group's assets at its first and latest rated assessments",
                                "Mean of %(num)d active groups' assets at their first and latest rated assessments",
                                m.groups) % {"num": m.groups}
        return Figure(figure.ident, caption, figure.svg, table, note)

