"""XLSX workbooks -> a grid of cells, for `import`: the zip is checked before openpyxl parses any of it.

This module owns the workbook as a file. An .xlsx is a zip of XML files;
from an unknown source it may be a zip bomb or carry XML entities, so before
openpyxl reads it:

* It must be a zip at all: an Excel 97-2003 (.xls) file, or a workbook
  saved with a password (both OLE2 files), and text named .xlsx are told
  apart in the message. A zip without ``[Content_Types].xml`` is no
  workbook.
* Every member's declared uncompressed size is checked: at most 32 MiB
  each, 64 MiB together, and, for a member over 1 MiB, at most 100 times
  its compressed size (real worksheets compress about 10 to 20 times).
  Python's ``zipfile`` never inflates a member past its declared size (it
  stops there and fails the CRC check), so the declared sizes bound the
  work.
* Every member is scanned, in chunks, for ``<!DOCTYPE`` and ``<!ENTITY``
  (in UTF-8 and in UTF-16), and an XML declaration naming another encoding
  is refused: Excel writes neither, and every entity attack needs a DOCTYPE.
  openpyxl then parses with ``defusedxml`` (requirements.txt), which refuses
  the same things again; the scan here means safety never depends on that
  package being installed.
* The same scan counts the elements openpyxl spends its time on (cells,
  rows, shared strings): at most 400,000 in a member, so that reading
  stays within seconds (openpyxl takes some 10 to 20 microseconds for each).

openpyxl opens the workbook read-only (rows are streamed, not held) with the
values Excel last computed (a formula cell gives its saved result). The
sheet read is ``--sheet NAME`` (exactly, else the one name that matches
ignoring case), by default the first worksheet; when the workbook has more
than one, the output says which was read. Cells keep their type (text,
number, date); a number cell formatted as a percentage is marked so, because
Excel stores 72% as 0.72. The limits of rows, columns, cells and characters
are ``sheet``'s: a value in column CW, the 101st, refuses the sheet, and
columns after CW are not read at all (a row is never padded past it,
whatever the file claims); when the sheet's used range reaches further, the
output says so. Anything
openpyxl raises is turned into one line naming the file, never a traceback.
"""

from __future__ import annotations

import re
import warnings
import zipfile

from .sheet import MAX_COLUMNS, Cell, Grid, GridRow, RowLimits, SheetError, column_letter

MAX_MEMBERS = 1_000
MAX_MEMBER_BYTES = 32 * 1024 * 1024
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
"""Smaller members may compress better than ``MAX_RATIO`` (repetitive styles) at no risk."""
MAX_PART_ENTRIES = 400_000
"""Cells, rows and shared strings in one member: what openpyxl's parsing time grows with."""
SCAN_CHUNK = 1024 * 1024

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FORBIDDEN = tuple((token, encoded) for token in ("<!DOCTYPE", "<!ENTITY")
                   for encoded in (token.encode(), token.encode("utf-16-le"), token.encode("utf-16-be")))
_LONGEST = max(len(encoded) for _, encoded in _FORBIDDEN)
_ENTRY = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|row|si)[\s/>]")
_DECLARED_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_SAVE_AS_XLSX = "open it in Excel and save it as 'Excel Workbook (*.xlsx)'"


