"""What the site is: every file of it, made from the content, in one function.

``make_site`` reads top to bottom as the site is made, and names every
step. It holds everything in memory and makes everything afresh: no cache,
no worker processes, no file written (Pagefind, which reads and writes
folders, is given temporary ones). The build's engine (``engine/``) makes
the same bytes faster, and the tests hold the two equal byte for byte; so
to change what the site shows, change it here and in ``registry.py``,
``pages/`` and the templates, never in the engine.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping, Sequence

from ..content.read import Content
from ..domain.analyse import extent_of, facts_of, summarise
from ..domain.slugs import area_slugs
from .data import GroupData
from .group import GroupMade, Makers
from .inputs import GroupInputs, Stored
from .registry import GROUP, Finished, Piece, Whole, stage, with_search_parts
from .rows import Row
from .limits import Limits


def make_site(content: Content, as_of: dt.date | None = None, limits: Limits = Limits()
              ) -> dict[str, bytes]:
    """Every file of the site, by its path under the output folder. ``as_of``: the date warnings are
    judged at (DESIGN §4), else the latest date in the content; ``limits``: how the search index
    is split into parts."""
    rubric, site = content.rubric, content.site
    makers = Makers(rubric, site)

    # 1. What every page may show of the programme: the as-of date, the charts' shared axes, area slugs.
    facts = [facts_of(group) for group in content.groups]
    extent = extent_of(facts, as_of)
    slugs = area_slugs(f.area for f in facts)

    # 2. Each group on its own: scored, its page in each language, its table row, its data, its search entry.
    made: dict[str, GroupMade] = {}
    for group, fact in zip(content.groups, facts):
        inputs = GroupInputs(Stored(group.id, group), slugs[fact.area], extent.as_of, extent.axis)
        made[group.id] = GROUP.render(inputs, makers)
    files = {path: data for g in made.values() for path, data in g.files}
    entries = {path: data for g in made.values() for path, data in g.entries}

    # 3. The programme, from the groups' summaries: areas, counts, warnings.
    programme = summarise([g.summary for g in made.values()], rubric, extent.as_of)
    whole = with_search_parts(Whole(extent, programme, {i: g.shown for i, g in made.items()},
                                    {i: g.data_key for i, g in made.items()}, {i: i for i in made},
                                    HeldRows(made), HeldShares(made), limits))

    # 4. The search entries of the other pages: areas, warnings, methodology.
    for kind in stage("entry"):
        for inputs in kind.instances(whole):
            entries.update(kind.render(inputs, makers))

    # 5. Every page and file made from the whole programme: index, areas, warnings, methodology, data...
    for kind in stage("whole"):
        for inputs in kind.instances(whole):
            files.update(joined(kind.render(kind.prepare(inputs, makers), makers)))

    # 6. Last, what is made from all of that: the sitemap and the search index.
    finished = Finished(tuple(files), entries, whole.search_parts)
    for kind in stage("last"):
        for inputs in kind.instances(finished):
            files.update(joined(kind.render(inputs, makers)))
    return files


def joined(pieces: Iterable[Piece]) -> dict[str, bytes]:
    """A stream of pieces as whole files."""
    files: dict[str, list[bytes]] = {}
    for path, piece in pieces:
        files.setdefault(path, []).append(piece.encode() if isinstance(piece, str) else piece)
    return {path: b"".join(parts) for path, parts in files.items()}


class HeldRows:
    """The groups' table rows, from what ``make_site`` holds of each group."""

    def __init__(self, made: Mapping[str, GroupMade]):
        self.made = made

    def rows(self, ids: Sequence[str], shown: Sequence[str], lang: str) -> Iterable[Row]:
        return [self.made[i].rows[lang] for i in ids]


class HeldShares:
    """The groups' shares of the data files, from what ``make_site`` holds of each group."""

    def __init__(self, made: Mapping[str, GroupMade]):
        self.made = made

    def shares(self, ids: Sequence[str]) -> Iterable[GroupData]:
        return [self.made[i].data for i in ids]
