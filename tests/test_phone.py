"""The sample site as coordinators read it: on a 390 px phone and a 1280 px desktop, light and dark.

Reuses test_browser's fixtures: the sample built once, served on loopback under a sub-path, and
Debian's Chromium. Each test names the reader's trouble it guards against (issue 24).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

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


# Words broken inside themselves: the same measure as ../shared/tools/look.py, over every text block
# of main, with every <details> open (a chart's data table is read there).
BROKEN_WORDS = """() => { document.querySelectorAll('main details').forEach(d => { d.open = true; });
  const bad = [];
  for (const c of document.querySelectorAll('main th, main td, main li, main dd, main dt, main h1, main h2, main h3, main p, main summary, main caption, main figcaption')) {
    const w = document.createTreeWalker(c, NodeFilter.SHOW_TEXT); let n;
    while ((n = w.nextNode())) { const t = n.textContent; const re = /[^\\s\\-\\u2010-\\u2014\\/·,.;:()]+/g; let m;
      while ((m = re.exec(t))) { if (m[0].length < 3) continue;
        const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
        if (tops.size > 1) bad.push(m[0]); } } }
  return [...new Set(bad)]; }"""

READING_PAGES = ["index.html", "metodologi/index.html", GROUP, RICH_GROUP, AREA, KELURAHAN, "perlu-perhatian/index.html",
                 "wilayah/index.html", "en/index.html", "en/metodologi/index.html", "en/" + RICH_GROUP,
                 "cari/index.html?q=maju"]


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_no_word_is_broken_inside_itself_and_nothing_scrolls_sideways(browser, base_url, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=width < 1000)
    page = context.new_page()
    broken, wide = {}, {}
    for path in READING_PAGES:
        page.goto(base_url + path)
        if "cari/" in path:
            page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
        words = page.evaluate(BROKEN_WORDS)
        if words:
            broken[path] = words
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide[path] = scroll
    context.close()
    assert broken == {} and wide == {}


def test_a_wide_table_scrolls_inside_its_own_box(browser, base_url):
    """The chart data tables have more columns than a 360 px phone holds: they scroll in their box, the page
    not, and the box takes the keyboard's focus, named after its chart, so it scrolls without a pointer."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(base_url + "index.html")
    page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    page.wait_for_selector(".table-scroll[tabindex='0']")
    boxes = page.evaluate("""() => [...document.querySelectorAll('main table')].map(t => {
        const box = t.parentElement; const style = getComputedStyle(box);
        return {wider: t.getBoundingClientRect().width > box.clientWidth + 1, scrolls: style.overflowX === 'auto',
                right: box.getBoundingClientRect().right, focus: box.tabIndex, name: box.getAttribute('aria-label')}; })""")
    context.close()
    assert any(b["wider"] for b in boxes)  # else this test proves nothing: some table is too wide for a phone
    assert all(b["scrolls"] and b["right"] <= 360 and b["focus"] == 0 and b["name"] for b in boxes if b["wider"]), boxes
    assert all(b["focus"] == -1 for b in boxes if not b["wider"]), boxes


def contrast(page, selector: str) -> float:
    """The WCAG contrast ratio of an element's text against the first opaque background behind it."""
    return page.evaluate("""(selector) => {
        const el = document.querySelector(selector);
        const rgb = s => s.match(/[\\d.]+/g).map(Number);
        const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
                                     return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
        let bg = null;
        for (let e = el; e && !bg; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length === 3 || c[3] === 1) bg = c.slice(0, 3); }
        const a = lum(rgb(getComputedStyle(el).color).slice(0, 3)), b = lum(bg || [255, 255, 255]);
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }""", selector)


def test_search_reads_well_with_a_visible_label(view, base_url):
    view.goto(base_url + "cari/index.html?q=maju")
    view.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    assert contrast(view, ".pagefind-ui__search-input") >= 4.5
    assert contrast(view, ".pagefind-ui__result-link") >= 4.5
    assert contrast(view, ".pagefind-ui__message") >= 4.5
    label = view.evaluate("""() => { const labels = document.querySelector('.pagefind-ui__search-input').labels || [];
        return [...labels].filter(l => l.offsetParent && l.getBoundingClientRect().height > 0).map(l => l.textContent.trim()); }""")
    assert label and all(label), label
    assert view.get_by_label(label[0]).input_value() == "maju"


