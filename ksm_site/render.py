"""Scored, summarised values -> HTML pages: ``(relative path, the page's text in pieces)``.

One Jinja2 environment per language (autoescape on, ``StrictUndefined``),
and one context builder per page type. A group page is made from its
``ScoredGroup``; every other page from ``GroupSummary`` values, analyses
and ``Row``s (each group's table row, rendered once with its group page and
placed on the index, area and warning pages as they are), never from the
groups themselves, so those pages cost the same whatever the groups hold.

A page comes as an iterator of text pieces (``Page``), as Jinja2 generates
it, and the rows of a table may be read lazily (``PlacedRows``): the index
of 100,000 groups is written out as it is made, never held whole. Templates lay out; every number,
date, stage name and sentence of advice arrives here already computed and
formatted. UI strings are English message ids translated through a gettext
catalogue (``ksm_site/locale/<lang>/LC_MESSAGES/messages.po``, read with
Babel at start-up, so there is no compile step); rubric texts come from
``rubric.yaml`` in the page's language.

Links are relative and point at ``.../index.html`` files, so the site works
from a sub-path and from a copy opened straight from disk.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from html import escape as escape_text
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import jinja2
import jinja2.compiler
from jinja2 import nodes
from jinja2.visitor import NodeTransformer
import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, _escape_inner
from markupsafe import escape as escape_html

from .analyse import Analysis, AreaSummary, Extent
from .figures import Figures
from .i18n import BABEL_LOCALES, LANGUAGE_NAMES, Lang, catalogue_digest, translations
from .model import DISSOLVED, NOT_ASSESSED, GroupSummary, Rubric, ScoredAssessment, ScoredGroup, Site, Text
from .search import bundle

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(ROOT, "templates")


# --------------------------------------------------------------------------
# Markdown written by users: rendered, then sanitised with an allow-list.
#
# The parser is markdown-it-py (CommonMark, with tables and strikethrough),
# chosen because its run time grows about linearly with any input: Python-
# Markdown, used before, is quadratic on unmatched brackets, so a story of
# 8,000 '[' took 5 s and a 1 MiB one would have held the build for hours.
# HTML typed into a story is not interpreted: it is shown as the text it is
# (``html: False``). No group file needs it, and the HTML parser behind the
# sanitiser is quadratic on deeply nested tags (200,000 '<div>' took over a
# minute). What the Markdown makes is still sanitised, on an allow-list:
# only the tags and attributes below, only http, https, mailto and relative
# links; no script, iframe or form, no style element or attribute, no event
# handler, no id.

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "sub", "sup",
    "blockquote", "ul", "ol", "li", "code", "pre", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "abbr", "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"},
                      "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
"""Besides relative links; ``javascript:``, ``data:``, ``vbscript:`` and every other scheme are dropped."""

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False}).enable(["table", "strikethrough"])


_C0_AND_SPACE = "".join(chr(n) for n in range(0x21))


def _drop_unsafe_urls(tag: str, attribute: str, value: str) -> str | None:
    """Drop protocol-relative URLs: they load from a host the author chose, over any scheme.

    The URL is read as a browser reads it: tabs and line breaks anywhere are
    ignored, leading and trailing controls and spaces too, and ``\\`` counts
    as ``/``; so ``/\\evil.example`` and ``/<tab>/evil.example`` are dropped
    as well. (Schemes are the sanitiser's job: ``URL_SCHEMES``.)
    """
    if attribute in ("href", "src"):
        url = value.replace("\t", "").replace("\n", "").replace("\r", "").strip(_C0_AND_SPACE)
        if url.replace("\\", "/").startswith("//"):
            return None
    return value


def _markdown_to_html(source: str) -> str:
    tokens = _MARKDOWN.parse(source)
    for token in tokens:  # a table column's alignment as the align attribute, which survives sanitising
        if token.type in ("th_open", "td_open") and str(token.attrs.get("style", "")).startswith("text-align:"):
            token.attrs = {"align": str(token.attrs["style"])[len("text-align:"):]}
    return _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}).rstrip("\n")


@lru_cache(maxsize=4096)
def markdown_html(source: str) -> Markup:
    """The one place user Markdown becomes markup: rendered, then sanitised.

    Kept for the next call with the same text: every page is made in each
    language, and the story and notes are the same in all of them.
    """
    if not source:
        return Markup("")
    clean = nh3.clean(_markdown_to_html(source), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                      attribute_filter=_drop_unsafe_urls, link_rel="noopener noreferrer nofollow",
                      clean_content_tags={"script", "style"})
    return Markup(clean)


# --------------------------------------------------------------------------
# Paths and links


def group_path(group_id: str) -> str:
    return f"kelompok/{group_id}/index.html"


def group_json_path(group_id: str) -> str:
    """One group's record (as in ``data/groups.json``), next to its page in the default language."""
    return f"kelompok/{group_id}/data.json"


def area_path(slugs: tuple[str, ...]) -> str:
    return "/".join(("wilayah", *slugs, "index.html"))


INDEX = "index.html"
AREAS = "wilayah/index.html"
WARNINGS = "perlu-perhatian/index.html"
METHOD = "metodologi/index.html"
SEARCH = "cari/index.html"


def relative(from_page: str, target: str) -> str:
    """A link from one output file to another, both relative to the site root."""
    depth = from_page.count("/")
    return "../" * depth + target


def canonical_url(site: Site, full: str) -> str:
    """The page's public address: ``base_url`` + its path, without a trailing ``index.html``."""
    return site.base_url + (full[: -len("index.html")] if full.endswith("index.html") else full)


def language_prefix(site: Site, lang: str) -> str:
    """Pages of the first language live at the root, the others under ``<lang>/``."""
    return "" if lang == site.languages[0] else f"{lang}/"


Page = tuple[str, Iterator[str]]
"""A page's path (relative to the site root) and its text, in the pieces Jinja2 generates."""

Row = str
"""One group's row in a table of groups, rendered once, for a page at any depth.

Kept as plain text (a build reads 10,000 of them to redraw the index):
the link to the group's page, then the row's area filter value for a table
of kecamatan and of kelurahan (escaped), then the row's HTML with its links
relative to the language's root and ``\1`` where the area filter value goes;
the parts are separated by ``\0``. ``PlacedRows`` puts ``../`` in front of
the links for a page further down, and the table's filter value in place.
Autoescape turns every ``"`` of user text into ``&#34;``, so ``="kelompok/...``
appears only where the template put a link; and content with control
characters is refused, so no text holds ``\0`` or ``\1``.
"""

AREA_MARK = "\1"


def make_row(html: str, link: str, areas: Sequence[str]) -> Row:
    return "\0".join((link, *(str(escape_html(a)) for a in areas), html))


class PlacedRows:
    """Rows as they appear in one table of one page (a path relative to the language's root).

    ``rows`` is read once, lazily, and given to the template in pieces of
    ``PIECE`` rows: one piece of markup per row would copy each row twice
    (here and when the template escapes it), and one piece for all would
    hold a table of 100,000 rows at once. ``len`` is the number of rows;
    ``area_depth`` the wilayah level the table's area filter offers (1
    kecamatan, 2 kelurahan, 3 none).
    """

    PIECE = 256

    def __init__(self, page: str, rows: Iterable[Row], count: int, area_depth: int):
        self.prefix = "../" * page.count("/")
        self.rows = rows
        self.count = count
        self.area_depth = area_depth

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Markup]:
        pieces = getattr(self.rows, "pieces", None)
        if pieces is not None:
            # rows that keep the pieces made of them (see pipeline.py): each piece is made by ``place``
            yield from pieces(self.place, self.PIECE, (self.prefix, self.area_depth))
            return
        piece = []
        for row in self.rows:
            piece.append(row)
            if len(piece) == self.PIECE:
                yield self.place(piece)
                piece = []
        if piece:
            yield self.place(piece)

    def place(self, rows: Iterable[Row]) -> Markup:
        """Rows as one piece of this table."""
        prefix, depth, piece = self.prefix, self.area_depth, []
        for row in rows:
            link, area1, area2, html = row.split("\0", 3)
            html = html.replace(AREA_MARK, area1 if depth == 1 else area2 if depth == 2 else "", 1)
            piece.append(html.replace(f'="{link}"', f'="{prefix}{link}"') if prefix else html)
        return Markup("".join(piece))


