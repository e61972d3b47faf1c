"""Chart data -> SVG text: matplotlib draws each chart's frame once, data is spliced in.

A fresh matplotlib figure per chart costs tens of milliseconds; a site has
two charts per group and five per area. So each chart type's *frame* —
axes, ticks, grid, stage bands, legend, every label that does not depend on
one group — is drawn once per process with matplotlib's object API (no
pyplot state) and kept as SVG text, together with the affine map from data
coordinates to SVG coordinates that matplotlib used. A chart is then the
frame with a data layer (paths, circles, small text) written here from that
map: microseconds instead of a figure.

Frames are kept per process (``cached_frame``) and can be handed from one process
or build to the next (``add_frames``, ``take_drawn_frames``): the build's
cache keeps them, so a rebuild that draws no new frame never imports
matplotlib at all (importing it costs more than a rebuild's budget).

What varies per chart never changes a frame: every group's progression
chart shares the programme's time axis and the rubric's stage bands (so
groups are comparable at a glance), the timeline's count axis (a "nice"
maximum, 1, 2, 5 × 10^k, with whole-number ticks) is written in the data
layer so every area shares one frame, and the indicator chart writes its
(per-area, sorted) labels there too.

Determinism: fixed ``svg.hashsalt``, no date metadata, the bundled DejaVu
Sans font, text as SVG text (``svg.fonttype: none``), every number written
with at most one decimal. Text is never parsed as mathtext
(``text.parse_math: False``) and the data layer escapes what it writes.
Element ids get a per-chart prefix so several charts can share a page.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import io
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, NamedTuple

FONT = "DejaVu Sans"
FONT_SIZE = 11
RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "ksm-site",
    "font.family": FONT,
    "font.size": FONT_SIZE,
    "text.parse_math": False,
    "text.usetex": False,
    "axes.unicode_minus": False,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "axes.labelcolor": "#333333",
}
WIDTH = 340
"""Chart width in SVG units (points). Near a phone's 360 CSS pixels, so text stays legible there."""
INK = "#1b1b1b"
GRID = "#DDDDDD"

# The site's colours (templates/static/style.css uses the same): Okabe–Ito,
# distinct for colour-blind readers; stages by rank, then the two statuses.
STAGE_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2")
NOT_ASSESSED_COLOUR = "#BBBBBB"
DISSOLVED_COLOUR = "#444444"
BAND_TINTS = ("#FBE7C0", "#D5ECF8", "#C2EADC", "#F2DDEA", "#BFDCEC")
SERIES_STYLES = (("#0072B2", ""), ("#D55E00", "6 3"), ("#333333", "2 2"), ("#CC79A7", "8 3 2 3"))
"""Colour and SVG dash pattern of the 1st, 2nd, ... line of a multi-line chart."""


def status_colour(rank: int | None, dissolved: bool = False) -> str:
    """Colour of a stage by its rank, or of ``belum-dinilai`` (rank None) and ``bubar``."""
    if dissolved:
        return DISSOLVED_COLOUR
    return NOT_ASSESSED_COLOUR if rank is None else STAGE_COLOURS[rank % len(STAGE_COLOURS)]


# --------------------------------------------------------------------------
# Frames


class Map(NamedTuple):
    """A frame's data -> SVG map.

    The frames of one chart kind in different languages differ in their
    labels only, never in this map; so the part of a data layer that holds
    no text is made once per build for all its languages, by functions kept
    with ``lru_cache`` that take the map (``Frame.map``) and the data.
    """

    x: tuple[float, float]
    """SVG x = x[0] * data x + x[1]."""
    y: tuple[float, float]
    """SVG y = y[0] * data y + y[1]."""

    def point(self, x: float, y: float) -> tuple[float, float]:
        return self.x[0] * x + self.x[1], self.y[0] * y + self.y[1]


