"""The search index: Pagefind, run over a small search entry per page before the site goes live.

Pagefind (the ``pagefind`` PyPI package with its binary) reads HTML and
writes its index and UI, one index per page language. It does not read the
pages themselves: the renderer makes, for each page the search should find
(groups, areas, warnings, methodology), a few hundred bytes of HTML holding
what names it and the page's address (``Renderer.entry``), and the build
writes those into a folder of their own for Pagefind to read (in memory,
``/dev/shm``, where the system has it: see ``entries_folder``); the search
page's script sends each result to the address its entry names. That is a
few percent of the pages' bytes (no charts, tables or assessments to parse
and skip). Every entry is known once the groups are rendered, so Pagefind
runs while the build renders the area pages (``Indexing``).

Pagefind cannot update an index, only make it again (about 0.5 ms per
entry here), and holds the whole index in memory while it does (about
32 KB per entry: 6.5 GB for 100,000 groups in two languages). So the entries
are split into **runs**: one per language, and per *part* when a language
has more than ``ONE_PART`` entries, of at most ``PART`` (an entry's part is a
stable hash of its address). Each run is one Pagefind process, and the build keeps each run's
output in its cache by the entries it read, so a run whose entries did not
change is not made again (an entry holds nothing an assessment changes:
editing a level costs no search work at all). When a language has one part,
its runs go side by side with the area pages' rendering, as many as the
build's jobs; a bigger site makes them one at a time after it (``alongside``).

Part 1 of every language is the bundle at ``pagefind/``; part ``k`` > 1 at
``pagefind/part-k/``, which the search page merges into its results
(Pagefind's ``mergeIndex``). A site of up to ``ONE_PART`` entries has one part,
so a reader's browser loads one index. Result addresses keep ``index.html``
so they also work where a server does not add it.

Pagefind writes ``pagefind-entry.json`` with its languages in hash-map
order; the build writes it itself, with sorted keys, from every run of the
part (``entry_json``). Bundle files the site never loads are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping

ONE_PART = 20_000
"""A language of up to this many entries has one part: a reader's browser loads one index."""

PART = 12_000
"""A language of more entries than ``ONE_PART`` is split into parts of at most this many. Pagefind's
memory grows with a run's entries (measured with the synthetic programme's: 10,000 take 0.32 GB,
17,500 take 0.63 GB); a 100,000-group site's build, which holds 0.9 GB itself by then, stays under
1.5 GB with parts of this size (9 per language) and did not with 20,000 (6 per language)."""

ENTRY = "pagefind-entry.json"

UNUSED = ("pagefind-component-ui.css", "pagefind-component-ui.js", "pagefind-modular-ui.css",
          "pagefind-modular-ui.js", "pagefind-highlight.js")


class SearchIndexError(Exception):
    """Pagefind could not index the site."""


@dataclass(frozen=True, order=True)
class Run:
    """One Pagefind run: the entries of one language in one part."""

    part: int
    """From 0; part 0 is the bundle the search page loads first."""
    lang: str


def parts_for(count: int) -> int:
    """How many parts a language's ``count`` entries need."""
    return 1 if count <= ONE_PART else -(-count // PART)


def alongside(parts: int) -> bool:
    """Whether the runs of a site of ``parts`` parts go beside the area pages' rendering, as many as the
    build's jobs; else one at a time once the workers are gone.

    A site of one part (up to ``ONE_PART`` entries) has two short runs, which
    would leave both cores idle at the end. A bigger site's runs each hold
    up to a part's memory for several seconds: at 100,000 groups (then in
    parts of 20,000), two of them beside the two workers made the build's
    peak 2.8 GB, 1.2 GB of it Pagefind's; at 30,000 groups, one at a time
    after the workers, the build's peak fell from 1.8 to 1.0 GB.
    """
    return parts <= 1


def split(entries: Mapping[str, str], language_of: Callable[[str], str], parts: int) -> dict[Run, dict[str, str]]:
    """The entries (address -> digest) of each run, in ``parts`` parts."""
    runs: dict[Run, dict[str, str]] = {}
    for path, digest in sorted(entries.items()):
        part = int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "big") % parts
        runs.setdefault(Run(part, language_of(path)), {})[path] = digest
    return runs


def bundle(part: int) -> str:
    """Where part ``part``'s bundle goes, relative to the site's root."""
    return "pagefind" if part == 0 else f"pagefind/part-{part + 1}"