def test_the_header_search_box_holds_the_query(width_page, base_url):
    width_page.goto(base_url + "cari/index.html?q=kejuron")
    width_page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    assert width_page.locator("header.site input[name=q]").input_value() == "kejuron"
    width_page.fill(".pagefind-ui__search-input", "tirta")
    width_page.wait_for_function("() => location.search.includes('q=tirta')")
    assert width_page.locator("header.site input[name=q]").input_value() == "tirta"


@pytest.mark.parametrize("path", ["index.html", RICH_GROUP, KELURAHAN, "cari/index.html?q=maju", "en/" + AREA])
@pytest.mark.parametrize("width", ["390", "1280"])
def test_no_serious_accessibility_violations_in_dark_mode(browser, base_url, path, width):
    page = open_page(browser, width, "dark")
    page.goto(base_url + path)
    if "cari/" in path:
        page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    results = Axe().run(page)
    page.context.close()
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_sorting_on_a_phone(browser, base_url):
    """The header row is not shown on a phone, so a labelled choice above the cards sorts them."""
    page = open_page(browser, "390")
    page.goto(base_url + "index.html")
    assert not page.locator("#groups thead").is_visible()
    choice = page.get_by_label("Urutkan menurut")
    assert choice.count() == 1 and choice.is_visible()
    choice.select_option(label="Skor, turun")
    scores = [float(v) for v in shown_rows(page).locator("td:nth-child(5)").evaluate_all("cs => cs.map(c => c.dataset.sort)")]
    assert scores == sorted(scores, reverse=True) and scores[-1] == -1
    assert page.locator("#groups thead th:nth-child(5)").get_attribute("aria-sort") == "descending"
    choice.select_option(label="Kelompok, naik")
    names = shown_rows(page).locator("th a").all_inner_texts()
    assert names == sorted(names, key=str.casefold)
    # Sorted and filtered together: the filter keeps the order.
    page.select_option("select[data-filter-field=status]", "tumbuh")
    names = shown_rows(page).locator("th a").all_inner_texts()
    assert len(names) == 20 and names == sorted(names, key=str.casefold)
    # The attention list: one table, its choice beside its filters, and "as listed" is the order of urgency.
    page.goto(base_url + "en/perlu-perhatian/index.html")
    listed = shown_rows(page, "#worklist").locator("th a").all_inner_texts()
    assert page.get_by_label("Sort by").count() == page.locator("table[data-groups]").count() == 1
    page.get_by_label("Sort by").select_option(label="Score, ascending")
    scores = [float(v) for v in shown_rows(page, "#worklist").locator("td:nth-child(5)").evaluate_all(
        "cs => cs.map(c => c.dataset.sort)")]
    assert scores == sorted(scores)
    page.get_by_label("Sort by").select_option(label="Most urgent first")
    assert shown_rows(page, "#worklist").locator("th a").all_inner_texts() == listed
    assert page.problems == []
    page.context.close()


def test_on_a_desktop_the_column_headers_sort_and_the_choice_follows(browser, base_url):
    page = open_page(browser, "1280")
    page.goto(base_url + "index.html")
    assert page.locator("#groups thead button.sort").first.is_visible()
    assert not page.get_by_label("Urutkan menurut").is_visible()  # the headers do it here
    page.locator("#groups thead th:nth-child(5) button").click()
    assert page.get_by_label("Urutkan menurut").input_value() != ""  # in step, should the window narrow
    page.set_viewport_size({"width": 390, "height": 844})
    choice = page.get_by_label("Urutkan menurut")
    assert choice.is_visible() and choice.locator("option:checked").inner_text() == "Skor, naik"
    page.context.close()


