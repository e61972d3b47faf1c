"""A spreadsheet (Office Open XML, ``.xlsx``) written as a stream of bytes, with the same bytes every time.

Why not openpyxl, which ``import`` reads workbooks with: a build writes one
workbook per area page (2,219 of them at 10,000 groups) and one of the whole
programme, and must not hold a workbook of 100,000 groups whole. So each
group's rows are made once, with its page, as the XML of their cells
(``text_cell``, ``number_cell``, ``date_cell``: no cell reference, which
Office allows, "the column after the previous cell's"), and kept with its
share of the data files; a workbook is those rows joined, each given its row
number, and deflated as they come (``Workbook``).

What a reader gets: typed cells (numbers, dates with the reader's own date
format, text), a bold header row that stays in view, a filter on every
column, column widths that fit. Text is escaped for XML, stripped of the
characters XML cannot hold, and cut to Excel's 32,767 characters a cell.

Deterministic by construction: every zip member is dated 1980-01-01 (zip's
earliest date; a workbook's ``docProps/core.xml`` carries no date either),
members come in a fixed order, and zlib at a fixed level gives the same
bytes for the same input. The zip is written front to back: each member's
sizes and checksum follow its data (a data descriptor, general purpose bit
3), as Java's and Python's zip writers do on a stream (LibreOffice 7.4 and
openpyxl were checked; Office documents cells without a reference in
MS-OI29500, 2.1.590).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape

LEVEL = 1
"""zlib's level: the fastest. The cells' XML repeats so much that it still packs to about a tenth (level 6:
a sixteenth, at twice the time)."""

BLOCK = 1 << 16
"""Bytes of rows deflated at once."""

MAX_TEXT = 32767
"""The most characters Excel keeps in a cell."""

EPOCH = dt.date(1899, 12, 30)
"""Day 0 of a spreadsheet's dates (the 1900 date system, as Excel counts, leap-year bug included)."""

STYLE_HEADER, STYLE_DATE, STYLE_DECIMAL, STYLE_CHANGE = 1, 2, 3, 4

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --------------------------------------------------------------------------
# Cells


@lru_cache(maxsize=1 << 14)
def text_cell(value: str, style: int = 0) -> bytes:
    """A cell of text (an inline string: no shared-strings table to build). Cells repeat (a group's name
    and areas on each of its assessments' rows, stages, types), so the last few thousand are kept."""
    if not value:
        return b"<c/>"
    value = NOT_XML.sub("", value)[:MAX_TEXT]
    space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
    styled = f' s="{style}"' if style else ""
    return f'<c t="inlineStr"{styled}><is><t{space}>{escape(value)}</t></is></c>'.encode()


@lru_cache(maxsize=1 << 12, typed=True)
def number_cell(value: int | Decimal | None, style: int = 0) -> bytes:
    if value is None:
        return b"<c/>"
    shown = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return f'<c s="{style}"><v>{shown}</v></c>'.encode() if style else f"<c><v>{shown}</v></c>".encode()


def tenths_cell(tenths: int | None, style: int = STYLE_DECIMAL) -> bytes:
    """A number given in tenths (a score: 633 -> 63.3), shown with one decimal."""
    return number_cell(None if tenths is None else Decimal(tenths) / 10, style)


def date_cell(value: dt.date | None) -> bytes:
    """A date, as a spreadsheet holds it (days since ``EPOCH``), shown in the reader's own short date format."""
    return number_cell(None if value is None else (value - EPOCH).days, STYLE_DATE)


# --------------------------------------------------------------------------
# Sheets and the workbook


@dataclass(frozen=True)
class Sheet:
    name: str
    """At most 31 characters, none of ``[]:*?/\\``."""
    header: tuple[str, ...]
    widths: tuple[int, ...]
    """Each column's width, in characters."""


