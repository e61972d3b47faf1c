"""Parsed documents -> ``Rubric``, ``Site`` and ``Group`` values, or every problem.

Each file is checked against a table of its fields (``GROUP_FIELDS`` and
friends): which keys exist, which are required, and the one function that
converts and checks each value. Unknown keys are problems with a "did you
mean" suggestion, so a typo never silently drops data. Every problem of a
file is collected before anything is built from it.

Decisions where DESIGN §3 is silent:

* ``penilaian`` may be left out; it means the same as ``penilaian: []``.
* An optional field left empty (``ketua:``) counts as not given.
* A text field must be text as YAML reads it: ``nama: 1945`` or
  ``kelurahan: yes`` is a problem whose hint says to quote it, rather than a
  silent conversion that the JSON Schema and editors would disagree with.
* A date may be written plain (``2018-09-30``) or quoted (``"2018-09-30"``).
* A percentage may use a decimal point or, as Indonesians write it, a
  decimal comma: ``72.5%`` and ``72,5%`` are the same value.
* Names and other one-line texts may not contain control characters or
  invisible formatting characters (zero-width spaces, direction overrides),
  which can make two different names look alike.
* A partnership's ``sejak`` is only checked not to lie in the future: DESIGN
  §3 orders assessments between ``dibentuk`` and ``bubar`` but not
  partnerships, and members often deal with a partner before their group is
  formally founded, so an earlier date is accepted as written.
* Whole numbers are plain decimal digits: YAML 1.1 would read ``010`` as 8
  and ``0x10`` as 16, so those are problems, not silent conversions.
* A gate on an indicator that does not apply to a group's ``jenis`` is
  skipped for that group (the rubric is checked so that this cannot happen
  with the default stages).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from .errors import FILE_FIELD, Problem, char_label
from .load import Content, Document, Node
from .model import (
    Area, Assessment, Choice, Group, Indicator, Partner, Rubric, Site, Stage, Text, WarningRule,
    DISSOLVED, NOT_ASSESSED,
)


class Invalid(Exception):
    """Raised by a converter; becomes a Problem at the value's line."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


