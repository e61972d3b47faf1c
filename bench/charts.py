"""Chart cost: frames drawn once and data spliced in, against a fresh figure per chart.

    .venv/bin/python bench/charts.py [--rounds N] [--baseline-groups N] [--baseline-areas N]

Both are measured in the same run on the sample content: for every group,
its two charts (stage progression and asset pentagon) as ksm-site makes
them, and the same two charts drawn the naive way (a new matplotlib figure
for each, the same frame drawn again, the data plotted with matplotlib,
saved as SVG); then the same for the five charts of an area page (the
index and every kota, kecamatan and kelurahan page: timeline, transitions,
survival, indicators, mean assets). Prints milliseconds per group and per
area page and the ratios; the goal for a group is a ratio of at most 1/20.
``bench/scale.py`` takes its naive baseline from here: a naive build draws
every one of these charts with a fresh figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from ksm_site.content.read import read_content  # noqa: E402
from ksm_site.domain.analyse import (  # noqa: E402
    Analysis, Extent, analyse, extent_of, facts_of, rated, summarise, summarise_group,
)
from ksm_site.domain.score import score_group  # noqa: E402
from ksm_site.site import charts  # noqa: E402
from ksm_site.site.charts import area as area_charts  # noqa: E402
from ksm_site.site.charts import frame, group as group_charts  # noqa: E402
from ksm_site.site.figures import Figures  # noqa: E402
from ksm_site.site.i18n import Lang  # noqa: E402


def scored_groups(content_dir: Path) -> tuple[Figures, list, Extent]:
    """Every group of ``content_dir``, scored, the figures of the build's first language and the extent."""
    checked = read_content(str(content_dir), dt.date.today())
    extent = extent_of([facts_of(g) for g in checked.groups], None)
    groups = [score_group(g, checked.rubric, extent.as_of) for g in checked.groups]
    return Figures(checked.rubric, Lang(checked.site.languages[0])), groups, extent