@dataclass(frozen=True)
class Frame:
    """A drawn chart without its data: SVG before and after the data layer, and the data -> SVG map."""

    head: str
    tail: str
    width: float
    height: float
    x: tuple[float, float]
    """See ``Map``."""
    y: tuple[float, float]

    point = Map.point

    @property
    def map(self) -> Map:
        return Map(self.x, self.y)

    def svg(self, layer: str, title: str, desc: str, ident: str) -> str:
        """The finished chart; ``ident`` prefixes its ids and names its title and description."""
        head = self.head.replace("__ID__", ident)
        tail = self.tail.replace("__ID__", ident)
        root = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                f'viewBox="0 0 {_n(self.width)} {_n(self.height)}" class="chart" role="img" '
                f'aria-labelledby="{ident}-title {ident}-desc">'
                f'<title id="{ident}-title">{html.escape(title, quote=False)}</title>'
                f'<desc id="{ident}-desc">{html.escape(desc, quote=False)}</desc>')
        return root + head + f'<g class="data">{layer}</g>' + tail + "</svg>"


_DATA_LAYER = "ksm-data-layer"


def _figure(height: float):
    from matplotlib.figure import Figure
    return Figure(figsize=(WIDTH / 72, height / 72), dpi=72)


def _anchor_data_layer(ax) -> None:
    """An invisible artist whose group in the SVG marks where the data layer goes."""
    from matplotlib.lines import Line2D
    ax.add_line(Line2D([0], [0], alpha=0, gid=_DATA_LAYER, zorder=2.5))


def load_matplotlib() -> None:
    """Import what drawing a frame takes (a third of a second): a build does it once, while its workers
    parse, so the workers forked after that inherit it instead of each importing it again."""
    # numpy's BLAS threads would spin on the cores the build's workers need, for matrices of 3 x 3
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    import matplotlib.backends.backend_svg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import matplotlib.lines  # noqa: F401
    import matplotlib.patches  # noqa: F401


def _make_frame(draw, axes) -> Frame:
    """Draw a frame with ``draw(axes) -> (figure, axes)`` and keep it as SVG text with its data map."""
    load_matplotlib()
    import matplotlib
    with matplotlib.rc_context(RC):
        fig, ax = draw(axes)
        _anchor_data_layer(ax)
        return _frame(fig, ax)


FrameKey = tuple[str, Any]
"""(chart kind, its axes value): what a frame is drawn from."""

_frames: dict[FrameKey, Frame] = {}
_drawn: dict[FrameKey, Frame] = {}


def cached_frame(kind: str, draw: Callable, axes) -> Frame:
    """The frame of ``kind`` for ``axes``: one known already, or drawn now with ``draw(axes)``."""
    key = (kind, axes)
    found = _frames.get(key)
    if found is None:
        found = _frames[key] = _drawn[key] = _make_frame(draw, axes)
    return found


def add_frames(frames: dict[FrameKey, Frame]) -> None:
    """Frames drawn by another process or build, to use instead of drawing them again."""
    _frames.update(frames)


def take_drawn_frames() -> dict[FrameKey, Frame]:
    """The frames this process has drawn since the last call."""
    drawn = dict(_drawn)
    _drawn.clear()
    return drawn


def _frame(fig, ax) -> Frame:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    to_display = ax.transData
    (x0, y0), (x1, _), (_, y1) = to_display.transform([(0, 0), (1, 0), (0, 1)])
    height = fig.get_figheight() * 72
    # matplotlib's SVG flips y: svg y = height - display y (display units are points at 72 dpi)
    x_map = (float(x1 - x0), float(x0))
    y_map = (float(-(y1 - y0)), float(height - y0))
    head, tail = _clean(text)
    return Frame(head, tail, float(fig.get_figwidth() * 72), float(height), x_map, y_map)


_NUMBER = re.compile(r"-?\d+\.\d{2,}")