def read_workbook(path: str, sheet_name: str | None) -> Grid:
    """The chosen worksheet's rows that hold a value; ``SheetError`` for anything that is not a safe workbook."""
    check_workbook_file(path)
    import openpyxl  # here, not at the top: its import costs every other command time

    with warnings.catch_warnings():  # openpyxl warns about parts it skips (extensions, images): not the user's concern
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever a broken file makes openpyxl raise, it is one line
            raise SheetError(f"{path}: cannot be read as an Excel workbook ({_reason(exc)}); {_SAVE_AS_XLSX}") from None
        where = path
        try:
            worksheet, notes = _choose_sheet(path, book, sheet_name)
            where = f'{path}, sheet "{worksheet.title}"'
            rows, wide = _read_rows(where, worksheet)
        except (SheetError, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001
            raise SheetError(f"{where}: cannot be read ({_reason(exc)}); {_SAVE_AS_XLSX}") from None
        finally:
            book.close()
    if wide:
        notes += (f"{where}: its used range reaches column {wide}; columns after "
                  f"{column_letter(MAX_COLUMNS)} are not read",)
    return Grid(where, rows, delimited=False, notes=notes)


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def check_workbook_file(path: str) -> None:
    """Refuse what is not a zip, not a workbook, a zip bomb, or XML with a DOCTYPE or entity."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise SheetError(f"{path}: {exc.strerror}") from None
    if head.startswith(_OLE2):
        raise SheetError(f"{path}: an Excel 97-2003 workbook (.xls) or a workbook with a password, not an .xlsx; "
                         f"{_SAVE_AS_XLSX}, without a password")
    if not head.startswith(b"PK"):
        raise SheetError(f"{path}: not an Excel workbook (an .xlsx is a zip file, this is not); "
                         f"{_SAVE_AS_XLSX}, or if it is CSV text, name it .csv")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_sizes(path, members)
            for member in members:
                _scan_member(path, archive, member)
    except SheetError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, ValueError,
            EOFError, OSError) as exc:
        raise SheetError(f"{path}: a damaged or unusual zip file, not a workbook Excel saved ({_reason(exc)}); "
                         f"{_SAVE_AS_XLSX}") from None


def _check_sizes(path: str, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise SheetError(f"{path}: a zip of {len(members):,} files; a workbook has a few dozen")
    if not any(m.filename == "[Content_Types].xml" for m in members):
        raise SheetError(f"{path}: a zip file, but not an Excel workbook (it has no [Content_Types].xml); "
                         f"{_SAVE_AS_XLSX}")
    total = 0
    for member in members:
        size = member.file_size
        if size > MAX_MEMBER_BYTES:
            raise SheetError(f"{path}: its part {member.filename} would unpack to {size:,} bytes, more than the "
                             f"{MAX_MEMBER_BYTES // 2**20} MiB this tool allows (a zip bomb?)")
        if size > RATIO_FROM_BYTES and size > MAX_RATIO * max(member.compress_size, 1):
            raise SheetError(f"{path}: its part {member.filename} would unpack to {size:,} bytes from "
                             f"{member.compress_size:,}, more than {MAX_RATIO} times smaller than real "
                             "workbooks compress (a zip bomb?)")
        total += size
        if total > MAX_UNZIPPED_BYTES:
            raise SheetError(f"{path}: would unpack to more than {MAX_UNZIPPED_BYTES // 2**20} MiB in all, "
                             "more than this tool allows (a zip bomb?)")


def _scan_member(path: str, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Refuse a member whose bytes hold a DOCTYPE or an entity, or that declares an encoding other than UTF-8/16."""
    tail = b""
    first = True
    entries = 0
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(SCAN_CHUNK)
            if not chunk:
                return
            if first:
                first = False
                declared = _DECLARED_ENCODING.match(chunk)
                if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8", b"utf-16"):
                    encoding = declared.group(1).decode("ascii", "replace")
                    raise SheetError(f"{path}: its part {member.filename} declares the encoding {encoding!r}; "
                                     f"Excel writes UTF-8, so the file was not saved by Excel; {_SAVE_AS_XLSX}")
            window = tail + chunk
            for token, encoded in _FORBIDDEN:
                if encoded in window:
                    raise SheetError(f"{path}: its part {member.filename} holds an XML {token} declaration, which "
                                     "Excel never writes and which can hide an entity-expansion bomb or read files; "
                                     "refused. If the workbook is yours, save it again in Excel")
            entries += len(_ENTRY.findall(window))  # one straddling the chunks may count twice: no matter
            if entries > MAX_PART_ENTRIES:
                raise SheetError(f"{path}: its part {member.filename} holds more than {MAX_PART_ENTRIES:,} cells, "
                                 "rows or texts, more than this tool reads at once; split the workbook")
            tail = window[-(_LONGEST - 1):]


def _choose_sheet(path: str, book, name: str | None):
    """The worksheet to read, and a note when the workbook has more than one."""
    worksheets = book.worksheets
    titles = [sheet.title for sheet in worksheets]
    listed = ", ".join(f'"{title}"' for title in titles)
    if name is not None:
        matches = [s for s in worksheets if s.title == name] or \
                  [s for s in worksheets if s.title.casefold() == name.casefold()]
        if len(matches) == 1:
            return matches[0], ()
        if name in book.sheetnames:
            raise SheetError(f'{path}: sheet "{name}" is a chart, not a worksheet with rows; its worksheets: {listed}')
        raise SheetError(f'{path}: has no sheet "{name}"; its worksheets: {listed}')
    if not worksheets:
        raise SheetError(f"{path}: the workbook has no worksheet with rows")
    notes = ()
    if len(worksheets) > 1:
        notes = (f'{path}: read sheet "{titles[0]}", the first of {len(titles)} ({listed}); '
                 "choose another with --sheet NAME",)
    return worksheets[0], notes


def _read_rows(where: str, worksheet) -> tuple[tuple[GridRow, ...], str | None]:
    """The worksheet's rows that hold a value, streamed and refused past ``sheet``'s limits; and the
    last column of its declared used range when that lies beyond what is read."""
    from openpyxl.cell.read_only import EMPTY_CELL

    declared = worksheet.max_column  # from the sheet's <dimension>, which may lie
    wide = column_letter(declared - 1) if isinstance(declared, int) and declared > MAX_COLUMNS + 1 else None
    worksheet.reset_dimensions()
    counter = RowLimits(where)
    rows: list[GridRow] = []
    # Read-only rows come in order, one per row number from 1; with max_col, each is exactly that
    # long, so a row is never padded to a size the file declares. Column CW is read so that a value
    # there is refused by the limits rather than dropped unseen.
    empty = None
    for number, cells in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS + 1), start=1):
        if cells is empty:  # openpyxl yields one shared tuple for every row missing from the file
            continue
        if all(cell is EMPTY_CELL for cell in cells):
            empty = cells
            continue
        values = []
        for cell in cells:
            value = cell.value
            if _empty(value):
                values.append(None)
                continue
            number_cell = isinstance(value, (int, float)) and not isinstance(value, bool)
            values.append(Cell(value, number_cell and "%" in (cell.number_format or "")))
        while values and values[-1] is None:
            values.pop()
        if values:
            counter.take(number, values)
            rows.append(GridRow(number, tuple(values), len(values)))
    return tuple(rows), wide


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())

