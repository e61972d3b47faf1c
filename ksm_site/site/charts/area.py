"""The charts of the programme's and each area's page: groups per stage over time, stage transitions,
survival by type, the weakest indicators (the mean asset pentagon is ``group.pentagon_svg``'s)."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from functools import lru_cache

from .frame import (
    FONT_SIZE, Frame, GRID, INK, Map, SERIES_STYLES, SMALL_SIZE, WIDTH, cached_frame, figure, number, svg_path, svg_text,
)


# --------------------------------------------------------------------------
# Groups per stage over time (stacked bars)


def nice_ceiling(value: float) -> int:
    """The smallest of 5, 10, 20, 50, 100, 200, ... that is at least ``value``."""
    top = 5
    while top < value:
        top = top * 2 if str(top)[0] in "15" else top * 5 // 2
    return top


def count_ticks(top: int) -> tuple[int, ...]:
    """Whole-number ticks from 0 to ``top`` (a ``nice_ceiling``), in four or five equal steps."""
    step = top // 5 if str(top)[0] in "15" else top // 4
    return tuple(range(0, top + 1, step))


@dataclass(frozen=True)
class TimelineAxes:
    """What every area's timeline shares: its count axis is drawn with the data (see ``timeline_svg``)."""

    periods: tuple[str, ...]
    series: tuple[tuple[str, str], ...]
    """(name, colour) of each stacked part, bottom first."""
    y_label: str


TICK_SIZE = SMALL_SIZE
CHAR_WIDTH = 0.64
"""A generous mean advance of a DejaVu Sans digit or letter, in ems: enough to tell whether labels fit."""


def period_labels(periods: tuple[str, ...], room: float) -> tuple[int, bool]:
    """How to write ``periods``' labels ``room`` SVG units apart: (every how many periods one is written,
    whether they are turned 45°). Level while they fit at every period or every other one, or while those
    that fit still number five or more (years); else turned (quarters: every third of them would skip about
    the year), as often as their line height allows. The last period always has its label."""
    if not periods:
        return 1, False
    width = max(len(p) for p in periods) * CHAR_WIDTH * TICK_SIZE
    step = max(1, math.ceil(width * 1.2 / room))
    if step <= 2 or math.ceil(len(periods) / step) >= 5:
        return step, False
    return max(1, math.ceil(TICK_SIZE * 1.6 / room)), True


def axis_title(fig, text: str, top: float) -> None:
    """An axis's name written level above its top-left corner, where a phone has room for it (turned along the
    y axis, it would take the width the counts need)."""
    fig.text(6 / WIDTH, 1 - 4 / top, text, ha="left", va="top", fontsize=SMALL_SIZE, color="#333333")


def draw_timeline(axes: TimelineAxes):
    """A fresh figure with the timeline chart's frame, counts from 0 to 1; returns (figure, data axes)."""
    from matplotlib.patches import Rectangle
    n = len(axes.periods)
    height = 260
    fig = figure(height)
    left, width = 0.16, 0.81  # room for a count of 100.000 at the left
    step, rotate = period_labels(axes.periods, width * WIDTH / max(n, 1))
    labels_height = 58 if rotate else 22
    legend_height = 40 if len(axes.series) > 3 else 22
    bottom = (labels_height + legend_height + 6) / height
    ax = fig.add_axes((left, bottom, width, 1 - bottom - 24 / height))
    ax.set_xlim(-0.6, max(n, 1) - 0.4)
    ax.set_ylim(0, 1)
    ax.set_xticks(range(n), [p if (n - 1 - i) % step == 0 else "" for i, p in enumerate(axes.periods)],
                  rotation=45 if rotate else 0, ha="right" if rotate else "center",
                  rotation_mode="anchor" if rotate else "default")
    ax.set_yticks([])
    axis_title(fig, axes.y_label, height)
    ax.tick_params(length=3, labelsize=TICK_SIZE)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles = [Rectangle((0, 0), 1, 1, facecolor=colour, edgecolor="none") for _, colour in axes.series]
    fig.legend(handles, [name for name, _ in axes.series], loc="lower center", ncol=3, frameon=False,
               handlelength=1, columnspacing=1, bbox_to_anchor=(0.5, 0.0))
    return fig, ax


