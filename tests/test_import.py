"""`import FILE.csv|FILE.xlsx`: rows become assessments; existing files keep every byte they had."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import openpyxl
import pytest

from ksm_site.commands.cellvalues import cell_percent
from ksm_site.commands.cli import main
from ksm_site.commands.sheet import Cell

from conftest import VALID_GROUP, files_under, write_content

INDICATORS = ("pertemuan_rutin", "kehadiran", "agenda_pertemuan", "tabungan_kelompok", "aturan_main",
              "pencatatan_keuangan", "rekening_aman", "kegiatan_pihak_luar", "pembahasan_masalah_kritis")
EXISTING = "groups/kota-madiun/taman/ksm-uji-coba.md"
"""VALID_GROUP: a pinjaman-bergulir group with one assessment on 2018-09-30 and a story."""
COMMENTED = VALID_GROUP.replace("---\nnama:", "---\n# Data dari formulir monitoring.\nnama:").replace(
    "    catatan: Pertemuan bulanan mulai rutin.\n",
    "    catatan: Pertemuan bulanan mulai rutin.\n    # penilaian berikutnya: Maret\n")
HEADER = "id,tanggal,penilai," + ",".join(INDICATORS) + ",pengembalian_pinjaman,manusia,ekonomi,infrastruktur,alam,sosial,catatan\n"
SAME_AS_EXISTING = "kota-madiun/taman/ksm-uji-coba,2018-09-30,Ahmad,2,72%,1,2,2,1,1,0,1,95%,2,2,1,1,3,\n"


def run_import(tmp_path, content, name: str, data: str | bytes, *args) -> int:
    sheet = tmp_path / name
    sheet.write_bytes(data if isinstance(data, bytes) else data.encode())
    return main(["import", str(sheet), "--content", str(content), *args])


def test_csv_merges_into_an_existing_group_keeping_its_comments_and_story(tmp_path, capsys):
    content = write_content(tmp_path, {EXISTING: COMMENTED})
    rows = HEADER + "kota-madiun/taman/ksm-uji-coba,2019-10-01,Budi,3,91%,2,3,2,2,2,2,2,97.5%,,,,,,Naik: rapat rutin\n"
    assert run_import(tmp_path, content, "data.csv", rows) == 0
    expected = COMMENTED.replace("    # penilaian berikutnya: Maret\n", (
        "    # penilaian berikutnya: Maret\n"
        "  - tanggal: 2019-10-01\n"
        "    penilai: Budi\n"
        "    indikator:\n"
        "      pertemuan_rutin: 3\n"
        "      kehadiran: 91%\n"
        "      agenda_pertemuan: 2\n"
        "      tabungan_kelompok: 3\n"
        "      aturan_main: 2\n"
        "      pengembalian_pinjaman: 97.5%\n"
        "      pencatatan_keuangan: 2\n"
        "      rekening_aman: 2\n"
        "      kegiatan_pihak_luar: 2\n"
        "      pembahasan_masalah_kritis: 2\n"
        "    catatan: 'Naik: rapat rutin'\n"))
    assert (content / EXISTING).read_text() == expected
    out = capsys.readouterr().out
    assert f"added 2019-10-01 to {content / EXISTING} (kota-madiun/taman/ksm-uji-coba), from row 2" in out
    assert main(["check", "--content", str(content)]) == 0


def test_new_groups_from_slugs_and_a_semicolon_csv_with_bom(tmp_path, capsys):
    content = write_content(tmp_path, {})
    header = "nama;jenis;provinsi;kota;kecamatan;kelurahan;dibentuk;anggota;ketua;tanggal;" + ";".join(INDICATORS) + "\n"
    rows = (header
            + "KSM Maju Jaya;sosial;Jawa Timur;Kabupaten Madiun;Jiwan;Teguhan;2020-01-05;12;\"1945\";2021-03-01;"
              "2;72,5%;1;1;1;1;1;1;1\n"
            + ";;;;;;;;;;;;;;;;;;\n"  # an empty row, as spreadsheets leave them
            + "KSM Maju Jaya;;;Kabupaten Madiun;Jiwan;Teguhan;;;;2020-03-01;1;60;1;1;1;1;1;1;1\n")
    assert run_import(tmp_path, content, "export.csv", b"\xef\xbb\xbf" + rows.encode()) == 0
    path = content / "groups/kabupaten-madiun/jiwan/teguhan/ksm-maju-jaya.md"
    text = path.read_text()
    assert text.startswith("---\nnama: KSM Maju Jaya\njenis: sosial\nwilayah:\n  provinsi: Jawa Timur\n"
                           "  kota: Kabupaten Madiun\n  kecamatan: Jiwan\n  kelurahan: Teguhan\n"
                           "dibentuk: 2020-01-05\nanggota: 12\nketua: '1945'\npenilaian:\n  - tanggal: 2020-03-01\n")
    assert "      kehadiran: 60%\n" in text and "      kehadiran: 72.5%\n" in text
    assert text.index("2020-03-01") < text.index("2021-03-01") and text.endswith("---\n")
    assert f"created {path} (kabupaten-madiun/jiwan/teguhan/ksm-maju-jaya): 2 assessment(s)" in capsys.readouterr().out
    assert main(["check", "--content", str(content)]) == 0


def test_xlsx_with_real_dates_percent_cells_and_numbers(tmp_path):
    content = write_content(tmp_path, {EXISTING: VALID_GROUP})
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID", "Tanggal", *INDICATORS, "pengembalian_pinjaman", "manusia", "ekonomi", "infrastruktur", "alam", "sosial"])
    sheet.append(["kota-madiun/taman/ksm-uji-coba", dt.datetime(2019, 4, 1), 2, 0.725, 2.0, 2, 2, 2, 2, 1, 1, 0.97,
                  1, 2, 3, 4, 5])
    sheet["D2"].number_format = "0.0%"
    sheet["L2"].number_format = "0%"
    book.save(tmp_path / "data.xlsx")
    assert main(["import", str(tmp_path / "data.xlsx"), "--content", str(content)]) == 0
    text = (content / EXISTING).read_text()
    added = text[text.index("  - tanggal: 2019-04-01"):text.index("---\nCerita")]
    assert "      kehadiran: 72.5%\n" in added and "      pengembalian_pinjaman: 97%\n" in added
    assert "      agenda_pertemuan: 2\n" in added
    assert "    aset: {manusia: 1, ekonomi: 2, infrastruktur: 3, alam: 4, sosial: 5}\n" in added
    assert text.endswith("---\nCerita kelompok.\n")
    assert main(["check", "--content", str(content)]) == 0


def test_identical_row_is_skipped_and_the_file_is_untouched(tmp_path, capsys):
    content = write_content(tmp_path, {EXISTING: VALID_GROUP})
    before = files_under(content)
    assert run_import(tmp_path, content, "data.csv", HEADER + SAME_AS_EXISTING) == 0
    assert files_under(content) == before
    out = capsys.readouterr().out
    assert "skipped row 2: kota-madiun/taman/ksm-uji-coba already has this 2018-09-30 assessment" in out
    assert "0 group(s) created, 0 assessment(s) added to existing groups, 1 row(s) skipped." in out


def test_conflicting_row_is_an_error_and_nothing_is_written(tmp_path, capsys):
    content = write_content(tmp_path, {EXISTING: VALID_GROUP})
    before = files_under(content)
    conflict = SAME_AS_EXISTING.replace(",2,72%,1,", ",2,80%,1,")
    new_group = "kota-madiun/taman/ksm-lain,2019-01-01,,1,70%,1,1,1,1,1,1,1,90%,,,,,,\n"
    assert run_import(tmp_path, content, "data.csv", HEADER + new_group + conflict) == 1
    err = capsys.readouterr().err
    assert (f'data.csv, row 3, column E "kehadiran": 2018-09-30 is already assessed in {content / EXISTING} '
            "with other values (in kehadiran)") in err
    assert "Nothing was written." in err
    assert files_under(content) == before


def test_every_bad_row_names_its_row_and_column_and_nothing_is_written(tmp_path, capsys):
    content = write_content(tmp_path, {EXISTING: VALID_GROUP})
    before = files_under(content)
    header = ("nama,jenis,provinsi,kota,kecamatan,kelurahan,dibentuk,tanggal,umur,"
              + ",".join(INDICATORS) + ",pengembalian_pinjaman\n")
    place = "Jawa Timur,Kota Madiun,Taman,Pandean"
    rows = (header
            + f"KSM A,sosial,{place},2018-01-01,2019-01-01,,2,80%,dua,1,1,1,1,1,1,\n"      # row 2: not a number
            + f"KSM B,sosial,{place},2018-01-01,2019-01-01,,2,80%,4,1,1,1,1,1,1,\n"        # row 3: level 4
            + f"KSM C,sosial,{place},2018-01-01,2099-01-01,,2,80%,1,1,1,1,1,1,1,\n"        # row 4: future
            + f"KSM D,sosial,{place},2018-01-01,2019-01-01,,2,80%,1,1,1,1,1,1,1,95%\n"     # row 5: loan indicator
            + f"KSM E,infrastruktur,{place},2018-01-01,2019-01-01,,2,80%,1,1,,1,1,1,1,\n"  # row 6: indicator missing
            + f"KSM F,sosial,{place},2018-01-01,2019-01-01,,2,0.8,1,1,1,1,1,1,1,\n"        # row 7: ambiguous %
            + f"KSM G,arisan,{place},2018-01-01,2019-01-01,,2,80%,1,1,1,1,1,1,1,\n"        # row 8: jenis
            + f"KSM H,sosial,{place},31/02/2018,2019-01-01,,2,80%,1,1,1,1,1,1,1,\n"        # row 9: no such date
            + f"KSM I,sosial,{place},2018-01-01,2017-01-01,,2,80%,1,1,1,1,1,1,1,\n")       # row 10: before dibentuk
    assert run_import(tmp_path, content, "data.csv", rows) == 1
    err = capsys.readouterr().err.splitlines()
    expected = [
        'data.csv, row 1, column I "umur": unknown column',
        'data.csv, row 2, column L "agenda_pertemuan": \'dua\' is not a whole number',
        'data.csv, row 3, column L "agenda_pertemuan": 4 is out of range',
        'data.csv, row 4, column H "tanggal": 2099-01-01 is in the future',
        'data.csv, row 5, column S "pengembalian_pinjaman": does not apply to jenis sosial',
        'data.csv, row 6, column N "aturan_main": is missing',
        'data.csv, row 7, column K "kehadiran": \'0.8\' could be a fraction (80.0%) or a percentage (0.8%)',
        'data.csv, row 8, column B "jenis": \'arisan\' is not an allowed value',
        'data.csv, row 9, column G "dibentuk": \'31/02/2018\' is not a date: February 2018 has 28 days',
        'data.csv, row 10, column H "tanggal": 2017-01-01 is before dibentuk (2018-01-01)',
    ]
    problems = [line.replace(f"{tmp_path}{os.sep}", "") for line in err if line.startswith(str(tmp_path))]
    assert len(problems) == len(expected)
    for line, start in zip(problems, expected):
        assert line.startswith(start), (line, start)
    assert files_under(content) == before


def test_rows_of_one_new_group_must_agree_and_an_existing_group_keeps_its_data(tmp_path, capsys):
    content = write_content(tmp_path, {EXISTING: VALID_GROUP})
    header = "id,nama,jenis,anggota,tanggal," + ",".join(INDICATORS) + "\n"
    rows = (header
            + "a/b/ksm-c,KSM C,sosial,,2019-01-01,1,70%,1,1,1,1,1,1,1\n"
            + "a/b/ksm-c,KSM C,infrastruktur,,2019-02-01,1,70%,1,1,1,1,1,1,1\n"
            + "kota-madiun/taman/ksm-uji-coba,,,12,2019-02-01,1,70%,1,1,1,1,1,1,1\n")
    assert run_import(tmp_path, content, "data.csv", rows) == 1
    err = capsys.readouterr().err
    assert 'data.csv, row 3, column C "jenis": \'infrastruktur\' differs from row 2 (\'sosial\')' in err
    assert f'data.csv, row 4, column D "anggota": \'12\' differs from {content / EXISTING} (\'10\')' in err


def test_empty_or_missing_penilaian_and_crlf_files(tmp_path):
    no_list = VALID_GROUP.split("penilaian:\n")[0] + "---\nCerita.\n"
    empty_list = no_list.replace("---\nCerita.", "penilaian: []  # belum dinilai\n---\nCerita.")
    data_only = no_list.split("---\n")[1].replace("\n", "\r\n") + "penilaian:\r\n"
    content = write_content(tmp_path, {"groups/a/ksm-tanpa.md": no_list, "groups/a/ksm-kosong.md": empty_list,
                                       "groups/a/ksm-data.yaml": data_only.encode()})
    row = ",2019-01-01,,1,70%,1,1,1,1,1,1,1,90%,,,,,,\n"
    assert run_import(tmp_path, content, "data.csv", HEADER + "".join(f"a/{n}{row}" for n in
                                                                      ("ksm-tanpa", "ksm-kosong", "ksm-data"))) == 0
    item = "  - tanggal: 2019-01-01\n    indikator:\n      pertemuan_rutin: 1\n"
    tanpa = (content / "groups/a/ksm-tanpa.md").read_text()
    assert tanpa.startswith(no_list.split("---\nCerita")[0] + "penilaian:\n" + item)
    kosong = (content / "groups/a/ksm-kosong.md").read_text()
    assert "penilaian:  # belum dinilai\n" + item in kosong
    raw = (content / "groups/a/ksm-data.yaml").read_bytes()
    assert raw.startswith(data_only.encode()) and b"\r\n  - tanggal: 2019-01-01\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert main(["check", "--content", str(content)]) == 0


def test_a_one_line_list_is_not_edited(tmp_path, capsys):
    one_line = VALID_GROUP.split("penilaian:\n")[0] + (
        "penilaian: [{tanggal: 2018-09-30, indikator: {pertemuan_rutin: 1, kehadiran: 50%, agenda_pertemuan: 1, "
        "tabungan_kelompok: 1, aturan_main: 1, pengembalian_pinjaman: 90%, pencatatan_keuangan: 1, rekening_aman: 1, "
        "kegiatan_pihak_luar: 1, pembahasan_masalah_kritis: 1}}]\n---\n")
    content = write_content(tmp_path, {EXISTING: one_line})
    assert main(["check", "--content", str(content)]) == 0
    row = "kota-madiun/taman/ksm-uji-coba,2019-01-01,,1,70%,1,1,1,1,1,1,1,90%,,,,,,\n"
    assert run_import(tmp_path, content, "data.csv", HEADER + row) == 1
    assert 'row 2, column B "tanggal":' in capsys.readouterr().err
    assert (content / EXISTING).read_text() == one_line


@pytest.mark.parametrize("cell, expected", [
    (Cell("72%"), Decimal(72)), (Cell("72,5 %"), Decimal("72.5")), (Cell("72"), Decimal(72)),
    (Cell("0"), Decimal(0)), (Cell(72), Decimal(72)), (Cell(0.72, percent=True), Decimal(72)),
    (Cell(1, percent=True), Decimal(100)), (Cell(0.725, percent=True), Decimal("72.5")),
])
def test_percentages_from_a_spreadsheet(cell, expected):
    assert cell_percent(cell) == expected


@pytest.mark.parametrize("cell", [Cell("0.72"), Cell(0.72), Cell(1), Cell("banyak"), Cell("-5%")])
def test_ambiguous_or_wrong_percentages_are_refused(cell):
    from ksm_site.content.fields import Invalid
    with pytest.raises(Invalid):
        cell_percent(cell)


def test_new_groups_as_yaml_files(tmp_path):
    content = write_content(tmp_path, {})
    header = "id,nama,jenis,provinsi,kota,kecamatan,kelurahan,dibentuk,tanggal," + ",".join(INDICATORS) + "\n"
    row = "a/b/ksm-c,KSM C,sosial,Jawa Timur,Kota Madiun,Taman,Pandean,2018-01-01,2019-01-01,1,70%,1,1,1,1,1,1,1\n"
    assert run_import(tmp_path, content, "data.csv", header + row, "--format", "yaml") == 0
    text = (content / "groups/a/b/ksm-c.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=https://ksm-site.github.io/ksm-site/schema/kelompok.json\n"
                           "nama: KSM C\n")
    assert main(["check", "--content", str(content)]) == 0
