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
        "turun-tahap", "skor-turun", "pengembalian-rendah", "kehadiran-menurun", "penilaian-lama"}
    assert {g["jenis"] for g in data["groups"]} == {"pinjaman-bergulir", "infrastruktur", "sosial"}
    fell_back = [g for g in data["groups"]
                 if "kembang" in [p["tahap"] for p in g["penilaian"]] and g["penilaian"][-1]["tahap"] != "kembang"]
    assert len(fell_back) >= 3


def test_index_lists_every_group_and_area_pages_exist(site):
    index = (site / "index.html").read_text()
    data = json.loads((site / "data/groups.json").read_text())
    assert index.count("<tr data-status=") == len(data["groups"])
    for area in ("wilayah/kabupaten-madiun/jiwan/bukur/index.html", "wilayah/kota-madiun/kartoharjo/tawangrejo/index.html",
                 "wilayah/kota-madiun/manguharjo/nambangan-kidul/index.html", "wilayah/kota-madiun/taman/kejuron/index.html"):
        assert (site / area).is_file(), area


def test_group_pages_are_light_and_carry_both_charts(site):
    """Both charts where there is something to draw: the path once the group is assessed, the pentagon once
    an assessment rated its assets (a sentence says so in their place until then)."""
    css = (site / "static/style.css").stat().st_size
    data = json.loads((site / "data/groups.json").read_text())
    charts = {g["url"]: bool(g["penilaian"]) + any(p["aset"] for p in g["penilaian"]) for g in data["groups"]}
    assert sorted(set(charts.values())) == [0, 2]
    for page in (site / "kelompok").rglob("index.html"):
        text = page.read_text()
        url = page.parent.relative_to(site).as_posix() + "/"
        assert text.count('<svg xmlns="http://www.w3.org/2000/svg"') == charts[url], page
        assert len(text.encode()) + css < 80 * 1024, page
