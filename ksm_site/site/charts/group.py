"""The charts of a group's page: its path through the stages, and its asset pentagon."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

from .frame import (
    BAND_TINTS, DISSOLVED_COLOUR, Frame, INK, Map, SMALL_SIZE, WIDTH, cached_frame, figure, number, status_colour, svg_path,
    svg_text,
)


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


def day_number(value: dt.date) -> float:
    return float(value.toordinal())


def draw_progression(axes: ProgressionAxes):
    """A fresh figure with the progression chart's frame; returns (figure, data axes)."""
    from matplotlib.patches import Rectangle
    fig = figure(190)
    ax = fig.add_axes((0.1, 0.14, 0.86, 0.82))  # room at the right for the ring of a held latest point
    pad = 20
    ax.set_xlim(day_number(axes.start) - pad, day_number(axes.end) + pad)
    ax.set_ylim(0, 100)
    for low, high, rank, name in axes.bands:
        ax.add_patch(Rectangle((day_number(axes.start) - pad, low), day_number(axes.end) - day_number(axes.start) + 2 * pad,
                               high - low, facecolor=BAND_TINTS[rank % len(BAND_TINTS)], linewidth=0, zorder=0))
        # at the band's lower left: early in a group's life its score is rarely just above a band's floor,
        # while its latest assessment, at the right, often is (a group that has just reached a stage)
        ax.text(day_number(axes.start) - pad + 24, low + 2, name, va="bottom", ha="left", fontsize=SMALL_SIZE,
                color="#444444", zorder=1)
    years = range(axes.start.year, axes.end.year + 1)
    step = max(1, math.ceil(len(years) / 7))
    ax.set_xticks([day_number(dt.date(y, 1, 1)) for y in years[::step]], [str(y) for y in years[::step]])
    ax.set_yticks([b[0] for b in axes.bands] + [100], [number(b[0]) for b in axes.bands] + ["100"])
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
    held: tuple[int, ...] = ()
    """Indices of the points whose score lies in a higher stage's band than their stage: a gate held the
    group below it. Each gets a ring (``HELD_RING``), so its colour is not misread as the band's."""


HELD_RING = 8.5
"""Radius of the ring around a held point; a point's dot has a radius of 4.5."""


def progression_svg(axes: ProgressionAxes, data: ProgressionData, title: str, desc: str, ident: str) -> str:
    frame = progression_frame(axes)
    top, bottom = frame.point(0, 100)[1], frame.point(0, 0)[1]
    layer = []

    right = frame.point(day_number(axes.end), 0)[0]

    def mark(day: dt.date, label: str, colour: str, dash: str) -> None:
        x = frame.point(day_number(day), 0)[0]
        layer.append(f'<path d="M{number(x)} {number(bottom)} V{number(top)}" stroke="{colour}" stroke-width="1.2" '
                     f'stroke-dasharray="{dash}" fill="none"/>')
        near_end = x > right - 60
        layer.append(svg_text(x - 3 if near_end else x + 3, top + 11, label, anchor="end" if near_end else "start",
                              size=SMALL_SIZE, fill=colour))

    mark(data.formed, data.formed_label, "#555555", "3 3")
    if data.dissolved is not None:
        mark(data.dissolved, data.dissolved_label, DISSOLVED_COLOUR, "")
    layer.append(_progression_points(frame.map, data.points, data.held))
    return frame.svg("".join(layer), title, desc, ident)


@lru_cache(maxsize=64)
def _progression_points(frame: Map, points: tuple[tuple[dt.date, float, int], ...], held: tuple[int, ...]) -> str:
    """The score line, its dots and the rings of held points: the same in every language (see ``Map``)."""
    at = [frame.point(day_number(day), score) for day, score, _ in points]
    line = f'<path d="{svg_path(at)}" stroke="{INK}" stroke-width="1.6" fill="none"/>' if len(at) > 1 else ""
    rings = "".join(f'<circle class="held" cx="{number(at[i][0])}" cy="{number(at[i][1])}" r="{HELD_RING}" fill="none" '
                    f'stroke="{INK}" stroke-width="1.5"/>' for i in held)
    return line + rings + "".join(f'<circle cx="{number(cx)}" cy="{number(cy)}" r="4.5" fill="{status_colour(rank)}" '
                                  f'stroke="{INK}" stroke-width="1"/>' for (cx, cy), (_, _, rank) in zip(at, points))


# --------------------------------------------------------------------------
# The asset pentagon


@dataclass(frozen=True)
class PentagonAxes:
    labels: tuple[str, ...]
    maximum: int
    legend: tuple[str, str]
    """Names of the outline (first) and the filled shape (latest)."""


def corner(index: int, count: int, value: float) -> tuple[float, float]:
    angle = math.pi / 2 - 2 * math.pi * index / count
    return value * math.cos(angle), value * math.sin(angle)


FIRST_COLOUR = "#777777"
LATEST_COLOUR = "#0072B2"


def draw_pentagon(axes: PentagonAxes):
    """A fresh figure with the pentagon chart's frame; returns (figure, data axes)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon
    n, top = len(axes.labels), axes.maximum
    fig = figure(250)
    ax = fig.add_axes((0.0, 0.1, 1.0, 0.82))
    reach = top * 1.45
    ax.set_xlim(-reach * WIDTH / 205, reach * WIDTH / 205)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.axis("off")
    for ring in range(1, top + 1):
        ax.add_patch(Polygon([corner(i, n, ring) for i in range(n)], closed=True, fill=False,
                             edgecolor="#BBBBBB" if ring < top else "#888888", linewidth=0.8))
    for i, label in enumerate(axes.labels):
        x, y = corner(i, n, top)
        ax.plot([0, x], [0, y], color="#BBBBBB", linewidth=0.8)
        lx, ly = corner(i, n, top * 1.16)
        ha = "center" if abs(lx) < 0.1 else ("left" if lx > 0 else "right")
        va = "bottom" if ly > 0.1 else ("top" if ly < -0.1 else "center")
        ax.text(lx, ly, label, ha=ha, va=va)
    for ring in range(1, top + 1):
        ax.text(0.12, ring + 0.05, str(ring), fontsize=SMALL_SIZE, color="#666666", ha="left", va="bottom")
    handles = [Line2D([], [], color=FIRST_COLOUR, linestyle="--", linewidth=1.5),
               Polygon([(0, 0)], closed=True, facecolor=LATEST_COLOUR, alpha=0.35, edgecolor=LATEST_COLOUR)]
    fig.legend(handles, list(axes.legend), loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, 0.0))
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
        shape = [frame.point(*corner(i, n, v)) for i, v in enumerate(latest)]
        layer.append(f'<path d="{svg_path(shape, close=True)}" fill="{LATEST_COLOUR}" fill-opacity="0.35" '
                     f'stroke="{LATEST_COLOUR}" stroke-width="1.6"/>')
        layer += [f'<circle cx="{number(x)}" cy="{number(y)}" r="2.5" fill="{LATEST_COLOUR}"/>' for x, y in shape]
    if first is not None:
        shape = [frame.point(*corner(i, n, v)) for i, v in enumerate(first)]
        layer.append(f'<path d="{svg_path(shape, close=True)}" fill="none" stroke="{FIRST_COLOUR}" '
                     f'stroke-width="1.5" stroke-dasharray="5 3"/>')
    return "".join(layer)