# A control that can take the keyboard's focus must be where the reader can see it (look.py's measure).
HIDDEN_FOCUS = """() => [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
  .filter(e => e.tabIndex >= 0 && !e.disabled && e.offsetParent !== null)
  .filter(e => { e.focus(); const r = e.getBoundingClientRect(); e.blur();
    return r.width < 1 || r.height < 1 || r.right < 0 || r.left > innerWidth; })
  .map(e => e.tagName.toLowerCase() + ':' + (e.textContent || e.getAttribute('aria-label') || '').trim().slice(0, 30))"""


@pytest.mark.parametrize("path", ["index.html", KELURAHAN, "perlu-perhatian/index.html", RICH_GROUP])
def test_nothing_invisible_takes_the_focus(width_page, base_url, path):
    width_page.goto(base_url + path)
    assert width_page.evaluate(HIDDEN_FOCUS) == []


def test_every_tab_stop_on_a_phone_is_on_screen(browser, base_url):
    """Walk the home page with the Tab key, as a keyboard on a phone does."""
    page = open_page(browser, "390")
    page.goto(base_url + "index.html")
    seen, off = 0, []
    for _ in range(300):
        page.keyboard.press("Tab")
        box = page.evaluate("""() => { const e = document.activeElement; if (!e || e === document.body) return null;
            const r = e.getBoundingClientRect();
            return {what: e.tagName + ':' + e.textContent.trim().slice(0, 20), w: r.width, h: r.height, left: r.left, right: r.right,
                    top: r.top, bottom: r.bottom}; }""")
        if box is None:
            break
        seen += 1
        if box["w"] < 1 or box["h"] < 1 or box["right"] <= 0 or box["left"] >= 390 or box["bottom"] <= 0 or box["top"] >= 844:
            off.append(box["what"])
    page.context.close()
    assert seen > 50 and off == []


# Tap targets (WCAG 2.2, 2.5.8): every control outside running text is at least 24 x 24 CSS px.
TARGETS = ("header.site a, header.site input, header.site button, nav.crumbs a, form.filters input, form.filters select, "
           ".sort-choice select, thead button.sort, table.groups th a, table.areas th a, .downloads a, .more a, .attention a, "
           "main summary, #search input, #search button, #search a")
