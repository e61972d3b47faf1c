"""The home page, an area's page, and the tree of every area."""

from __future__ import annotations

from ..inputs import AreaPage, AreasInputs
from ..maker import Page, PageMaker
from ..urls import AREAS, INDEX, WARNINGS, area_path


def index_page(m: PageMaker, inputs: AreaPage) -> Page:
    """The programme's dashboard: totals, charts, areas, and the table of every group."""
    _ = m.lang._
    whole, groups = inputs.area, inputs.groups
    return m.page(
        INDEX, "index.html", m.lang.text(m.site.title), m.lang.text(m.site.description), [], inputs.as_of,
        filters=m.filters(inputs.choices),
        intro=m.lang.text(m.site.description),
        counts=m.counts(whole),
        total=m.lang.number(whole.counts.total),
        warned=m.lang.number(whole.counts.warned),
        warned_href=WARNINGS,
        figures=m.figures.area(inputs.analysis, _("the whole programme"), inputs.survival_years),
        areas=m.area_rows(INDEX, inputs.children),
        rows=m.group_rows(INDEX, groups.rows(m.lang.code), whole.counts.total),
        downloads=m.downloads(INDEX, ()),
    )


def area_page(m: PageMaker, inputs: AreaPage) -> Page:
    """A kota's, kecamatan's or kelurahan's page: its counts, child areas, charts and groups."""
    _ = m.lang._
    area, groups = inputs.area, inputs.groups
    path = area_path(area.slugs)
    depth = len(area.names)
    child_level = {"kota": _("Districts"), "kecamatan": _("Villages"), "kelurahan": ""}[area.level]
    return m.page(
        path, "area.html", area.names[-1],
        _("KSM groups in %(area)s: stages, scores and warnings.") % {"area": ", ".join(reversed(area.names))},
        [*m.area_trail(area.names, area.slugs[:-1]), (area.names[-1], "")],
        inputs.as_of,
        level=m.level_name(area.level),
        parent_names=", ".join(reversed(area.names[:-1])),
        counts=m.counts(area),
        total=m.lang.number(area.counts.total),
        warned=m.lang.number(area.counts.warned),
        child_level=child_level,
        figures=m.figures.area(inputs.analysis, area.names[-1], inputs.survival_years),
        children=m.area_rows(path, inputs.children),
        rows=m.group_rows(path, groups.rows(m.lang.code), area.counts.total, area_depth=depth),
        filters=m.filters(inputs.choices),
        downloads=m.downloads(path, area.slugs),
    )


def areas_page(m: PageMaker, inputs: AreasInputs) -> Page:
    """Every area, as a tree."""
    _ = m.lang._
    areas = {a.slugs: a for a in inputs.areas}
    tree = []
    for kota in inputs.whole.children:
        kecamatan_rows = []
        for kecamatan in areas[kota].children:
            kecamatan_rows.append({
                "area": m.area_rows(AREAS, [areas[kecamatan]])[0],
                "kelurahan": m.area_rows(AREAS, [areas[k] for k in areas[kecamatan].children]),
            })
        tree.append({"area": m.area_rows(AREAS, [areas[kota]])[0], "kecamatan": kecamatan_rows})
    return m.page(AREAS, "areas.html", _("Areas"), _("Every area with KSM groups, and how many are in each stage."),
                  [(_("Home"), INDEX), (_("Areas"), "")], inputs.as_of, tree=tree)
