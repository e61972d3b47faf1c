"""A rebuild with the cache equals a clean build, byte for byte, whatever changed (DESIGN §8).

Each test builds a small synthetic programme (bench/synthetic.py) into an
output folder with a cache, changes something, builds again into the same
folder with the same cache, and compares the whole tree with a clean build
(new folder, new cache) of the changed content. The changes cover the
group files (edit, rename, delete, add), the settings, the templates, and
each programme-wide value a group page depends on: the as-of date, the
first year of the shared time axis, the area slugs (through a collision)
and the languages. Other tests show what a rebuild does *not* redo.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shutil
from pathlib import Path

import pytest

from bench.synthetic import write_programme
from ksm_site import pipeline, render, search

from conftest import TODAY, files_under

GROUPS = 24
_counter = itertools.count()


def build(content: Path, out: Path, cache: Path | None, **kwargs):
    kwargs.setdefault("jobs", 1)
    return pipeline.build(str(content), str(out), TODAY, cache_dir=str(cache) if cache else None, **kwargs)


def clean_build(content: Path, tmp: Path, **kwargs) -> dict[str, bytes]:
    """A build of ``content`` into a new folder with a new cache: what an incremental build must equal."""
    n = next(_counter)
    build(content, tmp / f"clean-{n}", tmp / f"clean-cache-{n}", **kwargs)
    return files_under(tmp / f"clean-{n}")


def group_files(content: Path) -> list[Path]:
    return sorted(p for p in (content / "groups").rglob("*") if p.is_file())


def with_assessments(content: Path) -> list[Path]:
    return [p for p in group_files(content) if "tanggal:" in p.read_text()]


def replace(path: Path, pattern: str, new: str) -> None:
    """Replace the first match of ``pattern`` in the file (which must match)."""
    text = path.read_text()
    changed, count = re.subn(pattern, new, text, count=1, flags=re.M)
    assert count == 1, (path, pattern)
    path.write_text(changed)


@pytest.fixture
def programme(tmp_path):
    """A built programme: (content, out, cache) with the cache and the output warm."""
    content = write_programme(tmp_path / "content", GROUPS, seed=7)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache)
    return content, out, cache


# --- the changes ------------------------------------------------------------------------


def edit_a_level(content: Path) -> None:
    path = with_assessments(content)[0]
    replace(path, r"^(      pertemuan_rutin: )(\d)", lambda m: m.group(1) + str(3 - int(m.group(2))))


def edit_a_name(content: Path) -> None:
    replace(group_files(content)[3], r"^nama: .*$", "nama: KSM Nama Baru")


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


def change_the_rubric(content: Path) -> None:
    replace(content / "rubric.yaml", r"^(    skor_min: )50$", r"\g<1>55")
    replace(content / "rubric.yaml", r"Routine meetings", "Regular meetings")


def change_the_site_title(content: Path) -> None:
    replace(content / "site.yaml", r"^(  en: )KSM Development in Madiun$", r"\1KSM Development")


def drop_a_language(content: Path) -> None:
    replace(content / "site.yaml", r"^bahasa: \[id, en\]$", "bahasa: [id]")


def move_the_as_of_date(content: Path) -> None:
    """A new assessment after every other date: every page shows the as-of date."""
    path = with_assessments(content)[1]
    text = path.read_text()
    first = re.search(r"^  - tanggal: .*?(?=^  - tanggal: |^---|\Z)", text, flags=re.M | re.S).group(0)
    newest = re.sub(r"tanggal: \S+", "tanggal: 2025-06-30", first, count=1)
    replace(path, r"^penilaian:\n", "penilaian:\n" + newest.replace("\\", "\\\\"))


def move_the_first_year(content: Path) -> None:
    """A group formed before every other: the progression charts' shared axis starts earlier."""
    replace(group_files(content)[4], r"^dibentuk: \S+$", "dibentuk: 2005-02-01")


def make_two_areas_share_a_slug(content: Path) -> None:
    """'Suko Rejo' sorts before 'Suko-Rejo'; both make 'suko-rejo', so the second becomes 'suko-rejo-2'."""
    newcomer = group_files(content)[0]
    target = newcomer.with_name("ksm-suko-rejo-baru" + newcomer.suffix)
    target.write_text(re.sub(r"^(  kelurahan: ).*$", r"\1Suko Rejo", newcomer.read_text(), count=1, flags=re.M))


CHANGES = [edit_a_level, edit_a_name, rename_a_group, delete_a_group, add_a_group, change_the_rubric,
           change_the_site_title, drop_a_language, move_the_as_of_date, move_the_first_year]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__)
def test_rebuild_after_a_change_equals_a_clean_build(programme, tmp_path, change):
    content, out, cache = programme
    before = files_under(out)
    change(content)
    build(content, out, cache)
    after = files_under(out)
    assert after != before, "the change must show in the site, or this test proves nothing"
    assert after == clean_build(content, tmp_path)


