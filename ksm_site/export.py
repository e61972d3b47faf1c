"""Scored groups -> the downloadable data files under ``data/``.

``groups.json`` is the contract of DESIGN §5: groups sorted by id, their
assessments by date, ``level`` with every applicable indicator, ``aset``
null when an assessment rated no assets, ``skor`` the latest assessment's
score (null when never assessed), ``menuju`` null when there is no next
stage. The CSV files are for spreadsheets: one row per group and one row
per assessment, comma-separated, UTF-8, numbers with a decimal point; any
text cell that a spreadsheet could take for a formula is prefixed with an
apostrophe (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from .analyse import Programme
from .model import Rubric, ScoredGroup


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


def group_json_files(programme: Programme) -> dict[str, bytes]:
    """Each group's record on its own, next to its page, for the page's download link."""
    return {f"kelompok/{g.id}/data.json": (json.dumps(group_record(g), ensure_ascii=False, separators=(",", ":")) + "\n").encode()
            for g in programme.groups}


def groups_json(programme: Programme) -> bytes:
    records = [group_record(g) for g in sorted(programme.groups, key=lambda g: g.id)]
    data = {"as_of": programme.as_of.isoformat() if programme.as_of else None, "groups": records}
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


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


def _csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode()


def groups_csv(programme: Programme) -> bytes:
    header = ["id", "nama", "jenis", "provinsi", "kota", "kecamatan", "kelurahan", "dibentuk", "bubar",
              "anggota", "ketua", "usaha", "mitra", "tahap", "skor", "jumlah_penilaian", "penilaian_terakhir",
              "menuju", "kurang_poin", "syarat_belum", "saran", "peringatan", "url"]
    rows = []
    for g in sorted(programme.groups, key=lambda g: g.id):
        group, w, latest, nxt = g.group, g.group.wilayah, g.latest, g.next_stage
        rows.append([
            g.id, group.nama, group.jenis, w.provinsi, w.kota, w.kecamatan, w.kelurahan,
            group.dibentuk.isoformat(), group.bubar.isoformat() if group.bubar else "",
            group.anggota, group.ketua, "; ".join(group.usaha), "; ".join(p.nama for p in group.mitra),
            g.status, f"{latest.score:.1f}" if latest else "", len(g.assessments),
            latest.date.isoformat() if latest else "",
            nxt.stage if nxt else "", nxt.missing_points if nxt else "",
            " ".join(s.indicator for s in nxt.unmet_gates) if nxt else "",
            " ".join(nxt.suggestions) if nxt else "", " ".join(g.warnings), f"kelompok/{g.id}/",
        ])
    return _csv(header, rows)


def assessments_csv(programme: Programme, rubric: Rubric) -> bytes:
    indicators = rubric.indicators
    header = ["id", "nama", "jenis", "tanggal", "penilai", "poin", "poin_maks", "skor", "tahap"]
    for i in indicators:
        header.append(i.key)
        if i.banded:
            header.append(f"{i.key}_persen")
    header += [f"aset_{a.key}" for a in rubric.assets] + ["catatan"]
    rows = []
    for g in sorted(programme.groups, key=lambda g: g.id):
        for a in g.assessments:
            row = [g.id, g.group.nama, g.group.jenis, a.date.isoformat(), a.assessment.assessor, a.points,
                   a.max_points, f"{a.score:.1f}", a.stage]
            for i in indicators:
                row.append(a.levels.get(i.key, ""))
                if i.banded:
                    row.append(a.assessment.values.get(i.key, ""))
            assets = a.assessment.assets or {}
            row += [assets.get(x.key, "") for x in rubric.assets] + [a.assessment.note]
            rows.append(row)
    return _csv(header, rows)


def data_files(programme: Programme, rubric: Rubric) -> dict[str, bytes]:
    return {
        "data/groups.json": groups_json(programme),
        "data/groups.csv": groups_csv(programme),
        "data/penilaian.csv": assessments_csv(programme, rubric),
        **group_json_files(programme),
    }
