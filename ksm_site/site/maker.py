"""What every page of one language shares: the page frame, names of stages and kinds, tables' pieces.

A ``PageMaker`` is made once per language and build (and per worker
process) and handed to the page functions of ``pages/``. It holds the
settings (rubric, site, templates) and nothing else: every programme-wide
value a page shows (the as-of date, the chart axes) comes in that page's
declared inputs (``inputs.py``), so a page cannot show what its cache key
does not cover.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Iterator, Sequence

from markupsafe import Markup

from ..domain.analyse import AreaSummary
from ..domain.model import DISSOLVED, NOT_ASSESSED, GroupSummary, Rubric, Site, Text
from .figures import Figures
from .i18n import BABEL_LOCALES, LANGUAGE_NAMES, Lang
from .rows import AREA_HOLE, ROOT_HOLE, Choices, PlacedRows, Row, cut_row
from .templates import environment
from .theme import templates_digest
from .urls import (
    AREAS, FORM, INDEX, METHOD, SEARCH, SHARE_IMAGE, WARNINGS, area_path, area_sheet_path, canonical_url,
    group_path, language_prefix, relative,
)

WRITTEN_IN = "id"
"""The language people write the content in (DESIGN §5: it stays so on the English pages)."""

Page = tuple[str, Iterator[str]]
"""A page's path (relative to the site root) and its text, in the pieces Jinja2 generates."""


class Written(str):
    """Text people wrote (a group's name), where a page also shows its own words: a breadcrumb."""


