"""The JSON Schema of a group file, made from the rubric, for editors' autocompletion and hover.

Every build publishes it at ``schema/kelompok.json``; a ``.yaml`` group file
that starts with ``# yaml-language-server: $schema=<base_url>schema/kelompok.json``
(or a ``yaml.schemas`` setting in VS Code, see README) gets completion of
keys, the allowed values of ``jenis``, ``bentuk`` and every level, and the
rubric's Indonesian texts on hover.

Draft-07, which yaml-language-server supports. The schema says, in its own
terms, what ``validate.py`` checks, so that an editor flags most mistakes
while they are typed. What it expresses:

* required keys and no unknown keys (``additionalProperties: false``) at
  every level;
* ``jenis`` and a partner's ``bentuk`` from the rubric's lists;
* levels as whole numbers ``0..max`` of each indicator (``enum``, so an
  editor offers them), assets ``0..aset_maks``; JSON Schema counts ``2.0``
  as an integer, ``check`` does not;
* percentages as text such as ``72%``, ``72.5%`` or ``72,5%``; the pattern
  also keeps them within 0%..100% (a number is a string here, so the range
  is a regular expression: up to two digits with any decimals, or 100 with
  only zero decimals, optionally after one leading zero, which is exactly
  what ``validate.percent`` accepts);
* dates as ``YYYY-MM-DD`` text with ``format: date``: yaml-language-server
  reads a plain ``2018-09-30`` (a YAML date) as that text too, so both
  spellings are accepted;
* the indicators of each ``jenis``: an ``if``/``then`` per jenis requires
  exactly its applicable indicators, so ``pengembalian_pinjaman`` is
  refused in an ``infrastruktur`` or ``sosial`` group;
* an optional key left empty (``ketua:``) is allowed, as ``validate`` allows
  it; a required key left empty is not;
* one-line texts may not be empty or span lines.

What a schema cannot say, and only ``check`` finds: dates in the future, an
assessment before ``dibentuk`` or after ``bubar``, two assessments on one
date, a calendar-impossible date where the editor does not check
``format``, invisible characters, duplicate keys, anchors and tags, and
YAML 1.1 surprises (``ketua: yes`` is text to yaml-language-server, which
reads YAML 1.2, but yes/no to ``check``).
"""

from __future__ import annotations

import json

from ..domain.model import Choice, Indicator, Rubric, Site

SCHEMA_PATH = "schema/kelompok.json"
"""Where the build publishes the schema, relative to the site root."""

PERCENT_PATTERN = r"^(0?\d{1,2}([.,]\d+)?|100([.,]0+)?)\s*%$"
ONE_LINE_PATTERN = r"^\s*\S([^\r\n]*\S)?\s*$"
TEXT_PATTERN = r"\S"


def schema_url(site: Site) -> str:
    return site.base_url + SCHEMA_PATH


def _nullable(schema: dict) -> dict:
    """An optional key may be left empty (null), as validation allows."""
    return {**schema, "type": [schema["type"], "null"]}


def _one_line(description: str) -> dict:
    return {"type": "string", "pattern": ONE_LINE_PATTERN, "description": description}


def _date(description: str) -> dict:
    return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": description}


def choices_text(choices: tuple[Choice, ...]) -> str:
    """'pinjaman-bergulir = Pinjaman bergulir; infrastruktur = Infrastruktur; ...'."""
    return "; ".join(f"{c.key} = {c.name.id}" for c in choices)


def _choices(choices: tuple[Choice, ...], description: str) -> dict:
    return {"type": "string", "enum": [c.key for c in choices], "description": f"{description} {choices_text(choices)}."}


def indicator_description(indicator: Indicator) -> str:
    """The indicator in one Indonesian sentence: its name, question and what each value means."""
    if indicator.banded:
        bands = [f"kurang dari {_number(indicator.bands[0])}% = level 0"]
        bands += [f"{_number(b)}% atau lebih = level {n}" for n, b in enumerate(indicator.bands, start=1)]
        return (f"{indicator.name.id}: {indicator.question.id} Tulis sebagai persen, mis. 85%. "
                + "; ".join(bands) + ".")
    levels = "; ".join(f"{n} = {t.id}" for n, t in enumerate(indicator.levels))
    return f"{indicator.name.id}: {indicator.question.id} Level: {levels}."


def indicator_schema(indicator: Indicator) -> dict:
    """One indicator's value, described with its question and every level in Indonesian."""
    if indicator.banded:
        levels_md = "\n".join(f"- level {n}: {t.id}" for n, t in enumerate(indicator.levels))
        return {"type": "string", "pattern": PERCENT_PATTERN, "description": indicator_description(indicator),
                "markdownDescription": f"**{indicator.name.id}** (persen, mis. `85%`)\n\n{indicator.question.id}\n\n{levels_md}"}
    levels_md = "\n".join(f"- `{n}`: {t.id}" for n, t in enumerate(indicator.levels))
    return {"type": "integer", "enum": list(range(indicator.max_level + 1)),
            "description": indicator_description(indicator),
            "markdownDescription": f"**{indicator.name.id}**\n\n{indicator.question.id}\n\n{levels_md}"}


