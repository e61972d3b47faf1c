"""`import` of files that are not what they claim, or are built to hurt: one clear line each, nothing written.

Hostile workbooks are written by hand with zipfile; their work is bounded by
sizes and counts (the limits in ksm_site/commands/sheet.py and ksm_site/commands/workbook.py),
never measured in seconds here.
"""

from __future__ import annotations

import csv
import io
import struct
import sys
import zipfile

import openpyxl
import pytest

from ksm_site.commands.cli import main
from ksm_site.commands.sheet import MAX_TEXT_CHARS
from ksm_site.commands.workbook import MAX_MEMBER_BYTES, MAX_PART_ENTRIES

from conftest import files_under, write_content

INDICATORS = ("pertemuan_rutin", "kehadiran", "agenda_pertemuan", "tabungan_kelompok", "aturan_main",
              "pencatatan_keuangan", "rekening_aman", "kegiatan_pihak_luar", "pembahasan_masalah_kritis")
HEADER = ["id", "nama", "jenis", "provinsi", "kota", "kecamatan", "kelurahan", "dibentuk", "tanggal", *INDICATORS]
ROW = ["a/b/ksm-c", "KSM C", "sosial", "Jawa Timur", "Kota Madiun", "Taman", "Pandean", "2018-01-01", "2019-01-01",
       1, "70%", 1, 1, 1, 1, 1, 1, 1]
GOOD_CSV = ",".join(HEADER) + "\n" + ",".join(map(str, ROW)) + "\n"


