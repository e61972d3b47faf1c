"""Charts as coordinators read them on a phone (issue 24): labels large enough, in a font every phone has,
a stage a reader cannot misread, and a sentence where there is nothing to draw.

Reuses test_browser's fixtures (the sample built once, served on loopback under a sub-path, Debian's
Chromium) and test_phone's pages and helpers.
"""

from __future__ import annotations

import pytest

from test_browser import AREA, GROUP, base_url, browser, site  # noqa: F401 (fixtures)
from test_phone import KELURAHAN, open_page

HELD = "kelompok/kota-madiun/kartoharjo/ksm-kelun-sejahtera/index.html"
"""Its latest assessment scores 76.7, in Kembang's band, but a Kembang gate holds it at Tumbuh."""
NEVER_ASSESSED = "kelompok/kota-madiun/kartoharjo/ksm-lele-makmur/index.html"
CHART_PAGES = ["index.html", AREA, KELURAHAN, GROUP, HELD, "en/index.html", "en/" + HELD]

# Every text of every chart in main as the reader sees it: its rendered size in CSS px (its computed
# font size, in SVG units, times the scale the chart is shown at) and its computed font family.
CHART_TEXT = """() => [...document.querySelectorAll('main svg.chart')].flatMap(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
        const style = getComputedStyle(t);
        return {text: t.textContent.trim(), px: parseFloat(style.fontSize) * scale, family: style.fontFamily}; }); })"""
GENERIC = ("sans-serif", "serif", "system-ui", "monospace")


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_chart_labels_are_at_least_11_px_in_a_font_list_ending_in_a_generic_family(browser, base_url, width):
    """On a 390 px phone 11 of a group page's 25 labels were 9.5 px, and every label named 'DejaVu Sans'
    alone, which a phone without it draws in its default serif."""
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 1000)
    page = context.new_page()
    small, families, seen = {}, set(), 0
    for path in CHART_PAGES:
        page.goto(base_url + path)
        texts = page.evaluate(CHART_TEXT)
        seen += len(texts)
        families |= {t["family"] for t in texts}
        tiny = [(t["text"], round(t["px"], 1)) for t in texts if t["px"] < 11]
        if tiny:
            small[path] = tiny
    context.close()
    assert seen > 200 and small == {}
    assert families and all(f.split(",")[-1].strip().strip("'\"") in GENERIC for f in families), families


@pytest.mark.parametrize("width", ["390", "1280"])
def test_a_group_never_assessed_shows_sentences_not_empty_charts(browser, base_url, width):
    page = open_page(browser, width)
    for prefix, path_sentence, assets_sentence in (
            ("", "Belum ada penilaian: grafik muncul setelah penilaian pertama.", "Belum ada penilaian yang menilai aset."),
            ("en/", "No assessment yet: the chart appears after the first assessment.", "No assessment has rated the assets yet.")):
        page.goto(base_url + prefix + NEVER_ASSESSED)
        assert page.locator("main svg").count() == 0
        assert page.locator("#fig-progression p").inner_text() == path_sentence
        assert page.locator("#fig-pentagon p").inner_text() == assets_sentence
        assert page.locator("main figure details").count() == 0  # no table of numbers that are not there
    assert page.problems == []
    page.context.close()


def test_an_area_chart_names_only_the_group_types_it_draws(browser, base_url):
    """Kelurahan Kelun has loan and infrastructure groups, no social one."""
    page = open_page(browser, "390")
    page.goto(base_url + "wilayah/kota-madiun/kartoharjo/kelun/index.html")
    legend = page.locator("#fig-survival svg text").all_text_contents()
    assert "Pinjaman bergulir" in legend and "Infrastruktur" in legend and "Sosial" not in legend
    page.goto(base_url + "index.html")
    assert "Sosial" in page.locator("#fig-survival svg text").all_text_contents()
    page.context.close()


@pytest.mark.parametrize("width", ["390", "1280"])
def test_a_point_a_gate_held_below_its_band_is_ringed_and_explained(browser, base_url, width):
    page = open_page(browser, width)
    page.goto(base_url + HELD)
    figure = page.locator("#fig-progression")
    ring = figure.locator("svg.chart circle.held")
    assert ring.count() == 1 and ring.is_visible()
    # the ring is around the latest point: the dot drawn at its centre is Tumbuh's colour, not Kembang's
    centre = ring.evaluate("r => [r.getAttribute('cx'), r.getAttribute('cy')]")
    dot = figure.locator(f"svg.chart circle:not(.held)[cx='{centre[0]}'][cy='{centre[1]}']")
    assert dot.get_attribute("fill").upper() == "#56B4E9"
    note = figure.locator("p").inner_text()
    assert note == "Titik berlingkar: 15 Oktober 2024, skor 76,7 sudah di rentang Kembang, tetapi tertahan di Tumbuh oleh syarat."
    assert "Tumbuh (tertahan syarat)" in figure.locator("table").text_content()  # under "the numbers behind the chart"
    page.goto(base_url + GROUP)
    assert page.locator("#fig-progression svg.chart circle").count() > 1
    assert page.locator("#fig-progression circle.held").count() == 0 and page.locator("#fig-progression p").count() == 0
    assert page.problems == []
    page.context.close()
