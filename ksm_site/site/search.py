"""What the search finds, and the search index Pagefind makes of it.

Pagefind (the ``pagefind`` PyPI package with its binary) reads HTML and
writes an index and its UI, one index per page language. It does not read
the pages themselves: each page the search should find (groups, areas,
warnings, methodology) has a **search entry**, a few hundred bytes of HTML
that hold what names the page and the page's address, and Pagefind reads
those. An entry holds nothing an assessment changes (no stage, score or
count), so editing a level leaves the search index as it was. The search
page's script sends each result to the address its entry names.

Pagefind holds a whole index in memory while it makes it (``bench/RESULTS.md``,
"Search"), so a language of many entries is split into **parts**
(``Limits``; an entry's part is a stable hash of its address), each
its own bundle (``urls.search_bundle``), which the search page merges. One
Pagefind run makes one language of one part (``Run``). A site of up to
``Limits.search_one_part`` entries per language has one part, so a reader's
browser loads one index. Result addresses keep ``index.html``
so they also work where a server does not add it.

Pagefind writes ``pagefind-entry.json`` with its languages in hash-map
order; the site writes it itself, with sorted keys, from every run of the
part (``entry_json``). Bundle files the site never loads are removed
(``tidy``).

``search_index`` makes the whole index from the entries, one run after the
other; the build's engine makes the same runs in parallel and keeps them
(``engine/search_runs.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping

from ..domain.analyse import AREA_LEVELS
from ..domain.model import ScoredGroup
from .inputs import AreaEntryInputs, NoInputs
from .maker import PageMaker
from .markdown import markdown_html
from .limits import SearchIndexError, search_bundle
from .urls import METHOD, WARNINGS, area_path, group_path

ENTRY = "pagefind-entry.json"

UNUSED = ("pagefind-component-ui.css", "pagefind-component-ui.js", "pagefind-modular-ui.css",
          "pagefind-modular-ui.js", "pagefind-highlight.js")


Entry = tuple[str, bytes]
"""A search entry: the address of the page it stands for (relative to the site root), and its HTML."""


# --------------------------------------------------------------------------
# Entries


def entry(m: PageMaker, path: str, title: str, lines: Iterable[str]) -> Entry:
    """What the search finds of the page at ``path`` (relative to the language's root): a small document
    that Pagefind reads in the page's place, naming the page's address."""
    full = m.prefix + path
    html = m.env.get_template("search_entry.html").render(
        lang=m.lang.code, path=full, title=title, lines=[line for line in lines if line])
    return full, html.encode()


def group_entry(m: PageMaker, g: ScoredGroup) -> Entry:
    group = g.group
    w = group.wilayah
    return entry(m, group_path(g.id), group.nama, [
        f"{w.kelurahan}, {w.kecamatan}, {w.kota}, {w.provinsi}",
        m.jenis_name(group.jenis),
        "" if m.site.hide_names else group.ketua,
        ", ".join(group.usaha),
        ", ".join(p.nama for p in group.mitra),
        markdown_html(group.story),
    ])


def area_entry(m: PageMaker, inputs: AreaEntryInputs) -> Entry:
    names = inputs.names
    return entry(m, area_path(inputs.slugs), names[-1],
                 [m.level_name(AREA_LEVELS[len(names) - 1]), ", ".join(reversed(names[:-1]))])


def warnings_entry(m: PageMaker, inputs: NoInputs) -> Entry:
    text = m.lang.text
    return entry(m, WARNINGS, m.lang._("Needs attention"),
                 [f"{text(r.name)}: {text(r.meaning)} {text(r.advice)}" for r in m.rubric.warnings])


def methodology_entry(m: PageMaker, inputs: NoInputs) -> Entry:
    text = m.lang.text
    rubric = m.rubric
    return entry(m, METHOD, m.lang._("Methodology"), [
        *(f"{text(i.name)}: {text(i.question)} {text(i.action)}" for i in rubric.indicators),
        *(f"{text(s.name)}: {text(s.meaning)}" for s in rubric.stages),
        ", ".join(text(a.name) for a in rubric.assets),
    ])


# --------------------------------------------------------------------------
# Runs


@dataclass(frozen=True, order=True)
class Run:
    """One Pagefind run: the entries of one language in one part."""

    part: int
    """From 0; part 0 is the bundle the search page loads first."""
    lang: str


def split(entries: Mapping[str, str], languages: tuple[str, ...], parts: int) -> dict[Run, dict[str, str]]:
    """The entries (address -> digest, or bytes) of each run, in ``parts`` parts; ``languages`` are the
    site's (the first at the root, the others under ``<lang>/``)."""
    prefixes = [(f"{lang}/" if n else "", lang) for n, lang in enumerate(languages)][::-1]
    runs: dict[Run, dict] = {}
    for path, value in sorted(entries.items()):
        part = int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "big") % parts
        lang = next(lang for prefix, lang in prefixes if path.startswith(prefix))
        runs.setdefault(Run(part, lang), {})[path] = value
    return runs


