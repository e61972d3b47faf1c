"""The spreadsheets: an area's groups, and their assessments, as an Excel workbook a reader opens in one click.

Why XLSX and not a CSV that suits an Indonesian spreadsheet: Excel set to
Indonesian reads a CSV with ``;`` between cells and ``,`` as the decimal
mark, so a CSV fit for it (``sep=;``, or semicolons) is wrong for Excel set
to English, for LibreOffice and Google Sheets (which show ``sep=;`` as a
row), and it still loses what a CSV cannot say: a score ``63.3`` becomes
633 or a date, ``2018-09-30`` a date or text depending on the machine, and
``sep=`` makes Excel ignore the UTF-8 byte-order mark. A workbook holds
typed cells (numbers, dates, text), so every spreadsheet program in every
locale shows the same columns and values, in its own number and date format
("63,3" and "30/09/2018" in Indonesian), with no import dialog; phones open
it too. The programme-wide CSV files stay as they are, for tools.

Each workbook has two sheets: ``Kelompok`` (one row per group: where it
stands, what it needs next, its warnings) and ``Penilaian`` (one row per
assessment: every indicator's level, the percentages, the assets, the note).
Labels and names are in the site's first language; rows come in the order
the area's page lists its groups, and in the programme's workbook in order
of id, as in the CSV files. The programme's workbook is made in a task of
its own, not in the pass that makes the CSV and JSON files: after an edit a
build remakes both, and side by side on two cores they take half the time
one after the other did. With ``nama_orang: sembunyikan`` the chair
and assessor columns are left out. Text a spreadsheet could take for a
formula gets an apostrophe before it, as in the CSV files (``data.safe_cell``).

One group's rows are made with its page (``sheet_rows``) and kept in its
share of the data files (``GroupData.sheet``), so a workbook of an area of
thousands of groups is their rows joined (``workbook_stream``), never a pass
over the groups themselves.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Iterator, NamedTuple

from ..domain.model import ScoredGroup
from .data import GroupData, safe_cell
from .maker import PageMaker
from .urls import area_sheet_path
from .xlsx import STYLE_CHANGE, Sheet, date_cell, number_cell, tenths_cell, text_cell, workbook


class SheetRows(NamedTuple):
    """One group's rows in the workbooks: the cells of its row in ``Kelompok``, of each assessment's in
    ``Penilaian`` (``xlsx.row`` numbers them)."""

    group: bytes
    assessments: tuple[bytes, ...]


def text(value) -> bytes:
    return text_cell(safe_cell(value))


def names(m: PageMaker, keys: Iterable[str], name_of) -> str:
    return "; ".join(m.lang.text(name_of(key)) for key in keys)


def group_columns(m: PageMaker) -> list[tuple[str, int]]:
    """The ``Kelompok`` sheet's columns, as (label, width), in the order ``sheet_rows`` fills them."""
    _ = m.lang._
    columns = [(_("Name"), 28), (_("Type"), 16), (_("City / regency"), 18), (_("District (kecamatan)"), 16),
               (_("Village (kelurahan/desa)"), 16), (_("Stage"), 12), (_("Score"), 8),
               (_("Change in score"), 10), (_("Latest assessment"), 12), (_("Number of assessments"), 8),
               (_("Next stage"), 12), (_("Points missing"), 8), (_("Requirements not yet met"), 30),
               (_("Where to grow"), 30), (_("Warnings"), 30), (_("Formed"), 12), (_("Dissolved"), 12),
               (_("Members"), 8), (_("Chair"), 20), (_("Members' businesses"), 24), (_("Partners"), 24),
               (_("Province"), 14), (_("Page"), 40), ("id", 30)]
    return [c for c in columns if not (m.site.hide_names and c[0] == _("Chair"))]


