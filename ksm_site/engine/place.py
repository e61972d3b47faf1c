"""Placing one file into the output being filled: a link to the live file when the bytes are the same.

Part of the writer (``write.py``): any process of a build places the files
it makes as it makes them (``place``, or ``Streamed`` for a file written in
pieces), into the folder the writer chose (``Target``), so pages go to disk
as they are made and never pile up in memory.

A file whose bytes equal the live output's is a hard link to it (its mtime
kept, so rsync-style deploys skip it). "The same bytes?" is a comparison of
digests with the writer's manifest, trusted only while ``lstat`` still
shows the inode, size and mtime it recorded (``holds``); a file changed
behind the build's back is compared byte by byte instead.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from typing import Callable


class OutputError(Exception):
    """The output folder cannot be written (not a content problem)."""


Entry = tuple
"""A manifest entry: (sha256 hex, inode, size, mtime in ns)."""

def check_path(relpath: str) -> None:
    """Refuse a path that is absolute, empty, or has an empty, '.' or '..' segment."""
    wrapped = f"/{relpath}/"
    if not relpath or relpath.startswith("/") or "//" in wrapped or "/./" in wrapped or "/../" in wrapped:
        raise OutputError(f"refusing to write outside the output folder: {relpath!r}")


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------
# Placing one file


@dataclass(frozen=True)
class Target:
    """Where files go and what is known of the folders involved; plain data, so worker processes get it.

    Paths are joined with ``/``: the writer runs on POSIX only (it locks
    with ``fcntl``) and every path was checked by ``check_path``.
    """

    fresh: str
    """The folder being filled."""
    live: str
    """The live output (which may not exist)."""
    live_files: dict[str, Entry] | None
    """The manifest of the live output; None when there is none to trust."""
    base: dict[str, Entry]
    """What ``fresh`` holds already: the spare's manifest, or nothing."""
    shadow: str | None = None
    """Where each placed file is linked too, to become the spare; None when the previous output will."""
    no_live: bool = False
    """There is no live output (a first build): no file is looked for there. Nothing makes one while the
    output's lock is held."""


def place(target: Target, relpath: str, digest: str, data: bytes | Callable[[], bytes]) -> tuple[Entry, bool]:
    """Put ``relpath`` into the folder being filled: a link to the live file if that has the same
    bytes, else the bytes (``data``, or ``data()`` when they are needed). Returns the file's
    manifest entry and whether bytes were written."""
    destination = f"{target.fresh}/{relpath}"
    previous = f"{target.live}/{relpath}"
    known = target.live_files.get(relpath) if target.live_files is not None else None
    content = None
    if known is not None and holds(previous, known):
        same = known[0] == digest
    elif not target.no_live and os.path.lexists(previous):
        content = data() if callable(data) else data
        same = same_bytes(previous, content)
        known = entry_for(digest, previous) if same else None
    else:
        same = False
    had = target.base.get(relpath)
    if same:
        if had is None or had[1] != known[1]:
            clear(destination)
            make_parent(target.fresh, destination)
            os.link(previous, destination)
        entry, wrote = (digest, *known[1:]), False
    else:
        if content is None:
            content = data() if callable(data) else data
        if had is not None:
            clear(destination)
        entry, wrote = write_new(target.fresh, destination, digest, content), True
    if target.shadow is not None:
        shadow = f"{target.shadow}/{relpath}"
        make_parent(target.shadow, shadow)
        os.link(destination, shadow)
    return entry, wrote