def pagefind_command(entries: str, out: str) -> list[str]:
    """The command that indexes the folder ``entries`` into the folder ``out``."""
    return [sys.executable, "-m", "pagefind", "--site", os.path.abspath(entries),
            "--output-path", os.path.abspath(out), "--keep-index-url", "--silent"]


SHARED_MEMORY = "/dev/shm"
"""Where Pagefind's input goes when the system has it: files in memory (see ``entries_folder``)."""

ENTRIES_PREFIX = "ksm-site-entries-"


def entries_folder(fallback: str) -> str:
    """A new folder for the entries Pagefind reads: in ``SHARED_MEMORY`` if it can be written, else under
    ``fallback``. Folders left there by builds that were killed are removed first.

    Pagefind numbers the pages of its index in the order the folder lists
    its files, so the index's bytes follow that order. On tmpfs it is the
    order the files were written (``write_entries`` writes them in order of
    address), the same on every machine; an ext4 folder lists its files by
    a hash that differs from disk to disk, and on such a fallback the index
    may differ between machines (the pages and the search results do not).
    """
    if os.path.isdir(SHARED_MEMORY) and os.access(SHARED_MEMORY, os.W_OK | os.X_OK):
        for name in os.listdir(SHARED_MEMORY):
            if name.startswith(ENTRIES_PREFIX) and not process_alive(name[len(ENTRIES_PREFIX):].partition("-")[0]):
                shutil.rmtree(os.path.join(SHARED_MEMORY, name), ignore_errors=True)
        try:
            return tempfile.mkdtemp(prefix=f"{ENTRIES_PREFIX}{os.getpid()}-", dir=SHARED_MEMORY)
        except OSError:
            pass
    os.makedirs(fallback, exist_ok=True)
    return tempfile.mkdtemp(prefix="entries-", dir=fallback)


def process_alive(pid: str) -> bool:
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


def write_entries(folder: str, entries: Iterable[bytes]) -> None:
    """A run's entries into ``folder``, as numbered files, in order: each entry names its page's address
    itself."""
    os.makedirs(folder, exist_ok=True)
    for n, data in enumerate(entries):
        with open(os.path.join(folder, f"{n}.html"), "wb") as f:
            f.write(data)


def pagefind(entries: str, out: str, started: Callable[[subprocess.Popen], None] = lambda process: None) -> None:
    """Run Pagefind over the folder ``entries`` into the folder ``out``; ``started`` is told the process."""
    try:
        process = subprocess.Popen(pagefind_command(entries, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        started(process)
        stdout, stderr = process.communicate(timeout=3600)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        process.communicate()
        raise SearchIndexError(f"could not run Pagefind: {exc}") from exc
    except OSError as exc:
        raise SearchIndexError(f"could not run Pagefind: {exc}") from exc
    if process.returncode < 0:  # stopped on purpose (a build that failed elsewhere)
        return
    if process.returncode != 0:
        detail = (stderr or stdout).strip().splitlines()
        raise SearchIndexError("Pagefind failed: " + (detail[-1] if detail else f"exit code {process.returncode}")
                               + " (is the pagefind[bin] package installed? see requirements.txt)")


def tidy(out: str) -> dict:
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


def bundle_files(out: str) -> Iterator[str]:
    """Every file of a run's bundle, relative to it, in a stable order."""
    for here, folders, names in os.walk(out):
        folders.sort()
        below = os.path.relpath(here, out).replace(os.sep, "/")
        for name in sorted(names):
            yield name if below == "." else f"{below}/{name}"


def entry_json(runs: Iterable[dict]) -> bytes:
    """A part's ``pagefind-entry.json`` from its runs' entry data: their languages together."""
    merged: dict = {}
    languages: dict = {}
    for data in runs:
        merged.update((k, v) for k, v in data.items() if k != "languages")
        languages.update(data.get("languages", {}))
    merged["languages"] = languages
    return json.dumps(merged, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def search_index(entries: Mapping[str, bytes], languages: tuple[str, ...], parts: int) -> dict[str, bytes]:
    """The search index of ``entries`` (address -> entry) in ``parts`` parts, every run one after the other:
    its files by path, relative to the site's root. Pagefind reads and writes folders, so it is given
    temporary ones (``entries_folder``)."""
    files: dict[str, bytes] = {}
    entry_data: dict[int, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="ksm-site-search-") as scratch:
        for run, found in sorted(split(entries, languages, parts).items()):
            source, out = entries_folder(scratch), os.path.join(scratch, f"out-{run.part}-{run.lang}")
            try:
                write_entries(source, found.values())
                pagefind(source, out)
            finally:
                shutil.rmtree(source, ignore_errors=True)
            entry_data.setdefault(run.part, []).append(tidy(out))
            for relpath in bundle_files(out):
                with open(os.path.join(out, relpath), "rb") as f:
                    files[f"{search_bundle(run.part)}/{relpath}"] = f.read()
    for part, data in entry_data.items():
        files[f"{search_bundle(part)}/{ENTRY}"] = entry_json(data)
    return files
