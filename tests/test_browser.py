"""The sample site in a real browser: Debian's Chromium driven by Playwright.

The site is built once into ``<tmp>/www/ksm-site/`` and served on loopback from
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
from ksm_site.site.limits import Limits

from conftest import CONTENT, TODAY

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
GROUP = "kelompok/kab-madiun/mejayan/ksm-mekar-sari/index.html"
AREA = "wilayah/kabupaten-madiun/mejayan/index.html"


SITE = "ksm-site"
"""The folder the site is served from: the path of the sample's ``base_url``, as on GitHub Pages."""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site as GitHub Pages does, its ``404.html`` at any missing address."""

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / SITE / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("www")
    build(str(CONTENT), str(root / SITE), TODAY)
    return root


@pytest.fixture(scope="module")
def base_url(site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/ksm-site/"
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
    assert href.startswith("/ksm-site/" + prefix + "kelompok/") and href.endswith("/index.html")
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


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("missing", ["tidak-ada.html", "kelompok/kab-madiun/mejayan/ksm-lama/index.html",
                                     "en/wilayah/kabupaten-madiun/tidak/ada/"])
def test_the_404_page_works_at_any_depth_under_the_sub_path(browser, base_url, width, missing):
    """The host serves 404.html at a missing address of any depth: its style loads and its links lead
    to pages that exist, and a reader who asked for an English page is told so in English."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url) if not cancelled_favicon(r) else None)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and r.url != base_url + missing else None)
    assert page.goto(base_url + missing).status == 404
    assert page.locator("h1").inner_text() == "Halaman tidak ditemukan"
    assert page.evaluate("getComputedStyle(document.querySelector('header.site')).display") != "inline"  # CSS loaded
    english = page.locator("main p[lang=en] a")
    assert english.get_attribute("hreflang") == "en"
    hrefs = page.locator("header.site a, nav a, main a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and all(href.startswith(base_url) for href in hrefs)
    for href in hrefs:
        assert context.request.get(href).status == 200, href
    english.click()
    assert page.url == base_url + "en/" and page.locator("html").get_attribute("lang") == "en"
    assert failed == []
    context.close()


def test_the_404_page_of_each_language_resolves_from_its_own_folder(site):
    """Hosts that serve the nearest 404.html serve en/404.html under /en/: its links start there."""
    for prefix, other in (("", "en"), ("en/", "id")):
        page = (site / SITE / prefix / "404.html").read_text()
        assert f'<base href="/ksm-site/{prefix}">' in page
        assert f'<p lang="{other}">' in page
        links = re.findall(r'(?:href|src)="([^"]+)"', page.replace(f'<base href="/ksm-site/{prefix}">', ""))
        assert links and all(not link.startswith("/") for link in links if "://" not in link)


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


@pytest.mark.parametrize("prefix, stage, score", [("", "Tumbuh", "Skor 63,3"), ("en/", "Tumbuh", "Score 63.3")])
def test_a_group_result_shows_its_stage_and_score(page, base_url, prefix, stage, score):
    """From the group's data.json, in the page's language and number format, as the tables show them."""
    page.goto(base_url + prefix + "cari/index.html?q=KSM+Brem+Sari")
    result = page.locator(".pagefind-ui__result", has_text="KSM Brem Sari").first
    line = result.locator(".result-stage")
    line.wait_for(timeout=15000)
    assert line.locator(".badge.st-1").inner_text() == stage
    assert line.inner_text() == f"{stage} {score}"
    assert page.locator(".result-stage").count() == page.locator(".pagefind-ui__result-link[href*='/kelompok/']").count()
    assert page.problems == []


def test_a_copy_opened_from_disk_navigates(browser, site):
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("requestfailed", lambda r: problems.append(r.url) if not cancelled_favicon(r) else None)
    page.goto((site / SITE / "index.html").as_uri())
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
    build(str(CONTENT), str(root / SITE), TODAY, limits=Limits(search_one_part=20, search_part=20))
    parts = 1 + len(list((root / SITE / "pagefind").glob("part-*/pagefind-entry.json")))
    assert parts >= 3
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/ksm-site/", parts
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
        assert href.startswith("/ksm-site/kelompok/") and href.endswith("/index.html")
    assert page.problems == []
