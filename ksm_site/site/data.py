"""Scored groups -> the downloadable data files under ``data/``.

``groups.json`` is the contract of DESIGN §5: groups sorted by id, their
assessments by date, ``level`` with every applicable indicator, ``aset``
null when an assessment rated no assets, ``skor`` the latest assessment's
score (null when never assessed), ``menuju`` null when there is no next
stage; each group's record is also published on its own, next to its page.
The CSV files are for spreadsheets: one row per group and one row
per assessment, comma-separated, UTF-8, numbers with a decimal point; any
text cell that a spreadsheet could take for a formula is prefixed with an
apostrophe (OWASP CSV injection).

Each group's share of the three files (``GroupData``) is made with its page
and kept with it; ``data_stream`` joins the shares, in order of id, as a
stream of pieces (a build writes them out as they come, never holding a
file of 100,000 groups whole), so the files cost a join, not a pass over
every group, and hold exactly the bytes a single ``json.dumps`` and
``csv.writer`` over all groups would.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Iterable, Iterator, NamedTuple

from ..domain.model import Rubric, ScoredGroup, Site

GROUPS_JSON = "data/groups.json"
GROUPS_CSV = "data/groups.csv"
ASSESSMENTS_CSV = "data/penilaian.csv"


def group_record(g: ScoredGroup) -> dict:
    group = g.group
    w = group.wilayah
    latest = g.latest
    nxt = g.next_stage
    return {
        "id": g.id,
        "nama": group.nama,
        "jenis": group.jenis,
        "wilayah": {"provinsi": w.provinsi, "kota": w.kota, "kecamatan": w.kecamatan, "kelurahan": w.kelurahan},
        "dibentuk": group.dibentuk.isoformat(),
        "bubar": group.bubar.isoformat() if group.bubar else None,
        "tahap": g.status,
        "skor": latest.score if latest else None,
        "penilaian": [
            {"tanggal": a.date.isoformat(), "poin": a.points, "skor": a.score, "tahap": a.stage,
             "level": dict(a.levels), "aset": dict(a.assessment.assets) if a.assessment.assets else None}
            for a in g.assessments
        ],
        "menuju": None if nxt is None else {
            "tahap": nxt.stage,
            "kurang_poin": nxt.missing_points,
            "syarat_belum": [s.indicator for s in nxt.unmet_gates],
            "saran": list(nxt.suggestions),
        },
        "peringatan": list(g.warnings),
        "url": f"kelompok/{g.id}/",
    }


def safe_cell(value) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    text = str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _csv_rows(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode()


GROUPS_HEADER = ["id", "nama", "jenis", "provinsi", "kota", "kecamatan", "kelurahan", "dibentuk", "bubar",
                 "anggota", "ketua", "usaha", "mitra", "tahap", "skor", "jumlah_penilaian", "penilaian_terakhir",
                 "menuju", "kurang_poin", "syarat_belum", "saran", "peringatan", "url"]


def assessments_header(rubric: Rubric) -> list[str]:
    header = ["id", "nama", "jenis", "tanggal", "penilai", "poin", "poin_maks", "skor", "tahap"]
    for i in rubric.indicators:
        header.append(i.key)
        if i.banded:
            header.append(f"{i.key}_persen")
    return header + [f"aset_{a.key}" for a in rubric.assets] + ["catatan"]


class GroupData(NamedTuple):
    """One group's share of each data file, encoded: its ``groups.json`` record, its
    ``groups.csv`` row, its ``penilaian.csv`` rows (none when never assessed), its rows in the
    spreadsheets. A named tuple: a
    rebuild reads 10,000 of these from the cache, and a tuple is the cheapest thing to unpickle."""

    id: str
    record: bytes
    row: bytes
    assessments: bytes
    sheet: bytes
    """Its row's cells in the spreadsheets' ``Kelompok`` sheet (``sheets.SheetRows``)."""
    sheet_assessments: tuple[bytes, ...]
    """Its assessments' rows' cells in their ``Penilaian`` sheet."""


def group_data(g: ScoredGroup, rubric: Rubric, site: Site, sheet: tuple[bytes, tuple[bytes, ...]]) -> GroupData:
    """``sheet``: its rows in the spreadsheets (``sheets.sheet_rows``). ``site.hide_names``: the chair's and
    the assessors' cells are left empty (the columns stay, so the files keep their format); ``groups.json``
    holds no names."""
    group, w, latest, nxt = g.group, g.group.wilayah, g.latest, g.next_stage
    hidden = site.hide_names
    row = [
        g.id, group.nama, group.jenis, w.provinsi, w.kota, w.kecamatan, w.kelurahan,
        group.dibentuk.isoformat(), group.bubar.isoformat() if group.bubar else "",
        group.anggota, "" if hidden else group.ketua, "; ".join(group.usaha), "; ".join(p.nama for p in group.mitra),
        g.status, f"{latest.score:.1f}" if latest else "", len(g.assessments),
        latest.date.isoformat() if latest else "",
        nxt.stage if nxt else "", nxt.missing_points if nxt else "",
        " ".join(s.indicator for s in nxt.unmet_gates) if nxt else "",
        " ".join(nxt.suggestions) if nxt else "", " ".join(g.warnings), f"kelompok/{g.id}/",
    ]
    assessments = []
    for a in g.assessments:
        line = [g.id, group.nama, group.jenis, a.date.isoformat(), "" if hidden else a.assessment.assessor, a.points,
                a.max_points, f"{a.score:.1f}", a.stage]
        for i in rubric.indicators:
            line.append(a.levels.get(i.key, ""))
            if i.banded:
                line.append(a.assessment.values.get(i.key, ""))
        assets = a.assessment.assets or {}
        line += [assets.get(x.key, "") for x in rubric.assets] + [a.assessment.note]
        assessments.append(line)
    record = json.dumps(group_record(g), ensure_ascii=False, separators=(",", ":")).encode()
    return GroupData(g.id, record, _csv_rows([row]), _csv_rows(assessments), *sheet)


def group_json(share: GroupData) -> bytes:
    """The group's record on its own (``kelompok/<id>/data.json``, next to its page): its ``groups.json`` record."""
    return share.record + b"\n"


def data_heads(as_of, rubric: Rubric) -> dict[str, bytes]:
    """How each data file starts, before the first group's share."""
    return {
        GROUPS_JSON: ('{"as_of":' + json.dumps(as_of.isoformat() if as_of else None) + ',"groups":[').encode(),
        GROUPS_CSV: _csv_rows([GROUPS_HEADER]),
        ASSESSMENTS_CSV: _csv_rows([assessments_header(rubric)]),
    }


DATA_TAILS = {GROUPS_JSON: b"]}\n", GROUPS_CSV: b"", ASSESSMENTS_CSV: b""}
"""How each data file ends, after the last group's share."""


def data_stream(as_of, shares: Iterable[GroupData], rubric: Rubric) -> Iterator[tuple[str, bytes]]:
    """The data files as (path, piece) pairs, each file's pieces in order: its head, each group's share
    (``shares`` in order of id), its tail. (The programme's spreadsheet is made from the same shares by
    ``sheets.workbook_stream``, in a task of its own, beside these.)"""
    yield from data_heads(as_of, rubric).items()
    first = True
    for share in shares:
        yield GROUPS_JSON, share.record if first else b"," + share.record
        yield GROUPS_CSV, share.row
        yield ASSESSMENTS_CSV, share.assessments
        first = False
    yield from DATA_TAILS.items()
