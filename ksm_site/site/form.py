"""What the assessment form (``nilai/``, DESIGN §10) is given: the rubric as JSON, and a group as a link.

The form scores in the browser by the rules of ``domain/score.py``, read
from ``data/rubrik.json``: the rubric as ``rubric.yaml`` states it, with the
same keys (``kunci``, ``pita``, ``skor_min``, ``syarat`` ...), so a
programme that edits its rubric changes the form with it. The same JSON is
carried in the form page itself, because a page opened from disk may read
no other file. Numbers are JSON numbers; the form reads each one back as
the decimal it was written as (``String(60)`` is ``"60"``, ``String(62.5)``
is ``"62.5"``), which holds for any number of up to 15 significant digits.

A group page links to the form with the group in the link's fragment
(``#id=...&jenis=...``), never in a query: nothing of it reaches a server,
and a fragment works the same from ``file://``. ``form_fragment`` says what
it holds.
"""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from urllib.parse import quote

from ..domain.model import Rubric, ScoredGroup, Text

RUBRIC_JSON = "data/rubrik.json"
"""Where the build publishes the rubric as JSON, relative to the site root."""


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value: Text) -> dict:
    return {"id": value.id, "en": value.en}


def rubric_record(rubric: Rubric) -> dict:
    """The rubric as plain values, with ``rubric.yaml``'s own keys."""
    return {
        "jenis": [{"kunci": j.key, "nama": _text(j.name)} for j in rubric.jenis],
        "bentuk_mitra": [{"kunci": b.key, "nama": _text(b.name)} for b in rubric.partner_kinds],
        "indikator": [{
            "kunci": i.key, "nama": _text(i.name), "pertanyaan": _text(i.question),
            "level": [_text(t) for t in i.levels], "langkah": _text(i.action),
            "berlaku": [j.key for j in rubric.jenis if j.key in i.applies_to],
            **({"pita": [_number(b) for b in i.bands]} if i.banded else {}),
        } for i in rubric.indicators],
        "tahap": [{"kunci": s.key, "nama": _text(s.name), "arti": _text(s.meaning), "skor_min": _number(s.min_score),
                   "syarat": dict(s.gates)} for s in rubric.stages],
        "status": {key: _text(name) for key, name in rubric.status_names.items()},
        "aset_maks": rubric.asset_max,
        "aset": [{"kunci": a.key, "nama": _text(a.name)} for a in rubric.assets],
        "peringatan": [{"kunci": w.key, "nama": _text(w.name), "arti": _text(w.meaning), "saran": _text(w.advice),
                        "langkah": _text(w.first_step),
                        **({"indikator": w.indicator} if w.indicator else {}),
                        **({"level_maks": w.max_level} if w.key == "pengembalian-rendah" else {}),
                        **({"selisih_skor": _number(w.min_drop)} if w.key == "skor-turun" else {}),
                        **({"hari": w.days} if w.days else {}), **({"tahap": w.stage} if w.stage else {})}
                       for w in rubric.warnings],
    }


def rubric_json(rubric: Rubric) -> str:
    """``data/rubrik.json``'s text (and what the form page carries)."""
    return json.dumps(rubric_record(rubric), ensure_ascii=False, separators=(",", ":"))


def form_fragment(g: ScoredGroup, hide_names: bool = False) -> str:
    """The fragment of a group page's link to the form: the group (``id``, ``nama``, ``jenis``, ``berkas``:
    its file's suffix, ``dibentuk``, ``bubar``), the dates it has been assessed on (``ada``, so that the
    form refuses a second assessment on one of them, as ``check`` does) and its latest assessment
    (``tanggal``, ``penilai``, each indicator by its key, ``aset.<key>``), which the form starts from.
    ``hide_names`` (``nama_orang: sembunyikan``): the link carries no assessor's name, since it is part
    of the published page; the facilitator types their own."""
    group = g.group
    fields: list[tuple[str, str]] = [
        ("id", group.id), ("nama", group.nama), ("jenis", group.jenis),
        ("berkas", os.path.splitext(group.source)[1]), ("dibentuk", group.dibentuk.isoformat()),
    ]
    if group.bubar:
        fields.append(("bubar", group.bubar.isoformat()))
    if group.assessments:
        fields.append(("ada", ",".join(a.date.isoformat() for a in group.assessments)))
        latest = group.assessments[-1]
        fields.append(("tanggal", latest.date.isoformat()))
        if latest.assessor and not hide_names:
            fields.append(("penilai", latest.assessor))
        fields += [(key, str(value)) for key, value in latest.values.items()]
        fields += [(f"aset.{key}", str(value)) for key, value in (latest.assets or {}).items()]
    return "&".join(f"{key}={value if PLAIN.match(value) else quote(value, safe='/,:')}" for key, value in fields)


PLAIN = re.compile(r"[A-Za-z0-9_.~/,:-]*\Z")
"""A value ``quote`` would leave as it is (most are: numbers, dates, ids): taken as it is, since ``quote``
costs a group page's two languages about a tenth of their rendering."""