def filter_area(w, depth: int) -> str:
    """The value a group table's area filter gives a group of ``wilayah`` ``w`` (``depth`` as in ``PlacedRows``)."""
    names = (w.kota, w.kecamatan, w.kelurahan)
    if depth >= len(names):
        return ""
    return f"{names[depth]} ({names[depth - 1]})" if depth else names[0]


@dataclass(frozen=True)
class Choices:
    """What a group table's filter form offers: the values that occur in it."""

    statuses: frozenset[str]
    jenis: frozenset[str]
    areas: tuple[str, ...]
    """Area filter values, sorted as shown."""


def choices(groups: Iterable[GroupSummary], area_depth: int) -> Choices:
    groups = list(groups)
    areas = sorted({a for a in (filter_area(g.wilayah, area_depth) for g in groups) if a}, key=str.casefold)
    return Choices(frozenset(g.status for g in groups), frozenset(g.jenis for g in groups), tuple(areas))


# --------------------------------------------------------------------------
# Context builders


class Renderer:
    """Builds every page of one language.

    ``extent`` holds the programme-wide values pages show: the as-of date
    and the shared chart axes. ``compiled``: a folder where the templates'
    compiled code is kept between builds (see ``environment``).
    """

    def __init__(self, rubric: Rubric, site: Site, lang: str, extent: Extent, compiled: str | None = None):
        self.rubric = rubric
        self.site = site
        self.extent = extent
        self.lang = Lang(lang)
        self.prefix = language_prefix(site, lang)
        self.env = environment(lang, compiled, templates_digest())
        self.macros = self.env.get_template("macros.html").module
        self.level_rows: dict[tuple[str, int, type, Any], Markup] = {}
        self.figures = Figures(rubric, self.lang, extent)
        self.status_class = {DISSOLVED: "st-gone", NOT_ASSESSED: "st-none",
                             **{s.key: f"st-{n}" for n, s in enumerate(rubric.stages)}}

    # --- shared pieces -----------------------------------------------------

    def page(self, path: str, template: str, title: str, description: str,
             breadcrumbs: list[tuple[str, str]], **context: Any) -> Page:
        """Render one page; ``path`` is relative to this language's root."""
        _ = self.lang._
        full = self.prefix + path
        nav = [(_("Home"), INDEX), (_("Areas"), AREAS), (_("Needs attention"), WARNINGS), (_("Methodology"), METHOD)]
        others = [(code, self.other_language_href(full, code)) for code in self.site.languages if code != self.lang.code]
        base = {
            "lang": self.lang.code,
            "site_title": self.lang.text(self.site.title),
            "title": title,
            "description": description,
            "canonical": canonical_url(self.site, full),
            "alternates": [{"code": code, "href": canonical_url(self.site, language_prefix(self.site, code) + path)}
                           for code in self.site.languages],
            "default_href": canonical_url(self.site, language_prefix(self.site, self.site.languages[0]) + path),
            "og_locale": BABEL_LOCALES[self.lang.code],
            "css_href": relative(full, "static/style.css"),
            "script_href": relative(full, "static/ksm.js"),
            "icon_href": relative(full, "static/favicon.svg"),
            "search_href": relative(path, SEARCH),
            "nav": [{"label": label, "href": relative(path, target), "current": target == path} for label, target in nav],
            "breadcrumbs": [{"label": label, "href": relative(path, target) if target else ""}
                            for label, target in breadcrumbs],
            "languages": [{"code": code, "name": LANGUAGE_NAMES[code], "href": href} for code, href in others],
            "as_of": self.lang.date(self.extent.as_of),
            "data_href": relative(full, "data/"),
            "status_headers": [self.status_name(k) for k in self.rubric.status_keys],
        }
        return full, self.env.get_template(template).generate(**base, **context)

    def other_language_href(self, full: str, code: str) -> str:
        own = full[len(self.prefix):]
        return relative(full, language_prefix(self.site, code) + own)

    def status_name(self, key: str) -> str:
        return self.lang.text(self.rubric.status_name(key))

    def area_trail(self, names: tuple[str, ...], slugs: tuple[str, ...]) -> list[tuple[str, str]]:
        """Breadcrumbs from the home page down to the area ``names`` (with its ``slugs``)."""
        trail = [(self.lang._("Home"), INDEX)]
        for depth in range(1, len(slugs) + 1):
            trail.append((names[depth - 1], area_path(slugs[:depth])))
        return trail

    def row(self, g: GroupSummary) -> Row:
        """The group's row in every table of groups."""
        w = g.wilayah
        link = group_path(g.id)
        latest_date = g.latest_date
        html = self.macros.group_row({
            "filter_area": AREA_MARK,
            "status_rank": self.rubric.status_keys.index(g.status),
            "name": g.nama,
            "href": link,
            "area": f"{w.kelurahan}, {w.kecamatan}",
            "kota": w.kota,
            "jenis": self.lang.text(self.choice_name(self.rubric.jenis, g.jenis)),
            "jenis_key": g.jenis,
            "status": g.status,
            "status_class": self.status_class[g.status],
            "status_name": self.status_name(g.status),
            "score": self.lang.score(g.latest_tenths) if g.latest_tenths is not None else "–",
            "score_sort": g.latest_tenths if g.latest_tenths is not None else -1,
            "warnings": [self.lang.text(self.warning_rule(k).name) for k in g.warnings],
            "last": self.lang.short_date(latest_date) if latest_date else "–",
            "last_iso": latest_date.isoformat() if latest_date else "",
        })
        return make_row(str(html), link, (filter_area(w, 1), filter_area(w, 2)))

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
        return [{"status": key, "status_class": self.status_class[key], "name": self.status_name(key), "count": self.lang.number(n),
                 "share": self.lang.number(round(100 * n / total)) + "%" if total else "0%"}
                for key, n in area.counts.by_status.items()]

    @staticmethod
    def choice_name(choices, key: str) -> Text:
        return next(c.name for c in choices if c.key == key)

    def warning_rule(self, key: str):
        return next(r for r in self.rubric.warnings if r.key == key)

    # --- pages -------------------------------------------------------------

    def index(self, whole: AreaSummary, children: Sequence[AreaSummary], analysis: Analysis,
              rows: Iterable[Row], found: Choices) -> Page:
        """The home page; ``rows`` are every group's, in display order, ``found`` what they hold."""
        _ = self.lang._
        return self.page(
            INDEX, "index.html", self.lang.text(self.site.title), self.lang.text(self.site.description), [],
            filters=self.filters(found),
            intro=self.lang.text(self.site.description),
            counts=self.counts(whole),
            total=self.lang.number(whole.counts.total),
            warned=self.lang.number(whole.counts.warned),
            warned_href=WARNINGS,
            figures=self.figures.area(analysis, _("the whole programme")),
            areas=self.area_rows(INDEX, children),
            rows=self.group_rows(INDEX, rows, whole.counts.total),
            downloads=self.downloads(INDEX),
        )

    def downloads(self, page: str) -> list[dict]:
        _ = self.lang._
        full = self.prefix + page
        return [
            {"label": _("All groups (CSV)"), "href": relative(full, "data/groups.csv")},
            {"label": _("All assessments (CSV)"), "href": relative(full, "data/penilaian.csv")},
            {"label": _("All data (JSON)"), "href": relative(full, "data/groups.json")},
        ]

    def area_rows(self, page: str, children: Sequence[AreaSummary]) -> list[dict]:
        rows = []
        for area in children:
            rows.append({"name": area.names[-1], "href": relative(page, area_path(area.slugs)),
                         "total": self.lang.number(area.counts.total),
                         "warned": self.lang.number(area.counts.warned),
                         "counts": [self.lang.number(n) for n in area.counts.by_status.values()]})
        return rows

    def areas_index(self, areas: Mapping[tuple[str, ...], AreaSummary]) -> Page:
        """Every area, as a tree; ``areas`` maps slugs to areas, ``()`` to the whole programme."""
        _ = self.lang._
        tree = []
        for kota in areas[()].children:
            kecamatan_rows = []
            for kecamatan in areas[kota].children:
                kecamatan_rows.append({
                    "area": self.area_rows(AREAS, [areas[kecamatan]])[0],
                    "kelurahan": self.area_rows(AREAS, [areas[k] for k in areas[kecamatan].children]),
                })
            tree.append({"area": self.area_rows(AREAS, [areas[kota]])[0], "kecamatan": kecamatan_rows})
        return self.page(AREAS, "areas.html", _("Areas"), _("Every area with KSM groups, and how many are in each stage."),
                         [(_("Home"), INDEX), (_("Areas"), "")], tree=tree)

    def level_name(self, level: str) -> str:
        _ = self.lang._
        return {"kota": _("City / regency"), "kecamatan": _("District (kecamatan)"),
                "kelurahan": _("Village (kelurahan/desa)")}[level]

    def area(self, area: AreaSummary, children: Sequence[AreaSummary], analysis: Analysis,
             rows: Iterable[Row], found: Choices) -> Page:
        """An area's page; ``rows`` are its groups', in display order, ``found`` what they hold."""
        _ = self.lang._
        path = area_path(area.slugs)
        child_level = {"kota": _("Districts"), "kecamatan": _("Villages"), "kelurahan": ""}[area.level]
        return self.page(
            path, "area.html", area.names[-1],
            _("KSM groups in %(area)s: stages, scores and warnings.") % {"area": ", ".join(reversed(area.names))},
            [*self.area_trail(area.names, area.slugs[:-1]), (area.names[-1], "")],
            level=self.level_name(area.level),
            parent_names=", ".join(reversed(area.names[:-1])),
            counts=self.counts(area),
            total=self.lang.number(area.counts.total),
            warned=self.lang.number(area.counts.warned),
            child_level=child_level,
            figures=self.figures.area(analysis, area.names[-1]),
            children=self.area_rows(path, children),
            rows=self.group_rows(path, rows, area.counts.total, area_depth=len(area.names)),
            filters=self.filters(found),
            downloads=self.downloads(path),
        )

    def group(self, g: ScoredGroup, slugs: tuple[str, ...]) -> Page:
        """The group's page; ``slugs`` are its kelurahan's."""
        _ = self.lang._
        lang = self.lang
        group = g.group
        path = group_path(g.id)
        w = group.wilayah
        latest = g.latest
        facts = [
            (_("Type"), lang.text(self.choice_name(self.rubric.jenis, group.jenis))),
            (_("Area"), f"{w.kelurahan}, {w.kecamatan}, {w.kota}, {w.provinsi}"),
            (_("Formed"), lang.date(group.dibentuk)),
        ]
        if group.bubar:
            facts.append((_("Dissolved"), lang.date(group.bubar)))
        if group.anggota:
            facts.append((_("Members"), lang.number(group.anggota)))
        if group.ketua:
            facts.append((_("Chair"), group.ketua))
        if group.usaha:
            facts.append((_("Members' businesses"), ", ".join(group.usaha)))
        return self.page(
            path, "group.html", group.nama,
            _("%(name)s, %(area)s: stage %(stage)s.") % {
                "name": group.nama, "area": f"{w.kelurahan}, {w.kecamatan}, {w.kota}", "stage": self.status_name(g.status)},
            [*self.area_trail((w.kota, w.kecamatan, w.kelurahan), slugs), (group.nama, "")],
            name=group.nama,
            status=g.status,
            status_class=self.status_class[g.status],
            status_name=self.status_name(g.status),
            score=lang.score(latest.tenths) if latest else "",
            last_date=lang.date(latest.date) if latest else "",
            assessment_count=lang.ngettext("%(num)d assessment", "%(num)d assessments", len(g.assessments)) % {"num": len(g.assessments)},
            facts=facts,
            guidance=self.guidance(g),
            figures=[self.figures.progression(g), self.figures.pentagon(g)],
            warnings=[{"name": lang.text(r.name), "meaning": lang.text(r.meaning), "advice": lang.text(r.advice)}
                      for r in self.rubric.warnings if r.key in g.warnings],
            assessments=[self.assessment(a, g) for a in reversed(g.assessments)],
            partners=[{"name": p.nama, "kind": lang.text(self.choice_name(self.rubric.partner_kinds, p.bentuk)),
                       "since": lang.date(p.sejak) if p.sejak else "–"} for p in group.mitra],
            story=markdown_html(group.story),
            area_href=relative(path, area_path(slugs)),
            area_name=w.kelurahan,
            json_href=relative(self.prefix + path, group_json_path(g.id)),
        )

    def guidance(self, g: ScoredGroup) -> dict:
        """What to do next, as sentences a facilitator can act on."""
        _ = self.lang._
        lang = self.lang
        if g.status == DISSOLVED:
            return {"summary": _("This group dissolved on %(date)s. It is no longer assessed.") % {"date": lang.date(g.group.bubar)},
                    "gate_text": "", "gates": [], "steps_text": "", "steps": []}
        if g.status == NOT_ASSESSED:
            return {"summary": _("This group has not been assessed yet. Schedule its first assessment with the facilitator."),
                    "gate_text": "", "gates": [], "steps_text": "", "steps": []}
        latest = g.latest
        if g.next_stage is None:
            return {"summary": _("This group is at the highest stage, %(stage)s. Keep it there: assess it every year "
                                 "and watch the indicators below.") % {"stage": self.status_name(g.status)},
                    "gate_text": "", "gates": [], "steps_text": _("Where the group has the most room to grow:"),
                    "steps": [self.step(latest, key) for key in g.focus]}
        nxt = g.next_stage
        target = self.status_name(nxt.stage)
        min_score = lang.number(self.rubric.stage(nxt.stage).min_score)
        if nxt.missing_points:
            points = lang.ngettext(
                "To reach %(stage)s the group needs %(num)d more level point (a score of at least %(min)s).",
                "To reach %(stage)s the group needs %(num)d more level points (a score of at least %(min)s).",
                nxt.missing_points) % {"stage": target, "num": nxt.missing_points, "min": min_score}
        else:
            points = _("The score is already high enough for %(stage)s (at least %(min)s).") % {"stage": target, "min": min_score}
        gates = [dict(self.step(latest, s.indicator, s.required),
                      requirement=_("%(stage)s requires at least level %(level)d.") % {"stage": target, "level": s.required})
                 for s in nxt.unmet_gates]
        if gates:
            gate_text = lang.ngettext("It must also meet %(num)d requirement:", "It must also meet %(num)d requirements:",
                                      len(gates)) % {"num": len(gates)}
        else:
            gate_text = _("Every requirement of %(stage)s is already met.") % {"stage": target}
        gated = {s.indicator for s in nxt.unmet_gates}
        return {"summary": points, "gate_text": gate_text, "gates": gates,
                "steps_text": (_("Then, where the group has the most room to grow:") if gates
                               else _("Where the group has the most room to grow:")),
                "steps": [self.step(latest, key) for key in nxt.suggestions if key not in gated]}

    def step(self, latest: ScoredAssessment, key: str, target: int | None = None) -> dict:
        _ = self.lang._
        indicator = self.rubric.indicator(key)
        level = latest.levels[key]
        goal = target if target is not None else level + 1
        return {
            "name": self.lang.text(indicator.name),
            "now": _("now level %(level)d: %(text)s") % {"level": level, "text": self.lang.text(indicator.levels[level])},
            "goal": _("aim for level %(level)d: %(text)s") % {"level": goal, "text": self.lang.text(indicator.levels[goal])},
            "action": self.lang.text(indicator.action),
        }

    def assessment(self, a: ScoredAssessment, g: ScoredGroup) -> dict:
        lang = self.lang
        rows = [self.level_row(key, level, a.assessment.values[key]) for key, level in a.levels.items()]
        assets = []
        if a.assessment.assets:
            assets = [{"name": lang.text(asset.name), "value": a.assessment.assets[asset.key], "max": self.rubric.asset_max}
                      for asset in self.rubric.assets]
        return {
            "date": lang.date(a.date), "iso": a.date.isoformat(), "score": lang.score(a.tenths),
            "points": f"{a.points}/{a.max_points}", "stage": a.stage, "stage_class": self.status_class[a.stage],
            "stage_name": self.status_name(a.stage),
            "assessor": a.assessment.assessor, "rows": rows, "assets": assets,
            "note": markdown_html(a.assessment.note), "latest": a is g.latest,
        }

    def level_row(self, key: str, level: int, value: Any) -> Markup:
        """An indicator's row in an assessment's table (the ``level_row`` macro), kept for the next
        assessment with the same indicator, level and value: most rows of most pages are made once, and
        found again in one lookup (a group page has some fifty)."""
        found = self.level_rows.get((key, level, type(value), value))
        if found is None:
            indicator = self.rubric.indicator(key)
            shown = self.lang.percent(value) if indicator.banded else ""
            found = self.level_rows[key, level, type(value), value] = self.macros.level_row({
                "name": self.lang.text(indicator.name), "level": level, "max": indicator.max_level, "value": shown,
                "description": self.lang.text(indicator.levels[level])})
        return found

    def warnings_page(self, rows: Mapping[str, Iterable[Row]], counts: Mapping[str, int], warned: int) -> Page:
        """``rows`` and ``counts``: the rows of the groups carrying each warning, and how many they
        are; ``warned``: how many groups carry any."""
        _ = self.lang._
        sections = []
        for rule in self.rubric.warnings:
            sections.append({"key": rule.key, "name": self.lang.text(rule.name), "meaning": self.lang.text(rule.meaning),
                             "advice": self.lang.text(rule.advice),
                             "table_id": f"groups-{rule.key}",
                             "rows": self.group_rows(WARNINGS, rows[rule.key], counts[rule.key]),
                             "count": counts[rule.key]})
        return self.page(WARNINGS, "warnings.html", _("Needs attention"),
                         _("Active KSM groups with an early warning, and what to do about each."),
                         [(_("Home"), INDEX), (_("Needs attention"), "")], sections=sections,
                         warned=self.lang.number(warned))

    def methodology(self) -> Page:
        _ = self.lang._
        lang = self.lang
        jenis_names = {j.key: lang.text(j.name) for j in self.rubric.jenis}
        indicators = []
        for i in self.rubric.indicators:
            levels = []
            for level, description in enumerate(i.levels):
                band = ""
                if i.banded:
                    low = i.bands[level - 1] if level else None
                    high = i.bands[level] if level < i.max_level else None
                    if low is None:
                        band = _("below %(high)s") % {"high": lang.percent(high)}
                    elif high is None:
                        band = _("%(low)s or more") % {"low": lang.percent(low)}
                    else:
                        band = _("%(low)s to under %(high)s") % {"low": lang.percent(low), "high": lang.percent(high)}
                levels.append({"level": level, "text": lang.text(description), "band": band})
            applies = ("" if len(i.applies_to) == len(self.rubric.jenis)
                       else _("Only for: %(jenis)s") % {"jenis": ", ".join(jenis_names[k] for k in sorted(i.applies_to))})
            indicators.append({"key": i.key, "name": lang.text(i.name), "question": lang.text(i.question),
                               "levels": levels, "applies": applies, "action": lang.text(i.action)})
        stages = []
        for s in self.rubric.stages:
            gates = [_("%(indicator)s at least level %(level)d") % {"indicator": lang.text(self.rubric.indicator(k).name), "level": v}
                     for k, v in s.gates]
            stages.append({"key": s.key, "status_class": self.status_class[s.key], "name": lang.text(s.name), "meaning": lang.text(s.meaning),
                           "min": lang.number(s.min_score), "gates": gates})
        applicable = [{"jenis": jenis_names[j.key], "count": len(self.rubric.applicable(j.key)),
                       "max": sum(i.max_level for i in self.rubric.applicable(j.key))} for j in self.rubric.jenis]
        return self.page(
            METHOD, "methodology.html", _("Methodology"),
            _("How each KSM's score and stage are decided: the indicators, levels, stages and warnings."),
            [(_("Home"), INDEX), (_("Methodology"), "")],
            indicators=indicators, stages=stages, applicable=applicable,
            statuses=[
                {"status_class": self.status_class[NOT_ASSESSED], "name": self.status_name(NOT_ASSESSED),
                 "meaning": _("the group has no assessment yet.")},
                {"status_class": self.status_class[DISSOLVED], "name": self.status_name(DISSOLVED),
                 "meaning": _("the group has dissolved (its file has a dissolution date, bubar).")},
            ],
            warnings=[{"key": r.key, "name": lang.text(r.name), "meaning": lang.text(r.meaning), "advice": lang.text(r.advice)}
                      for r in self.rubric.warnings],
            assets=[lang.text(a.name) for a in self.rubric.assets], asset_max=self.rubric.asset_max,
        )

    def not_found(self) -> Page:
        _ = self.lang._
        return self.page("404.html", "404.html", _("Page not found"), _("This page does not exist."),
                         [(_("Home"), INDEX), (_("Page not found"), "")],
                         base_href=self.site.base_url + self.prefix)

    def search(self, parts: int = 1) -> Page:
        """The search page; ``parts``: how many bundles the index is split into (see search.py)."""
        _ = self.lang._
        full = self.prefix + SEARCH
        return self.page(SEARCH, "search.html", _("Search"), _("Search the groups, areas and indicators."),
                         [(_("Home"), INDEX), (_("Search"), "")],
                         root_href=relative(full, ""), pagefind_css=relative(full, "pagefind/pagefind-ui.css"),
                         pagefind_js=relative(full, "pagefind/pagefind-ui.js"),
                         bundles=" ".join(relative(full, bundle(k) + "/") for k in range(1, parts)))

    # --- what the search finds ----------------------------------------------

    def entry(self, path: str, title: str, lines: Iterable[str]) -> tuple[str, bytes]:
        """What the search finds of the page at ``path`` (relative to this language's root): a small
        document that Pagefind reads in the page's place, naming the page's address (see search.py).

        It holds what names a group or an area, or explains the rubric, and
        nothing that an assessment moves (stage, score, counts, tables), so
        editing a level leaves the search index as it was.
        """
        full = self.prefix + path
        html = self.env.get_template("search_entry.html").render(
            lang=self.lang.code, path=full, title=title, lines=[line for line in lines if line])
        return full, html.encode()

    def group_entry(self, g: ScoredGroup) -> tuple[str, bytes]:
        group = g.group
        w = group.wilayah
        return self.entry(group_path(g.id), group.nama, [
            f"{w.kelurahan}, {w.kecamatan}, {w.kota}, {w.provinsi}",
            self.lang.text(self.choice_name(self.rubric.jenis, group.jenis)),
            group.ketua or "",
            ", ".join(group.usaha),
            ", ".join(p.nama for p in group.mitra),
            markdown_html(group.story),
        ])

    def area_entry(self, area: AreaSummary) -> tuple[str, bytes]:
        return self.entry(area_path(area.slugs), area.names[-1],
                          [self.level_name(area.level), ", ".join(reversed(area.names[:-1]))])

    def warnings_entry(self) -> tuple[str, bytes]:
        text = self.lang.text
        return self.entry(WARNINGS, self.lang._("Needs attention"),
                          [f"{text(r.name)}: {text(r.meaning)} {text(r.advice)}" for r in self.rubric.warnings])

    def methodology_entry(self) -> tuple[str, bytes]:
        text = self.lang.text
        rubric = self.rubric
        return self.entry(METHOD, self.lang._("Methodology"), [
            *(f"{text(i.name)}: {text(i.question)} {text(i.action)}" for i in rubric.indicators),
            *(f"{text(s.name)}: {text(s.meaning)}" for s in rubric.stages),
            ", ".join(text(a.name) for a in rubric.assets),
        ])


