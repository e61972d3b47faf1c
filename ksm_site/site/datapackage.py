"""``data/datapackage.json``: what the data files hold, as a Frictionless Data Package (v2), from the rubric.

Data tools (Frictionless, CKAN, pandas readers of it) read the package and
know, without guessing, every column of ``groups.csv`` and ``penilaian.csv``:
its type, its constraints (the rubric's keys as ``enum``, levels and
percentages as ranges, the keys that identify a row) and what it means.
``groups.json`` is described by a JSON Schema (the resource's ``jsonSchema``).

Two languages, one rule: the standard ``title`` and ``description`` are in
English (what data tools show, and the language of the package's own
vocabulary); the custom properties ``judul`` and ``deskripsi`` hold the same
in Indonesian, under the names ``site.yaml`` gives the same two things. A
number with a unit says so in the custom property ``unit``: ``percent``
(0..100) or ``points`` (level points); dates are ``date`` fields written
``YYYY-MM-DD``.

The columns of indicators and assets are the rubric's, named, asked and
levelled as ``rubric.yaml`` says, so a programme that changes its rubric
publishes a package that describes its own files. The columns themselves are
``data.GROUPS_HEADER`` and ``data.assessments_header``: a column without a
text in ``COLUMNS`` is an error here, so a column cannot be added undescribed.
"""

from __future__ import annotations

import json
from decimal import Decimal

from ..domain.model import Choice, Indicator, Rubric, Site, Text
from ..domain.slugs import slugify
from .data import ASSESSMENTS_CSV, GROUPS_CSV, GROUPS_HEADER, GROUPS_JSON, assessments_header

DATAPACKAGE = "data/datapackage.json"

PROFILE = "https://datapackage.org/profiles/2.0/"

HIDDEN = Text("Kosong: program ini tidak menerbitkan nama orang (site.yaml: nama_orang: sembunyikan).",
              "Empty: this programme keeps people's names off what it publishes (site.yaml: nama_orang: "
              "sembunyikan).")

