"""Spreadsheet files (CSV or XLSX) -> a grid of cells, for `import`; a file that is no spreadsheet is refused.

This module owns the file as a whole: which formats are read, how a CSV's
bytes become text, and the limits that keep any file, however hostile, to a
few seconds of work and a bounded amount of memory. A file that breaks one
of them is refused whole with ``SheetError`` (one line naming the file, and
the row and column where there is one; `import` exits 2 and reads nothing
further). What the cells mean (which row is the header, which column is
which field, what a cell's value is) is ``sheetrows``' business. XLSX
workbooks are opened by ``workbook``.

* CSV: UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" writes
  one). A file that is not UTF-8 is read as Windows-1252, what Excel's plain
  "CSV (Comma delimited)" writes on Indonesian and Western Windows, and the
  output says so; a file that is neither (or mixes UTF-8 with other bytes,
  which would turn letters into mojibake), UTF-16 ("Unicode Text"), or holds
  a NUL byte (a binary file) is refused. Fields are separated by commas or
  by semicolons, as Excel writes CSV where the decimal separator is a comma
  (Indonesian settings): the first lines decide, whichever of the two they
  hold more of. Every cell is text. Line endings may be LF, CRLF or CR.
* XLSX: see ``workbook``.

Limits (each a constant below): a file of at most 10 MiB; at most 10,000
rows with a value, 100 columns, 300,000 cells with a value, 32,767
characters in a cell (Excel's own limit for a cell) and 10 Mi characters of
text in all. Row numbers are the spreadsheet's, counted from 1 as Excel
shows them (a CSV record that holds a line break inside quotes is one row,
as in Excel).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from dataclasses import dataclass

from ..content.problems import visible

MAX_SHEET_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
"""Rows with at least one value; a kelurahan's or a kota's assessments fit many times over."""
MAX_COLUMNS = 100
MAX_CELLS = 300_000
"""Cells with a value, e.g. 10,000 rows of 30 columns; bounds the time a workbook takes to read."""
MAX_CELL_CHARS = 32_767
"""Excel's own limit for the text of a cell."""
MAX_TEXT_CHARS = 10 * 1024 * 1024
"""All the text of a sheet's cells together, as much as the largest CSV holds: a workbook's cells
may all refer to one long shared string, and each would become a copy of it."""
FORMATS = (".csv", ".xlsx")
DELIMITER_LINES = 10
"""How many of a CSV's first lines decide its separator."""


class SheetError(Exception):
    """The file cannot be read as a spreadsheet at all; the message is one line naming it."""

    def __init__(self, message: str):
        super().__init__(visible(message))  # names and values from the file print as one visible line


@dataclass(frozen=True, slots=True)
class Cell:
    value: str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta
    percent: bool = False
    """A number in an XLSX cell formatted as a percentage (0.72 shown as 72%)."""


@dataclass(frozen=True)
class GridRow:
    number: int
    """As the spreadsheet numbers it, from 1."""
    cells: tuple[Cell | None, ...]
    """By position, column A first, up to the last cell with a value; None where a cell is empty."""
    width: int
    """A CSV row's number of fields, empty ones included (``sheetrows`` compares it with the
    header's); for a workbook, ``len(cells)``."""


@dataclass(frozen=True)
class Grid:
    """The rows of one sheet that hold any value, as read; nothing is named or converted yet."""

    where: str
    """How messages name the sheet: ``data.csv``, or ``data.xlsx, sheet "Penilaian"``."""
    rows: tuple[GridRow, ...]
    delimited: bool
    """A CSV: a row with fewer or more fields than the header is ragged (see ``sheetrows``)."""
    notes: tuple[str, ...] = ()
    """What the reader decided that the user should know (an encoding, a sheet chosen)."""


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA': how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_sheet(path: str, sheet_name: str | None = None) -> Grid:
    """Read a ``.csv`` or ``.xlsx`` file (``sheet_name``: which worksheet); ``SheetError`` when it cannot be."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in FORMATS:
        raise SheetError(f"{path}: not a spreadsheet this tool reads; save it as .xlsx or as .csv (CSV UTF-8)")
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise SheetError(f"{path}: {exc.strerror}") from None
    if size > MAX_SHEET_BYTES:
        raise SheetError(f"{path}: {size:,} bytes is more than the 10 MiB this tool reads; split the file")
    if suffix == ".xlsx":
        from .workbook import read_workbook  # here: openpyxl costs every other command its import time

        return read_workbook(path, sheet_name)
    if sheet_name is not None:
        raise SheetError(f"{path}: --sheet chooses a worksheet of an .xlsx workbook; a CSV file has only one")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_SHEET_BYTES + 1)
    except OSError as exc:
        raise SheetError(f"{path}: {exc.strerror}") from None
    text, notes = decode_csv(path, raw)
    return Grid(path, read_csv_rows(path, text), delimited=True, notes=notes)


# --------------------------------------------------------------------------
# CSV

_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_SAVE_AS_UTF8 = "in Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)'"


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def decode_csv(path: str, raw: bytes) -> tuple[str, tuple[str, ...]]:
    """A CSV file's text, and a note when it was not UTF-8; ``SheetError`` when it is not text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SheetError(f"{path}: UTF-16 text (Excel's 'Unicode Text'), which this tool does not read; {_SAVE_AS_UTF8}")
    nul = raw.find(b"\0")
    if nul >= 0:
        kind = ("an Excel workbook (.xlsx) named .csv; name it .xlsx" if raw.startswith(b"PK\x03\x04")
                else f"not text; {_SAVE_AS_UTF8}")
        raise SheetError(f"{path}: line {_line_of(raw, nul)} holds a NUL byte: the file is {kind}")
    try:
        return raw.decode("utf-8-sig"), ()
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if _UTF8_SEQUENCE.search(raw):
        raise SheetError(f"{path}: line {_line_of(raw, first_bad)} is not UTF-8 while other lines are, so its letters "
                         f"cannot be read for sure; {_SAVE_AS_UTF8}")
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise SheetError(f"{path}: line {_line_of(raw, exc.start)} holds byte 0x{raw[exc.start]:02X}, which is "
                         f"neither UTF-8 nor Windows-1252 text; {_SAVE_AS_UTF8}") from None
    return text, (f"{path}: not UTF-8; read as Windows-1252 (what Excel's 'CSV (Comma delimited)' writes). "
                  "If letters look wrong, save the file as 'CSV UTF-8' and import again.",)