def run(tmp_path, name: str, data: bytes, *args) -> tuple[int, str, str, dict, dict]:
    """Import ``data`` saved as ``name``: (exit code, stdout, stderr, files before, files after)."""
    content = write_content(tmp_path, {})
    before = files_under(content)
    (tmp_path / name).write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    code = main(["import", str(tmp_path / name), "--content", str(content), *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue(), before, files_under(content)


def refused(tmp_path, name: str, data: bytes, *args, code: int = 2) -> str:
    """The one line with which ``data`` is refused; asserts the exit code and that nothing was written."""
    got, out, err, before, after = run(tmp_path, name, data, *args)
    assert got == code, err
    assert after == before
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {tmp_path / name}"), err
    return lines[0]


def good_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(ROW)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def rewritten(workbook: bytes, changes: dict[str, bytes | None], compression=zipfile.ZIP_DEFLATED) -> bytes:
    """``workbook`` with members replaced (or removed, for None) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", compression) as target:
        for name in source.namelist():
            if name not in changes:
                target.writestr(name, source.read(name))
        for name, data in changes.items():
            if data is not None:
                target.writestr(name, data)
    return out.getvalue()


def sheet_xml(workbook: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_the_sane_workbook_these_tests_start_from_imports(tmp_path):
    code, _, err, before, after = run(tmp_path, "data.xlsx", good_workbook())
    assert code == 0, err
    assert len(after) == len(before) + 1


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_an_entity_expansion_bomb_is_refused_before_parsing(tmp_path):
    lol = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    doctype = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol0 "lol">{lol}]>'.encode()
    book = good_workbook()
    xml = doctype + sheet_xml(book).replace(b"<t>KSM C</t>", b"<t>&lol9;</t>")
    line = refused(tmp_path, "data.xlsx", rewritten(book, {"xl/worksheets/sheet1.xml": xml}))
    assert "xl/worksheets/sheet1.xml holds an XML <!DOCTYPE declaration" in line


def test_an_external_entity_is_refused(tmp_path):
    doctype = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    book = good_workbook()
    xml = doctype + sheet_xml(book).replace(b"<t>KSM C</t>", b"<t>&secret;</t>")
    assert "<!DOCTYPE" in refused(tmp_path, "data.xlsx", rewritten(book, {"xl/worksheets/sheet1.xml": xml}))


def test_a_doctype_in_utf16_xml_is_refused(tmp_path):
    book = good_workbook()
    xml = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE worksheet [<!ENTITY a "b">]>'
           + sheet_xml(book).decode()).encode("utf-16")
    assert "<!DOCTYPE" in refused(tmp_path, "data.xlsx", rewritten(book, {"xl/worksheets/sheet1.xml": xml}))


def test_xml_in_another_declared_encoding_is_refused(tmp_path):
    book = good_workbook()
    xml = b'<?xml version="1.0" encoding="cp037"?>' + sheet_xml(book)
    line = refused(tmp_path, "data.xlsx", rewritten(book, {"xl/worksheets/sheet1.xml": xml}))
    assert "declares the encoding 'cp037'" in line


def test_a_member_that_would_unpack_past_the_limit_is_refused(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good_workbook())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for name in source.namelist():
            bomb.writestr(name, source.read(name))
        with bomb.open("xl/media/image1.png", "w") as member:  # streamed: the test never holds it whole
            zeros = bytes(1024 * 1024)
            for _ in range(MAX_MEMBER_BYTES // len(zeros) + 1):
                member.write(zeros)
    line = refused(tmp_path, "data.xlsx", out.getvalue())
    assert f"xl/media/image1.png would unpack to {MAX_MEMBER_BYTES + 2**20:,} bytes" in line and "zip bomb" in line


def test_a_member_compressed_far_better_than_any_worksheet_is_refused(tmp_path):
    bomb = rewritten(good_workbook(), {"xl/worksheets/sheet2.xml": bytes(2 * 1024 * 1024)})
    line = refused(tmp_path, "data.xlsx", bomb)
    assert "xl/worksheets/sheet2.xml would unpack to 2,097,152 bytes from" in line and "zip bomb" in line


def _set_declared_size(data: bytes, name: str, size: int) -> bytes:
    """``data`` (a zip) with the uncompressed size of ``name`` in both its headers set to ``size``."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        local = archive.getinfo(name).header_offset
    struct.pack_into("<I", patched, local + 22, size)  # the local file header's uncompressed size
    crc_and_sizes = data[local + 14:local + 26]  # the central directory entry repeats them, 16 bytes in
    central = data.index(crc_and_sizes, data.index(b"PK\x01\x02"))
    struct.pack_into("<I", patched, central + 8, size)
    return bytes(patched)


def test_a_member_that_lies_about_its_size_is_refused(tmp_path):
    book = rewritten(good_workbook(), {"xl/media/image1.png": bytes(512 * 1024)})
    line = refused(tmp_path, "data.xlsx", _set_declared_size(book, "xl/media/image1.png", 100))
    assert "a damaged or unusual zip file" in line


def test_a_worksheet_with_more_cells_than_the_limit_is_refused(tmp_path):
    cells = b"".join(b'<row r="%d"><c r="A%d"/></row>' % (n, n) for n in range(1, MAX_PART_ENTRIES // 2 + 2))
    xml = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' \
          + cells + b"</sheetData></worksheet>"
    line = refused(tmp_path, "data.xlsx", rewritten(good_workbook(), {"xl/worksheets/sheet1.xml": xml}))
    assert f"more than {MAX_PART_ENTRIES:,} cells, rows or texts" in line


def test_text_named_xlsx_is_not_a_workbook(tmp_path):
    line = refused(tmp_path, "data.xlsx", GOOD_CSV.encode())
    assert "not an Excel workbook (an .xlsx is a zip file, this is not)" in line and "name it .csv" in line


def test_an_old_xls_workbook_is_named_as_such(tmp_path):
    line = refused(tmp_path, "data.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    assert "an Excel 97-2003 workbook (.xls) or a workbook with a password" in line


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("catatan.txt", "bukan buku kerja")
    assert "a zip file, but not an Excel workbook" in refused(tmp_path, "data.xlsx", out.getvalue())


def test_an_office_file_that_is_not_a_workbook_is_refused(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                                                'content-types"><Default Extension="xml" ContentType="application/xml"/>'
                                                '</Types>')
        archive.writestr("word/document.xml", "<document/>")
    assert "cannot be read as an Excel workbook" in refused(tmp_path, "data.xlsx", out.getvalue())


def test_a_broken_worksheet_is_one_line(tmp_path):
    book = rewritten(good_workbook(), {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row r='1'><c"})
    assert "cannot be read" in refused(tmp_path, "data.xlsx", book)


def test_a_workbook_cell_over_excels_limit_is_refused(tmp_path):
    book = good_workbook()  # openpyxl cuts what it writes at 32,767 characters; another program may not
    xml = sheet_xml(book).replace(b"<t>KSM C</t>", b"<t>" + b"x" * 40_000 + b"</t>")
    line = refused(tmp_path, "data.xlsx", rewritten(book, {"xl/worksheets/sheet1.xml": xml}))
    assert 'data.xlsx, sheet "Sheet", row 2, column B: 40,000 characters, more than Excel\'s 32,767' in line


def test_cells_that_all_share_one_long_text_are_bounded(tmp_path):
    """Every cell may refer to one shared string; read, each would become a copy of it."""
    long_text = "x" * 30_000
    rows = MAX_TEXT_CHARS // len(long_text) + 1
    book = good_workbook()
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        types = archive.read("[Content_Types].xml").replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                         b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        rels = archive.read("xl/_rels/workbook.xml.rels").replace(
            b"</Relationships>", b'<Relationship Id="rId9" Target="sharedStrings.xml" Type="http://schemas.'
                                 b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                                 b"</Relationships>")
    strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
               b"<si><t>" + long_text.encode() + b"</t></si></sst>")
    cells = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (n, n) for n in range(1, rows + 1))
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + cells
           + b"</sheetData></worksheet>")
    bomb = rewritten(book, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels,
                            "xl/sharedStrings.xml": strings, "xl/worksheets/sheet1.xml": xml})
    line = refused(tmp_path, "data.xlsx", bomb)
    assert f"row {rows}: more than {MAX_TEXT_CHARS:,} characters of text in all" in line


def test_a_value_beyond_the_last_column_read_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(ROW)
    book.active.cell(row=2, column=101, value="x")
    data = io.BytesIO()
    book.save(data)
    line = refused(tmp_path, "data.xlsx", data.getvalue())
    assert "row 2, column CW: a value beyond column CV; this tool reads at most 100 columns" in line


def test_a_csv_value_beyond_the_last_column_read_is_refused(tmp_path):
    data = GOOD_CSV.replace("\n", "," * 200 + "\n", 1).replace("70%,1,1,1,1,1,1,1\n", "70%,1,1,1,1,1,1,1"
                                                                 + "," * 132 + "x\n")
    assert "row 2, column ET: a value beyond column CV" in refused(tmp_path, "data.csv", data.encode())


def test_a_csv_row_with_many_empty_fields_after_the_last_column_is_read(tmp_path):
    """Empty trailing fields are what Excel writes for a wide used range; they are dropped as they are read."""
    data = GOOD_CSV.replace("70%,1,1,1,1,1,1,1\n", "70%,1,1,1,1,1,1,1" + "," * 5_000_000 + "\n")
    code, _, err, before, after = run(tmp_path, "data.csv", data.encode())
    assert code == 0, err
    assert len(after) == len(before) + 1


def test_a_csv_with_a_nul_byte_is_refused(tmp_path):
    line = refused(tmp_path, "data.csv", GOOD_CSV.encode().replace(b"KSM C", b"KSM\x00C"))
    assert "line 2 holds a NUL byte" in line


def test_a_workbook_named_csv_is_told_apart(tmp_path):
    assert "an Excel workbook (.xlsx) named .csv" in refused(tmp_path, "data.csv", good_workbook())


def test_a_utf16_csv_is_refused(tmp_path):
    line = refused(tmp_path, "data.csv", GOOD_CSV.encode("utf-16"))
    assert "UTF-16 text (Excel's 'Unicode Text')" in line and "CSV UTF-8" in line


def test_a_windows_1252_csv_as_excel_writes_it_is_read(tmp_path):
    data = GOOD_CSV.replace("KSM C", "KSM Caf\u00e9 \u2019Maju\u2019").encode("cp1252")
    code, out, err, before, after = run(tmp_path, "data.csv", data)
    assert code == 0, err
    assert "not UTF-8; read as Windows-1252" in out
    written = [text for path, text in after.items() if path not in before]
    assert b"nama: KSM Caf\xc3\xa9 \xe2\x80\x99Maju\xe2\x80\x99\n" in written[0]


def test_a_csv_neither_utf8_nor_windows_1252_is_refused(tmp_path):
    line = refused(tmp_path, "data.csv", GOOD_CSV.encode().replace(b"KSM C", b"KSM \x81C"))
    assert "line 2 holds byte 0x81, which is neither UTF-8 nor Windows-1252 text" in line


def test_a_csv_mixing_utf8_and_other_bytes_is_refused(tmp_path):
    data = GOOD_CSV.replace("KSM C", "KSM Caf\u00e9").encode() + GOOD_CSV.splitlines()[1].replace(
        "KSM C", "KSM \xe9").encode("cp1252")
    assert "line 3 is not UTF-8 while other lines are" in refused(tmp_path, "data.csv", data)


def test_a_csv_cell_over_excels_limit_is_refused(tmp_path):
    data = GOOD_CSV.replace("KSM C", "K" * 40_000).encode()
    line = refused(tmp_path, "data.csv", data)
    assert "data.csv, row 2, column B: 40,000 characters, more than Excel's 32,767 for a cell" in line


@pytest.mark.parametrize("limit", [None, sys.maxsize])
def test_a_quote_never_closed_is_refused(tmp_path, limit):
    """Also when a library loaded in the same process (frictionless does) has raised the csv module's limit."""
    data = GOOD_CSV.replace("KSM C", '"KSM C').encode() + ("x" * 200 + "\n").encode() * 1000
    previous = csv.field_size_limit(limit) if limit is not None else csv.field_size_limit()
    try:
        found = csv.field_size_limit()
        line = refused(tmp_path, "data.csv", data)
        assert csv.field_size_limit() == found  # left as it was found
    finally:
        csv.field_size_limit(previous)
    assert "row 2: a cell holds more than 32,767 characters" in line and "never closed" in line


def test_a_csv_with_too_many_rows_is_refused(tmp_path):
    data = GOOD_CSV + (",".join(map(str, ROW)) + "\n") * 10_000
    assert "row 10001: more than 10,000 rows with values" in refused(tmp_path, "data.csv", data.encode())


def test_ragged_rows_are_one_problem(tmp_path):
    good = ",".join(map(str, ROW))
    more = good.replace("KSM C", "KSM C, Taman")  # a separator in a value without quotes
    fewer = good.replace(",1,1,1,1,1,1,1", ",1,1,1,1,1,1")
    code, _, err, before, after = run(tmp_path, "data.csv", "\n".join([GOOD_CSV + more, good, fewer, ""]).encode())
    assert code == 1 and after == before
    problems = [line for line in err.splitlines() if line.startswith(str(tmp_path))]
    assert problems == [f"{tmp_path / 'data.csv'}, row 3, column S: has 19 fields where the header (row 1) "
                        "has 18; so does row 5"]


def test_a_file_of_another_kind_is_refused(tmp_path):
    assert "save it as .xlsx or as .csv" in refused(tmp_path, "data.ods", b"x")


def test_a_missing_file_is_one_line(tmp_path):
    content = write_content(tmp_path, {})
    err = io.StringIO()
    assert main(["import", str(tmp_path / "nothing.csv"), "--content", str(content)], stderr=err) == 2
    assert err.getvalue() == f"error: {tmp_path / 'nothing.csv'}: No such file or directory\n"


@pytest.mark.parametrize("data", [b"", b"\n\n;;;\n", b"Laporan bulanan\nKelurahan Pandean\n"])
def test_a_sheet_without_a_header_row_is_refused(tmp_path, data):
    assert "no header row in rows 1 to 10" in refused(tmp_path, "data.csv", data)
