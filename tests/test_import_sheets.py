"""`import` of sheets as facilitators keep them: Excel's Indonesian CSV, title rows, headers as people write them."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from ksm_site.commands.cli import main

from conftest import CONTENT, files_under, write_content

INDICATORS = ("pertemuan_rutin", "kehadiran", "agenda_pertemuan", "tabungan_kelompok", "aturan_main",
              "pencatatan_keuangan", "rekening_aman", "kegiatan_pihak_luar", "pembahasan_masalah_kritis")
PLACE = ["Jawa Timur", "Kota Madiun", "Taman", "Pandean"]
NEW_GROUP = "groups/kota-madiun/taman/pandean/ksm-sido-rukun.md"
FIELDS = ["nama", "jenis", "provinsi", "kota", "kecamatan", "kelurahan", "dibentuk", "tanggal", *INDICATORS]
VALUES = ["KSM Sido Rukun", "sosial", *PLACE, "01/02/2019", "15/03/2020", 2, "72%", 1, 1, 1, 1, 1, 1, 1]
"""A whole new group in one row, under the fields' keys."""


def named(**names) -> list[str]:
    """FIELDS with some columns named otherwise: ``named(tanggal="Tanggal Penilaian")``."""
    return [names.get(field, field) for field in FIELDS]


def run(tmp_path, name: str, data: bytes, *args, content=None) -> tuple[int, str, str]:
    content = content or write_content(tmp_path, {})
    (tmp_path / name).write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    code = main(["import", str(tmp_path / name), "--content", str(content), *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def workbook(*rows, title: str = "Sheet", more_sheets=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for name, sheet_rows in more_sheets:
        extra = book.create_sheet(name)
        for row in sheet_rows:
            extra.append(list(row))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def problems(err: str, tmp_path) -> list[str]:
    return [line.replace(f"{tmp_path}/", "") for line in err.splitlines() if line.startswith(str(tmp_path))]


def checks(content) -> bool:
    return main(["check", "--content", str(content)], stderr=io.StringIO()) == 0


def test_a_csv_saved_by_excel_with_indonesian_settings(tmp_path):
    """Semicolons, decimal commas, a byte-order mark, CRLF, DD/MM/YYYY, and the headers people write."""
    header = ("Nama KSM;Jenis;Provinsi;Kota;Kecamatan;Kelurahan;Dibentuk;Tanggal Penilaian;Pertemuan Rutin;"
              "Kehadiran (%);Agenda Pertemuan;Tabungan Kelompok;Aturan Main;Pengembalian pinjaman (RR);"
              "Pencatatan Keuangan;Rekening Aman;Kegiatan Pihak Luar;Pembahasan Masalah Kritis;Catatan")
    place = ";".join(PLACE)
    rows = [header,
            f"KSM Sido Rukun;pinjaman-bergulir;{place};01/02/2019;15/03/2020;2;72,5;1;2;2;97,5%;1;1;0;1;"
            '"Rapat; rutin"',
            f"KSM Sido Rukun;;{place};;1/9/2020;3;91;2;3;2;98;2;2;2;2;"]
    data = b"\xef\xbb\xbf" + "\r\n".join(rows + [""]).encode()
    content = write_content(tmp_path, {})
    code, out, err = run(tmp_path, "penilaian.csv", data, content=content)
    assert code == 0, err
    text = (content / NEW_GROUP).read_text()
    assert "dibentuk: 2019-02-01\n" in text
    assert text.index("  - tanggal: 2020-03-15\n") < text.index("  - tanggal: 2020-09-01\n")
    assert "      kehadiran: 72.5%\n" in text and "      pengembalian_pinjaman: 97.5%\n" in text
    assert "    catatan: Rapat; rutin\n" in text
    assert 'columns read as fields: A "Nama KSM" as nama, H "Tanggal Penilaian" as tanggal' in out
    assert checks(content)


def test_a_workbook_with_title_rows_human_headers_and_day_first_dates(tmp_path):
    header = ["No.", "Nama KSM", "Jenis KSM", "Provinsi", "Kabupaten/Kota", "Kecamatan", "Kelurahan/Desa",
              "Tanggal Dibentuk", "Tanggal Penilaian", "Pertemuan Rutin", "Kehadiran Anggota (%)",
              "Agenda Pertemuan", "Tabungan Kelompok", "Aturan Main Kelompok", "Pencatatan Keuangan",
              "Rekening Kelompok yang Aman", "Kegiatan dengan Pihak Luar", "Pembahasan Masalah Kritis",
              "Modal Manusia", "Aset Ekonomi", "Infrastruktur", "Natural", "Social capital", "Keterangan", "Skor"]
    data = workbook(
        ["DATA PENILAIAN KSM KELURAHAN PANDEAN"], ["Tahun 2020"], [],
        header,
        [1, "KSM Sido Rukun", "sosial", *PLACE, "05/01/2019", "15/03/2020", 2, "75", 1, 2, 2, 1, 1, 0, 1,
         1, 2, 3, 4, 5, "Mulai rutin", 55.6],
        [2, "KSM Sido Rukun", None, *PLACE, None, dt.datetime(2020, 9, 1), 3, "90%", 2, 3, 2, 2, 2, 2, 2],
        title="Penilaian 2020")
    content = write_content(tmp_path, {})
    code, out, err = run(tmp_path, "penilaian.xlsx", data, content=content)
    assert code == 0, err
    text = (content / NEW_GROUP).read_text()
    assert "dibentuk: 2019-01-05\n" in text and "  - tanggal: 2020-03-15\n" in text
    assert "  - tanggal: 2020-09-01\n" in text and "      kehadiran: 90%\n" in text
    assert "    aset: {manusia: 1, ekonomi: 2, infrastruktur: 3, alam: 4, sosial: 5}\n" in text
    assert 'the header is row 4; rows 1 to 2 above it skipped as titles ("DATA PENILAIAN KSM KELURAHAN PANDEAN")' in out
    assert 'columns ignored: A "No." (row numbers), Y "Skor" (the build computes it)' in out
    assert checks(content)


def test_an_ambiguous_fraction_in_a_workbook_is_refused_with_its_sheet(tmp_path):
    data = workbook(["id", "Tanggal", "Kehadiran"], ["a/b/ksm-c", "01/02/2020", 0.9], title="Data")
    code, _, err = run(tmp_path, "data.xlsx", data)
    assert code == 1
    assert ('data.xlsx, sheet "Data", row 2, column C "Kehadiran": \'0.9\' could be a fraction (90.0%) '
            "or a percentage (0.9%)") in problems(err, tmp_path)


def test_a_renamed_indicator_is_matched_by_its_new_name(tmp_path):
    content = write_content(tmp_path, {})
    rubric = (CONTENT / "rubric.yaml").read_text()
    assert "nama: {id: Pertemuan rutin, en: Routine meetings}" in rubric
    (content / "rubric.yaml").write_text(rubric.replace("nama: {id: Pertemuan rutin, en: Routine meetings}",
                                                        "nama: {id: Rapat anggota bulanan, en: Monthly meetings}"))
    data = workbook(named(pertemuan_rutin="Rapat Anggota Bulanan"), VALUES)
    code, out, err = run(tmp_path, "data.xlsx", data, content=content)
    assert code == 0, err
    assert 'I "Rapat Anggota Bulanan" as pertemuan_rutin' in out
    assert "      pertemuan_rutin: 2\n" in (content / NEW_GROUP).read_text()
    (content / NEW_GROUP).unlink()
    code, _, err = run(tmp_path, "data.xlsx", workbook(named(pertemuan_rutin="Routine meetings"), VALUES),
                       content=content)
    assert code == 1 and 'row 1, column I "Routine meetings": unknown column' in err


def test_english_names_and_any_spacing_or_case_are_matched(tmp_path):
    header = named(nama="Group name", tanggal="ASSESSMENT DATE", pertemuan_rutin="routine meetings",
                   kehadiran="Member  Attendance", agenda_pertemuan="agenda-pertemuan",
                   tabungan_kelompok="TabunganKelompok", aturan_main="  Aturan_Main: ")
    data = "\n".join(",".join(map(str, row)) for row in (header, VALUES)).encode()
    content = write_content(tmp_path, {})
    code, out, err = run(tmp_path, "data.csv", data, content=content)
    assert code == 0, err
    assert ('A "Group name" as nama, H "ASSESSMENT DATE" as tanggal, I "routine meetings" as pertemuan_rutin, '
            'J "Member  Attendance" as kehadiran') in out
    assert checks(content)


def test_an_unknown_column_gets_a_did_you_mean(tmp_path):
    code, _, err = run(tmp_path, "data.csv", b"id,tanggal,Pertemuan Rutinn,Kehadran\na/b/c,2020-01-01,1,70%\n")
    assert code == 1
    lines = err.splitlines()
    assert 'data.csv, row 1, column C "Pertemuan Rutinn": unknown column' in problems(err, tmp_path)
    assert lines[lines.index(next(line for line in lines if "Rutinn" in line)) + 1] == \
        "    hint: did you mean 'pertemuan_rutin'?"
    assert "    hint: did you mean 'kehadiran'?" in lines


def test_a_name_that_fits_two_fields_is_refused(tmp_path):
    content = write_content(tmp_path, {})
    rubric = (content / "rubric.yaml").read_text()
    (content / "rubric.yaml").write_text(rubric.replace("nama: {id: Alam, en: Natural}",
                                                        "nama: {id: Alam, en: Bookkeeping}"))
    code, _, err = run(tmp_path, "data.csv", b"id,tanggal,Bookkeeping\na/b/c,2020-01-01,1\n", content=content)
    assert code == 1
    assert ('data.csv, row 1, column C "Bookkeeping": could name any of alam, pencatatan_keuangan'
            in problems(err, tmp_path))


def test_a_field_named_twice_is_refused(tmp_path):
    code, _, err = run(tmp_path, "data.csv", b"id,tanggal,kehadiran,Kehadiran (%)\na/b/c,2020-01-01,70%,70%\n")
    assert code == 1
    assert ('data.csv, row 1, column D "Kehadiran (%)": names kehadiran, as column C "kehadiran" does'
            in problems(err, tmp_path))


def test_values_under_a_blank_header_cell_are_reported_once(tmp_path):
    data = workbook(["id", "tanggal", None, "pertemuan_rutin"], ["a/b/c", "2020-01-01", "x", 1],
                    ["a/b/c", "2020-02-01", "y", 1])
    code, _, err = run(tmp_path, "data.xlsx", data)
    assert code == 1
    found = [line for line in problems(err, tmp_path) if "column C:" in line]
    assert found == ['data.xlsx, sheet "Sheet", row 2, column C: has values (in 2 row(s)) but no name in the '
                     "header (row 1)"]


def test_a_two_row_header_takes_names_from_merged_cells_above(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*FIELDS[:8], "Indikator"])
    sheet.append([None] * 8 + list(INDICATORS))
    for column in "ABCDEFGH":
        sheet.merge_cells(f"{column}1:{column}2")
    sheet.merge_cells("I1:Q1")
    sheet.append(VALUES)
    data = io.BytesIO()
    book.save(data)
    content = write_content(tmp_path, {})
    code, out, err = run(tmp_path, "data.xlsx", data.getvalue(), content=content)
    assert code == 0, err
    assert 'the header is row 2; row 1 above it skipped as titles ("nama")' in out
    assert 'A "nama" (row 1) as nama' in out and 'H "tanggal" (row 1) as tanggal' in out
    assert checks(content)


def test_messages_name_the_sheet_chosen_with_sheet(tmp_path):
    data = workbook(["catatan saja"], more_sheets=[("Penilaian 2021", [["id", "tanggal"], ["a/b/c", "31/04/2021"]])])
    code, _, err = run(tmp_path, "data.xlsx", data, "--sheet", "penilaian 2021")
    assert code == 1
    assert ('data.xlsx, sheet "Penilaian 2021", row 2, column B "tanggal": \'31/04/2021\' is not a date: '
            "April 2021 has 30 days") in problems(err, tmp_path)


def test_the_first_sheet_is_read_and_the_output_says_so(tmp_path):
    data = workbook(FIELDS, VALUES, title="Ringkasan", more_sheets=[("Lain", [["x"]])])
    code, out, err = run(tmp_path, "data.xlsx", data)
    assert code == 0, err
    assert 'data.xlsx: read sheet "Ringkasan", the first of 2 ("Ringkasan", "Lain"); choose another with --sheet NAME' \
        in out


def test_an_unknown_sheet_is_a_usage_error(tmp_path):
    code, _, err = run(tmp_path, "data.xlsx", workbook(["id"], title="Satu", more_sheets=[("Dua", [])]),
                       "--sheet", "Tiga")
    assert code == 2
    assert err == f'error: {tmp_path}/data.xlsx: has no sheet "Tiga"; its worksheets: "Satu", "Dua"\n'


def test_sheet_with_a_csv_is_a_usage_error(tmp_path):
    code, _, err = run(tmp_path, "data.csv", b"id,tanggal\n", "--sheet", "Satu")
    assert code == 2 and "--sheet chooses a worksheet of an .xlsx workbook" in err


def test_a_used_range_beyond_the_columns_read_is_said(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(FIELDS)
    sheet.append(VALUES)
    sheet.cell(row=5, column=150).number_format = "0%"  # formatted, empty: the used range reaches ET
    data = io.BytesIO()
    book.save(data)
    code, out, err = run(tmp_path, "data.xlsx", data.getvalue())
    assert code == 0, err
    assert 'sheet "Sheet": its used range reaches column ET; columns after CW are not read' in out


@pytest.mark.parametrize("header_row", [1, 3])
def test_the_header_is_found_where_it_is(tmp_path, header_row):
    titles = [["Laporan penilaian"], ["Kelurahan Pandean", None, "2020"]][:header_row - 1]
    code, out, err = run(tmp_path, "data.xlsx", workbook(*titles, FIELDS, VALUES))
    assert code == 0, err
    assert ("the header is row 3; rows 1 to 2 above it skipped as titles" in out) is (header_row == 3)


def test_nothing_is_written_when_one_row_of_a_good_sheet_is_wrong(tmp_path):
    content = write_content(tmp_path, {})
    before = files_under(content)
    header = ["Nama KSM", "Jenis", "Provinsi", "Kota", "Kecamatan", "Kelurahan", "Dibentuk", "Tanggal", *INDICATORS]
    rows = [header, ["KSM A", "sosial", *PLACE, "01/01/2019", "01/02/2020", 1, "70%", 1, 1, 1, 1, 1, 1, 1],
            ["KSM B", "sosial", *PLACE, "01/01/2019", "30/02/2020", 1, "70%", 1, 1, 1, 1, 1, 1, 1]]
    code, _, err = run(tmp_path, "data.xlsx", workbook(*rows), content=content)
    assert code == 1 and files_under(content) == before
    assert problems(err, tmp_path) == ['data.xlsx, sheet "Sheet", row 3, column H "Tanggal": \'30/02/2020\' is not a '
                                       "date: February 2020 has 29 days"]
