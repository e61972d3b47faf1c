"""Nothing runs that a user wrote: hostile text in every field is valid content, shown literally, inert.

Two groups whose every text field (nama, ketua, usaha, mitra names, the
four wilayah names, penilai, catatan and the Markdown story) holds script
tags, event handlers, ``javascript:``/``data:``/``vbscript:`` URLs in plain,
mixed-case and entity-encoded forms, Jinja syntax, style, iframe, form,
object, base and meta tags, and spreadsheet formulas are built into a
site. Every HTML page is parsed (tests/htmlcheck.py) and must hold nothing
that could run or load from elsewhere, and the payloads must appear as the
literal text that was written. Both CSV files and every workbook must hold
no cell a spreadsheet would read as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from decimal import Decimal
from pathlib import Path

import markupsafe
import pytest

from ksm_site.content.read import check
from ksm_site.engine.build import build

from ksm_site.engine.place import OutputError
from ksm_site.engine.write import write_site
from ksm_site.site import templates
from ksm_site.site.data import safe_cell
from ksm_site.site.markdown import markdown_html

from conftest import TODAY, VALID_GROUP, write_content
from htmlcheck import base_url, check_built_page, check_page

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "jav&#x61;script:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "{{ 7*7 }}",
    "{% for x in range(3) %}x{% endfor %}",
    "{{ ''.__class__.__mro__ }}",
    "<style>*{display:none}</style>",
    "<iframe src=//evil.example></iframe>",
    "<form action=https://evil.example><button>go</button></form>",
    "<img src=//evil.example/x.png>",
    "<object data=x></object><embed src=x>",
    "<base href=https://evil.example/>",
    "<meta http-equiv=refresh content=0;url=https://evil.example>",
    "%(name)s %s {0}",
    "&lt;script&gt; &amp;",
)
"""One-line payloads; every one-line field gets all of them, after a formula prefix."""

FORMULAS = ("=HYPERLINK(\"https://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(1+1)")
"""Cell starts a spreadsheet reads as a formula (OWASP CSV injection)."""

STORY = """\
<script>alert('story')</script>

