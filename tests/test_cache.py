"""The cache and the writer's manifest: what they trust, what they check, what they keep."""

from __future__ import annotations

import gc
import hashlib
import os
import sqlite3

import pytest

from bench.synthetic import write_programme
from ksm_site.commands.cli import main
from ksm_site.engine import cache as cache_module
from ksm_site.engine.build import build as build_site
from ksm_site.engine.manifests import Manifests
from ksm_site.engine.pool import Aside, Pool, WorkerState
from ksm_site.engine.tuning import Tuning
from ksm_site.engine.write import write_site

from conftest import TODAY, files_under

GROUPS = 16


def build(content, out, cache, **kwargs):
    kwargs.setdefault("jobs", 1)
    return build_site(str(content), str(out), TODAY, cache_dir=str(cache) if cache else None, **kwargs)


@pytest.fixture
def built(tmp_path):
    """A programme built once with a cache; and the tree a clean build makes of it."""
    content = write_programme(tmp_path / "content", GROUPS, seed=2)
    build(content, tmp_path / "reference", None)
    build(content, tmp_path / "out", tmp_path / "cache")
    return content, tmp_path / "out", tmp_path / "cache", files_under(tmp_path / "reference")


def test_an_uncached_build_equals_a_cached_one_and_keeps_nothing(built, tmp_path):
    content, out, cache, reference = built
    assert files_under(out) == reference
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "plain"), "--no-cache"]) == 0
    assert files_under(tmp_path / "plain") == reference
    assert sorted(os.listdir(tmp_path)) == sorted([".out.lock", ".out.spare", ".plain.lock", "cache", "content",
                                                   "out", "plain", "reference", ".reference.lock"])


def change_behind_the_builds_back(out, reference) -> None:
    pages = sorted(p for p in reference if p.startswith("kelompok/"))
    with open(out / pages[0], "ab") as f:
        f.write(b"<!-- edited in place -->")  # same inode, new size and mtime
    (out / pages[1]).write_bytes(reference[pages[1]][:-1] + b"?")  # same size
    os.utime(out / pages[1], ns=(1, 1))
    (out / pages[2]).unlink()
    (out / "stray.html").write_bytes(b"not part of the site")


def test_files_changed_behind_the_builds_back_are_put_right(built):
    """The manifest is trusted only while lstat agrees: edits, deletions and strays in the output are found."""
    content, out, cache, reference = built
    change_behind_the_builds_back(out, reference)
    build(content, out, cache)
    assert files_under(out) == reference


@pytest.mark.parametrize("jobs", [1, 2])
def test_files_changed_behind_the_builds_back_are_found_by_a_build_that_renders(built, tmp_path, jobs):
    """With a group to render and a pool, a worker checks the live files while the build reads."""
    content, out, cache, reference = built
    change_behind_the_builds_back(out, reference)
    path = sorted((content / "groups").rglob("*.md"))[-1]  # not a group whose pages were changed
    path.write_text(path.read_text() + "\nTambahan.\n")
    build(content, out, cache, jobs=jobs)
    build(content, tmp_path / "clean", None)
    assert files_under(out) == files_under(tmp_path / "clean")


def test_a_lost_output_folder_is_rebuilt_from_the_cache_without_rendering(built):
    content, out, cache, reference = built
    os.rename(out, str(out) + "-gone")
    result, stats = build(content, out, cache)
    assert (result.rendered, result.pages, stats.written) == (0, 0, len(reference))
    assert files_under(out) == reference


def test_a_lost_spare_or_manifest_costs_time_not_correctness(built):
    content, out, cache, reference = built
    first = sorted(p for p in reference if p.startswith("kelompok/") and p.endswith(".html"))[0]
    path = sorted((content / "groups").rglob("*.md"))[0]
    for damage in ("spare", "manifest"):
        path.write_text(path.read_text() + f"\nTambahan {damage}.\n")
        if damage == "spare":
            __import__("shutil").rmtree(out.parent / ".out.spare")
        else:
            with sqlite3.connect(cache / "cache.sqlite") as db:
                db.execute("DELETE FROM outputs")
        build(content, out, cache)
        build(content, out.parent / f"clean-{damage}", None)
        assert files_under(out) == files_under(out.parent / f"clean-{damage}")
    assert first in files_under(out)


