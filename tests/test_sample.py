"""The sample programme in content/ builds, and shows every group and every stage."""

from __future__ import annotations

import json
import re
import struct
from html.parser import HTMLParser

import pytest

from ksm_site.content.read import read_content
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


def pages_of(site):
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)


def test_every_page_has_a_title_of_its_own(site):
    """Tabs, bookmarks and search results tell pages apart: two area pages of one name (kecamatan and
    kelurahan Mejayan) differ by level and parent, and the home page does not repeat the site's name."""
    titles = {}
    for page in pages_of(site):
        title = re.search(r"<title>([^<]*)</title>", page.read_text()).group(1)
        titles.setdefault(title, []).append(str(page.relative_to(site)))
    assert [paths for paths in titles.values() if len(paths) > 1] == []
    assert re.search(r"<title>([^<]*)</title>", (site / "index.html").read_text()).group(1) == "Perkembangan KSM Madiun"


class Languages(HTMLParser):
    """Each text of a page with the language of the element it is in (the nearest ``lang``)."""

    VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "source", "base"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(dict(attrs).get("lang") or (self.stack[-1] if self.stack else ""))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip() and self.stack:
            self.texts.append((" ".join(data.split()), self.stack[-1]))


def test_english_pages_mark_what_people_wrote_as_indonesian(site):
    """A screen reader reads names, stories, notes, businesses and partners with an Indonesian voice on
    English pages: every text of a page that is one of those is inside an element with lang="id"."""
    groups = read_content(str(CONTENT), TODAY).groups
    checked = 0
    for group in groups:
        written = {group.nama, group.ketua, *group.usaha, *(p.nama for p in group.mitra),
                   *(a.note.strip() for a in group.assessments), *group.story.split("\n\n")}
        written = {" ".join(text.split()) for text in written if text and "*" not in text and "\n-" not in text}
        parser = Languages()
        parser.feed((site / "en" / "kelompok" / group.id / "index.html").read_text())
        english = [text for text, lang in parser.texts if lang != "id" and text in written]
        assert english == [], (group.id, english)
        checked += sum(1 for text, lang in parser.texts if lang == "id" and text in written)
    assert checked > 100
    parser = Languages()
    parser.feed((site / "en" / "index.html").read_text())
    names = {g.nama for g in groups}
    assert {lang for text, lang in parser.texts if text in names} == {"id"}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_every_page_shares_a_picture_of_the_programme(site):
    """A link shared on WhatsApp shows the programme's picture: each page names its language's share image
    (a PNG of 1200 × 630 px), and a large-image card."""
    base = "https://ksm-site.github.io/ksm-site/"
    for page in pages_of(site):
        html = page.read_text()
        image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
        assert image == base + ("en/" if page.relative_to(site).parts[0] == "en" else "") + "bagikan.png"
        assert '<meta name="twitter:card" content="summary_large_image">' in html
    for path in ("bagikan.png", "en/bagikan.png"):
        assert png_size((site / path).read_bytes()) == (1200, 630)
    assert (site / "bagikan.png").read_bytes() != (site / "en" / "bagikan.png").read_bytes()
