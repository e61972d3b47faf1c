"""A grid of cells -> rows of named fields, for `import`: the header row found, its columns matched.

This module owns what a sheet's layout means; what a cell's value means is
``cellvalues``', and what the rows become is the importer's.

* **The header row** is the row among the first ten that names the most
  known columns (at least two). Rows above it are titles and are skipped;
  the output says which. A blank header cell under a merged cell of the row
  just above (a two-row header: "Indikator" over its columns, "Nama KSM"
  over both rows) takes that row's name when it is a known column.
* **Columns** are matched ignoring case, spaces and punctuation (``Pertemuan
  Rutin``, ``pertemuan_rutin`` and ``PERTEMUAN-RUTIN:`` are one name), first
  to a field's key, then to the rubric's Indonesian or English name of an
  indicator or asset (read from the ``Rubric``, so a renamed indicator
  follows; an abbreviation in brackets, as ``(RR)`` in "Pengembalian
  pinjaman (RR)", is a name too, and so are "Aset X", "Modal X" and
  "X capital" for an asset), then to the short list ``VARIANTS`` below. A
  name that fits two fields equally is refused as ambiguous. The columns in
  ``IGNORED`` (row numbers, and what the build computes: score, stage) are
  skipped, and the output says so. Any other column is an error with a "did
  you mean"; a column named twice is an error.
* **Ragged rows.** In a CSV a row must have as many fields as the header
  names: more, or fewer, means a separator inside a value that is not in
  double quotes, or a lost one, and every value after it in the wrong
  column. Such rows are reported together, once, and not read further. A
  value under a header cell that is blank (a CSV's or a workbook's) is
  reported once for its column.

Messages name the sheet (``Grid.where``), the row and the column: its
letter and its header as written, e.g. ``column E "Kehadiran (%)"``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..content.fields import Invalid, nearest
from ..content.problems import Problem, visible
from ..domain.model import Rubric
from .cellvalues import field_readers
from .sheet import Grid, GridRow, SheetError, column_letter

HEADER_ROWS = 10
"""The header is one of the sheet's first rows; above it, titles."""
VARIANTS = {
    "id": ("ID kelompok", "Group ID"),
    "nama": ("Nama KSM", "Nama kelompok", "KSM", "Kelompok", "Group name"),
    "jenis": ("Jenis KSM", "Jenis kelompok", "Type"),
    "provinsi": ("Province",),
    "kota": ("Kota/Kabupaten", "Kabupaten/Kota", "Kab/Kota", "Kabupaten", "City", "Regency"),
    "kecamatan": ("District",),
    "kelurahan": ("Kelurahan/Desa", "Desa/Kelurahan", "Desa", "Village"),
    "dibentuk": ("Tanggal dibentuk", "Tanggal pembentukan", "Tgl dibentuk", "Formed"),
    "anggota": ("Jumlah anggota", "Members"),
    "ketua": ("Nama ketua", "Chair"),
    "bubar": ("Tanggal bubar", "Dissolved"),
    "tanggal": ("Tanggal penilaian", "Tgl penilaian", "Tgl", "Assessment date", "Date"),
    "penilai": ("Nama penilai", "Assessor"),
    "catatan": ("Keterangan", "Note", "Notes"),
}
"""Common names of the non-rubric fields in hand-kept sheets; rubric fields take their names from the rubric."""
IGNORED = {
    **dict.fromkeys(("No", "No.", "Nomor", "Nomor urut"), "row numbers"),
    **dict.fromkeys(("Skor", "Score", "Poin", "Points", "Tahap", "Stage"), "the build computes it"),
}
"""Columns a hand-kept sheet often has that hold nothing to import."""
ASSET_NAMES = ("Aset {}", "Modal {}", "Asset {}", "{} capital")