def test_a_slug_collision_renames_the_other_area_everywhere(tmp_path):
    content = write_programme(tmp_path / "content", GROUPS, seed=7)
    old = group_files(content)[0]
    replace(old, r"^(  kelurahan: ).*$", r"\1Suko-Rejo")
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache)
    old_page = next(p for p in files_under(out)
                    if old.stem in p and p.startswith("kelompok/") and p.endswith("/index.html"))
    assert b"/suko-rejo/index.html" in files_under(out)[old_page]
    make_two_areas_share_a_slug(content)
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
    """A copy of templates/ that a test may edit, used by every build in the test."""
    folder = tmp_path / "templates"
    shutil.copytree(render.TEMPLATES, folder)
    monkeypatch.setattr(render, "TEMPLATES", str(folder))
    render.environment.cache_clear()
    yield folder
    render.environment.cache_clear()


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
    """The story shows on the group's pages only: its aggregate pages' keys must not change."""
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
    assert 0 < built.pages <= 2 * 6  # index, warnings, areas, kota, kecamatan, kelurahan; per language


def test_moving_the_as_of_date_renders_every_group(programme):
    """Every group page shows the as-of date (and judges warnings at it), so every one is rendered."""
    content, out, cache = programme
    move_the_as_of_date(content)
    built, _ = build(content, out, cache)
    assert built.rendered == len(built.groups) == GROUPS


def test_a_cached_build_equals_an_uncached_one_at_any_job_count(tmp_path, monkeypatch):
    content = write_programme(tmp_path / "content", GROUPS, seed=11)
    monkeypatch.setattr(pipeline, "POOL_MIN_GROUPS", 4)
    build(content, tmp_path / "plain", None, jobs=1)
    build(content, tmp_path / "cached", tmp_path / "cache", jobs=2)
    build(content, tmp_path / "again", tmp_path / "cache", jobs=2)
    plain = files_under(tmp_path / "plain")
    assert files_under(tmp_path / "cached") == plain == files_under(tmp_path / "again")


def counting_indexer(monkeypatch) -> list[search.Run]:
    """Record every Pagefind run of the builds that follow (and still make it)."""
    calls: list[search.Run] = []
    real = search.Indexing.__init__

    def start(self, runs, *args):
        calls.extend(runs)
        real(self, runs, *args)

    monkeypatch.setattr(search.Indexing, "__init__", start)
    return calls


def test_a_level_edit_reuses_the_search_index(programme, monkeypatch, tmp_path):
    """A search entry holds names, areas and stories, nothing an assessment moves: Pagefind does not run."""
    content, out, cache = programme
    calls = counting_indexer(monkeypatch)
    edit_a_level(content)
    build(content, out, cache)
    assert calls == []
    assert files_under(out) == clean_build(content, tmp_path)


def test_a_story_edit_makes_the_search_index_again(programme, monkeypatch):
    content, out, cache = programme
    calls = counting_indexer(monkeypatch)
    path = next(p for p in group_files(content) if p.suffix == ".md")
    path.write_text(path.read_text() + "\nKata yang dicari: ubinanlangka.\n")
    build(content, out, cache)
    assert sorted(run.lang for run in calls) == ["en", "id"]  # the group's entry in each language


def test_a_language_of_up_to_one_part_s_entries_has_one_part_and_a_bigger_one_smaller_parts():
    """Up to ``ONE_PART`` entries, one bundle, indexed beside round 3; above, parts of at most ``PART``
    entries (so at most ``PART`` entries in one Pagefind process), indexed one at a time after it."""
    assert search.parts_for(1) == search.parts_for(search.ONE_PART) == 1
    assert search.PART < search.ONE_PART
    assert search.parts_for(search.ONE_PART + 1) == -(-(search.ONE_PART + 1) // search.PART) == 2
    assert search.parts_for(102_220) == 9  # 100,000 synthetic groups and their areas, in one language
    assert search.alongside(1) and not search.alongside(2)


def test_a_search_index_in_parts_makes_again_only_the_runs_of_what_changed(tmp_path, monkeypatch):
    """With more entries than a part holds, the index comes in parts (each its own bundle, merged by
    the search page); an edit makes again only its entries' runs, and the site equals a clean build."""
    monkeypatch.setattr(search, "ONE_PART", 10)
    monkeypatch.setattr(search, "PART", 10)
    content = write_programme(tmp_path / "content", GROUPS, seed=7)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache)
    site = files_under(out)
    parts = 1 + sum(1 for name in site if re.fullmatch(r"pagefind/part-\d+/pagefind-entry\.json", name))
    assert parts >= 3
    assert f'data-bundles="../pagefind/part-2/' in site["cari/index.html"].decode()
    calls = counting_indexer(monkeypatch)
    path = next(p for p in group_files(content) if p.suffix == ".md")
    path.write_text(path.read_text() + "\nKata yang dicari: ubinanlangka.\n")
    build(content, out, cache)
    assert 1 <= len(calls) <= 2 < 2 * parts
    assert files_under(out) == clean_build(content, tmp_path)


