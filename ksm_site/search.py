"""The search index: Pagefind, run over a small search entry per page before the site goes live.

Pagefind (the ``pagefind`` PyPI package with its binary) reads HTML and
writes its index and UI, one index per page language. It does not read the
pages themselves: the renderer makes, for each page the search should find
(groups, areas, warnings, methodology), a few hundred bytes of HTML holding
what names it and the page's address (``Renderer.entry``), and the build
writes those into a folder of their own for Pagefind to read; the search
page's script sends each result to the address its entry names. That is a
few percent of the pages' bytes (no charts, tables or assessments to parse
and skip).

Pagefind cannot update an index, only make it again (about 0.5 ms per
entry here), and holds the whole index in memory while it does (about
25 KB per entry: 6 GB for 100,000 groups in two languages). So the entries
are split into **runs**: one per language, and per *part* when a language
has more than ``PART`` entries (an entry's part is a stable hash of its
address). Each run is one Pagefind process; runs go side by side, as many
as the build's jobs; and the build keeps each run's output in its cache by
the entries it read, so a run whose entries did not change is not made
again (an entry holds nothing an assessment changes: editing a level
costs no search work at all).

Part 1 of every language is the bundle at ``pagefind/``; part ``k`` > 1 at
``pagefind/part-k/``, which the search page merges into its results
(Pagefind's ``mergeIndex``). A site of up to ``PART`` groups has one part,
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
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

PART = 20_000
"""The most entries of one language that one Pagefind run indexes (about half a gigabyte of its memory)."""

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
    return max(1, -(-count // PART))


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


def index(runs: Mapping[Run, str], scratch: str, jobs: int) -> dict[Run, tuple[str, dict]]:
    """Run Pagefind over each run's folder of entries, at most ``jobs`` at a time, each into a
    bundle folder of its own under ``scratch``; returns each run's folder and its entry data
    (``pagefind-entry.json``, which is removed from the folder)."""
    outs = {run: os.path.join(scratch, f"bundle-{run.part}-{run.lang}") for run in sorted(runs)}
    # threads: each only waits for its Pagefind process
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        for _ in pool.map(lambda run: _pagefind(runs[run], outs[run]), outs):
            pass
    return {run: (out, _tidy(out)) for run, out in outs.items()}


def _pagefind(entries: str, out: str) -> None:
    command = [sys.executable, "-m", "pagefind", "--site", os.path.abspath(entries),
               "--output-path", os.path.abspath(out), "--keep-index-url", "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"could not run Pagefind: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexError("Pagefind failed: " + (detail[-1] if detail else f"exit code {result.returncode}")
                               + " (is the pagefind[bin] package installed? see requirements.txt)")


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
