"""A parsed group file -> a ``Group``, or every problem in it (DESIGN §3).

Decisions where DESIGN §3 is silent:

* ``penilaian`` may be left out; it means the same as ``penilaian: []``.
* A partnership's ``sejak`` is only checked not to lie in the future: DESIGN
  §3 orders assessments between ``dibentuk`` and ``bubar`` but not
  partnerships, and members often deal with a partner before their group is
  formally founded, so an earlier date is accepted as written.
* A gate on an indicator that does not apply to a group's ``jenis`` is
  skipped for that group (the rubric is checked so that this cannot happen
  with the default stages).

(And those of ``fields.py``, which every content file follows.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Callable

from ..domain.model import Area, Assessment, Group, Indicator, Partner, Rubric
from .fields import (
    Checker, Invalid, Spec, choice, date, integer, is_empty, join, markdown, percent, text, text_list,
)
from .files import Document
from .problems import FILE_FIELD, Problem
from .yamlnodes import Node


# --------------------------------------------------------------------------
# Group files


def validate_group(doc: Document, rubric: Rubric, today: dt.date) -> tuple[Group | None, list[Problem]]:
    """Check one parsed group file. ``today`` only decides what counts as the future."""
    check = Checker(doc.path)
    if doc.data is None:
        return None, []
    if is_empty(doc.data):
        check.report(doc.data.line, FILE_FIELD, "the file holds no data",
                     "start from `python build.py new ID --jenis JENIS`")
        return None, check.problems

    def future(value: dt.date) -> dt.date:
        if value > today:
            raise Invalid(f"{value.isoformat()} is in the future (today is {today.isoformat()})",
                          "check the year and the month")
        return value

    def past_date(node: Node) -> dt.date:
        return future(date(node))

    jenis_keys = [j.key for j in rubric.jenis]
    spec = {
        "nama": Spec(text, True, "the group's name, e.g. nama: KSM Maju Bersama"),
        "jenis": Spec(choice(rubric.jenis), True, "one of: " + ", ".join(jenis_keys)),
        "wilayah": Spec(lambda n: n, True, "provinsi, kota, kecamatan and kelurahan"),
        "dibentuk": Spec(past_date, True, "the date the group was formed, YYYY-MM-DD"),
        "anggota": Spec(integer(1)),
        "ketua": Spec(text),
        "usaha": Spec(text_list),
        "mitra": Spec(lambda n: n),
        "bubar": Spec(past_date),
        "penilaian": Spec(lambda n: n),
    }
    values = check.mapping(doc.data, "", spec)
    if values is None:
        return None, check.problems

    wilayah = None
    if "wilayah" in values:
        area = check.mapping(values["wilayah"], "wilayah", {
            key: Spec(text, True, f"the {key}'s name") for key in ("provinsi", "kota", "kecamatan", "kelurahan")})
        if area is not None and len(area) == 4:
            wilayah = Area(**area)

    partners: tuple[Partner, ...] = ()
    if "mitra" in values:
        partner_spec = {
            "nama": Spec(text, True, "the partner's name"),
            "bentuk": Spec(choice(rubric.partner_kinds), True,
                           "one of: " + ", ".join(k.key for k in rubric.partner_kinds)),
            "sejak": Spec(past_date),
        }

        def partner(node: Node, field: str) -> Partner | None:
            item = check.mapping(node, field, partner_spec)
            if item is None or not {"nama", "bentuk"} <= item.keys():
                return None
            return Partner(item["nama"], item["bentuk"], item.get("sejak"))

        partners = tuple(check.sequence(values["mitra"], "mitra", partner) or ())

    assessments: list[Assessment] = []
    if "penilaian" in values:
        # With a broken jenis the assessments are still checked, against every indicator.
        jenis = values.get("jenis")
        found = check.sequence(values["penilaian"], "penilaian",
                               lambda node, field: _assessment(node, field, rubric, jenis, check, past_date))
        assessments = [a for a in found or () if a is not None]
        _check_dates(assessments, values, check, values["penilaian"])

    if "bubar" in values and "dibentuk" in values and values["bubar"] < values["dibentuk"]:
        check.report(doc.data.value["bubar"].line, "bubar", "is before dibentuk",
                     f"the group was formed on {values['dibentuk'].isoformat()}; check both dates")

    if check.problems:
        return None, check.problems
    group = Group(
        id=doc.id, source=doc.path, nama=values["nama"], jenis=values["jenis"], wilayah=wilayah,
        dibentuk=values["dibentuk"], anggota=values.get("anggota"), ketua=values.get("ketua", ""),
        usaha=values.get("usaha", ()), mitra=partners, bubar=values.get("bubar"),
        assessments=tuple(sorted(assessments, key=lambda a: a.date)), story=doc.body.strip(),
    )
    return group, []


def _assessment(node: Node, field: str, rubric: Rubric, jenis: str | None, check: Checker,
                past_date: Callable[[Node], dt.date]) -> Assessment | None:
    spec = {
        "tanggal": Spec(past_date, True, "the assessment date, YYYY-MM-DD"),
        "penilai": Spec(text),
        "indikator": Spec(lambda n: n, True, "a level for every indicator"),
        "aset": Spec(lambda n: n),
        "catatan": Spec(markdown),
    }
    values = check.mapping(node, field, spec)
    if values is None:
        return None
    levels = None
    if "indikator" in values:
        levels = _indicators(values["indikator"], join(field, "indikator"), rubric, jenis, check)
    assets = None
    if "aset" in values:
        keys = [a.key for a in rubric.assets]
        assets = check.mapping(values["aset"], join(field, "aset"), {
            key: Spec(integer(0, rubric.asset_max), True, f"all five assets: {', '.join(keys)}") for key in keys})
        if assets is not None and len(assets) < len(keys):
            assets = None
    if "tanggal" not in values or levels is None:
        return None
    if "aset" in values and assets is None:
        return None
    return Assessment(values["tanggal"], values.get("penilai", ""), levels,
                      {a.key: assets[a.key] for a in rubric.assets} if assets else None,
                      values.get("catatan", ""), node.line)


def _indicators(node: Node, field: str, rubric: Rubric, jenis: str | None, check: Checker) -> dict | None:
    """The values of one assessment's indicators; ``jenis`` None when the group's is invalid."""
    if jenis is None:
        check.mapping(node, field, {i.key: Spec(_level_converter(i)) for i in rubric.indicators})
        return None
    applicable = rubric.applicable(jenis)
    spec = {i.key: Spec(_level_converter(i), True, _level_hint(i)) for i in applicable}
    if node.kind == "mapping":
        for key in list(node.value):
            if key not in spec and any(i.key == key for i in rubric.indicators):
                check.report(node.key_lines[key], join(field, key), f"does not apply to jenis {jenis}",
                             "remove this line: it is assessed only for "
                             + ", ".join(sorted(rubric.indicator(key).applies_to)))
        known = {k: v for k, v in node.value.items() if k in spec or all(i.key != k for i in rubric.indicators)}
        node = dataclasses.replace(node, value=known)
    values = check.mapping(node, field, spec)
    if values is None or len(values) < len(spec):
        return None
    return {i.key: values[i.key] for i in applicable}


def _level_converter(indicator: Indicator) -> Callable[[Node], int | Decimal]:
    return percent if indicator.banded else integer(0, indicator.max_level)


def _level_hint(indicator: Indicator) -> str:
    if indicator.banded:
        return f"a percentage, e.g. {indicator.key}: 85%"
    return f"a level from 0 to {indicator.max_level}"


def _check_dates(assessments: list[Assessment], values: dict, check: Checker, node: Node) -> None:
    seen: dict[dt.date, int] = {}
    for index, a in enumerate(assessments, start=1):
        where = f"penilaian[{_position(node, a)}].tanggal"
        if a.date in seen:
            check.report(a.line, where, f"{a.date.isoformat()} is assessed twice",
                         f"the assessment on line {seen[a.date]} has the same date; merge them or fix one date")
        seen.setdefault(a.date, a.line)
        if "dibentuk" in values and a.date < values["dibentuk"]:
            check.report(a.line, where, f"{a.date.isoformat()} is before dibentuk ({values['dibentuk'].isoformat()})",
                         "an assessment is made after the group is formed; check both dates")
        if "bubar" in values and a.date > values["bubar"]:
            check.report(a.line, where, f"{a.date.isoformat()} is after bubar ({values['bubar'].isoformat()})",
                         "a dissolved group is not assessed; check both dates")


def _position(node: Node, assessment: Assessment) -> int:
    for index, child in enumerate(node.value, start=1):
        if child.line == assessment.line:
            return index
    return 0