def timeline_frame(axes: TimelineAxes) -> Frame:
    return cached_frame("timeline", draw_timeline, axes)


def timeline_svg(axes: TimelineAxes, ticks: tuple[tuple[int, str], ...], counts: tuple[tuple[int, ...], ...],
                 title: str, desc: str, ident: str) -> str:
    """``ticks``: (count, its label) from 0 to the axis's top (``count_ticks``); ``counts[s][p]``: groups
    of series ``s`` at period ``p``. The count axis (grid, ticks, labels) goes under the bars."""
    frame = timeline_frame(axes)
    top = ticks[-1][0]
    left, _ = frame.point(-0.6, 0)
    right, _ = frame.point(len(axes.periods) - 0.4, 0)
    layer = []
    for value, label in ticks:
        _, y = frame.point(0, value / top)
        if value:  # the axis line is the grid line at 0
            layer.append(f'<path d="M{number(left)} {number(y)} H{number(right)}" stroke="{GRID}" stroke-width="0.8"/>')
        layer.append(f'<path d="M{number(left - 3)} {number(y)} H{number(left)}" stroke="#333333" stroke-width="0.8"/>')
        layer.append(svg_text(left - 5, y + TICK_SIZE * 0.36, label, anchor="end", size=TICK_SIZE, fill="#333333"))
    layer.append(_timeline_bars(frame.map, len(axes.periods), tuple(colour for _, colour in axes.series), counts, top))
    return frame.svg("".join(layer), title, desc, ident)


@lru_cache(maxsize=64)
def _timeline_bars(frame: Map, periods: int, colours: tuple[str, ...], counts: tuple[tuple[int, ...], ...],
                   top: int) -> str:
    bars = []
    for p in range(periods):
        # a period's bars share their x and width; only the stacked heights differ
        x0, _ = frame.point(p - 0.35, 0)
        x1, _ = frame.point(p + 0.35, 0)
        x, width = f'<rect x="{number(x0)}" y="', f'" width="{number(x1 - x0)}" height="'
        base = 0
        for s, colour in enumerate(colours):
            value = counts[s][p]
            if value:
                _, y0 = frame.point(0, base / top)
                _, y1 = frame.point(0, (base + value) / top)
                bars.append(f'{x}{number(y1)}{width}{number(y0 - y1)}" fill="{colour}" stroke="#ffffff" stroke-width="0.6"/>')
            base += value
    return "".join(bars)


# --------------------------------------------------------------------------
# Stage transitions (a matrix)


@dataclass(frozen=True)
class MatrixAxes:
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    row_title: str
    column_title: str


def draw_matrix(axes: MatrixAxes):
    """A fresh figure with the matrix chart's frame; returns (figure, data axes)."""
    from matplotlib.patches import Rectangle
    rows, cols = len(axes.rows), len(axes.columns)
    height = 56 + 34 * rows
    fig = figure(height)
    ax = fig.add_axes((0.22, 4 / height, 0.77, 34 * rows / height))
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xticks(range(cols), axes.columns)
    ax.set_yticks(range(rows), axes.rows)
    ax.set_xlabel(axes.column_title, fontsize=SMALL_SIZE, labelpad=6)
    ax.set_ylabel(axes.row_title, fontsize=SMALL_SIZE)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    for r in range(rows):
        for c in range(cols):
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor="#F4F4F4", edgecolor="#ffffff", linewidth=2))
    return fig, ax


def matrix_frame(axes: MatrixAxes) -> Frame:
    return cached_frame("matrix", draw_matrix, axes)