COLUMNS: dict[str, tuple[str, Text, Text]] = {
    # column: (type, title, description); each Text holds Indonesian and English
    "id": ("string", Text("Id kelompok", "Group id"),
           Text("Id kelompok: jalur berkasnya di bawah content/groups/ tanpa akhiran, mis. "
                "kab-madiun/mejayan/ksm-maju-bersama.",
                "The group's id: its file's path under content/groups/ without the suffix, e.g. "
                "kab-madiun/mejayan/ksm-maju-bersama.")),
    "nama": ("string", Text("Nama", "Name"), Text("Nama kelompok.", "The group's name.")),
    "jenis": ("string", Text("Jenis", "Type"), Text("Jenis kelompok", "The group's type")),
    "provinsi": ("string", Text("Provinsi", "Province"), Text("Provinsi kelompok.", "The group's province.")),
    "kota": ("string", Text("Kota/kabupaten", "City or regency"),
             Text("Kota atau kabupaten kelompok.", "The group's city or regency (kota/kabupaten).")),
    "kecamatan": ("string", Text("Kecamatan", "District"),
                  Text("Kecamatan kelompok.", "The group's district (kecamatan).")),
    "kelurahan": ("string", Text("Kelurahan/desa", "Village"),
                  Text("Kelurahan atau desa kelompok.", "The group's village (kelurahan/desa).")),
    "dibentuk": ("date", Text("Dibentuk", "Formed"), Text("Tanggal kelompok dibentuk.", "The date the group was formed.")),
    "bubar": ("date", Text("Bubar", "Dissolved"),
              Text("Tanggal kelompok bubar; kosong selama kelompok masih aktif.",
                   "The date the group dissolved; empty while it is active.")),
    "anggota": ("integer", Text("Anggota", "Members"),
                Text("Jumlah anggota; kosong bila tidak ditulis.", "How many members the group has; empty when not given.")),
    "ketua": ("string", Text("Ketua", "Chair"), Text("Nama ketua kelompok.", "The name of the group's chair.")),
    "usaha": ("string", Text("Usaha anggota", "Members' businesses"),
              Text("Usaha anggota, dipisah '; '.", "The members' businesses, separated by '; '.")),
    "mitra": ("string", Text("Mitra", "Partners"),
              Text("Nama mitra kelompok dari pihak luar, dipisah '; '.",
                   "The names of the group's outside partners, separated by '; '.")),
    "tahap": ("string", Text("Tahap", "Stage"),
              Text("Tahap kelompok sekarang: tahap penilaian terakhirnya; bubar bila kelompok bubar, belum-dinilai "
                   "bila belum pernah dinilai",
                   "The group's stage now: the stage of its latest assessment; bubar when it dissolved, "
                   "belum-dinilai when it was never assessed")),
    "skor": ("number", Text("Skor", "Score"),
             Text("Skor penilaian terakhir: jumlah level sebagai persen dari jumlah level tertinggi indikator yang "
                  "berlaku, satu desimal; kosong bila belum pernah dinilai (kelompok bubar tetap memiliki skor "
                  "terakhirnya).",
                  "The latest assessment's score: its level points as a percentage of the most the applicable "
                  "indicators allow, with one decimal; empty when never assessed (a dissolved group keeps its "
                  "last score).")),
    "jumlah_penilaian": ("integer", Text("Jumlah penilaian", "Assessments"),
                         Text("Banyak penilaian kelompok.", "How many assessments the group has.")),
    "penilaian_terakhir": ("date", Text("Penilaian terakhir", "Latest assessment"),
                           Text("Tanggal penilaian terakhir; kosong bila belum pernah dinilai.",
                                "The date of the latest assessment; empty when never assessed.")),
    "menuju": ("string", Text("Tahap berikutnya", "Next stage"),
               Text("Tahap yang dituju kelompok aktif yang sudah dinilai dan belum di tahap tertinggi; kosong bila "
                    "tidak ada",
                    "The stage an active, assessed group below the top stage works towards; empty when there is "
                    "none")),
    "kurang_poin": ("integer", Text("Kurang poin", "Points missing"),
                    Text("Poin level yang masih kurang untuk skor minimum tahap berikutnya.",
                         "The level points still missing for the next stage's minimum score.")),
    "syarat_belum": ("string", Text("Syarat belum terpenuhi", "Unmet requirements"),
                     Text("Indikator syarat tahap berikutnya (dan tahap di bawahnya) yang levelnya belum cukup, "
                          "kunci dipisah spasi, urut rubrik.",
                          "The requirement indicators of the next stage (and the stages below it) still under "
                          "their level, keys separated by spaces, in rubric order.")),
    "saran": ("string", Text("Saran", "Suggestions"),
              Text("Sampai tiga indikator yang paling bisa naik, kunci dipisah spasi, yang paling jauh dari "
                   "level tertinggi lebih dulu.",
                   "Up to three indicators with the most room to grow, keys separated by spaces, the most room "
                   "first.")),
    "peringatan": ("string", Text("Peringatan", "Warnings"),
                   Text("Peringatan kelompok, kunci dipisah spasi", "The group's warnings, keys separated by spaces")),
    "url": ("string", Text("Halaman", "Page"),
            Text("Halaman kelompok, relatif terhadap alamat situs.", "The group's page, relative to the site's address.")),
    "tanggal": ("date", Text("Tanggal", "Date"), Text("Tanggal penilaian.", "The date of the assessment.")),
    "penilai": ("string", Text("Penilai", "Assessor"),
                Text("Nama fasilitator yang menilai.", "The name of the facilitator who assessed the group.")),
    "poin": ("integer", Text("Poin", "Points"),
             Text("Jumlah level indikator yang berlaku.", "The sum of the levels of the applicable indicators.")),
    "poin_maks": ("integer", Text("Poin maksimum", "Maximum points"),
                  Text("Jumlah level tertinggi indikator yang berlaku.",
                       "The most points the applicable indicators allow.")),
    "catatan": ("string", Text("Catatan", "Note"),
                Text("Catatan penilai, seperti ditulis (Markdown).", "The assessor's note, as written (Markdown).")),
}
"""Every column that is not the rubric's: its Table Schema type, and its title and meaning in both languages."""

UNITS = {"skor": "percent", "kurang_poin": "points", "poin": "points", "poin_maks": "points"}


def choices_text(choices, lang: str) -> str:
    """'pinjaman-bergulir = Revolving loan; infrastruktur = Infrastructure; ...'."""
    return "; ".join(f"{c.key} = {c.name.get(lang)}" for c in choices)


def field(name: str, kind: str, title: Text, meaning: Text, **more) -> dict:
    """One column: its name, type, texts in both languages, and what else is given (``unit``, ``constraints``)."""
    described = {"name": name, "type": kind, "title": title.en, "description": meaning.en,
                 "judul": title.id, "deskripsi": meaning.id}
    if kind == "date":
        described["format"] = "default"
    return {**described, **{key: value for key, value in more.items() if value}}


