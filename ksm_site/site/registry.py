"""Every kind of page and file the site has, declared once: its inputs, where its instances come from,
and how it renders.

To add a page: write its template and its page function (``pages/``), give
it a dataclass of inputs (``inputs.py``) holding exactly what it shows, and
add one ``Kind`` below. ``make.py`` and the build's engine loop over
``REGISTRY``; the engine keys each page by its inputs (``inputs.key_of``),
so a page is made again exactly when something it declares changes.

A kind is made at one of four stages:

* ``group``: one instance per group, from the group alone (``GROUP``); what
  it gives the other pages is a ``GroupMade``;
* ``whole``: pages and files picked from the whole programme (``Whole``),
  once every group is made;
* ``entry``: search entries of pages other than the groups', also picked
  from the whole programme;
* ``last``: made from every other file: the sitemap from every page's path,
  the search index from every search entry.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from html import escape
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from ..domain.analyse import Extent, Programme, analyse
from .data import data_stream
from .datapackage import DATAPACKAGE, datapackage_bytes
from .group import Makers, make_group
from .inputs import (
    AreaEntryInputs, AreaInputs, AreaPage, AreasInputs, AttentionRow, DataInputs, DatedInputs, EntrySet, GroupInputs,
    Listed, NoInputs, RowSource, SearchIndexInputs, SearchInputs, ShareInputs, ShareSource, Shares, SheetInputs,
    SitemapInputs, TablePage, TablePageInputs, WarningsInputs,
)
from .maker import Page
from .pages.areas import area_page, areas_page, index_page, table_page
from .pages.attention import attention_page
from .pages.form import form_page
from .pages.rubric import methodology_page
from .pages.service import not_found_page, search_page
from .rows import choices
from .form import RUBRIC_JSON, rubric_json
from .schema import SCHEMA_PATH, schema_bytes
from .share import share_image
from .search import area_entry, methodology_entry, search_index, warnings_entry
from .limits import Limits
from .sheets import workbook_stream
from .theme import form_worker, static_files
from .urls import FORM_WORKER, NOT_FOUND, SEARCH, SHARE_IMAGE, canonical_url

Piece = tuple[str, "str | bytes"]
"""A piece of a file: its path (relative to the site root) and the next of its text or bytes. A kind
renders a stream of pieces, each file's in order, so a file of 100,000 rows is never held whole."""


@dataclass(frozen=True)
class Whole:
    """The programme as a whole, once every group is made: what the programme's pages are picked from."""

    extent: Extent
    programme: Programme
    shown: Mapping[str, str]
    """Group id -> ``GroupMade.shown``."""
    data_keys: Mapping[str, str]
    """Group id -> ``GroupMade.data_key``."""
    refs: Mapping[str, str]
    """Group id -> where ``rows`` and ``shares`` find its row and share (see ``Listed.refs``)."""
    rows: RowSource
    shares: ShareSource
    limits: Limits
    search_parts: int = 0
    """How many parts the search index has (``with_search_parts``)."""

    def listed(self, ids: Sequence[str], summaries: bool = False) -> Listed:
        """The groups ``ids`` as a page lists them; ``summaries`` for a page that analyses them too."""
        return Listed(tuple(map(self.shown.__getitem__, ids)), tuple(map(self.refs.__getitem__, ids)), self.rows,
                      tuple(map(self.programme.by_id.__getitem__, ids)) if summaries else ())


@dataclass(frozen=True)
class Kind:
    name: str
    stage: str
    """``group``, ``whole``, ``entry`` or ``last`` (see the module's docstring)."""
    inputs: type
    """The dataclass of what one instance shows, and so what its key is made of."""
    instances: Callable[[Any], Iterable[Any]]
    """Every instance of this kind, as its inputs (from a ``Whole`` at the ``whole`` and ``entry`` stages)."""
    render: Callable[[Any, Makers], Any]
    """Inputs (as ``prepare`` leaves them) and the site's page makers -> a stream of ``Piece`` (a
    ``GroupMade`` for ``group``; an ``Entry`` per language for ``entry``)."""
    prepare: Callable[[Any, Makers], Any] = lambda inputs, makers: inputs
    """What ``render`` is given, made from the inputs alone in the process that hands the work out: for
    a value derived from many inputs that is much smaller than they are (an area's analysis of its
    groups), so that a worker is sent the one, not the other. The key stays the inputs'."""