def naive_ms_per_group(figures: Figures, groups: list, extent: Extent, count: int) -> float:
    """Median milliseconds for one group's two charts drawn the naive way, over ``count`` groups."""
    times = []
    for g in (groups * (count // max(len(groups), 1) + 1))[:count]:
        start = time.perf_counter()
        naive_group_charts(figures, g, extent)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def sample_areas(figures: Figures, groups: list, extent: Extent, count: int) -> list[tuple[Analysis, str]]:
    """``count`` areas of the programme of ``groups``, each with its analysis and name as the build makes them.

    The whole programme (the index) comes first; the others are spaced
    evenly through the rest of the areas in slug order, where a kota comes
    just before its kecamatan and a kecamatan just before its kelurahan, so
    each level is sampled about as often as it has pages. Areas repeat when
    ``count`` is more than the programme has.
    """
    summaries = {g.id: summarise_group(g) for g in groups}
    programme = summarise(summaries.values(), figures.rubric, extent.as_of)
    others = sorted(slugs for slugs in programme.areas if slugs)
    chosen = [()] + [others[i * len(others) // (count - 1)] for i in range(count - 1)]
    areas = []
    for slugs in chosen:
        area = programme.areas[slugs]
        analysis = analyse([summaries[i] for i in area.group_ids], figures.rubric, extent.as_of, extent.periods)
        areas.append((analysis, area.names[-1] if slugs else figures.lang._("the whole programme")))
    return areas


def naive_area_ms(figures: Figures, groups: list, extent: Extent, count: int) -> float:
    """Median milliseconds for one area page's five charts drawn the naive way, over ``count`` areas of the
    programme of ``groups`` (``sample_areas``; the analyses are made before the clock starts)."""
    times = []
    for analysis, name in sample_areas(figures, groups, extent, count):
        start = time.perf_counter()
        naive_area_charts(figures, analysis, name, extent)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def svg_bytes(fig, title: str | None = None) -> int:
    """Bytes of ``fig`` saved as SVG, with ``title`` as its title if given."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None} if title is None else {"Date": None, "Title": title})
    return len(buffer.getvalue())


def plot_pentagon(ax, figures: Figures, first, latest) -> None:
    """The first values (or None) as an outline, the latest (or None) filled."""
    n = len(figures.pentagon_axes.labels)
    for values, style in ((first, "outline"), (latest, "fill")):
        if values is None:
            continue
        corners = [charts.corner(i, n, v) for i, v in enumerate(values)]
        if style == "fill":
            ax.fill([x for x, _ in corners], [y for _, y in corners], color=group_charts.LATEST_COLOUR, alpha=0.35)
        else:
            ax.plot([x for x, _ in corners] + [corners[0][0]], [y for _, y in corners] + [corners[0][1]],
                    color=group_charts.FIRST_COLOUR, linestyle="--")


def naive_group_charts(figures: Figures, group, extent: Extent) -> int:
    """The same two charts with a fresh figure each; returns the SVG bytes written."""
    written = 0
    with matplotlib.rc_context(frame.RC):
        fig, ax = group_charts.draw_progression(figures.progression_axes(extent.axis))
        days = [a.date.toordinal() for a in group.assessments]
        scores = [a.score for a in group.assessments]
        ax.plot(days, scores, color=frame.INK, linewidth=1.6)
        ax.scatter(days, scores, c=[figures.colour(a.stage) for a in group.assessments], edgecolors=frame.INK, zorder=3)
        ax.axvline(group.group.dibentuk.toordinal(), color="#555555", linestyle="--")
        ax.text(group.group.dibentuk.toordinal(), 95, "dibentuk", fontsize=9)
        if group.group.bubar:
            ax.axvline(group.group.bubar.toordinal(), color=frame.DISSOLVED_COLOUR)
        written += svg_bytes(fig)

        fig, ax = group_charts.draw_pentagon(figures.pentagon_axes)
        shapes = [list(a.assessment.assets.values()) for a in rated(group)]
        plot_pentagon(ax, figures, shapes[0] if len(shapes) > 1 else None, shapes[-1] if shapes else None)
        written += svg_bytes(fig)
    return written


def naive_area_charts(figures: Figures, analysis: Analysis, name: str, extent: Extent) -> int:
    """An area page's five charts (``Figures.area``) with a fresh figure each, from the same frame functions
    and axes; ``name`` (the area's) titles each SVG, as it does the site's. Returns the SVG bytes written."""
    _ = figures.lang._
    written = 0
    with matplotlib.rc_context(frame.RC):
        # timeline: stacked bars of groups per stage, on the area's own count axis
        t = analysis.timeline
        periods = range(len(t.labels))
        series = tuple((n, figures.colour(k)) for k, n in zip(figures.statuses, figures.status_names))
        axes = charts.TimelineAxes(tuple(figures.period_label(label) for label in t.labels), series, _("Groups"))
        fig, ax = area_charts.draw_timeline(axes)
        top = charts.nice_ceiling(max((sum(t.counts[k][p] for k in figures.statuses) for p in periods),
                                      default=0))
        ticks = charts.count_ticks(top)
        ax.set_ylim(0, top)
        ax.set_yticks(ticks, [figures.lang.count(v) for v in ticks])
        ax.yaxis.grid(True, color=frame.GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        base = [0] * len(periods)
        for k in figures.statuses:
            ax.bar(periods, t.counts[k], width=0.7, bottom=base, color=figures.colour(k), edgecolor="#ffffff",
                   linewidth=0.6)
            base = [b + v for b, v in zip(base, t.counts[k])]
        written += svg_bytes(fig, name)

        # transitions: each cell shaded by its share of the row, with its count
        m = analysis.transitions
        fig, ax = area_charts.draw_matrix(figures.matrix_axes)
        for r, source in enumerate(m.sources):
            row = [m.counts[(source, target)] for target in m.targets]
            for c, value in enumerate(row):
                share = value / sum(row) if value else 0
                if value:
                    ax.add_patch(Rectangle((c - 0.45, r - 0.45), 0.9, 0.9, facecolor="#0072B2",
                                           alpha=min(0.12 + 0.8 * share, 0.92)))
                ax.text(c, r, str(value), ha="center", va="center", color="#ffffff" if share > 0.55 else frame.INK,
                        fontweight="bold" if value else "normal")
        written += svg_bytes(fig, name)

        # survival: a Kaplan–Meier step line per group type, a tick where a group leaves the observation
        fig, ax = area_charts.draw_survival(figures.survival_axes(extent.survival_years))
        curves = {c.jenis: c for c in analysis.survival}
        for (colour, dash), jenis in zip(frame.SERIES_STYLES, figures.rubric.jenis):
            c = curves.get(jenis.key)
            if c is None:
                continue
            shares = [100 * s for _, s in c.steps]
            ax.step([t for t, _ in c.steps] + [c.horizon], shares + shares[-1:], where="post", color=colour,
                    linewidth=2, linestyle=(0, [float(v) for v in dash.split()]) if dash else "-")
            ax.plot(c.censored, [100 * c.at(t) for t in c.censored], linestyle="none", marker="|", color=colour)
        written += svg_bytes(fig, name)

        # indicators: the mean level of each, weakest first, a label above each bar and its value beside it
        fig, ax = area_charts.draw_bars(figures.bars_axes)
        means = [float(i.mean) for i in analysis.indicators]
        ax.barh([n + 0.71 for n in range(len(means))], means, height=0.38, color="#0072B2")
        for n, (i, mean) in enumerate(zip(analysis.indicators, means)):
            ax.text(0, n + 0.42, figures.lang.text(figures.rubric.indicator(i.key).name), fontsize=10)
            ax.text(mean, n + 0.9, " " + figures.lang.one_decimal(i.mean), fontsize=9, color="#333333")
        written += svg_bytes(fig, name)

        # mean assets: the pentagon of the means at the first and latest rated assessments
        a = analysis.assets
        fig, ax = group_charts.draw_pentagon(figures.pentagon_axes)
        keys = [x.key for x in figures.rubric.assets]
        if a.groups:
            plot_pentagon(ax, figures, [float(a.first[k]) for k in keys], [float(a.latest[k]) for k in keys])
        written += svg_bytes(fig, name)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="times every group's charts are made (spliced)")
    parser.add_argument("--baseline-groups", type=int, default=20, help="groups drawn the naive way")
    parser.add_argument("--baseline-areas", type=int, default=10, help="area pages drawn the naive way")
    args = parser.parse_args()

    figures, groups, extent = scored_groups(ROOT / "content")

    start = time.perf_counter()
    figures.progression(groups[0], extent.axis), figures.pentagon(groups[0])
    first_call = time.perf_counter() - start  # includes drawing both frames once

    per_round = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for g in groups:
            figures.progression(g, extent.axis)
            figures.pentagon(g)
        per_round.append((time.perf_counter() - start) / len(groups))
    spliced = statistics.median(per_round)

    naive = naive_ms_per_group(figures, groups, extent, args.baseline_groups) / 1000

    areas = sample_areas(figures, groups, extent, args.baseline_areas)
    figures.area(*areas[0], extent.survival_years)  # draws the five frames
    per_round = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for area in areas:
            figures.area(*area, extent.survival_years)
        per_round.append((time.perf_counter() - start) / len(areas))
    spliced_area = statistics.median(per_round)
    naive_area = naive_area_ms(figures, groups, extent, args.baseline_areas) / 1000

    print(f"groups in the sample:           {len(groups)}")
    print(f"first group (draws both frames): {first_call * 1000:8.1f} ms")
    print(f"spliced, per group (2 charts):   {spliced * 1000:8.3f} ms  (median of {args.rounds} rounds)")
    print(f"fresh figures, per group:        {naive * 1000:8.1f} ms  (median of {args.baseline_groups} groups)")
    print(f"ratio spliced / fresh:           1/{naive / spliced:.0f}  (goal: 1/20 or better)")
    print(f"spliced, per area (5 charts):    {spliced_area * 1000:8.3f} ms  (median of {args.rounds} rounds "
          f"over {len(areas)} areas)")
    print(f"fresh figures, per area:         {naive_area * 1000:8.1f} ms  (median of {len(areas)} areas)")
    print(f"ratio spliced / fresh:           1/{naive_area / spliced_area:.0f}")


if __name__ == "__main__":
    main()