def _clean(svg: str) -> tuple[str, str]:
    """matplotlib's SVG body, compact, with prefixed ids, split at the data layer."""
    body = svg[svg.index("<svg"):]
    body = body[body.index(">") + 1: body.rindex("</svg>")]
    body = re.sub(r"<metadata>.*?</metadata>", "", body, flags=re.S)
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    body = re.sub(r">\s+<", "><", body)
    body = re.sub(r"\s*\n\s*", " ", body)
    body = _NUMBER.sub(lambda m: _n(float(m.group())), body)
    body = re.sub(r' transform="rotate\(-?0 [^"]*\)"', "", body)
    defined = set(re.findall(r' id="([^"]+)"', body))
    referenced = defined & set(re.findall(r"#([A-Za-z_][\w.-]*)", body))
    body = re.sub(r' id="([^"]+)"', lambda m: f' id="__ID__-{m.group(1)}"' if m.group(1) in referenced
                  or m.group(1) == _DATA_LAYER else "", body)
    body = re.sub(r"#([A-Za-z_][\w.-]*)", lambda m: f"#__ID__-{m.group(1)}" if m.group(1) in referenced else m.group(0), body)
    match = re.search(r'<g id="__ID__-' + _DATA_LAYER + r'">.*?</g>', body, flags=re.S)
    return body[: match.start()], body[match.end():]


def _n(value: float) -> str:
    """A number with at most one decimal, no trailing zeros: 12, 12.5, -3."""
    text = "%.1f" % value  # a chart writes some hundred numbers: the shortest way is worth it
    if text[-1] == "0":  # one decimal: it ends in ".0"
        text = text[:-2]
        if text == "-0":
            return "0"
    return text


def _text(x: float, y: float, content: str, anchor: str = "start", size: float = FONT_SIZE,
          fill: str = INK, weight: str = "") -> str:
    bold = ' font-weight="bold"' if weight else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-family="{FONT}, sans-serif" font-size="{_n(size)}" '
            f'text-anchor="{anchor}" fill="{fill}"{bold}>{html.escape(content, quote=False)}</text>')


def _path(points: list[tuple[float, float]], close: bool = False) -> str:
    if not points:
        return ""
    d = "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in points)
    return d + (" Z" if close else "")


# --------------------------------------------------------------------------
# A group's path through the stages


@dataclass(frozen=True)
class ProgressionAxes:
    """What a group's progression chart shares with every other group's."""

    start: dt.date
    """1 January of the first year any group was formed."""
    end: dt.date
    """The as-of date."""
    bands: tuple[tuple[float, float, int, str], ...]
    """(lowest score, highest score, stage rank, stage name), from the rubric."""


def _day(value: dt.date) -> float:
    return float(value.toordinal())


