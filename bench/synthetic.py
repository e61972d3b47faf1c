"""Synthetic programmes shaped like the sample: N valid group files, seeded.

    .venv/bin/python bench/synthetic.py OUT_DIR N [--seed S]

writes ``OUT_DIR/rubric.yaml``, ``site.yaml`` (copied from ``content/``) and
``OUT_DIR/groups/**``. Used by ``bench/scale.py`` and by the tests that need
more groups than a hand-written tree holds.

What makes them realistic: every ``jenis`` (about 45% revolving loan, 30%
infrastructure, 25% social); 0 to 6 assessments spread over the years after
formation, levels that mostly grow and sometimes fall back; attendance and
repayment percentages; assets on most assessments; partners, businesses,
notes and a Markdown story of the sample's length; about one group in ten
dissolved; ``.md`` files mostly, some ``.yaml`` and ``.yml``. Areas scale with
N the way a KOTAKU city cluster does: about five groups per kelurahan, ten
kelurahan per kecamatan, ten kecamatan per kota, so area pages grow with N
too. A few kelurahan names in one kecamatan make the same URL slug
("Suko Rejo" and "Sukorejo"), as real names do. Every date lies between
2008 and 2024, so the files stay valid on any later day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"

SYLLABLES = ("su", "ko", "re", "jo", "ma", "ju", "wi", "da", "ka", "sa", "ri", "ba", "ng", "pu", "ta", "la",
             "ngan", "sem", "bang", "tu", "mu", "lyo", "har", "to", "we", "du", "gan", "ti", "po", "ra")
WORDS = ("Maju", "Bersama", "Sejahtera", "Makmur", "Mandiri", "Lestari", "Sari", "Rejeki", "Barokah", "Karya",
         "Bhakti", "Mulya", "Asri", "Sentosa", "Harapan", "Jaya", "Abadi", "Berkah", "Tunas", "Melati",
         "Mawar", "Sekar", "Tirta", "Guyub", "Rukun", "Peduli", "Sehat", "Bina", "Usaha", "Tani")
PEOPLE = ("Siti Aminah", "Supriyadi", "Endah Purwanti", "Wartini", "Slamet Riyadi", "Sri Wahyuni", "Bambang",
          "Tri Handayani", "Joko Susilo", "Nur Hidayah", "Agus Salim", "Dwi Lestari", "Sumarni", "Heru Prasetyo")
ASSESSORS = ("Wahyu Nugroho", "Retno Palupi", "Ahmad Fauzi", "Dewi Kartika", "Budi Santoso")
BUSINESSES = ("warung", "jahit", "ternak", "sambal pecel", "keripik", "jamu gendong", "batik", "tempe",
              "jual sayur", "bengkel", "laundry", "kue basah", "lele", "brem")
PARTNERS = (("Koperasi Sejahtera", "modal"), ("UD Tani Makmur", "bahan-baku"), ("Galeri UMKM", "pemasaran"),
            ("Dinas PUPR", "lainnya"), ("Bank Jatim", "modal"), ("Toko Bangunan Sido Maju", "bahan-baku"),
            ("Pasar Besar", "pemasaran"), ("Puskesmas", "lainnya"))
PLAIN = ("pertemuan_rutin", "agenda_pertemuan", "tabungan_kelompok", "aturan_main", "pencatatan_keuangan",
         "rekening_aman", "kegiatan_pihak_luar", "pembahasan_masalah_kritis")
ASSETS = ("manusia", "ekonomi", "infrastruktur", "alam", "sosial")
JENIS = (("pinjaman-bergulir", 45), ("infrastruktur", 30), ("sosial", 25))
LAST_DAY = dt.date(2024, 12, 31)


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def make_areas(n: int, rng: random.Random) -> list[tuple[str, str, str, str, str, str]]:
    """(provinsi, kota, kota slug, kecamatan, kecamatan slug, kelurahan) for about n/5 kelurahan."""
    kelurahan_count = max(2, n // 5)
    kecamatan_count = max(1, kelurahan_count // 10)
    kota_count = max(1, kecamatan_count // 10)
    provinces = ("Jawa Timur", "Jawa Tengah", "Jawa Barat", "Sulawesi Selatan", "Sumatera Utara")
    kotas, used = [], set()
    while len(kotas) < kota_count:
        base = _name(rng, rng.choice((2, 3)))
        name = f"{rng.choice(('Kota', 'Kabupaten'))} {base}"
        if _slug(name) not in used:
            used.add(_slug(name))
            kotas.append((rng.choice(provinces), name))
    kecamatans = []
    for index in range(kecamatan_count):
        provinsi, kota = kotas[index % kota_count]
        taken = {_slug(k[2]) for k in kecamatans if k[1] == kota}
        while True:
            name = _name(rng, rng.choice((2, 3)))
            if _slug(name) not in taken:
                break
        kecamatans.append((provinsi, kota, name))
    areas = []
    for index in range(kelurahan_count):
        provinsi, kota, kecamatan = kecamatans[index % kecamatan_count]
        name = _name(rng, rng.choice((2, 3)))
        if index % 97 == 13:  # two spellings of one village name: their slugs collide
            name = name[:2] + " " + name[2:].capitalize()
        areas.append((provinsi, kota, _slug(kota.split(" ", 1)[1]), kecamatan, _slug(kecamatan), name))
    return areas


def _level(rng: random.Random, base: float) -> int:
    return max(0, min(3, round(base + rng.uniform(-0.9, 0.9))))


def _percent(rng: random.Random, base: float, low: int) -> str:
    value = max(0, min(100, round(low + base * (100 - low) / 3 + rng.uniform(-8, 8))))
    return f"{value}%"


def make_group(rng: random.Random, area: tuple, jenis: str) -> dict:
    provinsi, kota, _, kecamatan, _, kelurahan = area
    dibentuk = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange((dt.date(2023, 6, 30) - dt.date(2008, 1, 1)).days))
    count = rng.choices(range(7), weights=(6, 14, 20, 22, 18, 12, 8))[0]
    dates, day = [], dibentuk
    for _ in range(count):
        day = day + dt.timedelta(days=rng.randint(150, 800))
        if day > LAST_DAY:
            break
        dates.append(day)
    bubar = None
    if rng.random() < 0.1:
        bubar = (dates[-1] if dates else dibentuk) + dt.timedelta(days=rng.randint(30, 700))
        if bubar > LAST_DAY:
            bubar = None
    base = rng.uniform(0.4, 1.6)
    assessments = []
    for day in dates:
        base = max(0.0, min(3.0, base + rng.uniform(-0.5, 0.9)))
        indicators = {}
        for key in PLAIN[:1]:
            indicators[key] = _level(rng, base)
        indicators["kehadiran"] = _percent(rng, base, 50)
        for key in PLAIN[1:5]:
            indicators[key] = _level(rng, base)
        if jenis == "pinjaman-bergulir":
            indicators["pengembalian_pinjaman"] = _percent(rng, base, 78)
        for key in PLAIN[5:]:
            indicators[key] = _level(rng, base)
        item = {"tanggal": day, "indikator": indicators}
        if rng.random() < 0.8:
            item["penilai"] = rng.choice(ASSESSORS)
        if rng.random() < 0.85:
            item["aset"] = {k: max(0, min(5, round(base * 1.4 + rng.uniform(-1, 1.5)))) for k in ASSETS}
        if rng.random() < 0.3:
            item["catatan"] = rng.choice(("Pertemuan bulanan mulai rutin.", "Buku kas sudah lengkap.",
                                          "Tabungan wajib berjalan; **dua** anggota menunggak.",
                                          "Angsuran lancar: kelompok menambah modal bergulir."))
        assessments.append(item)
    return {"nama": f"KSM {rng.choice(WORDS)} {rng.choice(WORDS)}", "jenis": jenis,
            "wilayah": {"provinsi": provinsi, "kota": kota, "kecamatan": kecamatan, "kelurahan": kelurahan},
            "dibentuk": dibentuk, "anggota": rng.randint(5, 30) if rng.random() < 0.9 else None,
            "ketua": rng.choice(PEOPLE) if rng.random() < 0.85 else None,
            "usaha": rng.sample(BUSINESSES, rng.randint(1, 4)) if jenis == "pinjaman-bergulir" else None,
            "mitra": [dict(zip(("nama", "bentuk"), p), sejak=dibentuk + dt.timedelta(days=rng.randint(60, 900)))
                      for p in rng.sample(PARTNERS, rng.choice((0, 0, 1, 1, 2, 3)))
                      if dibentuk + dt.timedelta(days=900) <= (bubar or LAST_DAY)],
            "bubar": bubar, "penilaian": assessments}


def _yaml(group: dict) -> str:
    w = group["wilayah"]
    lines = [f"nama: {group['nama']}", f"jenis: {group['jenis']}", "wilayah:",
             f"  provinsi: {w['provinsi']}", f"  kota: {w['kota']}", f"  kecamatan: {w['kecamatan']}",
             f"  kelurahan: {w['kelurahan']}", f"dibentuk: {group['dibentuk'].isoformat()}"]
    if group["anggota"]:
        lines.append(f"anggota: {group['anggota']}")
    if group["ketua"]:
        lines.append(f"ketua: {group['ketua']}")
    if group["usaha"]:
        lines.append(f"usaha: [{', '.join(group['usaha'])}]")
    if group["mitra"]:
        lines.append("mitra:")
        lines += [f"  - {{nama: {m['nama']}, bentuk: {m['bentuk']}, sejak: {m['sejak'].isoformat()}}}" for m in group["mitra"]]
    if group["bubar"]:
        lines.append(f"bubar: {group['bubar'].isoformat()}")
    lines.append("penilaian:" if group["penilaian"] else "penilaian: []")
    for a in group["penilaian"]:
        lines.append(f"  - tanggal: {a['tanggal'].isoformat()}")
        if "penilai" in a:
            lines.append(f"    penilai: {a['penilai']}")
        lines.append("    indikator:")
        lines += [f"      {k}: {v}" for k, v in a["indikator"].items()]
        if "aset" in a:
            lines.append("    aset: {" + ", ".join(f"{k}: {v}" for k, v in a["aset"].items()) + "}")
        if "catatan" in a:
            lines.append(f"    catatan: \"{a['catatan']}\"")
    return "\n".join(lines) + "\n"


def _story(rng: random.Random, group: dict) -> str:
    w = group["wilayah"]
    first = (f"{group['nama']} di Kelurahan {w['kelurahan']}, Kecamatan {w['kecamatan']}, dibentuk pada "
             f"{group['dibentuk'].year} oleh {group['anggota'] or 'beberapa'} warga. ")
    first += rng.choice(("Kelompok ini mengelola dana bergulir untuk usaha kecil anggotanya.",
                         "Kelompok ini membangun dan merawat jalan paving serta saluran air lingkungan.",
                         "Kelompok ini mendampingi lansia dan keluarga rentan di lingkungannya."))
    second = rng.choice(("Pertemuan bulanan diadakan di rumah ketua; notulen ditulis bergiliran.",
                         "Sejak pandemi kegiatan sempat berhenti, lalu pulih pada tahun berikutnya.",
                         "Pembukuan dibantu fasilitator kelurahan sampai bendahara baru siap."))
    items = "\n".join(f"- {rng.choice(BUSINESSES).capitalize()} dijual di pasar dan lewat toko daring."
                      for _ in range(rng.randint(0, 3)))
    return "\n\n".join(p for p in (first, second, items) if p) + "\n"


def write_group(groups_dir: Path, rel: str, group: dict, story: str) -> Path:
    path = groups_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".md":
        path.write_text("---\n" + _yaml(group) + "---\n" + story, encoding="utf-8")
    else:
        path.write_text(_yaml(group), encoding="utf-8")
    return path


def write_programme(target: Path, n: int, seed: int = 1) -> Path:
    """A content folder with ``n`` groups at ``target``; returns ``target``."""
    rng = random.Random(seed)
    target = Path(target)
    groups_dir = target / "groups"
    groups_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(CONTENT / "rubric.yaml", target / "rubric.yaml")
    shutil.copy(CONTENT / "site.yaml", target / "site.yaml")
    areas = make_areas(n, rng)
    names = [j for j, _ in JENIS]
    weights = [w for _, w in JENIS]
    taken: set[str] = set()
    for index in range(n):
        area = areas[rng.randrange(len(areas))] if index >= len(areas) else areas[index]
        jenis = names[index % 3] if index < 3 else rng.choices(names, weights)[0]
        group = make_group(rng, area, jenis)
        stem = _slug(group["nama"])
        folder = f"{area[2]}/{area[4]}"
        slug, suffix = stem, 1
        while f"{folder}/{slug}" in taken:
            suffix += 1
            slug = f"{stem}-{suffix}"
        taken.add(f"{folder}/{slug}")
        ext = rng.choices((".md", ".yaml", ".yml"), (90, 7, 3))[0]
        write_group(groups_dir, f"{folder}/{slug}{ext}", group, _story(rng, group))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_programme(args.out, args.n, args.seed)
    print(f"wrote {args.n} groups to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
