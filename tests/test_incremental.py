"""A rebuild with the cache equals a clean build, byte for byte, whatever changed (DESIGN §6, §8).

Each test builds a small synthetic programme (bench/synthetic.py) into an
output folder with a cache, changes something, builds again into the same
folder with the same cache, and compares the whole tree with a clean build
(new folder, new cache) of the changed content.

``DECLARED`` names, for every input that every kind of page declares
(``site/registry.py``), a change that moves it; a test checks that the table
covers them all, so a kind or an input added without a change here fails.
For each change, the kinds that declare what it moves are made again
(``Built.made``) and the site equals a clean build. Other tests show what a
rebuild does *not* redo.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import re
import shutil
from pathlib import Path

import pytest

from bench.synthetic import write_programme
from ksm_site.content.read import read_content
from ksm_site.domain.analyse import extent_of, facts_of
from ksm_site.domain.score import score_group
from ksm_site.engine.build import build as build_site
from ksm_site.engine.bundles import bundle_of
from ksm_site.engine.tuning import Tuning
from ksm_site.site import templates, theme
from ksm_site.site.registry import REGISTRY
from ksm_site.site.limits import Limits

from conftest import TODAY, files_under

GROUPS = 24
_counter = itertools.count()


PAGED = Limits(table_rows=4, tree_entries=6)
"""Tables of groups of at most 4 rows: the synthetic programmes' areas get numbered pages; the areas page
lists the 6 areas of the fixture's programme, and fewer levels once it has more."""


def build(content: Path, out: Path, cache: Path | None, **kwargs):
    kwargs.setdefault("jobs", 1)
    kwargs.setdefault("limits", PAGED)
    return build_site(str(content), str(out), TODAY, cache_dir=str(cache) if cache else None, **kwargs)


def clean_build(content: Path, tmp: Path, **kwargs) -> dict[str, bytes]:
    """A build of ``content`` into a new folder with a new cache: what an incremental build must equal."""
    n = next(_counter)
    build(content, tmp / f"clean-{n}", tmp / f"clean-cache-{n}", **kwargs)
    return files_under(tmp / f"clean-{n}")


def group_files(content: Path) -> list[Path]:
    return sorted(p for p in (content / "groups").rglob("*") if p.is_file())


def with_assessments(content: Path) -> list[Path]:
    return [p for p in group_files(content) if "tanggal:" in p.read_text()]


def replace(path: Path, pattern: str, new, count: int = 1) -> None:
    """Replace the first ``count`` matches of ``pattern`` in the file (which must match)."""
    text = path.read_text()
    changed, found = re.subn(pattern, new, text, count=count, flags=re.M)
    assert found >= 1, (path, pattern)
    path.write_text(changed)


@pytest.fixture
def programme(tmp_path):
    """A built programme: (content, out, cache) with the cache and the output warm."""
    content = write_programme(tmp_path / "content", GROUPS, seed=7)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache)
    return content, out, cache


# --- the changes ------------------------------------------------------------------------
# Each changes the content in place; one that changes a build option instead returns the options.


def edit_a_level(content: Path) -> None:
    path = with_assessments(content)[0]
    replace(path, r"^(      pertemuan_rutin: )(\d)", lambda m: m.group(1) + str(3 - int(m.group(2))))


def edit_a_name(content: Path) -> None:
    replace(group_files(content)[3], r"^nama: .*$", "nama: KSM Nama Baru")


def edit_a_story(content: Path) -> None:
    path = next(p for p in group_files(content) if p.suffix == ".md")
    path.write_text(path.read_text() + "\nKata yang dicari: ubinanlangka.\n")


def rename_a_group(content: Path) -> None:
    path = group_files(content)[5]
    target = content / "groups" / "dipindah" / "ke-sini" / ("ksm-baru" + path.suffix)
    target.parent.mkdir(parents=True)
    path.rename(target)


def delete_a_group(content: Path) -> None:
    group_files(content)[2].unlink()


def add_a_group(content: Path) -> None:
    source = group_files(content)[0]
    target = source.with_name("ksm-tambahan" + source.suffix)
    target.write_text(re.sub(r"^nama: .*$", "nama: KSM Tambahan", source.read_text(), count=1, flags=re.M))


def add_a_group_in_a_new_kota(content: Path) -> None:
    source = group_files(content)[0]
    target = content / "groups" / "kota-baru" / "baru" / ("ksm-baru" + source.suffix)
    target.parent.mkdir(parents=True)
    target.write_text(re.sub(r"^(  kota: ).*$", r"\1Kota Baru", source.read_text(), count=1, flags=re.M))