def pieces(page: Page) -> Iterator[Piece]:
    path, parts = page
    for part in parts:
        yield path, part


def per_language(page: Callable[..., Page]) -> Callable[[Any, Makers], Iterator[Piece]]:
    """A kind whose page is made in each language: the page function of one language, for all of them."""
    def render(inputs: Any, makers: Makers) -> Iterator[Piece]:
        for m in makers:
            yield from pieces(page(m, inputs))
    render.__name__ = page.__name__
    return render


def entries(entry: Callable) -> Callable[[Any, Makers], list]:
    def render(inputs: Any, makers: Makers) -> list:
        return [entry(m, inputs) for m in makers]
    render.__name__ = entry.__name__
    return render


# --------------------------------------------------------------------------
# Where each kind's instances come from


def index_instances(w: Whole) -> Iterator[AreaInputs]:
    yield area_inputs(w, ())


def area_instances(w: Whole) -> Iterator[AreaInputs]:
    for slugs in w.programme.areas:
        if slugs:
            yield area_inputs(w, slugs)


def area_inputs(w: Whole, slugs: tuple[str, ...]) -> AreaInputs:
    """An area's first page, or the home page (the programme): its table lists the first ``table_rows`` of
    its groups (the home page: all of them while that is all, else none)."""
    headings, extent, rows = w.programme.headings, w.extent, w.limits.table_rows
    area, ids = headings[slugs], w.programme.areas[slugs].group_ids
    shown = ids[:rows] if slugs else (ids if len(ids) <= rows else ())
    return AreaInputs(area, tuple(headings[c] for c in area.children), w.listed(ids, summaries=True),
                      w.listed(shown, summaries=True), w.limits.table_pages(len(ids)) if slugs else 1,
                      extent.as_of, extent.periods, extent.survival_years)


def analysed(inputs: AreaInputs, makers: Makers) -> AreaPage:
    """An area's page as it is rendered: its groups' analysis, and its table's rows and filter choices, in
    place of their summaries."""
    groups, table = inputs.groups, inputs.table
    return AreaPage(inputs.area, inputs.children, dataclasses.replace(table, summaries=()), len(groups),
                    inputs.pages, inputs.as_of, inputs.survival_years,
                    analyse(groups.summaries, makers.rubric, inputs.as_of, inputs.periods),
                    choices(table.summaries, max(len(inputs.area.names), 1)))


def table_page_instances(w: Whole) -> Iterator[TablePageInputs]:
    """The second and later pages of each area's table of groups."""
    rows = w.limits.table_rows
    for slugs, area in w.programme.areas.items():
        pages = w.limits.table_pages(len(area.group_ids))
        for page in range(2, pages + 1) if slugs else ():
            yield TablePageInputs(w.programme.headings[slugs], page, pages,
                                  w.listed(area.group_ids[(page - 1) * rows:page * rows], summaries=True),
                                  w.extent.as_of)


def tabled(inputs: TablePageInputs, makers: Makers) -> TablePage:
    """A later page of an area's table as it is rendered: its filter choices in place of its rows' summaries."""
    table = inputs.table
    return TablePage(inputs.area, inputs.page, inputs.pages, dataclasses.replace(table, summaries=()),
                     inputs.as_of, choices(table.summaries, len(inputs.area.names)))


def warnings_instances(w: Whole) -> Iterator[WarningsInputs]:
    """The attention list: the most urgent warned groups' summaries (a page of at most ``Limits.attention_rows`` rows,
    made from the summaries as it is rendered: see ``pages/attention.py``)."""
    programme = w.programme
    headings = programme.headings
    yield WarningsInputs(
        programme.areas[()].counts.warned,
        tuple((key, len(ids)) for key, ids in programme.warnings.items()),
        tuple(AttentionRow(programme.by_id[i], programme.area_of[i]) for i in programme.attention[:w.limits.attention_rows]),
        tuple((headings[k].names[-1], k, headings[k].counts.warned) for k in headings[()].children),
        w.extent.as_of)


