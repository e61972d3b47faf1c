"""Spreadsheets (CSV or XLSX) -> rows of cells named by their column, for `import`.

* CSV: UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" writes
  one). Separated by commas or by semicolons, as Excel writes CSV where the
  decimal separator is a comma (Indonesian settings): the header line
  decides, whichever of the two it holds more of. Every cell is text.
* XLSX: the first worksheet, read with openpyxl. Cells keep their type
  (text, number, date); a number cell formatted as a percentage is marked
  so, because Excel stores 72% as 0.72. A formula cell gives the value Excel
  last computed and saved.

Row numbers are the spreadsheet's: the header is row 1. Column names are
the header cells, trimmed and lowercased. Rows with no value at all are
skipped (spreadsheets often end in empty rows).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from dataclasses import dataclass

from ..content.problems import Problem

MAX_SHEET_BYTES = 10 * 1024 * 1024
FORMATS = (".csv", ".xlsx")


class SheetError(Exception):
    """The file cannot be read as a spreadsheet at all."""


@dataclass(frozen=True)
class Cell:
    value: str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta
    percent: bool = False
    """A number in an XLSX cell formatted as a percentage (0.72 shown as 72%)."""


@dataclass(frozen=True)
class Row:
    number: int
    """As the spreadsheet numbers it: the header is row 1."""
    cells: dict[str, Cell]
    """Non-empty cells by column name."""


@dataclass(frozen=True)
class Sheet:
    path: str
    columns: tuple[str, ...]
    """Column names in order, without the unnamed ones."""
    rows: tuple[Row, ...]
    problems: tuple[Problem, ...]
    """Header problems: a column named twice, values under a column without a name."""


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA': how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_sheet(path: str) -> Sheet:
    """Read a ``.csv`` or ``.xlsx`` file; ``SheetError`` when it cannot be read."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in FORMATS:
        raise SheetError(f"{path}: not a spreadsheet this tool reads; save it as .xlsx or .csv (UTF-8)")
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise SheetError(f"{path}: {exc.strerror}") from None
    if size > MAX_SHEET_BYTES:
        raise SheetError(f"{path}: {size:,} bytes is more than the 10 MiB this tool reads")
    raw_rows = _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path)
    return make_sheet(path, raw_rows)


def _read_csv(path: str) -> list[tuple[int, list]]:
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SheetError(f"{path}: line {line} is not UTF-8 text; in Excel choose 'CSV UTF-8' when saving") from None
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(number, [Cell(v) if v.strip() else None for v in values])
                for number, values in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise SheetError(f"{path}: row {reader.line_num}: {exc}") from None


def _read_xlsx(path: str) -> list[tuple[int, list]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise SheetError(f"{path}: cannot be read as an Excel workbook ({exc})") from None
    sheet = workbook.worksheets[0]
    rows = []
    for cells in sheet.iter_rows():
        if not cells:
            continue
        values = []
        for cell in cells:
            value = cell.value
            if value is None or (isinstance(value, str) and not value.strip()):
                values.append(None)
                continue
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            values.append(Cell(value, number and "%" in (cell.number_format or "")))
        rows.append((cells[0].row, values))
    workbook.close()
    return rows


def make_sheet(path: str, raw_rows: list[tuple[int, list]]) -> Sheet:
    """Name the cells of each row by the header (the first row)."""
    if not raw_rows:
        raise SheetError(f"{path}: the file is empty; the first row names the columns")
    header_number, header = raw_rows[0]
    if header_number != 1:
        raise SheetError(f"{path}: row 1 is empty; the first row must name the columns")
    problems = []
    names: dict[int, str] = {}
    for index, cell in enumerate(header):
        if cell is None:
            continue
        name = str(cell.value).strip().lower()
        if name in names.values():
            problems.append(Problem(path, 1, name, "this column appears twice", "keep one of the two columns"))
            continue
        names[index] = name
    rows = []
    unnamed_reported: set[int] = set()
    for number, values in raw_rows[1:]:
        cells = {}
        for index, cell in enumerate(values):
            if cell is None:
                continue
            if index not in names:  # a column named twice is reported above
                unnamed = index >= len(header) or header[index] is None
                if unnamed and index not in unnamed_reported:
                    unnamed_reported.add(index)
                    problems.append(Problem(path, number, f"column {column_letter(index)}",
                                            "has a value but no name in row 1",
                                            "write the field's name in row 1, or clear the column"))
                continue
            cells[names[index]] = cell
        if cells:
            rows.append(Row(number, cells))
    return Sheet(path, tuple(names.values()), tuple(rows), tuple(problems))
