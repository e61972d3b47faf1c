"""The search index: Pagefind, run over a small search entry per page before the site goes live.

Pagefind (the ``pagefind`` PyPI package with its binary) reads HTML and
writes its index and UI, one index per page language. It does not read the
pages themselves: the renderer makes, for each page the search should find
(groups, areas, warnings, methodology), a few hundred bytes of HTML at the
page holding what names it and the page's address (``Renderer.entry``),
and the build writes those into a folder of their own for Pagefind to
read; the search page's script sends each result to the address its
entry names. That is a
few percent of the pages' bytes (no charts, tables or assessments to parse
and skip), and, as an entry holds nothing an assessment changes, the build
can reuse the last index when no entry changed (``pipeline``): Pagefind
cannot update an index, only make it again, which takes about 0.5 ms per
entry on this machine. Result addresses keep ``index.html`` so they also
work where a server does not add it.

Pagefind writes ``pagefind-entry.json`` with its languages in hash-map
order; it is rewritten with sorted keys so the same site gives the same
bytes. Bundle files the site never loads are removed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


class SearchIndexError(Exception):
    """Pagefind could not index the site."""


UNUSED = ("pagefind-component-ui.css", "pagefind-component-ui.js", "pagefind-modular-ui.css",
          "pagefind-modular-ui.js", "pagefind-highlight.js")


def index_site(entries: str, bundle: str) -> None:
    """Index the search entries in the folder ``entries``; write the index and its UI into ``bundle``."""
    command = [sys.executable, "-m", "pagefind", "--site", os.path.abspath(entries),
               "--output-path", os.path.abspath(bundle), "--keep-index-url", "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"could not run Pagefind: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexError("Pagefind failed: " + (detail[-1] if detail else f"exit code {result.returncode}")
                               + " (is the pagefind[bin] package installed? see requirements.txt)")
    entry = os.path.join(bundle, "pagefind-entry.json")
    with open(entry, encoding="utf-8") as f:
        data = json.load(f)
    with open(entry, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for name in UNUSED:
        path = os.path.join(bundle, name)
        if os.path.exists(path):
            os.unlink(path)
