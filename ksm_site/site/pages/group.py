"""A group's page: where it stands, why, what to do next, its path through the stages, every assessment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from markupsafe import Markup

from ...domain.analyse import TimeAxis
from ...domain.model import DISSOLVED, NOT_ASSESSED, ScoredAssessment, ScoredGroup
from ..maker import Page, PageMaker, Written
from ..markdown import markdown_html
from ..form import form_fragment
from ..urls import FORM, area_path, group_json_path, group_path, relative


def group_page(m: PageMaker, g: ScoredGroup, slugs: tuple[str, ...], axis: TimeAxis, as_of: dt.date | None) -> Page:
    """The group's page; ``slugs`` are its kelurahan's, ``axis`` the programme's shared time axis."""
    _ = m.lang._
    lang = m.lang
    group = g.group
    path = group_path(g.id)
    w = group.wilayah
    latest = g.latest
    facts = [  # (label, value, written by people: marked as Indonesian on a page of another language)
        (_("Type"), m.jenis_name(group.jenis), False),
        (_("Area"), f"{w.kelurahan}, {w.kecamatan}, {w.kota}, {w.provinsi}", True),
        (_("Formed"), lang.date(group.dibentuk), False),
    ]
    if group.bubar:
        facts.append((_("Dissolved"), lang.date(group.bubar), False))
    if group.anggota:
        facts.append((_("Members"), lang.number(group.anggota), False))
    if group.ketua and not m.site.hide_names:
        facts.append((_("Chair"), group.ketua, True))
    if group.usaha:
        facts.append((_("Members' businesses"), ", ".join(group.usaha), True))
    return m.page(
        path, "group.html", group.nama,
        _("%(name)s, %(area)s: stage %(stage)s.") % {
            "name": group.nama, "area": f"{w.kelurahan}, {w.kecamatan}, {w.kota}", "stage": m.status_name(g.status)},
        [*m.area_trail((w.kota, w.kecamatan, w.kelurahan), slugs), (Written(group.nama), "")],
        as_of,
        name=group.nama,
        status=g.status,
        status_class=m.status_class[g.status],
        status_name=m.status_name(g.status),
        score=lang.score(latest.tenths) if latest else "",
        last_date=lang.date(latest.date) if latest else "",
        assessment_count=lang.ngettext("%(num)d assessment", "%(num)d assessments", len(g.assessments)) % {"num": len(g.assessments)},
        facts=facts,
        guidance=guidance(m, g),
        figures=[m.figures.progression(g, axis), m.figures.pentagon(g)],
        warnings=[{"name": lang.text(r.name), "meaning": lang.text(r.meaning), "advice": lang.text(r.advice)}
                  for r in m.rubric.warnings if r.key in g.warnings],
        assessments=[assessment(m, a, previous, g)
                     for a, previous in reversed(list(zip(g.assessments, (None, *g.assessments[:-1]))))],
        partners=[{"name": p.nama, "kind": lang.text(m.choice_name(m.rubric.partner_kinds, p.bentuk)),
                   "since": lang.date(p.sejak) if p.sejak else "–"} for p in group.mitra],
        story=markdown_html(group.story),
        area_href=relative(path, area_path(slugs)),
        area_name=w.kelurahan,
        json_href=relative(m.prefix + path, group_json_path(g.id)),
        form_href=relative(path, FORM) + "#" + form_fragment(g, m.site.hide_names),
    )


