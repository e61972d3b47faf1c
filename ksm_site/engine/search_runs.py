"""The search index, fast: Pagefind's runs side by side, in the background, each kept by what it read.

The site's search index is one Pagefind run per language and part
(``site/search.py``). Pagefind cannot update an index, only make it again,
so the build keeps each run's bundle in its cache under a key of the
entries it read: a run whose entries did not change is not made again (an
entry holds nothing an assessment changes: editing a level costs no search
work at all), and when no entry changed the whole index comes from the
cache.

The runs that are made go in the background (``Indexing``: threads that
each wait for a Pagefind process), at most ``jobs`` at a time, while the
build renders the programme's pages, each pinned to a CPU of its own where
the system allows (Pagefind works on one thread at a time; pinned, it takes
as long with less CPU). A site of more than one part holds much memory per
run, so its runs go one at a time after the pages instead (``alongside``).
Meanwhile the workers that render the pages run at a lower priority
(``Tuning.search_first``): the writer takes the index in last, so Pagefind
goes first. The writer moves each run's bundle in as soon as that run ends
(``SearchIndex.more``), from the writer's scratch folder.
"""

from __future__ import annotations

import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Callable, Iterator, Mapping

from ..site.search import (
    ENTRY, Run, entries_folder, entry_json, pagefind, split, tidy, bundle_files, write_entries,
)
from ..site.limits import search_bundle
from .cache import Cache, Reader, pack
from .keys import code_version, key_of_pairs
from .place import digest_of
from .write import Staging


def alongside(parts: int) -> bool:
    """Whether the runs of a site of ``parts`` parts go beside the rendering of the programme's pages, as
    many as the build's jobs; else one at a time once the workers are gone (each run holds up to a part's
    memory: ``bench/RESULTS.md``, "Search")."""
    return parts <= 1


class Indexing:
    """Pagefind over each run's entries, at most ``jobs`` at a time, in the background, each into a bundle
    folder of its own under ``scratch``; ``prepare(run, folder)`` writes a run's entries into a folder, in
    threads of its own, at most ``jobs + 1`` runs ahead of the last that finished. Each run's entries are
    removed as soon as Pagefind has read them (on ``/dev/shm`` they are memory)."""

    def __init__(self, runs: list[Run], scratch: str, jobs: int, prepare: Callable[[Run, str], None]):
        self.outs = {run: os.path.join(scratch, f"bundle-{run.part}-{run.lang}") for run in sorted(runs)}
        self.scratch = scratch
        self.processes: list = []
        self.cancelled = False
        self.lock = threading.Lock()
        self.ahead = threading.BoundedSemaphore(max(1, jobs) + 1)
        """Runs whose entries are being written or written, and not yet read by Pagefind."""
        self.preparing = ThreadPoolExecutor(max(1, jobs), thread_name_prefix="ksm-site search entries")
        self.prepared = {run: self.preparing.submit(self._prepare, prepare, run) for run in self.outs}
        self.cpus = _cpus()
        """CPUs no run is pinned to now."""
        self.pool = ThreadPoolExecutor(max(1, jobs), thread_name_prefix="ksm-site pagefind")
        self.futures = [self.pool.submit(self._run, run, out) for run, out in self.outs.items()]

    def each(self) -> Iterator[tuple[Run, str, dict]]:
        """Each run as soon as it is done (runs sent together may end in any order): the run, its bundle
        folder and its entry data (``pagefind-entry.json``, removed from the folder)."""
        outs = dict(zip(self.futures, self.outs.items()))
        try:
            for future in as_completed(self.futures):
                future.result()
                run, out = outs[future]
                yield run, out, tidy(out)
        finally:
            self.pool.shutdown()
            self.preparing.shutdown()

    def cancel(self) -> None:
        """Stop every run (the build failed): none starts, those running are killed."""
        with self.lock:
            self.cancelled = True
            for process in self.processes:
                process.kill()
        self.pool.shutdown(cancel_futures=True)
        self.preparing.shutdown(cancel_futures=True)

    def _prepare(self, prepare: Callable[[Run, str], None], run: Run) -> str | None:
        """Write the run's entries once it is close enough to its turn; the folder, or None if cancelled."""
        while not self.ahead.acquire(timeout=0.1):
            if self.cancelled:
                return None
        try:
            folder = entries_folder(self.scratch)
            if not self.cancelled:
                prepare(run, folder)
            return folder
        except BaseException:
            self.ahead.release()
            raise

    def _run(self, run: Run, out: str) -> None:
        folder = self.prepared[run].result()
        if folder is None:
            return
        pinned: list[int] = []

        def started(process) -> None:
            """Kill it if the build was cancelled meanwhile, else pin it to a free CPU."""
            with self.lock:
                if self.cancelled:
                    process.kill()
                    return
                self.processes.append(process)
                if self.cpus:
                    pinned.append(self.cpus.pop(0))
                    _pin(process.pid, pinned[0])

        try:
            pagefind(folder, out, started)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            self.ahead.release()
            with self.lock:
                self.cpus.extend(pinned)


def _cpus() -> list[int]:
    """The CPUs this process may run on, where the system tells (Linux); else none."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return []


def _pin(pid: int, cpu: int) -> None:
    """Keep process ``pid`` (and the threads it starts from now on) on ``cpu``, if the system lets it.
    Pagefind's Python launcher replaces itself with the binary, which keeps the setting."""
    try:
        os.sched_setaffinity(pid, {cpu})
    except OSError:
        pass