def matrix_svg(axes: MatrixAxes, counts: tuple[tuple[int, ...], ...], title: str, desc: str, ident: str) -> str:
    """Cells shaded by their share of the row's moves, each with its count."""
    frame = matrix_frame(axes)
    return frame.svg(_matrix_layer(frame.map, counts), title, desc, ident)


@lru_cache(maxsize=64)
def _matrix_layer(frame: Map, counts: tuple[tuple[int, ...], ...]) -> str:
    layer = []
    for r, row in enumerate(counts):
        total = sum(row)
        for c, value in enumerate(row):
            x0, y0 = frame.point(c - 0.5, r - 0.5)
            x1, y1 = frame.point(c + 0.5, r + 0.5)
            share = value / total if total else 0
            if value:
                layer.append(f'<rect x="{number(x0 + 1)}" y="{number(y0 + 1)}" width="{number(x1 - x0 - 2)}" height="{number(y1 - y0 - 2)}" '
                             f'fill="#0072B2" fill-opacity="{number(0.12 + 0.8 * share) if share < 0.95 else 0.92}"/>')
            cx, cy = frame.point(c, r)
            layer.append(svg_text(cx, cy + 4, str(value), anchor="middle", fill="#ffffff" if share > 0.55 else INK,
                               weight="bold" if value else ""))
    return "".join(layer)


# --------------------------------------------------------------------------
# Survival by type (Kaplan–Meier step lines)


@dataclass(frozen=True)
class SurvivalAxes:
    series: tuple[str, ...]
    """Every series' name, in the order of ``SERIES_STYLES``."""
    years: int
    x_label: str
    y_label: str
    shown: tuple[int, ...] | None = None
    """The series the legend names (those the chart draws), by index; None: every one. An area without
    some type of group gets no legend entry for it."""


