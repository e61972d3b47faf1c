"""The search index: Pagefind, run over the finished pages before they go live.

Pagefind (the ``pagefind`` PyPI package with its binary) reads the HTML in
the new output folder and writes its index and UI to ``pagefind/`` there,
one index per page language. Only pages marked ``data-pagefind-body``
(groups, areas, warnings, methodology) are indexed. Result addresses keep
``index.html`` so they also work where a server does not add it.

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


def index_site(folder: str) -> None:
    """Write the search index for the site in ``folder`` into ``folder/pagefind``."""
    command = [sys.executable, "-m", "pagefind", "--site", folder, "--output-subdir", "pagefind",
               "--keep-index-url", "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"could not run Pagefind: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexError("Pagefind failed: " + (detail[-1] if detail else f"exit code {result.returncode}")
                               + " (is the pagefind[bin] package installed? see requirements.txt)")
    bundle = os.path.join(folder, "pagefind")
    entry = os.path.join(bundle, "pagefind-entry.json")
    with open(entry, encoding="utf-8") as f:
        data = json.load(f)
    with open(entry, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for name in UNUSED:
        path = os.path.join(bundle, name)
        if os.path.exists(path):
            os.unlink(path)
