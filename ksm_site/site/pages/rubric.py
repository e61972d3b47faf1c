"""The page that explains the rubric: the methodology (the attention list is ``attention.py``)."""

from __future__ import annotations

from ...domain.model import DISSOLVED, NOT_ASSESSED
from ..inputs import DatedInputs
from ..maker import Page, PageMaker
from ..urls import INDEX, METHOD


def methodology_page(m: PageMaker, inputs: DatedInputs) -> Page:
    """The rubric, as ``rubric.yaml`` states it: indicators and their levels, stages, warnings, assets."""
    _ = m.lang._
    lang = m.lang
    rubric = m.rubric
    jenis_names = {j.key: lang.text(j.name) for j in rubric.jenis}
    indicators = []
    for i in rubric.indicators:
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
        applies = ("" if len(i.applies_to) == len(rubric.jenis)
                   else _("Only for: %(jenis)s") % {"jenis": ", ".join(jenis_names[k] for k in sorted(i.applies_to))})
        indicators.append({"key": i.key, "name": lang.text(i.name), "question": lang.text(i.question),
                           "levels": levels, "applies": applies, "action": lang.text(i.action)})
    stages = []
    for s in rubric.stages:
        gates = [_("%(indicator)s at least level %(level)d") % {"indicator": lang.text(rubric.indicator(k).name), "level": v}
                 for k, v in s.gates]
        stages.append({"key": s.key, "status_class": m.status_class[s.key], "name": lang.text(s.name),
                       "meaning": lang.text(s.meaning), "min": lang.number(s.min_score), "gates": gates})
    applicable = [{"jenis": jenis_names[j.key], "count": len(rubric.applicable(j.key)),
                   "max": sum(i.max_level for i in rubric.applicable(j.key))} for j in rubric.jenis]
    return m.page(
        METHOD, "methodology.html", _("Methodology"),
        _("How each KSM's score and stage are decided: the indicators, levels, stages and warnings."),
        [(_("Home"), INDEX), (_("Methodology"), "")],
        inputs.as_of,
        indicators=indicators, stages=stages, applicable=applicable,
        statuses=[
            {"status_class": m.status_class[NOT_ASSESSED], "name": m.status_name(NOT_ASSESSED),
             "meaning": _("the group has no assessment yet.")},
            {"status_class": m.status_class[DISSOLVED], "name": m.status_name(DISSOLVED),
             "meaning": _("the group has dissolved (its file has a dissolution date, bubar).")},
        ],
        warnings=[{"key": r.key, "name": lang.text(r.name), "meaning": lang.text(r.meaning), "advice": lang.text(r.advice)}
                  for r in rubric.warnings],
        assets=[lang.text(a.name) for a in rubric.assets], asset_max=rubric.asset_max,
    )