def rename_a_kelurahan(content: Path) -> None:
    replace(group_files(content)[6], r"^(  kelurahan: ).*$", r"\1Kelurahan Baru")


def warned(content: Path) -> list[Path]:
    """The files of the groups that carry a warning, as the build judges them."""
    checked = read_content(str(content), TODAY)
    as_of = extent_of([facts_of(g) for g in checked.groups], None).as_of
    ids = {g.id for g in checked.groups if score_group(g, checked.rubric, as_of).warnings}
    return [p for p in group_files(content) if str(p.relative_to(content / "groups").with_suffix("")) in ids]


def dissolve_a_warned_group(content: Path) -> None:
    """A group that carries a warning dissolves on its last assessment: the stage counts of its areas and
    the programme change, and it leaves the warnings."""
    path = next(p for p in warned(content) if "tanggal:" in p.read_text() and "\nbubar:" not in p.read_text())
    last = max(re.findall(r"tanggal: (\S+)", path.read_text()))
    replace(path, r"^(dibentuk: .*)$", rf"\1\nbubar: {last}")


def rename_a_warned_group(content: Path) -> None:
    replace(warned(content)[0], r"^nama: .*$", "nama: KSM Berganti Nama")


def change_the_rubric(content: Path) -> None:
    replace(content / "rubric.yaml", r"^(    skor_min: )50$", r"\g<1>55")
    replace(content / "rubric.yaml", r"Routine meetings", "Regular meetings")


def change_the_site_title(content: Path) -> None:
    replace(content / "site.yaml", r"^(  en: )KSM Development in Madiun$", r"\1KSM Development")


def drop_a_language(content: Path) -> None:
    replace(content / "site.yaml", r"^bahasa: \[id, en\]$", "bahasa: [id]")


def move_the_as_of_date(content: Path) -> None:
    """A new assessment after every other date: every page shows the as-of date."""
    path = next(p for p in with_assessments(content) if "\nbubar:" not in p.read_text())
    text = path.read_text()
    first = re.search(r"^  - tanggal: .*?(?=^  - tanggal: |^---|\Z)", text, flags=re.M | re.S).group(0)
    newest = re.sub(r"tanggal: \S+", "tanggal: 2025-06-30", first, count=1)
    replace(path, r"^penilaian:\n", "penilaian:\n" + newest.replace("\\", "\\\\"))


def move_the_first_year(content: Path) -> None:
    """A group formed before every other: the progression charts' shared axis starts earlier, the timeline
    has more periods and the survival chart a longer span."""
    replace(group_files(content)[4], r"^dibentuk: \S+$", "dibentuk: 2005-02-01")


def make_two_areas_share_a_slug(content: Path) -> None:
    """'Suko Rejo' sorts before 'Suko-Rejo'; both make 'suko-rejo', so the second becomes 'suko-rejo-2'."""
    old = group_files(content)[0]
    replace(old, r"^(  kelurahan: ).*$", r"\1Suko-Rejo")
    target = old.with_name("ksm-suko-rejo-baru" + old.suffix)
    target.write_text(re.sub(r"^(  kelurahan: ).*$", r"\1Suko Rejo", old.read_text(), count=1, flags=re.M))


def split_the_search_index(content: Path) -> dict:
    """A build option, not content: a search index in parts of 10 entries."""
    return {"limits": Limits(table_rows=4, search_one_part=10, search_part=10)}


SETTINGS = [change_the_rubric, change_the_site_title, drop_a_language]
"""Changes that every kind depends on: the rubric, the site settings (the templates: see below)."""

CHANGES = [edit_a_level, edit_a_name, edit_a_story, rename_a_group, delete_a_group, add_a_group,
           move_the_as_of_date, move_the_first_year, *SETTINGS]

