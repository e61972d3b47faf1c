"""The home page, an area's page with the later pages of its table, and the tree of every area."""

from __future__ import annotations

from ...domain.analyse import AreaSummary
from ..inputs import AreaPage, AreasInputs, TablePage
from ..maker import Page, PageMaker
from ..urls import AREAS, INDEX, WARNINGS, area_path, attention_of, relative


def index_page(m: PageMaker, inputs: AreaPage) -> Page:
    """The programme's dashboard: totals, charts, areas, and the table of every group while that is short
    enough for a phone (``Limits.table_rows``); else where to find the groups."""
    _ = m.lang._
    whole, table = inputs.area, inputs.table
    return m.page(
        INDEX, "index.html", m.lang.text(m.site.title), m.lang.text(m.site.description), [], inputs.as_of,
        head_title=m.lang.text(m.site.title),
        filters=m.filters(inputs.choices),
        intro=m.lang.text(m.site.description),
        counts=m.counts(whole),
        total=m.lang.number(whole.counts.total),
        warned=m.lang.number(whole.counts.warned),
        warned_href=WARNINGS,
        figures=m.figures.area(inputs.analysis, _("the whole programme"), inputs.survival_years),
        areas=m.area_rows(INDEX, inputs.children),
        rows=m.group_rows(INDEX, table.rows(m.lang.code), len(table)),
        too_many=len(table) < inputs.total,
        areas_href=AREAS,
        downloads=m.downloads(INDEX, ()),
    )


def area_page(m: PageMaker, inputs: AreaPage) -> Page:
    """A kota's, kecamatan's or kelurahan's page: its groups first (the first page of them), then its counts,
    child areas, charts and downloads. Printed, it is the handout of a meeting: the table alone."""
    _ = m.lang._
    area, table = inputs.area, inputs.table
    path = area_path(area.slugs)
    depth = len(area.names)
    child_level = {"kota": _("Districts"), "kecamatan": _("Villages"), "kelurahan": ""}[area.level]
    return m.page(
        path, "area.html", area.names[-1],
        _("KSM groups in %(area)s: stages, scores and warnings.") % {"area": ", ".join(reversed(area.names))},
        [*m.area_trail(area.names, area.slugs[:-1]), (area.names[-1], "")],
        inputs.as_of,
        head_title=area_title(m, area.names),
        level=m.level_name(area.level),
        parent_names=", ".join(reversed(area.names[:-1])),
        counts=m.counts(area),
        total=m.lang.number(area.counts.total),
        warned=m.lang.number(area.counts.warned),
        warned_href=attention_of(path, area.slugs) if area.counts.warned else "",
        child_level=child_level,
        figures=m.figures.area(inputs.analysis, area.names[-1], inputs.survival_years),
        children=m.area_rows(path, inputs.children),
        rows=m.group_rows(path, table.rows(m.lang.code), len(table), area_depth=depth),
        filters=m.filters(inputs.choices),
        pager=pager(m, area.slugs, path, 1, inputs.pages),
        downloads=m.downloads(path, area.slugs),
    )


def table_page(m: PageMaker, inputs: TablePage) -> Page:
    """A later page of an area's table of groups: the table alone, between links to the pages around it."""
    _ = m.lang._
    area, table = inputs.area, inputs.table
    path = area_path(area.slugs, inputs.page)
    name = area.names[-1]
    numbered = _("%(area)s, page %(page)d of %(pages)d") % {"area": name, "page": inputs.page, "pages": inputs.pages}
    return m.page(
        path, "area_table.html", numbered,
        _("KSM groups in %(area)s: stages, scores and warnings.") % {"area": ", ".join(reversed(area.names))},
        [*m.area_trail(area.names, area.slugs), (_("Page %(page)d") % {"page": inputs.page}, "")],
        inputs.as_of,
        head_title=f"{numbered} · {area_title(m, area.names)}",
        level=m.level_name(area.level),
        parent_names=", ".join(reversed(area.names[:-1])),
        rows=m.group_rows(path, table.rows(m.lang.code), len(table), area_depth=len(area.names)),
        filters=m.filters(inputs.choices),
        pager=pager(m, area.slugs, path, inputs.page, inputs.pages),
    )


def area_title(m: PageMaker, names: tuple[str, ...]) -> str:
    """An area's page title, told apart from its namesakes: a kecamatan and a kelurahan of one name, or two
    kelurahan of one name in two kecamatan ("Mejayan · Kecamatan · Kabupaten Madiun · the site")."""
    level = m.level_name(("kota", "kecamatan", "kelurahan")[len(names) - 1])
    return " · ".join((names[-1], level, *reversed(names[:-1]), m.lang.text(m.site.title)))


def pager(m: PageMaker, slugs: tuple[str, ...], path: str, page: int, pages: int) -> dict | None:
    """Links to the pages of an area's table around ``page``, and to each of them; None for one page."""
    if pages <= 1:
        return None
    _ = m.lang._

    def link(n: int) -> str:
        return relative(path, area_path(slugs, n))

    return {
        "label": _("Pages of the table of groups"),
        "previous": link(page - 1) if page > 1 else "", "next": link(page + 1) if page < pages else "",
        "previous_label": _("Previous"), "next_label": _("Next"),
        "pages": [{"number": n, "href": link(n), "current": n == page} for n in range(1, pages + 1)],
        "summary": _("Page %(page)d of %(pages)d") % {"page": page, "pages": pages},
    }


def areas_page(m: PageMaker, inputs: AreasInputs) -> Page:
    """The areas as a tree, as deep as ``inputs.depth``; a large programme's page lists its kota (and
    kecamatan) and says that each area's page lists the areas in it."""
    _ = m.lang._
    areas = {a.slugs: a for a in inputs.areas}

    def children(area: AreaSummary) -> list[AreaSummary]:
        return [areas[c] for c in area.children if c in areas]

    tree = [{"area": m.area_rows(AREAS, [kota])[0],
             "kecamatan": [{"area": m.area_rows(AREAS, [kecamatan])[0],
                            "kelurahan": m.area_rows(AREAS, children(kecamatan))} for kecamatan in children(kota)]}
            for kota in (areas[slugs] for slugs in inputs.whole.children)]
    deeper = {1: _("Each city or regency's page lists its districts."),
              2: _("Each district's page lists its villages."), 3: ""}[inputs.depth]
    return m.page(AREAS, "areas.html", _("Areas"), _("Every area with KSM groups, and how many are in each stage."),
                  [(_("Home"), INDEX), (_("Areas"), "")], inputs.as_of, tree=tree, deeper=deeper)