def column_letter(n: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_head(sheet: Sheet) -> bytes:
    cols = "".join(f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>' for n, w in enumerate(sheet.widths, 1))
    header = b"".join(text_cell(label, STYLE_HEADER) for label in sheet.header)
    return (XML + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews>'
            '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
            ).encode() + b'<row r="1">' + header + b"</row>"


def filtered(sheet: Sheet, rows: int) -> str:
    """The range its filter covers: the header and ``rows`` rows below it."""
    return f"$A$1:${column_letter(len(sheet.header))}${rows + 1}"


def sheet_tail(sheet: Sheet, rows: int) -> bytes:
    return f'</sheetData><autoFilter ref="{filtered(sheet, rows).replace("$", "")}"/></worksheet>'.encode()


class Workbook:
    """An ``.xlsx`` of two sheets, made as its rows are given: ``start``, then ``add`` per row of the first
    sheet (a group) with its rows in the second (its assessments), then ``end``; each returns the next bytes
    of the file (often none). The first sheet is deflated as it comes; the second meanwhile, and kept
    (compressed) until the first ends. Rows are deflated in blocks: zlib takes a few hundred rows at once
    several times faster than one by one."""

    def __init__(self, title: str, sheets: Sequence[Sheet]):
        self.title, self.sheets = title, tuple(sheets)
        self.out = Zip()
        self.member: Streamed | None = None
        self.kept = Deflated()
        self.block, self.later = [sheet_head(self.sheets[0])], [sheet_head(self.sheets[1])]
        self.size = self.later_size = 0
        self.next_row = self.next_below = 2
        """The numbers of the next rows of the two sheets (row 1 is the header)."""

    def start(self) -> bytes:
        out = self.out
        parts = [out.member("[Content_Types].xml", CONTENT_TYPES), out.member("_rels/.rels", ROOT_RELS),
                 out.member("docProps/core.xml", (XML + CORE.format(title=escape(self.title))).encode()),
                 out.member("xl/_rels/workbook.xml.rels", WORKBOOK_RELS), out.member("xl/styles.xml", STYLES)]
        self.member = out.streamed("xl/worksheets/sheet1.xml")  # after them in the file
        return b"".join(parts)

    def add(self, cells: bytes, below: Sequence[bytes]) -> bytes:
        """(Called once per group of 100,000: written for speed, the row numbers kept as the next ones.)"""
        number = self.next_row
        self.block.append(b'<row r="%d">%s</row>' % (number, cells))
        self.next_row = number + 1
        self.size += len(cells)
        if below:
            number = self.next_below
            later = self.later
            for more in below:
                later.append(b'<row r="%d">%s</row>' % (number, more))
                number += 1
                self.later_size += len(more)
            self.next_below = number
            if self.later_size >= BLOCK:
                self.kept.add(b"".join(later))
                self.later, self.later_size = [], 0
        if self.size < BLOCK:
            return b""
        packed = self.member.add(b"".join(self.block))
        self.block, self.size = [], 0
        return packed

    def end(self) -> bytes:
        first, second = self.sheets
        counts, out = (self.next_row - 2, self.next_below - 2), self.out
        self.block.append(sheet_tail(first, counts[0]))
        parts = [self.member.add(b"".join(self.block)), self.member.end()]
        self.later.append(sheet_tail(second, counts[1]))
        self.kept.add(b"".join(self.later))
        parts.append(out.deflated("xl/worksheets/sheet2.xml", self.kept))
        names = "".join(f'<sheet name="{escape(s.name)}" sheetId="{n}" r:id="rId{n}"/>'
                        for n, s in enumerate(self.sheets, 1))
        defined = "".join(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
                          f"{escape(quoted(s.name))}!{filtered(s, count)}</definedName>"
                          for n, (s, count) in enumerate(zip(self.sheets, counts)))
        parts.append(out.member("xl/workbook.xml", (
            XML + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<bookViews><workbookView/></bookViews><sheets>{names}</sheets><definedNames>{defined}</definedNames>"
            "</workbook>").encode()))
        parts.append(out.end())
        return b"".join(parts)


def workbook(title: str, sheets: Sequence[Sheet], rows: Iterable[tuple[bytes, Sequence[bytes]]]) -> Iterator[bytes]:
    """A ``Workbook`` of ``rows`` (each a row of the first sheet and its rows in the second) as a stream of
    bytes."""
    made = Workbook(title, sheets)
    yield made.start()
    for cells, below in rows:
        packed = made.add(cells, below)
        if packed:
            yield packed
    yield made.end()


def quoted(sheet_name: str) -> str:
    return "'" + sheet_name.replace("'", "''") + "'"


# --------------------------------------------------------------------------
# The zip


class Deflated:
    """One member's bytes deflated as they come, with what the zip says of them."""

    def __init__(self):
        self.compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        self.crc = self.size = self.packed_size = 0
        self.packed: list[bytes] = []

    def add(self, data: bytes) -> bytes:
        """Take ``data``; return what is ready of its compressed bytes (often nothing), and keep it too."""
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        packed = self.compressor.compress(data)
        self.packed_size += len(packed)
        self.packed.append(packed)
        return packed

    def finish(self) -> bytes:
        """The rest of the compressed bytes (kept too); nothing once called before."""
        if self.compressor is None:
            return b""
        packed = self.compressor.flush()
        self.compressor = None
        self.packed_size += len(packed)
        self.packed.append(packed)
        return packed


DOS_DATE = (1 << 5) | 1
"""1980-01-01 as zip writes dates (year 0 = 1980, month 1, day 1), the time 00:00."""


class Zip:
    """A zip archive, made member by member as bytes to write one after the other."""

    def __init__(self):
        self.offset = 0
        self.central: list[bytes] = []

    def local_header(self, name: bytes) -> bytes:
        return struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x08, 8, 0, DOS_DATE, 0, 0, 0, len(name), 0) + name

    def closed(self, name: bytes, data: Deflated, start: int) -> bytes:
        """The data descriptor after a member's data, and its entry in the central directory."""
        if max(data.size, data.packed_size, self.offset) >= 1 << 32:
            raise ValueError("a workbook of 4 GiB or more needs ZIP64, which this writer does not write")
        self.central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0x08, 8, 0, DOS_DATE, data.crc,
                                        data.packed_size, data.size, len(name), 0, 0, 0, 0, 0, start) + name)
        return struct.pack("<4s3L", b"PK\x07\x08", data.crc, data.packed_size, data.size)

    def member(self, name: str, data: bytes) -> bytes:
        deflated = Deflated()
        deflated.add(data)
        return self.deflated(name, deflated)

    def deflated(self, name: str, data: Deflated) -> bytes:
        """A member whose bytes were deflated and kept (``Deflated``)."""
        encoded = name.encode()
        start = self.offset
        data.finish()
        whole = self.local_header(encoded) + b"".join(data.packed) + self.closed(encoded, data, start)
        self.offset += len(whole)
        return whole

    def streamed(self, name: str) -> "Streamed":
        return Streamed(self, name)

    def end(self) -> bytes:
        directory = b"".join(self.central)
        return directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(self.central), len(self.central),
                                       len(directory), self.offset, 0)