def _number(value) -> str:
    return format(value.normalize(), "f")


def _indicators_of(indicators: tuple[Indicator, ...], required: bool) -> dict:
    keys = ", ".join(i.key for i in indicators)
    schema = {
        "type": "object",
        "description": f"Level setiap indikator. Untuk jenis ini: {keys}.",
        "properties": {i.key: {"$ref": f"#/definitions/indikator-{i.key}"} for i in indicators},
        "additionalProperties": False,
    }
    if required:
        schema["required"] = [i.key for i in indicators]
    return schema


def make_schema(rubric: Rubric, site: Site) -> dict:
    """The schema as a JSON-ready dict; the same rubric and site always give the same dict."""
    assets = [a.key for a in rubric.assets]
    asset_names = choices_text(rubric.assets)
    assessment = {
        "type": "object",
        "description": "Satu penilaian kelompok oleh fasilitator.",
        "required": ["tanggal", "indikator"],
        "additionalProperties": False,
        "properties": {
            "tanggal": _date("Tanggal penilaian (TTTT-BB-HH), tidak di masa depan, tidak sebelum dibentuk, "
                             "tidak sesudah bubar; satu tanggal hanya sekali per kelompok."),
            "penilai": _nullable(_one_line("Nama penilai (fasilitator).")),
            "indikator": _indicators_of(rubric.indicators, required=False),
            "aset": _nullable({
                "type": "object",
                "description": f"Pentagonal aset, lima-limanya bilangan bulat 0..{rubric.asset_max}: {asset_names}.",
                "required": assets,
                "additionalProperties": False,
                "properties": {a.key: {"type": "integer", "enum": list(range(rubric.asset_max + 1)),
                                       "description": f"Aset {a.name.id}, 0..{rubric.asset_max}."}
                               for a in rubric.assets},
            }),
            "catatan": _nullable({"type": "string", "pattern": TEXT_PATTERN,
                                  "description": "Catatan penilaian (Markdown)."}),
        },
    }
    per_jenis = []
    for jenis in rubric.jenis:
        applicable = rubric.applicable(jenis.key)
        per_jenis.append({
            "if": {"properties": {"jenis": {"const": jenis.key}}, "required": ["jenis"]},
            "then": {"properties": {"penilaian": {
                "type": ["array", "null"],
                "items": {"properties": {"indikator": _indicators_of(applicable, required=True)}},
            }}},
        })
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": schema_url(site),
        "title": "Berkas kelompok KSM",
        "description": "Data satu KSM: identitas, wilayah, dan penilaian. Dibuat dari content/rubric.yaml.",
        "type": "object",
        "required": ["nama", "jenis", "wilayah", "dibentuk"],
        "additionalProperties": False,
        "properties": {
            "nama": _one_line("Nama kelompok, mis. KSM Maju Bersama."),
            "jenis": _choices(rubric.jenis, "Jenis KSM:"),
            "wilayah": {
                "type": "object",
                "description": "Wilayah kelompok; keempatnya wajib.",
                "required": ["provinsi", "kota", "kecamatan", "kelurahan"],
                "additionalProperties": False,
                "properties": {
                    "provinsi": _one_line("Provinsi, mis. Jawa Timur."),
                    "kota": _one_line("Kota atau kabupaten, mis. Kabupaten Madiun."),
                    "kecamatan": _one_line("Kecamatan."),
                    "kelurahan": _one_line("Kelurahan atau desa."),
                },
            },
            "dibentuk": _date("Tanggal kelompok dibentuk (TTTT-BB-HH)."),
            "anggota": _nullable({"type": "integer", "minimum": 1, "description": "Jumlah anggota, 1 atau lebih."}),
            "ketua": _nullable(_one_line("Nama ketua kelompok.")),
            "usaha": _nullable({"type": "array", "description": "Usaha anggota, mis. [warung, jahit].",
                                "items": _one_line("Satu jenis usaha.")}),
            "mitra": _nullable({
                "type": "array",
                "description": "Kemitraan dengan pihak luar.",
                "items": {
                    "type": "object",
                    "required": ["nama", "bentuk"],
                    "additionalProperties": False,
                    "properties": {
                        "nama": _one_line("Nama mitra."),
                        "bentuk": _choices(rubric.partner_kinds, "Bentuk kemitraan:"),
                        "sejak": _nullable(_date("Sejak kapan (TTTT-BB-HH).")),
                    },
                },
            }),
            "bubar": _nullable(_date("Tanggal kelompok bubar (TTTT-BB-HH); kosongkan bila masih aktif.")),
            "penilaian": _nullable({"type": "array", "description": "Penilaian kelompok, urutan bebas.",
                                    "items": {"$ref": "#/definitions/penilaian"}}),
        },
        "allOf": per_jenis,
        "definitions": {
            "penilaian": assessment,
            **{f"indikator-{i.key}": indicator_schema(i) for i in rubric.indicators},
        },
    }


def schema_bytes(rubric: Rubric, site: Site) -> bytes:
    return (json.dumps(make_schema(rubric, site), ensure_ascii=False, indent=2) + "\n").encode()
