"""The sample site in a real browser: Debian's Chromium driven by Playwright.

The site is built once into ``<tmp>/www/ksm/`` and served on loopback from
``<tmp>/www``, so it lives under a sub-path as on a GitHub Pages project
site. ``make test`` installs Chromium with apt-get when it is missing; the
browser is never downloaded by Playwright.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from ksm_site.content.read import read_content
from ksm_site.engine.build import build

from ksm_site.site import search
from ksm_site.site.searching import SearchSplit

from conftest import CONTENT, TODAY

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
GROUP = "kelompok/kab-madiun/mejayan/ksm-mekar-sari/index.html"
AREA = "wilayah/kabupaten-madiun/mejayan/index.html"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("www")
    build(str(CONTENT), str(root / "ksm"), TODAY)
    return root


@pytest.fixture(scope="module")
def base_url(site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/ksm/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Chromium is missing: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def cancelled_favicon(request):
    """Chromium fetches the icon on its own after a page loads and cancels that fetch when a test
    navigates on: the site did nothing wrong. A missing icon fails differently (a 404, not an abort)."""
    return request.url.endswith("/favicon.svg") and request.failure == "net::ERR_ABORTED"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"request failed: {r.url}") if not cancelled_favicon(r) else None)
    yield page
    context.close()


def visible_rows(page, table="#groups"):
    return page.locator(f"{table} tbody tr:not([hidden])")


def test_filter_the_group_table(page, base_url):
    page.goto(base_url + "index.html")
    total = visible_rows(page).count()
    assert total == 47
    page.fill("input[data-filter]", "mekar")
    assert visible_rows(page).all_inner_texts() and all("Mekar" in t for t in visible_rows(page).all_inner_texts())
    assert page.locator("[data-count]").inner_text() == f"Menampilkan {visible_rows(page).count()} dari {total} kelompok"
    page.fill("input[data-filter]", "")
    page.select_option("select[data-filter-field=status]", "kembang")
    statuses = {r.get_attribute("data-status") for r in visible_rows(page).all()}
    assert statuses == {"kembang"} and visible_rows(page).count() == 12
    page.select_option("select[data-filter-field=jenis]", "sosial")
    assert {r.get_attribute("data-jenis") for r in visible_rows(page).all()} == {"sosial"}
    page.select_option("select[data-filter-field=area]", "Jiwan (Kabupaten Madiun)")
    assert all("Jiwan" in t for t in visible_rows(page).locator("td:nth-child(2)").all_inner_texts())
    assert page.problems == []


def test_sort_the_group_table(page, base_url):
    page.goto(base_url + "index.html")
    score_header = page.locator("#groups thead th:nth-child(5) button")
    score_header.click()
    scores = [float(v) for v in visible_rows(page).locator("td:nth-child(5)").evaluate_all(
        "cells => cells.map(c => c.dataset.sort)")]
    assert scores == sorted(scores) and scores[0] == -1  # never assessed first
    assert page.locator("#groups thead th:nth-child(5)").get_attribute("aria-sort") == "ascending"
    score_header.click()
    scores = [float(v) for v in visible_rows(page).locator("td:nth-child(5)").evaluate_all(
        "cells => cells.map(c => c.dataset.sort)")]
    assert scores == sorted(scores, reverse=True)
    page.locator("#groups thead th:nth-child(1) button").click()
    names = visible_rows(page).locator("th a").all_inner_texts()
    assert names == sorted(names, key=str.casefold)


def test_table_is_complete_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "index.html")
    assert page.locator("#groups tbody tr").count() == 47
    assert not page.locator("form.filters").is_visible()  # the controls need the script, so they stay hidden
    context.close()


def test_switch_language(page, base_url):
    page.goto(base_url + GROUP)
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("h2#next").inner_text() == "Langkah berikutnya"
    page.click("header.site a[hreflang=en]")
    assert page.url == base_url + "en/" + GROUP
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "KSM Mekar Sari"
    assert page.locator("h2#next").inner_text() == "What to do next"
    page.click("header.site a[hreflang=id]")
    assert page.url == base_url + GROUP


@pytest.mark.parametrize("prefix, name", [("", "KSM Brem Sari"), ("en/", "KSM Tirta Makmur")])
def test_search_finds_a_group_by_name(page, base_url, prefix, name):
    page.goto(base_url + prefix + "index.html")
    page.fill("header.site input[name=q]", name)
    page.press("header.site input[name=q]", "Enter")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    links = page.locator(".pagefind-ui__result-link")
    assert links.first.inner_text() == name
    href = links.first.get_attribute("href")
    assert href.startswith("/ksm/" + prefix + "kelompok/") and href.endswith("/index.html")
    assert "q=" in page.url  # the search is in the address, so it can be shared
    links.first.click()
    assert page.locator("h1").inner_text() == name
    assert page.problems == []


def test_search_query_in_the_address_runs_the_search(page, base_url):
    page.goto(base_url + "cari/index.html?q=kejuron")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    assert page.locator(".pagefind-ui__result").count() >= 1
    assert page.locator(".pagefind-ui__search-input").input_value() == "kejuron"
    page.fill(".pagefind-ui__search-input", "tirta")
    page.wait_for_function("() => location.search.includes('q=tirta')")


def test_charts_are_visible(page, base_url):
    for path, count in ((GROUP, 2), ("index.html", 5), (AREA, 5)):
        page.goto(base_url + path)
        charts = page.locator("svg.chart")
        assert charts.count() == count, path
        for i in range(count):
            box = charts.nth(i).bounding_box()
            assert box and box["width"] > 250 and box["height"] > 100, path
    assert page.problems == []


PAGES = ("index.html", AREA, GROUP, "wilayah/index.html", "perlu-perhatian/index.html", "metodologi/index.html",
         "cari/index.html")


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_no_console_errors_or_failed_requests(page, base_url, prefix):
    for path in PAGES:
        page.goto(base_url + prefix + path)
        page.wait_for_load_state("networkidle")
    assert page.problems == []


def test_404_page_resolves_its_links_from_the_published_site(site):
    """GitHub Pages serves 404.html at any missing address, so its links start from base_url, not from itself."""
    for prefix in ("", "en/"):
        page = (site / "ksm" / prefix / "404.html").read_text()
        assert f'<base href="https://ksm-site.github.io/ksm-site/{prefix}">' in page
        links = re.findall(r'(?:href|src)="([^"]+)"', page)
        assert links and all(not link.startswith("/") for link in links)


@pytest.mark.parametrize("path", ["index.html", AREA, GROUP, "en/index.html", "en/" + AREA, "en/" + GROUP])
def test_no_serious_accessibility_violations(page, base_url, path):
    page.goto(base_url + path)
    results = Axe().run(page)
    serious = [(v["id"], v["impact"], len(v["nodes"])) for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_group_page_weighs_at_most_80_kb(page, base_url):
    sizes = {}

    def count(response):
        sizes[response.url] = len(response.body())

    page.on("response", count)
    page.goto(base_url + GROUP)
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("style.css") for url in sizes) and any(url.endswith("ksm.js") for url in sizes)
    assert sum(sizes.values()) <= 80 * 1024, sizes


@pytest.mark.parametrize("path", ["index.html", AREA, GROUP, "perlu-perhatian/index.html", "metodologi/index.html",
                                  "en/" + GROUP, "cari/index.html?q=ksm"])
def test_no_horizontal_scrolling_at_360_px(browser, base_url, path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    context.close()


def test_dark_mode_and_print(browser, base_url):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(base_url + GROUP)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 20, 20)"
    page.emulate_media(media="print", color_scheme="light")
    assert page.locator("header.site").is_hidden() and page.locator("form.search").is_hidden()
    assert page.locator("h1").is_visible() and page.locator("svg.chart").first.is_visible()
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, pages
    context.close()


def test_keyboard_reaches_the_content_with_a_visible_focus(page, base_url):
    page.goto(base_url + GROUP)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip"
    assert page.evaluate("getComputedStyle(document.activeElement).left") != "-999px"
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_a_copy_opened_from_disk_navigates(browser, site):
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("requestfailed", lambda r: problems.append(r.url) if not cancelled_favicon(r) else None)
    page.goto((site / "ksm" / "index.html").as_uri())
    page.click("#groups a >> text=KSM Mekar Sari")
    assert page.url.endswith(GROUP) and page.locator("h1").inner_text() == "KSM Mekar Sari"
    assert page.evaluate("getComputedStyle(document.querySelector('.badge')).borderLeftStyle") == "solid"  # CSS loaded
    page.click("nav.crumbs a >> text=Mejayan")
    assert page.url.endswith(AREA)
    page.click("header.site a[hreflang=en]")
    assert page.url.endswith("en/" + AREA)
    page.fill("header.site input[name=q]", "mekar")
    page.press("header.site input[name=q]", "Enter")
    page.wait_for_selector("[data-offline]", state="visible", timeout=5000)  # says why search cannot run from disk
    assert problems == []
    context.close()


@pytest.fixture(scope="module")
def parted_base_url(tmp_path_factory):
    """The sample site with its search index in parts of 20 entries, served like the other."""
    root = tmp_path_factory.mktemp("www-parted")
    build(str(CONTENT), str(root / "ksm"), TODAY, search_split=SearchSplit(one_part=20, part=20))
    parts = 1 + len(list((root / "ksm" / "pagefind").glob("part-*/pagefind-entry.json")))
    assert parts >= 3
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/ksm/", parts
    server.shutdown()


def test_search_finds_groups_in_every_part_of_the_index(page, parted_base_url):
    """A group is found whichever part of the index holds its entry: one group from each part."""
    base_url, parts = parted_base_url
    groups = read_content(str(CONTENT), TODAY).groups
    runs = search.split({f"kelompok/{g.id}/index.html": g.nama for g in groups}, ("id",), parts)
    names = [next(iter(runs[search.Run(part, "id")].values())) for part in range(parts)]
    for name in names:
        page.goto(base_url + "cari/index.html?q=" + name.replace(" ", "+"))
        page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
        titles = page.locator(".pagefind-ui__result-link").all_inner_texts()
        assert name in titles, (name, titles)
        href = page.locator(".pagefind-ui__result-link", has_text=name).first.get_attribute("href")
        assert href.startswith("/ksm/kelompok/") and href.endswith("/index.html")
    assert page.problems == []