_new_str = str.__new__


def _escape(value: Any) -> Markup:
    """``markupsafe.escape``, with its two common cases made in C: text escaped, markup as it is.

    Every ``{{ ... }}`` of a template goes through it, some 300 times a
    page. ``markupsafe.escape`` (Python since MarkupSafe 3) wraps each result
    in ``Markup(...)``, whose constructor is Python too: together they took
    about a sixth of the templates' time. Same results: ``Markup`` is an
    immutable ``str``, so markup is returned as it is rather than copied.
    """
    kind = type(value)
    if kind is str:
        return _new_str(Markup, _escape_inner(value))
    if kind is Markup:
        return value
    return escape_html(value)


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja2's code generator, with a template's output escaped by ``_escape``.

    The code Jinja2 makes for a template imports ``escape`` at the top and
    looks it up when a page is rendered, so one more import at the end of
    the module puts ``_escape`` in its place.
    """

    def visit_Template(self, node: nodes.Template, frame=None) -> None:
        super().visit_Template(node, frame)
        self.writeline(f"from {__name__} import _escape as escape")


class _Translated(NodeTransformer):
    """``_("text")``, a message with nothing to fill in, replaced by its translation (as ``_`` makes it,
    markup). Jinja2 writes a constant into the compiled code as the text around it, so the page then
    costs nothing for it; looked up as the page is made, each of the some forty on a page cost a call
    through the template's context. ``_`` is the gettext function: no template binds that name."""

    def __init__(self, gettext: Callable[[str], Markup]):
        self.gettext = gettext

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if (isinstance(node.node, nodes.Name) and node.node.name == "_" and len(node.args) == 1
                and isinstance(node.args[0], nodes.Const) and isinstance(node.args[0].value, str)
                and not node.kwargs and node.dyn_args is None and node.dyn_kwargs is None):
            return nodes.MarkSafe(nodes.Const(str(self.gettext(node.args[0].value))), lineno=node.lineno)
        return node