def header_key(text: str) -> str:
    """What a header is matched by: letters and digits only, case-folded (``Kehadiran (%)`` -> ``kehadiran``)."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


@dataclass(frozen=True)
class Column:
    key: str
    index: int
    text: str
    """The header as written."""

    @property
    def label(self) -> str:
        return f'{column_letter(self.index)} "{self.text}"'


@dataclass(frozen=True)
class Row:
    number: int
    given: frozenset[str]
    """The fields whose cell holds a value."""
    values: dict
    """Field -> value, for the cells that could be read (a problem is reported for every other)."""

    @property
    def failed(self) -> bool:
        return len(self.values) < len(self.given)


@dataclass(frozen=True)
class Table:
    where: str
    header: int
    """The header's row number."""
    columns: dict[str, Column]
    """By field key, in the sheet's order."""
    rows: tuple[Row, ...]
    problems: tuple[Problem, ...]
    notes: tuple[str, ...]

    def label(self, key: str) -> str:
        """How messages name a field's column: ``E "Kehadiran (%)"``, or the key when the sheet has no such column."""
        column = self.columns.get(key)
        return column.label if column else key


class ColumnNames:
    """Every name a column may have, from the fields and the rubric, by how surely it names a field."""

    def __init__(self, rubric: Rubric, keys):
        keys = list(keys)
        self.levels: list[dict[str, set[str]]] = [{}, {}, {}]
        self.shown: dict[str, str] = {}
        for key in keys:
            self._add(0, key, key)
        named = [*rubric.indicators, *rubric.assets]
        for item in named:
            for name in (item.name.id, item.name.en):
                self._add(1, name, item.key)
                for short in re.findall(r"\(([^()]{1,12})\)", name):
                    self._add(2, short, item.key)
        for asset in rubric.assets:
            for name in (asset.key, asset.name.id, asset.name.en):
                for pattern in ASSET_NAMES:
                    self._add(2, pattern.format(name), asset.key)
        for key, variants in VARIANTS.items():
            if key in keys:
                for variant in variants:
                    self._add(2, variant, key)
        self.ignored = {header_key(text): why for text, why in IGNORED.items()}

    def _add(self, level: int, text: str, key: str) -> None:
        normal = header_key(text)
        if normal:
            self.levels[level].setdefault(normal, set()).add(key)
            self.shown.setdefault(normal, text)

    def match(self, text: str) -> tuple[str | None, str]:
        """(field key, '') for a known column; (None, why) for an ignored one; raises ``Invalid`` otherwise."""
        normal = header_key(text)
        for level in self.levels:
            keys = level.get(normal)
            if keys and len(keys) == 1:
                return next(iter(keys)), ""
            if keys:
                raise Invalid(f"could name any of {', '.join(sorted(keys))}", "name the column by the field's key")
        if normal in self.ignored:
            return None, self.ignored[normal]
        close = nearest(normal, sorted({n for level in self.levels for n in level})) if normal else None
        if close:
            keys = sorted({k for level in self.levels for k in level.get(close, ())})
            shown = self.shown[close]
            hint = f"did you mean '{shown}'" + (f" ({keys[0]})?" if keys != [shown] else "?")
        else:
            hint = "name it by a field's key or the rubric's name (e.g. nama, tanggal, pertemuan_rutin), or delete it"
        raise Invalid("unknown column", hint)

    def knows(self, text: str) -> bool:
        """Whether ``text`` names exactly one field (as ``match`` would find it)."""
        normal = header_key(text)
        for level in self.levels:
            if normal in level:
                return len(level[normal]) == 1
        return False


def header_text(cell) -> str:
    return "" if cell is None else str(cell.value).strip()


def find_header(grid: Grid, names: ColumnNames) -> GridRow:
    """The row among the first ``HEADER_ROWS`` that names the most known columns (the first of equals)."""
    best, best_count = None, 1
    for row in grid.rows:
        if row.number > HEADER_ROWS:
            break
        count = sum(1 for cell in row.cells if cell is not None and isinstance(cell.value, str)
                    and names.knows(cell.value))
        if count > best_count:
            best, best_count = row, count
    if best is None:
        raise SheetError(f"{grid.where}: no header row in rows 1 to {HEADER_ROWS}: none names two of the columns "
                         "import knows (nama, tanggal, pertemuan_rutin, ... or their names in the rubric)")
    return best


