"""The picture a link to the site shows when it is shared (``og:image``): the programme at a glance.

Chat apps (WhatsApp first, in Indonesia) show a link's ``og:image`` above
it; without one, a link to the site is a bare line of text. The picture is
made at build time from the programme's own figures: its title, how many
groups are in each stage (as a bar in the stages' colours, and as numbers),
and the date of the data, in the page's language, 1200 × 630 px (the size
those apps expect). One per language, shared by every page of it: one for
each area would be thousands of them, each made again whenever its counts change.

Drawn with Pillow, not matplotlib: the picture is bars and lines of text,
and an edit that changes how many groups are in a stage makes it again,
while nothing else in such an edit needs matplotlib, whose import alone
cost it a second. The text is in DejaVu Sans, from the files matplotlib
ships (found without importing it), so the bytes are the same on every
machine with these pinned versions; the PNG carries no date or software
name.
"""

from __future__ import annotations

import io
import os
from functools import lru_cache
from importlib.util import find_spec

from ..domain.analyse import Counts
from .charts.frame import INK, status_colour
from .maker import PageMaker

SIZE = (1200, 630)
MARGIN = 70
GREY = "#333333"


@lru_cache(maxsize=None)
def font(size: int, bold: bool = False):
    """DejaVu Sans (or its bold) at ``size`` pixels, from matplotlib's own copy of the font."""
    from PIL import ImageFont
    folder = os.path.join(os.path.dirname(find_spec("matplotlib").origin), "mpl-data", "fonts", "ttf")
    return ImageFont.truetype(os.path.join(folder, "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"), size)


def share_image(m: PageMaker, counts: Counts, as_of_text: str) -> bytes:
    """The picture of the programme for a page in ``m``'s language."""
    from PIL import Image, ImageDraw

    _ = m.lang._
    statuses = list(counts.by_status)
    colours = {key: status_colour(n - 1 if 0 < n < len(statuses) - 1 else None, dissolved=n == len(statuses) - 1)
               for n, key in enumerate(statuses)}
    image = Image.new("RGB", SIZE, "#ffffff")
    draw = ImageDraw.Draw(image)
    text = lambda x, y, words, size, colour, width=SIZE[0] - 2 * MARGIN, bold=False: draw.text(  # noqa: E731
        (x, y), words, fill=colour, font=_fit(draw, words, size, width, bold), anchor="ls")
    text(MARGIN, 110, m.lang.text(m.site.title), 72, INK, bold=True)
    text(MARGIN, 175, _("%(num)s groups by stage") % {"num": m.lang.number(counts.total)}, 44, GREY)
    left, width = float(MARGIN), SIZE[0] - 2 * MARGIN
    for key in statuses:
        share = counts.by_status[key] / counts.total if counts.total else 0
        if share:
            right = left + width * share
            draw.rectangle((round(left), 215, round(right), 295), fill=colours[key], outline="#ffffff", width=2)
            left = right
    for n, key in enumerate(k for k in statuses if counts.by_status[k]):
        x, y = MARGIN + (n % 2) * 540, 375 + (n // 2) * 65
        draw.rectangle((x, y - 30, x + 30, y), fill=colours[key], outline=INK, width=1)
        text(x + 45, y, f"{m.lang.number(counts.by_status[key])} {m.status_name(key)}", 42, INK, 480)
    text(MARGIN, SIZE[1] - 35, as_of_text, 36, GREY)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _fit(draw, words: str, size: int, width: float, bold: bool):
    """The font of ``size`` pixels, smaller when ``words`` would be wider than ``width`` (a long programme
    title, a long stage name), down to 16."""
    while size > 16 and draw.textlength(words, font=font(size, bold)) > width:
        size -= 2
    return font(size, bold)