class SearchIndex:
    """The site's search index in one build: the runs the cache holds, the runs made now, kept for next time.

    ``files`` gets every file of the runs the cache holds, and the entry
    file of every part none of whose runs is made now; ``missing`` are the
    runs to make (``start``), which the writer takes in (``more``).
    """

    def __init__(self, cache: Cache, entries: Mapping[str, str], languages: tuple[str, ...], parts: int,
                 files: dict[str, str]):
        self.cache = cache
        self.parts = parts
        self.made: dict[Run, list[str]] = {}
        self.missing: list[Run] = []
        self.taken: list[tuple[str, bytes]] = []
        self.indexing: Indexing | None = None
        self.runs_made: list[Run] = []
        """The runs this build made (for its report)."""
        # the whole index, when no entry changed (one key: splitting the entries into runs costs more)
        self.whole_key = key_of_pairs(("search index", code_version(), parts), sorted(entries.items()))
        self.whole = cache.get([self.whole_key]).get(self.whole_key)
        if self.whole is not None:
            files.update(self.whole)
            cache.use_blobs(self.whole.values())
            return
        self.runs = split(entries, languages, parts)
        self.keys = {r: key_of_pairs(("search run", code_version(), r.lang), found.items())
                     for r, found in self.runs.items()}
        held = cache.get(self.keys.values())
        self.entry_data = {r: held[k]["entry"] for r, k in self.keys.items() if k in held}
        self.missing = [r for r in self.runs if self.keys[r] not in held]
        self.held_files: set[str] = set()
        """The files of the runs the cache holds, which the writer places before the new runs' come in."""
        for r, k in self.keys.items():
            if k in held:
                bundle = {f"{search_bundle(r.part)}/{rel}": digest for rel, digest in held[k]["files"].items()}
                files.update(bundle)
                self.held_files.update(bundle)
                cache.use_blobs(bundle.values())
        self.made_parts = {r.part for r in self.missing}
        for part in range(parts):
            if part not in self.made_parts:
                data = self.entry_json(part)
                files[f"{search_bundle(part)}/{ENTRY}"] = digest_of(data)
                cache.put_blobs([(digest_of(data), pack(data))])

    def entry_json(self, part: int) -> bytes:
        return entry_json(data for r, data in sorted(self.entry_data.items()) if r.part == part)

    def start(self, scratch: str, jobs: int) -> None:
        """Start Pagefind on the missing runs, ``jobs`` at a time, in the background; their bundles go to
        the writer's ``scratch`` folder."""
        if not self.missing:
            return
        self.runs_made = list(self.missing)
        digests = {r: list(self.runs[r].values()) for r in self.missing}
        cache_folder = self.cache.folder

        def prepare(r: Run, folder: str) -> None:
            """Write a run's entries, from the cache (a connection of the thread's own)."""
            reader = Reader(cache_folder)
            try:
                write_entries(folder, reader.blobs(digests[r]))
            finally:
                reader.close()

        self.indexing = Indexing(self.missing, os.path.join(scratch, "search"), jobs, prepare)

    def more(self, scratch: str) -> Iterator[tuple[str, str]]:
        """The writer's last step (``write.More``): each run's files as soon as Pagefind has made them, then
        the entry file of each part made now. Stopped early (the writer failed), it stops Pagefind."""
        moved = set(self.held_files)
        try:
            for r, out, data in self.indexing.each():
                self.entry_data[r] = data
                self.made[r] = []
                for rel in bundle_files(out):
                    relpath = f"{search_bundle(r.part)}/{rel}"
                    self.made[r].append(rel)
                    if relpath not in moved:  # else the same file, from another run of the part
                        moved.add(relpath)
                        yield relpath, os.path.join(out, rel)
            for part in sorted(self.made_parts):
                path = os.path.join(scratch, f"search-entry-{part}.json")
                with open(path, "wb") as f:
                    f.write(self.entry_json(part))
                yield f"{search_bundle(part)}/{ENTRY}", path
        except BaseException:
            self.indexing.cancel()
            raise

    def cancel(self) -> None:
        """The build failed: stop Pagefind (the writer removes its scratch folder)."""
        if self.indexing is not None:
            self.indexing.cancel()

    def take(self, digest: str, data: bytes) -> None:
        """A file the writer took in from ``more``: its bytes go to the cache (in batches)."""
        self.taken.append((digest, pack(data)))
        if len(self.taken) >= 512:
            self.flush()

    def flush(self) -> None:
        self.cache.put_blobs(self.taken)
        self.taken = []

    def keep(self, staging: Staging, files: dict[str, str]) -> dict[str, str]:
        """After the writer: the runs made and the whole index into the cache; adds every file the writer
        added to ``files`` (in place: at 100,000 groups a copy is a hundred megabytes) and returns it."""
        self.cache.use_blobs(staging.added.values())
        files.update(staging.added)
        for r, made in self.made.items():
            where = search_bundle(r.part)
            self.cache.put({self.keys[r]: {"entry": self.entry_data[r],
                                           "files": {rel: files[f"{where}/{rel}"] for rel in sorted(made)}}})
        if self.whole is None:
            self.cache.put({self.whole_key: {path: digest for path, digest in files.items()
                                             if path.startswith("pagefind/")}})
        return files
