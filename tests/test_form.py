"""The assessment form (nilai/, DESIGN §10, issue 25) in Debian's Chromium: from a group page to text
that `check` accepts and `build` scores as the form showed, on a 390 px phone, and for a new group.

Reuses test_browser's fixtures (the sample built once, served on loopback under a sub-path). `check`
and `build` run as a facilitator's CI runs them, through build.py, on a copy of the sample's content
with the form's text pasted in; they judge dates against today's date, as the form does.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from test_browser import SITE, base_url, browser, site  # noqa: F401 (fixtures)
from test_phone import BROKEN_WORDS, HIDDEN_FOCUS, PHONE, open_page

from conftest import CONTENT, ROOT

MEKAR_SARI = "kab-madiun/mejayan/ksm-mekar-sari"
"""Tunas at its latest assessment (40.0), held below Tumbuh by two of its requirements."""
FORM = "nilai/index.html"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True, cwd=ROOT)


def check_and_build(content: Path, tmp_path: Path, group_id: str) -> dict:
    """`check` must pass; then the group as `build` publishes it in data/groups.json."""
    checked = run("check", "--content", str(content))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    out = tmp_path / "out"
    built = run("build", "--content", str(content), "--out", str(out), "--no-cache", "--jobs", "1")
    assert built.returncode == 0, built.stdout + built.stderr
    groups = json.loads((out / "data/groups.json").read_text(encoding="utf-8"))["groups"]
    return next(g for g in groups if g["id"] == group_id)


def paste_assessment(text: str, item: str) -> str:
    """What a facilitator does with the form's text: put it at the end of the list under ``penilaian:``
    (or, where the file says ``penilaian: []``, in place of that line)."""
    lines = text.splitlines(keepends=True)
    start = next(n for n, line in enumerate(lines) if line.startswith("penilaian:"))
    if lines[start].strip() == "penilaian: []":
        return "".join(lines[:start]) + item + "".join(lines[start + 1:])
    end = start + 1
    while end < len(lines) and lines[end].startswith((" ", "- ")):
        end += 1
    return "".join(lines[:end]) + item + "".join(lines[end:])


def result(page) -> tuple[str, str, str]:
    """The score as shown, its value, and the stage key."""
    score = page.locator('[data-hasil="skor"]')
    return score.inner_text(), score.get_attribute("data-skor"), page.locator('[data-hasil="tahap"]').get_attribute("data-tahap")


def open_form_from_group(browser, base_url, group_id: str, prefix: str = "", scheme: str = "light"):
    page = open_page(browser, "390", scheme)
    page.goto(base_url + prefix + f"kelompok/{group_id}/index.html")
    page.locator(".assess-link a").click()
    page.wait_for_url(re.compile(r".*/nilai/index\.html#id=.*"))
    page.wait_for_function("() => document.querySelector('[data-hasil=skor]').dataset.skor !== undefined")
    return page


def test_from_a_group_page_to_its_file_check_and_build_agree_with_the_form(browser, base_url, tmp_path):
    page = open_form_from_group(browser, base_url, MEKAR_SARI)
    assert page.url.startswith(base_url + FORM)
    # Filled in from the latest assessment, and scored as the group page scores it.
    assert page.locator('[data-catatan="isi"]').is_visible()
    assert "22 Oktober 2024" in page.locator('[data-catatan="isi"]').inner_text()
    assert result(page) == ("40,0", "40.0", "tunas")
    assert page.locator('input[name="tanggal"]').input_value() == page.evaluate(
        "(() => { const d = new Date(); return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-'"
        " + String(d.getDate()).padStart(2, '0'); })()")
    # Only the indicators of its jenis are asked; every level description is a choice.
    assert page.locator("fieldset.indicator:visible").count() == 10
    assert page.locator('input[name="pertemuan_rutin"]').count() == 4
    assert page.locator('[data-hasil="syarat"] li').count() == 2
    # Three indicators change: the score and the stage follow.
    for key in ("pertemuan_rutin", "tabungan_kelompok", "agenda_pertemuan"):
        page.locator(f'input[name="{key}"][value="3"]').check()
    shown, score, stage = result(page)
    assert (shown, score, stage) == ("60,0", "60.0", "tumbuh")
    assert page.locator('[data-hasil="tahap"]').inner_text() == "Tumbuh"
    text = page.locator('[data-hasil="yaml"]').input_value()
    assert text.startswith("  - tanggal: ") and "      kehadiran: 64%\n" in text
    github = page.locator('[data-hasil="github"]')
    assert github.get_attribute("href") == f"https://github.com/ksm-site/ksm-site/edit/main/content/groups/{MEKAR_SARI}.md"
    assert page.problems == []
    page.context.close()

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "groups" / f"{MEKAR_SARI}.md"
    path.write_text(paste_assessment(path.read_text(encoding="utf-8"), text), encoding="utf-8")
    published = check_and_build(content, tmp_path, MEKAR_SARI)
    assert (published["tahap"], f'{published["skor"]:.1f}') == (stage, score)
    assert published["penilaian"][-1]["tanggal"] == re.search(r"tanggal: (\S+)", text)[1]


def test_a_new_group_s_whole_file_passes_check_and_builds_as_the_form_showed(browser, base_url, tmp_path):
    page = open_page(browser, "390")
    page.goto(base_url + FORM)
    assert page.locator('[data-kelompok="baru"]').is_visible()
    assert page.locator("fieldset.indicator:visible").count() == 0  # until the jenis is chosen, which it says
    assert page.locator('[data-catatan="jenis"]').is_visible()
    page.fill('input[name="id"]', "kota-madiun/taman/ksm-baru-uji")
    page.fill('input[name="nama"]', "KSM Baru: Uji #1")  # YAML would misread this unquoted
    page.locator('input[name="jenis"][value="sosial"]').check()
    for key, value in (("provinsi", "Jawa Timur"), ("kota", "Kota Madiun"), ("kecamatan", "Taman"), ("kelurahan", "Yes")):
        page.fill(f'input[name="wilayah.{key}"]', value)
    page.fill('input[name="dibentuk"]', "2024-01-15")
    assert page.locator("fieldset.indicator:visible").count() == 9
    assert page.locator('input[name="pengembalian_pinjaman"]').is_hidden()
    assert page.locator('[data-catatan="jenis"]').is_hidden()
    assert result(page)[2] == ""  # not all answered yet
    for key, level in (("pertemuan_rutin", 2), ("agenda_pertemuan", 2), ("tabungan_kelompok", 2), ("aturan_main", 3),
                       ("pencatatan_keuangan", 2), ("rekening_aman", 1), ("kegiatan_pihak_luar", 1),
                       ("pembahasan_masalah_kritis", 2)):
        page.locator(f'input[name="{key}"][value="{level}"]').check()
    page.fill('input[name="kehadiran"]', "74.5")
    page.fill('input[name="penilai"]', "Dwi")
    for asset in ("manusia", "ekonomi", "infrastruktur", "alam", "sosial"):
        page.select_option(f'select[name="aset.{asset}"]', "3")
    page.fill('textarea[name="catatan"]', "Pertama kali dinilai.\nRapat: rutin.")
    shown, score, stage = result(page)
    assert (shown, score, stage) == ("59,3", "59.3", "tumbuh")
    text = page.locator('[data-hasil="yaml"]').input_value()
    assert text.startswith("---\nnama: ") and text.endswith("---\n")
    link = urlsplit(page.locator('[data-hasil="github"]').get_attribute("href"))
    assert link.path == "/ksm-site/ksm-site/new/main"
    assert parse_qs(link.query) == {"filename": ["content/groups/kota-madiun/taman/ksm-baru-uji.md"], "value": [text]}
    assert page.problems == []
    page.context.close()

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "groups/kota-madiun/taman/ksm-baru-uji.md").write_text(text, encoding="utf-8")
    published = check_and_build(content, tmp_path, "kota-madiun/taman/ksm-baru-uji")
    assert (published["tahap"], f'{published["skor"]:.1f}') == (stage, score)
    assert published["nama"] == "KSM Baru: Uji #1" and published["wilayah"]["kelurahan"] == "Yes"


def test_a_group_never_assessed_gets_the_list_with_its_first_item(browser, base_url, tmp_path):
    group_id = "kota-madiun/kartoharjo/ksm-lele-makmur"  # penilaian: [] in a .yml file
    page = open_page(browser, "390")
    page.goto(base_url + f"kelompok/{group_id}/index.html")
    page.locator(".assess-link a").click()
    page.wait_for_url(re.compile(r".*/nilai/index\.html#id=.*"))
    assert page.locator('[data-catatan="isi"]').is_hidden()
    for key in ("pertemuan_rutin", "agenda_pertemuan", "tabungan_kelompok", "aturan_main", "pencatatan_keuangan",
                "rekening_aman", "kegiatan_pihak_luar", "pembahasan_masalah_kritis"):
        page.locator(f'input[name="{key}"][value="1"]').check()
    page.fill('input[name="kehadiran"]', "90")
    page.fill('input[name="pengembalian_pinjaman"]', "100")
    shown, score, stage = result(page)
    text = page.locator('[data-hasil="yaml"]').input_value()
    assert text.startswith("penilaian:\n  - tanggal: ")
    assert page.locator('[data-hasil="github"]').get_attribute("href").endswith(f"/content/groups/{group_id}.yml")
    page.context.close()
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "groups" / f"{group_id}.yml"
    path.write_text(paste_assessment(path.read_text(encoding="utf-8"), text), encoding="utf-8")
    published = check_and_build(content, tmp_path, group_id)
    assert (published["tahap"], f'{published["skor"]:.1f}') == (stage, score) == ("tunas", "46.7")


def problems(page) -> list[str]:
    return page.locator('[data-hasil="masalah"] li').all_inner_texts()


def test_the_form_says_what_check_would_refuse_and_offers_no_text_meanwhile(browser, base_url):
    page = open_form_from_group(browser, base_url, MEKAR_SARI)
    cases = [
        ('input[name="tanggal"]', "2016-09-11", "sebelum kelompok dibentuk (12 September 2016)"),
        ('input[name="tanggal"]', "2099-01-01", "belum tiba"),
        ('input[name="tanggal"]', "2023-06-13", "sudah punya penilaian pada 13 Juni 2023"),
        ('input[name="kehadiran"]', "120", "Kehadiran anggota: tulis persentase dari 0 sampai 100."),
        ('input[name="pengembalian_pinjaman"]', "-1", "Pengembalian pinjaman (RR): tulis persentase"),
    ]
    for selector, value, message in cases:
        before = page.locator(selector).input_value()
        page.fill(selector, value)
        assert any(message in p for p in problems(page)), (value, problems(page))
        assert page.locator('[data-hasil="yaml"]').input_value() == "", value
        assert page.locator('[data-aksi="salin"]').is_disabled() and page.locator('[data-hasil="github"]').is_hidden()
        assert page.locator(selector).get_attribute("aria-invalid") == "true"
        page.fill(selector, before)
        assert problems(page) == [] and page.locator('[data-hasil="yaml"]').input_value()
    page.select_option('select[name="aset.alam"]', "")
    assert problems(page) == ["Isi kelima aset, atau kosongkan semuanya."]
    page.context.close()


def test_the_draft_survives_a_closed_tab_until_it_is_copied(browser, base_url):
    page = open_form_from_group(browser, base_url, MEKAR_SARI)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    url = page.url
    page.locator('input[name="rekening_aman"][value="3"]').check()
    page.fill('input[name="penilai"]', "Ani")
    page.close()
    page = page.context.new_page()
    page.goto(url)
    assert page.locator('[data-catatan="draf"]').is_visible() and page.locator('[data-catatan="isi"]').is_hidden()
    assert page.locator('input[name="rekening_aman"][value="3"]').is_checked()
    assert page.locator('input[name="penilai"]').input_value() == "Ani"
    page.locator('[data-aksi="salin"]').click()
    page.wait_for_function("() => document.querySelector('[data-hasil=salin]').textContent !== ''")
    assert page.locator('[data-hasil="salin"]').inner_text() == "Tersalin. Tempelkan ke berkas kelompok."
    assert page.evaluate("navigator.clipboard.readText()") == page.locator('[data-hasil="yaml"]').input_value()
    page.reload()
    assert page.locator('[data-catatan="draf"]').is_hidden() and page.locator('[data-catatan="isi"]').is_visible()
    assert page.locator('input[name="rekening_aman"][value="2"]').is_checked()  # as the link has it
    page.locator('input[name="rekening_aman"][value="0"]').check()
    page.once("dialog", lambda dialog: dialog.dismiss())  # "Clear the form?" No: nothing changes
    page.locator('[data-aksi="hapus"]').click()
    assert page.locator('input[name="rekening_aman"][value="0"]').is_checked() and page.evaluate("localStorage.length") == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('[data-aksi="hapus"]').click()
    assert page.locator('input[name="rekening_aman"][value="2"]').is_checked()
    assert page.evaluate("localStorage.length") == 0
    page.context.close()


def test_in_english_from_an_english_group_page(browser, base_url):
    page = open_form_from_group(browser, base_url, MEKAR_SARI, prefix="en/")
    assert page.url.startswith(base_url + "en/" + FORM)
    assert result(page) == ("40.0", "40.0", "tunas")
    assert page.locator('[data-hasil="tahap"]').inner_text() == "Tunas"
    assert "Filled in from the assessment of 22 October 2024" in page.locator('[data-catatan="isi"]').inner_text()
    assert page.locator("legend", has_text="Routine meetings").count() == 1
    assert "To reach Tumbuh the group needs 3 more level points" in page.locator('[data-hasil="menuju"]').inner_text()
    page.context.close()


def test_it_works_from_a_copy_on_disk(browser, site):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("pageerror", lambda e: failed.append(str(e)))
    page.goto((site / SITE / "kelompok" / MEKAR_SARI / "index.html").as_uri())
    page.locator(".assess-link a").click()
    page.wait_for_function("() => document.querySelector('[data-hasil=skor]').dataset.skor === '40.0'")
    page.locator('input[name="pertemuan_rutin"][value="3"]').check()
    assert page.locator('[data-hasil="skor"]').get_attribute("data-skor") == "46.7"
    assert failed == []
    context.close()


def test_the_page_carries_the_rubric_the_build_publishes(site):
    page = (site / SITE / FORM).read_text(encoding="utf-8")
    carried = re.search(r'data-rubrik="([^"]*)"', page)[1]
    import html
    assert json.loads(html.unescape(carried)) == json.loads((site / SITE / "data/rubrik.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", ["390", "1280"])
@pytest.mark.parametrize("prefix, group", [("", MEKAR_SARI), ("en/", MEKAR_SARI), ("", "")])
def test_no_serious_accessibility_violations(browser, base_url, width, scheme, prefix, group):
    page = open_page(browser, width, scheme)
    page.goto(base_url + prefix + FORM + (f"#id={group}&jenis=sosial&dibentuk=2020-01-01" if group else ""))
    if not group:
        page.locator('input[name="jenis"][value="sosial"]').check()
    results = Axe().run(page)
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    page.context.close()


TARGETS = ".assess .choice, .assess input, .assess select, .assess textarea, .assess button, .assess a, .assess-link a"
SMALL = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => e.offsetParent !== null && e.getClientRects().length)
  .map(e => { const r = e.getBoundingClientRect(); return {what: e.tagName + ':' + (e.name || e.textContent.trim().slice(0, 25)),
                                                           w: r.width, h: r.height}; })
  .filter(b => b.w < 24 || b.h < 24)"""