class Streamed:
    """A file written piece by piece into the folder being filled (a data file of 100,000 groups),
    so that no process holds it whole; ``close`` then does what ``place`` does with the bytes."""

    def __init__(self, target: Target, relpath: str):
        check_path(relpath)
        self.target = target
        self.relpath = relpath
        self.destination = f"{target.fresh}/{relpath}"
        if relpath in target.base or os.path.lexists(self.destination):
            clear(self.destination)
        make_parent(target.fresh, self.destination)
        self.file = open(self.destination, "wb")
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.hash.update(data)

    def close(self) -> tuple[str, Entry, bool]:
        """The file's digest, manifest entry, and whether its bytes differ from the live file's."""
        self.file.close()
        digest = self.hash.hexdigest()
        target, relpath = self.target, self.relpath
        previous = f"{target.live}/{relpath}"
        known = target.live_files.get(relpath) if target.live_files is not None else None
        if known is not None and holds(previous, known):
            same = known[0] == digest
        else:
            same = not target.no_live and os.path.lexists(previous) and same_file(previous, self.destination)
            known = entry_for(digest, previous) if same else None
        if same:
            os.remove(self.destination)
            os.link(previous, self.destination)
            entry, wrote = (digest, *known[1:]), False
        else:
            entry, wrote = entry_for(digest, self.destination), True
        if target.shadow is not None:
            shadow = f"{target.shadow}/{relpath}"
            make_parent(target.shadow, shadow)
            os.link(self.destination, shadow)
        return digest, entry, wrote


def same_file(a: str, b: str) -> bool:
    try:
        if os.path.getsize(a) != os.path.getsize(b) or os.path.islink(a):
            return False
        with open(a, "rb") as f, open(b, "rb") as g:
            while True:
                x, y = f.read(1 << 20), g.read(1 << 20)
                if x != y:
                    return False
                if not x:
                    return True
    except OSError:
        return False


def holds(path: str, entry: Entry) -> bool:
    """Whether ``path`` is still the file the manifest entry describes."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return (stat.S_ISREG(st.st_mode) and st.st_ino == entry[1] and st.st_size == entry[2]
            and st.st_mtime_ns == entry[3])


def unheld(target: Target) -> frozenset[str]:
    """The live files that no longer are what the manifest says (``_holds``): a check of every one,
    which a build runs in another process while it renders, and hands to ``finish`` through
    ``Staging.unheld``. Any process: it reads the disk only."""
    live = target.live
    return frozenset(relpath for relpath, known in (target.live_files or {}).items()
                     if not holds(f"{live}/{relpath}", known))


def entry_for(digest: str, path: str) -> Entry:
    return entry_of(digest, os.lstat(path))


def entry_of(digest: str, st: os.stat_result) -> Entry:
    """A manifest entry from a file's status (see ``_holds``)."""
    return digest, st.st_ino, st.st_size, st.st_mtime_ns


def same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.path.getsize(path) != len(data) or os.path.islink(path):
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def clear(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)


CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | CLOEXEC


def write_new(root: str, path: str, digest: str, data: bytes) -> Entry:
    """Write ``data`` to ``path`` under ``root`` as a new file, its folders made as needed and whatever
    stands there removed; returns its manifest entry.

    The cheap case first: the file is created and, only when that fails,
    its folder made or what is in the way removed (a cold build writes
    every page so, most of them in a new folder each).
    """
    try:
        fd = os.open(path, NEW_FILE, 0o666)
    except (FileNotFoundError, NotADirectoryError):  # a folder missing, or a file where one goes
        make_parent(root, path)
        fd = os.open(path, NEW_FILE, 0o666)
    except FileExistsError:
        clear(path)
        fd = os.open(path, NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        st = os.fstat(fd)
    finally:
        os.close(fd)
    return entry_of(digest, st)


def make_parent(root: str, path: str, made: set[str] | None = None) -> None:
    """Make the folder ``path`` goes in, under ``root``; ``made``: folders known to be there already
    (those this adds to it), for many files into few folders."""
    folder = os.path.dirname(path)
    if made is not None:
        if folder in made:
            return
        made.add(folder)
    try:
        os.mkdir(folder)  # most often only the file's own folder is missing
        return
    except (FileExistsError, FileNotFoundError, NotADirectoryError):
        pass
    try:
        os.makedirs(folder, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        # a file stands where a folder must go: remove it (and anything else in the way)
        here = root
        for part in os.path.relpath(folder, root).split(os.sep):
            here = os.path.join(here, part)
            if os.path.lexists(here) and not os.path.isdir(here):
                os.remove(here)
        os.makedirs(folder, exist_ok=True)


