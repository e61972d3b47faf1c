"""What pages are made from: each kind's declared inputs, and the key a build files a page under.

Each kind of page (``registry.py``) has a frozen dataclass of inputs, and
its render function receives one instance of it and the language's
``PageMaker`` (the settings), nothing else. So what a page shows is what
its inputs hold, and a page's cache key (``key_of``) is made from those
inputs: every field, by its ``repr``. A field can only be forgotten in the
key by being forgotten in the page.

Most inputs are plain values (dates, tuples, ``AreaSummary``) whose
``repr`` is exact. Two stand for bigger things and give a digest as their
``repr`` instead:

* ``Stored``: a value the build keeps elsewhere (a parsed ``Group``), by
  the key it is kept under;
* ``Listed``: the groups a page lists, by a digest of what a page shows of
  each (its summary and table row, ``shown``), with their summaries and a
  source of their rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Generic, Iterable, Mapping, Protocol, Sequence, TypeVar

from ..domain.analyse import Analysis, AreaSummary, Counts, TimeAxis
from ..domain.model import Group, GroupSummary
from .data import GroupData
from .rows import Choices, Row

T = TypeVar("T")


def key_of(kind: str, settings_key: str, inputs: object) -> str:
    """The key of a page of ``kind`` made from ``inputs`` with the settings of ``settings_key`` (code,
    rubric, site settings, templates)."""
    return hashlib.sha256(f"{kind}\0{settings_key}\0{inputs!r}".encode()).hexdigest()


def digest_of_texts(texts: Iterable[str]) -> str:
    """A SHA-256 of texts that hold no NUL (digests, paths), in order."""
    return hashlib.sha256("\0".join(texts).encode()).hexdigest()


@dataclass(frozen=True)
class Stored(Generic[T]):
    """A value known by the key it is kept under; ``held`` once it is at hand."""

    key: str
    held: T | None = field(default=None, compare=False)

    @property
    def value(self) -> T:
        if self.held is None:
            raise LookupError(f"{self.key} is not at hand")
        return self.held

    def __repr__(self) -> str:
        return f"Stored({self.key})"


class RowSource(Protocol):
    """Where a page finds the table rows of the groups it lists: in memory, or the build's cache."""

    def rows(self, refs: Sequence[str], shown: Sequence[str], lang: str) -> Iterable[Row]: ...


class ShareSource(Protocol):
    """Where the data files find each group's share (``data.GroupData``)."""

    def shares(self, refs: Sequence[str]) -> Iterable[GroupData]: ...


@dataclass(frozen=True)
class Listed:
    """The groups a page lists, in display order: their table rows (from ``source``) and, for a page that
    analyses them too, their summaries (else empty)."""

    shown: tuple[str, ...]
    """A digest per group of what a page shows of it: its summary and its rows (``GroupMade.shown``)."""
    refs: tuple[str, ...] = field(compare=False)
    """Where ``source`` finds each group's row: its id in memory, the key it is kept under in a build."""
    source: RowSource = field(compare=False)
    summaries: tuple[GroupSummary, ...] = field(default=(), compare=False)

    def __len__(self) -> int:
        return len(self.shown)

    def rows(self, lang: str) -> Iterable[Row]:
        return self.source.rows(self.refs, self.shown, lang)

    @cached_property
    def digest(self) -> str:
        return digest_of_texts(self.shown)

    def __repr__(self) -> str:
        return f"Listed({self.digest}, {'with' if self.summaries else 'no'} summaries)"


@dataclass(frozen=True)
class Shares:
    """Every group's share of the data files, in order of id: by a digest of each (``GroupMade.data_key``)."""

    digests: tuple[str, ...]
    refs: tuple[str, ...] = field(compare=False)
    """Where ``source`` finds each share (as ``Listed.refs``)."""
    source: ShareSource = field(compare=False)

    def shares(self) -> Iterable[GroupData]:
        return self.source.shares(self.refs)

    @cached_property
    def digest(self) -> str:
        return digest_of_texts(self.digests)

    def __repr__(self) -> str:
        return f"Shares({self.digest})"


# --------------------------------------------------------------------------
# Each kind's inputs


@dataclass(frozen=True)
class GroupInputs:
    """A group's page, its row in tables, its share of the data files and its search entry."""

    group: Stored[Group]
    slugs: tuple[str, ...]
    """Its kelurahan's URL slugs (which depend on other groups' area names where two slugs collide)."""
    as_of: dt.date | None
    """Its warnings are judged at it, and the page prints it."""
    axis: TimeAxis
    """The progression chart's shared time axis."""


@dataclass(frozen=True)
class AreaInputs:
    """The home page (the whole programme) or an area's page."""

    area: AreaSummary
    """Its names, slugs, counts and children's slugs (``Programme.headings``: its groups are ``groups``)."""
    children: tuple[AreaSummary, ...]
    groups: Listed
    """Its groups, with their summaries (it analyses them)."""
    table: Listed
    """The groups its table lists (the first page's), with their summaries (its filters offer their values)."""
    pages: int
    """How many pages its table takes (the later ones are ``TablePageInputs``)."""
    as_of: dt.date | None
    periods: tuple[tuple[str, dt.date], ...]
    """The timeline's periods, shared by every area."""
    survival_years: int
    """The survival chart's span, shared by every area."""


