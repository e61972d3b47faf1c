"""The scorer against a second, deliberately plain implementation of DESIGN §4.

``reference`` below is written from the design text alone, with fractions
and PyYAML's ``safe_load``, sharing no code with ``ksm_site``. Random
groups (seeded) and the sample content are scored by both; every field of
``groups.json`` that scoring decides must agree.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from fractions import Fraction

import yaml

from ksm_site.engine.build import build

from conftest import CONTENT, TODAY, write_content

BANDS = {"kehadiran": (60, 75, 90), "pengembalian_pinjaman": (80, 90, 97)}
ORDER = ["pertemuan_rutin", "kehadiran", "agenda_pertemuan", "tabungan_kelompok", "aturan_main",
         "pengembalian_pinjaman", "pencatatan_keuangan", "rekening_aman", "kegiatan_pihak_luar",
         "pembahasan_masalah_kritis"]
STAGES = [("tunas", 0, {}), ("tumbuh", 50, {"pertemuan_rutin": 2, "tabungan_kelompok": 2, "aturan_main": 2}),
          ("kembang", 75, {"kegiatan_pihak_luar": 2, "pencatatan_keuangan": 2, "rekening_aman": 2})]


def applicable(jenis):
    return [k for k in ORDER if k != "pengembalian_pinjaman" or jenis == "pinjaman-bergulir"]


def level(key, value):
    if key in BANDS:
        pct = Fraction(str(value).rstrip("%").replace(",", "."))
        return sum(1 for b in BANDS[key] if pct >= b)
    return value


def assess(jenis, indikator):
    keys = applicable(jenis)
    levels = {k: level(k, indikator[k]) for k in keys}
    points = sum(levels.values())
    best = "tunas"
    for n, (name, minimum, _) in enumerate(STAGES):
        gates_ok = all(levels[k] >= v for _, _, g in STAGES[: n + 1] for k, v in g.items())
        if gates_ok and points * 100 >= minimum * 3 * len(keys):
            best = name
    return levels, points, best


def reference(groups: dict[str, dict], as_of: str | None = None) -> dict:
    dates = [str(p["tanggal"]) for g in groups.values() for p in g.get("penilaian") or []]
    dates += [str(g["bubar"]) for g in groups.values() if g.get("bubar")]
    as_of = as_of or max(dates)
    result = {}
    for gid, g in groups.items():
        keys = applicable(g["jenis"])
        assessments = sorted(g.get("penilaian") or [], key=lambda p: str(p["tanggal"]))
        scored = [assess(g["jenis"], p["indikator"]) for p in assessments]
        rank = {s[0]: n for n, s in enumerate(STAGES)}
        out = {"tahap": "bubar" if g.get("bubar") else (scored[-1][2] if scored else "belum-dinilai"),
               "skor": round(100 * scored[-1][1] / (3 * len(keys)), 1) if scored else None,
               "penilaian": [(str(p["tanggal"]), s[1], round(100 * s[1] / (3 * len(keys)), 1), s[2], s[0])
                             for p, s in zip(assessments, scored)],
               "menuju": None, "peringatan": []}
        active = not g.get("bubar")
        if active and scored and scored[-1][2] != "kembang":
            levels, points, stage = scored[-1]
            target = rank[stage] + 1
            name, minimum, _ = STAGES[target]
            need = {}
            for _, _, gates in STAGES[: target + 1]:
                for k, v in gates.items():
                    need[k] = max(need.get(k, 0), v)
            room = sorted([k for k in keys if levels[k] < 3], key=lambda k: (levels[k] - 3, keys.index(k)))
            out["menuju"] = {"tahap": name, "kurang_poin": max(0, math.ceil(minimum * 3 * len(keys) / 100) - points),
                             "syarat_belum": [k for k in keys if k in need and levels[k] < need[k]],
                             "saran": room[:3]}
        if active:
            w = []
            if len(scored) >= 2 and rank[scored[-1][2]] < rank[scored[-2][2]]:
                w.append("turun-tahap")
            if len(scored) >= 2 and (scored[-2][1] - scored[-1][1]) * 100 >= 15 * 3 * len(keys):
                w.append("skor-turun")
            if scored and "pengembalian_pinjaman" in keys and scored[-1][0]["pengembalian_pinjaman"] <= 1:
                w.append("pengembalian-rendah")
            att = [Fraction(str(p["indikator"]["kehadiran"]).rstrip("%").replace(",", ".")) for p in assessments[-3:]]
            if len(att) == 3 and att[0] > att[1] > att[2]:
                w.append("kehadiran-menurun")
            # mandek: the Tunas assessments that run unbroken to the latest began 730 days or more before it
            dates = [dt.date.fromisoformat(str(p["tanggal"])) for p in assessments]
            stalled = 0  # how many of the last assessments are Tunas
            while stalled < len(scored) and scored[-1 - stalled][2] == "tunas":
                stalled += 1
            if stalled and (dates[-1] - dates[-stalled]).days >= 730:
                w.append("mandek")
            last = dt.date.fromisoformat(str(assessments[-1]["tanggal"]) if assessments else str(g["dibentuk"]))
            if (dt.date.fromisoformat(as_of) - last).days > 365:
                w.append("penilaian-lama")
            out["peringatan"] = w
        result[gid] = out
    return {"as_of": as_of, "groups": result}


def ours(groups_json: dict) -> dict:
    return {"as_of": groups_json["as_of"], "groups": {
        g["id"]: {"tahap": g["tahap"], "skor": g["skor"], "menuju": g["menuju"], "peringatan": g["peringatan"],
                  "penilaian": [(p["tanggal"], p["poin"], p["skor"], p["tahap"], p["level"]) for p in g["penilaian"]]}
        for g in groups_json["groups"]}}


def random_group(rng: random.Random) -> dict:
    jenis = rng.choice(["pinjaman-bergulir", "infrastruktur", "sosial"])
    formed = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(0, 1500))
    assessments, day = [], formed
    base = rng.randint(0, 3)
    for _ in range(rng.choice([0, 1, 2, 3, 3, 4, 5, 6])):
        day += dt.timedelta(days=rng.randrange(30, 500))
        indikator = {}
        for k in applicable(jenis):
            if k in BANDS:
                pct = rng.choice([rng.randint(0, 100), *BANDS[k], BANDS[k][0] - 0.1, BANDS[k][-1] - 0.1])
                indikator[k] = f"{pct}%"
            else:
                indikator[k] = max(0, min(3, base + rng.randint(-2, 2)))
        assessments.append({"tanggal": day, "indikator": indikator})
    group = {"nama": "KSM Acak", "jenis": jenis,
             "wilayah": {"provinsi": "Jawa Timur", "kota": "Kota Madiun", "kecamatan": "Taman", "kelurahan": "Pandean"},
             "dibentuk": formed, "penilaian": assessments}
    if assessments and rng.random() < 0.15:
        group["bubar"] = assessments[-1]["tanggal"] + dt.timedelta(days=rng.randrange(1, 300))
    return group


def test_random_groups_agree_with_the_reference(tmp_path):
    rng = random.Random(20241130)
    groups = {f"acak/ksm-{n:03d}": random_group(rng) for n in range(400)}
    files = {f"groups/{gid}.yaml": yaml.safe_dump(g, sort_keys=False) for gid, g in groups.items()}
    content = write_content(tmp_path, files)
    build(str(content), str(tmp_path / "out"), TODAY)
    built = json.loads((tmp_path / "out/data/groups.json").read_text())
    expected = reference(groups)
    assert ours(built)["as_of"] == str(expected["as_of"])
    mine = ours(built)["groups"]
    for gid, want in expected["groups"].items():
        got = mine[gid]
        assert got["tahap"] == want["tahap"], gid
        assert got["skor"] == want["skor"], gid
        assert [tuple(p) for p in got["penilaian"]] == want["penilaian"], gid
        assert got["menuju"] == want["menuju"], gid
        assert got["peringatan"] == want["peringatan"], gid
    stages = {g["tahap"] for g in mine.values()}
    assert stages == {"tunas", "tumbuh", "kembang", "bubar", "belum-dinilai"}  # the sample of cases is broad


def read_sample() -> dict[str, dict]:
    groups = {}
    for path in sorted((CONTENT / "groups").rglob("*")):
        if path.suffix not in (".md", ".yaml", ".yml"):
            continue
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text.split("---\n")[1] if path.suffix == ".md" else text)
        groups[str(path.relative_to(CONTENT / "groups").with_suffix(""))] = data
    return groups


def test_sample_content_agrees_with_the_reference(tmp_path):
    build(str(CONTENT), str(tmp_path / "out"), TODAY)
    built = ours(json.loads((tmp_path / "out/data/groups.json").read_text()))
    expected = reference(read_sample())
    assert built["as_of"] == str(expected["as_of"])
    assert built["groups"].keys() == expected["groups"].keys()
    for gid, want in expected["groups"].items():
        got = built["groups"][gid]
        assert (got["tahap"], got["skor"], got["menuju"], got["peringatan"]) == \
               (want["tahap"], want["skor"], want["menuju"], want["peringatan"]), gid
        assert [tuple(p) for p in got["penilaian"]] == want["penilaian"], gid



def test_random_groups_cover_every_warning():
    rng = random.Random(20241130)
    groups = {f"acak/ksm-{n:03d}": random_group(rng) for n in range(400)}
    found = {w for g in reference(groups)["groups"].values() for w in g["peringatan"]}
    assert found == {"turun-tahap", "skor-turun", "pengembalian-rendah", "kehadiran-menurun", "mandek", "penilaian-lama"}
