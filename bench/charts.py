"""Per-group chart cost: frames drawn once and data spliced in, against a fresh figure per chart.

    .venv/bin/python bench/charts.py [--rounds N] [--baseline-groups N]

Both are measured in the same run on the sample content: for every group,
its two charts (stage progression and asset pentagon) as ksm-site makes
them, and the same two charts drawn the naive way (a new matplotlib figure
for each, the same frame drawn again, the data plotted with matplotlib,
saved as SVG). Prints milliseconds per group and the ratio; the goal is
a ratio of at most 1/20.
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

from ksm_site import charts  # noqa: E402
from ksm_site.analyse import rated  # noqa: E402
from ksm_site.figures import Figures  # noqa: E402
from ksm_site.i18n import Lang  # noqa: E402
from ksm_site.pipeline import make_programme, read_valid_content  # noqa: E402


def naive_group_charts(figures: Figures, group) -> int:
    """The same two charts with a fresh figure each; returns the SVG bytes written."""
    written = 0
    with matplotlib.rc_context(charts.RC):
        fig, ax = charts.draw_progression(figures.progression_axes)
        days = [a.date.toordinal() for a in group.assessments]
        scores = [a.score for a in group.assessments]
        ax.plot(days, scores, color=charts.INK, linewidth=1.6)
        ax.scatter(days, scores, c=[figures.colour(a.stage) for a in group.assessments], edgecolors=charts.INK, zorder=3)
        ax.axvline(group.group.dibentuk.toordinal(), color="#555555", linestyle="--")
        ax.text(group.group.dibentuk.toordinal(), 95, "dibentuk", fontsize=9)
        if group.group.bubar:
            ax.axvline(group.group.bubar.toordinal(), color=charts.DISSOLVED_COLOUR)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        written += len(buffer.getvalue())

        fig, ax = charts.draw_pentagon(figures.pentagon_axes)
        shapes = rated(group)
        n = len(figures.pentagon_axes.labels)
        for assessment, style in ((shapes[0] if len(shapes) > 1 else None, "outline"), (shapes[-1] if shapes else None, "fill")):
            if assessment is None:
                continue
            values = list(assessment.assessment.assets.values())
            corners = [charts._corner(i, n, v) for i, v in enumerate(values)]
            if style == "fill":
                ax.fill([x for x, _ in corners], [y for _, y in corners], color=charts.LATEST_COLOUR, alpha=0.35)
            else:
                ax.plot([x for x, _ in corners] + [corners[0][0]], [y for _, y in corners] + [corners[0][1]],
                        color=charts.FIRST_COLOUR, linestyle="--")
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        written += len(buffer.getvalue())
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="times every group's charts are made (spliced)")
    parser.add_argument("--baseline-groups", type=int, default=20, help="groups drawn the naive way")
    args = parser.parse_args()

    checked = read_valid_content(str(ROOT / "content"), dt.date.today())
    programme = make_programme(checked, None)
    groups = programme.groups

    start = time.perf_counter()
    figures = Figures(programme, checked.rubric, Lang("id"))
    figures.progression(groups[0]), figures.pentagon(groups[0])
    first_call = time.perf_counter() - start  # includes drawing both frames once

    per_round = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for g in groups:
            figures.progression(g)
            figures.pentagon(g)
        per_round.append((time.perf_counter() - start) / len(groups))
    spliced = statistics.median(per_round)

    naive_times = []
    for g in (groups * 10)[: args.baseline_groups]:
        start = time.perf_counter()
        naive_group_charts(figures, g)
        naive_times.append(time.perf_counter() - start)
    naive = statistics.median(naive_times)

    print(f"groups in the sample:           {len(groups)}")
    print(f"first group (draws both frames): {first_call * 1000:8.1f} ms")
    print(f"spliced, per group (2 charts):   {spliced * 1000:8.3f} ms  (median of {args.rounds} rounds)")
    print(f"fresh figures, per group:        {naive * 1000:8.1f} ms  (median of {len(naive_times)} groups)")
    print(f"ratio spliced / fresh:           1/{naive / spliced:.0f}  (goal: 1/20 or better)")


if __name__ == "__main__":
    main()