DECLARED = {
    ("group", "group"): edit_a_level,
    ("group", "slugs"): make_two_areas_share_a_slug,
    ("group", "as_of"): move_the_as_of_date,
    ("group", "axis"): move_the_first_year,
    **{(kind, field): change for kind in ("index", "area") for field, change in (
        ("area", dissolve_a_warned_group), ("children", dissolve_a_warned_group), ("groups", edit_a_name),
        ("table", edit_a_name), ("pages", add_a_group), ("as_of", move_the_as_of_date),
        ("periods", move_the_first_year), ("survival_years", move_the_first_year))},
    ("area table", "area"): dissolve_a_warned_group,
    ("area table", "page"): add_a_group,
    ("area table", "pages"): add_a_group,
    ("area table", "table"): edit_a_name,
    ("area table", "as_of"): move_the_as_of_date,
    ("warnings", "warned"): dissolve_a_warned_group,
    ("warnings", "counts"): dissolve_a_warned_group,
    ("warnings", "rows"): rename_a_warned_group,
    ("warnings", "kota"): dissolve_a_warned_group,
    ("warnings", "as_of"): move_the_as_of_date,
    ("areas", "areas"): dissolve_a_warned_group,
    ("areas", "whole"): add_a_group_in_a_new_kota,
    ("areas", "depth"): add_a_group_in_a_new_kota,
    ("areas", "as_of"): move_the_as_of_date,
    ("methodology", "as_of"): move_the_as_of_date,
    ("form", "as_of"): move_the_as_of_date,
    ("search", "parts"): split_the_search_index,
    ("search", "as_of"): move_the_as_of_date,
    ("404", "as_of"): move_the_as_of_date,
    ("share image", "counts"): dissolve_a_warned_group,
    ("share image", "as_of"): move_the_as_of_date,
    ("data files", "as_of"): move_the_as_of_date,
    ("data files", "shares"): edit_a_level,
    ("spreadsheet", "names"): rename_a_kelurahan,
    ("spreadsheet", "slugs"): make_two_areas_share_a_slug,
    ("spreadsheet", "shares"): edit_a_level,
    ("area entry", "names"): rename_a_kelurahan,
    ("area entry", "slugs"): make_two_areas_share_a_slug,
    ("sitemap", "paths"): add_a_group,
    ("search index", "parts"): split_the_search_index,
    ("search index", "entries"): edit_a_story,
}
"""(kind, declared input) -> a change that moves that input."""

def test_every_declared_input_of_every_kind_has_a_change():
    declared = {(kind.name, field.name) for kind in REGISTRY for field in dataclasses.fields(kind.inputs)}
    assert declared == set(DECLARED)


@pytest.mark.parametrize("change", sorted(set(DECLARED.values()), key=lambda f: f.__name__),
                         ids=lambda f: f.__name__)
def test_a_change_of_a_declared_input_makes_its_kinds_again_and_equals_a_clean_build(programme, tmp_path, change):
    content, out, cache = programme
    before = files_under(out)
    options = change(content) or {}
    built, _ = build(content, out, cache, **options)
    after = files_under(out)
    assert after != before, "the change must show in the site, or this test proves nothing"
    kinds = sorted({kind for (kind, _), moved in DECLARED.items() if moved is change})
    assert all(built.made.get(kind, 0) >= 1 for kind in kinds), (kinds, built.made)
    assert after == clean_build(content, tmp_path, **options)


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__)
def test_rebuild_after_a_change_equals_a_clean_build(programme, tmp_path, change):
    content, out, cache = programme
    before = files_under(out)
    change(content)
    built, _ = build(content, out, cache)
    after = files_under(out)
    assert after != before, "the change must show in the site, or this test proves nothing"
    assert after == clean_build(content, tmp_path)
    if change in SETTINGS:
        assert all(built.made.get(kind.name, 0) >= 1 for kind in REGISTRY if kind.name != "search index")


def test_a_slug_collision_renames_the_other_area_everywhere(tmp_path):
    content = write_programme(tmp_path / "content", GROUPS, seed=7)
    old = group_files(content)[0]
    replace(old, r"^(  kelurahan: ).*$", r"\1Suko-Rejo")
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache)
    old_page = next(p for p in files_under(out)
                    if old.stem in p and p.startswith("kelompok/") and p.endswith("/index.html"))
    assert b"/suko-rejo/index.html" in files_under(out)[old_page]
    target = old.with_name("ksm-suko-rejo-baru" + old.suffix)
    target.write_text(re.sub(r"^(  kelurahan: ).*$", r"\1Suko Rejo", old.read_text(), count=1, flags=re.M))
    build(content, out, cache)
    after = files_under(out)
    assert b"/suko-rejo-2/index.html" in after[old_page]  # a page of a group whose file did not change
    assert after == clean_build(content, tmp_path)