def column(name: str, rubric: Rubric, site: Site, required: bool = False, unique: bool = False) -> dict:
    """A column of ``COLUMNS``, with the constraints the rubric gives it."""
    kind, title, meaning = COLUMNS[name]
    constraints: dict = {"required": True} if required else {}
    if unique:
        constraints["unique"] = True
    stage_keys = [s.key for s in rubric.stages]
    listed = {"jenis": rubric.jenis, "tahap": [Choice(k, rubric.status_name(k)) for k in rubric.status_keys],
              "menuju": rubric.stages, "peringatan": rubric.warnings}
    if name in listed:
        meaning = Text(f"{meaning.id}: {choices_text(listed[name], 'id')}.", f"{meaning.en}: {choices_text(listed[name], 'en')}.")
    if name in ("jenis", "menuju"):
        constraints["enum"] = [c.key for c in rubric.jenis] if name == "jenis" else stage_keys
    elif name == "tahap":
        constraints["enum"] = list(rubric.status_keys)
    elif name in ("skor",):
        constraints.update(minimum=0, maximum=100)
    elif name in ("anggota",):
        constraints["minimum"] = 1
    elif kind == "integer":
        constraints["minimum"] = 0
    if name in ("ketua", "penilai") and site.hide_names:
        meaning = Text(f"{meaning.id} {HIDDEN.id}", f"{meaning.en} {HIDDEN.en}")
    return field(name, kind, title, meaning, unit=UNITS.get(name), constraints=constraints)


def levels_text(indicator: Indicator, lang: str) -> str:
    return "; ".join(f"{n} = {t.get(lang)}" for n, t in enumerate(indicator.levels))


def only_for(indicator: Indicator, rubric: Rubric) -> Text:
    """' Only for ...; empty for the other types.' where an indicator does not apply to every type."""
    if all(j.key in indicator.applies_to for j in rubric.jenis):
        return Text("", "")
    kinds = [j for j in rubric.jenis if j.key in indicator.applies_to]
    return Text(f" Hanya untuk jenis {', '.join(j.name.id for j in kinds)}; kosong untuk jenis lain.",
                f" Only for the types {', '.join(j.name.en for j in kinds)}; empty for the others.")


def number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def indicator_columns(indicator: Indicator, rubric: Rubric) -> list[dict]:
    """An indicator's level column and, for a banded one, the percentage it was read from."""
    name, question, rest = indicator.name, indicator.question, only_for(indicator, rubric)
    level = Text(f"Level {name.id}, 0..{indicator.max_level}: {question.id} {levels_text(indicator, 'id')}.{rest.id}",
                 f"Level of {name.en}, 0..{indicator.max_level}: {question.en} {levels_text(indicator, 'en')}.{rest.en}")
    columns = [field(indicator.key, "integer", Text(name.id, name.en), level,
                     constraints={"minimum": 0, "maximum": indicator.max_level})]
    if indicator.banded:
        bands = indicator.bands
        edges_id = "; ".join(f"{number(b)}% atau lebih = level {n}" for n, b in enumerate(bands, 1))
        edges_en = "; ".join(f"{number(b)}% or more = level {n}" for n, b in enumerate(bands, 1))
        columns.append(field(
            f"{indicator.key}_persen", "number", Text(f"{name.id} (%)", f"{name.en} (%)"),
            Text(f"{name.id} dalam persen, seperti ditulis penilai; menentukan level di kolom {indicator.key} "
                 f"(kurang dari {number(bands[0])}% = level 0; {edges_id}).{rest.id}",
                 f"{name.en} as a percentage, as the assessor wrote it; it decides the level in the column "
                 f"{indicator.key} (under {number(bands[0])}% = level 0; {edges_en}).{rest.en}"),
            unit="percent", constraints={"minimum": 0, "maximum": 100}))
    return columns


def asset_column(asset: Choice, rubric: Rubric) -> dict:
    top = rubric.asset_max
    return field(f"aset_{asset.key}", "integer", Text(f"Aset {asset.name.id}", f"{asset.name.en} asset"),
                 Text(f"Aset {asset.name.id} dalam pentagonal aset, 0..{top}; kosong bila penilaian ini tidak menilai "
                      "aset.",
                      f"The {asset.name.en} asset of the pentagonal assets, 0..{top}; empty when this assessment "
                      "rated no assets."),
                 constraints={"minimum": 0, "maximum": top})


