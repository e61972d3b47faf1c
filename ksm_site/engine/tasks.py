"""What a worker does with one piece of work: parse a group file, make a group, make some of the
programme's pages. Each is a module-level function of its item, run in a pool's worker or in the build's
own process, that finds what it shares with the other tasks in ``pool.worker()``.

The files a task makes go straight into the output being filled (``place``)
from the process that makes them, and to the build process as digests and
compressed bytes for the cache: no process holds the site.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from dataclasses import dataclass
from typing import Iterable

from ..content.files import read_text
from ..content.problems import FILE_FIELD, Problem
from ..content.read import parse_group
from ..domain.analyse import facts_of
from ..domain.model import Facts
from ..site import charts
from ..site.group import make_group
from ..site.inputs import GroupInputs, Stored
from ..site.registry import Piece, kind_named
from .bundles import GroupEntry
from .cache import CacheError, pack, packer
from .place import Entry, Streamed, digest_of, place
from .pool import worker
from .sources import Source

Made = list[tuple[str, str, bytes]]
"""Files made now: (path, digest, compressed bytes) of each."""

Placed = dict[str, tuple[Entry, bool]]
"""Files placed in the output being filled: path -> (manifest entry, bytes written?)."""


def parse_task(source: Source) -> tuple[Facts | None, bytes | None, list[Problem]]:
    """A group file -> its facts and its ``Group`` (pickled, for the cache), or its problems."""
    problems: list[Problem] = []
    text = read_text(source.path, problems)
    if text is not None and hashlib.sha256(text.encode()).hexdigest() != source.digest:
        problems.append(Problem(source.path, 0, FILE_FIELD, "the file changed while the build was reading it",
                                "build again"))
    if problems:
        return None, None, problems
    state = worker().state
    group, problems = parse_group(source.path, source.id, text, state.rubric, state.today)
    if group is None:
        return None, None, problems
    return facts_of(group), pickle.dumps(group, protocol=pickle.HIGHEST_PROTOCOL), problems


@dataclass(frozen=True)
class GroupResult:
    """A group made now: its entry; its rows and data share pickled as the cache keeps them (the build
    process stores them without unpickling); its files' and entries' compressed bytes; the chart frames
    drawn for it; its files as placed in the output being filled."""

    entry: GroupEntry
    apart: dict[str, bytes]
    """What is kept apart from its entry (``rows:{lang}``, ``data``), pickled."""
    blobs: list[tuple[str, bytes]]
    frames: dict
    placed: Placed


def group_task(inputs: GroupInputs) -> GroupResult:
    """A group's inputs, its ``Group`` known by its parse key -> everything made of it (``site/group.py``)."""
    w = worker()
    parse_key = inputs.group.key
    found = w.reader().get([parse_key + ":group"])
    if not found:
        raise CacheError(f"the cache lost a parsed group; delete {w.state.cache} or build with --no-cache")
    inputs = dataclasses.replace(inputs, group=Stored(parse_key, pickle.loads(found[parse_key + ":group"])))
    made = make_group(inputs, w.makers)
    target = w.state.target
    pages, search, blobs, placed = [], [], [], {}
    for path, data in made.files:
        digest = digest_of(data)
        if target is not None:
            placed[path] = place(target, path, digest, data)
        pages.append((path, digest))
        blobs.append((digest, pack(data)))
    for path, data in made.entries:
        digest = digest_of(data)
        search.append((path, digest))
        blobs.append((digest, pack(data)))
    apart = {f"rows:{lang}": row for lang, row in made.rows.items()}
    apart["data"] = made.data
    entry = GroupEntry(tuple(pages), tuple(search), made.summary, made.shown, made.data_key)
    return GroupResult(entry, {suffix: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                               for suffix, value in apart.items()}, blobs, charts.take_drawn_frames(), placed)


@dataclass(frozen=True)
class PagesResult:
    """One instance of a kind made now: its files, the chart frames drawn, the files as placed in the
    output being filled, and how many table rows it read."""

    files: Made
    frames: dict
    placed: Placed
    rows_read: int


def pages_task(task: tuple[tuple[str, object], ...]) -> list[PagesResult]:
    """Some instances of the programme's kinds, as (kind name, inputs) -> what each made."""
    w = worker()
    results = []
    for name, inputs in task:
        before = w.rows_read
        files, placed = stream(kind_named(name).render(inputs, w.makers))
        results.append(PagesResult(files, charts.take_drawn_frames(), placed, w.rows_read - before))
    return results


BLOCK = 1 << 18
"""Text of a file gathered before it is encoded and written out."""


class OutFile:
    """One file as it is made: written into the output being filled (if there is one), hashed, compressed
    for the cache, a block at a time."""

    def __init__(self, path: str):
        target = worker().state.target
        self.path = path
        self.out = Streamed(target, path) if target is not None else None
        self.digest = hashlib.sha256()
        self.compressor = packer()
        self.packed: list[bytes] = []
        self.text: list[str] = []
        self.size = 0

    def add(self, piece: str | bytes) -> None:
        if isinstance(piece, bytes):
            self.flush()
            self.write(piece)
            return
        self.text.append(piece)
        self.size += len(piece)
        if self.size >= BLOCK:
            self.flush()

    def flush(self) -> None:
        if self.text:
            self.write("".join(self.text).encode())
            self.text, self.size = [], 0

    def write(self, data: bytes) -> None:
        if self.out is not None:
            self.out.write(data)
        else:
            self.digest.update(data)
        self.packed.append(self.compressor.compress(data))

    def close(self) -> tuple[tuple[str, str, bytes], tuple[Entry, bool] | None]:
        self.flush()
        self.packed.append(self.compressor.flush())
        placed = None
        if self.out is not None:
            digest, entry, wrote = self.out.close()
            placed = (entry, wrote)
        else:
            digest = self.digest.hexdigest()
        return (self.path, digest, b"".join(self.packed)), placed


def stream(pieces: Iterable[Piece]) -> tuple[Made, Placed]:
    """A kind's stream of pieces, each file made as its pieces come: its files and how they were placed."""
    files: dict[str, OutFile] = {}
    for path, piece in pieces:
        out = files.get(path)
        if out is None:
            out = files[path] = OutFile(path)
        out.add(piece)
    made, placed = [], {}
    for out in files.values():
        file, where = out.close()
        made.append(file)
        if where is not None:
            placed[out.path] = where
    return made, placed
