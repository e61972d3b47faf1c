"""The content as a build reads it: the settings, and each group file by its digest, read only when changed.

A build reads content with ``content/``'s functions, step by step, so that
it can skip what it has seen: a group file whose size, mtime, inode and
ctime are what an earlier build recorded is not read again, its digest is
taken from that record (``Seen``). Only a file modified more than
``settled_ns`` before the build started is recorded so (Git's rule against
a second edit in the same clock tick, "racily clean").
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from ..content.files import discover_groups, read_text
from ..content.problems import Problem
from ..content.read import Settings, read_settings
from ..site.theme import templates_digest
from .keys import code_version, key

SETTLED_NS = 2_000_000_000
"""Two seconds: a file modified this long before a build started is not modified again unseen within the
same clock tick (the default of ``Tuning.settled_ns``)."""


@dataclass(frozen=True)
class SettingsKeys:
    """The settings, and the keys of what depends on them."""

    settings: Settings
    rubric_key: str
    """Code version and ``rubric.yaml``: what parsing and scoring depend on."""
    site_key: str
    """That, with ``site.yaml`` and the templates: what every page depends on besides its inputs."""


@dataclass(frozen=True)
class Source:
    """A group file, read and hashed; the text itself is not kept (the worker that parses it reads it)."""

    path: str
    id: str
    digest: str
    """The SHA-256 of its text."""
    key: str
    """The key of its parse: code version, rubric, path and text."""


Seen = dict[str, tuple[tuple[int, int, int, int], str]]
"""Group files read by an earlier build: path -> (size, mtime, inode, ctime), and the SHA-256 of the text."""


@dataclass(frozen=True)
class Sources:
    settings: SettingsKeys | None
    groups: list[Source]
    problems: list[Problem]
    seen: Seen
    """What to remember of the files for the next build."""
    read: int
    """How many group files were read now (the others' digests came from ``seen``)."""


def read_sources(content_dir: str, seen: Seen, now_ns: int, settled_ns: int = SETTLED_NS) -> Sources:
    """The settings and every group file; ``seen``: what an earlier build recorded of the files;
    ``now_ns``: the file system's time at the start of the build."""
    settings, problems = read_settings(content_dir)
    keys = None
    if settings is not None:
        rubric_key = key("rubric", code_version(), settings.rubric_text)
        keys = SettingsKeys(settings, rubric_key, key("site", rubric_key, settings.site_text, templates_digest()))
    groups = []
    remember: Seen = {}
    read = 0
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
            read += 1
            text = read_text(path, problems)
            if text is None:
                continue
            digest = hashlib.sha256(text.encode()).hexdigest()
        if stat is not None and max(stat[1], stat[3]) < now_ns - settled_ns:
            remember[path] = (stat, digest)
        groups.append(Source(path, group_id, digest, key("parse", keys.rubric_key if keys else "", path, group_id, digest)))
    return Sources(keys, groups, problems, remember, read)
