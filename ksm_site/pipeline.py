"""Wires the steps: load -> validate -> score -> analyse -> render -> write (-> search index), per group,
in parallel, cached.

A build runs in three rounds, each a pure function per piece of work, run in
a process pool (``jobs`` > 1 and enough work) or in this process:

1. **Parse** every group file whose result is not cached: read, validate,
   and keep the ``Group`` and its ``Facts`` in the cache. Any problem in any
   file stops the build here, before anything is written.
2. From every group's facts, the programme-wide values (``Extent``: the
   as-of date, the shared chart axes) and the areas' slugs; then **render**
   every group whose result is not cached: score it, draw its charts,
   render its page in each language, and make its ``GroupSummary``, its
   table rows and its share of the data files.
3. From the summaries, the programme and its areas; **render** every
   aggregate page (index, area, warnings, areas, methodology, 404) whose
   result is not cached, and join the data files.

Pagefind indexes the pages' search entries for the site's search
(``search.py``) beside round 3: every entry is known once round 3's tasks
are sent (the groups' from round 2, the others' made then by this process,
while the workers render), and when no entry
of a run changed since a build whose index the cache holds, that run is
taken from there. Then the writer replaces the output folder with the site
(see ``write.py``).

The cache (``cache.py``) keys each result by a SHA-256 of exactly what it
depends on:

* a group file's parse: the code version, ``rubric.yaml``, the file's path
  and text. (``today`` only decides which dates are in the future; a file
  valid once stays valid later, and invalid results are never kept.)
* a group's pages: its parse key, the settings key (code, rubric,
  ``site.yaml`` with its languages, templates), the as-of date, the
  progression axis (``first_year``, ``last_day``) and its area's slugs
  (which depend on other groups' area names only where slugs collide);
* an aggregate page: the settings key, the as-of date, the timeline periods,
  the survival span, the area's slugs, and a digest of the summary and rows
  of each group it shows, in order (``GroupEntry.shown``: names, areas,
  stages, scores, warnings; so its analyses, counts, child areas and their
  slugs, and its table);
* the data files: the rubric key, the as-of date, each group's share.

So an unchanged group costs no chart or page work, and a rebuild renders
the edited group and the few aggregate pages that show what changed.

Memory: what a piece of work produces goes to the cache (and its pages to
the output) as soon as it is done, and a worker reads what it needs from the
cache itself (``cache.Reader``); the build process keeps one small summary
per group and streams the data files out in batches. So 100,000 groups fit
in the memory of a laptop.

Shards: ``shard=(k, n)`` renders only the groups whose id's SHA-256 falls in
shard ``k`` of ``n`` (rounds 1 and 2, no aggregates, nothing written) and
exports them as a bundle; ``merge`` imports every shard's bundle and builds
the site, which then finds every group cached. The same keys make the same
pages, so merged shards equal a single build byte for byte.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import glob
import hashlib
import importlib.metadata
import itertools
import marshal
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import zlib
from concurrent.futures import Future, ProcessPoolExecutor, as_completed, wait
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Generator, Iterable, Iterator, Sequence

from markupsafe import Markup

from . import charts
from .analyse import (
    Analysis, AreaSummary, Programme, analyse, area_slugs, extent_of, facts_of, summarise, summarise_group,
)
from .cache import Cache, CacheError, Reader, no_collection, pack, packer, unpack
from .errors import FILE_FIELD, ContentError, Problem
from .export import DATA_TAILS, data_heads, data_pieces, group_data, group_json
from .load import Document, discover_groups, parse_document, read_content, read_settings_text, read_text
from .model import Area, Facts, Group, GroupSummary, Rubric, Site, _shared_keys
from .render import (
    Choices, Page, Renderer, Row, choices, group_json_path, language_prefix, load_templates, sitemap, static_files,
    templates_digest,
)
from .schema import SCHEMA_PATH, schema_bytes
from . import search as searching
from .score import score_group
from .validate import validate_group, validate_rubric, validate_settings, validate_site
from . import write
from .write import WriteStats, digest_of, write_site

POOL_MIN_GROUPS = 32
"""Below this many groups to parse or render, a process pool costs more than it saves."""

SEARCH_FIRST = 10
"""How much lower (``nice``) round 3's workers run while Pagefind runs beside them. Pagefind's bundles are
taken in after every page is placed, so a run that ends after round 3 leaves a core idle while the other
waits for it. At 10,000 groups on tmpfs, from round 3's end to the build's: 2.0 to 3.4 s with the
workers at Pagefind's priority (and runs taken in in order), 1.4 to 1.9 s with them 10 lower and runs
taken in as they end (``search.Indexing.each``), in two sets of interleaved builds. Pagefind then ends
seconds before round 3, whose workers take both cores back. Whatever else runs on the machine also
goes ahead of them, as a ``nice`` build's would."""


@dataclass(frozen=True)
class Checked:
    rubric: Rubric
    site: Site
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class Partial:
    """What of the content is valid, and every problem: for tools that go on despite errors.

    ``groups`` holds every group file that is valid on its own; ``broken``
    the ids of the group files that are not (all of them when the rubric is
    invalid). ``diff`` compares what it can; ``new`` looks at the valid
    groups next to the one it scaffolds.
    """

    rubric: Rubric | None
    site: Site | None
    groups: tuple[Group, ...]
    broken: frozenset[str]
    problems: tuple[Problem, ...]


def read_content_partly(content_dir: str, today: dt.date) -> Partial:
    """Load and validate everything, keeping what is valid next to every problem found."""
    content = read_content(content_dir)
    problems: list[Problem] = list(content.problems)
    rubric, site, settings_problems = validate_settings(content)
    problems += settings_problems
    groups = []
    if rubric is not None:
        for doc in content.groups:
            group, found = validate_group(doc, rubric, today)
            problems += found
            if group is not None:
                groups.append(group)
    valid = {g.id for g in groups}
    broken = frozenset(doc.id for doc in content.groups if doc.id not in valid)
    return Partial(rubric, site, tuple(groups), broken, tuple(problems))


def read_valid_content(content_dir: str, today: dt.date) -> Checked:
    """Load and validate everything; raise ``ContentError`` with every problem found."""
    partial = read_content_partly(content_dir, today)
    if partial.problems or partial.rubric is None or partial.site is None:
        raise ContentError(partial.problems)
    return Checked(partial.rubric, partial.site, partial.groups)


def check(content_dir: str, today: dt.date) -> list[Problem]:
    """Every problem in the content; empty when it builds."""
    try:
        read_valid_content(content_dir, today)
    except ContentError as exc:
        return list(exc.problems)
    return []


# --------------------------------------------------------------------------
# What a build returns


@dataclass(frozen=True)
class Built:
    groups: tuple[str, ...]
    """The id of every group in the content."""
    parsed: int
    """Group files parsed (the others' results were in the cache)."""
    rendered: int
    """Groups whose pages were rendered (the others' were in the cache)."""
    pages: int
    """Other pages rendered: index, areas, warnings, methodology, 404, per language."""
    bundle: str | None = None
    """For a shard: the bundle it wrote."""


class ShardError(Exception):
    """Shard bundles that cannot be merged into a site of this content."""


def shard_of(group_id: str, shards: int) -> int:
    """The shard (1..``shards``) a group belongs to: stable across runs, machines and Python versions."""
    return int.from_bytes(hashlib.sha256(group_id.encode()).digest()[:8], "big") % shards + 1


# --------------------------------------------------------------------------
# Keys


def _key(*parts) -> str:
    """A SHA-256 of ``parts``: strings, numbers, dates, None and tuples of them (their repr is exact)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _key_of_pairs(head: tuple, pairs: Iterable[tuple[str, str]]) -> str:
    """Like ``_key(*head, tuple(pairs))`` for many pairs of strings without a NUL (paths and digests),
    hashed as they come: the search entries of 100,000 groups would otherwise be one string of
    60 megabytes, twice."""
    digest = hashlib.sha256(repr(head).encode())
    for a, b in pairs:
        digest.update(f"\0{a}\0{b}".encode())
    return digest.hexdigest()


LIBRARIES = ("Jinja2", "MarkupSafe", "markdown-it-py", "mdurl", "PyYAML", "nh3", "babel", "matplotlib", "pagefind")
"""The libraries whose versions decide the output's bytes (pinned in requirements.txt)."""


