"""The picture a link to the site shows when it is shared (``og:image``): the programme at a glance.

Chat apps (WhatsApp first, in Indonesia) show a link's ``og:image`` above
it; without one, a link to the site is a bare line of text. The picture is
made at build time from the programme's own figures: its title, how many
groups are in each stage (as a bar in the stages' colours, and as numbers),
and the date of the data, in the page's language, 1200 × 630 px (the size
those apps expect). One per language, shared by every page of it: one for
each area would cost a matplotlib figure each, thousands of them.

matplotlib's Agg renderer draws it with its bundled DejaVu Sans, so the
bytes are the same on every machine; the PNG carries no date or software
name.
"""

from __future__ import annotations

import io

from ..domain.analyse import Counts
from .charts import frame
from .maker import PageMaker

SIZE = (1200, 630)


def share_image(m: PageMaker, counts: Counts, as_of_text: str) -> bytes:
    """The picture of the programme for a page in ``m``'s language."""
    frame.load_matplotlib()
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    _ = m.lang._
    statuses = list(counts.by_status)
    colours = {key: frame.status_colour(n - 1 if 0 < n < len(statuses) - 1 else None, dissolved=n == len(statuses) - 1)
               for n, key in enumerate(statuses)}
    with matplotlib.rc_context({**frame.RC, "font.size": 28}):
        fig = Figure(figsize=(SIZE[0] / 100, SIZE[1] / 100), dpi=100)
        FigureCanvasAgg(fig)
        fig.patch.set_facecolor("#ffffff")
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, SIZE[0])
        ax.set_ylim(SIZE[1], 0)
        ax.axis("off")
        title = ax.text(70, 110, m.lang.text(m.site.title), fontsize=52, fontweight="bold", color=frame.INK)
        _fit(fig, title, SIZE[0] - 140)
        ax.text(70, 175, _("%(num)s groups by stage") % {"num": m.lang.number(counts.total)}, fontsize=32,
                color="#333333")
        left, width = 70, SIZE[0] - 140
        for key in statuses:
            share = counts.by_status[key] / counts.total if counts.total else 0
            if share:
                ax.add_patch(Rectangle((left, 215), width * share, 80, facecolor=colours[key], edgecolor="#ffffff",
                                       linewidth=2))
                left += width * share
        for n, key in enumerate(k for k in statuses if counts.by_status[k]):
            x, y = 70 + (n % 2) * 540, 375 + (n // 2) * 65
            ax.add_patch(Rectangle((x, y - 30), 30, 30, facecolor=colours[key], edgecolor=frame.INK, linewidth=1))
            label = ax.text(x + 45, y, f"{m.lang.number(counts.by_status[key])} {m.status_name(key)}", fontsize=30,
                            color=frame.INK)
            _fit(fig, label, 480)
        ax.text(70, SIZE[1] - 35, as_of_text, fontsize=26, color="#333333")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _fit(fig, text, width: float) -> None:
    """Shrink ``text`` until it is at most ``width`` pixels wide (a long programme title, a long stage name)."""
    renderer = fig.canvas.get_renderer()
    while text.get_window_extent(renderer).width > width and text.get_fontsize() > 12:
        text.set_fontsize(text.get_fontsize() - 2)