def guidance(m: PageMaker, g: ScoredGroup) -> dict:
    """What to do next, as sentences a facilitator can act on."""
    _ = m.lang._
    lang = m.lang
    if g.status == DISSOLVED:
        return {"summary": _("This group dissolved on %(date)s. It is no longer assessed.") % {"date": lang.date(g.group.bubar)},
                "gate_text": "", "gates": [], "steps_text": "", "steps": []}
    if g.status == NOT_ASSESSED:
        return {"summary": _("This group has not been assessed yet. Schedule its first assessment with the facilitator."),
                "gate_text": "", "gates": [], "steps_text": "", "steps": []}
    latest = g.latest
    if g.next_stage is None:
        return {"summary": _("This group is at the highest stage, %(stage)s. Keep it there: assess it every year "
                             "and watch the indicators below.") % {"stage": m.status_name(g.status)},
                "gate_text": "", "gates": [], "steps_text": _("Where the group has the most room to grow:"),
                "steps": [step(m, latest, key) for key in g.focus]}
    nxt = g.next_stage
    target = m.status_name(nxt.stage)
    min_score = lang.number(m.rubric.stage(nxt.stage).min_score)
    if nxt.missing_points:
        points = lang.ngettext(
            "To reach %(stage)s the group needs %(num)d more level point (a score of at least %(min)s).",
            "To reach %(stage)s the group needs %(num)d more level points (a score of at least %(min)s).",
            nxt.missing_points) % {"stage": target, "num": nxt.missing_points, "min": min_score}
    else:
        points = _("The score is already high enough for %(stage)s (at least %(min)s).") % {"stage": target, "min": min_score}
    gates = [dict(step(m, latest, s.indicator, s.required),
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
            "steps": [step(m, latest, key) for key in nxt.suggestions if key not in gated]}


def step(m: PageMaker, latest: ScoredAssessment, key: str, target: int | None = None) -> dict:
    _ = m.lang._
    indicator = m.rubric.indicator(key)
    level = latest.levels[key]
    goal = target if target is not None else level + 1
    return {
        "name": m.lang.text(indicator.name),
        "now": _("now level %(level)d: %(text)s") % {"level": level, "text": m.lang.text(indicator.levels[level])},
        "goal": _("aim for level %(level)d: %(text)s") % {"level": goal, "text": m.lang.text(indicator.levels[goal])},
        "action": m.lang.text(indicator.action),
    }


def assessment(m: PageMaker, a: ScoredAssessment, previous: ScoredAssessment | None, g: ScoredGroup) -> dict:
    """One assessment's table: each indicator's level, and how it moved since ``previous``, if any."""
    lang = m.lang
    rows = [level_row(m, key, level, a.assessment.values[key],
                      moved(level, previous.levels.get(key)) if previous is not None else "")
            for key, level in a.levels.items()]
    assets = []
    if a.assessment.assets:
        assets = [{"name": lang.text(asset.name), "value": a.assessment.assets[asset.key], "max": m.rubric.asset_max}
                  for asset in m.rubric.assets]
    return {
        "date": lang.date(a.date), "iso": a.date.isoformat(), "score": lang.score(a.tenths),
        "points": f"{a.points}/{a.max_points}", "stage": a.stage, "stage_class": m.status_class[a.stage],
        "stage_name": m.status_name(a.stage),
        "assessor": "" if m.site.hide_names else a.assessment.assessor, "rows": rows, "assets": assets,
        "note": markdown_html(a.assessment.note), "latest": a is g.latest,
    }


def moved(level: int, before: int | None) -> str:
    """How an indicator's level moved since the assessment before: up, down, same; '' when it had none."""
    if before is None:
        return ""
    return "up" if level > before else "down" if level < before else "same"


def level_row(m: PageMaker, key: str, level: int, value: Any, change: str) -> Markup:
    """An indicator's row in an assessment's table (the ``level_row`` macro), kept in the maker for the
    next assessment with the same indicator, level, value and change: most rows of most pages are made
    once, then found again in one lookup (a group page has some fifty)."""
    found = m.level_rows.get((key, level, type(value), value, change))
    if found is None:
        _ = m.lang._
        indicator = m.rubric.indicator(key)
        shown = m.lang.percent(value) if indicator.banded else ""
        found = m.level_rows[key, level, type(value), value, change] = m.macros.level_row({
            "name": m.lang.text(indicator.name), "level": level, "max": indicator.max_level, "value": shown,
            "description": m.lang.text(indicator.levels[level]), "change": change,
            "change_mark": {"up": "▲", "down": "▼", "same": "="}.get(change, ""),
            "change_label": {"up": _("up since the previous assessment"),
                             "down": _("down since the previous assessment"),
                             "same": _("the same as at the previous assessment")}.get(change, "")})
    return found