class Indexing:
    """Pagefind over each run's folder of entries, at most ``jobs`` at a time, in the background (threads
    that each wait for a process), each into a bundle folder of its own under ``scratch``: the build
    renders its other pages meanwhile.

    ``prepare(run)``, if given, fills a run's folder, in threads of its own,
    so that a run's entries are written while Pagefind reads the runs before
    (at 30,000 groups, writing one run's 11,000 entries took 1.6 s, Pagefind
    5.2 s: the runs of a site of several parts go one at a time, after the
    pages), at most ``jobs + 1`` runs ahead of the last that finished. Each
    run's folder is removed as soon as Pagefind has read it: on ``/dev/shm``
    each entry takes a page of memory, a gigabyte at 100,000 groups had every
    folder waited for the end of the build.
    """

    def __init__(self, runs: Mapping[Run, str], scratch: str, jobs: int,
                 prepare: Callable[[Run], None] | None = None):
        self.outs = {run: os.path.join(scratch, f"bundle-{run.part}-{run.lang}") for run in sorted(runs)}
        self.processes: list[subprocess.Popen] = []
        self.cancelled = False
        self.lock = threading.Lock()
        self.ahead = threading.BoundedSemaphore(max(1, jobs) + 1)
        """Runs whose folder is being filled or filled, and not yet read by Pagefind."""
        self.preparing = ThreadPoolExecutor(max(1, jobs), thread_name_prefix="ksm-site search entries")
        self.prepared = {run: self.preparing.submit(self._prepare, prepare, run) for run in self.outs}
        self.cpus = _cpus()
        """CPUs no run is pinned to now (see ``_pagefind``)."""
        self.pool = ThreadPoolExecutor(max(1, jobs), thread_name_prefix="ksm-site pagefind")
        self.futures = [self.pool.submit(self._run, run, runs[run], out) for run, out in self.outs.items()]

    def each(self) -> Iterator[tuple[Run, str, dict]]:
        """Each run as soon as it is done (runs sent together may end in any order): the run, its folder
        and its entry data (``pagefind-entry.json``, removed from the folder). The caller takes in a
        run's bundle while Pagefind makes the others: on a busy machine two runs that start together
        can end seconds apart (at 10,000 groups, one 3.4 s after the other)."""
        outs = dict(zip(self.futures, self.outs.items()))
        try:
            for future in as_completed(self.futures):
                future.result()
                run, out = outs[future]
                yield run, out, _tidy(out)
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

    def _prepare(self, prepare: Callable[[Run], None] | None, run: Run) -> bool:
        """Fill the run's folder once it is close enough to its turn; whether it took a place ahead."""
        while not self.ahead.acquire(timeout=0.1):
            if self.cancelled:
                return False
        try:
            if prepare is not None and not self.cancelled:
                prepare(run)
        except BaseException:
            self.ahead.release()
            raise
        return True

    def _run(self, run: Run, entries: str, out: str) -> None:
        took = False
        try:
            took = self.prepared[run].result()
            self._pagefind(entries, out)
        finally:
            shutil.rmtree(entries, ignore_errors=True)
            if took:
                self.ahead.release()

    def _pagefind(self, entries: str, out: str) -> None:
        """One Pagefind process, pinned to a CPU of its own while there is one.

        Pagefind's work is nearly all on one thread at a time, while its
        other threads (one per CPU) wake and wait: on this 2-core machine,
        indexing 12,220 entries took the same 5.5 s on one CPU as on two,
        and 5.6 CPU-s against 6.9, the kernel's share down by a third.
        Pinned to different CPUs, two runs still go side by side.
        """
        command = pagefind_command(entries, out)
        cpu = None
        try:
            with self.lock:
                if self.cancelled:
                    return
                process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                self.processes.append(process)
                if self.cpus:
                    cpu = self.cpus.pop(0)
                    _pin(process.pid, cpu)
            try:
                stdout, stderr = process.communicate(timeout=3600)
            finally:
                if cpu is not None:
                    with self.lock:
                        self.cpus.append(cpu)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            process.communicate()
            raise SearchIndexError(f"could not run Pagefind: {exc}") from exc
        except OSError as exc:
            raise SearchIndexError(f"could not run Pagefind: {exc}") from exc
        if process.returncode != 0 and not self.cancelled:
            detail = (stderr or stdout).strip().splitlines()
            raise SearchIndexError("Pagefind failed: " + (detail[-1] if detail else f"exit code {process.returncode}")
                                   + " (is the pagefind[bin] package installed? see requirements.txt)")


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


def pagefind_command(entries: str, out: str) -> list[str]:
    """The command that indexes the folder ``entries`` into the folder ``out``."""
    return [sys.executable, "-m", "pagefind", "--site", os.path.abspath(entries),
            "--output-path", os.path.abspath(out), "--keep-index-url", "--silent"]


SHARED_MEMORY = "/dev/shm"
"""Where Pagefind's input goes when the system has it: files in memory, which on some disks are ten
times faster to make; the build removes them when Pagefind has read them."""

_ENTRIES_PREFIX = "ksm-site-entries-"


def entries_folder(fallback: str) -> str:
    """A new folder for the entries Pagefind reads: in ``SHARED_MEMORY`` if it can be written, else
    under ``fallback``. Folders left there by builds that were killed are removed first."""
    if os.path.isdir(SHARED_MEMORY) and os.access(SHARED_MEMORY, os.W_OK | os.X_OK):
        for name in os.listdir(SHARED_MEMORY):
            if name.startswith(_ENTRIES_PREFIX) and not _alive(name[len(_ENTRIES_PREFIX):].partition("-")[0]):
                shutil.rmtree(os.path.join(SHARED_MEMORY, name), ignore_errors=True)
        try:
            return tempfile.mkdtemp(prefix=f"{_ENTRIES_PREFIX}{os.getpid()}-", dir=SHARED_MEMORY)
        except OSError:
            pass
    os.makedirs(fallback, exist_ok=True)
    return tempfile.mkdtemp(prefix="entries-", dir=fallback)


def _alive(pid: str) -> bool:
    """Whether process ``pid`` (a decimal string) runs; True when that cannot be told."""
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _tidy(out: str) -> dict:
    """Remove what the site never loads and the entry file from a run's bundle; returns the entry data."""
    for name in UNUSED:
        path = os.path.join(out, name)
        if os.path.exists(path):
            os.unlink(path)
    path = os.path.join(out, ENTRY)
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    os.unlink(path)
    return data


def entry_json(runs: Iterable[dict]) -> bytes:
    """A part's ``pagefind-entry.json`` from its runs' entry data: their languages together."""
    merged: dict = {}
    languages: dict = {}
    for data in runs:
        merged.update((k, v) for k, v in data.items() if k != "languages")
        languages.update(data.get("languages", {}))
    merged["languages"] = languages
    return json.dumps(merged, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
