"""Everything made of one group: its pages, its row in tables, its share of the data files, its search entry.

One group's work is independent of every other group's, so a build does
it for each group on its own (in parallel, and only for the groups that
changed); the programme's pages are then made from what each group gives
them here (``GroupMade``), never from the groups themselves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterator

from ..domain.analyse import summarise_group
from ..domain.model import GroupSummary, Rubric, Site
from ..domain.score import score_group
from .data import GroupData, group_data, group_json
from .inputs import GroupInputs
from .maker import PageMaker
from .pages.group import group_page
from .rows import Row
from .search import Entry, group_entry
from .sheets import sheet_rows
from .urls import group_json_path


class Makers:
    """The ``PageMaker`` of each of the site's languages, made when first needed (one set per process)."""

    def __init__(self, rubric: Rubric, site: Site, compiled: str | None = None):
        self.rubric = rubric
        self.site = site
        self.compiled = compiled
        self.made: dict[str, PageMaker] = {}

    def __iter__(self) -> Iterator[PageMaker]:
        for lang in self.site.languages:
            if lang not in self.made:
                self.made[lang] = PageMaker(self.rubric, self.site, lang, self.compiled)
            yield self.made[lang]


@dataclass(frozen=True)
class GroupMade:
    """What one group gives the site."""

    files: tuple[tuple[str, bytes], ...]
    """Its page in each language, and its record (``data.json``)."""
    entries: tuple[Entry, ...]
    """Its search entry in each language."""
    summary: GroupSummary
    """What the programme's pages and analyses take of it."""
    rows: dict[str, Row]
    """Its row in the tables of groups, by language."""
    data: GroupData
    """Its share of the data files."""
    shown: str
    """A digest of all that other pages show of it: its summary and rows."""
    data_key: str
    """A digest of its share of the data files."""


def make_group(inputs: GroupInputs, makers: Makers) -> GroupMade:
    scored = score_group(inputs.group.value, makers.rubric, inputs.as_of)
    summary = summarise_group(scored)
    files, entries, rows = [], [], {}
    for m in makers:
        path, pieces = group_page(m, scored, inputs.slugs, inputs.axis, inputs.as_of)
        files.append((path, "".join(pieces).encode()))
        entries.append(group_entry(m, scored))
        rows[m.lang.code] = m.row(summary)
    data = group_data(scored, makers.rubric, makers.site, sheet_rows(scored, next(iter(makers))))
    files.append((group_json_path(scored.id), group_json(data)))
    return GroupMade(tuple(files), tuple(entries), summary, rows, data,
                     digest_of(summary, tuple(sorted(rows.items()))), digest_of(data))


def digest_of(*values: object) -> str:
    """A SHA-256 of plain values (text, numbers, dates, tuples and frozen dataclasses of them): their
    ``repr`` is exact."""
    return hashlib.sha256(repr(values).encode()).hexdigest()
