"""The attention list in a browser, on a 390 px phone and a 1280 px desktop: its area and assessor filters work
and are kept in the address, and an area page's link opens the list filtered to that area.

Reuses test_browser's fixtures (the sample built once, served on loopback under a sub-path, Debian's
Chromium) and test_phone's pages at each width.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import re
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe

from ksm_site.content.read import read_content
from ksm_site.site.inputs import AttentionRow, WarningsInputs
from ksm_site.site.maker import PageMaker
from ksm_site.site.limits import Limits
from ksm_site.site.pages.attention import attention_page
from ksm_site.site.theme import static_files

from conftest import CONTENT, TODAY
from test_attention import URGENCY, summary
from test_browser import AREA, QuietHandler, base_url, browser, site  # noqa: F401 (fixtures)
from test_phone import KELURAHAN, open_page, query, shown_rows, width_page  # noqa: F401 (fixtures)

MOST_LISTED = Limits().attention_rows
LIST = "perlu-perhatian/index.html"
WARNED = 16
"""Active groups of the sample with a warning: the list's rows."""


def rows(page):
    return shown_rows(page, "#worklist")


def test_one_row_per_group_and_complete_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + LIST)
    names = page.locator("#worklist tbody th a").all_inner_texts()
    assert len(names) == len(set(names)) == WARNED
    assert names[0] == "KSM Mekar Sari"  # three warnings, the worst of them turun-tahap
    assert not page.locator("form.filters").is_visible()
    assert page.locator("dl.meanings dt").count() == 6
    context.close()


def test_the_area_and_assessor_filters_are_kept_in_the_address(width_page, base_url):
    page = width_page
    page.goto(base_url + LIST)
    assert rows(page).count() == WARNED
    # A kota keeps the rows of every kecamatan and kelurahan in it.
    page.select_option("select[name=wilayah]", "kota-madiun")
    page.wait_for_function("() => location.search.includes('wilayah=')")
    assert rows(page).count() == 7
    assert all(r.get_attribute("data-area").startswith("kota-madiun/") for r in rows(page).all())
    page.select_option("select[name=penilai]", "Yuli Astuti")
    page.wait_for_function("() => location.search.includes('penilai=')")
    assert query(page) == {"wilayah": "kota-madiun", "penilai": "Yuli Astuti"}
    assert set(rows(page).locator("td:nth-child(7)").all_inner_texts()) == {"Yuli Astuti"} and rows(page).count() == 3
    # A kelurahan keeps its own rows; the assessor filter still holds.
    page.select_option("select[name=wilayah]", "kota-madiun/kartoharjo/tawangrejo")
    page.wait_for_function("() => new URLSearchParams(location.search).get('wilayah').endsWith('tawangrejo')")
    assert query(page) == {"wilayah": "kota-madiun/kartoharjo/tawangrejo", "penilai": "Yuli Astuti"}
    names = rows(page).locator("th a").all_inner_texts()
    assert names == ["KSM Gemah Ripah", "KSM Karya Bhakti"]  # in the order of urgency: skor-turun first
    assert all(t.startswith("Tawangrejo, ") for t in rows(page).locator("td:nth-child(6)").all_inner_texts())
    assert page.locator("[data-count]").inner_text() == f"Menampilkan 2 dari {WARNED} kelompok"
    # Someone opens the shared address: the same filters, the same rows.
    other = page.context.new_page()
    other.goto(page.url)
    assert other.locator("select[name=wilayah]").input_value() == "kota-madiun/kartoharjo/tawangrejo"
    assert other.locator("select[name=penilai]").input_value() == "Yuli Astuti"
    assert rows(other).locator("th a").all_inner_texts() == names
    assert page.problems == []