def groups_fields(rubric: Rubric, site: Site) -> list[dict]:
    required = {"id", "nama", "jenis", "provinsi", "kota", "kecamatan", "kelurahan", "dibentuk", "tahap",
                "jumlah_penilaian", "url"}
    return [column(name, rubric, site, required=name in required, unique=name == "id") for name in GROUPS_HEADER]


def assessments_fields(rubric: Rubric, site: Site) -> list[dict]:
    fields = []
    by_key = {i.key: i for i in rubric.indicators}
    assets = {f"aset_{a.key}": a for a in rubric.assets}
    for name in assessments_header(rubric):
        if name in by_key:
            fields += indicator_columns(by_key[name], rubric)
        elif name in assets:
            fields.append(asset_column(assets[name], rubric))
        elif not (name.endswith("_persen") and name[:-len("_persen")] in by_key):
            described = column(name, rubric, site, required=name in {"id", "nama", "jenis", "tanggal", "poin",
                                                                      "poin_maks", "skor", "tahap"})
            if name == "id":
                described.update(description="The assessed group's id (the column id of groups.csv).",
                                 deskripsi="Id kelompok yang dinilai (kolom id di groups.csv).")
            elif name == "skor":
                described.update(description="The assessment's score: 100 × poin / poin_maks, with one decimal.",
                                 deskripsi="Skor penilaian: 100 × poin / poin_maks, satu desimal.")
            elif name == "tahap":
                stages = [Choice(s.key, s.name) for s in rubric.stages]
                described.update(description=f"The stage this assessment reached: {choices_text(stages, 'en')}.",
                                 deskripsi=f"Tahap yang dicapai penilaian ini: {choices_text(stages, 'id')}.")
                described["constraints"]["enum"] = [s.key for s in rubric.stages]
            fields.append(described)
    return fields


def table(name: str, path: str, title: Text, meaning: Text, fields: list[dict], keys: dict) -> dict:
    """A CSV file of the data files: UTF-8, comma-separated, a header row, CRLF line ends (``data._csv_rows``)."""
    return {
        "name": name, "type": "table", "path": path, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "title": title.en, "description": meaning.en, "judul": title.id, "deskripsi": meaning.id,
        "dialect": {"$schema": PROFILE + "tabledialect.json", "header": True, "delimiter": ",",
                    "lineTerminator": "\r\n", "quoteChar": '"'},
        "schema": {"$schema": PROFILE + "tableschema.json", "fields": fields, "missingValues": [""], **keys},
    }


APOSTROPHE = Text(" Teks yang diawali = + - @, tab atau CR diberi tanda petik ' di depannya, agar lembar kerja tidak "
                  "menjalankannya sebagai rumus.",
                  " Text that starts with = + - @, a tab or CR has an apostrophe ' put before it, so that a spreadsheet "
                  "never runs it as a formula.")


def make_datapackage(rubric: Rubric, site: Site) -> dict:
    """The package as a JSON-ready dict; the same rubric and settings always give the same dict."""
    own = lambda path: path[len("data/"):]  # noqa: E731 - paths are relative to the package's own folder
    title = site.title
    return {
        "$schema": PROFILE + "datapackage.json",
        "name": slugify(title.id) or "ksm",
        "title": f"{title.en}: data",
        "description": f"{site.description.en} Every group and every assessment, as published on the site.",
        "judul": f"{title.id}: data",
        "deskripsi": f"{site.description.id} Setiap kelompok dan setiap penilaian, seperti diterbitkan di situs.",
        "homepage": site.base_url,
        "keywords": ["KSM", "KOTAKU"],
        "resources": [
            table("groups", own(GROUPS_CSV), Text("Kelompok", "Groups"),
                  Text("Satu baris per kelompok, urut id." + APOSTROPHE.id,
                       "One row per group, in order of id." + APOSTROPHE.en),
                  groups_fields(rubric, site), {"primaryKey": ["id"]}),
            table("penilaian", own(ASSESSMENTS_CSV), Text("Penilaian", "Assessments"),
                  Text("Satu baris per penilaian, urut id kelompok lalu tanggal; kolom indikator dan aset dari "
                       "content/rubric.yaml." + APOSTROPHE.id,
                       "One row per assessment, in order of group id, then date; the columns of indicators and "
                       "assets are those of content/rubric.yaml." + APOSTROPHE.en),
                  assessments_fields(rubric, site),
                  {"primaryKey": ["id", "tanggal"],
                   "foreignKeys": [{"fields": ["id"], "reference": {"resource": "groups", "fields": ["id"]}}]}),
            {"name": "groups-json", "type": "json", "path": own(GROUPS_JSON), "format": "json",
             "mediatype": "application/json", "encoding": "utf-8",
             "title": "Groups, with every assessment", "judul": "Kelompok, dengan setiap penilaian",
             "description": "Every group as the site shows it, its assessments nested, sorted by id; as_of is the "
                            "date the warnings are judged at. Its shape is the JSON Schema in jsonSchema.",
             "deskripsi": "Setiap kelompok seperti ditampilkan situs, dengan penilaiannya, urut id; as_of adalah "
                          "tanggal peringatan dinilai. Bentuknya: JSON Schema di jsonSchema.",
             "jsonSchema": groups_json_schema(rubric)},
        ],
    }