@pytest.mark.parametrize("width", [360, 390])
def test_on_a_small_phone_nothing_scrolls_sideways_nothing_breaks_and_every_control_is_a_big_target(browser, base_url, width):
    context = browser.new_context(viewport={"width": width, "height": 780}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(base_url + f"kelompok/{MEKAR_SARI}/index.html")
    assert page.evaluate(SMALL, ".assess-link a") == []
    page.locator(".assess-link a").click()
    page.wait_for_url(re.compile(r".*/nilai/.*"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(BROKEN_WORDS) == []
    assert page.evaluate(SMALL, TARGETS) == []
    assert page.evaluate(HIDDEN_FOCUS) == []
    # The score and stage stay on screen while the questions scroll by.
    page.locator('input[name="pembahasan_masalah_kritis"]').first.scroll_into_view_if_needed()
    box = page.locator(".verdict").bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= 780
    context.close()


def test_the_keyboard_alone_fills_it_in(browser, base_url):
    page = open_form_from_group(browser, base_url, MEKAR_SARI)
    page.locator('input[name="pertemuan_rutin"][value="1"]').focus()
    page.keyboard.press("ArrowDown")  # radio buttons: the arrow keys choose within a question
    assert page.locator('input[name="pertemuan_rutin"][value="2"]').is_checked()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") not in ("", "none")
    assert result(page)[1] == "43.3"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "kehadiran"
    page.context.close()


TRICKY = ["Yes", "no", "ON", "1945", "12:30", "3.14", "2024-01-01", ".inf", "~", "null", "0x10", "KSM: Maju", "#1",
          "a # b", "'kutip'", '"dua"', "- strip", "[x]", "{x}", "a\\b", "&jangkar", "*alias", "!tag", "%persen",
          "@at", "`bt`", "|", ">", "Ümit Ağa", "Ibu Siti (ketua)", "O'Brien", "Rapat:\nrutin, 2 kali."]


def test_whatever_people_write_comes_back_as_written(browser, base_url, rubric):
    """Names, places, assessors and notes that YAML would read as something else are quoted: the file the
    form writes gives back each text exactly (read by the build's own parser)."""
    from conftest import TODAY
    from ksm_site.content.read import parse_group

    page = open_page(browser, "1280")
    page.goto(base_url + FORM)
    page.fill('input[name="id"]', "kota/kec/ksm-uji")
    page.locator('input[name="jenis"][value="sosial"]').check()
    for key in ("provinsi", "kota", "kecamatan"):
        page.fill(f'input[name="wilayah.{key}"]', "X")
    page.fill('input[name="dibentuk"]', "2020-01-01")
    page.fill('input[name="tanggal"]', "2021-01-01")
    for i in rubric.applicable("sosial"):
        if i.banded:
            page.fill(f'input[name="{i.key}"]', "50")
        else:
            page.locator(f'input[name="{i.key}"][value="1"]').check()
    for written in TRICKY:
        one_line = written.replace("\n", " ")
        for name in ("nama", "wilayah.kelurahan", "penilai"):
            page.fill(f'input[name="{name}"]', one_line)
        page.fill('textarea[name="catatan"]', written)
        text = page.locator('[data-hasil="yaml"]').input_value()
        group, problems = parse_group("ksm-uji.md", "kota/kec/ksm-uji", text, rubric, TODAY)
        assert problems == [], (written, text, problems)
        assert (group.nama, group.wilayah.kelurahan, group.assessments[0].assessor, group.assessments[0].note) == \
            (one_line, one_line, one_line, written), text
    page.context.close()


def test_the_form_with_everything_it_loads_weighs_at_most_100_kb(browser, base_url):
    """A phone on a slow connection loads it once, in the field; it holds the rubric twice (as questions and
    as JSON), so it may weigh a little more than a group page (80 KB), and far less than a page's budget."""
    page = open_page(browser, "390")
    sizes = {}
    page.on("response", lambda response: sizes.__setitem__(response.url, len(response.body())))
    page.goto(base_url + FORM)
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("skor.js") for url in sizes) and any(url.endswith("nilai.js") for url in sizes)
    assert sum(sizes.values()) <= 100 * 1024, sizes
    page.context.close()


def test_once_opened_it_opens_again_without_a_connection(browser, site):
    """In the field there is often no signal: the form and its files answer from the cache its service
    worker keeps, for any group's link, once the form was opened with a connection."""
    import functools
    import http.server
    import threading

    from test_browser import QuietHandler

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{SITE}/"
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(url + f"kelompok/{MEKAR_SARI}/index.html")
    page.locator(".assess-link a").click()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("async () => (await (await caches.open('ksm-nilai')).keys()).length >= 5")
    server.shutdown()
    server.server_close()
    errors = []
    offline = context.new_page()
    offline.on("pageerror", lambda e: errors.append(str(e)))
    offline.goto(url + FORM + "#id=kota/kec/ksm-x&nama=KSM%20X&jenis=sosial&berkas=.md&dibentuk=2020-01-01")
    assert offline.locator('[data-kelompok="nama"]').inner_text() == "KSM X"
    assert offline.locator("fieldset.indicator:visible").count() == 9
    assert offline.evaluate("getComputedStyle(document.querySelector('.verdict')).position") == "sticky"  # its CSS
    offline.locator('input[name="pertemuan_rutin"][value="2"]').check()
    assert errors == []
    with pytest.raises(Exception):  # nothing else of the site is served from that cache
        offline.goto(url + "index.html")
    context.close()