def draw_survival(axes: SurvivalAxes):
    """A fresh figure with the survival chart's frame; returns (figure, data axes)."""
    from matplotlib.lines import Line2D
    height = 260
    fig = figure(height)
    shown = range(len(axes.series)) if axes.shown is None else axes.shown
    names = [axes.series[i] for i in shown]
    # one row while the names fit across the chart, else two columns
    columns = len(names) if sum(len(n) * CHAR_WIDTH * SMALL_SIZE + 40 for n in names) <= WIDTH - 20 else 2
    rows = math.ceil(len(names) / max(columns, 1))
    bottom = (54 + 18 * rows) / height
    ax = fig.add_axes((0.16, bottom, 0.8, 1 - bottom - 24 / height))
    ax.set_xlim(0, axes.years)
    ax.set_ylim(0, 105)
    step = max(1, math.ceil(axes.years / 8))
    ax.set_xticks(range(0, axes.years + 1, step))
    ax.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel(axes.x_label, fontsize=SMALL_SIZE)
    axis_title(fig, axes.y_label, height)
    ax.tick_params(length=3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles = [Line2D([], [], color=colour, linewidth=2, dashes=[float(v) for v in dash.split()] if dash else (None, None))
               for colour, dash in (SERIES_STYLES[i] for i in shown)]
    if names:
        fig.legend(handles, names, loc="lower center", ncol=columns, frameon=False, bbox_to_anchor=(0.5, 0.0))
    return fig, ax


def survival_frame(axes: SurvivalAxes) -> Frame:
    return cached_frame("survival", draw_survival, axes)


def survival_svg(axes: SurvivalAxes, curves: tuple[tuple[tuple[tuple[float, float], ...], tuple[float, ...], float] | None, ...],
                 title: str, desc: str, ident: str) -> str:
    """``curves[i]``: (steps, censoring times, horizon) of series ``i``, or None when it has no groups."""
    frame = survival_frame(axes)
    return frame.svg(_survival_layer(frame.map, curves), title, desc, ident)


NEAR = 0.5
"""Chart units (under a CSS pixel on any screen) within which a survival curve's points are one point."""


@lru_cache(maxsize=64)
def _survival_layer(frame: Map, curves: tuple) -> str:
    """Each curve as one staircase path and its censored groups as one path of ticks.

    A large programme's curve steps at thousands of days and censors tens of thousands of groups, on a
    chart 340 units wide: the staircase keeps only points at least ``NEAR`` from the last it kept (it
    stays within that of the exact one), and a tick is drawn once per unit of width and height, so the
    chart of 100,000 groups is a few KB like that of 50 (``tests/test_charts.py``)."""
    layer = []
    for (colour, dash), curve in zip(SERIES_STYLES, curves):
        if curve is None:
            continue
        steps, censored, horizon = curve
        points = []
        for (t, s), (t_next, _) in zip(steps, [*steps[1:], (horizon, None)]):
            points += [frame.point(t, 100 * s), frame.point(t_next, 100 * s)]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        layer.append(f'<path d="{svg_path(thinned(points))}" stroke="{colour}" stroke-width="2" fill="none"{dashes}/>')
        times = [time for time, _ in steps]
        ticks = {}
        for t in censored:
            at = bisect.bisect_right(times, t)  # the last step at or before t
            x, y = frame.point(t, 100 * (steps[at - 1][1] if at else 1.0))
            ticks.setdefault((round(x), round(y)), (x, y))
        if ticks:
            marks = "".join(f"M{number(x)} {number(y - 3)}V{number(y + 3)}" for x, y in ticks.values())
            layer.append(f'<path d="{marks}" stroke="{colour}" stroke-width="1"/>')
    return "".join(layer)


def thinned(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """``points`` without those within ``NEAR`` of the last one kept; the last point is always kept."""
    kept = points[:1]
    for x, y in points[1:-1]:
        last_x, last_y = kept[-1]
        if abs(x - last_x) >= NEAR or abs(y - last_y) >= NEAR:
            kept.append((x, y))
    return kept + points[-1:] if len(points) > 1 else kept


# --------------------------------------------------------------------------
# Mean level per indicator (horizontal bars, weakest first)


@dataclass(frozen=True)
class BarsAxes:
    slots: int
    maximum: int
    x_label: str


ROW = 32


def draw_bars(axes: BarsAxes):
    """A fresh figure with the bars chart's frame; returns (figure, data axes)."""
    height = 46 + ROW * axes.slots
    fig = figure(height)
    bottom = 40 / height
    ax = fig.add_axes((0.04, bottom, 0.86, 1 - bottom - 6 / height))  # room at the right for the last value
    ax.set_xlim(0, axes.maximum)
    ax.set_ylim(axes.slots, 0)
    ax.set_xticks(range(axes.maximum + 1))
    ax.set_yticks([])
    ax.xaxis.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel(axes.x_label, fontsize=SMALL_SIZE)
    ax.tick_params(length=3)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return fig, ax


def bars_frame(axes: BarsAxes) -> Frame:
    return cached_frame("bars", draw_bars, axes)


def bars_svg(axes: BarsAxes, items: tuple[tuple[str, float, str], ...], title: str, desc: str, ident: str) -> str:
    """``items``: (label, value, value as text), top to bottom."""
    frame = bars_frame(axes)
    layer = []
    for index, (label, value, shown) in enumerate(items):
        x0, y_label = frame.point(0, index + 0.42)
        _, y0 = frame.point(0, index + 0.58)  # clear of the label's descenders
        x1, y1 = frame.point(value, index + 0.92)
        layer.append(svg_text(x0, y_label, label, size=FONT_SIZE))
        layer.append(f'<rect x="{number(x0)}" y="{number(y0)}" width="{number(max(x1 - x0, 1))}" height="{number(y1 - y0)}" fill="#0072B2"/>')
        layer.append(svg_text(x1 + 4, y1 - 1.5, shown, size=SMALL_SIZE, fill="#333333"))
    return frame.svg("".join(layer), title, desc, ident)