def assessment_columns(m: PageMaker) -> list[tuple[str, int]]:
    _ = m.lang._
    columns = [(_("Name"), 28), (_("Village (kelurahan/desa)"), 16), (_("District (kecamatan)"), 16),
               (_("City / regency"), 18), (_("Date"), 12)]
    if not m.site.hide_names:
        columns.append((_("Assessor"), 18))
    columns += [(_("Points"), 7), (_("Maximum points"), 7), (_("Score"), 8), (_("Stage"), 12)]
    for indicator in m.rubric.indicators:
        columns.append((m.lang.text(indicator.name), 12))
        if indicator.banded:
            columns.append((f"{m.lang.text(indicator.name)} (%)", 12))
    columns += [(_("%(name)s asset") % {"name": m.lang.text(a.name)}, 9) for a in m.rubric.assets]
    return columns + [(_("Note"), 40), ("id", 30)]


def sheets(m: PageMaker) -> tuple[Sheet, Sheet]:
    _ = m.lang._
    made = []
    for name, columns in ((_("Groups"), group_columns(m)), (_("Assessments"), assessment_columns(m))):
        made.append(Sheet(name[:31], tuple(label for label, _width in columns), tuple(w for _label, w in columns)))
    return made[0], made[1]


def sheet_rows(g: ScoredGroup, m: PageMaker) -> SheetRows:
    """The group's rows, in the language of ``m`` (the site's first)."""
    group, w, latest, nxt = g.group, g.group.wilayah, g.latest, g.next_stage
    rubric, lang, hidden = m.rubric, m.lang, m.site.hide_names
    indicator_name = lambda key: rubric.indicator(key).name  # noqa: E731
    previous = g.assessments[-2] if len(g.assessments) > 1 else None
    cells = [
        text(group.nama), text(m.jenis_name(group.jenis)), text(w.kota), text(w.kecamatan), text(w.kelurahan),
        text(m.status_name(g.status)), tenths_cell(latest.tenths if latest else None),
        tenths_cell(latest.tenths - previous.tenths if previous else None, STYLE_CHANGE),
        date_cell(latest.date if latest else None), number_cell(len(g.assessments)),
        text(m.status_name(nxt.stage) if nxt else ""), number_cell(nxt.missing_points if nxt else None),
        text(names(m, (s.indicator for s in nxt.unmet_gates), indicator_name) if nxt else ""),
        text(names(m, nxt.suggestions if nxt else g.focus, indicator_name)),
        text(names(m, g.warnings, lambda key: m.warning_rule(key).name)),
        date_cell(group.dibentuk), date_cell(group.bubar), number_cell(group.anggota),
        *([] if hidden else [text(group.ketua)]),
        text("; ".join(group.usaha)), text("; ".join(p.nama for p in group.mitra)), text(w.provinsi),
        text(m.site.base_url + f"kelompok/{g.id}/"), text(g.id),
    ]
    assessments = []
    for a in g.assessments:
        line = [text(group.nama), text(w.kelurahan), text(w.kecamatan), text(w.kota), date_cell(a.date),
                *([] if hidden else [text(a.assessment.assessor)]),
                number_cell(a.points), number_cell(a.max_points), tenths_cell(a.tenths), text(m.status_name(a.stage))]
        for indicator in rubric.indicators:
            line.append(number_cell(a.levels.get(indicator.key)))
            if indicator.banded:
                value = a.assessment.values.get(indicator.key)
                line.append(number_cell(value if isinstance(value, Decimal) else None))
        assets = a.assessment.assets or {}
        line += [number_cell(assets.get(x.key)) for x in rubric.assets]
        line += [text(a.assessment.note), text(g.id)]
        assessments.append(b"".join(line))
    return SheetRows(b"".join(cells), tuple(assessments))


def workbook_stream(m: PageMaker, names_: tuple[str, ...], slugs: tuple[str, ...], shares: Iterable[GroupData]
                    ) -> Iterator[tuple[str, bytes]]:
    """The workbook of an area (``names_``, ``slugs``) as (path, piece) pairs, from its groups' shares in the
    order its page lists them; the programme's, with ``slugs`` ``()`` and its title as ``names_``."""
    path = area_sheet_path(slugs)
    for piece in workbook(f"KSM: {', '.join(reversed(names_))}", sheets(m), ((s.sheet, s.sheet_assessments)
                                                                             for s in shares)):
        if piece:
            yield path, piece
