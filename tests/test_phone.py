"""The sample site as coordinators read it: on a 390 px phone and a 1280 px desktop, light and dark.

Reuses test_browser's fixtures: the sample built once, served on loopback under a sub-path, and
Debian's Chromium. Each test names the reader's trouble it guards against (issue 24).
"""

from __future__ import annotations

import pytest

from test_browser import AREA, GROUP, base_url, browser, site  # noqa: F401 (fixtures)

KELURAHAN = "wilayah/kota-madiun/taman/pandean/index.html"
RICH_GROUP = "kelompok/kota-madiun/taman/ksm-rasa-mulya/index.html"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
WIDTHS = {"390": PHONE, "1280": DESKTOP}


def open_page(browser, width: str, scheme: str = "light"):
    context = browser.new_context(color_scheme=scheme, **WIDTHS[width])
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    return page


@pytest.fixture(params=[("390", "light"), ("390", "dark"), ("1280", "light"), ("1280", "dark")],
                ids=lambda p: "-".join(p))
def view(browser, request):
    """A page at each width, in each colour scheme."""
    page = open_page(browser, *request.param)
    yield page
    page.context.close()


@pytest.fixture(params=["390", "1280"])
def width_page(browser, request):
    """A page at each width, light."""
    page = open_page(browser, request.param)
    yield page
    page.context.close()


def shown_rows(page, table="#groups"):
    """The rows a reader sees: rendered with a box, whatever hides them (attribute or style)."""
    return page.locator(f"{table} tbody tr").filter(visible=True)


def test_the_filter_hides_rows_at_every_width(view, base_url):
    """Below 40rem the rows are cards (display: block), which once overrode the hidden attribute."""
    view.goto(base_url + "index.html")
    total = shown_rows(view).count()
    assert total == 47
    view.fill("input[data-filter]", "mekar")
    texts = shown_rows(view).all_inner_texts()
    assert 0 < len(texts) < total and all("Mekar" in t for t in texts), texts
    view.fill("input[data-filter]", "")
    view.select_option("select[data-filter-field=status]", "kembang")
    assert shown_rows(view).count() == 12
    assert {r.get_attribute("data-status") for r in shown_rows(view).all()} == {"kembang"}
    assert view.problems == []