class Checker:
    """The problems of one file, and the helpers that report them."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def report(self, line: int, field: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, field, message, hint))

    def convert(self, node: Node, field: str, convert: Callable[[Node], Any]) -> Any:
        """``convert(node)``, or None after reporting why it failed."""
        try:
            return convert(node)
        except Invalid as exc:
            self.report(node.line, field, exc.message, exc.hint)
            return None

    def mapping(self, node: Node, field: str, spec: dict[str, "Spec"]) -> dict[str, Any] | None:
        """Check a mapping against ``spec``; return converted values of the keys given.

        Keys whose value is empty (``key:``) are left out of the result. A
        value that failed its check is left out too, after being reported.
        """
        if node.kind != "mapping":
            self.report(node.line, field or FILE_FIELD, f"must be a set of 'key: value' lines, not {describe(node)}",
                        "keys allowed here: " + ", ".join(spec))
            return None
        values: dict[str, Any] = {}
        for key, child in node.value.items():
            where = join(field, key)
            if key not in spec:
                self.report(node.key_lines[key], where, f"unknown key '{key}'", suggest(key, spec))
                continue
            if child.kind == "scalar" and child.value is None and not child.error:
                if spec[key].required:
                    self.report(child.line, where, "is empty", spec[key].hint)
                continue
            value = self.convert(child, where, spec[key].convert)
            if value is not None:
                values[key] = value
        for key, item in spec.items():
            if item.required and key not in node.value:
                self.report(node.head_line, join(field, key), "is missing", item.hint)
        return values

    def sequence(self, node: Node, field: str, item: Callable[[Node, str], Any]) -> list[Any] | None:
        """Check a list; ``item(node, field)`` converts each entry (None when reported)."""
        if node.kind != "sequence":
            self.report(node.line, field, f"must be a list, not {describe(node)}",
                        f"write one '- ' line per item, or [a, b] on one line")
            return None
        return [item(child, f"{field}[{index}]") for index, child in enumerate(node.value, start=1)]


@dataclass(frozen=True)
class Spec:
    convert: Callable[[Node], Any]
    required: bool = False
    hint: str = ""


def join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def suggest(key: str, allowed) -> str:
    """'did you mean ...?' with the nearest allowed key, else the list of allowed keys."""
    allowed = list(allowed)
    close = nearest(key, allowed)
    if close:
        return f"did you mean '{close}'?"
    return "allowed: " + ", ".join(allowed)


def nearest(word: str, allowed: list[str]) -> str | None:
    """The allowed word nearest to ``word``: by spelling (difflib), or one it abbreviates."""
    close = difflib.get_close_matches(word, allowed, n=1, cutoff=0.6)
    if close:
        return close[0]
    if len(word) >= 3:
        starts = [a for a in allowed if a.startswith(word) or word in a.split("_") or word in a.split("-")]
        if len(starts) == 1:
            return starts[0]
    return None


def describe(node: Node) -> str:
    if node.kind != "scalar":
        return "a list" if node.kind == "sequence" else "a set of 'key: value' lines"
    return {
        "null": "empty", "bool": "a yes/no value", "int": "a number", "float": "a number",
        "timestamp": "a date", "str": "text",
    }[node.tag]


def surprise_hint(node: Node) -> str:
    """Why YAML read a scalar as something other than text, and how to keep it text."""
    if node.tag == "bool":
        return (f"YAML reads {node.text} as yes/no (true/false); "
                f"write \"{node.text}\" in quotes if it is text")
    if node.tag in ("int", "float") and ":" in node.text:
        return (f"YAML 1.1 reads {node.text} as a base-60 number ({node.value}); "
                f"write \"{node.text}\" in quotes if it is text")
    if node.tag in ("int", "float", "timestamp"):
        return f"write \"{node.text}\" in quotes if it is text"
    return ""


# --------------------------------------------------------------------------
# Value converters. Each takes a Node and returns a value or raises Invalid.

def _check_characters(text: str, multiline: bool) -> None:
    for char in text:
        category = unicodedata.category(char)
        if multiline and char in "\n\t":
            continue
        if category in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            raise Invalid(f"contains the invisible character {char_label(char)}",
                          "retype the text; invisible and direction-changing characters are not allowed")


def text(node: Node) -> str:
    """One line of text, trimmed, not empty."""
    return _text(node, multiline=False)


def markdown(node: Node) -> str:
    """Free text (Markdown), possibly several lines."""
    return _text(node, multiline=True)


def _text(node: Node, multiline: bool) -> str:
    if node.kind != "scalar":
        raise Invalid(f"must be text, not {describe(node)}",
                      "write the text after the key; put it in quotes if it starts with [ or { or holds ': '")
    if node.tag != "str":
        raise Invalid(f"must be text, not {describe(node)}", surprise_hint(node))
    value = node.value.strip()
    if not value:
        raise Invalid("is empty", "write the text, or remove the line")
    if not multiline and "\n" in value:
        raise Invalid("must be one line of text", "join the lines into one")
    _check_characters(value, multiline)
    return value if multiline else " ".join(value.split())


def text_list(node: Node) -> tuple[str, ...]:
    if node.kind != "sequence":
        raise Invalid(f"must be a list, not {describe(node)}", "write [a, b, c] or one '- ' line per item")
    items = []
    for index, child in enumerate(node.value, start=1):
        try:
            items.append(text(child))
        except Invalid as exc:
            raise Invalid(f"item {index}: {exc.message}", exc.hint) from None
    return tuple(items)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def date(node: Node) -> dt.date:
    if node.kind == "scalar" and node.tag == "timestamp":
        if node.error:
            raise Invalid(f"'{node.text}' is not a date in the calendar ({node.error})",
                          "write a real date as YYYY-MM-DD, e.g. 2018-09-30")
        if isinstance(node.value, dt.datetime):
            raise Invalid(f"'{node.text}' has a time; a date is needed", "write only YYYY-MM-DD, e.g. 2018-09-30")
        return node.value
    if node.kind == "scalar" and node.tag == "str" and _ISO_DATE.fullmatch(node.value.strip()):
        try:
            return dt.date.fromisoformat(node.value.strip())
        except ValueError as exc:
            raise Invalid(f"'{node.value}' is not a date in the calendar ({exc})",
                          "write a real date as YYYY-MM-DD, e.g. 2018-09-30") from None
    shown = f"'{node.text}'" if node.kind == "scalar" and node.text else describe(node)
    raise Invalid(f"{shown} is not a date", "write dates as YYYY-MM-DD, e.g. 2018-09-30")


_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)")


def integer(low: int, high: int | None = None) -> Callable[[Node], int]:
    """A whole number written in plain decimal digits.

    YAML 1.1 also reads ``010`` (octal 8), ``0x10``, ``0b11``, ``1_0`` and
    ``1:30`` (base 60) as integers; none of those is what a person writing a
    level or a member count means, so they are refused, not converted.
    """
    def convert(node: Node) -> int:
        if node.kind == "scalar" and node.tag == "int" and not _DECIMAL.fullmatch(node.text):
            plain = node.text.lstrip("+")
            if ":" in node.text:
                hint = surprise_hint(node)
            elif plain.isdigit() and plain.startswith("0"):
                hint = f"YAML reads {node.text} as {node.value} (a leading 0 means octal); write {int(plain)}"
            elif plain.isdigit():
                hint = f"write {int(plain)}"
            else:
                hint = f"YAML reads {node.text} as {node.value}; write the number in plain digits"
            raise Invalid(f"'{node.text}' is not a whole number in plain digits", hint)
        if node.kind != "scalar" or node.tag != "int":
            hint = surprise_hint(node) if node.tag in ("bool",) else ""
            if node.tag == "str" and _DECIMAL.fullmatch(node.value.strip()):
                hint = f"remove the quotes: write {node.value.strip()}, a number, not text"
            shown = f"'{node.text}'" if node.kind == "scalar" else describe(node)
            raise Invalid(f"{shown} is not a whole number", hint or _range_hint(low, high))
        if node.value < low or (high is not None and node.value > high):
            raise Invalid(f"{node.value} is out of range", _range_hint(low, high))
        return node.value
    return convert


def _range_hint(low: int, high: int | None) -> str:
    return f"write a whole number from {low} to {high}" if high is not None else f"write a whole number, at least {low}"


def number(node: Node) -> Decimal:
    """A non-negative number as written in the rubric (int or decimal)."""
    if node.kind != "scalar" or node.tag not in ("int", "float") or ":" in node.text:
        raise Invalid(f"must be a number, not {describe(node)}", "write e.g. 50 or 62.5")
    value = Decimal(str(node.value))
    if not value.is_finite() or value < 0:
        raise Invalid(f"{node.text} is not a usable number", "write a number of 0 or more")
    return value


_PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%")


def percent(node: Node) -> Decimal:
    if node.kind == "scalar" and node.tag == "str":
        match = _PERCENT.fullmatch(node.value.strip())
        if match:
            value = Decimal(match.group(1).replace(",", "."))
            if value > 100:
                raise Invalid(f"{node.value.strip()} is over 100%", "write a percentage from 0% to 100%")
            return value
    if node.kind == "scalar" and node.tag in ("int", "float") and ":" not in node.text:
        hint = f"write it as a percentage: {node.text}%"
        if node.tag == "float" and 0 < node.value < 1:  # 0.72 is most likely a fraction: 72%
            hint = f"write it as a percentage: {(Decimal(str(node.value)) * 100).normalize():f}% if {node.text} is a fraction, else {node.text}%"
        raise Invalid(f"'{node.text}' has no percent sign", hint)
    shown = f"'{node.text}'" if node.kind == "scalar" and node.text else describe(node)
    raise Invalid(f"{shown} is not a percentage", "write a percentage from 0% to 100%, e.g. 72%")


def choice(options: tuple[Choice, ...]) -> Callable[[Node], str]:
    keys = [o.key for o in options]

    def convert(node: Node) -> str:
        if node.kind == "scalar" and node.tag == "str" and node.value.strip() in keys:
            return node.value.strip()
        if node.kind == "scalar" and node.tag == "bool":
            raise Invalid(f"'{node.text}' is read by YAML as yes/no, not one of the choices",
                          "write one of: " + ", ".join(keys))
        shown = f"'{node.text}'" if node.kind == "scalar" and node.text else describe(node)
        close = nearest(str(node.text), keys)
        hint = (f"did you mean '{close}'? " if close else "") + "allowed: " + ", ".join(keys)
        if node.kind == "scalar" and ":" in node.text and node.tag in ("int", "float"):
            hint = f"YAML 1.1 reads {node.text} as a base-60 number ({node.value}); {hint}"
        raise Invalid(f"{shown} is not an allowed value", hint)
    return convert


def bilingual(node: Node) -> Text:
    checker = Checker("")
    values = checker.mapping(node, "", {"id": Spec(text, True), "en": Spec(text, True)})
    if checker.problems:
        first = checker.problems[0]
        raise Invalid(f"{first.field}: {first.message}" if first.field else first.message,
                      "write the text in both languages: {id: ..., en: ...}")
    return Text(values["id"], values["en"])


# --------------------------------------------------------------------------
# Group files


def validate_group(doc: Document, rubric: Rubric, today: dt.date) -> tuple[Group | None, list[Problem]]:
    """Check one parsed group file. ``today`` only decides what counts as the future."""
    check = Checker(doc.path)
    if doc.data is None:
        return None, []
    if _empty(doc.data):
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


# --------------------------------------------------------------------------
# rubric.yaml and site.yaml


def validate_rubric(doc: Document) -> tuple[Rubric | None, list[Problem]]:
    check = Checker(doc.path)
    if doc.data is None:
        return None, []
    if _empty(doc.data):
        check.report(doc.data.line, FILE_FIELD, "the rubric is empty", "restore content/rubric.yaml from git")
        return None, check.problems
    choices_spec = {"kunci": Spec(_key, True), "nama": Spec(bilingual, True)}

    def choices(node: Node, field: str) -> tuple[Choice, ...]:
        items = []
        for item in check.sequence(node, field, lambda n, f: check.mapping(n, f, choices_spec)) or ():
            if item and len(item) == 2:
                items.append(Choice(item["kunci"], item["nama"]))
        _unique([c.key for c in items], node, field, check)
        return tuple(items)

    values = check.mapping(doc.data, "", {
        "jenis": Spec(lambda n: n, True), "bentuk_mitra": Spec(lambda n: n, True),
        "indikator": Spec(lambda n: n, True), "tahap": Spec(lambda n: n, True),
        "status": Spec(lambda n: n, True), "aset_maks": Spec(integer(1), True),
        "aset": Spec(lambda n: n, True), "peringatan": Spec(lambda n: n, True),
    })
    if values is None or check.problems:
        return None, check.problems
    jenis = choices(values["jenis"], "jenis")
    partner_kinds = choices(values["bentuk_mitra"], "bentuk_mitra")
    assets = choices(values["aset"], "aset")
    indicators = _rubric_indicators(values["indikator"], jenis, check)
    stages = _rubric_stages(values["tahap"], indicators, jenis, check)
    status = check.mapping(values["status"], "status", {
        NOT_ASSESSED: Spec(bilingual, True), DISSOLVED: Spec(bilingual, True)})
    warnings = _rubric_warnings(values["peringatan"], indicators, check)
    if check.problems:
        return None, check.problems
    return Rubric(jenis, partner_kinds, indicators, stages, status, assets, values["aset_maks"], warnings), []


def _key(node: Node) -> str:
    value = text(node)
    if not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", value):
        raise Invalid(f"'{value}' is not a usable key", "use lowercase letters, digits, '-' and '_'")
    return value


def _unique(keys: list[str], node: Node, field: str, check: Checker) -> None:
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        check.report(node.line, field, f"'{key}' is defined twice", "every key must be unique")


def _rubric_indicators(node: Node, jenis: tuple[Choice, ...], check: Checker) -> tuple[Indicator, ...]:
    jenis_keys = [j.key for j in jenis]
    spec = {
        "kunci": Spec(_key, True), "nama": Spec(bilingual, True), "pertanyaan": Spec(bilingual, True),
        "level": Spec(lambda n: n, True), "langkah": Spec(bilingual, True),
        "berlaku": Spec(text_list), "pita": Spec(lambda n: n),
    }
    indicators = []

    def indicator(item_node: Node, field: str) -> None:
        item = check.mapping(item_node, field, spec)
        if item is None or not {"kunci", "nama", "pertanyaan", "level", "langkah"} <= item.keys():
            return
        levels = check.sequence(item["level"], join(field, "level"),
                                lambda n, f: check.convert(n, f, bilingual)) or []
        if len(levels) < 2 or None in levels:
            if len(levels) < 2:
                check.report(item["level"].line, join(field, "level"), "needs at least two levels (0 and 1)")
            return
        applies = item.get("berlaku", tuple(jenis_keys))
        for key in applies:
            if key not in jenis_keys:
                check.report(item_node.line, join(field, "berlaku"), f"unknown jenis '{key}'", suggest(key, jenis_keys))
        bands: tuple[Decimal, ...] = ()
        if "pita" in item:
            found = check.sequence(item["pita"], join(field, "pita"), lambda n, f: check.convert(n, f, number)) or []
            bands = tuple(found)
            if None in bands:
                return
            if len(bands) != len(levels) - 1 or list(bands) != sorted(set(bands)) or (bands and bands[-1] > 100):
                check.report(item["pita"].line, join(field, "pita"),
                             f"needs {len(levels) - 1} rising percentages, one per level above 0",
                             "e.g. pita: [60, 75, 90] for levels 1, 2 and 3")
                return
        indicators.append(Indicator(item["kunci"], item["nama"], item["pertanyaan"], tuple(levels),
                                    item["langkah"], frozenset(applies), bands))

    check.sequence(node, "indikator", indicator)
    _unique([i.key for i in indicators], node, "indikator", check)
    return tuple(indicators)


def _rubric_stages(node: Node, indicators: tuple[Indicator, ...], jenis: tuple[Choice, ...],
                   check: Checker) -> tuple[Stage, ...]:
    by_key = {i.key: i for i in indicators}
    spec = {"kunci": Spec(_key, True), "nama": Spec(bilingual, True), "arti": Spec(bilingual, True),
            "skor_min": Spec(number, True), "syarat": Spec(lambda n: n)}
    stages = []

    def stage(item_node: Node, field: str) -> None:
        item = check.mapping(item_node, field, spec)
        if item is None or len(item.keys() - {"syarat"}) < 4:
            return
        if item["skor_min"] > 100:
            check.report(item_node.line, join(field, "skor_min"), "is over 100", "a score is 0..100")
        if item["kunci"] in (DISSOLVED, NOT_ASSESSED):
            check.report(item_node.line, join(field, "kunci"), f"'{item['kunci']}' is reserved", "choose another key")
        gates = []
        gate_node = item.get("syarat")
        if gate_node is not None:
            if gate_node.kind != "mapping":
                check.report(gate_node.line, join(field, "syarat"), "must be 'indicator: level' lines")
                return
            for key, value in gate_node.value.items():
                where = join(join(field, "syarat"), key)
                if key not in by_key:
                    check.report(gate_node.key_lines[key], where, f"unknown indicator '{key}'", suggest(key, by_key))
                    continue
                level = check.convert(value, where, integer(0, by_key[key].max_level))
                if level is not None:
                    gates.append((key, level))
        stages.append(Stage(item["kunci"], item["nama"], item["arti"], item["skor_min"], tuple(gates)))

    check.sequence(node, "tahap", stage)
    _unique([s.key for s in stages], node, "tahap", check)
    if stages and stages[0].min_score != 0:
        check.report(node.line, "tahap", "the first stage must have skor_min: 0", "every assessed group has a stage")
    if [s.min_score for s in stages] != sorted(s.min_score for s in stages):
        check.report(node.line, "tahap", "stages must be listed from the lowest skor_min to the highest")
    return tuple(stages)


_WARNING_PARAMS = {
    "turun-tahap": {},
    "skor-turun": {"selisih_skor": Spec(number, True)},
    "pengembalian-rendah": {"indikator": Spec(text, True), "level_maks": Spec(integer(0), True)},
    "kehadiran-menurun": {"indikator": Spec(text, True)},
    "penilaian-lama": {"hari": Spec(integer(1), True)},
}
"""The warnings the scorer knows how to detect, and the parameters each reads."""


def _rubric_warnings(node: Node, indicators: tuple[Indicator, ...], check: Checker) -> tuple[WarningRule, ...]:
    by_key = {i.key: i for i in indicators}
    rules = []

    def rule(item_node: Node, field: str) -> None:
        if item_node.kind != "mapping" or "kunci" not in item_node.value:
            check.report(item_node.line, field, "needs kunci, nama, arti and saran")
            return
        key = check.convert(item_node.value["kunci"], join(field, "kunci"), text)
        if key not in _WARNING_PARAMS:
            check.report(item_node.line, join(field, "kunci"), f"unknown warning '{key}'", suggest(str(key), _WARNING_PARAMS))
            return
        spec = {"kunci": Spec(text, True), "nama": Spec(bilingual, True), "arti": Spec(bilingual, True),
                "saran": Spec(bilingual, True), **_WARNING_PARAMS[key]}
        item = check.mapping(item_node, field, spec)
        if item is None or len(item) < len(spec):
            return
        indicator = item.get("indikator", "")
        if indicator and indicator not in by_key:
            check.report(item_node.line, join(field, "indikator"), f"unknown indicator '{indicator}'", suggest(indicator, by_key))
            return
        if key == "kehadiran-menurun" and not by_key[indicator].banded:
            check.report(item_node.line, join(field, "indikator"), "must be a percentage indicator (with pita)")
        rules.append(WarningRule(key, item["nama"], item["arti"], item["saran"], indicator,
                                 item.get("level_maks", 0), item.get("selisih_skor", Decimal(0)), item.get("hari", 0)))

    check.sequence(node, "peringatan", rule)
    _unique([r.key for r in rules], node, "peringatan", check)
    return tuple(rules)


LANGUAGES = ("id", "en")


def validate_site(doc: Document) -> tuple[Site | None, list[Problem]]:
    check = Checker(doc.path)
    if doc.data is None:
        return None, []
    if _empty(doc.data):
        check.report(doc.data.line, FILE_FIELD, "the site settings are empty", "restore content/site.yaml from git")
        return None, check.problems

    def base_url(node: Node) -> str:
        value = text(node)
        if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", value):
            raise Invalid(f"'{value}' is not a web address", "write e.g. https://example.org/ksm/")
        return value if value.endswith("/") else value + "/"

    def languages(node: Node) -> tuple[str, ...]:
        found = text_list(node)
        for lang in found:
            if lang not in LANGUAGES:
                raise Invalid(f"'{lang}' is not a supported language", "allowed: " + ", ".join(LANGUAGES))
        if not found or len(set(found)) != len(found):
            raise Invalid("must list each language once", "e.g. bahasa: [id, en]")
        return found

    values = check.mapping(doc.data, "", {
        "judul": Spec(bilingual, True), "deskripsi": Spec(bilingual, True),
        "base_url": Spec(base_url, True), "bahasa": Spec(languages, True),
    })
    if values is None or check.problems:
        return None, check.problems
    return Site(values["judul"], values["deskripsi"], values["base_url"], values["bahasa"]), []


# --------------------------------------------------------------------------


def _empty(node: Node) -> bool:
    return node.kind == "scalar" and node.value is None and not node.error


def validate_settings(content: Content) -> tuple[Rubric | None, Site | None, list[Problem]]:
    """The rubric and the site settings; None for each that has problems."""
    rubric, rubric_problems = validate_rubric(content.rubric)
    site, site_problems = validate_site(content.site)
    return rubric, site, rubric_problems + site_problems