def csv_delimiter(text: str) -> str:
    """';' or ',': whichever the first lines hold more of (a header names many columns)."""
    head = text[:200_000].splitlines()[:DELIMITER_LINES]
    semicolons = sum(line.count(";") for line in head)
    commas = sum(line.count(",") for line in head)
    return ";" if semicolons > commas else ","


CSV_FIELD_LIMIT = 131_072
"""The most characters the CSV reader takes in one field (the csv module's default, set each time since
it is the whole process's: a library that raises it must not change what ``import`` refuses). A cell past
``MAX_CELL_CHARS`` is refused with its row and column; one past this, with a hint that a quote is open."""


def read_csv_rows(path: str, text: str) -> tuple[GridRow, ...]:
    """The rows of a CSV text that hold a value, within the limits."""
    previous = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        return csv_rows(path, text)
    finally:
        csv.field_size_limit(previous)


def csv_rows(path: str, text: str) -> tuple[GridRow, ...]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    rows: list[GridRow] = []
    counter = RowLimits(path)
    number = 0
    try:
        for number, fields in enumerate(reader, start=1):
            width = len(fields)
            if width > MAX_COLUMNS:  # the fields past the limit must be empty; checked at C speed
                beyond = fields[MAX_COLUMNS:]
                if "".join(beyond).strip():
                    raise too_wide(path, number, next((MAX_COLUMNS + i for i, v in enumerate(beyond[:16_384])
                                                       if v.strip()), None))
                fields = fields[:MAX_COLUMNS]
            last = len(fields)
            while last and not fields[last - 1].strip():
                last -= 1
            if last:
                cells = tuple(Cell(v) if v.strip() else None for v in fields[:last])
                counter.take(number, cells)
                rows.append(GridRow(number, cells, width))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise SheetError(f"{path}, row {number + 1}: a cell holds more than {MAX_CELL_CHARS:,} characters, "
                             "Excel's limit; is a double quote (\") opened and never closed?") from None
        raise SheetError(f"{path}, row {number + 1}: not readable as CSV ({exc})") from None
    return tuple(rows)


def too_wide(where: str, number: int, index: int | None) -> SheetError:
    """The error for a value in a column past ``MAX_COLUMNS`` (``index`` None: past Excel's last column)."""
    column = f"column {column_letter(index)}" if index is not None else "a column past XFD"
    return SheetError(f"{where}, row {number}, {column}: a value beyond column {column_letter(MAX_COLUMNS - 1)}; "
                      f"this tool reads at most {MAX_COLUMNS} columns")


class RowLimits:
    """Counts rows, cells and text as they are read, and refuses a sheet past the module's limits."""

    def __init__(self, where: str):
        self.where = where
        self.rows = 0
        self.cells = 0
        self.chars = 0

    def take(self, number: int, cells) -> None:
        self.rows += 1
        if self.rows > MAX_ROWS:
            raise SheetError(f"{self.where}, row {number}: more than {MAX_ROWS:,} rows with values, more than this "
                             "tool reads at once; split the file")
        for index, cell in enumerate(cells):
            if cell is None:
                continue
            if index >= MAX_COLUMNS:
                raise too_wide(self.where, number, index)
            if isinstance(cell.value, str):
                if len(cell.value) > MAX_CELL_CHARS:
                    raise SheetError(f"{self.where}, row {number}, column {column_letter(index)}: "
                                     f"{len(cell.value):,} characters, more than Excel's {MAX_CELL_CHARS:,} for a cell")
                self.chars += len(cell.value)
            self.cells += 1
        if self.cells > MAX_CELLS:
            raise SheetError(f"{self.where}, row {number}: more than {MAX_CELLS:,} cells with values, more than this "
                             "tool reads at once; split the file")
        if self.chars > MAX_TEXT_CHARS:
            raise SheetError(f"{self.where}, row {number}: more than {MAX_TEXT_CHARS:,} characters of text in all, "
                             "more than this tool reads at once; split the file")
