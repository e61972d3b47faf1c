"""The files of the site's look: where the templates are, a digest of them, and the static files.

Apart from ``templates.py`` so that a build that finds its whole site in
its cache (and so renders nothing) can key it without loading Jinja2.
``TEMPLATES`` is read at each use: a test points it at a copy it edits.
"""

from __future__ import annotations

import hashlib
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATES = os.path.join(ROOT, "templates")


def templates_digest() -> str:
    """A SHA-256 of every file under ``templates/`` (names and bytes): what every page's look depends on."""
    digest = hashlib.sha256()
    for folder, dirs, names in sorted(os.walk(TEMPLATES)):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, TEMPLATES).encode() + b"\0")
            with open(path, "rb") as f:
                digest.update(hashlib.sha256(f.read()).digest())
    return digest.hexdigest()


def form_worker() -> bytes:
    """The assessment form's service worker (``templates/nilai-sw.js``), served from the form's own folder."""
    with open(os.path.join(TEMPLATES, "nilai-sw.js"), "rb") as f:
        return f.read()


def static_files() -> dict[str, bytes]:
    """The site's own CSS, script and icon, from ``templates/static``."""
    folder = os.path.join(TEMPLATES, "static")
    files = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            files[f"static/{name}"] = f.read()
    return files
