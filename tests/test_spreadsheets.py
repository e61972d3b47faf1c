"""Every area page offers its own groups as a workbook that a spreadsheet opens with its columns and types
intact, in any locale; the home page offers the whole programme's. Read here with openpyxl, as a
spreadsheet program reads them."""

from __future__ import annotations

import datetime as dt
import io
import json
import posixpath
import re
import zipfile

import openpyxl
import pytest

from ksm_site.domain.slugs import area_slugs
from ksm_site.engine.build import build

from conftest import CONTENT, TODAY, VALID_GROUP, files_under, write_content


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "out"
    build(str(CONTENT), str(out), TODAY, jobs=1)
    return files_under(out)


def downloads(page: bytes) -> list[str]:
    """The targets of a page's download list, relative to the site root."""
    html = page.decode()
    section = html[html.index('<section aria-labelledby="downloads">'):]
    section = section[:section.index("</section>")]
    return [href for href in re.findall(r'href="([^"]+)"', section)]


def resolved(page_path: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(page_path), href))


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def area_pages(site) -> list[str]:
    return sorted(p for p in site if p.startswith("wilayah/") and p.endswith("/index.html") and p != "wilayah/index.html")


def test_every_area_page_offers_exactly_its_own_groups(site):
    groups = json.loads(site["data/groups.json"])["groups"]
    places = {g["id"]: (g["wilayah"]["kota"], g["wilayah"]["kecamatan"], g["wilayah"]["kelurahan"]) for g in groups}
    slugs = area_slugs(places.values())
    pages = area_pages(site)
    assert {p.count("/") for p in pages} == {2, 3, 4}  # kota, kecamatan and kelurahan pages
    for page in pages:
        for lang_page in (page, "en/" + page):
            hrefs = downloads(site[lang_page])
            assert len(hrefs) == 1 and hrefs[0].endswith(".xlsx"), (lang_page, hrefs)
            target = resolved(lang_page, hrefs[0])
            assert target in site and target.startswith(page[:-len("index.html")]), (lang_page, target)
        area = tuple(page.split("/")[1:-1])
        mine = [g for g in groups if slugs[places[g["id"]]][:len(area)] == area]
        book = workbook(site[target])
        listed = [r["id"] for r in rows(book["Kelompok"])]
        assert sorted(listed) == sorted(g["id"] for g in mine) and len(listed) == len(set(listed)), page
        assessed = [r["id"] for r in rows(book["Penilaian"])]
        assert sorted(assessed) == sorted(g["id"] for g in mine for _ in g["penilaian"]), page


def test_the_home_page_offers_the_programme_in_every_form(site):
    for page in ("index.html", "en/index.html"):
        targets = [resolved(page, href) for href in downloads(site[page])]
        assert targets == ["data/kelompok.xlsx", "data/groups.csv", "data/penilaian.csv", "data/groups.json",
                           "data/datapackage.json"]
        assert all(t in site for t in targets)
    book = workbook(site["data/kelompok.xlsx"])
    groups = json.loads(site["data/groups.json"])["groups"]
    assert len(rows(book["Kelompok"])) == len(groups)
    assert len(rows(book["Penilaian"])) == sum(len(g["penilaian"]) for g in groups)
    assert "(Excel, in Bahasa Indonesia)" in site["en/index.html"].decode()  # the English page says so


def test_cells_are_typed_so_no_locale_misreads_them(site):
    book = workbook(site["data/kelompok.xlsx"])
    groups = {g["id"]: g for g in json.loads(site["data/groups.json"])["groups"]}
    sheet = book["Kelompok"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:X{sheet.max_row}"
    assert all(cell.font.b for cell in sheet[1])
    for row in rows(sheet):
        group = groups[row["id"]]
        assert row["Skor"] == group["skor"]  # a number, not text: 63.3, shown as 63,3 in Indonesian
        assert row["Dibentuk"] == dt.datetime.fromisoformat(group["dibentuk"])  # a date, shown in the reader's format
        assert row["Jumlah penilaian"] == len(group["penilaian"])
        assert row["Halaman"] == "https://ksm-site.github.io/ksm-site/" + group["url"]
    assert sheet["G2"].number_format == "0.0" and sheet["P2"].number_format == "mm-dd-yy"  # openpyxl's name for 14
    assessments = book["Penilaian"]
    header = [c.value for c in assessments[1]]
    assert "Kehadiran anggota (%)" in header and "Aset Manusia" in header  # the rubric's names, in Indonesian
    for row in assessments.iter_rows(min_row=2):
        assert len(row) == len(header)
    first = rows(assessments)[0]
    level = groups[first["id"]]["penilaian"][0]["level"]
    assert first["Pertemuan rutin"] == level["pertemuan_rutin"] and isinstance(first["Kehadiran anggota (%)"], int)


def test_the_bytes_are_the_same_at_any_time(site):
    """No clock in the file: every zip member is dated 1980-01-01 and the workbook's properties carry no date."""
    with zipfile.ZipFile(io.BytesIO(site["data/kelompok.xlsx"])) as z:
        assert z.testzip() is None
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"dcterms" not in z.read("docProps/core.xml")


def test_text_that_looks_like_a_formula_is_neutralised(tmp_path):
    group = VALID_GROUP.replace("nama: KSM Uji Coba", "nama: '=HYPERLINK(\"http://x\",\"klik\")'").replace(
        "catatan: Pertemuan bulanan mulai rutin.", 'catatan: "@SUM(1) +1 -2"').replace(
        "usaha: [warung, jahit]", "usaha: ['-warung']")
    content = write_content(tmp_path, {"groups/kota-madiun/taman/ksm-uji-coba.md": group})
    build(str(content), str(tmp_path / "out"), TODAY, jobs=1)
    book = openpyxl.load_workbook(tmp_path / "out/wilayah/kota-madiun/taman/pandean/kelompok-kota-madiun-taman-pandean.xlsx")
    row = rows(book["Kelompok"])[0]
    assert row["Nama"] == "'=HYPERLINK(\"http://x\",\"klik\")" and row["Usaha anggota"] == "'-warung"
    assert rows(book["Penilaian"])[0]["Catatan"] == "'@SUM(1) +1 -2"
    assert all(c.data_type != "f" for sheet in book for line in sheet.iter_rows() for c in line)