def groups_json_schema(rubric: Rubric) -> dict:
    """The shape of ``groups.json`` (DESIGN §5), as a JSON Schema (draft 2020-12)."""
    def described(name: str, schema: dict) -> dict:
        _, title, meaning = COLUMNS[name]
        return {**schema, "title": title.en, "description": meaning.en, "judul": title.id, "deskripsi": meaning.id}

    text = {"type": "string"}
    date = {"type": "string", "format": "date"}
    nullable = lambda schema: {**schema, "type": [schema["type"], "null"]}  # noqa: E731
    stage_keys = [s.key for s in rubric.stages]
    indicator_keys = [i.key for i in rubric.indicators]
    closed = lambda properties, required: {"type": "object", "properties": properties,  # noqa: E731
                                           "required": required, "additionalProperties": False}
    assessment = closed({
        "tanggal": described("tanggal", date),
        "poin": described("poin", {"type": "integer", "minimum": 0}),
        "skor": described("skor", {"type": "number", "minimum": 0, "maximum": 100}),
        "tahap": {"enum": stage_keys},
        "level": {"type": "object", "description": "The level of every applicable indicator.",
                  "deskripsi": "Level setiap indikator yang berlaku.", "additionalProperties": False,
                  "properties": {i.key: {"type": "integer", "minimum": 0, "maximum": i.max_level,
                                         "title": i.name.en, "judul": i.name.id} for i in rubric.indicators}},
        "aset": {"type": ["object", "null"], "description": "The five assets; null when none was rated.",
                 "deskripsi": "Kelima aset; null bila tidak dinilai.", "additionalProperties": False,
                 "required": [a.key for a in rubric.assets],
                 "properties": {a.key: {"type": "integer", "minimum": 0, "maximum": rubric.asset_max,
                                        "title": a.name.en, "judul": a.name.id} for a in rubric.assets}},
    }, ["tanggal", "poin", "skor", "tahap", "level", "aset"])
    group = closed({
        "id": described("id", text), "nama": described("nama", text),
        "jenis": described("jenis", {"enum": [j.key for j in rubric.jenis]}),
        "wilayah": closed({key: described(key, text) for key in ("provinsi", "kota", "kecamatan", "kelurahan")},
                          ["provinsi", "kota", "kecamatan", "kelurahan"]),
        "dibentuk": described("dibentuk", date), "bubar": described("bubar", nullable(date)),
        "tahap": described("tahap", {"enum": list(rubric.status_keys)}),
        "skor": described("skor", {"type": ["number", "null"], "minimum": 0, "maximum": 100}),
        "penilaian": {"type": "array", "items": assessment, "description": "Every assessment, by date.",
                      "deskripsi": "Setiap penilaian, urut tanggal."},
        "menuju": {"oneOf": [{"type": "null"}, closed({
            "tahap": {"enum": stage_keys},
            "kurang_poin": described("kurang_poin", {"type": "integer", "minimum": 0}),
            "syarat_belum": {"type": "array", "items": {"enum": indicator_keys}},
            "saran": {"type": "array", "items": {"enum": indicator_keys}, "maxItems": 3},
        }, ["tahap", "kurang_poin", "syarat_belum", "saran"])], "description": COLUMNS["menuju"][2].en,
            "deskripsi": COLUMNS["menuju"][2].id},
        "peringatan": described("peringatan", {"type": "array", "items": {"enum": [w.key for w in rubric.warnings]}}),
        "url": described("url", text),
    }, ["id", "nama", "jenis", "wilayah", "dibentuk", "bubar", "tahap", "skor", "penilaian", "menuju",
        "peringatan", "url"])
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            **closed({"as_of": nullable(date), "groups": {"type": "array", "items": group}}, ["as_of", "groups"])}


def datapackage_bytes(rubric: Rubric, site: Site) -> bytes:
    return (json.dumps(make_datapackage(rubric, site), ensure_ascii=False, indent=1) + "\n").encode()