def test_leftovers_of_a_killed_build_are_removed(built):
    content, out, cache, reference = built
    (out.parent / ".out.new-abc123" / "kelompok").mkdir(parents=True)
    (out.parent / ".out.old-def456").mkdir()
    path = sorted((content / "groups").rglob("*.md"))[0]
    path.write_text(path.read_text() + "\nLagi.\n")
    build(content, out, cache)
    assert not [n for n in os.listdir(out.parent) if ".new-" in n or ".old-" in n]


def test_unchanged_files_keep_their_inode_and_mtime_across_rebuilds(built):
    content, out, cache, reference = built
    before = {p: os.stat(out / p) for p in reference}
    path = sorted((content / "groups").rglob("*.md"))[0]
    path.write_text(path.read_text() + "\nSatu kalimat lagi.\n")
    build(content, out, cache)
    after = {p: os.stat(out / p) for p in files_under(out)}
    changed = [p for p in after if p not in before
               or (after[p].st_ino, after[p].st_mtime_ns) != (before[p].st_ino, before[p].st_mtime_ns)]
    pages = [p for p in changed if not p.startswith("pagefind/")]  # the search index follows the pages
    assert len(pages) == 2
    assert all(p.endswith(f"{path.relative_to(content / 'groups').with_suffix('')}/index.html") for p in pages)
    kept = [p for p in after if p.startswith("pagefind/") and p in before and files_under(out)[p] == reference[p]]
    assert kept and all(after[p].st_ino == before[p].st_ino for p in kept)  # unchanged index files are links too


