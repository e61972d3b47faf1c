"""A group's row in the tables of groups: made once with the group, placed on every page that lists it.

The home page, the area pages and the warnings page list groups in one
table layout. A group's row is rendered once per language, with its group
page (``GroupRow``), and then placed as it is on each page that lists the
group, so those pages cost the same whatever the groups hold. Two things
in a row depend on the table it is placed in, and the row keeps its HTML
cut at exactly those two places:

* the area filter value (``data-area``): its kecamatan in a kota's table,
  its kelurahan in a kecamatan's, nothing in a kelurahan's;
* the root of its link: ``../`` once per folder between the page and the
  language's root.

A table's rows come as an iterable that may be read lazily; ``PlacedRows``
gives them to the template in pieces of ``PIECE`` rows, so a page of
100,000 rows is written out as it is made, never held whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, NamedTuple

from markupsafe import Markup
from markupsafe import escape as escape_html

from ..domain.model import Area, GroupSummary

AREA_HOLE = "\x01"
ROOT_HOLE = "\x02"
"""Put in a row's template values where the area filter value and the link's root go, then cut out. Content
with control characters is refused (``content/``), so no user text holds them."""


class Row(NamedTuple):
    """A group's row, cut at its two holes: ``head + area value + middle + link root + tail``.

    A tuple of text rather than an object: a rebuild reads 10,000 of them.
    """

    head: str
    middle: str
    tail: str
    areas: tuple[str, str]
    """Its area filter value (escaped) in a kota's table and in a kecamatan's (see ``filter_area``)."""


def cut_row(html: str, wilayah: Area) -> Row:
    """A row's HTML, made with ``AREA_HOLE`` and ``ROOT_HOLE`` in place of the two values, as a ``Row``."""
    head, _, rest = html.partition(AREA_HOLE)
    middle, _, tail = rest.partition(ROOT_HOLE)
    if not tail or AREA_HOLE in rest or ROOT_HOLE in tail:
        raise ValueError("a group row must hold its area value once, then its link once")
    return Row(head, middle, tail, (str(escape_html(filter_area(wilayah, 1))), str(escape_html(filter_area(wilayah, 2)))))


def filter_area(w: Area, depth: int) -> str:
    """The value a group table's area filter gives a group of ``wilayah`` ``w``, in a table whose area
    filter offers level ``depth`` (0 kota, 1 kecamatan, 2 kelurahan, 3 none)."""
    names = (w.kota, w.kecamatan, w.kelurahan)
    if depth >= len(names):
        return ""
    return f"{names[depth]} ({names[depth - 1]})" if depth else names[0]


class PlacedRows:
    """Rows as they appear in one table of one page (a path relative to the language's root).

    ``rows`` is read once, lazily, and given to the template in pieces of
    ``PIECE`` rows: one piece of markup per row would copy each row twice
    (here and when the template escapes it), and one piece for all would
    hold a table of 100,000 rows at once. ``len`` is the number of rows;
    ``area_depth`` the wilayah level the table's area filter offers.

    """

    PIECE = 256

    def __init__(self, page: str, rows: Iterable[Row], count: int, area_depth: int):
        self.root = "../" * page.count("/")
        self.rows = rows
        self.count = count
        self.area_depth = area_depth

    def __len__(self) -> int:
        return self.count

    @property
    def one_area(self) -> bool:
        """Every row is of one kelurahan: the table leaves out the area column, which would repeat it."""
        return self.area_depth >= 3

    def __iter__(self) -> Iterator[Markup]:
        piece = []
        for row in self.rows:
            piece.append(row)
            if len(piece) == self.PIECE:
                yield self.place(piece)
                piece = []
        if piece:
            yield self.place(piece)

    def place(self, rows: Iterable[Row]) -> Markup:
        """Rows as one piece of this table."""
        root, depth = self.root, self.area_depth
        if depth in (1, 2):
            return Markup("".join([row.head + row.areas[depth - 1] + row.middle + root + row.tail for row in rows]))
        return Markup("".join([row.head + row.middle + root + row.tail for row in rows]))


@dataclass(frozen=True)
class Choices:
    """What a group table's filter form offers: the values that occur in it."""

    statuses: frozenset[str]
    jenis: frozenset[str]
    areas: tuple[str, ...]
    """Area filter values, sorted as shown."""


def choices(groups: Iterable[GroupSummary], area_depth: int) -> Choices:
    groups = list(groups)
    areas = sorted({a for a in (filter_area(g.wilayah, area_depth) for g in groups) if a}, key=str.casefold)
    return Choices(frozenset(g.status for g in groups), frozenset(g.jenis for g in groups), tuple(areas))