def areas_instances(w: Whole) -> Iterator[AreasInputs]:
    headings = w.programme.headings
    depth = w.limits.tree_depth(tuple(sum(1 for slugs in headings if len(slugs) == level) for level in (1, 2, 3)))
    yield AreasInputs(tuple(a for slugs, a in sorted(headings.items()) if 0 < len(slugs) <= depth), headings[()],
                      depth, w.extent.as_of)


def dated(w: Whole) -> Iterator[DatedInputs]:
    yield DatedInputs(w.extent.as_of)


def search_page_instances(w: Whole) -> Iterator[SearchInputs]:
    yield SearchInputs(w.search_parts, w.extent.as_of)


def once(w: Whole) -> Iterator[NoInputs]:
    yield NoInputs()


def shares_of(w: Whole, ids: Sequence[str]) -> Shares:
    return Shares(tuple(w.data_keys[i] for i in ids), tuple(w.refs[i] for i in ids), w.shares)


def data_instances(w: Whole) -> Iterator[DataInputs]:
    yield DataInputs(w.extent.as_of, shares_of(w, sorted(w.data_keys)))


def sheet_instances(w: Whole) -> Iterator[SheetInputs]:
    """The whole programme's spreadsheet (its groups in order of id, as in the data files; made beside
    them, not in their pass over the shares, so that the two take a core each) and every area's."""
    yield SheetInputs((), (), shares_of(w, sorted(w.data_keys)))
    for slugs, area in w.programme.areas.items():
        if slugs:
            yield SheetInputs(area.names, slugs, shares_of(w, area.group_ids))


def area_entry_instances(w: Whole) -> Iterator[AreaEntryInputs]:
    for slugs, area in w.programme.areas.items():
        if slugs:
            yield AreaEntryInputs(area.names, slugs)


@dataclass(frozen=True)
class Finished:
    """What the ``last`` stage is made from: every file made before it, and every search entry."""

    paths: Iterable[str]
    entries: Mapping[str, bytes]
    """Address -> entry; the build's engine keeps their bytes elsewhere and has none here."""
    parts: int


def sitemap_instances(f: Finished) -> Iterator[SitemapInputs]:
    """The pages a search engine should know."""
    yield SitemapInputs(tuple(sorted(p for p in f.paths if p.endswith(".html") and not p.endswith(NOT_FOUND)
                                     and not p.endswith(SEARCH))))


def search_index_instances(f: Finished) -> Iterator[SearchIndexInputs]:
    yield SearchIndexInputs(f.parts, EntrySet(f.entries))


# --------------------------------------------------------------------------
# How the files that are not pages render


def render_data(inputs: DataInputs, makers: Makers) -> Iterator[Piece]:
    return data_stream(inputs.as_of, inputs.shares.shares(), makers.rubric)


def render_sheet(inputs: SheetInputs, makers: Makers) -> Iterator[Piece]:
    """In the site's first language, whichever language's page links to it; the programme's (no slugs) is
    titled with the site's title."""
    m = next(iter(makers))
    names = inputs.names or (m.lang.text(m.site.title),)
    return workbook_stream(m, names, inputs.slugs, inputs.shares.shares())


def render_datapackage(inputs: NoInputs, makers: Makers) -> Iterator[Piece]:
    yield DATAPACKAGE, datapackage_bytes(makers.rubric, makers.site)


def render_not_found(inputs: DatedInputs, makers: Makers) -> Iterator[Piece]:
    languages = list(makers)
    for m in languages:
        yield from pieces(not_found_page(m, inputs, [o for o in languages if o is not m]))


def share_instances(w: Whole) -> Iterator[ShareInputs]:
    yield ShareInputs(w.programme.areas[()].counts, w.extent.as_of)


def render_share(inputs: ShareInputs, makers: Makers) -> Iterator[Piece]:
    for m in makers:
        as_of = m.lang._("Data as of %(date)s.") % {"date": m.lang.date(inputs.as_of)} if inputs.as_of else ""
        yield m.prefix + SHARE_IMAGE, share_image(m, inputs.counts, as_of)


def render_schema(inputs: NoInputs, makers: Makers) -> Iterator[Piece]:
    yield SCHEMA_PATH, schema_bytes(makers.rubric, makers.site)