def test_a_rebuild_reads_only_the_group_files_whose_stat_changed(programme, monkeypatch, tmp_path):
    """A file's size, mtime, inode and ctime as an earlier build saw them stand for its bytes; only a
    file modified more than ``SETTLED_NS`` before that build started is trusted so (Git's rule)."""
    content, out, cache = programme
    reads: list[str] = []
    real = pipeline.read_text
    monkeypatch.setattr(pipeline, "read_text", lambda path, problems: reads.append(path) or real(path, problems))
    build(content, out, cache)
    assert len(reads) == GROUPS  # every file was written just now: none is settled enough to be trusted

    monkeypatch.setattr(pipeline, "SETTLED_NS", -10**15)  # as if every file had been written long ago
    build(content, out, cache)
    reads.clear()
    build(content, out, cache)
    assert reads == []
    edit_a_level(content)
    build(content, out, cache)
    assert set(reads) == {str(with_assessments(content)[0])}  # to hash it, and again to parse it
    assert files_under(out) == clean_build(content, tmp_path)


def test_big_tables_come_in_kept_pieces_and_an_edit_reads_the_rows_of_one_piece(tmp_path, monkeypatch):
    """A table of at least ``KEPT_TABLE`` rows is placed in pieces that the cache keeps: after an edit,
    the home page (every group) is made again from its kept pieces and the rows of the one that changed."""
    monkeypatch.setattr(pipeline, "KEPT_TABLE", 8)
    monkeypatch.setattr(render.PlacedRows, "PIECE", 4)
    content = write_programme(tmp_path / "content", GROUPS, seed=7)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache, jobs=2)  # the pieces are made in workers and reach the cache through files
    assert files_under(out) == clean_build(content, tmp_path, jobs=2)
    assert not (out / pipeline.PIECES).exists()
    for name in ("content", "out", "cache"):
        shutil.copytree(tmp_path / name, tmp_path / "copy" / name, symlinks=True)
    read: list[str] = []
    real = pipeline._rows

    def rows(ids, keys, lang):
        read.extend(ids)
        return real(ids, keys, lang)

    def edit_and_count(root: Path) -> int:
        read.clear()
        edit_a_level(root / "content")
        build(root / "content", root / "out", root / "cache")
        return len(read)

    monkeypatch.setattr(pipeline, "_rows", rows)
    kept = edit_and_count(tmp_path)
    monkeypatch.setattr(pipeline, "KEPT_TABLE", 10 ** 9)
    every = edit_and_count(tmp_path / "copy")
    monkeypatch.setattr(pipeline, "_rows", real)
    # in each language the home page read 4 rows instead of all 24 (and big area tables read less too)
    assert every - kept >= 2 * (GROUPS - 4)
    assert files_under(out) == files_under(tmp_path / "copy" / "out") == clean_build(content, tmp_path)


def test_facts_and_entries_come_in_bundles_and_an_edit_reads_one_bundle_entry_by_entry(tmp_path, monkeypatch):
    """A build keeps the groups' facts and entries in ``BUNDLES`` rows too; after a level edit every
    group outside the edited group's bundle comes from a bundle, equal to what is kept on its own."""
    monkeypatch.setattr(pipeline, "BUNDLES", 4)
    content = write_programme(tmp_path / "content", GROUPS, seed=5)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache)
    edited = with_assessments(content)[0]
    edited_id = str(edited.relative_to(content / "groups").with_suffix(""))
    found: dict[str, dict] = {"facts": {}, "entry": {}}
    real = pipeline._Run._bundled

    def bundled(self, kind, members, decode):
        bundles, values = real(self, kind, members, decode)
        found[kind].update((key, value) for _, held in bundles.values() if held for key, value in held.items())
        return bundles, values

    monkeypatch.setattr(pipeline._Run, "_bundled", bundled)
    edit_a_level(content)
    built, _ = build(content, out, cache)
    assert (built.parsed, built.rendered) == (1, 1)
    ids = [str(p.relative_to(content / "groups").with_suffix("")) for p in group_files(content)]
    apart = [i for i in ids if pipeline._bundle_of(i) == pipeline._bundle_of(edited_id)]
    kept = pipeline.Cache(str(cache))
    try:
        for kind, values in found.items():
            assert len(values) == GROUPS - len(apart) > 0, kind
            assert kept.get(values) == values, kind  # each as its own (pickled) entry holds it
    finally:
        kept.close(record=False)
    assert files_under(out) == clean_build(content, tmp_path)
