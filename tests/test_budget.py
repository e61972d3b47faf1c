"""Pages within budget at any size (DESIGN §5): no HTML page over 200 KB, and every group reachable from the
home page by links (the home page, the areas, their numbered pages)."""

from __future__ import annotations

import re
from pathlib import Path

from bench.synthetic import write_programme
from ksm_site.engine.build import build
from ksm_site.site.limits import PAGE_BUDGET, Limits

from conftest import TODAY

BUDGET = PAGE_BUDGET
HREF = re.compile(r'href="([^"#?]+\.html)"')


def reachable(out: Path, start: str = "index.html") -> set[str]:
    """Every page reached from ``start`` by following links, as paths relative to ``out``."""
    seen, todo = {start}, [start]
    while todo:
        page = todo.pop()
        folder = (out / page).parent
        for href in HREF.findall((out / page).read_text(encoding="utf-8")):
            target = (folder / href).resolve()
            try:
                relpath = str(target.relative_to(out.resolve()))
            except ValueError:
                continue  # off the site (the base address of canonical links)
            if relpath not in seen and target.is_file():
                seen.add(relpath)
                todo.append(relpath)
    return seen


def test_a_programme_too_big_for_one_table_keeps_every_page_small_and_every_group_reachable(tmp_path):
    """300 groups, tables of at most 100 rows: the home page lists none, area tables go to later pages."""
    content = write_programme(tmp_path / "content", 300, seed=4)
    out = tmp_path / "out"
    built, _ = build(str(content), str(out), TODAY, jobs=2, cache_dir=str(tmp_path / "cache"))
    pages = {str(p.relative_to(out)): p.stat().st_size for p in out.rglob("*.html")}
    assert max(pages.values()) <= BUDGET, max(pages.items(), key=lambda item: item[1])
    assert any("/halaman-" in p for p in pages)  # a table long enough to be split
    groups = {f"kelompok/{group_id}/index.html" for group_id in built.groups}
    assert groups <= reachable(out)
    assert "kelompok/" not in (out / "index.html").read_text()  # the home page lists no group


def test_numbered_pages_list_each_group_of_an_area_once_in_order(tmp_path):
    content = write_programme(tmp_path / "content", 40, seed=4)
    out = tmp_path / "out"
    build(str(content), str(out), TODAY, jobs=1, limits=Limits(table_rows=7))
    kota = next(p for p in (out / "wilayah").iterdir() if p.is_dir())
    listed = []
    for n in range(1, 100):
        page = kota / ("index.html" if n == 1 else f"halaman-{n}.html")
        if not page.exists():
            break
        rows = re.findall(r'<th scope="row" data-sort="[^"]*"><a href="([^"]+)"', page.read_text())
        assert 0 < len(rows) <= 7
        listed += rows
    assert n > 2 and len(listed) == len(set(listed))
    total = int(re.search(r'id="all-groups">[^<]*<span class="muted">\((\d+)\)', (kota / "index.html").read_text())[1])
    assert len(listed) == total


def test_tree_depth_lists_the_levels_that_fit():
    limits = Limits(tree_entries=100)
    assert limits.tree_depth((2, 20, 78)) == 3
    assert limits.tree_depth((2, 20, 79)) == 2
    assert limits.tree_depth((20, 81, 400)) == 1
    assert limits.tree_depth((101, 900, 9000)) == 1  # the kota are always listed


def test_the_areas_page_lists_fewer_levels_as_the_programme_grows_and_every_area_stays_reachable(tmp_path):
    content = write_programme(tmp_path / "content", 120, seed=4)
    for entries, kelurahan_listed in ((10_000, True), (10, False)):
        out = tmp_path / f"out-{entries}"
        built, _ = build(str(content), str(out), TODAY, jobs=1, limits=Limits(tree_entries=entries))
        areas = {str(p.relative_to(out)) for p in (out / "wilayah").rglob("index.html")}
        links = [link[len("../wilayah/"):] for link in HREF.findall((out / "wilayah/index.html").read_text())
                 if link.startswith("../wilayah/")]
        assert any(link.count("/") == 3 for link in links) == kelurahan_listed  # kota/kecamatan/kelurahan/index.html
        assert any(link.count("/") == 1 for link in links)  # the kota, always
        assert ("Halaman setiap kecamatan memuat daftar kelurahan/desanya." in (out / "wilayah/index.html").read_text()) \
            != kelurahan_listed
        assert areas <= reachable(out)