def draw_progression(axes: ProgressionAxes):
    """A fresh figure with the progression chart's frame; returns (figure, data axes)."""
    from matplotlib.patches import Rectangle
    fig = _figure(190)
    ax = fig.add_axes((0.08, 0.13, 0.9, 0.83))
    pad = 20
    ax.set_xlim(_day(axes.start) - pad, _day(axes.end) + pad)
    ax.set_ylim(0, 100)
    for low, high, rank, name in axes.bands:
        ax.add_patch(Rectangle((_day(axes.start) - pad, low), _day(axes.end) - _day(axes.start) + 2 * pad,
                               high - low, facecolor=BAND_TINTS[rank % len(BAND_TINTS)], linewidth=0, zorder=0))
        ax.text(_day(axes.end) + pad - 8, low + 2, name, va="bottom", ha="right", fontsize=9, color="#444444",
                zorder=1)
    years = range(axes.start.year, axes.end.year + 1)
    step = max(1, math.ceil(len(years) / 7))
    ax.set_xticks([_day(dt.date(y, 1, 1)) for y in years[::step]], [str(y) for y in years[::step]])
    ax.set_yticks([b[0] for b in axes.bands] + [100], [_n(b[0]) for b in axes.bands] + ["100"])
    ax.tick_params(length=3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def progression_frame(axes: ProgressionAxes) -> Frame:
    return cached_frame("progression", draw_progression, axes)


@dataclass(frozen=True)
class ProgressionData:
    points: tuple[tuple[dt.date, float, int], ...]
    """(assessment date, score, stage rank), by date."""
    formed: dt.date
    dissolved: dt.date | None
    formed_label: str
    dissolved_label: str


def progression_svg(axes: ProgressionAxes, data: ProgressionData, title: str, desc: str, ident: str) -> str:
    frame = progression_frame(axes)
    top, bottom = frame.point(0, 100)[1], frame.point(0, 0)[1]
    layer = []

    right = frame.point(_day(axes.end), 0)[0]

    def mark(day: dt.date, label: str, colour: str, dash: str) -> None:
        x = frame.point(_day(day), 0)[0]
        layer.append(f'<path d="M{_n(x)} {_n(bottom)} V{_n(top)}" stroke="{colour}" stroke-width="1.2" '
                     f'stroke-dasharray="{dash}" fill="none"/>')
        near_end = x > right - 60
        layer.append(_text(x - 3 if near_end else x + 3, top + 10, label, anchor="end" if near_end else "start",
                           size=9, fill=colour))

    mark(data.formed, data.formed_label, "#555555", "3 3")
    if data.dissolved is not None:
        mark(data.dissolved, data.dissolved_label, DISSOLVED_COLOUR, "")
    layer.append(_progression_points(frame.map, data.points))
    return frame.svg("".join(layer), title, desc, ident)


@lru_cache(maxsize=64)
def _progression_points(frame: Map, points: tuple[tuple[dt.date, float, int], ...]) -> str:
    """The score line and its dots: the same in every language (see ``Map``)."""
    at = [frame.point(_day(day), score) for day, score, _ in points]
    line = f'<path d="{_path(at)}" stroke="{INK}" stroke-width="1.6" fill="none"/>' if len(at) > 1 else ""
    return line + "".join(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="4.5" fill="{status_colour(rank)}" '
                          f'stroke="{INK}" stroke-width="1"/>' for (cx, cy), (_, _, rank) in zip(at, points))


# --------------------------------------------------------------------------
# The asset pentagon


@dataclass(frozen=True)
class PentagonAxes:
    labels: tuple[str, ...]
    maximum: int
    legend: tuple[str, str]
    """Names of the outline (first) and the filled shape (latest)."""


def _corner(index: int, count: int, value: float) -> tuple[float, float]:
    angle = math.pi / 2 - 2 * math.pi * index / count
    return value * math.cos(angle), value * math.sin(angle)


FIRST_COLOUR = "#777777"
LATEST_COLOUR = "#0072B2"


def draw_pentagon(axes: PentagonAxes):
    """A fresh figure with the pentagon chart's frame; returns (figure, data axes)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon
    n, top = len(axes.labels), axes.maximum
    fig = _figure(250)
    ax = fig.add_axes((0.0, 0.1, 1.0, 0.82))
    reach = top * 1.45
    ax.set_xlim(-reach * WIDTH / 205, reach * WIDTH / 205)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.axis("off")
    for ring in range(1, top + 1):
        ax.add_patch(Polygon([_corner(i, n, ring) for i in range(n)], closed=True, fill=False,
                             edgecolor="#BBBBBB" if ring < top else "#888888", linewidth=0.8))
    for i, label in enumerate(axes.labels):
        x, y = _corner(i, n, top)
        ax.plot([0, x], [0, y], color="#BBBBBB", linewidth=0.8)
        lx, ly = _corner(i, n, top * 1.16)
        ha = "center" if abs(lx) < 0.1 else ("left" if lx > 0 else "right")
        va = "bottom" if ly > 0.1 else ("top" if ly < -0.1 else "center")
        ax.text(lx, ly, label, ha=ha, va=va)
    for ring in range(1, top + 1):
        ax.text(0.12, ring + 0.05, str(ring), fontsize=8, color="#777777", ha="left", va="bottom")
    handles = [Line2D([], [], color=FIRST_COLOUR, linestyle="--", linewidth=1.5),
               Polygon([(0, 0)], closed=True, facecolor=LATEST_COLOUR, alpha=0.35, edgecolor=LATEST_COLOUR)]
    fig.legend(handles, list(axes.legend), loc="lower center", ncol=2, frameon=False, fontsize=9,
               bbox_to_anchor=(0.5, 0.0))
    return fig, ax


def pentagon_frame(axes: PentagonAxes) -> Frame:
    return cached_frame("pentagon", draw_pentagon, axes)


def pentagon_svg(axes: PentagonAxes, first: tuple[float, ...] | None, latest: tuple[float, ...] | None,
                 title: str, desc: str, ident: str) -> str:
    frame = pentagon_frame(axes)
    return frame.svg(_pentagon_layer(frame.map, len(axes.labels), first, latest), title, desc, ident)


@lru_cache(maxsize=64)
def _pentagon_layer(frame: Map, n: int, first: tuple[float, ...] | None, latest: tuple[float, ...] | None) -> str:
    layer = []
    if latest is not None:
        shape = [frame.point(*_corner(i, n, v)) for i, v in enumerate(latest)]
        layer.append(f'<path d="{_path(shape, close=True)}" fill="{LATEST_COLOUR}" fill-opacity="0.35" '
                     f'stroke="{LATEST_COLOUR}" stroke-width="1.6"/>')
        layer += [f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5" fill="{LATEST_COLOUR}"/>' for x, y in shape]
    if first is not None:
        shape = [frame.point(*_corner(i, n, v)) for i, v in enumerate(first)]
        layer.append(f'<path d="{_path(shape, close=True)}" fill="none" stroke="{FIRST_COLOUR}" '
                     f'stroke-width="1.5" stroke-dasharray="5 3"/>')
    return "".join(layer)


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


TICK_SIZE = 9


def draw_timeline(axes: TimelineAxes):
    """A fresh figure with the timeline chart's frame, counts from 0 to 1; returns (figure, data axes)."""
    from matplotlib.patches import Rectangle
    n = len(axes.periods)
    fig = _figure(250)
    rotate = n > 10
    ax = fig.add_axes((0.15, 0.34 if rotate else 0.24, 0.82, 0.63 if rotate else 0.73))
    ax.set_xlim(-0.6, max(n, 1) - 0.4)
    ax.set_ylim(0, 1)
    ax.set_xticks(range(n), axes.periods, rotation=45 if rotate else 0, ha="right" if rotate else "center")
    ax.set_yticks([])
    ax.set_ylabel(axes.y_label)
    ax.yaxis.set_label_coords(-0.1, 0.5)  # clear of the widest count the data layer writes
    ax.tick_params(length=3, labelsize=TICK_SIZE)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles = [Rectangle((0, 0), 1, 1, facecolor=colour, edgecolor="none") for _, colour in axes.series]
    fig.legend(handles, [name for name, _ in axes.series], loc="lower center", ncol=3, frameon=False,
               fontsize=9, handlelength=1, columnspacing=1, bbox_to_anchor=(0.5, 0.0))
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
            layer.append(f'<path d="M{_n(left)} {_n(y)} H{_n(right)}" stroke="{GRID}" stroke-width="0.8"/>')
        layer.append(f'<path d="M{_n(left - 3)} {_n(y)} H{_n(left)}" stroke="#333333" stroke-width="0.8"/>')
        layer.append(_text(left - 5, y + 3.2, label, anchor="end", size=TICK_SIZE, fill="#333333"))
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
        x, width = f'<rect x="{_n(x0)}" y="', f'" width="{_n(x1 - x0)}" height="'
        base = 0
        for s, colour in enumerate(colours):
            value = counts[s][p]
            if value:
                _, y0 = frame.point(0, base / top)
                _, y1 = frame.point(0, (base + value) / top)
                bars.append(f'{x}{_n(y1)}{width}{_n(y0 - y1)}" fill="{colour}" stroke="#ffffff" stroke-width="0.6"/>')
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
    height = 48 + 34 * rows
    fig = _figure(height)
    ax = fig.add_axes((0.24, 4 / height, 0.74, 34 * rows / height))
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xticks(range(cols), axes.columns, fontsize=9)
    ax.set_yticks(range(rows), axes.rows, fontsize=9)
    ax.set_xlabel(axes.column_title, fontsize=9)
    ax.set_ylabel(axes.row_title, fontsize=9)
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
                layer.append(f'<rect x="{_n(x0 + 1)}" y="{_n(y0 + 1)}" width="{_n(x1 - x0 - 2)}" height="{_n(y1 - y0 - 2)}" '
                             f'fill="#0072B2" fill-opacity="{_n(0.12 + 0.8 * share) if share < 0.95 else 0.92}"/>')
            cx, cy = frame.point(c, r)
            layer.append(_text(cx, cy + 4, str(value), anchor="middle", fill="#ffffff" if share > 0.55 else INK,
                               weight="bold" if value else ""))
    return "".join(layer)


# --------------------------------------------------------------------------
# Survival by type (Kaplan–Meier step lines)


@dataclass(frozen=True)
class SurvivalAxes:
    series: tuple[str, ...]
    years: int
    x_label: str
    y_label: str


def draw_survival(axes: SurvivalAxes):
    """A fresh figure with the survival chart's frame; returns (figure, data axes)."""
    from matplotlib.lines import Line2D
    fig = _figure(240)
    ax = fig.add_axes((0.13, 0.3, 0.84, 0.66))
    ax.set_xlim(0, axes.years)
    ax.set_ylim(0, 105)
    step = max(1, math.ceil(axes.years / 8))
    ax.set_xticks(range(0, axes.years + 1, step))
    ax.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel(axes.x_label)
    ax.set_ylabel(axes.y_label)
    ax.tick_params(length=3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles = [Line2D([], [], color=colour, linewidth=2,
                      dashes=[float(v) for v in dash.split()] if dash else (None, None))
               for (colour, dash), _ in zip(SERIES_STYLES, axes.series)]
    fig.legend(handles, list(axes.series), loc="lower center", ncol=3, frameon=False, fontsize=9,
               bbox_to_anchor=(0.5, 0.0))
    return fig, ax


def survival_frame(axes: SurvivalAxes) -> Frame:
    return cached_frame("survival", draw_survival, axes)


def survival_svg(axes: SurvivalAxes, curves: tuple[tuple[tuple[tuple[float, float], ...], tuple[float, ...], float] | None, ...],
                 title: str, desc: str, ident: str) -> str:
    """``curves[i]``: (steps, censoring times, horizon) of series ``i``, or None when it has no groups."""
    frame = survival_frame(axes)
    return frame.svg(_survival_layer(frame.map, curves), title, desc, ident)


@lru_cache(maxsize=64)
def _survival_layer(frame: Map, curves: tuple) -> str:
    layer = []
    for (colour, dash), curve in zip(SERIES_STYLES, curves):
        if curve is None:
            continue
        steps, censored, horizon = curve
        points = []
        for (t, s), (t_next, _) in zip(steps, [*steps[1:], (horizon, None)]):
            points += [frame.point(t, 100 * s), frame.point(t_next, 100 * s)]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        layer.append(f'<path d="{_path(points)}" stroke="{colour}" stroke-width="2" fill="none"{dashes}/>')
        times = [time for time, _ in steps]
        for t in censored:
            at = bisect.bisect_right(times, t)  # the last step at or before t
            value = steps[at - 1][1] if at else 1.0
            x, y = frame.point(t, 100 * value)
            layer.append(f'<path d="M{_n(x)} {_n(y - 3)} V{_n(y + 3)}" stroke="{colour}" stroke-width="1"/>')
    return "".join(layer)


# --------------------------------------------------------------------------
# Mean level per indicator (horizontal bars, weakest first)


@dataclass(frozen=True)
class BarsAxes:
    slots: int
    maximum: int
    x_label: str


ROW = 30


def draw_bars(axes: BarsAxes):
    """A fresh figure with the bars chart's frame; returns (figure, data axes)."""
    height = 40 + ROW * axes.slots
    fig = _figure(height)
    bottom = 34 / height
    ax = fig.add_axes((0.04, bottom, 0.9, 1 - bottom - 6 / height))
    ax.set_xlim(0, axes.maximum)
    ax.set_ylim(axes.slots, 0)
    ax.set_xticks(range(axes.maximum + 1))
    ax.set_yticks([])
    ax.xaxis.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel(axes.x_label, fontsize=9)
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
        _, y0 = frame.point(0, index + 0.52)
        x1, y1 = frame.point(value, index + 0.9)
        layer.append(_text(x0, y_label, label, size=10))
        layer.append(f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(max(x1 - x0, 1))}" height="{_n(y1 - y0)}" fill="#0072B2"/>')
        layer.append(_text(x1 + 4, y1 - 2, shown, size=9, fill="#333333"))
    return frame.svg("".join(layer), title, desc, ident)

