"""A chart's frame: drawn once by matplotlib, kept as SVG text with its data -> SVG map.

See the package's docstring. Also the pieces every chart writes its data
layer with (``number``, ``svg_text``, ``svg_path``) and the site's colours.
"""

from __future__ import annotations

import html
import io
import os
import re
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

WIDTH = 340
"""Chart width in SVG units (points). Near a phone's 360 CSS pixels, so text stays legible there."""
NARROWEST = 328
"""CSS px a chart is shown at on a 360 px phone, the narrowest the site is made for: the text column,
360 px less main's padding of 1rem on each side (templates/static/style.css). Wider screens show a
chart wider, up to its figure's 36rem."""
SMALLEST_PX = 11
"""No chart text is smaller than this, in CSS px, on that phone (DESIGN §5)."""
SMALL_SIZE = 11.5
"""The smallest text a chart writes (ticks, legends, marks), in SVG units: 11.1 CSS px at ``NARROWEST``."""
FONT_SIZE = 12
"""Every other chart text (axis titles, pentagon corners, counts)."""
FONT = "DejaVu Sans"
"""The font matplotlib measures a frame's text with: bundled with matplotlib, so every build lays out alike."""
FONT_FALLBACKS = ("Verdana", "Arial", "Helvetica")
"""What a reader's device draws the text in when it lacks ``FONT``: Verdana is as wide as DejaVu Sans (both
come from Bitstream Vera's metrics), Arial and Helvetica narrower, so text laid out for DejaVu Sans never
overflows in them; the generic ``sans-serif`` ends the list, so a phone with none of them still draws a
sans-serif (Roboto, San Francisco), never its default serif."""
FONT_FAMILY = ", ".join(repr(name) for name in (FONT, *FONT_FALLBACKS)) + ", sans-serif"
"""The CSS font-family of every chart text, as matplotlib writes it with ``RC``'s ``font.family`` and
``font.sans-serif``. A chart declares it once, on its root element (``Frame.svg``), and every text inherits
it: matplotlib's copy on each text of a frame is taken out (``_clean``) and the data layer writes none
(``svg_text``), which keeps some 1.5 KB off a group's page."""
RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "ksm-site",
    "font.family": "sans-serif",
    "font.sans-serif": [FONT, *FONT_FALLBACKS],
    "font.size": FONT_SIZE,
    "xtick.labelsize": SMALL_SIZE,
    "ytick.labelsize": SMALL_SIZE,
    "legend.fontsize": SMALL_SIZE,
    "text.parse_math": False,
    "text.usetex": False,
    "axes.unicode_minus": False,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "axes.labelcolor": "#333333",
}
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
                f'viewBox="0 0 {number(self.width)} {number(self.height)}" font-family="{FONT_FAMILY}" class="chart" role="img" '
                f'aria-labelledby="{ident}-title {ident}-desc">'
                f'<title id="{ident}-title">{html.escape(title, quote=False)}</title>'
                f'<desc id="{ident}-desc">{html.escape(desc, quote=False)}</desc>')
        return root + head + f'<g class="data">{layer}</g>' + tail + "</svg>"


_DATA_LAYER = "ksm-data-layer"


def figure(height: float):
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
    body = _NUMBER.sub(lambda m: number(float(m.group())), body)
    body = re.sub(r' transform="rotate\(-?0 [^"]*\)"', "", body)
    body = body.replace("; font-family: " + FONT_FAMILY, "")  # the root's, inherited (FONT_FAMILY)
    defined = set(re.findall(r' id="([^"]+)"', body))
    referenced = defined & set(re.findall(r"#([A-Za-z_][\w.-]*)", body))
    body = re.sub(r' id="([^"]+)"', lambda m: f' id="__ID__-{m.group(1)}"' if m.group(1) in referenced
                  or m.group(1) == _DATA_LAYER else "", body)
    body = re.sub(r"#([A-Za-z_][\w.-]*)", lambda m: f"#__ID__-{m.group(1)}" if m.group(1) in referenced else m.group(0), body)
    match = re.search(r'<g id="__ID__-' + _DATA_LAYER + r'">.*?</g>', body, flags=re.S)
    return body[: match.start()], body[match.end():]


def number(value: float) -> str:
    """A number with at most one decimal, no trailing zeros: 12, 12.5, -3."""
    text = "%.1f" % value  # a chart writes some hundred numbers: the shortest way is worth it
    if text[-1] == "0":  # one decimal: it ends in ".0"
        text = text[:-2]
        if text == "-0":
            return "0"
    return text


def svg_text(x: float, y: float, content: str, anchor: str = "start", size: float = FONT_SIZE,
          fill: str = INK, weight: str = "") -> str:
    bold = ' font-weight="bold"' if weight else ""
    return (f'<text x="{number(x)}" y="{number(y)}" font-size="{number(size)}" '
            f'text-anchor="{anchor}" fill="{fill}"{bold}>{html.escape(content, quote=False)}</text>')


def svg_path(points: list[tuple[float, float]], close: bool = False) -> str:
    if not points:
        return ""
    d = "M" + " L".join(f"{number(x)} {number(y)}" for x, y in points)
    return d + (" Z" if close else "")