SMALL_TARGETS = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => e.offsetParent !== null && e.getClientRects().length)
  .map(e => { const r = e.getBoundingClientRect(); return {what: e.tagName + ':' + e.textContent.trim().slice(0, 25),
                                                           w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10}; })
  .filter(b => b.w < 24 || b.h < 24)"""


@pytest.mark.parametrize("path", ["index.html", RICH_GROUP, KELURAHAN, "cari/index.html?q=maju", "en/index.html",
                                  "perlu-perhatian/index.html"])
def test_tap_targets_are_at_least_24_px(width_page, base_url, path):
    width_page.goto(base_url + path)
    if "cari/" in path:
        width_page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    assert width_page.locator(TARGETS).count() > 5
    assert width_page.evaluate(SMALL_TARGETS, TARGETS) == []


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def test_table_filters_are_kept_in_the_address(view, base_url):
    view.goto(base_url + "index.html")
    view.fill("input[data-filter]", "kwangsen")
    view.select_option("select[data-filter-field=status]", "tumbuh")
    view.wait_for_function("() => location.search.includes('tahap=tumbuh')")
    assert query(view) == {"q": "kwangsen", "tahap": "tumbuh"}
    view.select_option("select[data-filter-field=jenis]", "pinjaman-bergulir")
    view.select_option("select[data-filter-field=area]", "Jiwan (Kabupaten Madiun)")
    view.wait_for_function("() => location.search.includes('wilayah=')")
    assert query(view) == {"q": "kwangsen", "tahap": "tumbuh", "jenis": "pinjaman-bergulir", "wilayah": "Jiwan (Kabupaten Madiun)"}
    shared = view.url
    names = shown_rows(view).locator("th a").all_inner_texts()
    view.fill("input[data-filter]", "")
    view.wait_for_function("() => !location.search.includes('q=')")
    # Someone opens the shared address: the same filters, the same rows.
    other = view.context.new_page()
    other.goto(shared)
    assert other.locator("input[data-filter]").input_value() == "kwangsen"
    assert other.locator("select[data-filter-field=status]").input_value() == "tumbuh"
    assert other.locator("select[data-filter-field=jenis]").input_value() == "pinjaman-bergulir"
    assert other.locator("select[data-filter-field=area]").input_value() == "Jiwan (Kabupaten Madiun)"
    assert shown_rows(other).locator("th a").all_inner_texts() == names and 0 < len(names) < 47
    # An address that names a stage the table does not have leaves that filter open, rather than show nothing.
    other.goto(base_url + AREA + "?tahap=tidak-ada&q=maju")
    assert other.locator("select[data-filter-field=status]").input_value() == ""
    assert 0 < shown_rows(other).count() < other.locator("#groups tbody tr").count()
    assert view.problems == []


@pytest.mark.parametrize("path", [KELURAHAN, "perlu-perhatian/index.html"])
@pytest.mark.parametrize("width", ["390", "1280"])
def test_printed_tables_carry_no_controls_and_print_whole(browser, base_url, width, path):
    """A kelurahan page or the attention list printed from a phone or a desktop: no sort choice, sort
    arrows or download links on paper, and no table cut off at the edge of its scroll box."""
    page = open_page(browser, width)
    page.goto(base_url + path)
    assert page.locator(".sort-choice").count() == page.locator("table[data-groups]").count() >= 1
    page.emulate_media(media="print")
    shown = page.evaluate("""() => [...document.querySelectorAll('.sort-choice, section[aria-labelledby=downloads]')]
        .filter(e => e.getClientRects().length).map(e => e.className || e.tagName)""")
    arrows = page.evaluate("""() => [...document.querySelectorAll('button.sort')]
        .map(b => getComputedStyle(b, '::after').content).filter(c => c !== 'none')""")
    clipped = page.evaluate("""() => [...document.querySelectorAll('.table-scroll')]
        .filter(b => getComputedStyle(b).overflowX !== 'visible').length""")
    page.context.close()
    assert shown == [] and arrows == [] and clipped == 0


@pytest.fixture(scope="module")
def big_kelurahan(tmp_path_factory):
    """A programme of one kelurahan of 25 groups (generated as the benchmark's are), built once."""
    import random
    import shutil

    from bench.synthetic import CONTENT as SAMPLE, _slug, _story, make_group, write_group
    from ksm_site.engine.build import build

    from conftest import TODAY

    root = tmp_path_factory.mktemp("kelurahan-25")
    content = root / "content"
    (content / "groups").mkdir(parents=True)
    for name in ("rubric.yaml", "site.yaml"):
        shutil.copy(SAMPLE / name, content / name)
    rng = random.Random(3)
    area = ("Jawa Timur", "Kota Uji", "kota-uji", "Sukamaju", "sukamaju", "Sukamaju Lor")
    for n in range(25):
        group = make_group(rng, area, ("pinjaman-bergulir", "infrastruktur", "sosial")[n % 3])
        group["nama"] += f" {n + 1}"
        write_group(content / "groups", f"kota-uji/sukamaju/{_slug(group['nama'])}.md", group, _story(rng, group))
    build(str(content), str(root / "out"), TODAY)
    return root / "out" / "wilayah" / "kota-uji" / "sukamaju" / "sukamaju-lor" / "index.html"


@pytest.mark.parametrize("width", ["390", "1280"])
def test_a_kelurahan_of_25_groups_prints_as_one_a4_handout(browser, big_kelurahan, width):
    """The meeting's handout: every group's row on one A4 portrait sheet, printed from a phone or a desktop,
    with no area column (every row is of this kelurahan) and no controls."""
    page = open_page(browser, width)
    page.goto(big_kelurahan.as_uri())
    assert page.locator("#groups tbody tr").count() == 25
    assert page.locator("#groups thead th").nth(1).is_hidden()
    page.emulate_media(media="print")
    assert page.locator(".filters, .sort-choice, .pager ul, section[aria-labelledby=analysis]").evaluate_all(
        "nodes => nodes.filter(n => n.getClientRects().length).length") == 0
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    page.context.close()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert re.search(rb"/MediaBox\s*\[\s*0 0 59[45]\.\d+ 841\.\d+", pdf)  # A4 portrait, in points