@pytest.mark.parametrize("first, second", [
    (None, dt.date(2025, 3, 1)),  # later than every date: the time axis moves too
    (dt.date(2023, 6, 30), dt.date(2023, 1, 31)),  # earlier than the latest date: only the as-of date moves
])
def test_as_of_option_change_equals_a_clean_build(tmp_path, first, second):
    content = write_programme(tmp_path / "content", GROUPS, seed=7)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache, as_of=first)
    before = files_under(out)
    build(content, out, cache, as_of=second)
    assert files_under(out) != before
    assert files_under(out) == clean_build(content, tmp_path, as_of=second)


@pytest.fixture
def own_templates(tmp_path, monkeypatch):
    """A copy of templates/ that a test may edit, used by every build in the test (``theme.TEMPLATES``
    is where the site's templates are)."""
    folder = tmp_path / "templates"
    shutil.copytree(theme.TEMPLATES, folder)
    monkeypatch.setattr(theme, "TEMPLATES", str(folder))
    templates.environment.cache_clear()
    yield folder
    templates.environment.cache_clear()


@pytest.mark.parametrize("template, old, new", [
    ("group.html", '<article class="group">', '<article class="group kelompok">'),
    ("base.html", '<a class="skip" href="#main">', '<a class="skip" href="#main" tabindex="0">'),
    ("macros.html", '<span class="warn">', '<span class="warn peringatan">'),
    ("static/style.css", "", "/* changed */\n"),
])
def test_rebuild_after_a_template_change_equals_a_clean_build(tmp_path, own_templates, template, old, new):
    content = write_programme(tmp_path / "content", GROUPS, seed=7)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache)
    before = files_under(out)
    path = own_templates / template
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1) if old else new + text)
    build(content, out, cache)
    after = files_under(out)
    assert after != before
    assert after == clean_build(content, tmp_path)


# --- what a rebuild does not redo --------------------------------------------------------


def test_a_rebuild_of_unchanged_content_renders_and_writes_nothing(programme):
    content, out, cache = programme
    mtimes = {p: os.stat(out / p).st_mtime_ns for p in files_under(out)}
    built, stats = build(content, out, cache)
    assert (built.parsed, built.rendered, built.pages, stats.written) == (0, 0, 0, 0)
    assert stats.unchanged == len(mtimes)
    assert {p: os.stat(out / p).st_mtime_ns for p in files_under(out)} == mtimes


def test_a_story_edit_renders_one_group_and_no_other_page(programme):
    """The story shows on the group's pages only: no other page's inputs change."""
    content, out, cache = programme
    path = next(p for p in group_files(content) if p.suffix == ".md")
    path.write_text(path.read_text() + "\nCerita tambahan.\n")
    before = files_under(out)
    built, _ = build(content, out, cache)
    assert (built.parsed, built.rendered, built.pages) == (1, 1, 0)
    after = files_under(out)
    changed = [p for p in after if not p.startswith("pagefind/") and before.get(p) != after[p]]
    assert len(changed) == 2  # the group's page in each language (and the search index, which holds the story)


def test_a_level_edit_renders_one_group_and_the_pages_that_show_it(programme):
    content, out, cache = programme
    edit_a_level(content)
    built, stats = build(content, out, cache)
    assert (built.parsed, built.rendered) == (1, 1)
    # index, warnings, areas, kota, kecamatan, kelurahan, and the later page of each area that lists the
    # group; per language
    assert 0 < built.pages <= 2 * 9


def test_moving_the_as_of_date_renders_every_group(programme):
    """Every group page shows the as-of date (and judges warnings at it), so every one is rendered."""
    content, out, cache = programme
    move_the_as_of_date(content)
    built, _ = build(content, out, cache)
    assert built.rendered == len(built.groups) == GROUPS


def test_a_cached_build_equals_an_uncached_one_at_any_job_count(tmp_path):
    content = write_programme(tmp_path / "content", GROUPS, seed=11)
    pool = Tuning(pool_min=4)
    build(content, tmp_path / "plain", None, jobs=1)
    build(content, tmp_path / "cached", tmp_path / "cache", jobs=2, tuning=pool)
    build(content, tmp_path / "again", tmp_path / "cache", jobs=2, tuning=pool)
    plain = files_under(tmp_path / "plain")
    assert files_under(tmp_path / "cached") == plain == files_under(tmp_path / "again")


def test_a_level_edit_reuses_the_search_index(programme, tmp_path):
    """A search entry holds names, areas and stories, nothing an assessment moves: Pagefind does not run."""
    content, out, cache = programme
    edit_a_level(content)
    built, _ = build(content, out, cache)
    assert built.search_runs == ()
    assert files_under(out) == clean_build(content, tmp_path)