@dataclass(frozen=True)
class AreaPage:
    """An ``AreaInputs`` as the page is rendered from it (``registry.analysed``): what its charts and table
    filters show of its groups, made from their summaries, in place of the summaries."""

    area: AreaSummary
    children: tuple[AreaSummary, ...]
    table: Listed
    """The rows of its table (no summaries)."""
    total: int
    """How many groups it has."""
    pages: int
    as_of: dt.date | None
    survival_years: int
    analysis: Analysis
    choices: Choices
    """What its table's filters offer."""


@dataclass(frozen=True)
class TablePageInputs:
    """A later page of an area's table of groups."""

    area: AreaSummary
    page: int
    """From 2."""
    pages: int
    table: Listed
    """The groups this page lists, with their summaries (its filters offer their values)."""
    as_of: dt.date | None


@dataclass(frozen=True)
class TablePage:
    """A ``TablePageInputs`` as the page is rendered (``registry.tabled``)."""

    area: AreaSummary
    page: int
    pages: int
    table: Listed
    as_of: dt.date | None
    choices: Choices


@dataclass(frozen=True)
class AttentionRow:
    """A group's row on the attention list: its summary, and its kelurahan's URL slugs (the values of the
    list's area filter, which depend on other groups' area names where two slugs collide)."""

    group: GroupSummary
    slugs: tuple[str, ...]


@dataclass(frozen=True)
class WarningsInputs:
    """The attention list: the active groups with a warning, most urgent first, and what each warning means."""

    warned: int
    """How many active groups carry any warning."""
    counts: tuple[tuple[str, int], ...]
    """Each rubric warning, in rubric order, with how many active groups carry it."""
    rows: tuple[AttentionRow, ...]
    """The most urgent of them, most urgent first: all, or the first ``Limits.attention_rows``."""
    kota: tuple[tuple[str, tuple[str, ...], int], ...]
    """Each kota's name, slugs and how many of its active groups carry a warning: where the groups the
    list leaves out are found."""
    as_of: dt.date | None


@dataclass(frozen=True)
class AreasInputs:
    """The tree of the areas, as deep as fits the page (``Limits.tree_depth``)."""

    areas: tuple[AreaSummary, ...]
    """Every area but the programme down to ``depth``, by slugs, without their groups' ids (the page lists
    areas only)."""
    whole: AreaSummary
    """The programme: its children are the kota."""
    depth: int
    """The levels listed: 3 down to the kelurahan, 2 to the kecamatan, 1 the kota only."""
    as_of: dt.date | None


@dataclass(frozen=True)
class ShareInputs:
    """The picture a shared link shows: the programme's stage counts and the date of its data."""

    counts: Counts
    as_of: dt.date | None


@dataclass(frozen=True)
class DatedInputs:
    """A page that shows nothing of the programme but the date its data is as of (methodology, 404)."""

    as_of: dt.date | None


@dataclass(frozen=True)
class SearchInputs:
    """The search page."""

    parts: int
    """How many bundles the search index is split into."""
    as_of: dt.date | None


@dataclass(frozen=True)
class AreaEntryInputs:
    """An area's search entry: what names it, nothing an assessment moves."""

    names: tuple[str, ...]
    slugs: tuple[str, ...]


@dataclass(frozen=True)
class NoInputs:
    """A file made from the settings alone (the rubric, the site settings, the templates)."""


@dataclass(frozen=True)
class DataInputs:
    """The data files: every group's record and rows."""

    as_of: dt.date | None
    shares: Shares


@dataclass(frozen=True)
class SheetInputs:
    """An area's groups, or the whole programme's, as a spreadsheet."""

    names: tuple[str, ...]
    """The area's names, its workbook's title; ``()`` for the programme (titled with the site's title)."""
    slugs: tuple[str, ...]
    """Where it is published (``urls.area_sheet_path``); ``()`` for the programme."""
    shares: Shares
    """Its groups' shares of the data files, in the order its page lists them (the programme's: by id)."""


@dataclass(frozen=True)
class SitemapInputs:
    """The sitemap: every page's path."""

    paths: tuple[str, ...]


@dataclass(frozen=True)
class EntrySet:
    """Search entries by address: by a digest of each."""

    entries: Mapping[str, bytes] = field(compare=False)

    @cached_property
    def digest(self) -> str:
        return digest_of_texts(f"{path}\0{hashlib.sha256(data).hexdigest()}" for path, data in sorted(self.entries.items()))

    def __repr__(self) -> str:
        return f"EntrySet({self.digest})"


@dataclass(frozen=True)
class SearchIndexInputs:
    """The search index: every search entry, in ``parts`` parts per language."""

    parts: int
    entries: EntrySet
