"""The only writer of the output folder.

A build never writes into the live site. It fills another folder next to
it, then swaps it in with two renames; if anything fails before the swap,
that folder is deleted and the previous output is untouched. A file whose
bytes equal the previous output's is a hard link to it (so its mtime is
kept, and rsync-style deploys skip it); every other file is written. Two
builds into the same folder never interleave: a lock file next to it
(``.<name>.lock``) makes the second wait for the first.

``write_site(files, out_dir)`` does all of that at once. A build that
renders many pages uses the steps instead, so that pages go to disk as
they are made, in the processes that make them, and never pile up in
memory: ``begin`` (takes the lock, picks the folder to fill), ``place``
(one file; any process), ``finish`` (every file not placed yet, then the
swap).

Without a manifest (``--no-cache``) the folder to fill is new and each
previous file is read to compare bytes, as a plain build must.

With a manifest (kept in the build's cache, see ``cache.Manifests``) a
rebuild costs what changed, not what exists:

* The manifest records each file's SHA-256 with its inode, size and
  mtime, so "did this file change?" is a comparison of digests, trusted
  only while ``lstat`` still shows the recorded inode, size and mtime. A
  file changed behind the build's back fails that check and is compared
  byte by byte instead, as without a manifest.
* When nothing changed, nothing is written and nothing is swapped.
* The output is double-buffered: after a swap the previous output is kept
  as ``.<name>.spare`` (its unchanged files are hard links to the live
  ones, so it costs directory entries, not disk). The next build brings
  the spare up to date, touching only the files that differ, and swaps it
  in. Filling a whole new folder instead would cost a link and a directory
  per page, and removing the old one as much again: seconds for 10,000
  groups on an ordinary disk, every build. A build with no previous
  output it can trust (the first) makes the spare as it goes: each file it
  places is also linked into a ``shadow`` folder that becomes the spare.

The spare is the writer's own: it changes only by renames and by the
writer, so its manifest is taken as it is. Leftovers of a build that was
killed (``.<name>.new-*``, ``.<name>.old-*``, ``.<name>.scratch-*``) are removed by the next build
into the same folder.

A ``more`` step may add files before the swap (the search index, made
once every search entry is known): it makes them in the writer's scratch
folder, and the writer moves them in, as hard links too when their bytes
did not change. The scratch folder is the build's space for anything else
it makes on its way (``.<name>.scratch-*``, gone with the build). A file
system error (disk full, no permission,
a name too long) is an ``OutputError``, raised after the folder being
filled is removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import IO, Callable, Iterator, Mapping, Protocol

from .place import (
    CLOEXEC, Entry, OutputError, Target, check_path, clear, digest_of, entry_for, entry_of, holds, make_parent,
    place, same_bytes,
)


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int


class ManifestStore(Protocol):
    """Where the writer keeps its record of an output folder between builds."""

    def load(self) -> dict | None: ...

    def save(self, manifest: dict | None) -> None: ...


MANIFEST_FORMAT = 2
"""2: the spare's files are kept as what differs from the live output's (``_spare_record``)."""


def _split(out_dir: str) -> tuple[str, str]:
    path = os.path.abspath(out_dir)
    return os.path.dirname(path), os.path.basename(path)


@dataclass
class Staging:
    """An output being built: the lock held, the folder being filled, the manifests read."""

    out_dir: str
    parent: str
    name: str
    target: Target
    manifest: ManifestStore | None
    record: dict | None
    lock: IO
    from_spare: bool
    """Whether the folder being filled is the spare, taken out of its place."""
    placed: dict[str, tuple[Entry, bool]] = field(default_factory=dict)
    """Files placed already (by ``place`` in any process), with their entries and whether bytes were written."""
    added: dict[str, str] = field(default_factory=dict)
    """After ``finish``: the files ``more`` added, with their digests."""
    unheld: frozenset[str] | None = None
    """The live files that failed ``_holds`` when ``unheld`` checked them all, earlier in this build;
    None until then (``finish`` checks each file as it goes). A file changed by hand after that check
    and before the swap: one replaced by a new file leaves the new output right (it links the old
    inode); one rewritten in place is published so (the new output links that inode), and the next
    build replaces it, as its size or mtime no longer match the manifest."""
    scratch: str = ""
    """A folder of the writer's, outside the one being filled, for what the build makes on its way: it
    goes with the build, whether it succeeds or fails."""
    keep: Callable[[str, bytes], None] | None = None
    """Given the digest and bytes of each file ``more`` adds, as it is taken in (not held: Pagefind
    writes a file per page)."""

    @property
    def spare(self) -> str:
        return os.path.join(self.parent, f".{self.name}.spare")


def begin(out_dir: str, manifest: ManifestStore | None = None) -> Staging:
    """Take the output's lock and choose the folder to fill: the refreshed spare, or a new one."""
    try:
        return _begin(out_dir, manifest)
    except OSError as exc:
        raise OutputError(f"cannot write {out_dir}: {exc}") from exc