def test_a_story_edit_makes_the_search_index_again(programme):
    content, out, cache = programme
    edit_a_story(content)
    built, _ = build(content, out, cache)
    assert sorted(run.lang for run in built.search_runs) == ["en", "id"]  # the group's entry in each language


def test_a_language_of_up_to_one_part_s_entries_has_one_part_and_a_bigger_one_smaller_parts():
    """Up to ``one_part`` entries, one bundle; above, parts of at most ``part`` entries (so at most that
    many entries in one Pagefind process)."""
    limits = Limits()
    assert limits.search_parts(1) == limits.search_parts(limits.search_one_part) == 1
    assert limits.search_part < limits.search_one_part
    assert limits.search_parts(limits.search_one_part + 1) == -(-(limits.search_one_part + 1) // limits.search_part) == 2
    assert limits.search_parts(102_220) == 9  # 100,000 synthetic groups and their areas, in one language


def test_a_search_index_in_parts_makes_again_only_the_runs_of_what_changed(tmp_path):
    """With more entries than a part holds, the index comes in parts (each its own bundle, merged by
    the search page); an edit makes again only its entries' runs, and the site equals a clean build."""
    small = Limits(table_rows=4, search_one_part=10, search_part=10)
    content = write_programme(tmp_path / "content", GROUPS, seed=7)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache, limits=small)
    site = files_under(out)
    parts = 1 + sum(1 for name in site if re.fullmatch(r"pagefind/part-\d+/pagefind-entry\.json", name))
    assert parts >= 3
    assert 'data-bundles="../pagefind/part-2/' in site["cari/index.html"].decode()
    edit_a_story(content)
    built, _ = build(content, out, cache, limits=small)
    assert 1 <= len(built.search_runs) <= 2 < 2 * parts
    assert files_under(out) == clean_build(content, tmp_path, limits=small)


def test_a_rebuild_reads_only_the_group_files_whose_stat_changed(programme, tmp_path):
    """A file's size, mtime, inode and ctime as an earlier build saw them stand for its bytes; only a
    file modified more than ``Tuning.settled_ns`` before that build started is trusted so (Git's rule)."""
    content, out, cache = programme
    built, _ = build(content, out, cache)
    assert built.read == GROUPS  # every file was written just now: none is settled enough to be trusted
    trusting = Tuning(settled_ns=-10**15)  # as if every file had been written long ago
    build(content, out, cache, tuning=trusting)
    built, _ = build(content, out, cache, tuning=trusting)
    assert built.read == 0
    edit_a_level(content)
    built, _ = build(content, out, cache, tuning=trusting)
    assert built.read == 1 and built.parsed == 1
    assert files_under(out) == clean_build(content, tmp_path)


def test_an_edit_makes_again_only_the_numbered_pages_that_list_the_group(programme, tmp_path):
    """An area's table comes in numbered pages (``Limits.table_rows``): a level edit makes again the later
    pages that list the edited group (at most one an area: its kota, kecamatan and kelurahan), no other."""
    content, out, cache = programme
    assert sum(1 for p in files_under(out) if "/halaman-" in p) > 3  # the fixture's areas have later pages
    edit_a_level(content)
    built, _ = build(content, out, cache)
    assert 0 < built.made.get("area table", 0) <= 3
    assert files_under(out) == clean_build(content, tmp_path)


def test_facts_and_entries_come_in_bundles_and_an_edit_reads_one_bundle_entry_by_entry(tmp_path):
    """A build keeps the groups' facts and entries in ``Tuning.bundles`` rows too; after a level edit every
    group outside the edited group's bundle comes from a bundle, and the site equals a clean build."""
    four = Tuning(bundles=4)
    content = write_programme(tmp_path / "content", GROUPS, seed=5)
    out, cache = tmp_path / "out", tmp_path / "cache"
    cold, _ = build(content, out, cache, tuning=four)
    assert cold.bundled == 0
    edited = with_assessments(content)[0]
    edited_id = str(edited.relative_to(content / "groups").with_suffix(""))
    edit_a_level(content)
    built, _ = build(content, out, cache, tuning=four)
    assert (built.parsed, built.rendered) == (1, 1)
    apart = [i for i in built.groups if bundle_of(i, 4) == bundle_of(edited_id, 4)]
    assert 0 < len(apart) < GROUPS
    assert built.bundled == 2 * (GROUPS - len(apart))  # facts and entries of every group outside its bundle
    assert files_under(out) == clean_build(content, tmp_path)