def test_a_broken_cache_file_is_replaced(built):
    content, out, cache, reference = built
    (cache / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        if (cache / f"cache.sqlite{suffix}").exists():
            (cache / f"cache.sqlite{suffix}").unlink()
    build(content, out, cache)
    assert files_under(out) == reference


def test_the_cache_forgets_what_recent_builds_did_not_use(built):
    content, out, cache, reference = built
    eager = Tuning(prune_growth=0)
    path = sorted((content / "groups").rglob("*.md"))[0]
    original = path.read_text()

    def keys() -> set[str]:
        with sqlite3.connect(cache / "cache.sqlite") as db:
            return {k for (k,) in db.execute("SELECT key FROM entries")}

    def blobs() -> set[str]:
        with sqlite3.connect(cache / "cache.sqlite") as db:
            return {d for (d,) in db.execute("SELECT digest FROM blobs")}

    first = keys()
    page = next(p for p in reference if p.endswith(f"{path.relative_to(content / 'groups').with_suffix('')}/index.html"))
    first_page = hashlib.sha256(reference[page]).hexdigest()
    assert first_page in blobs()
    for n in range(cache_module.KEEP_BUILDS + 1):
        path.write_text(original + f"\nVersi {n}.\n")
        build(content, out, cache, tuning=eager)
    gone = first - keys()
    assert gone and all(len(k) >= 64 for k in gone)  # the first version's entries for that group, among others
    assert first_page not in blobs()  # and the bytes of its page
    path.write_text(original)
    result, _ = build(content, out, cache, tuning=eager)
    assert result.rendered == 1  # it was forgotten, so rendered again
    assert files_under(out) == reference


def test_writer_without_a_manifest_links_unchanged_files(tmp_path):
    out = tmp_path / "out"
    write_site({"a.html": b"same", "b.html": b"old"}, str(out))
    inode = os.stat(out / "a.html").st_ino
    stats = write_site({"a.html": b"same", "b.html": b"new"}, str(out))
    assert (stats.written, stats.unchanged) == (1, 1) and os.stat(out / "a.html").st_ino == inode
    assert files_under(out) == {"a.html": b"same", "b.html": b"new"}


def test_the_cache_forgets_only_once_it_has_grown_by_a_quarter(built):
    """An edit adds a few rows and removes none; removal waits until the rows written since the last
    one reach a quarter of the rows there were (each build here writes about a tenth)."""
    content, out, cache, reference = built
    path = sorted((content / "groups").rglob("*.md"))[0]
    original = path.read_text()

    def rows() -> int:
        with sqlite3.connect(cache / "cache.sqlite") as db:
            return db.execute("SELECT (SELECT COUNT(*) FROM entries) + (SELECT COUNT(*) FROM blobs)").fetchone()[0]

    counts = [rows()]
    for n in range(8):
        path.write_text(original + f"\nVersi {n}.\n")
        build(content, out, cache)
        counts.append(rows())
    growing = next(i for i in range(1, len(counts)) if counts[i] <= counts[i - 1])  # the first removal
    assert growing >= 3 and counts[:growing] == sorted(set(counts[:growing]))
    path.write_text(original)
    build(content, out, cache)
    assert files_under(out) == reference


def test_a_manifest_and_a_site_kept_in_rows_read_back_whole(tmp_path):
    """The live output's files, and the list of a site's files, are kept in rows of ``Tuning.cache_rows``;
    read back, they are what was saved, so a rebuild writes only what changed and equals a clean build,
    and content built before is written from the cache alone."""
    small = Tuning(cache_rows=7)
    content = write_programme(tmp_path / "content", GROUPS, seed=2)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache, tuning=small)
    store = cache_module.Cache(str(cache), small)
    try:
        record = Manifests(store, str(out)).load()
        parts = store.db.execute("SELECT COUNT(*) FROM outputs").fetchone()[0]
    finally:
        store.close(record=False)
    files = files_under(out)
    assert sorted(record["live"]["files"]) == sorted(files) and parts == 1 + -(-len(files) // 7)
    path = sorted((content / "groups").rglob("*.md"))[0]
    original = path.read_text()
    path.write_text(original + "\nVersi baru.\n")
    _, stats = build(content, out, cache, tuning=small)
    assert 0 < stats.written < len(files) / 4
    build(content, tmp_path / "reference", None)
    assert files_under(out) == files_under(tmp_path / "reference")
    path.write_text(original)
    result, _ = build(content, out, cache, tuning=small)
    assert (result.parsed, result.rendered, result.pages) == (0, 0, 0) and files_under(out) == files


def test_work_aside_runs_in_a_child_and_reports_a_failure_as_none():
    parent = os.getpid()
    assert Aside(lambda: (os.getpid() != parent, frozenset({"a"}))).result() == (True, frozenset({"a"}))
    assert Aside(lambda: 1 / 0).result() is None
    slow = Aside(lambda: __import__("time").sleep(600))
    pid = slow.pid
    slow.close()  # a build that failed stops it
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped and reaped


def niceness(_: int) -> tuple[int, int]:
    return os.getpid(), os.getpriority(os.PRIO_PROCESS, 0)


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="the system has no nice")
def test_workers_yield_the_cpu_and_the_build_process_keeps_its_priority(tmp_path, rubric):
    """Every worker of the pool runs lower once asked (each reports its own priority; the pool's workers
    are forked at ``start``, so each one that answers was there when the priority was lowered)."""
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    pool = Pool(2, WorkerState(rubric, None, TODAY, str(tmp_path), None, None, Tuning()))
    try:
        pool.start()
        pool.lower_priority(3)
        answers = dict(pool.map(niceness, range(32), 1, 1))
        assert set(answers.values()) == {min(mine + 3, 19)} and os.getpid() not in answers
    finally:
        pool.close()
    assert os.getpriority(os.PRIO_PROCESS, 0) == mine


def test_no_collection_pauses_the_collector_and_puts_back_what_it_found():
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        with cache_module.no_collection():
            assert not gc.isenabled()
            1 / 0
    assert gc.isenabled()  # back on, even after an error
    gc.disable()
    try:
        with cache_module.no_collection():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