@pytest.mark.parametrize("area, value, count", [
    (AREA, "kabupaten-madiun/mejayan", 5),  # a kecamatan
    (KELURAHAN, "kota-madiun/taman/pandean", 2),  # a kelurahan
    ("wilayah/kota-madiun/index.html", "kota-madiun", 7),  # a kota
])
def test_an_area_page_opens_the_list_filtered_to_that_area(width_page, base_url, area, value, count):
    page = width_page
    page.goto(base_url + area)
    link = page.locator("main .attention a")
    assert link.inner_text() == f"{count} kelompok aktif perlu perhatian"
    link.click()
    page.wait_for_selector("form.filters:not([hidden])")
    assert page.url.split("?")[0] == base_url + LIST
    assert query(page) == {"wilayah": value}
    assert page.locator("select[name=wilayah]").input_value() == value
    assert rows(page).count() == count
    assert all(r.get_attribute("data-area") == value or r.get_attribute("data-area").startswith(value + "/")
               for r in rows(page).all())
    assert page.locator("select[name=wilayah] option:checked").inner_text().endswith(area_name(page, value))
    assert page.problems == []


def area_name(page, value: str) -> str:
    """The name of the area ``value`` ends with, as its option names it (after the last '›')."""
    label = page.locator(f"select[name=wilayah] option[value='{value}']").inner_text()
    return re.split(r" › ", label)[-1]


def test_the_english_list_opens_filtered_from_an_english_area_page(width_page, base_url):
    page = width_page
    page.goto(base_url + "en/" + AREA)
    page.locator("main .attention a").click()
    page.wait_for_selector("form.filters:not([hidden])")
    assert page.url.split("?")[0] == base_url + "en/" + LIST
    assert rows(page).count() == 5
    assert page.locator("[data-count]").inner_text() == f"Showing 5 of {WARNED} groups"


@pytest.mark.parametrize("width", ["390", "1280"])
def test_no_serious_accessibility_violations_in_dark_mode(browser, base_url, width):
    page = open_page(browser, width, "dark")
    page.goto(base_url + LIST + "?wilayah=kota-madiun")
    results = Axe().run(page)
    page.context.close()
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []


@pytest.fixture
def big_list(tmp_path, rubric):
    """The attention list of a programme of 3,000 warned groups (more than its 200 KB hold), made by the
    page function from generated summaries and served with the site's static files."""
    content = read_content(str(CONTENT), TODAY)
    rows = tuple(AttentionRow(summary(rubric, f"ksm-{n:04d}", ("mandek",), 300 + n, kelurahan=f"Kelurahan {n}"),
                              ("kota-a" if n % 2 else "kota-b", "kec", f"kel-{n}")) for n in range(MOST_LISTED))
    inputs = WarningsInputs(3000, tuple((k, 3000 if k == "mandek" else 0) for k in URGENCY), rows,
                            (("Kota A", ("kota-a",), 1000), ("Kota B", ("kota-b",), 1000), ("Kota C", ("kota-c",), 1000)),
                            dt.date(2024, 6, 30))
    path, pieces = attention_page(PageMaker(content.rubric, content.site, "id"), inputs)
    root = tmp_path / "www"
    for name, data in [(path, "".join(pieces).encode()), *static_files().items()]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{path}"
    server.shutdown()


def test_a_list_that_leaves_groups_out_shows_no_row_for_an_area_it_does_not_list(width_page, big_list):
    """A link from the page of Kota C, none of whose groups the list has room for: no row, and the area
    choice says why, rather than every row of other areas under Kota C's link."""
    page = width_page
    page.goto(big_list + "?wilayah=kota-c")
    assert rows(page).count() == 0
    assert page.locator("select[name=wilayah] option:checked").inner_text() == \
        "Wilayah yang tidak satu pun kelompoknya tercantum di sini"
    listed = page.locator("#worklist tbody tr").count()
    assert page.locator("[data-count]").inner_text() == f"Menampilkan 0 dari {listed} kelompok"
    assert page.locator(".partial a", has_text="Kota C").count() == 1
    page.goto(big_list + "?wilayah=kota-a")
    assert 0 < rows(page).count() < listed
    assert all(r.get_attribute("data-area").startswith("kota-a/") for r in rows(page).all())
    assert page.problems == []
