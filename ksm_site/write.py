"""The only writer of the output folder, and of the group files that `new` and `import` make.

A build never writes into the live site. ``write_site`` fills a new sibling
folder (``.<name>.new-*``): a file whose bytes equal the previous output's is
hard-linked from it (so its mtime is kept, and rsync-style deploys skip it),
every other file is written. Then the new folder is swapped in with two
renames and the old one removed. If anything fails before the swap, the new
folder is deleted and the previous output is untouched.

A ``finish`` step may add files to the new folder before the swap (the
search index is built from the finished pages); its files are kept as
hard links too when their bytes did not change.

Two builds into the same folder never interleave: a lock file next to it
(``.<name>.lock``) makes the second wait until the first has finished.

``write_content_file`` writes one group file the same way: the bytes go to
a hidden temporary file in the same folder (``check`` skips hidden files),
which then takes the file's name in one step, so a reader never sees half a
file.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable


class OutputError(Exception):
    """The output folder cannot be written (not a content problem)."""


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int


@contextmanager
def output_lock(out_dir: str):
    parent, name = _split(out_dir)
    os.makedirs(parent, exist_ok=True)
    with open(os.path.join(parent, f".{name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _split(out_dir: str) -> tuple[str, str]:
    path = os.path.abspath(out_dir)
    return os.path.dirname(path), os.path.basename(path)


def _safe_target(root: str, relpath: str) -> str:
    parts = relpath.split("/")
    if relpath.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise OutputError(f"refusing to write outside the output folder: {relpath!r}")
    return os.path.join(root, *parts)


def write_site(files: dict[str, bytes], out_dir: str, finish: Callable[[str], None] | None = None) -> WriteStats:
    """Replace ``out_dir`` with exactly ``files`` (relative path -> bytes), plus what ``finish(folder)`` adds.

    A file system error (disk full, no permission, a name too long) is an
    ``OutputError``, raised after the new folder is removed.
    """
    try:
        return _write_site(files, out_dir, finish)
    except OSError as exc:
        raise OutputError(f"cannot write {out_dir}: {exc}") from exc


def _write_site(files: dict[str, bytes], out_dir: str, finish: Callable[[str], None] | None) -> WriteStats:
    parent, name = _split(out_dir)
    live = os.path.join(parent, name)
    if os.path.exists(live) and not os.path.isdir(live):
        raise OutputError(f"{out_dir} exists and is not a folder")
    with output_lock(out_dir):
        fresh = tempfile.mkdtemp(prefix=f".{name}.new-", dir=parent)
        try:
            written = unchanged = 0
            for relpath in sorted(files):
                data = files[relpath]
                target = _safe_target(fresh, relpath)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                previous = os.path.join(live, *relpath.split("/"))
                if _same_bytes(previous, data):
                    os.link(previous, target)
                    unchanged += 1
                else:
                    with open(target, "wb") as f:
                        f.write(data)
                    written += 1
            if finish is not None:
                finish(fresh)
                kept = _link_unchanged(fresh, live, set(files))
                unchanged += kept
            _swap(fresh, live, parent, name)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
    return WriteStats(written, unchanged)


def _link_unchanged(fresh: str, live: str, known: set[str]) -> int:
    """Replace files that ``finish`` wrote with hard links to identical previous ones; how many."""
    kept = 0
    for folder, _, names in os.walk(fresh):
        for name in names:
            path = os.path.join(folder, name)
            relpath = os.path.relpath(path, fresh).replace(os.sep, "/")
            if relpath in known:
                continue
            previous = os.path.join(live, *relpath.split("/"))
            with open(path, "rb") as f:
                data = f.read()
            if _same_bytes(previous, data):
                os.unlink(path)
                os.link(previous, path)
                kept += 1
    return kept


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.path.getsize(path) != len(data) or os.path.islink(path):
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def _swap(fresh: str, live: str, parent: str, name: str) -> None:
    os.chmod(fresh, 0o755)
    if not os.path.exists(live):
        os.rename(fresh, live)
        return
    retired = tempfile.mkdtemp(prefix=f".{name}.old-", dir=parent)
    os.rmdir(retired)
    os.rename(live, retired)
    try:
        os.rename(fresh, live)
    except OSError:
        os.rename(retired, live)
        raise
    shutil.rmtree(retired, ignore_errors=True)



def write_content_file(path: str, data: bytes, replace: bool) -> None:
    """Write ``path`` atomically. ``replace`` False: fail with ``FileExistsError`` if it exists.

    A new file is linked into place (``os.link`` never overwrites, so a file
    that appeared meanwhile is kept); a replaced file keeps its permissions.
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.chmod(temp, os.stat(path).st_mode & 0o7777)
            os.replace(temp, path)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
            os.link(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
