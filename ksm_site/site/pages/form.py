"""The assessment form (``nilai/``, DESIGN §10): a group's assessment as text its file accepts.

The page lays the rubric out as questions (every indicator of every jenis;
the script shows those of the group's jenis) and carries the rubric as JSON
(``form.rubric_json``) and the words the script shows, in this language.
The script (``static/nilai.js``, scoring in ``static/skor.js``) fills the
form from the link, scores it as it is filled, and writes the text.
"""

from __future__ import annotations

import json

from ..form import rubric_json
from ..i18n import BABEL_LOCALES
from ..inputs import DatedInputs
from ..maker import Page, PageMaker
from ..urls import FORM, INDEX, relative


def form_page(m: PageMaker, inputs: DatedInputs) -> Page:
    _ = m.lang._
    lang = m.lang
    rubric = m.rubric
    full = m.prefix + FORM
    indicators = []
    for i in rubric.indicators:
        levels = [{"level": n, "text": lang.text(t)} for n, t in enumerate(i.levels)]
        if i.banded:
            for n, level in enumerate(levels):
                level["band"] = (_("from %(low)s") % {"low": lang.percent(i.bands[n - 1])} if n
                                 else _("below %(high)s") % {"high": lang.percent(i.bands[0])})
        indicators.append({"key": i.key, "name": lang.text(i.name), "question": lang.text(i.question),
                           "levels": levels, "banded": i.banded,
                           "applies": " ".join(j.key for j in rubric.jenis if j.key in i.applies_to)})
    return m.page(
        FORM, "form.html", _("Assess a group"),
        _("Assess a group on a phone, even offline: the score and stage as you fill it in, and the text for the group's file."),
        [(_("Home"), INDEX), (_("Assess a group"), "")], inputs.as_of,
        indicators=indicators,
        jenis=[{"key": j.key, "name": lang.text(j.name)} for j in rubric.jenis],
        assets=[{"key": a.key, "name": lang.text(a.name)} for a in rubric.assets],
        asset_levels=list(range(rubric.asset_max + 1)),
        rubric=rubric_json(rubric),
        texts=json.dumps(script_texts(m), ensure_ascii=False, separators=(",", ":"), sort_keys=True),
        locale=BABEL_LOCALES[lang.code].replace("_", "-"),
        repo=m.site.repo, branch=m.site.branch,
        form_script=relative(full, "static/nilai.js"), score_script=relative(full, "static/skor.js"),
        home_href=relative(full, m.prefix + INDEX),
    )


def script_texts(m: PageMaker) -> dict[str, str]:
    """What the script says, in this language; ``{name}`` marks a value it fills in."""
    _ = m.lang._
    return {
        "decimal": m.lang.score(11)[1],  # the decimal sign: "1,1" or "1.1"
        "prefilled": _("Filled in from the assessment of {date}. Change what has changed since then."),
        "restored": _("Your draft of {time} is back. Clear the form to start again."),
        "new_group": _("A new group: fill in its details too, and the text will be its whole file."),
        "incomplete": _("Still to answer: {names}."),
        "date_missing": _("Write the date of the assessment."),
        "date_future": _("The date {date} is in the future."),
        "date_before": _("The date {date} is before the group was formed ({formed})."),
        "date_after": _("The date {date} is after the group dissolved ({dissolved})."),
        "date_taken": _("The group already has an assessment on {date}. Choose the date of this assessment, or "
                        "change that assessment in the file."),
        "percent_bad": _("{name}: write a percentage from 0 to 100."),
        "assets_some": _("Rate all five assets, or none."),
        "id_bad": _("The file name must be folders and a name of lowercase letters, digits and single hyphens, "
                    "e.g. kab-madiun/mejayan/ksm-maju-bersama."),
        "field_missing": _("Fill in: {names}."),
        "formed_future": _("The formation date {date} is in the future."),
        "top": _("This is the highest stage."),
        "need_points": _("To reach {stage} the group needs {num} more level points (a score of at least {min})."),
        "need_point": _("To reach {stage} the group needs 1 more level point (a score of at least {min})."),
        "enough_points": _("The score is already high enough for {stage} (at least {min})."),
        "gates": _("Requirements of {stage} not yet met:"),
        "gate": _("{name}: level {level}, needs at least {required}"),
        "no_gates": _("Every requirement of {stage} is met."),
        "room": _("Most room to grow: {names}."),
        "clear_confirm": _("Clear the form and forget what you filled in?"),
        "copied": _("Copied. Paste it into the group's file."),
        "copy_failed": _("Copying did not work here: select the text and copy it yourself."),
        "paste_existing": _("Copy the text and open the group's file {file}. Paste it at the end of the list under "
                            "penilaian:, after the last assessment, indented like the assessments above it."),
        "paste_first": _("Copy the text and open the group's file {file}. Replace its line penilaian: [] with it."),
        "paste_new": _("This is the new group's whole file. Copy it and save it as {file}."),
        "github_edit": _("Open {file} in GitHub's editor"),
        "github_new": _("Make {file} on GitHub, filled in"),
    }
