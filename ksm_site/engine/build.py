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
import itertools
import os
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from ..content.problems import ContentError, Problem
from ..domain.analyse import extent_of, summarise
from ..domain.model import Facts
from ..domain.slugs import area_slugs
from ..site import charts
from ..site.group import Makers
from ..site.inputs import GroupInputs, Stored, key_of
from ..site.registry import SITEMAP, Finished, Kind, Whole, stage, with_search_parts
from ..site.search import Run, SearchSplit
from ..site.templates import load_templates
from . import shards, write
from .bundles import ENTRIES, FACTS, GroupEntry, keep_bundles, read_bundled
from .cache import Cache, pack
from .keys import code_version, key
from .place import digest_of, unheld
from .pool import Aside, Pool, WorkerState, forks
from .search_runs import SearchIndex, alongside
from .sources import Source, read_sources
from .tables import CachedRows, CachedShares, spilled
from .tasks import GroupResult, PagesResult, group_task, pages_task, parse_task
from .tuning import Tuning
from .write import WriteStats, write_site


@dataclass(frozen=True)
class Built:
    """What a build did: for its report, and for tests that check what a rebuild does not redo."""

    groups: tuple[str, ...]
    """The id of every group in the content."""
    read: int
    """Group files read from disk (the others' digests were known from their stat)."""
    parsed: int
    """Group files parsed (the others' results were in the cache)."""
    rendered: int
    """Groups made (the others' were in the cache)."""
    pages: int
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
          search_split: SearchSplit = SearchSplit()) -> tuple[Built, WriteStats | None]:
    """Check the content and replace ``out_dir`` with the site (``site.make_site``'s files: ``as_of`` and
    ``search_split`` are its); ``cache_dir`` None builds without a cache; ``tuning``: see ``tuning.py``.

    With ``shard=(k, n)``: make shard ``k``'s groups only and write their
    bundle into the cache folder (``Built.bundle``); nothing is written to
    ``out_dir`` and the stats are None.
    """
    with Cache(cache_dir, tuning) as cache:
        run = Build(content_dir, today, as_of, jobs or os.cpu_count() or 1, cache, tuning, search_split)
        with run:
            if shard is not None:
                return run.shard(*shard), None
            return run.site(out_dir, keep_manifest=cache_dir is not None)


def merge(bundles: Iterable[str], content_dir: str, out_dir: str, today: dt.date, as_of: dt.date | None = None,
          jobs: int | None = None, cache_dir: str | None = None, tuning: Tuning = Tuning(),
          search_split: SearchSplit = SearchSplit()) -> tuple[Built, WriteStats]:
    """Build the site from shard bundles: every shard of one split of this content, each once."""
    with Cache(cache_dir, tuning) as cache:
        metas = [(path, cache.import_bundle(path)) for path in bundles]
        run = Build(content_dir, today, as_of, jobs or os.cpu_count() or 1, cache, tuning, search_split)
        with run:
            shards.check(metas, run.fingerprint)
            return run.site(out_dir, keep_manifest=cache_dir is not None)


@dataclass
class Tally:
    """What a build counts as it goes (see ``Built``)."""

    parsed: int = 0
    rendered: int = 0
    pages: int = 0
    rows_read: int = 0
    bundled: int = 0
    search_runs: tuple[Run, ...] = ()
    made: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, n: int = 1) -> None:
        if n:
            self.made[kind] = self.made.get(kind, 0) + n