[c1](javascript:alert(1)) [c2](JaVaScRiPt:alert(1)) [c3](jav&#x61;script:alert(1)) [c4](&#106;avascript:alert(1))
[c5](vbscript:msgbox(1)) [c6](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [c7](//evil.example/x)
[c8](/\\evil.example/x) ![i1](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+) ![i2](javascript:alert(1))
![i3](//evil.example/p.png) <javascript:alert(1)> [ref link][r]

<a href="jav&#x09;ascript:alert(1)">entity tab</a> <img src=x onerror=alert(1)> <svg onload=alert(1)></svg>
<iframe src=x></iframe> <form action=x><button>go</button></form> <style>*{display:none}</style>
<object data=x></object> <embed src=x> <p onclick="alert(1)" style="color:red">p</p> <base href=//evil.example/>

{{ 7*7 }} {% for x in range(3) %}x{% endfor %} {# comment #}

| a | b |
|---|---|
| <script>alert('cell')</script> | [c9](javascript:alert(1)) |

[ok](https://example.org/ok) [relative](../lain/) [mail](mailto:ketua@example.org) ![photo](https://example.org/p.png)

[r]: javascript:alert(1)
"""
"""A Markdown story; catatan gets the same. Good links must survive; every bad one must go."""

GOOD_LINKS = ('href="https://example.org/ok"', 'href="../lain/"', 'href="mailto:ketua@example.org"',
              'src="https://example.org/p.png"')


def hostile(prefix: int) -> str:
    """Every payload on one line, after formula ``prefix`` (so CSV cells start with one)."""
    return FORMULAS[prefix % len(FORMULAS)] + " " + " ".join(PAYLOADS)


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's is one)."""
    return json.dumps(text, ensure_ascii=False)


FIELDS = {  # field -> its value in the hostile group
    "nama": hostile(0), "ketua": hostile(1), "provinsi": hostile(2), "kota": hostile(3),
    "kecamatan": hostile(0), "kelurahan": hostile(1), "penilai": hostile(2),
    "usaha": hostile(3), "mitra": hostile(0),
}


def hostile_group(**fields) -> str:
    f = {**FIELDS, **fields}
    return f"""\
---
nama: {q(f["nama"])}
jenis: pinjaman-bergulir
wilayah:
  provinsi: {q(f["provinsi"])}
  kota: {q(f["kota"])}
  kecamatan: {q(f["kecamatan"])}
  kelurahan: {q(f["kelurahan"])}
dibentuk: 2017-03-12
anggota: 10
ketua: {q(f["ketua"])}
usaha: [{q(f["usaha"])}, {q(PAYLOADS[0])}, {q(FORMULAS[1])}]
mitra:
  - {{nama: {q(f["mitra"])}, bentuk: modal, sejak: 2019-02-01}}
  - {{nama: {q(FORMULAS[2] + " " + PAYLOADS[1])}, bentuk: pemasaran}}
penilaian:
  - tanggal: 2018-09-30
    penilai: {q(f["penilai"])}
    indikator: {{pertemuan_rutin: 2, kehadiran: 72%, agenda_pertemuan: 1, tabungan_kelompok: 2, aturan_main: 2,
                 pengembalian_pinjaman: 95%, pencatatan_keuangan: 1, rekening_aman: 1, kegiatan_pihak_luar: 0,
                 pembahasan_masalah_kritis: 1}}
    catatan: {q(FORMULAS[3] + " " + STORY)}
  - tanggal: 2019-09-30
    penilai: {q(FORMULAS[0])}
    indikator: {{pertemuan_rutin: 1, kehadiran: 50%, agenda_pertemuan: 1, tabungan_kelompok: 1, aturan_main: 1,
                 pengembalian_pinjaman: 70%, pencatatan_keuangan: 1, rekening_aman: 1, kegiatan_pihak_luar: 0,
                 pembahasan_masalah_kritis: 1}}
    catatan: {q(FORMULAS[1] + " " + PAYLOADS[0])}
---
{STORY}"""


GROUP_ID = "kota-madiun/taman/ksm-hostile"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    second = hostile_group(nama=FORMULAS[1] + " <b>KSM</b> Dua", kecamatan=FORMULAS[2] + " Taman <i>Lama</i>",
                           kelurahan=FORMULAS[3] + " Desa \"Kutip\" & 'Apostrof'")
    content = write_content(root, {f"groups/{GROUP_ID}.md": hostile_group(),
                                   "groups/kota-madiun/taman/ksm-dua.md": second})
    assert check(str(content), TODAY) == []  # hostile text is valid content
    build(str(content), str(root / "out"), TODAY, jobs=1)
    return root / "out"


@pytest.fixture(scope="module")
def site_url(site) -> str:
    return base_url(site.parent / "content")


def pages(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


def test_every_page_is_inert(site, site_url):
    found = pages(site)
    assert len(found) > 10
    for path, html in found.items():
        assert check_built_page(path, html, site_url).problems == [], path


def test_every_one_line_field_is_shown_literally(site):
    for lang in ("", "en/"):
        page = check_page((site / f"{lang}kelompok/{GROUP_ID}/index.html").read_text())
        texts = page.texts
        for field, value in FIELDS.items():
            assert any(value in t for t in texts), f"{lang}{field} not shown literally"
        assert any(hostile(0) in v for v in page.attribute_values)  # the description meta, escaped, not markup
        assert "".join(texts).count("{{ 7*7 }}") >= 10 and "49" not in " ".join(t for t in texts if "7*7" in t)


def test_names_are_literal_on_the_index_and_area_pages(site):
    index = check_page((site / "index.html").read_text())
    assert any(FIELDS["nama"] in t for t in index.texts)
    assert any(FIELDS["kota"] in t for t in index.texts)
    areas = [p for p in pages(site) if p.startswith("wilayah/") and p.count("/") == 4]
    assert areas, "no kelurahan pages"
    assert any(any(FIELDS["kelurahan"] in t for t in check_page((site / p).read_text()).texts) for p in areas)


def test_the_story_and_notes_are_literal_where_they_are_not_markdown(site):
    page = check_page((site / f"kelompok/{GROUP_ID}/index.html").read_text())
    text = "".join(page.texts)
    for literal in ("<script>alert('story')</script>", "<iframe src=x></iframe>", "<p onclick=\"alert(1)\"",
                    "{% for x in range(3) %}x{% endfor %}", "{# comment #}", "<script>alert('cell')</script>"):
        assert text.count(literal) >= 2, literal  # in the story and in the first catatan


def test_good_links_in_the_story_survive(site):
    html = (site / f"kelompok/{GROUP_ID}/index.html").read_text()
    for attribute in GOOD_LINKS:
        assert html.count(attribute) >= 2, attribute  # story and catatan


def test_groups_json_holds_the_text_exactly(site):
    data = json.loads((site / "data/groups.json").read_text())
    group = next(g for g in data["groups"] if g["id"] == GROUP_ID)
    assert group["nama"] == FIELDS["nama"]
    assert group["wilayah"] == {k: FIELDS[k] for k in ("provinsi", "kota", "kecamatan", "kelurahan")}


@pytest.mark.parametrize("name", ["groups.csv", "penilaian.csv"])
def test_no_csv_cell_can_become_a_formula(site, name):
    rows = list(csv.reader(io.StringIO((site / "data" / name).read_text(encoding="utf-8"), newline="")))
    header, body = rows[0], rows[1:]
    assert body
    for row in body:
        for column, cell in zip(header, row):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, column, cell[:40])


def test_every_text_column_of_both_csvs_is_neutralised(site):
    groups = {r["id"]: r for r in csv.DictReader(io.StringIO((site / "data/groups.csv").read_text(), newline=""))}
    row = groups[GROUP_ID]
    for column in ("nama", "ketua", "provinsi", "kota", "kecamatan", "kelurahan"):
        assert row[column] == "'" + FIELDS[column], column
    assert row["usaha"] == "'" + "; ".join([FIELDS["usaha"], PAYLOADS[0], FORMULAS[1]])
    assert row["mitra"].startswith("'" + FORMULAS[0])
    assessments = [r for r in csv.DictReader(io.StringIO((site / "data/penilaian.csv").read_text(), newline=""))
                   if r["id"] == GROUP_ID]
    assert [r["nama"] for r in assessments] == ["'" + FIELDS["nama"]] * 2
    assert [r["penilai"] for r in assessments] == ["'" + FIELDS["penilai"], "'" + FORMULAS[0]]
    assert [r["catatan"].split(" ")[0] for r in assessments] == ["'" + FORMULAS[3], "'" + FORMULAS[1]]


def test_no_spreadsheet_cell_can_become_a_formula(site):
    """Every workbook (the programme's and each area's), read as a spreadsheet reads it: it opens, holds the
    hostile text literally after an apostrophe, and no cell is, or reads as, a formula."""
    import openpyxl
    books = sorted(site.rglob("*.xlsx"))
    areas = [p for p in site.glob("wilayah/*/**/index.html")]
    assert len(books) == 1 + len(areas) and len(areas) >= 3  # the programme's and every area's
    for path in books:
        book = openpyxl.load_workbook(path)
        texts = [c.value for sheet in book for row in sheet.iter_rows(min_row=2) for c in row
                 if isinstance(c.value, str)]
        assert any(t.startswith("'" + formula) for t in texts for formula in FORMULAS), path
        for sheet in book:
            for row in sheet.iter_rows():
                for c in row:
                    assert c.data_type != "f", (path, c.coordinate)
                    assert not (isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t", "\r"))), \
                        (path, c.coordinate, c.value[:40])


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("KSM = 1", "KSM = 1"), ("", ""), (None, ""), (7, "7"), (Decimal("72.50"), "72.5"),
])
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell


@pytest.mark.parametrize("source", [
    "[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x](jav&#x61;script:alert(1))",
    "[x](&#x6A;avascript:alert(1))", "<javascript:alert(1)>", "[x](vbscript:msgbox(1))",
    "[x](data:text/html,<script>alert(1)</script>)", "![x](data:image/png;base64,AAAA)",
    "![x](//evil.example/p.png)", "[x](//evil.example/)", "[x](/\\evil.example/)", "[x](<java\tscript:alert(1)>)",
    "[x][r]\n\n[r]: javascript:alert(1)", '<a href="javascript:alert(1)">x</a>', "<img src=x onerror=alert(1)>",
])
def test_markdown_never_makes_a_dangerous_link(source):
    """Dropped, or made harmless: markdown-it percent-encodes ``\\`` and tab (``/%5Cevil``, ``java%09script:``
    are a path and a relative link to a browser, never a host or a scheme)."""
    html = str(markdown_html(source))
    page = check_page(f'<meta http-equiv="Content-Security-Policy" content="x">{html}')
    assert [p for p in page.problems if "Content-Security-Policy" not in p] == [], html
    assert "evil.example" not in "".join(page.attribute_values).replace("%5Cevil.example", ""), html


class _Html:
    def __html__(self) -> str:
        return "<b>made safe by its author</b>"


class _Text(str):
    pass


@pytest.mark.parametrize("value", [
    "<script>alert('x')</script> & \"quoted\"", "", "plain", markupsafe.Markup("<b>&amp;</b>"), 7, 2.5, None,
    _Html(), _Text("<i>a str subclass</i>"),
])
def test_templates_escape_every_value_as_markupsafe_does(value):
    """The templates' own escape (``templates.fast_escape``) is the one they run, and it makes what
    MarkupSafe's makes, type and text."""
    made, wanted = templates.fast_escape(value), markupsafe.escape(value)
    assert (type(made), str(made)) == (type(wanted), str(wanted))
    badge = templates.environment("id").get_template("macros.html").module.badge
    assert badge._func.__globals__["escape"] is templates.fast_escape
    assert badge("st-0", "<Tunas>") == '<span class="badge st-0">&lt;Tunas&gt;</span>'


def test_a_very_long_area_name_still_builds(tmp_path):
    """Area slugs are cut, so a long (valid) name never makes a file name the file system refuses."""
    long_name = "Kelurahan " + "Pandean Lor " * 40
    content = write_content(tmp_path, {f"groups/{GROUP_ID}.md": VALID_GROUP.replace("kelurahan: Pandean", f"kelurahan: {long_name}")})
    build(str(content), str(tmp_path / "out"), TODAY, jobs=1)
    [area] = [p for p in (tmp_path / "out/wilayah/kota-madiun/taman").iterdir() if p.is_dir()]
    assert len(area.name) <= 60 and area.name.startswith("kelurahan-pandean-lor")
    assert long_name.strip() in (area / "index.html").read_text()


def test_a_file_system_error_is_an_output_error_and_leaves_nothing(tmp_path):
    write_site({"a.html": b"old"}, str(tmp_path / "out"))
    with pytest.raises(OutputError, match="cannot write"):
        write_site({"a.html": b"new", "x" * 300 + ".html": b"name too long"}, str(tmp_path / "out"))
    assert (tmp_path / "out/a.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def python_steps(func, *args) -> int:
    """How many Python function calls ``func(*args)`` makes: a count of work that a busy machine does not
    change (each C call, such as the sanitiser's, counts once)."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        func(*args)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("unit", ["[", "![", "[a](", "*_", "_a_ ", "<div>", "<b>", ">", "`", "&#", "<!--", "\\"])
def test_a_pathological_story_renders_in_linear_time(unit):
    """4 and 32 KiB of one Markdown-significant unit: eight times the text costs at most about eight times
    the steps (12 allows for what does not grow with it). Python-Markdown, used before, is quadratic on
    unmatched brackets; html5ever behind nh3 is quadratic on nested tags, which is why HTML in a story is
    never parsed (its cost is one step here, so the sanitiser's share is held linear by the output
    markdown-it gives it, which the counted steps make)."""
    render = markdown_html.__wrapped__  # not the kept results
    small, big = (unit * (size * 1024 // len(unit)) for size in (4, 32))
    assert python_steps(render, big) <= 12 * python_steps(render, small)