@lru_cache(maxsize=None)
def code_version() -> str:
    """A SHA-256 of this package's code and catalogues, the libraries' versions and Python's."""
    package = os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha256()
    paths = glob.glob(os.path.join(package, "**", "*.py"), recursive=True)
    paths += glob.glob(os.path.join(package, "locale", "**", "*.po"), recursive=True)
    for path in sorted(paths):
        digest.update(os.path.relpath(path, package).encode() + b"\0")
        with open(path, "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    for name in LIBRARIES:
        digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
    digest.update(f"python={sys.version_info[0]}.{sys.version_info[1]}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Settings:
    rubric: Rubric
    site: Site
    rubric_key: str
    """Code version and rubric.yaml: what parsing and scoring depend on."""
    site_key: str
    """That, with site.yaml and the templates: what every page depends on besides the content."""


@dataclass(frozen=True)
class Source:
    """A group file, read and hashed; the text itself is not kept (a worker reads it again to parse it)."""

    path: str
    id: str
    digest: str
    """The SHA-256 of its text."""
    key: str
    """The key of its parse: code version, rubric, path and text."""


Seen = dict[str, tuple[tuple[int, int, int, int], str]]
"""Group files read by an earlier build: path -> (size, mtime, inode, ctime), and the SHA-256 of the text."""

SETTLED_NS = 2_000_000_000
"""A file modified this long before the build started is not modified again unseen within the same
clock tick, so its stat can stand for its bytes (Git's "racily clean" rule)."""


def _read(content_dir: str, seen: Seen, now_ns: int) -> tuple[Settings | None, list[Source], list[Problem], Seen]:
    """The settings, every group file and the problems found reading them; and what to remember of the
    files. A file whose stat is what ``seen`` holds for it is not read again: its digest is taken from
    there (reading and hashing 10,000 files takes a tenth of a second). ``now_ns`` is the file system's
    time at the start of the build."""
    problems: list[Problem] = []
    settings_texts = {}
    docs = {}
    for name in ("rubric.yaml", "site.yaml"):
        path, text = read_settings_text(content_dir, name, problems)
        settings_texts[name] = text or ""
        docs[name] = Document(path, "", None) if text is None else parse_document(path, "", text, problems)
    rubric, rubric_problems = validate_rubric(docs["rubric.yaml"])
    site, site_problems = validate_site(docs["site.yaml"])
    problems += rubric_problems + site_problems
    settings = None
    if rubric is not None and site is not None:
        rubric_key = _key("rubric", code_version(), settings_texts["rubric.yaml"])
        settings = Settings(rubric, site, rubric_key,
                            _key("site", rubric_key, settings_texts["site.yaml"], templates_digest()))
    sources = []
    remember: Seen = {}
    for path, group_id in discover_groups(content_dir, problems):
        try:
            found = os.stat(path)
            stat = (found.st_size, found.st_mtime_ns, found.st_ino, found.st_ctime_ns)
        except OSError:
            stat = None
        known = seen.get(path)
        if stat is not None and known is not None and known[0] == stat:
            digest = known[1]
        else:
            text = read_text(path, problems)
            if text is None:
                continue
            digest = hashlib.sha256(text.encode()).hexdigest()
        if stat is not None and max(stat[1], stat[3]) < now_ns - SETTLED_NS:
            remember[path] = (stat, digest)
        sources.append(Source(path, group_id, digest,
                              _key("parse", settings.rubric_key if settings else "", path, group_id, digest)))
    return settings, sources, problems, remember


# --------------------------------------------------------------------------
# Work done per piece, in a pool's worker or in this process


_state: dict = {}


def _set_state(state: dict) -> None:
    global _state
    _state = state


class _Pool:
    """``func`` over ``items`` with ``state`` set: in a pool of ``jobs`` processes, or here if little to do.

    The pool starts when a round first has enough work for it, or when
    ``start`` says so, and serves every later round with the same state.
    Rounds 2 and 3 share one, started right after round 1: its workers are
    forked before this process reads every group's entry, so a round-3
    worker does not start with the memory this process grew since (a forked
    process's RSS counts every page it shares with its parent).

    The pool forks where the platform can, so workers inherit ``state``
    (and the chart frames and templates already loaded) without copying it.
    Everything this process holds is frozen for the garbage collector first
    (``build`` unfreezes it at the end), so the workers' collections never
    write to, and so copy, the memory they share with it (see ``gc.freeze``).
    """

    def __init__(self, jobs: int, state: dict):
        self.jobs = jobs
        self.state = state
        self.executor: ProcessPoolExecutor | None = None

    def map(self, func: Callable, items: Iterable, chunksize: int, minimum: int, count: int | None = None) -> Iterator:
        """The results, in order. In a pool every item is sent at once (the workers start on the first
        while this process makes the next, if ``items`` makes them as they are taken; then ``count``
        says how many), so this process can do other work before it takes the results."""
        count = len(items) if count is None else count
        if self._here(count, minimum):
            return map(func, items)
        return self.executor.map(func, items, chunksize=chunksize)

    def each(self, func: Callable, items: Iterable, minimum: int, count: int) -> Iterator[tuple[int, object]]:
        """(position, result) of each of the ``count`` items, as they are done: a result that waited for
        an earlier, longer item would wait in this process's memory. Sent at once, as ``map`` sends them."""
        if self._here(count, minimum):
            return enumerate(map(func, items))
        futures = {self.executor.submit(func, item): n for n, item in enumerate(items)}
        return ((futures.pop(future), future.result()) for future in as_completed(futures))

    def submit(self, func: Callable, item, minimum: int, count: int) -> Future:
        """``func(item)``, a task as big as ``count`` items, as a future: sent to the pool, or done here
        and now (as ``map`` decides)."""
        if not self._here(count, minimum):
            return self.executor.submit(func, item)
        done: Future = Future()
        try:
            done.set_result(func(item))
        except Exception as exc:
            done.set_exception(exc)
        return done

    def _here(self, count: int, minimum: int) -> bool:
        """Whether ``count`` items are done in this process (state set); else the pool is started."""
        if self.executor is None and (self.jobs <= 1 or count < minimum):
            _set_state(self.state)
            return True
        if self.executor is None:
            self._start(count)
        return False

    def start(self) -> None:
        """Fork the workers now (if there are to be any), before this process reads more into memory:
        a forked process's RSS counts every page of its parent's that it shares."""
        if self.executor is None and self.jobs > 1:
            self._start(self.jobs)
            self.executor.submit(int).result()  # a pool that forks starts every worker at its first task

    def _start(self, count: int) -> None:
        context = multiprocessing.get_context("fork") if _forks() else None
        gc.freeze()
        self.executor = ProcessPoolExecutor(min(self.jobs, count), mp_context=context, initializer=_set_state,
                                            initargs=(self.state,))

    def yield_cpu(self, niceness: int) -> None:
        """Lower the workers' priority by ``niceness`` (``nice``), for the rest of their lives: a process
        may not raise its priority again. Where the system cannot, they keep it."""
        if self.executor is None:
            return
        for worker in multiprocessing.active_children():  # the pool's workers, this process's only such children
            try:
                os.setpriority(os.PRIO_PROCESS, worker.pid, os.getpriority(os.PRIO_PROCESS, worker.pid) + niceness)
            except (AttributeError, OSError):  # no such call here, or the worker is gone
                pass

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None


def _forks() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform == "linux"


class _Aside:
    """``func()`` in a child process forked for it alone; its value (``marshal``-able) is read once.

    For work that reads much of this process's memory, such as checking the
    live output against its manifest (``write.unheld``): a pool's worker
    would copy each page it reads (reference counts are written) and keep
    it until the build ends, where this child exits. Fork only while no
    other thread runs: a lock one holds would stay held in the child.
    """

    def __init__(self, func: Callable[[], object]):
        readable, writable = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            status = 1
            try:
                os.close(readable)
                with open(writable, "wb") as f:
                    f.write(marshal.dumps(func()))
                status = 0
            finally:
                os._exit(status)  # none of this process's clean-up: it is the parent's
        os.close(writable)
        self.file = open(readable, "rb")

    def result(self) -> object | None:
        """Its value, once it has finished; None when it failed (the caller then does the work itself)."""
        data = self.file.read()
        self.file.close()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return marshal.loads(data) if os.waitstatus_to_exitcode(status) == 0 else None

    def close(self) -> None:
        """Stop it, if its result was not taken (a build that failed), and reap it."""
        if self.pid is not None:
            self.file.close()
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None


def _reader() -> Reader:
    """This process's own connection to the build's cache (a forked worker must not use its parent's)."""
    reader = _state.get("reader")
    if reader is None or reader[0] != os.getpid():
        reader = _state["reader"] = (os.getpid(), Reader(_state["cache"]))
    return reader[1]


def _parse(source: Source) -> tuple[Facts | None, bytes | None, list[Problem]]:
    """Round 1: a group file -> its facts and its ``Group`` (pickled), or its problems."""
    problems: list[Problem] = []
    text = read_text(source.path, problems)
    if text is not None and hashlib.sha256(text.encode()).hexdigest() != source.digest:
        problems.append(Problem(source.path, 0, FILE_FIELD, "the file changed while the build was reading it",
                                "build again"))
    if problems:
        return None, None, problems
    doc = parse_document(source.path, source.id, text, problems)
    group, found = validate_group(doc, _state["rubric"], _state["today"])
    problems += found
    if group is None:
        return None, None, problems
    return facts_of(group), pickle.dumps(group, protocol=pickle.HIGHEST_PROTOCOL), problems


def _renderer(lang: str) -> Renderer:
    renderers = _state.setdefault("renderers", {})
    if lang not in renderers:
        renderers[lang] = Renderer(_state["rubric"], _state["site"], lang, _state["extent"], _state.get("compiled"))
    return renderers[lang]


def _page(page: Page, placed: dict) -> tuple[str, str, bytes]:
    """A group's page made now: its digest and compressed bytes for the cache; placed in the output
    being built, if there is one (the state's ``target``), from the process that made it."""
    path, pieces = page
    data = "".join(pieces).encode()
    digest = digest_of(data)
    target = _state.get("target")
    if target is not None:
        placed[path] = write.place(target, path, digest, data)
    return path, digest, pack(data)


def _stream_page(page: Page, placed: dict) -> tuple[str, str, bytes]:
    """Like ``_page`` for a page that may be large (the index of 100,000 groups): written out, hashed
    and compressed in blocks as it is generated, never held whole."""
    path, pieces = page
    target = _state.get("target")
    out = write.Streamed(target, path) if target is not None else None
    digest = hashlib.sha256()
    compressor = packer()
    packed: list[bytes] = []
    block: list[str] = []
    size = 0

    def flush() -> None:
        data = "".join(block).encode()
        block.clear()
        if out is not None:
            out.write(data)
        else:
            digest.update(data)
        packed.append(compressor.compress(data))

    for piece in pieces:
        block.append(piece)
        size += len(piece)
        if size >= 1 << 18:
            flush()
            size = 0
    flush()
    packed.append(compressor.flush())
    if out is not None:
        hexdigest, entry, wrote = out.close()
        placed[path] = (entry, wrote)
    else:
        hexdigest = digest.hexdigest()
    return path, hexdigest, b"".join(packed)


def _entry(entry: tuple[str, bytes]) -> tuple[str, str, bytes]:
    """A search entry made now: its path, digest and compressed bytes for the cache."""
    path, data = entry
    return path, digest_of(data), pack(data)


def _data_files_task(item: tuple[list[str], dict[str, bytes]]) -> dict[str, tuple[str, write.Entry, bool, bytes]]:
    """The data files (see ``_Run._data_files``): ``item`` holds every group's share (its cache key, in
    order of id) and how each file starts. Each file is streamed from the shares, 500 at a time, into
    the output being built and, compressed, into what this returns: path -> (digest, manifest entry,
    bytes written?, compressed bytes)."""
    shares, heads = item
    target = _state["target"]
    streams = {path: write.Streamed(target, path) for path in heads}
    packers = {path: packer() for path in heads}
    packed: dict[str, list[bytes]] = {path: [] for path in heads}

    def out(path: str, data: bytes) -> None:
        streams[path].write(data)
        packed[path].append(packers[path].compress(data))

    for path, head in heads.items():
        out(path, head)
    reader = _reader()
    for start in range(0, len(shares), 500):
        batch = shares[start:start + 500]
        found = reader.get(batch)
        for n, share in enumerate(batch):
            for path, piece in data_pieces(found[share], start + n == 0).items():
                out(path, piece)
    made = {}
    for path, tail in DATA_TAILS.items():
        out(path, tail)
        made[path] = (*streams[path].close(), b"".join(packed[path]) + packers[path].flush())
    return made


@dataclass(frozen=True, slots=True)
class GroupEntry:
    """What every build reads of a rendered group. Its table row in each language (``key:rows:LANG``,
    apart, as a page is made in one language at a time) and its share of the
    data files (``key:data``) are kept apart, read only by a build that re-renders a page showing
    the group or rewrites the data files."""

    pages: tuple[tuple[str, str], ...]
    """(path, digest) of its page in each language and of its ``data.json``."""
    search: tuple[tuple[str, str], ...]
    """(path, digest) of its search entry in each language (see ``search.py``)."""
    summary: GroupSummary
    shown: str
    """A SHA-256 of its summary and rows: all that aggregate pages show of it (their keys use this)."""
    data_key: str
    """A SHA-256 of its share of the data files."""


@dataclass(frozen=True)
class Rendered:
    """A group rendered now: its entry, its cache entries besides (pickled), its pages' compressed
    bytes, the frames drawn for it."""

    entry: GroupEntry
    kept: dict[str, bytes]
    """Its rows in each language and its share of the data files, under their keys' suffixes
    (``rows:LANG``, ``data``), pickled here as the cache keeps them: the build process only stores
    them, so it neither unpickles nor pickles them again (``Cache.put_pickled``)."""
    blobs: list[tuple[str, bytes]]
    frames: dict
    placed: dict
    """Its pages as placed in the output being built: path -> (manifest entry, bytes written?)."""


BUNDLES = 64
"""How many bundles the groups' facts and entries are also kept in (``_Run._bundled``), by a hash of each id."""


def _entry_record(entry: GroupEntry) -> tuple:
    """``entry`` as plain tuples, strings, numbers and dicts (dates as ordinals), for ``marshal``."""
    s = entry.summary
    intern = sys.intern  # marshal keeps an interned string interned: every reader shares it (see GroupSummary)
    return (entry.pages, entry.search, entry.shown, entry.data_key,
            (s.id, s.nama, intern(s.jenis), tuple(map(intern, (s.wilayah.provinsi, s.wilayah.kota,
                                                               s.wilayah.kecamatan, s.wilayah.kelurahan))),
             s.dibentuk.toordinal(), s.bubar.toordinal() if s.bubar is not None else None, intern(s.status),
             tuple(map(intern, s.warnings)), tuple((day.toordinal(), intern(stage)) for day, stage in s.stages),
             s.latest_tenths, _shared_keys(s.latest_levels), _shared_keys(s.first_assets),
             _shared_keys(s.latest_assets)))


def _entry_from(record: tuple) -> GroupEntry:
    """The inverse of ``_entry_record``."""
    day = dt.date.fromordinal
    pages, search, shown, data_key, (id, nama, jenis, wilayah, dibentuk, bubar, status, warnings, stages, tenths,
                                     levels, first, latest) = record
    summary = GroupSummary(id, nama, jenis, Area(*wilayah), day(dibentuk), day(bubar) if bubar is not None else None,
                           status, warnings, tuple((day(d), stage) for d, stage in stages), tenths, levels, first,
                           latest)
    return GroupEntry(pages, search, summary, shown, data_key)


def _facts_record(facts: Facts) -> tuple:
    """``facts`` for ``marshal`` (see ``_entry_record``)."""
    return (facts.id, facts.dibentuk.toordinal(), facts.bubar.toordinal() if facts.bubar is not None else None,
            facts.latest.toordinal() if facts.latest is not None else None, facts.area)


def _facts_from(record: tuple) -> Facts:
    day = dt.date.fromordinal
    id, dibentuk, bubar, latest, area = record
    return Facts(id, day(dibentuk), day(bubar) if bubar is not None else None,
                 day(latest) if latest is not None else None, area)


def _bundle_of(group_id: str) -> int:
    return zlib.crc32(group_id.encode()) % BUNDLES  # stable everywhere, and five times faster than a SHA-256


def _render_group(item: tuple[str, tuple[str, ...]]) -> Rendered:
    """Round 2: a group (its parse's key) and its area's slugs -> its pages (compressed), summary, rows and data."""
    parse_key, slugs = item
    found = _reader().get([parse_key + ":group"])
    if not found:
        raise CacheError(f"the cache lost a parsed group; delete {_state['cache']} or build with --no-cache")
    group = pickle.loads(found[parse_key + ":group"])
    rubric = _state["rubric"]
    scored = score_group(group, rubric, _state["extent"].as_of)
    summary = summarise_group(scored)
    pages, search, blobs, rows, placed = [], [], [], {}, {}
    for lang in _state["site"].languages:
        renderer = _renderer(lang)
        path, digest, data = _page(renderer.group(scored, slugs), placed)
        pages.append((path, digest))
        blobs.append((digest, data))
        path, digest, data = _entry(renderer.group_entry(scored))
        search.append((path, digest))
        blobs.append((digest, data))
        rows[lang] = renderer.row(summary)
    data = group_data(scored, rubric)
    record = group_json(data)
    path, digest = group_json_path(group.id), digest_of(record)
    target = _state.get("target")
    if target is not None:
        placed[path] = write.place(target, path, digest, record)
    pages.append((path, digest))
    blobs.append((digest, pack(record)))
    entry = GroupEntry(tuple(pages), tuple(search), summary, _key(summary, tuple(sorted(rows.items()))), _key(data))
    kept = {f"rows:{lang}": row for lang, row in rows.items()}
    kept["data"] = data
    return Rendered(entry, {suffix: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) for suffix, value in kept.items()},
                    blobs, charts.take_drawn_frames(), placed)


class _SearchIndex:
    """The site's search index: which Pagefind runs the cache holds, making the others, keeping them.

    See ``search.py``. A run's output is kept under a key of its language
    and entries (and the code and library versions); where it goes in the
    site follows from its part.
    """

    def __init__(self, run: "_Run", entries: dict[str, str], files: dict[str, str]):
        """Put every file of the runs the cache holds, and the entry file of every part whose runs it
        holds, into ``files``; ``missing`` are the runs to make."""
        self.cache = run.cache
        self.parts = run.parts
        self.made: dict[searching.Run, list[str]] = {}
        self.missing: list[searching.Run] = []
        self.taken: list[tuple[str, bytes]] = []
        self.indexing: searching.Indexing | None = None
        self.scratch: str | None = None
        self.inputs: str | None = None
        """Where Pagefind writes (in the output being built), and what it reads (see ``entries_folder``)."""
        # the whole index, when no entry changed (one key: splitting costs a tenth of a second)
        self.whole_key = _key_of_pairs(("search index", code_version(), self.parts), sorted(entries.items()))
        self.whole = self.cache.get([self.whole_key]).get(self.whole_key)
        if self.whole is not None:
            files.update(self.whole)
            self.cache.use_blobs(self.whole.values())
            return
        site = run.settings.site
        prefixes = [(language_prefix(site, lang), lang) for lang in reversed(site.languages)]
        self.runs = searching.split(entries, lambda path: next(lang for p, lang in prefixes if path.startswith(p)),
                                    self.parts)
        self.keys = {r: _key_of_pairs(("search run", code_version(), r.lang), found.items())
                     for r, found in self.runs.items()}
        held = self.cache.get(self.keys.values())
        self.entry_data = {r: held[k]["entry"] for r, k in self.keys.items() if k in held}
        self.missing = [r for r in self.runs if self.keys[r] not in held]
        self.held_files: set[str] = set()
        """The files of the runs the cache holds, which the writer places before Pagefind's are taken in."""
        for r, k in self.keys.items():
            if k in held:
                found = {f"{searching.bundle(r.part)}/{rel}": digest for rel, digest in held[k]["files"].items()}
                files.update(found)
                self.held_files.update(found)
                self.cache.use_blobs(found.values())
        self.made_parts = {r.part for r in self.missing}
        for part in range(self.parts):
            if part not in self.made_parts:
                data = self.entry_json(part)
                files[f"{searching.bundle(part)}/{searching.ENTRY}"] = digest_of(data)
                self.cache.put_blobs([(digest_of(data), pack(data))])

    def entry_json(self, part: int) -> bytes:
        return searching.entry_json(data for r, data in sorted(self.entry_data.items()) if r.part == part)

    def start(self, fresh: str, jobs: int) -> None:
        """Start Pagefind on the missing runs, ``jobs`` at a time, in the background (the build goes on);
        their bundles go to a scratch folder in ``fresh``, the output being built."""
        if not self.missing:
            return
        self.scratch = os.path.join(fresh, ".search-runs")
        shutil.rmtree(self.scratch, ignore_errors=True)  # left by a build that was killed
        os.makedirs(self.scratch)
        self.inputs = searching.entries_folder(self.scratch)
        # One folder of numbered files per run: each entry names its page's address itself, and on some
        # disks a folder per entry (as the pages have) costs more than Pagefind's whole run.
        folders = {r: os.path.join(self.inputs, f"{r.part}-{r.lang}") for r in self.missing}
        digests = {r: list(self.runs[r].values()) for r in self.missing}
        cache = self.cache.folder

        def prepare(r: searching.Run) -> None:
            """Write a run's entries, from the cache (a connection of the thread's own)."""
            reader = Reader(cache)
            try:
                os.makedirs(folders[r])
                for n, data in enumerate(reader.blobs(digests[r])):
                    with open(os.path.join(folders[r], f"{n}.html"), "wb") as f:
                        f.write(data)
            finally:
                reader.close()

        self.indexing = searching.Indexing(folders, self.scratch, jobs, prepare)

    def make(self, fresh: str) -> Generator[str, None, None]:
        """The writer's last step (``write.More``): put each run's bundle into ``fresh`` as soon as
        Pagefind has made it, then the entry file of each part; yields what it adds, relative to
        ``fresh``. The writer takes in one run's files while Pagefind makes the next: past
        ``ONE_PART`` entries the runs go one at a time, and taking in a run's files is work (the
        24,500 files of 10,000 groups took the writer 2.5 s). Stopped early (the writer failed), it
        stops Pagefind."""
        # Nothing else is under pagefind/ when this runs: the writer placed the held runs' files, and
        # removed what the output folder held before that is not in the site.
        moved = set(self.held_files)
        try:
            for r, out, data in self.indexing.each():
                self.entry_data[r] = data
                self.made[r] = []
                for here, folders, names in os.walk(out):
                    folders.sort()
                    below = os.path.relpath(here, out).replace(os.sep, "/")
                    below = "" if below == "." else f"{below}/"
                    os.makedirs(os.path.join(fresh, searching.bundle(r.part), below), exist_ok=True)
                    for name in sorted(names):
                        rel = below + name
                        relpath = f"{searching.bundle(r.part)}/{rel}"
                        self.made[r].append(rel)
                        if relpath not in moved:  # else the same file, from another run of the part
                            moved.add(relpath)
                            os.replace(os.path.join(here, name), os.path.join(fresh, relpath))
                            yield relpath
            for part in sorted(self.made_parts):
                relpath = f"{searching.bundle(part)}/{searching.ENTRY}"
                with open(os.path.join(fresh, relpath), "wb") as f:
                    f.write(self.entry_json(part))
                yield relpath
        except BaseException:
            self.indexing.cancel()
            raise
        finally:
            self._clean()

    def cancel(self) -> None:
        """The build failed: stop Pagefind, remove its folders."""
        if self.indexing is not None:
            self.indexing.cancel()
        self._clean()

    def _clean(self) -> None:
        for folder in (self.inputs, self.scratch):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def take(self, digest: str, data: bytes) -> None:
        """A file the writer took in from ``make``: its bytes go to the cache (in batches)."""
        self.taken.append((digest, pack(data)))
        if len(self.taken) >= 512:
            self.flush()

    def flush(self) -> None:
        self.cache.put_blobs(self.taken)
        self.taken = []

    def keep(self, staging: write.Staging, files: dict[str, str]) -> dict[str, str]:
        """After the writer: the runs made and the whole index into the cache; adds every file the writer
        added to ``files`` (in place: at 100,000 groups a copy is a hundred megabytes) and returns it."""
        self.cache.use_blobs(staging.added.values())
        files.update(staging.added)
        for r, made in self.made.items():
            where = searching.bundle(r.part)
            self.cache.put({self.keys[r]: {"entry": self.entry_data[r],
                                           "files": {rel: files[f"{where}/{rel}"] for rel in sorted(made)}}})
        if self.whole is None:
            self.cache.put({self.whole_key: {path: digest for path, digest in files.items()
                                             if path.startswith("pagefind/")}})
        return files


@dataclass(frozen=True)
class PagesTask:
    """Some aggregate pages and exactly what they show, sent to a worker as they are.

    Sending a task its own areas, summaries and group keys, rather than
    letting a forked worker read them from its parent's memory, keeps each
    worker to what it renders: a read of a parent's object copies the page
    it lives on (reference counts are written), so reading everything, kota
    after kota, would copy the parent's whole heap into every worker.
    """

    specs: tuple[tuple, ...]
    """("index", ()), ("area", slugs), ("warnings",), ("areas",), ("methodology",) or ("404",)."""
    areas: dict[tuple[str, ...], AreaSummary]
    """Every area the pages show or link to, by slugs."""
    summaries: dict[str, GroupSummary]
    """The groups whose analysis an area page draws."""
    keys: dict[str, str]
    """Group id -> group key (its rows are read from the cache under ``key:rows:LANG``), for every row shown."""
    shown: dict[str, str]
    """Group id -> ``GroupEntry.shown``, for every row shown: what keys a piece of a big table."""
    warnings: dict[str, tuple[str, ...]]
    """For the warnings page: warning key -> ids of the groups carrying it."""
    whole: Analysis | None
    """For the index: the whole programme's analysis, made by the build process."""
    found: Choices | None
    """For the index: what its table's filters offer, made by the build process."""


KEPT_TABLE = 1024
"""A table of at least this many rows is given to the page in pieces the cache keeps (``_KeptRows``)."""


class _KeptRows:
    """A big table's rows, given to ``PlacedRows`` in pieces that the cache keeps, each under a key of
    what its rows show and where they are placed: the home page of 10,000 groups, made again after one
    group changed, reads the rows of one piece, not of every group. The pieces made now go to the build
    process through a ``_Spill``, and the keys of those read through ``used``; a worker only reads the cache.
    """

    def __init__(self, ids: Sequence[str], task: "PagesTask", lang: str, spill: "_Spill"):
        self.ids, self.task, self.lang, self.spill = ids, task, lang, spill
        self.used: list[str] = []

    def pieces(self, place: Callable[[Iterable[Row]], Markup], size: int, placing: tuple) -> Iterator[Markup]:
        chunks = [self.ids[start:start + size] for start in range(0, len(self.ids), size)]
        keys = [_key("rows piece", code_version(), self.lang, placing, tuple(self.task.shown[i] for i in chunk))
                for chunk in chunks]
        found: dict = {}
        for n, (chunk, key) in enumerate(zip(chunks, keys)):
            if n % 64 == 0:  # read as they are placed: the pieces of 100,000 rows are 80 MB, compressed
                found = _reader().get(keys[n:n + 64])
            if key in found:
                self.used.append(key)
                yield Markup(unpack(found[key]).decode())
            else:
                piece = place(_rows(chunk, self.task.keys, self.lang))
                self.spill.add(key, pack(piece.encode()))
                yield piece


PIECES = ".table-pieces"
"""The folder, in the output being built, where workers put the table pieces they make (``_Spill``)."""


class _Spill:
    """The table pieces one page's worker makes, written to a file as they are made, for the build
    process to read back into the cache a few at a time (``_spilled``).

    The home page of 100,000 groups has 135 MB of them, compressed: held
    until the page was done, then sent through the pipe in one result,
    they doubled that worker's memory and added as much to the build
    process's. The file is in the output being built (``PIECES``), so a
    build that fails or is killed leaves nothing behind (``write.abort``,
    ``write.begin``).
    """

    def __init__(self):
        self.file = None

    def add(self, key: str, data: bytes) -> None:
        if self.file is None:
            folder = os.path.join(_state["target"].fresh, PIECES)
            os.makedirs(folder, exist_ok=True)
            self.file = tempfile.NamedTemporaryFile(dir=folder, suffix=".pickle", delete=False)
        pickle.dump((key, data), self.file, pickle.HIGHEST_PROTOCOL)

    def close(self) -> str | None:
        """The file's path; None when no piece was made."""
        if self.file is None:
            return None
        self.file.close()
        return self.file.name


def _spilled(path: str) -> Iterator[tuple[str, bytes]]:
    """The (key, compressed piece) pairs a ``_Spill`` wrote, one at a time; the file goes once read."""
    try:
        with open(path, "rb") as f:
            while True:
                try:
                    yield pickle.load(f)
                except EOFError:
                    return
    finally:
        os.remove(path)


def _table(ids: Sequence[str], task: "PagesTask", lang: str, kept: list[_KeptRows], spill: _Spill
           ) -> Iterable[Row]:
    """The rows of the groups ``ids`` for a page's table: kept in pieces if the table is big."""
    if len(ids) < KEPT_TABLE:
        return _rows(ids, task.keys, lang)
    rows = _KeptRows(ids, task, lang, spill)
    kept.append(rows)
    return rows


def _rows(ids: Sequence[str], keys: dict[str, str], lang: str) -> Iterator[Row]:
    """The table rows of the groups ``ids`` in one language, read from the cache in batches as they are used."""
    for start in range(0, len(ids), 500):
        batch = ids[start:start + 500]
        found = _reader().get(f"{keys[i]}:rows:{lang}" for i in batch)
        for i in batch:
            yield found[f"{keys[i]}:rows:{lang}"]


Made = list[tuple[str, str, bytes]]
"""Files made now: (path, digest, compressed bytes) of each."""


def _render_pages(task: PagesTask) -> list[tuple[Made, dict, dict, str | None, list[str]]]:
    """Round 3: some aggregate pages -> for each, what ``_render_page`` makes."""
    return [_render_page(spec, task) for spec in task.specs]


def _render_page(spec: tuple, task: PagesTask) -> tuple[Made, dict, dict, str | None, list[str]]:
    """One aggregate page, in every language -> its pages, the chart frames drawn, the pages as placed
    in the output, the file of the big tables' pieces made now (``_Spill``) and the keys of those read
    (``_KeptRows``)."""
    kind = spec[0]
    analysis = None
    if kind in ("index", "area"):
        area = task.areas[spec[1]]
        if kind == "index":
            analysis, found = task.whole, task.found
        else:
            groups = [task.summaries[i] for i in area.group_ids]
            analysis = analyse(groups, _state["rubric"], _state["extent"].as_of, _state["extent"].periods)
            found = choices(groups, len(area.names))
        children = [task.areas[c] for c in area.children]
    made, placed, kept, spill = [], {}, [], _Spill()
    for lang in _state["site"].languages:
        r = _renderer(lang)
        if kind in ("index", "area"):
            page = (r.index if kind == "index" else r.area)(area, children, analysis,
                                                            _table(area.group_ids, task, lang, kept, spill), found)
        elif kind == "warnings":
            page = r.warnings_page({key: _table(ids, task, lang, kept, spill) for key, ids in task.warnings.items()},
                                   {key: len(ids) for key, ids in task.warnings.items()},
                                   task.areas[()].counts.warned)
        elif kind == "areas":
            page = r.areas_index(task.areas)
        elif kind == "methodology":
            page = r.methodology()
        elif kind == "search":
            page = r.search(spec[1])
        else:
            page = r.not_found()
        made.append(_stream_page(page, placed))
    return made, charts.take_drawn_frames(), placed, spill.close(), [k for rows in kept for k in rows.used]


# --------------------------------------------------------------------------
# A build


def build(content_dir: str, out_dir: str, today: dt.date, as_of: dt.date | None = None, jobs: int | None = None,
          cache_dir: str | None = None, shard: tuple[int, int] | None = None) -> tuple[Built, WriteStats | None]:
    """Check the content and replace ``out_dir`` with the site; ``cache_dir`` None builds without a cache.

    With ``shard=(k, n)``: render shard ``k``'s groups only and write their
    bundle into the cache folder (``Built.bundle``); nothing is written to
    ``out_dir`` and the stats are None.
    """
    cache = Cache(cache_dir)
    run = None
    try:
        run = _Run(content_dir, today, as_of, jobs or os.cpu_count() or 1, cache)
        if shard is not None:
            return run.shard(*shard), None
        return run.site(out_dir, cache_dir is not None)
    finally:
        if run is not None:
            run.close_workers()
        cache.close(record=run is not None and run.finished and not run.whole_site_cached)
        gc.unfreeze()


def merge(bundles: Iterable[str], content_dir: str, out_dir: str, today: dt.date, as_of: dt.date | None = None,
          jobs: int | None = None, cache_dir: str | None = None) -> tuple[Built, WriteStats]:
    """Build the site from shard bundles: every shard of one split of this content, each once."""
    cache = Cache(cache_dir)
    run = None
    try:
        metas = [(path, cache.import_bundle(path)) for path in bundles]
        run = _Run(content_dir, today, as_of, jobs or os.cpu_count() or 1, cache)
        run.check_bundles(metas)
        return run.site(out_dir, cache_dir is not None)
    finally:
        if run is not None:
            run.close_workers()
        cache.close(record=run is not None and run.finished and not run.whole_site_cached)
        gc.unfreeze()


class _Run:
    """One build's steps and what they pass on; the steps are called in order by ``build`` and ``merge``."""

    def __init__(self, content_dir: str, today: dt.date, as_of: dt.date | None, jobs: int, cache: Cache):
        self.cache = cache
        self.jobs = jobs
        self.today = today
        self.as_of = as_of
        seen_key = _key("seen", os.path.abspath(content_dir))
        known = cache.get([seen_key]).get(seen_key, {})
        settings, self.sources, problems, seen = _read(content_dir, known, cache.clock())
        if seen != known:
            cache.put({seen_key: seen})
        if settings is None or problems:
            raise ContentError(problems)
        self.settings = settings
        self.fingerprint = _key("content", settings.site_key, as_of, tuple(s.key for s in self.sources))
        """Everything the site depends on: settings, code, templates, --as-of, every group file's path and text."""
        self.compiled = None if cache.temporary else os.path.join(cache.folder, "templates")
        """Where the templates' compiled code is kept (see ``render.environment``)."""
        if self.compiled:
            os.makedirs(self.compiled, exist_ok=True)
        self.frames_key = _key("frames", code_version())
        self.new_frames: dict = {}
        self.finished = False
        self.whole_site_cached = False
        self.parsed = 0
        self.parsed_keys: frozenset[str] = frozenset()
        """The parse keys of the groups parsed in this build (whose pages no build has made)."""
        self.staging: write.Staging | None = None
        """The output being built, where pages go as they are rendered (None for a shard)."""
        self.workers: _Pool | None = None
        self.checking: _Aside | None = None
        """The check of the live output's files (``write.unheld``), while it runs."""
        self.index: _SearchIndex | None = None
        self.making: Future | None = None
        """The data files' task (``_data_files``): a build that fails waits for it before it cleans up."""

    def prepare(self) -> None:
        """Round 1, then the programme-wide values."""
        frames = self.cache.get([self.frames_key]).get(self.frames_key, {})
        charts.add_frames(frames)
        self.facts = self._parse_all(self.today, load_charts=not frames)
        self.extent = extent_of(list(self.facts.values()), self.as_of)
        self.slugs = area_slugs(f.area for f in self.facts.values())

    # --- round 1 -----------------------------------------------------------------

    def _parse_all(self, today: dt.date, load_charts: bool = False) -> dict[str, Facts]:
        """Every group's facts, by id; the groups parsed now go to the cache.

        The cache keeps a parse as two entries: the facts under its key, which
        every build reads, and the pickled ``Group`` under ``key:group``,
        which only a build that renders the group reads.

        While a pool parses, this process loads the templates and, with
        ``load_charts`` (no chart frame is known yet), imports matplotlib, so
        the workers of rounds 2 and 3 inherit them (``render.load_templates``,
        ``charts.load_matplotlib``). A thread does it, started once the pool's
        workers are forked and joined before this returns: a process forked
        while another thread runs may inherit a lock it holds.
        """
        bundles, facts = self._bundled("facts", [(s.id, s.key) for s in self.sources], _facts_from)
        missing = [s for s in self.sources if s.key not in facts]
        self.parsed = len(missing)
        self.parsed_keys = frozenset(s.key for s in missing)
        state = {"rubric": self.settings.rubric, "today": today}
        problems: list[Problem] = []
        found = {}
        parsing = _Pool(self.jobs, state)
        loading = None
        try:
            results = parsing.map(_parse, missing, 64, POOL_MIN_GROUPS)
            if parsing.executor is not None:
                loading = threading.Thread(target=self._load_for_workers, args=(load_charts,),
                                           name="ksm-site templates and matplotlib", daemon=True)
                loading.start()
            for source, (fact, group, trouble) in zip(missing, results):
                problems += trouble
                if fact is not None:
                    found[source.key], found[source.key + ":group"] = fact, group
                    facts[source.key] = fact
                if len(found) >= 2048:
                    self.cache.put(found)
                    found = {}
        finally:
            parsing.close()
            if loading is not None:
                loading.join()
        if problems:
            raise ContentError(problems)
        self.cache.put(found)
        self._keep_bundles(bundles, facts, _facts_record)
        return {s.id: facts[s.key] for s in self.sources}

    def _load_for_workers(self, load_charts: bool) -> None:
        load_templates(self.settings.site.languages, self.compiled)
        if load_charts:
            charts.load_matplotlib()

    # --- rounds 2 and 3 -------------------------------------------------------------

    def _workers(self) -> _Pool:
        """The pool of rounds 2 and 3 (one pool: see ``_Pool``)."""
        if self.workers is None:
            self.workers = _Pool(self.jobs, {
                "rubric": self.settings.rubric, "site": self.settings.site, "extent": self.extent,
                "target": self.staging.target if self.staging else None, "cache": self.cache.folder,
                "compiled": self.compiled})
        return self.workers

    def close_workers(self) -> None:
        if self.workers is not None:
            self.workers.close()
            self.workers = None
        if self.checking is not None:
            self.checking.close()
            self.checking = None

    def group_key(self, source: Source) -> str:
        extent = self.extent
        return _key("group", source.key, self.settings.site_key, extent.as_of, extent.first_year, extent.last_day,
                    self.slugs[self.facts[source.id].area])

    def _render_groups(self, sources: list[Source], bundled: bool = False
                       ) -> tuple[dict[str, GroupEntry], dict[str, str], int]:
        """Every group's entry (from the cache, or rendered now) and key, by id. ``bundled``: read and
        keep them in bundles too (``_bundled``), for a build of every group."""
        keys = {s.id: self.group_key(s) for s in sources}

        def render(group: list[Source]) -> Iterator[Rendered]:
            items = [(s.key, self.slugs[self.facts[s.id].area]) for s in group]
            return self._workers().map(_render_group, items, 8, POOL_MIN_GROUPS)

        # a group parsed now has no pages in the cache: the pool starts on it (an edit's one group)
        # while this process reads every other group's entry
        first = [s for s in sources if s.key in self.parsed_keys]
        first_done = render(first)
        if bundled:
            bundles, entries = self._bundled("entry", [(s.id, keys[s.id]) for s in sources], _entry_from)
        else:
            bundles, entries = {}, self.cache.get(keys.values())
        rest = [s for s in sources if keys[s.id] not in entries and s.key not in self.parsed_keys]
        missing = first + rest
        done: dict[str, object] = {}
        pickled: dict[str, bytes] = {}
        blobs: list[tuple[str, bytes]] = []
        for source, result in zip(missing, itertools.chain(first_done, render(rest))):
            key = keys[source.id]
            entries[key] = done[key] = result.entry
            pickled.update((f"{key}:{suffix}", value) for suffix, value in result.kept.items())
            blobs += result.blobs
            self.new_frames.update(result.frames)
            if self.staging:
                self.staging.placed.update(result.placed)
            if len(blobs) >= 512:
                self.cache.put_pickled(pickled)
                self._store(done, blobs)
                done, pickled, blobs = {}, {}, []
        self.cache.put_pickled(pickled)
        self._store(done, blobs)
        self._keep_bundles(bundles, entries, _entry_record)
        return {s.id: entries[keys[s.id]] for s in sources}, keys, len(missing)

    def _bundled(self, kind: str, members: list[tuple[str, str]], decode: Callable[[tuple], object]
                 ) -> tuple[dict[str, tuple[list[str], dict[str, object] | None]], dict[str, object]]:
        """Entries of one ``kind``, from bundles and else one by one. ``members``: (group id, entry key)
        of every group. Returns the bundles, bundle key -> (its entry keys, {entry key: value}, or None
        where the cache holds no bundle of exactly these entries: ``_keep_bundles`` then keeps one); and
        every entry the cache holds, by key.

        Reading 10,000 entries one by one cost a one-file edit more than anything else it did: a
        query per row and a pickle per entry. A bundle is one row of many entries, in ``marshal``
        (which reads them twice as fast as pickle). A group's bundle is fixed by its id (one of
        ``BUNDLES``), and the bundle's key by its entries' keys: an edit misses one bundle, a build
        with another as-of date every one. Each entry is kept on its own as well, and counts as used
        with its bundle."""
        keys: dict[int, list[str]] = {}
        for group_id, key in members:
            keys.setdefault(_bundle_of(group_id), []).append(key)
        wanted = {_key("bundle", kind, tuple(entry_keys)): entry_keys for _, entry_keys in sorted(keys.items())}
        held = self.cache.get(wanted)
        bundles: dict[str, tuple[list[str], dict[str, object] | None]] = {}
        with no_collection():  # at 10,000 groups, 0.22 s against 0.30 s (six one-file edits each)
            for key, entry_keys in wanted.items():
                found = None
                if key in held:
                    found = dict(zip(entry_keys, map(decode, marshal.loads(held[key]))))
                    self.cache.use(entry_keys)
                bundles[key] = (entry_keys, found)
        values = {k: value for _, found in bundles.values() if found is not None for k, value in found.items()}
        values.update(self.cache.get(k for _, k in members if k not in values))
        return bundles, values

    def _keep_bundles(self, bundles: dict[str, tuple[list[str], dict | None]], values: dict[str, object],
                      encode: Callable[[object], tuple]) -> None:
        """The bundles that ``_bundled`` did not find, made of ``values`` (by entry key), one at a time
        (at 100,000 groups the entries' bundles take 130 MB)."""
        for key, (entry_keys, held) in bundles.items():
            if held is None:
                self.cache.put({key: marshal.dumps(tuple(encode(values[k]) for k in entry_keys))})
        self.cache.commit()

    def _store(self, entries: dict, blobs: list[tuple[str, bytes]]) -> None:
        self.cache.put_blobs(blobs)
        self.cache.put(entries)
        self.cache.commit()

    # --- a shard ---------------------------------------------------------------------

    def shard(self, k: int, n: int) -> Built:
        self.prepare()
        mine = [s for s in self.sources if shard_of(s.id, n) == k]
        entries, keys, rendered = self._render_groups(mine)
        self._keep_frames()
        folder = os.path.join(self.cache.folder, "shards")
        path = os.path.join(folder, f"shard-{k}-of-{n}.sqlite")
        digests = [digest for entry in entries.values() for _, digest in entry.pages + entry.search]
        self.cache.use_blobs(digests)
        parts = ("", ":data", *(f":rows:{lang}" for lang in self.settings.site.languages))
        group_keys = [k + part for k in keys.values() for part in parts]
        self.cache.export(path, [s.key for s in self.sources] + group_keys + [self.frames_key], digests,
                          {"fingerprint": self.fingerprint, "shard": str(k), "shards": str(n)})
        self.finished = True
        return Built(tuple(s.id for s in self.sources), self.parsed, rendered, 0, path)

    def check_bundles(self, metas: list[tuple[str, dict[str, str]]]) -> None:
        """Every shard of one split of this content, each once: else ``ShardError``."""
        if not metas:
            raise ShardError("no shard bundles to merge")
        counts = {meta.get("shards") for _, meta in metas}
        for path, meta in metas:
            if meta.get("fingerprint") != self.fingerprint:
                raise ShardError(f"{path} was built from other content, settings, code or --as-of")
        if len(counts) != 1:
            raise ShardError("the bundles come from different splits: " + ", ".join(sorted(map(str, counts))))
        n = int(counts.pop())
        have = sorted(int(meta["shard"]) for _, meta in metas)
        if have != list(range(1, n + 1)):
            raise ShardError(f"merging needs shards 1 to {n}, each once; got {', '.join(map(str, have)) or 'none'}")

    # --- round 3 and the writer ----------------------------------------------------

    def site(self, out_dir: str, keep_manifest: bool) -> tuple[Built, WriteStats]:
        """Rounds 2 and 3 and the writer; or, when this very content was built before, only the writer."""
        site_key = _key("site", self.fingerprint)
        files = self.cache.get_rows(site_key)
        manifest = self.cache.manifest(out_dir) if keep_manifest else None
        self.whole_site_cached = files is not None
        rendered = made = 0
        if files is not None:
            stats = write_site(files, out_dir, fetch=self.cache.blob, manifest=manifest)
        else:
            staging = write.begin(out_dir, manifest)
            try:
                files, rendered, made = self._make_site(staging)
                index = self.index
                staging.keep = index.take
                self.cache.commit()
            except BaseException:
                if self.index is not None:
                    self.index.cancel()
                if self.making is not None:
                    wait([self.making])  # it writes into the folder that abort removes
                write.abort(staging)
                raise
            try:
                stats = write.finish(staging, files, fetch=self.cache.blob, more=index.make if index.missing else None)
            except BaseException:
                index.cancel()
                raise
            index.flush()
            files = index.keep(staging, files)
            self.cache.put_rows(site_key, files)
        self.cache.commit()
        self.finished = True
        return Built(tuple(s.id for s in self.sources), self.parsed, rendered, made), stats

    def _make_site(self, staging: write.Staging) -> tuple[dict[str, str], int, int]:
        """Every file of the site as (path, digest), their bytes in the cache; and how many groups and
        other pages were rendered. Files made now are placed in ``staging`` by the process that makes
        them. The search index (``self.index``) is set up, and started, once round 3's tasks are sent."""
        self.prepare()
        self.staging = staging
        target = staging.target
        if target.live_files and target.shadow is None and self.jobs > 1 and _forks():
            # a child checks the live files against the manifest while this process reads the entries
            self.checking = _Aside(lambda: write.unheld(target))
        self._workers().start()  # before every group's entry is read (an edit renders round 3 in the pool)
        entries, keys, rendered = self._render_groups(self.sources, bundled=True)
        self.facts = {}
        gc.freeze()  # what a build holds of every group lives to its end: no collection needs to look at it again
        # the data files need only the groups' shares: a worker makes them while this process analyses
        data_files = self._data_files(entries, keys)
        settings = self.settings
        programme = summarise([e.summary for e in entries.values()], settings.rubric, self.extent.as_of)
        self.summaries = {g.id: g for g in programme.groups}
        # every group, every area, the warnings and the methodology pages are found by the search: one
        # entry of each in each language (``_search_entries``), counted here, made once round 3 is sent
        counted = len(entries) + len(programme.areas) - 1 + 2  # the root area has no page of its own
        self.parts = searching.parts_for(counted)
        alongside = searching.alongside(self.parts)
        files: dict[str, str] = {}
        search: dict[str, str] = {}
        search_files: dict[str, str] = {}

        def beside() -> None:
            """While the workers render round 3 (an edit's index page waits for nothing here)."""
            for entry in entries.values():
                files.update(entry.pages)
                search.update(entry.search)
            search.update(self._search_entries(programme))
            assert len(search) == counted * len(settings.site.languages), "search entries miscounted"
            self.index = _SearchIndex(self, search, search_files)
            self.cache.commit()  # what Pagefind's threads read
            if alongside:
                self.index.start(staging.target.fresh, self.jobs)
                if self.index.missing and self.workers is not None:
                    self.workers.yield_cpu(SEARCH_FIRST)

        pages, made = self._render_aggregates(programme, entries, keys, beside)
        files.update(data_files())
        if self.checking is not None:
            staging.unheld = self.checking.result()
        self.close_workers()
        if not alongside:
            self.index.start(staging.target.fresh, 1)
        files.update(pages)
        made_here = {**static_files(), SCHEMA_PATH: schema_bytes(settings.rubric, settings.site)}
        made_here.update((path, text.encode()) for path, text in sitemap(settings.site, files).items())
        self.cache.put_blobs((digest_of(data), pack(data)) for data in made_here.values())
        files.update((path, digest_of(data)) for path, data in made_here.items())
        files.update(search_files)
        del self.summaries, self.shown  # the last references to every group's summary: gone before the writer
        self._keep_frames()
        self.cache.use_blobs(files.values())
        self.cache.use_blobs(search.values())
        return files, rendered, made

    def _search_entries(self, programme: Programme) -> dict[str, str]:
        """The search entries of the pages besides the groups' (areas, warnings, methodology) as (path,
        digest), their bytes in the cache: made here, in each language, while the workers render round 3,
        so that Pagefind can run beside it. An area's depends on its names only."""
        site_key = self.settings.site_key
        specs = {_key("entry", site_key, "area", slugs, area.names, area.level): slugs
                 for slugs, area in programme.areas.items() if slugs}
        specs[_key("entry", site_key, "warnings")] = "warnings"
        specs[_key("entry", site_key, "methodology")] = "methodology"
        held = self.cache.get(specs)
        made: dict[str, tuple[tuple[str, str], ...]] = {}
        blobs = []
        renderers: dict[str, Renderer] = {}
        for key, spec in specs.items():
            if key in held:
                continue
            found = []
            for lang in self.settings.site.languages:
                if lang not in renderers:
                    renderers[lang] = Renderer(self.settings.rubric, self.settings.site, lang, self.extent,
                                               self.compiled)
                r = renderers[lang]
                entry = (r.warnings_entry() if spec == "warnings" else r.methodology_entry() if spec == "methodology"
                         else r.area_entry(programme.areas[spec]))
                path, digest, data = _entry(entry)
                found.append((path, digest))
                blobs.append((digest, data))
            held[key] = made[key] = tuple(found)
        self._store(made, blobs)
        return {path: digest for found in held.values() for path, digest in found}

    def _render_aggregates(self, programme: Programme, entries: dict[str, GroupEntry], keys: dict[str, str],
                           beside: Callable[[], None]) -> tuple[dict[str, str], int]:
        """Every aggregate page's (path, digest), and how many pages were rendered now; ``beside`` is what
        this process does while the workers render them (the search entries and index).

        It starts threads, so it runs once the workers are forked: a lock that a thread holds at a fork
        stays held, for ever, in the child. (A pool forks every worker at its first task.)"""
        extent = self.extent
        context = _key("pages", self.settings.site_key, extent.as_of, extent.periods, extent.survival_years)
        shown = self.shown = {i: e.shown for i, e in entries.items()}
        specs: dict[str, tuple] = {}
        for slugs, area in programme.areas.items():
            spec = ("index", slugs) if not slugs else ("area", slugs)
            specs[_key(context, spec, tuple(shown[i] for i in area.group_ids))] = spec
        specs[_key(context, "warnings", programme.areas[()].counts.warned,
                   tuple((rule, tuple(shown[i] for i in ids)) for rule, ids in programme.warnings.items()))] = ("warnings",)
        specs[_key(context, "areas", tuple((a.slugs, a.names, tuple(a.counts.by_status.values()), a.counts.warned)
                                           for _, a in sorted(programme.areas.items())))] = ("areas",)
        specs[_key(context, "methodology")] = ("methodology",)
        specs[_key(context, "search", self.parts)] = ("search", self.parts)
        specs[_key(context, "404")] = ("404",)
        entries = self.cache.get(specs)  # from here on, the pages' entries
        missing = [k for k in specs if k not in entries]
        # One task per kota (its page and every area page inside it), the biggest first; the index,
        # the warnings and the small pages each one of their own.
        tasks: dict[tuple, list[str]] = {}
        for k in missing:
            spec = specs[k]
            tasks.setdefault(("area", spec[1][0]) if spec[0] == "area" else (spec[0],), []).append(k)
        cost = {("index",): len(programme.groups), ("warnings",): len(programme.groups)}
        order = sorted(tasks, key=lambda t: -(programme.areas[t[1:]].counts.total if t[0] == "area"
                                              else cost.get(t, 0)))
        if order[:1] == [("index",)] and len(order) > 1:
            # the biggest kota first: a worker renders it while this process analyses the whole programme
            order[:2] = order[1::-1]
        self.cache.commit()
        work = (self._pages_task(tuple(specs[k] for k in tasks[t]), programme, keys) for t in order)
        rendering = self._workers().each(_render_pages, work, 2, len(order))
        beside()
        done, blobs = {}, []
        for n, results in rendering:
            for key, (made, frames, placed, spilled, used) in zip(tasks[order[n]], results):
                done[key] = tuple((path, digest) for path, digest, _ in made)
                if spilled is not None:
                    self._keep_pieces(spilled)
                self.cache.use(used)
                blobs += [(digest, data) for _, digest, data in made]
                self.new_frames.update(frames)
                self.staging.placed.update(placed)
            if len(blobs) >= 512:
                self._store(done, blobs)
                entries.update(done)
                done, blobs = {}, []
        self._store(done, blobs)
        entries.update(done)
        shutil.rmtree(os.path.join(self.staging.target.fresh, PIECES), ignore_errors=True)  # its files are read
        pages = {path: digest for key in specs for path, digest in entries[key]}
        return pages, len(missing) * len(self.settings.site.languages)

    def _keep_pieces(self, spilled: str) -> None:
        """The table pieces a worker made (``_Spill``) into the cache, 64 at a time."""
        batch: dict[str, bytes] = {}
        for key, data in _spilled(spilled):
            batch[key] = data
            if len(batch) >= 64:
                self.cache.put(batch)
                batch = {}
        self.cache.put(batch)
        self.cache.commit()

    def _pages_task(self, specs: tuple[tuple, ...], programme: Programme, keys: dict[str, str]) -> PagesTask:
        """A round-3 task: ``specs`` and exactly what their pages show."""
        areas: dict[tuple[str, ...], AreaSummary] = {}
        shown: list[str] = []
        analysed: list[str] = []
        warnings: dict[str, tuple[str, ...]] = {}
        whole = found = None
        for spec in specs:
            if spec[0] in ("index", "area"):
                area = programme.areas[spec[1]]
                areas[area.slugs] = area
                areas.update((c, programme.areas[c]) for c in area.children)
                areas.update((area.slugs[:d], programme.areas[area.slugs[:d]]) for d in range(len(area.slugs)))
                shown += area.group_ids
                if spec[0] == "index":
                    whole = analyse(programme.groups, self.settings.rubric, programme.as_of, self.extent.periods)
                    found = choices(programme.groups, 1)
                else:
                    analysed += area.group_ids
            elif spec[0] == "warnings":
                warnings = programme.warnings
                shown += [i for ids in warnings.values() for i in ids]
                areas[()] = programme.areas[()]
            elif spec[0] == "areas":
                # the tree of every area, without the groups in each (the page does not list them)
                areas.update((slugs, dataclasses.replace(a, group_ids=())) for slugs, a in programme.areas.items())
        by_id = self.summaries
        return PagesTask(specs, areas, {i: by_id[i] for i in analysed}, {i: keys[i] for i in shown},
                         {i: self.shown[i] for i in shown}, warnings, whole, found)

    def _data_files(self, entries: dict[str, GroupEntry], keys: dict[str, str]) -> Callable[[], dict[str, str]]:
        """The data files: a function that returns their digests once they are made. Made again only
        when a group's share changed: streamed in batches from the cache into the output (and,
        compressed, into the cache), never held whole.

        A worker of rounds 2 and 3 makes them (``_data_files_task``), sent
        at the end of round 2, while this process summarises and analyses
        the programme and sends round 3's tasks. (A thread of this process
        made them before, and a one-file edit of 10,000 groups waited for
        it: 0.25 s of work took 0.6 s beside this process's own, as both
        wanted the interpreter's lock.)
        """
        key = _key("data", self.settings.rubric_key, self.extent.as_of,
                   tuple(sorted(e.data_key for e in entries.values())))
        found = self.cache.get([key])
        if key in found:
            return lambda: found[key]
        shares = [keys[i] + ":data" for i in sorted(keys)]
        self.cache.use(shares)
        heads = data_heads(self.extent.as_of, self.settings.rubric)
        making = self.making = self._workers().submit(_data_files_task, (shares, heads), POOL_MIN_GROUPS,
                                                      len(shares))

        def made() -> dict[str, str]:
            digests = {}
            for path, (digest, entry, wrote, data) in making.result().items():
                self.staging.placed[path] = (entry, wrote)
                self.cache.put_blobs([(digest, data)])
                digests[path] = digest
            self.cache.put({key: digests})
            return digests

        return made

    def _keep_frames(self) -> None:
        self.new_frames.update(charts.take_drawn_frames())
        if self.new_frames:
            known = self.cache.get([self.frames_key]).get(self.frames_key, {})
            self.cache.put({self.frames_key: {**known, **self.new_frames}})
            self.new_frames = {}