class Build:
    """One build: its content read, its cache, its workers; the steps run by ``build`` and ``merge``."""

    def __init__(self, content_dir: str, today: dt.date, as_of: dt.date | None, jobs: int, cache: Cache,
                 tuning: Tuning, search_split: SearchSplit):
        self.cache, self.today, self.as_of, self.jobs, self.tuning = cache, today, as_of, jobs, tuning
        self.search_split = search_split
        seen_key = key("seen", os.path.abspath(content_dir))
        known = cache.get([seen_key]).get(seen_key, {})
        sources = read_sources(content_dir, known, cache.clock(), tuning.settled_ns)
        if sources.seen != known:
            cache.put({seen_key: sources.seen})
        if sources.settings is None or sources.problems:
            raise ContentError(sources.problems)
        self.settings = sources.settings
        self.rubric, self.site_settings = sources.settings.settings.rubric, sources.settings.settings.site
        self.sources: list[Source] = sources.groups
        self.read = sources.read
        self.fingerprint = key("content", self.settings.site_key, as_of, search_split,
                               tuple(s.key for s in self.sources))
        """Everything the site depends on: settings, code, templates, --as-of, every group file's path and text."""
        self.compiled = None if cache.temporary else os.path.join(cache.folder, "templates")
        """Where the templates' compiled code is kept (see ``site/templates.py``)."""
        if self.compiled:
            os.makedirs(self.compiled, exist_ok=True)
        self.frames_key = key("frames", code_version())
        self.new_frames: dict = {}
        self.tally = Tally()
        self.staging: write.Staging | None = None
        self.workers: Pool | None = None
        self.checking: Aside | None = None
        """The check of the live output's files (``place.unheld``), while it runs."""
        self.index: SearchIndex | None = None

    def __enter__(self) -> "Build":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close_workers()
        self.cache.finished = value is None
        gc.unfreeze()

    def built(self, bundle: str | None = None) -> Built:
        t = self.tally
        return Built(tuple(s.id for s in self.sources), self.read, t.parsed, t.rendered, t.pages, t.rows_read,
                     t.bundled, t.search_runs, dict(t.made), bundle)

    # --- the whole site ----------------------------------------------------------------

    def site(self, out_dir: str, keep_manifest: bool) -> tuple[Built, WriteStats]:
        """Every stage and the writer; or, when this very content was built before, only the writer."""
        site_key = key("site", self.fingerprint)
        files = self.cache.get_rows(site_key)
        manifest = self.cache.manifest(out_dir) if keep_manifest else None
        if files is not None:
            self.cache.whole_site_cached = True
            return self.built(), write_site(files, out_dir, fetch=self.cache.blob, manifest=manifest)
        staging = self.staging = write.begin(out_dir, manifest)
        try:
            files = self.make(staging)
            staging.keep = self.index.take
            self.cache.commit()
        except BaseException:
            if self.index is not None:
                self.index.cancel()
            self.close_workers()  # they write into the folder that abort removes
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
        facts = self.parse()
        extent = extent_of(list(facts.values()), self.as_of)
        slugs = area_slugs(f.area for f in facts.values())
        target = staging.target
        if target.live_files and target.shadow is None and self.jobs > 1 and forks():
            # a child checks the live files against the manifest while this process reads the entries
            self.checking = Aside(lambda: unheld(target))
        self.start_workers(staging)
        entries, group_keys = self.make_groups(self.sources, facts, extent, slugs, bundled=True)
        del facts
        gc.freeze()  # what a build holds of every group lives to its end: no collection needs to look at it again
        programme = summarise([e.summary for e in entries.values()], self.rubric, extent.as_of)
        whole = with_search_parts(Whole(extent, programme, {i: e.shown for i, e in entries.items()},
                                        {i: e.data_key for i, e in entries.items()}, group_keys,
                                        CachedRows(self.tuning.kept_table), CachedShares(), search_parts=0),
                                  self.search_split)
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
            search.update(self.make_entries(whole))
            self.index = SearchIndex(self.cache, search, self.site_settings.languages, whole.search_parts,
                                     search_files)
            self.cache.commit()  # what Pagefind's threads read
            if search_alongside:
                self.index.start(staging.scratch, self.jobs)
                if self.index.missing and self.workers is not None:
                    self.workers.lower_priority(self.tuning.search_first)

        files.update(self.make_whole(whole, beside))
        if self.checking is not None:
            staging.unheld = self.checking.result()
        self.close_workers()
        if not search_alongside:
            self.index.start(staging.scratch, 1)
        self.tally.search_runs = tuple(self.index.runs_made)
        self.tally.count("search index", len(self.index.runs_made))
        for inputs in SITEMAP.instances(Finished(files, {}, whole.search_parts)):
            self.keep_here(SITEMAP, inputs, files)
            self.tally.count(SITEMAP.name)  # the search index: ``self.index``, taken in by the writer
        files.update(search_files)
        self.keep_frames()
        self.cache.use_blobs(files.values())
        self.cache.use_blobs(search.values())
        return files

    def keep_here(self, kind: Kind, inputs: object, files: dict[str, str]) -> None:
        """Make one instance in this process (it is small) and keep its files."""
        made: dict[str, list[bytes]] = {}
        for path, piece in kind.render(inputs, self.makers()):
            made.setdefault(path, []).append(piece.encode() if isinstance(piece, str) else piece)
        for path, parts in made.items():
            data = b"".join(parts)
            files[path] = digest_of(data)
            self.cache.put_blobs([(files[path], pack(data))])

    def makers(self) -> Makers:
        if not hasattr(self, "_makers"):
            self._makers = Makers(self.rubric, self.site_settings, self.compiled)
        return self._makers

    # --- stage 1: parse ------------------------------------------------------------------

    def parse(self) -> dict[str, Facts]:
        """Every group's facts, by id; the groups parsed now go to the cache.

        The cache keeps a parse as two entries: the facts under its key, which
        every build reads, and the pickled ``Group`` under ``key:group``,
        which only a build that makes the group reads.

        While a pool parses, this process loads the templates and, if no
        chart frame is known yet, matplotlib, so the workers of the later
        stages inherit them (``site/templates.load_templates``,
        ``charts.load_matplotlib``). A thread does it, started once the
        pool's workers are forked and joined before this returns: a process
        forked while another thread runs may inherit a lock it holds.
        """
        frames = self.cache.get([self.frames_key]).get(self.frames_key, {})
        charts.add_frames(frames)
        members = [(s.id, s.key) for s in self.sources]
        bundles, facts = read_bundled(self.cache, FACTS, members, self.tuning.bundles)
        self.tally.bundled += sum(len(held) for _, held in bundles.values() if held)
        missing = [s for s in self.sources if s.key not in facts]
        self.tally.parsed = len(missing)
        self.parsed_keys = frozenset(s.key for s in missing)
        state = WorkerState(self.rubric, self.site_settings, self.today, self.cache.folder, self.compiled, None, None,
                            self.tuning)
        problems: list[Problem] = []
        parsed = {}
        parsing = Pool(self.jobs, state)
        loading = None
        try:
            results = parsing.map(parse_task, missing, 64, self.tuning.pool_min)
            if parsing.executor is not None:
                loading = threading.Thread(target=self.load_for_workers, args=(not frames,),
                                           name="ksm-site templates and matplotlib", daemon=True)
                loading.start()
            for source, (fact, group, trouble) in zip(missing, results):
                problems += trouble
                if fact is not None:
                    parsed[source.key], parsed[source.key + ":group"] = fact, group
                    facts[source.key] = fact
                if len(parsed) >= 2048:
                    self.cache.put(parsed)
                    parsed = {}
        finally:
            parsing.close()
            if loading is not None:
                loading.join()
        if problems:
            raise ContentError(problems)
        self.cache.put(parsed)
        keep_bundles(self.cache, FACTS, bundles, facts)
        return {s.id: facts[s.key] for s in self.sources}

    def load_for_workers(self, load_charts: bool) -> None:
        load_templates(self.site_settings.languages, self.compiled)
        if load_charts:
            charts.load_matplotlib()

    # --- stage 2: groups ---------------------------------------------------------------------

    def start_workers(self, staging: write.Staging | None) -> None:
        """The pool of the later stages, forked now: before this process reads every group's entry, so
        that a worker does not start with the memory this process grew since."""
        target, scratch = (staging.target, staging.scratch) if staging else (None, None)
        self.workers = Pool(self.jobs, WorkerState(self.rubric, self.site_settings, self.today, self.cache.folder,
                                                   self.compiled, target, scratch, self.tuning))
        self.workers.start()

    def close_workers(self) -> None:
        if self.workers is not None:
            self.workers.close()
            self.workers = None
        if self.checking is not None:
            self.checking.close()
            self.checking = None

    def make_groups(self, sources: list[Source], facts: dict[str, Facts], extent, slugs, bundled: bool = False
                    ) -> tuple[dict[str, GroupEntry], dict[str, str]]:
        """Every group's entry (from the cache, or made now) and key, by id. ``bundled``: read and keep the
        entries in bundles too, for a build of every group."""
        inputs = {s.id: GroupInputs(Stored(s.key), slugs[facts[s.id].area], extent.as_of, extent.axis)
                  for s in sources}
        keys = {s.id: key_of("group", self.settings.site_key, inputs[s.id]) for s in sources}

        def render(group: list[Source]) -> Iterator[GroupResult]:
            return self.workers.map(group_task, [inputs[s.id] for s in group], 8, self.tuning.pool_min)

        # a group parsed now has nothing in the cache: the pool starts on it (an edit's one group) while
        # this process reads every other group's entry
        first = [s for s in sources if s.key in self.parsed_keys]
        first_done = render(first)
        if bundled:
            bundles, entries = read_bundled(self.cache, ENTRIES, [(s.id, keys[s.id]) for s in sources],
                                            self.tuning.bundles)
            self.tally.bundled += sum(len(held) for _, held in bundles.values() if held)
        else:
            bundles, entries = {}, self.cache.get(keys.values())
        rest = [s for s in sources if keys[s.id] not in entries and s.key not in self.parsed_keys]
        self.tally.rendered = len(first) + len(rest)
        self.tally.count("group", self.tally.rendered)
        done: dict[str, GroupEntry] = {}
        pickled: dict[str, bytes] = {}
        blobs: list[tuple[str, bytes]] = []
        for source, result in zip(first + rest, itertools.chain(first_done, render(rest))):
            group_key = keys[source.id]
            entries[group_key] = done[group_key] = result.entry
            pickled.update((f"{group_key}:{suffix}", value) for suffix, value in result.kept.items())
            blobs += result.blobs
            self.new_frames.update(result.frames)
            if self.staging:
                self.staging.placed.update(result.placed)
            if len(blobs) >= 512:
                self.store(done, blobs, pickled)
                done, pickled, blobs = {}, {}, []
        self.store(done, blobs, pickled)
        keep_bundles(self.cache, ENTRIES, bundles, entries)
        return {s.id: entries[keys[s.id]] for s in sources}, keys

    def store(self, entries: dict, blobs: list[tuple[str, bytes]], pickled: dict[str, bytes] | None = None) -> None:
        self.cache.put_blobs(blobs)
        self.cache.put(entries)
        if pickled:
            self.cache.put_pickled(pickled)
        self.cache.commit()

    # --- stage 3: the whole programme ------------------------------------------------------

    def make_entries(self, whole: Whole) -> dict[str, str]:
        """The search entries of the pages besides the groups' (areas, warnings, methodology) as (path,
        digest), their bytes in the cache: made in this process while the workers make the pages, so
        that Pagefind can run beside them."""
        wanted = {key_of(kind.name, self.settings.site_key, inputs): (kind, inputs)
                  for kind in stage("entry") for inputs in kind.instances(whole)}
        held = self.cache.get(wanted)
        made, blobs = {}, []
        for entry_key, (kind, inputs) in wanted.items():
            if entry_key not in held:
                self.tally.count(kind.name)
                found = []
                for path, data in kind.render(inputs, self.makers()):
                    found.append((path, digest_of(data)))
                    blobs.append((digest_of(data), pack(data)))
                held[entry_key] = made[entry_key] = tuple(found)
        self.store(made, blobs)
        return {path: digest for found in held.values() for path, digest in found}

    def make_whole(self, whole: Whole, beside: Callable[[], None]) -> dict[str, str]:
        """Every file of the ``whole`` kinds as (path, digest); ``beside`` is what this process does while
        the workers make them.

        It starts threads, so it runs once the workers are forked: a lock that a thread holds at a fork
        stays held, for ever, in the child. (A pool forks every worker at its first task.)"""
        wanted: dict[str, tuple[Kind, object]] = {}
        for kind in stage("whole"):
            for inputs in kind.instances(whole):
                wanted[key_of(kind.name, self.settings.site_key, inputs)] = (kind, inputs)
        made = self.cache.get(wanted)  # from here on, the instances' files
        tasks: dict[tuple, list[str]] = {}
        for page_key in wanted:
            if page_key not in made:
                tasks.setdefault(batch_of(*wanted[page_key]), []).append(page_key)
                self.tally.count(wanted[page_key][0].name)
        order = sorted(tasks, key=lambda t: -sum(cost_of(wanted[k][1]) for k in tasks[t]))
        self.cache.commit()
        work = (tuple((wanted[k][0].name, wanted[k][1]) for k in tasks[t]) for t in order)
        making = self.workers.each(pages_task, work, 2, len(order))
        beside()
        done, blobs = {}, []
        for n, results in making:
            for page_key, result in zip(tasks[order[n]], results):
                self.take(page_key, result, done, blobs)
            if len(blobs) >= 512:
                self.store(done, blobs)
                made.update(done)
                done, blobs = {}, []
        self.store(done, blobs)
        made.update(done)
        return {path: digest for page_key in wanted for path, digest in made[page_key]}

    def take(self, page_key: str, result: PagesResult, done: dict, blobs: list) -> None:
        """One instance made by a worker: its files' digests under its key, their bytes to the cache."""
        done[page_key] = tuple((path, digest) for path, digest, _ in result.files)
        if result.spilled is not None:
            self.keep_pieces(result.spilled)
        self.cache.use(result.used)
        blobs += [(digest, data) for _, digest, data in result.files]
        self.new_frames.update(result.frames)
        self.staging.placed.update(result.placed)
        self.tally.pages += sum(1 for path, _, _ in result.files if path.endswith(".html"))
        self.tally.rows_read += result.rows_read

    def keep_pieces(self, path: str) -> None:
        """The table pieces a worker made (``tables.Spill``) into the cache, 64 at a time."""
        batch: dict[str, bytes] = {}
        for piece_key, data in spilled(path):
            batch[piece_key] = data
            if len(batch) >= 64:
                self.cache.put(batch)
                batch = {}
        self.cache.put(batch)
        self.cache.commit()

    def keep_frames(self) -> None:
        self.new_frames.update(charts.take_drawn_frames())
        if self.new_frames:
            known = self.cache.get([self.frames_key]).get(self.frames_key, {})
            self.cache.put({self.frames_key: {**known, **self.new_frames}})
            self.new_frames = {}

    # --- a shard ------------------------------------------------------------------------

    def shard(self, k: int, n: int) -> Built:
        facts = self.parse()
        extent = extent_of(list(facts.values()), self.as_of)
        slugs = area_slugs(f.area for f in facts.values())
        self.start_workers(None)
        mine = [s for s in self.sources if shards.shard_of(s.id, n) == k]
        entries, keys = self.make_groups(mine, facts, extent, slugs)
        self.keep_frames()
        path = shards.export(self.cache, k, n, self.sources, entries, keys, self.site_settings.languages,
                             self.frames_key, self.fingerprint)
        return self.built(path)


def batch_of(kind: Kind, inputs: object) -> tuple:
    """Which task an instance goes to: an area's page with every other page of its kota (they share most
    of what they read), every other instance alone."""
    area = getattr(inputs, "area", None)
    if kind.name == "area" and area is not None:
        return kind.name, area.slugs[:1]
    return kind.name, id(inputs)


def cost_of(inputs: object) -> int:
    """How much work an instance is, roughly: the groups it lists or joins."""
    for name in ("groups", "shares"):
        listed = getattr(inputs, name, None)
        if listed is not None:
            return len(listed.digests) if name == "shares" else len(listed)
    tables = getattr(inputs, "tables", None)
    return sum(len(listed) for _, listed in tables) if tables else 0