def _begin(out_dir: str, manifest: ManifestStore | None) -> Staging:
    parent, name = _split(out_dir)
    live = os.path.join(parent, name)
    if os.path.exists(live) and not os.path.isdir(live):
        raise OutputError(f"{out_dir} exists and is not a folder")
    os.makedirs(parent, exist_ok=True)
    lock = open(os.path.join(parent, f".{name}.lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for pattern in (f".{name}.new-*", f".{name}.old-*", f".{name}.scratch-*"):  # builds that were killed
            for path in glob.glob(os.path.join(glob.escape(parent), pattern)):
                shutil.rmtree(path, ignore_errors=True)
        record = manifest.load() if manifest is not None else None
        live_files = _trusted(record, "live", live)
        spare = os.path.join(parent, f".{name}.spare")
        spare_files = _trusted(record, "spare", spare)
        fresh = tempfile.mkdtemp(prefix=f".{name}.new-", dir=parent)
        if spare_files is not None:
            os.rmdir(fresh)
            os.rename(spare, fresh)  # from here on a crash leaves a .new- folder, never a half-refreshed spare
        elif os.path.lexists(spare):
            shutil.rmtree(spare, ignore_errors=True)  # only a manifest says what a spare holds
        shadow = None
        if manifest is not None and live_files is None:
            shadow = tempfile.mkdtemp(prefix=f".{name}.new-", dir=parent)
        target = Target(fresh, live, live_files, spare_files or {}, shadow, not os.path.lexists(live))
        scratch = tempfile.mkdtemp(prefix=f".{name}.scratch-", dir=parent)
        return Staging(out_dir, parent, name, target, manifest, record, lock, spare_files is not None,
                       scratch=scratch)
    except BaseException:
        lock.close()
        raise


def abort(staging: Staging) -> None:
    """Give up: delete the folder being filled and let go of the lock; the live output is as it was."""
    try:
        for folder in (staging.target.fresh, staging.target.shadow, staging.scratch):
            if folder:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        staging.lock.close()


More = Callable[[str], Iterator[tuple[str, str]]]
"""A step that makes more files for the site, in the writer's scratch folder (given its path): it yields
each file's path in the site and where it made it, once it is there, and the writer moves it in while the
step makes the next. Closed when the writer stops early (it failed), so the step stops too."""


def finish(staging: Staging, files: Mapping[str, bytes | str], fetch: Callable[[str], bytes] | None = None,
           more: More | None = None) -> WriteStats:
    """Place every file of ``files`` not placed yet, remove what is no longer in the site, run
    ``more``, swap.

    ``files`` maps each relative path to its bytes, or to the SHA-256 (hex)
    of bytes that ``fetch(digest)`` returns when they must be written. The
    lock is let go in any case; on failure the live output is as it was.
    """
    try:
        return _finish(staging, files, fetch, more)
    except OSError as exc:
        raise OutputError(f"cannot write {staging.out_dir}: {exc}") from exc


def _finish(staging: Staging, files: Mapping[str, bytes | str], fetch: Callable[[str], bytes] | None,
            more: More | None) -> WriteStats:
    try:
        target = staging.target
        if all(isinstance(value, str) for value in files.values()):
            digests = files  # not a copy: a build's files are digests already (600,000 of them at 100,000 groups)
        else:
            digests = {relpath: value if isinstance(value, str) else digest_of(value)
                       for relpath, value in files.items()}
        for relpath in digests:
            check_path(relpath)
        if staging.placed.keys() - digests.keys():
            raise OutputError("a file was placed that is not part of the site")
        gone = sorted(target.base.keys() - digests.keys())
        for relpath in gone:
            clear(f"{target.fresh}/{relpath}")
        _remove_empty_folders(target.fresh, gone)
        entries: dict[str, Entry] = {}
        written = 0
        live_files, base, live, placed = target.live_files or {}, target.base, target.live, staging.placed
        unheld_files = staging.unheld

        def still_holds(relpath: str, known: Entry) -> bool:
            return relpath not in unheld_files if unheld_files is not None else holds(f"{live}/{relpath}", known)

        for relpath, digest in digests.items():
            found = placed.pop(relpath, None)  # each is needed once: the manifest's entries take its place
            if found is None:
                # most files: the same in the live folder (unchanged on disk) and already in the spare
                known = live_files.get(relpath)
                if (known is not None and known[0] == digest and target.shadow is None
                        and (had := base.get(relpath)) is not None and had[1] == known[1]
                        and still_holds(relpath, known)):
                    entries[relpath] = known
                    continue
                value = files[relpath]
                data = (lambda v=value: fetch(v)) if isinstance(value, str) else value
                found = place(target, relpath, digest, data)
            entries[relpath], wrote = found
            written += wrote
        if more is not None:
            made: set[str] = set()
            with contextlib.closing(more(staging.scratch)) as adding:
                for relpath, source in adding:
                    check_path(relpath)
                    entries[relpath], wrote, data = _adopt(target, relpath, source, made)
                    staging.added[relpath] = entries[relpath][0]
                    if staging.keep is not None:
                        staging.keep(entries[relpath][0], data)
                    written += wrote
        retired = _swap(target.fresh, target.live, staging.parent, staging.name)
    except BaseException:
        abort(staging)
        raise
    try:
        _keep_spare(staging, retired, entries)
    finally:
        shutil.rmtree(staging.scratch, ignore_errors=True)
        staging.lock.close()
    return WriteStats(written, len(entries) - written)


def _adopt(target: Target, relpath: str, source: str, made: set[str]) -> tuple[Entry, bool, bytes]:
    """A file that ``more`` made at ``source``, moved in at ``relpath``, or a link to the live file
    instead when that has the same bytes. Returns its entry, whether it differs from the live file, and
    its bytes. ``made``: the folders of the spare made so far (see ``place.make_parent``)."""
    destination = f"{target.fresh}/{relpath}"
    try:
        os.replace(source, destination)
    except (FileNotFoundError, NotADirectoryError):
        make_parent(target.fresh, destination)
        os.replace(source, destination)
    data, st = _read_file(destination)
    digest = digest_of(data)
    previous = f"{target.live}/{relpath}"
    known = target.live_files.get(relpath) if target.live_files is not None else None
    if known is not None and holds(previous, known):
        same = known[0] == digest
    else:
        same = not target.no_live and same_bytes(previous, data)
        known = entry_for(digest, previous) if same else None
    if same:
        os.remove(destination)
        os.link(previous, destination)
        entry, wrote = (digest, *known[1:]), False
    else:
        entry, wrote = entry_of(digest, st), True
    if target.shadow is not None:
        shadow = f"{target.shadow}/{relpath}"
        make_parent(target.shadow, shadow, made)
        os.link(destination, shadow)
    return entry, wrote, data


def _read_file(path: str) -> tuple[bytes, os.stat_result]:
    """A file's bytes and its status, read through one descriptor (a search index has a file or two per
    entry, and this is their cost)."""
    fd = os.open(path, os.O_RDONLY | CLOEXEC)
    try:
        st = os.fstat(fd)
        pieces = []
        while chunk := os.read(fd, max(st.st_size, 1 << 16)):
            pieces.append(chunk)
        return b"".join(pieces), st
    finally:
        os.close(fd)


def _keep_spare(staging: Staging, retired: str | None, entries: dict[str, Entry]) -> None:
    """After the swap: the previous output becomes the spare (with a manifest), or goes."""
    if staging.manifest is None:
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
        return
    live_files = staging.target.live_files
    spare = staging.spare
    if staging.target.shadow is not None:
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)  # what it holds is not known, so it cannot be a spare
        os.chmod(staging.target.shadow, 0o755)
        os.rename(staging.target.shadow, spare)
        spare_record = _spare_record(spare, entries, entries)
    else:
        os.rename(retired, spare)
        spare_record = _spare_record(spare, live_files, entries)
    staging.manifest.save({"format": MANIFEST_FORMAT, "live": {"root": _root_id(staging.target.live),
                                                               "files": entries}, "spare": spare_record})


def write_site(files: Mapping[str, bytes | str], out_dir: str, fetch: Callable[[str], bytes] | None = None,
               manifest: ManifestStore | None = None, more: More | None = None) -> WriteStats:
    """Replace ``out_dir`` with exactly ``files``, plus what ``more`` adds (see ``finish``); with a
    manifest that shows the live output already holds exactly these files, and nothing to add,
    touch nothing."""
    digests = {relpath: value if isinstance(value, str) else digest_of(value) for relpath, value in files.items()}
    for relpath in digests:
        check_path(relpath)
    staging = begin(out_dir, manifest)
    live_files = staging.target.live_files
    if more is None and live_files is not None and live_files.keys() == digests.keys() and all(
            live_files[p][0] == d and holds(f"{staging.target.live}/{p}", live_files[p]) for p, d in digests.items()):
        _put_back(staging)
        return WriteStats(0, len(digests))
    return finish(staging, files, fetch, more)


def _put_back(staging: Staging) -> None:
    """Nothing to do after all: the spare goes back where it was, untouched."""
    try:
        shutil.rmtree(staging.scratch, ignore_errors=True)
        if staging.from_spare:
            os.rename(staging.target.fresh, staging.spare)
        else:
            shutil.rmtree(staging.target.fresh, ignore_errors=True)
    finally:
        staging.lock.close()


def _root_id(folder: str) -> list[int] | None:
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return [st.st_dev, st.st_ino]


def _spare_record(spare: str, files: dict[str, Entry], live: dict[str, Entry]) -> dict:
    """The manifest's record of the spare holding ``files``, as what differs from the ``live`` files: the
    two differ in what the last build changed, and 600,000 files (100,000 groups) kept twice made the
    highest memory of a rebuild."""
    changed = {relpath: entry for relpath, entry in files.items() if live.get(relpath) != entry}
    return {"root": _root_id(spare), "changed": changed, "gone": [relpath for relpath in live if relpath not in files]}


def _trusted(record: dict | None, which: str, folder: str) -> dict[str, Entry] | None:
    """The manifest's files of ``folder`` if the folder is the one it describes, else None."""
    if not record or record.get("format") != MANIFEST_FORMAT:
        return None
    part = record.get(which)
    if not part or part.get("root") != _root_id(folder):
        return None
    if which == "live":
        return part["files"]
    files = dict(record["live"]["files"])  # a new table; the paths and entries are the live record's
    files.update(part["changed"])
    for relpath in part["gone"]:
        del files[relpath]
    return files


def _swap(fresh: str, live: str, parent: str, name: str) -> str | None:
    """Put ``fresh`` in place of ``live``; returns where the previous output went (None if there was none)."""
    os.chmod(fresh, 0o755)
    if not os.path.exists(live):
        os.rename(fresh, live)
        return None
    retired = tempfile.mkdtemp(prefix=f".{name}.old-", dir=parent)
    os.rmdir(retired)
    os.rename(live, retired)
    try:
        os.rename(fresh, live)
    except OSError:
        os.rename(retired, live)
        raise
    return retired


def _remove_empty_folders(root: str, removed: list[str]) -> None:
    """Remove the folders that ``removed`` files leave empty, from the deepest up."""
    candidates = set()
    for relpath in removed:
        folder = os.path.dirname(relpath)
        while folder:
            candidates.add(folder)
            folder = os.path.dirname(folder)
    for folder in sorted(candidates, key=lambda f: -f.count("/")):
        try:
            os.rmdir(f"{root}/{folder}")
        except OSError:
            pass