class _Environment(jinja2.Environment):
    """Jinja2's environment, with three costs of every page taken out; each makes the same page.

    * ``{{ x.name }}`` on a dict is found in one step. Jinja2 looks ``x.name``
      up as an attribute first and as a key after the attribute lookup has
      failed with an exception, which cost more than a fifth of rendering a
      group page whose context is made of dicts. A key that is not a
      ``dict`` attribute is now looked up directly.
    * Output is escaped by ``_escape`` (``_CodeGenerator``).
    * ``_("text")`` is translated as the template compiles (``_Translated``).

    With the last two, a group page's templates took 27 % less time.
    """

    code_generator_class = _CodeGenerator

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return _Translated(self.globals["_"]).visit(super()._parse(source, name, filename))

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))


def _fast_gettext(env: jinja2.Environment, catalogue) -> None:
    """``_("...")`` in templates, as Jinja2's new-style gettext with autoescaping makes it (the message
    as markup, ``%`` applied to the escaped variables, also when there are none), in one call.

    Jinja2's ``_`` is an alias that looks ``gettext`` up in the context and
    calls it through the context again; a page asks for some fifty messages,
    most of them without variables, and those are kept once made. This
    environment always autoescapes, so the context is not needed.
    """
    done: dict[str, Markup] = {}

    def gettext(__string: str, **variables: Any) -> Markup:
        if variables:
            return Markup(catalogue.gettext(__string)) % variables
        found = done.get(__string)
        if found is None:
            found = done[__string] = Markup(catalogue.gettext(__string)) % {}
        return found

    env.globals["_"] = env.globals["gettext"] = gettext