class Streamed:
    """A member written as its bytes come: its header, then its data as deflated, then its descriptor."""

    def __init__(self, archive: Zip, name: str):
        self.archive, self.name, self.data = archive, name.encode(), Deflated()
        self.start = archive.offset
        self.pending = archive.local_header(self.name)

    def add(self, data: bytes) -> bytes:
        packed = self.pending + self.data.add(data)
        self.data.packed.clear()  # written out: not kept
        self.pending = b""
        self.archive.offset += len(packed)
        return packed

    def end(self) -> bytes:
        packed = self.data.finish()
        closing = packed + self.archive.closed(self.name, self.data, self.start)
        self.archive.offset += len(closing)
        return closing


XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = (XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/xl/workbook.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                 '<Override PartName="/xl/worksheets/sheet1.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                 '<Override PartName="/xl/worksheets/sheet2.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                 '<Override PartName="/xl/styles.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                 '<Override PartName="/docProps/core.xml" '
                 'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
                 '</Types>').encode()

ROOT_RELS = (XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
             'officeDocument" Target="xl/workbook.xml"/>'
             '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
             'core-properties" Target="docProps/core.xml"/>'
             '</Relationships>').encode()

WORKBOOK_RELS = (XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 'worksheet" Target="worksheets/sheet1.xml"/>'
                 '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 'worksheet" Target="worksheets/sheet2.xml"/>'
                 '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 'styles" Target="styles.xml"/>'
                 '</Relationships>').encode()

CORE = ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title><dc:creator>ksm-site</dc:creator>'
        '</cp:coreProperties>')

STYLES = (XML + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<numFmts count="2"><numFmt numFmtId="164" formatCode="0.0"/>'
          '<numFmt numFmtId="165" formatCode="+0.0;-0.0;0.0"/></numFmts>'
          '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
          '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill>'
          '<fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
          '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          '</styleSheet>').encode()
