"""The sample programme in content/ builds, and shows every group and every stage."""

from __future__ import annotations

import json

import pytest

from ksm_site.engine.build import build

from conftest import CONTENT, TODAY

GROUP_FILES = sorted(p for p in (CONTENT / "groups").rglob("*") if p.suffix in (".md", ".yaml", ".yml"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "out"
    build(str(CONTENT), str(out), TODAY)
    return out


def test_sample_is_a_real_programme():
    assert len(GROUP_FILES) >= 40
    assert {p.suffix for p in GROUP_FILES} == {".md", ".yaml", ".yml"}


def test_every_group_file_has_a_page_and_a_json_row(site):
    data = json.loads((site / "data/groups.json").read_text())
    rows = {g["id"]: g for g in data["groups"]}
    assert len(rows) == len(GROUP_FILES)
    for path in GROUP_FILES:
        group_id = str(path.relative_to(CONTENT / "groups").with_suffix(""))
        assert group_id in rows, group_id
        page = site / rows[group_id]["url"] / "index.html"
        assert page.is_file(), page
        assert rows[group_id]["nama"] in page.read_text()
        assert (site / "en" / rows[group_id]["url"] / "index.html").is_file()


def test_every_stage_and_warning_appears(site):
    data = json.loads((site / "data/groups.json").read_text())
    assert {g["tahap"] for g in data["groups"]} == {"belum-dinilai", "tunas", "tumbuh", "kembang", "bubar"}
    assert {w for g in data["groups"] for w in g["peringatan"]} == {
        "turun-tahap", "skor-turun", "pengembalian-rendah", "kehadiran-menurun", "mandek", "penilaian-lama"}
    assert {g["jenis"] for g in data["groups"]} == {"pinjaman-bergulir", "infrastruktur", "sosial"}
    fell_back = [g for g in data["groups"]
                 if "kembang" in [p["tahap"] for p in g["penilaian"]] and g["penilaian"][-1]["tahap"] != "kembang"]
    assert len(fell_back) >= 3


def test_groups_stuck_at_tunas_for_years_are_mandek(site):
    """The seed's warning, "ada yang masih tunas kemudian mati": KSM Maju Makmur has been Tunas at every
    assessment from February 2019 to July 2024; KSM Sinar Harapan only for a year and a half."""
    groups = {g["id"]: g for g in json.loads((site / "data/groups.json").read_text())["groups"]}
    assert groups["kab-madiun/jiwan/ksm-maju-makmur"]["peringatan"] == ["mandek"]
    assert {p["tahap"] for p in groups["kab-madiun/jiwan/ksm-maju-makmur"]["penilaian"]} == {"tunas"}
    assert groups["kota-madiun/manguharjo/ksm-sinar-harapan"]["peringatan"] == []
    stalled = sorted(i for i, g in groups.items() if "mandek" in g["peringatan"])
    assert stalled == ["kab-madiun/jiwan/ksm-maju-makmur", "kab-madiun/mejayan/ksm-ngudi-rejeki",
                       "kab-madiun/mejayan/ksm-rukun-santoso", "kota-madiun/manguharjo/ksm-bina-lansia-sejahtera",
                       "kota-madiun/taman/ksm-kejuron-maju"]


def test_index_lists_every_group_and_area_pages_exist(site):
    index = (site / "index.html").read_text()
    data = json.loads((site / "data/groups.json").read_text())
    assert index.count("<tr data-status=") == len(data["groups"])
    for area in ("wilayah/kabupaten-madiun/jiwan/bukur/index.html", "wilayah/kota-madiun/kartoharjo/tawangrejo/index.html",
                 "wilayah/kota-madiun/manguharjo/nambangan-kidul/index.html", "wilayah/kota-madiun/taman/kejuron/index.html"):
        assert (site / area).is_file(), area


def test_group_pages_are_light_and_carry_both_charts(site):
    css = (site / "static/style.css").stat().st_size
    for page in (site / "kelompok").rglob("index.html"):
        text = page.read_text()
        assert text.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2, page
        assert len(text.encode()) + css < 80 * 1024, page