def read_table(grid: Grid, rubric: Rubric) -> Table:
    """The grid's rows as fields; ``SheetError`` when no header is found. Problems are collected, not raised."""
    readers = field_readers(rubric)
    names = ColumnNames(rubric, readers)
    header = find_header(grid, names)
    above = next((row for row in grid.rows if row.number == header.number - 1), None)
    problems: list[Problem] = []
    notes: list[str] = []
    columns: dict[str, Column] = {}
    refused: set[int] = set()  # columns whose header is reported: their cells are not reported again
    renamed, ignored = [], []
    for index in range(max(len(header.cells), len(above.cells) if above else 0)):
        text = header_text(header.cells[index]) if index < len(header.cells) else ""
        merged = False
        if not text and above is not None and index < len(above.cells):
            text = header_text(above.cells[index])
            if not names.knows(text):
                continue
            merged = True
        if not text:
            continue
        letter = column_letter(index)
        try:
            key, why = names.match(text)
        except Invalid as exc:
            problems.append(Problem(grid.where, header.number, f'{letter} "{text}"', exc.message, exc.hint))
            refused.add(index)
            continue
        if key is None:
            ignored.append(f'{letter} "{text}" ({why})')
            refused.add(index)
        elif key in columns:
            problems.append(Problem(grid.where, header.number, f'{letter} "{text}"',
                                    f"names {key}, as column {columns[key].label} does",
                                    "keep one of the two columns"))
            refused.add(index)
        else:
            columns[key] = Column(key, index, text)
            if merged or header_key(text) != header_key(key):
                renamed.append(f'{letter} "{text}"' + (f" (row {above.number})" if merged else "") + f" as {key}")

    titles = [row for row in grid.rows if row.number < header.number]
    if titles:
        first = next(header_text(c) for c in titles[0].cells if c is not None)
        span = f"row {titles[0].number}" if len(titles) == 1 else f"rows {titles[0].number} to {titles[-1].number}"
        notes.append(f"{grid.where}: the header is row {header.number}; {span} above it skipped as titles "
                     f"(\"{first[:60]}{'...' if len(first) > 60 else ''}\")")
    if renamed:
        notes.append(f"{grid.where}: columns read as fields: " + ", ".join(renamed))
    if ignored:
        notes.append(f"{grid.where}: columns ignored: " + ", ".join(ignored))

    by_index = {column.index: column.key for column in columns.values()}
    named_width = max(by_index, default=-1) + 1
    rows: list[Row] = []
    ragged: list[tuple[int, int, int]] = []  # (row, fields, column index where it goes wrong)
    unnamed: dict[int, list[int]] = {}
    for row in grid.rows:
        if row.number <= header.number:
            continue
        if grid.delimited and (row.width < named_width or len(row.cells) > header.width):
            ragged.append((row.number, row.width, min(row.width, header.width)))
            continue
        given, values = set(), {}
        for index, cell in enumerate(row.cells):
            if cell is None or index in refused:
                continue
            key = by_index.get(index)
            if key is None:
                unnamed.setdefault(index, []).append(row.number)
                continue
            given.add(key)
            try:
                values[key] = readers[key](cell)
            except Invalid as exc:
                problems.append(Problem(grid.where, row.number, columns[key].label, exc.message, exc.hint))
        if given:
            rows.append(Row(row.number, frozenset(given), values))
    if ragged:
        number, fields, index = ragged[0]
        others = [str(n) for n, _, _ in ragged[1:]]
        also = ""
        if others:
            more = f" and {len(others) - 5:,} more" if len(others) > 5 else ""
            also = f"; so {'does row' if len(others) == 1 else 'do rows'} {', '.join(others[:5])}{more}"
        problems.append(Problem(
            grid.where, number, column_letter(index),
            f"has {fields} fields where the header (row {header.number}) has {header.width}{also}",
            "a value that holds the separator must be in double quotes, and no separator may be missing: "
            "fix the row, or save the sheet from Excel again"))
    for index, numbers in sorted(unnamed.items()):
        problems.append(Problem(grid.where, numbers[0], column_letter(index),
                                f"has values (in {len(numbers)} row(s)) but no name in the header (row {header.number})",
                                f"write the field's name in row {header.number}, or clear the column"))
    return Table(grid.where, header.number, columns, tuple(rows), tuple(problems),
                 tuple(visible(note) for note in (*grid.notes, *notes)))
