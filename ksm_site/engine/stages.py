"""The stages of a build, each a round over the pool: parse, groups, search entries, the whole programme.

``Stages`` holds what the rounds share (the cache, the pool, the tally of
what was made) and runs each; ``build.Build`` puts them in order. Each
round looks every instance up in the cache by its key and sends only the
missing ones to the workers (``tasks.py``); what they make goes to the
cache as it comes back, in batches.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterator

from ..content.problems import ContentError, Problem
from ..domain.model import Facts, Rubric, Site
from ..site import charts
from ..site.group import Makers
from ..site.inputs import GroupInputs, Stored, key_of
from ..site.registry import Kind, Whole, stage
from ..site.search import Run
from ..site.templates import load_templates
from . import write
from .bundles import ENTRIES, FACTS, GroupEntry, keep_bundles, read_bundled
from .cache import Cache, pack
from .keys import code_version, key
from .place import digest_of
from .pool import Aside, Pool, WorkerState
from .sources import Source
from .tasks import GroupResult, PagesResult, group_task, pages_task, parse_task
from .tuning import Tuning


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


class Stages:
    """The rounds of one build over its cache and its pool of workers."""

    def __init__(self, cache: Cache, today: dt.date, jobs: int, tuning: Tuning, rubric: Rubric, site: Site,
                 site_key: str, sources: list[Source], compiled: str | None):
        self.cache, self.today, self.jobs, self.tuning = cache, today, jobs, tuning
        self.site_key = site_key
        """What every page depends on besides its inputs: code, rubric, site settings, templates."""
        self.rubric, self.site_settings, self.sources, self.compiled = rubric, site, sources, compiled
        self.frames_key = key("frames", code_version())
        self.new_frames: dict = {}
        self.tally = Tally()
        self.staging: write.Staging | None = None
        self.workers: Pool | None = None
        self.checking: Aside | None = None
        """The check of the live output's files (``place.unheld``), while it runs."""
        self.parsed_keys: frozenset[str] = frozenset()
        """The parse keys of the groups parsed in this build (which nothing has made yet)."""

    @cached_property
    def makers(self) -> Makers:
        """The page makers of this process, for what it makes itself."""
        return Makers(self.rubric, self.site_settings, self.compiled)

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
        self.tally.bundled += sum(len(cached) for _, cached in bundles.values() if cached)
        missing = [s for s in self.sources if s.key not in facts]
        self.tally.parsed = len(missing)
        self.parsed_keys = frozenset(s.key for s in missing)
        state = WorkerState(self.rubric, self.site_settings, self.today, self.cache.folder, self.compiled, None,
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
        target = staging.target if staging else None
        self.workers = Pool(self.jobs, WorkerState(self.rubric, self.site_settings, self.today, self.cache.folder,
                                                   self.compiled, target, self.tuning))
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
        keys = {s.id: key_of("group", self.site_key, inputs[s.id]) for s in sources}

        def render(group: list[Source]) -> Iterator[GroupResult]:
            return self.workers.map(group_task, [inputs[s.id] for s in group], 8, self.tuning.pool_min)

        # a group parsed now has nothing in the cache: the pool starts on it (an edit's one group) while
        # this process reads every other group's entry
        first = [s for s in sources if s.key in self.parsed_keys]
        first_done = render(first)
        if bundled:
            bundles, entries = read_bundled(self.cache, ENTRIES, [(s.id, keys[s.id]) for s in sources],
                                            self.tuning.bundles)
            self.tally.bundled += sum(len(cached) for _, cached in bundles.values() if cached)
        else:
            bundles, entries = {}, self.cache.get(keys.values())
        rest = [s for s in sources if keys[s.id] not in entries and s.key not in self.parsed_keys]
        self.tally.rendered = len(first) + len(rest)
        self.tally.count("group", self.tally.rendered)
        new: dict[str, GroupEntry] = {}
        pickled: dict[str, bytes] = {}
        blobs: list[tuple[str, bytes]] = []
        for source, result in zip(first + rest, itertools.chain(first_done, render(rest))):
            group_key = keys[source.id]
            entries[group_key] = new[group_key] = result.entry
            pickled.update((f"{group_key}:{suffix}", value) for suffix, value in result.apart.items())
            blobs += result.blobs
            self.new_frames.update(result.frames)
            if self.staging:
                self.staging.placed.update(result.placed)
            if len(blobs) >= 512:
                self.store(new, blobs, pickled)
                new, pickled, blobs = {}, {}, []
        self.store(new, blobs, pickled)
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
        wanted = {key_of(kind.name, self.site_key, inputs): (kind, inputs)
                  for kind in stage("entry") for inputs in kind.instances(whole)}
        entries = self.cache.get(wanted)  # key -> ((address, digest) of the entry in each language)
        new, blobs = {}, []
        for entry_key, (kind, inputs) in wanted.items():
            if entry_key not in entries:
                self.tally.count(kind.name)
                made = []
                for path, data in kind.render(inputs, self.makers):
                    made.append((path, digest_of(data)))
                    blobs.append((digest_of(data), pack(data)))
                entries[entry_key] = new[entry_key] = tuple(made)
        self.store(new, blobs)
        return {path: digest for each in entries.values() for path, digest in each}

    def make_whole(self, whole: Whole, beside: Callable[[], None]) -> dict[str, str]:
        """Every file of the ``whole`` kinds as (path, digest); ``beside`` is what this process does while
        the workers make them.

        It starts threads, so it runs once the workers are forked: a lock that a thread holds at a fork
        stays held, for ever, in the child. (A pool forks every worker at its first task.)"""
        wanted: dict[str, tuple[Kind, object]] = {}
        for kind in stage("whole"):
            for inputs in kind.instances(whole):
                wanted[key_of(kind.name, self.site_key, inputs)] = (kind, inputs)
        files_of = self.cache.get(wanted)  # key -> the (path, digest) of each file of the instance
        tasks: dict[tuple, list[str]] = {}
        for page_key in wanted:
            if page_key not in files_of:
                tasks.setdefault(batch_of(*wanted[page_key]), []).append(page_key)
                self.tally.count(wanted[page_key][0].name)
        order = sorted(tasks, key=lambda t: -sum(cost_of(wanted[k][1]) for k in tasks[t]))
        self.cache.commit()
        work = (tuple((wanted[k][0].name, wanted[k][0].prepare(wanted[k][1], self.makers)) for k in tasks[t])
                for t in order)
        making = self.workers.each(pages_task, work, 2, len(order))
        beside()
        new, blobs = {}, []
        for n, results in making:
            for page_key, result in zip(tasks[order[n]], results):
                self.take(page_key, result, new, blobs)
            if len(blobs) >= 512:
                self.store(new, blobs)
                files_of.update(new)
                new, blobs = {}, []
        self.store(new, blobs)
        files_of.update(new)
        return {path: digest for page_key in wanted for path, digest in files_of[page_key]}

    def take(self, page_key: str, result: PagesResult, new: dict, blobs: list) -> None:
        """One instance made by a worker: its files' digests under its key, their bytes to the cache."""
        new[page_key] = tuple((path, digest) for path, digest, _ in result.files)
        blobs += [(digest, data) for _, digest, data in result.files]
        self.new_frames.update(result.frames)
        self.staging.placed.update(result.placed)
        self.tally.pages += sum(1 for path, _, _ in result.files if path.endswith(".html"))
        self.tally.rows_read += result.rows_read

    def make_here(self, kind: Kind, inputs: object, files: dict[str, str]) -> None:
        """Make one instance in this process (it is small) and keep its files."""
        self.tally.count(kind.name)
        made: dict[str, list[bytes]] = {}
        for path, piece in kind.render(inputs, self.makers):
            made.setdefault(path, []).append(piece.encode() if isinstance(piece, str) else piece)
        for path, parts in made.items():
            data = b"".join(parts)
            files[path] = digest_of(data)
            self.cache.put_blobs([(files[path], pack(data))])

    def keep_frames(self) -> None:
        self.new_frames.update(charts.take_drawn_frames())
        if self.new_frames:
            known = self.cache.get([self.frames_key]).get(self.frames_key, {})
            self.cache.put({self.frames_key: {**known, **self.new_frames}})
            self.new_frames = {}


def batch_of(kind: Kind, inputs: object) -> tuple:
    """Which task an instance goes to: an area's pages with every other page of its kota (they share most
    of what they read); its spreadsheet with the other spreadsheets of its kota, in a task of their own
    (they read only the groups' shares: beside the pages, on the other core, rather than after them);
    every other instance (the programme's spreadsheet too) alone."""
    area = getattr(inputs, "area", None)
    slugs = area.slugs if area is not None else getattr(inputs, "slugs", ())
    if slugs:
        return ("kota" if area is not None else kind.name), slugs[:1]
    return kind.name, id(inputs)


def cost_of(inputs: object) -> int:
    """How much work an instance is, roughly: the groups it lists, analyses or joins."""
    for name in ("groups", "table"):
        listed = getattr(inputs, name, None)
        if listed is not None:
            return len(listed)
    shares = getattr(inputs, "shares", None)
    if shares is not None:
        return len(shares.digests)
    tables = getattr(inputs, "tables", None)
    return sum(len(listed) for _, listed in tables) if tables else 0
