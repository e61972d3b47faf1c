"""A build, fast: the bytes of ``site.make_site``, from a cache and a pool of workers.

A build makes the site in the stages of ``site/registry.py``, each a round
of independent pieces of work run in a process pool (``pool.py``):

1. **Parse** every group file the cache does not hold: read, check, keep
   its ``Group`` and its ``Facts``. Any problem in any file stops the build
   here, before anything is written. From every group's facts: the
   programme-wide values (``Extent``) and the areas' slugs.
2. **Groups**: make every group whose inputs the cache does not hold
   (``site/group.py``): its pages, row, data share and search entry.
3. **The whole**: from the groups' summaries, the programme; then every
   instance of every ``whole`` kind whose inputs the cache does not hold, a
   kota's area pages to one task. Meanwhile the build process makes the
   other pages' search entries and starts Pagefind (``search_runs.py``).
4. **Last**: the sitemap here, and the writer swaps the new site in, taking
   the search index in last (``write.py``).

Every result is kept in the cache (``cache.py``) under a key made of exactly
what made it: a group file's parse under its path and text with the code
and rubric (``keys.py``, ``sources.py``); a page under its kind's declared
inputs with the settings (``site/inputs.key_of``). So an unchanged group
costs no work, and a rebuild makes the pages whose inputs changed. When the
whole content is what an earlier build made, only the writer runs.

Memory: what a piece of work makes goes to the cache (and its files to the
output) as soon as it is done; a worker reads what it needs from the cache
itself; the build process keeps one small summary per group. So 100,000
groups fit in a laptop's memory.

Shards: ``shard=(k, n)`` parses every group but makes only the groups whose
id falls in shard ``k`` of ``n`` (``shards.py``), and exports them as a
bundle; ``merge`` imports every shard's bundle and builds the site, which
then finds every group made. The same keys make the same pages, so merged
shards equal a single build byte for byte.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from ..content.problems import ContentError
from ..site.limits import Limits
from . import shards, write
from .cache import Cache
from .keys import key
from .manifests import Manifests
from .place import unheld
from .pool import Aside, forks
from .sources import read_sources
from .tuning import Tuning
from .write import WriteStats, write_site

if TYPE_CHECKING:
    from ..site.search import Run


@dataclass(frozen=True)
class Built:
    """What a build did: for its report, and for tests that check what a rebuild does not redo."""

    groups: tuple[str, ...]
    """The id of every group in the content."""
    read: int
    """Group files read from disk (the others' digests were known from their stat)."""
    parsed: int = 0
    """Group files parsed (the others' results were in the cache)."""
    rendered: int = 0
    """Groups made (the others' were in the cache)."""
    pages: int = 0
    """Other pages made (HTML files, each language counted)."""
    rows_read: int = 0
    """Table rows the pages made read from the cache (a big table reads only its changed pieces')."""
    bundled: int = 0
    """Groups' facts and entries read from bundles rather than one by one (``bundles.py``)."""
    search_runs: tuple[Run, ...] = ()
    """The Pagefind runs made (the others came from the cache)."""
    made: dict[str, int] = field(default_factory=dict)
    """Instances made (not found in the cache), by kind (``site/registry.py``)."""
    bundle: str | None = None
    """For a shard: the bundle it wrote."""


def build(content_dir: str, out_dir: str, today: dt.date, as_of: dt.date | None = None, jobs: int | None = None,
          cache_dir: str | None = None, shard: tuple[int, int] | None = None, tuning: Tuning = Tuning(),
          limits: Limits = Limits()) -> tuple[Built, WriteStats | None]:
    """Check the content and replace ``out_dir`` with the site (``site.make_site``'s files: ``as_of`` and
    ``limits`` are its); ``cache_dir`` None builds without a cache; ``tuning``: see ``tuning.py``.

    With ``shard=(k, n)``: make shard ``k``'s groups only and write their
    bundle into the cache folder (``Built.bundle``); nothing is written to
    ``out_dir`` and the stats are None.
    """
    with Cache(cache_dir, tuning) as cache:
        run = Build(content_dir, today, as_of, jobs or os.cpu_count() or 1, cache, tuning, limits)
        with run:
            if shard is not None:
                return run.shard(*shard), None
            return run.site(out_dir, keep_manifest=cache_dir is not None)


def merge(bundles: Iterable[str], content_dir: str, out_dir: str, today: dt.date, as_of: dt.date | None = None,
          jobs: int | None = None, cache_dir: str | None = None, tuning: Tuning = Tuning(),
          limits: Limits = Limits()) -> tuple[Built, WriteStats]:
    """Build the site from shard bundles: every shard of one split of this content, each once."""
    with Cache(cache_dir, tuning) as cache:
        metas = [(path, cache.import_bundle(path)) for path in bundles]
        run = Build(content_dir, today, as_of, jobs or os.cpu_count() or 1, cache, tuning, limits)
        with run:
            shards.check(metas, run.fingerprint)
            return run.site(out_dir, keep_manifest=cache_dir is not None)


class Build:
    """One build: its content read, and its stages (``stages.py``) put in order by ``site`` and ``shard``.

    The stages, and all the code that makes pages, are imported only when something is to be made: a
    build that finds its whole site in the cache runs only the writer.
    """

    def __init__(self, content_dir: str, today: dt.date, as_of: dt.date | None, jobs: int, cache: Cache,
                 tuning: Tuning, limits: Limits):
        self.cache, self.today, self.as_of, self.jobs, self.tuning = cache, today, as_of, jobs, tuning
        self.limits = limits
        seen_key = key("seen", os.path.abspath(content_dir))
        known = cache.get([seen_key]).get(seen_key, {})
        self.sources = read_sources(content_dir, known, cache.clock(), tuning.settled_ns)
        if self.sources.seen != known:
            cache.put({seen_key: self.sources.seen})
        if self.sources.settings is None or self.sources.problems:
            raise ContentError(self.sources.problems)
        self.fingerprint = key("content", self.sources.settings.site_key, as_of, limits,
                               tuple(s.key for s in self.sources.groups))
        """Everything the site depends on: settings, code, templates, --as-of, every group file's path and text."""
        self.stages = None
        self.index = None

    def __enter__(self) -> "Build":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self.stages is not None:
            self.stages.close_workers()
        self.cache.finished = value is None
        gc.unfreeze()

    def start_stages(self):
        """The stages of this build (``stages.py``), and the code that makes pages, loaded now."""
        from .stages import Stages

        settings = self.sources.settings
        compiled = None if self.cache.temporary else os.path.join(self.cache.folder, "templates")
        """Where the templates' compiled code is kept (see ``site/templates.py``)."""
        if compiled:
            os.makedirs(compiled, exist_ok=True)
        self.stages = Stages(self.cache, self.today, self.jobs, self.tuning, settings.settings.rubric,
                             settings.settings.site, settings.site_key, self.sources.groups, compiled)
        return self.stages

    def built(self, bundle: str | None = None) -> Built:
        fields = {}
        if self.stages is not None:
            t = self.stages.tally
            fields = dict(parsed=t.parsed, rendered=t.rendered, pages=t.pages, rows_read=t.rows_read,
                          bundled=t.bundled, search_runs=t.search_runs, made=dict(t.made))
        return Built(tuple(s.id for s in self.sources.groups), self.sources.read, bundle=bundle, **fields)

    # --- the whole site ----------------------------------------------------------------

    def site(self, out_dir: str, keep_manifest: bool) -> tuple[Built, WriteStats]:
        """Every stage and the writer; or, when this very content was built before, only the writer."""
        site_key = key("site", self.fingerprint)
        files = self.cache.get_rows(site_key)
        manifest = Manifests(self.cache, out_dir) if keep_manifest else None
        if files is not None:
            self.cache.whole_site_cached = True
            return self.built(), write_site(files, out_dir, fetch=self.cache.blob, manifest=manifest)
        staging = write.begin(out_dir, manifest)
        try:
            files = self.make(staging)
            staging.keep = self.index.take
            self.cache.commit()
        except BaseException:
            if self.index is not None:
                self.index.cancel()
            if self.stages is not None:
                self.stages.close_workers()  # they write into the folder that abort removes
            write.abort(staging)
            raise
        index = self.index
        try:
            stats = write.finish(staging, files, fetch=self.cache.blob, more=index.more if index.missing else None)
        except BaseException:
            index.cancel()
            raise
        index.flush()
        files = index.keep(staging, files)
        self.cache.put_rows(site_key, files)
        self.cache.commit()
        return self.built(), stats

    def make(self, staging: write.Staging) -> dict[str, str]:
        """Every file of the site as (path, digest), its bytes in the cache; the files made now are placed
        in ``staging`` by the process that made them. The search index is set up, and started, here."""
        from ..domain.analyse import extent_of, summarise
        from ..domain.slugs import area_slugs
        from ..site.registry import SITEMAP, Finished, Whole, with_search_parts
        from .search_runs import SearchIndex, alongside
        from .tables import CachedRows, CachedShares

        s = self.start_stages()
        s.staging = staging
        facts = s.parse()
        extent = extent_of(list(facts.values()), self.as_of)
        slugs = area_slugs(f.area for f in facts.values())
        target = staging.target
        if target.live_files and target.shadow is None and self.jobs > 1 and forks():
            # a child checks the live files against the manifest while this process reads the entries
            s.checking = Aside(lambda: unheld(target))
        s.start_workers(staging)
        entries, group_keys = s.make_groups(s.sources, facts, extent, slugs, bundled=True)
        del facts
        gc.freeze()  # what a build holds of every group lives to its end: no collection needs to look at it again
        programme = summarise([e.summary for e in entries.values()], s.rubric, extent.as_of)
        whole = with_search_parts(Whole(extent, programme, {i: e.shown for i, e in entries.items()},
                                        {i: e.data_key for i, e in entries.items()}, group_keys,
                                        CachedRows(), CachedShares(), self.limits))
        files: dict[str, str] = {}
        search: dict[str, str] = {}
        """Every search entry: address -> digest (the bytes are in the cache, where Pagefind's runs read them)."""
        search_files: dict[str, str] = {}
        search_alongside = alongside(whole.search_parts)

        def beside() -> None:
            """While the workers make the programme's pages: every file and search entry known so far, and
            the search index started (an edit's index page waits for nothing here)."""
            for entry in entries.values():
                files.update(entry.pages)
                search.update(entry.search)
            search.update(s.make_entries(whole))
            self.index = SearchIndex(self.cache, search, s.site_settings.languages, whole.search_parts,
                                     search_files)
            self.cache.commit()  # what Pagefind's threads read
            if search_alongside:
                self.index.start(staging.scratch, self.jobs)
                if self.index.missing and s.workers is not None:
                    s.workers.lower_priority(self.tuning.search_first)

        files.update(s.make_whole(whole, beside))
        if s.checking is not None:
            staging.unheld = s.checking.result()
        s.close_workers()
        if not search_alongside:
            self.index.start(staging.scratch, 1)
        s.tally.search_runs = tuple(self.index.runs_made)
        s.tally.count("search index", len(self.index.runs_made))
        for inputs in SITEMAP.instances(Finished(files, {}, whole.search_parts)):
            s.make_here(SITEMAP, inputs, files)  # and the search index: ``self.index``, taken in by the writer
        files.update(search_files)
        s.keep_frames()
        self.cache.use_blobs(files.values())
        self.cache.use_blobs(search.values())
        return files

    # --- a shard ------------------------------------------------------------------------

    def shard(self, k: int, n: int) -> Built:
        from ..domain.analyse import extent_of
        from ..domain.slugs import area_slugs

        s = self.start_stages()
        facts = s.parse()
        extent = extent_of(list(facts.values()), self.as_of)
        slugs = area_slugs(f.area for f in facts.values())
        s.start_workers(None)
        mine = [source for source in s.sources if shards.shard_of(source.id, n) == k]
        entries, keys = s.make_groups(mine, facts, extent, slugs)
        s.keep_frames()
        path = shards.export(self.cache, k, n, s.sources, entries, keys, s.site_settings.languages,
                             s.frames_key, self.fingerprint)
        return self.built(path)
