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

from .area import (
    BarsAxes, MatrixAxes, SurvivalAxes, TimelineAxes, bars_frame, bars_svg, count_ticks, matrix_frame, matrix_svg,
    nice_ceiling, survival_frame, survival_svg, timeline_frame, timeline_svg,
)
from .frame import (
    BAND_TINTS, DISSOLVED_COLOUR, FONT, FONT_SIZE, GRID, INK, NOT_ASSESSED_COLOUR, RC, SERIES_STYLES, STAGE_COLOURS,
    WIDTH, Frame, Map, add_frames, load_matplotlib, status_colour, take_drawn_frames,
)
from .group import (
    PentagonAxes, ProgressionAxes, ProgressionData, corner, pentagon_frame, pentagon_svg, progression_frame,
    progression_svg,
)

__all__ = [
    "BAND_TINTS", "DISSOLVED_COLOUR", "GRID", "INK", "NOT_ASSESSED_COLOUR", "RC", "SERIES_STYLES", "STAGE_COLOURS",
    "BarsAxes", "FONT", "FONT_SIZE", "Frame", "Map", "MatrixAxes", "PentagonAxes", "ProgressionAxes", "ProgressionData",
    "SurvivalAxes", "TimelineAxes", "WIDTH", "add_frames", "bars_frame", "bars_svg", "corner", "count_ticks",
    "load_matplotlib", "matrix_frame", "matrix_svg", "nice_ceiling", "pentagon_frame", "pentagon_svg",
    "progression_frame", "progression_svg", "status_colour", "survival_frame", "survival_svg", "take_drawn_frames",
    "timeline_frame", "timeline_svg",
]