def render_rubric_json(inputs: NoInputs, makers: Makers) -> Iterator[Piece]:
    yield RUBRIC_JSON, rubric_json(makers.rubric) + "\n"


def render_form_worker(inputs: NoInputs, makers: Makers) -> Iterator[Piece]:
    """The form's service worker in the form's folder of each language: a worker serves only its folder."""
    for m in makers:
        yield m.prefix + FORM_WORKER, form_worker()


def render_static(inputs: NoInputs, makers: Makers) -> Iterator[Piece]:
    yield from static_files().items()


def render_sitemap(inputs: SitemapInputs, makers: Makers) -> Iterator[Piece]:
    """``sitemap.xml`` listing the pages, and ``robots.txt`` pointing at it."""
    site = makers.site
    yield "sitemap.xml", ('<?xml version="1.0" encoding="UTF-8"?>\n'
                          '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
    for path in inputs.paths:
        yield "sitemap.xml", f"<url><loc>{escape(canonical_url(site, path), quote=False)}</loc></url>\n"
    yield "sitemap.xml", "</urlset>\n"
    yield "robots.txt", f"User-agent: *\nAllow: /\nSitemap: {site.base_url}sitemap.xml\n"


def render_search_index(inputs: SearchIndexInputs, makers: Makers) -> Iterator[Piece]:
    yield from search_index(inputs.entries.entries, makers.site.languages, inputs.parts).items()


GROUP = Kind("group", "group", GroupInputs, lambda groups: groups, make_group)
SITEMAP = Kind("sitemap", "last", SitemapInputs, sitemap_instances, render_sitemap)
SEARCH_INDEX = Kind("search index", "last", SearchIndexInputs, search_index_instances, render_search_index)

REGISTRY = (
    GROUP,
    Kind("index", "whole", AreaInputs, index_instances, per_language(index_page), analysed),
    Kind("area", "whole", AreaInputs, area_instances, per_language(area_page), analysed),
    Kind("area table", "whole", TablePageInputs, table_page_instances, per_language(table_page), tabled),
    Kind("warnings", "whole", WarningsInputs, warnings_instances, per_language(attention_page)),
    Kind("areas", "whole", AreasInputs, areas_instances, per_language(areas_page)),
    Kind("methodology", "whole", DatedInputs, dated, per_language(methodology_page)),
    Kind("form", "whole", DatedInputs, dated, per_language(form_page)),
    Kind("search", "whole", SearchInputs, search_page_instances, per_language(search_page)),
    Kind("404", "whole", DatedInputs, dated, render_not_found),
    Kind("data files", "whole", DataInputs, data_instances, render_data),
    Kind("share image", "whole", ShareInputs, share_instances, render_share),
    Kind("data package", "whole", NoInputs, once, render_datapackage),
    Kind("spreadsheet", "whole", SheetInputs, sheet_instances, render_sheet),
    Kind("schema", "whole", NoInputs, once, render_schema),
    Kind("rubric json", "whole", NoInputs, once, render_rubric_json),
    Kind("form worker", "whole", NoInputs, once, render_form_worker),
    Kind("static files", "whole", NoInputs, once, render_static),
    Kind("area entry", "entry", AreaEntryInputs, area_entry_instances, entries(area_entry)),
    Kind("warnings entry", "entry", NoInputs, once, entries(warnings_entry)),
    Kind("methodology entry", "entry", NoInputs, once, entries(methodology_entry)),
    SITEMAP,
    SEARCH_INDEX,
)
"""Every kind, in the order a build makes them."""


def stage(name: str) -> tuple[Kind, ...]:
    return tuple(kind for kind in REGISTRY if kind.stage == name)


def kind_named(name: str) -> Kind:
    return next(kind for kind in REGISTRY if kind.name == name)


def with_search_parts(whole: Whole) -> Whole:
    """``whole`` with the number of parts its search index has: one search entry per group and per instance
    of the ``entry`` kinds, in each language."""
    entries = len(whole.shown) + sum(1 for kind in stage("entry") for _ in kind.instances(whole))
    return dataclasses.replace(whole, search_parts=whole.limits.search_parts(entries))