class PageMaker:
    """The shared pieces of every page in one language. ``compiled``: a folder where the templates'
    compiled code is kept between builds (see ``templates.environment``)."""

    def __init__(self, rubric: Rubric, site: Site, lang: str, compiled: str | None = None):
        self.rubric = rubric
        self.site = site
        self.lang = Lang(lang)
        self.prefix = language_prefix(site, lang)
        self.env = environment(lang, compiled, templates_digest())
        self.macros = self.env.get_template("macros.html").module
        self.level_rows: dict[tuple[str, int, type, Any, str], Markup] = {}
        """Rows of assessment tables made so far (see ``pages/group.py``)."""
        self.figures = Figures(rubric, self.lang)
        self.status_class = {DISSOLVED: "st-gone", NOT_ASSESSED: "st-none",
                             **{s.key: f"st-{n}" for n, s in enumerate(rubric.stages)}}
        self.written = Markup("") if lang == WRITTEN_IN else Markup(f' lang="{WRITTEN_IN}"')
        """The attribute that marks what people wrote (names, stories, notes, businesses) on a page of another
        language, so that a screen reader reads it with an Indonesian voice; empty on Indonesian pages."""

    def page(self, path: str, template: str, title: str, description: str, breadcrumbs: list[tuple[str, str]],
             as_of: dt.date | None, head_title: str = "", **context: Any) -> Page:
        """Render one page; ``path`` is relative to this language's root. Every page prints the date its
        data is as of. ``head_title``: the page's ``<title>`` (and share title), when ``title · site`` would
        not tell it from another page's."""
        _ = self.lang._
        full = self.prefix + path
        nav = [(_("Home"), INDEX), (_("Areas"), AREAS), (_("Needs attention"), WARNINGS), (_("Methodology"), METHOD)]
        others = [(code, self.other_language_href(full, code)) for code in self.site.languages if code != self.lang.code]
        base = {
            "lang": self.lang.code,
            "site_title": self.lang.text(self.site.title),
            "title": title,
            "head_title": head_title or f"{title} · {self.lang.text(self.site.title)}",
            "description": description,
            "canonical": canonical_url(self.site, full),
            "alternates": [{"code": code, "href": canonical_url(self.site, language_prefix(self.site, code) + path)}
                           for code in self.site.languages],
            "default_href": canonical_url(self.site, language_prefix(self.site, self.site.languages[0]) + path),
            "og_locale": BABEL_LOCALES[self.lang.code],
            "og_image": canonical_url(self.site, self.prefix + SHARE_IMAGE),
            "css_href": relative(full, "static/style.css"),
            "script_href": relative(full, "static/ksm.js"),
            "icon_href": relative(full, "static/favicon.svg"),
            "search_href": relative(path, SEARCH),
            "nav": [{"label": label, "href": relative(path, target), "current": target == path} for label, target in nav],
            "breadcrumbs": [{"label": label, "href": relative(path, target) if target else "",
                             "written": self.written if isinstance(label, Written) else ""}
                            for label, target in breadcrumbs],
            "languages": [{"code": code, "name": LANGUAGE_NAMES[code], "href": href} for code, href in others],
            "as_of": self.lang.date(as_of),
            "data_href": relative(full, "data/"),
            "assess_href": relative(path, FORM),
            "status_headers": [self.status_name(k) for k in self.rubric.status_keys],
            "written": self.written,
        }
        return full, self.env.get_template(template).generate(**base, **context)

    def other_language_href(self, full: str, code: str) -> str:
        own = full[len(self.prefix):]
        return relative(full, language_prefix(self.site, code) + own)

    # --- names ---------------------------------------------------------------

    def status_name(self, key: str) -> str:
        return self.lang.text(self.rubric.status_name(key))

    @staticmethod
    def choice_name(choices, key: str) -> Text:
        return next(c.name for c in choices if c.key == key)

    def jenis_name(self, key: str) -> str:
        return self.lang.text(self.choice_name(self.rubric.jenis, key))

    def warning_rule(self, key: str):
        return next(r for r in self.rubric.warnings if r.key == key)

    def level_name(self, level: str) -> str:
        _ = self.lang._
        return {"kota": _("City / regency"), "kecamatan": _("District (kecamatan)"),
                "kelurahan": _("Village (kelurahan/desa)")}[level]

    def area_trail(self, names: tuple[str, ...], slugs: tuple[str, ...]) -> list[tuple[str, str]]:
        """Breadcrumbs from the home page down to the area ``names`` (with its ``slugs``)."""
        trail = [(self.lang._("Home"), INDEX)]
        for depth in range(1, len(slugs) + 1):
            trail.append((names[depth - 1], area_path(slugs[:depth])))
        return trail

    # --- tables of groups and areas ------------------------------------------------

    def row(self, g: GroupSummary) -> Row:
        """The group's row in every table of groups (see ``rows.py``)."""
        w = g.wilayah
        latest_date = g.latest_date
        html = self.macros.group_row({
            "filter_area": AREA_HOLE,
            "status_rank": self.rubric.status_keys.index(g.status),
            "name": g.nama,
            "href": ROOT_HOLE + group_path(g.id),
            "area": f"{w.kelurahan}, {w.kecamatan}",
            "kota": w.kota,
            "jenis": self.jenis_name(g.jenis),
            "jenis_key": g.jenis,
            "status": g.status,
            "status_class": self.status_class[g.status],
            "status_name": self.status_name(g.status),
            "score": self.lang.score(g.latest_tenths) if g.latest_tenths is not None else "–",
            "score_sort": g.latest_tenths if g.latest_tenths is not None else -1,
            **self.change(g),
            "next": (self.lang.text(self.rubric.indicator(g.first_step).name) if g.first_step
                     else self.lang._("First assessment") if g.status == NOT_ASSESSED else "–"),
            "warnings": [self.lang.text(self.warning_rule(k).name) for k in g.warnings],
            "last": self.lang.short_date(latest_date) if latest_date else "–",
            "last_iso": latest_date.isoformat() if latest_date else "",
            "written": self.written,
        })
        return cut_row(str(html), w)

    def change(self, g: GroupSummary) -> dict:
        """A group's score since its assessment before the latest: ``change`` (signed, as this language writes
        numbers), its ``change_class`` (up, down, same), its ``change_sort``."""
        if g.latest_tenths is None or g.previous_tenths is None:
            return {"change": "–", "change_class": "", "change_label": "", "change_sort": -10_000}
        diff = g.latest_tenths - g.previous_tenths
        _ = self.lang._
        if diff > 0:
            return {"change": "▲ +" + self.lang.score(diff), "change_class": "up", "change_sort": diff,
                    "change_label": _("up %(points)s since the previous assessment") % {"points": self.lang.score(diff)}}
        if diff < 0:
            return {"change": "▼ −" + self.lang.score(-diff), "change_class": "down", "change_sort": diff,
                    "change_label": _("down %(points)s since the previous assessment") % {"points": self.lang.score(-diff)}}
        return {"change": "= 0", "change_class": "same", "change_sort": 0,
                "change_label": _("the same as at the previous assessment")}

    @staticmethod
    def group_rows(page: str, rows: Iterable[Row], count: int, area_depth: int = 1) -> PlacedRows:
        """A table's rows on ``page``; ``area_depth`` is the wilayah level the area filter offers."""
        return PlacedRows(page, rows, count, area_depth)

    def filters(self, found: Choices) -> dict:
        """The choices of a group table's filter form: only values that occur in it."""
        _ = self.lang._
        return {
            "statuses": [{"value": k, "label": self.status_name(k)} for k in self.rubric.status_keys
                         if k in found.statuses],
            "jenis": [{"value": j.key, "label": self.lang.text(j.name)} for j in self.rubric.jenis if j.key in found.jenis],
            "areas": [{"value": a, "label": a} for a in found.areas] if len(found.areas) > 1 else [],
            "count_template": _("Showing {shown} of {total} groups"),
        }

    def counts(self, area: AreaSummary) -> list[dict]:
        total = area.counts.total
        return [{"status": key, "status_class": self.status_class[key], "name": self.status_name(key),
                 "count": self.lang.number(n), "share": self.lang.number(round(100 * n / total)) + "%" if total else "0%"}
                for key, n in area.counts.by_status.items()]

    def area_rows(self, page: str, children: Sequence[AreaSummary]) -> list[dict]:
        rows = []
        for area in children:
            rows.append({"name": area.names[-1], "href": relative(page, area_path(area.slugs)),
                         "total": self.lang.number(area.counts.total),
                         "warned": self.lang.number(area.counts.warned),
                         "counts": [self.lang.number(n) for n in area.counts.by_status.values()]})
        return rows

    def downloads(self, page: str, slugs: tuple[str, ...]) -> list[dict]:
        """What the page of the area ``slugs`` offers to download: its groups as a spreadsheet; the home page
        (``()``) the programme's, and every data file. The spreadsheets are in the site's first language."""
        _ = self.lang._
        full = self.prefix + page
        what = _("Groups and assessments") if slugs else _("All groups and assessments")
        first = self.site.languages[0]
        sheet = {"label": _("%(what)s (Excel)") % {"what": what} if self.lang.code == first else
                 _("%(what)s (Excel, in %(language)s)") % {"what": what, "language": LANGUAGE_NAMES[first]},
                 "href": relative(full, area_sheet_path(slugs))}
        if slugs:
            return [sheet]
        return [
            sheet,
            {"label": _("All groups (CSV)"), "href": relative(full, "data/groups.csv")},
            {"label": _("All assessments (CSV)"), "href": relative(full, "data/penilaian.csv")},
            {"label": _("All data (JSON)"), "href": relative(full, "data/groups.json")},
            {"label": _("What each column means (Data Package)"), "href": relative(full, "data/datapackage.json")},
        ]