@lru_cache(maxsize=None)
def environment(lang: str, compiled: str | None = None, digest: str = "") -> jinja2.Environment:
    """The templates in ``lang``; their compiled code kept in the folder ``compiled`` if given.

    A template is loaded once (no ``auto_reload``: asking the file system
    whether it changed, at every page, costs a few percent of a build); a
    process that builds again after the templates changed (``serve``)
    passes their new ``digest`` (``templates_digest()``) and so gets a new
    environment.

    Compiling the templates takes longer than rendering a group's pages, in
    every process that renders. Jinja2's ``FileSystemBytecodeCache`` keys
    each template by its name and source; the code depends also on the
    language and its catalogue (``_Translated``) and on this module
    (``_CodeGenerator``), so a digest of those names the files as well.
    """
    with open(__file__, "rb") as f:
        made_by = hashlib.sha256(f"{lang}\0{catalogue_digest(lang)}\0".encode() + f.read()).hexdigest()
    env = _Environment(
        bytecode_cache=jinja2.FileSystemBytecodeCache(compiled, f"__jinja2_ksm_{made_by[:16]}_%s.cache")
        if compiled else None,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    catalogue = translations(lang)
    env.install_gettext_translations(catalogue, newstyle=True)
    _fast_gettext(env, catalogue)
    return env


def sitemap(site: Site, pages: Iterable[str]) -> dict[str, str]:
    """``sitemap.xml`` listing every page but the 404 and search pages, and ``robots.txt`` pointing at it."""
    urls = [canonical_url(site, p) for p in sorted(pages)
            if p.endswith(".html") and not p.endswith("404.html") and not p.endswith(SEARCH)]
    body = "".join(f"<url><loc>{escape_text(u, quote=False)}</loc></url>\n" for u in urls)
    return {
        "sitemap.xml": ('<?xml version="1.0" encoding="UTF-8"?>\n'
                        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n"),
        "robots.txt": f"User-agent: *\nAllow: /\nSitemap: {site.base_url}sitemap.xml\n",
    }


def static_files() -> dict[str, bytes]:
    """The site's own CSS and scripts, from ``templates/static``."""
    folder = os.path.join(TEMPLATES, "static")
    files = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            files[f"static/{name}"] = f.read()
    return files


def load_templates(languages: Iterable[str], compiled: str | None) -> None:
    """Every template in each language, compiled (or read from ``compiled``) now: a build does it while
    its workers parse, so the workers forked after that inherit them instead of each loading them."""
    digest = templates_digest()
    for lang in languages:
        env = environment(lang, compiled, digest)
        for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
            env.get_template(name)


def templates_digest() -> str:
    """A SHA-256 of every file under ``templates/`` (names and bytes): what every page's look depends on."""
    digest = hashlib.sha256()
    for folder, dirs, names in sorted(os.walk(TEMPLATES)):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, TEMPLATES).encode() + b"\0")
            with open(path, "rb") as f:
                digest.update(hashlib.sha256(f.read()).digest())
    return digest.hexdigest()
