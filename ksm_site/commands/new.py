"""`new ID --jenis JENIS`: a new group file with every field present and explained in Indonesian.

The scaffold passes ``check`` as it is written:

* ``penilaian: []``, followed by a commented-out example assessment that
  lists every indicator that applies to the group's ``jenis``, each with its
  question and the meaning of every level (and the assets), so a facilitator
  removes the ``# `` marks and fills in numbers. The example passes
  ``check`` too once uncommented.
* ``dibentuk`` is today's date, because it must be a date that is not in
  the future and the real one is not known yet; the comment above it says to
  replace it. Reading the clock here is fine: it only fills a scaffold that a
  person edits, it never decides what the site shows (DESIGN §4 keeps the
  build free of the wall clock).
* Optional fields are present but empty (``anggota:``, ``ketua:``,
  ``bubar:``), or empty lists (``usaha: []``, ``mitra: []``), which
  ``check`` reads as "not given".

Name and area: ``--nama``, ``--provinsi``, ``--kota``, ``--kecamatan`` and
``--kelurahan`` set them. What is not given is taken, in this order, from the
groups already in the same folder when they all agree (``kab-madiun/jiwan/``
groups share kota and kecamatan), from the id's folder names
(``kab-madiun`` -> "Kabupaten Madiun", ``jiwan`` -> "Jiwan"; the folders
stand for kota, kecamatan and kelurahan, in that order) and, for the
province, from all groups when they agree. What none of these tells (often
the kelurahan, when ids have only kota and kecamatan folders) must be given:
a scaffold never invents a place. The name defaults to the id's last part
(``ksm-maju`` -> "KSM Maju").

``--format yaml`` writes ``ID.yaml`` (data only) whose first line points
editors at the schema; the default is ``ID.md``. An existing group with this
id, in any of ``.md``, ``.yaml`` and ``.yml``, is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from ..content.files import GROUP_FORMATS, group_files, group_id_problem, parse_document, write_content_file
from ..content.group import validate_group
from ..content.problems import Problem
from ..content.yamltext import WILAYAH_KEYS, assessment_lines, scalar
from ..domain.model import Group, Indicator, Rubric, Site
from ..site.schema import choices_text, indicator_description, schema_url

FORMATS = GROUP_FORMATS
LEVEL_NAMES = {"kota": "kota/kabupaten", "kecamatan": "kecamatan", "kelurahan": "kelurahan/desa"}


class ScaffoldError(Exception):
    """The arguments cannot make a valid new group (a usage error)."""


def title_of(slug: str) -> str:
    """A name from an id part: 'kab-madiun' -> 'Kabupaten Madiun', 'ksm-maju' -> 'KSM Maju'."""
    words = slug.split("-")
    special = {"kab": "Kabupaten", "ksm": "KSM"}
    return " ".join(special.get(w, w.capitalize()) for w in words)


def _agreed(groups: tuple[Group, ...], folders: list[str], key: str) -> str | None:
    """The value of wilayah ``key`` shared by every group under ``folders``, if there are any and they agree."""
    values = {getattr(g.wilayah, key) for g in groups if g.id.split("/")[:-1][:len(folders)] == folders}
    return values.pop() if len(values) == 1 else None


def identity_of(group_id: str, groups: tuple[Group, ...], given: dict[str, str | None]) -> dict[str, str]:
    """``nama`` and the four ``wilayah`` parts of a new group (see the module docstring)."""
    folders = group_id.split("/")[:-1]
    found = {"nama": given.get("nama") or title_of(group_id.split("/")[-1])}
    for depth, key in enumerate(("kota", "kecamatan", "kelurahan"), start=1):
        value = given.get(key)
        if value is None and len(folders) >= depth:
            value = _agreed(groups, folders[:depth], key) or title_of(folders[depth - 1])
        if value is not None:
            found[key] = value
    provinsi = given.get("provinsi")
    if provinsi is None and folders:
        provinsi = _agreed(groups, folders[:1], "provinsi")
    if provinsi is None:
        provinsi = _agreed(groups, [], "provinsi")
    if provinsi is not None:
        found["provinsi"] = provinsi
    missing = [key for key in WILAYAH_KEYS if key not in found]
    if missing:
        raise ScaffoldError(
            "cannot tell the group's " + " and ".join(LEVEL_NAMES.get(k, k) for k in missing)
            + " from its id or from the groups next to it; give "
            + " ".join(f"--{k} NAME" for k in missing))
    return found


def scaffold_text(group_id: str, jenis: str, rubric: Rubric, site: Site, today: dt.date, fmt: str,
                  identity: dict[str, str]) -> str:
    """The new file's text: a valid group with every field explained."""
    jenis_name = next(j.name.id for j in rubric.jenis if j.key == jenis)
    applicable = rubric.applicable(jenis)
    lines = []
    if fmt == "yaml":
        lines.append(f"# yaml-language-server: $schema={schema_url(site)}")
    else:
        lines.append("---")
    lines += [
        f"# KSM baru ({group_id}), dibuat dengan `python build.py new`.",
        "# Baris yang diawali '#' hanya keterangan. Ganti nilai di kanan tanda ':' lalu periksa",
        "# dengan `python build.py check` (atau lihat hasil pemeriksaan di pull request).",
        "# Teks yang bisa terbaca sebagai angka, tanggal, atau ya/tidak ditulis dalam tanda kutip,",
        "# mis. ketua: \"1945\" atau kelurahan: \"Yes\".",
        "",
        "# Nama kelompok (wajib, satu baris).",
        f"nama: {scalar(identity['nama'])}",
        f"# Jenis KSM (wajib): {choices_text(rubric.jenis)}.",
        "# Jenis menentukan indikator yang dinilai; lihat contoh penilaian di bawah.",
        f"jenis: {jenis}",
        "# Wilayah kelompok (wajib, keempatnya).",
        "wilayah:",
        f"  provinsi: {scalar(identity['provinsi'])}",
        f"  kota: {scalar(identity['kota'])}  # kota atau kabupaten",
        f"  kecamatan: {scalar(identity['kecamatan'])}",
        f"  kelurahan: {scalar(identity['kelurahan'])}  # kelurahan atau desa",
        "# Tanggal kelompok dibentuk (wajib, TTTT-BB-HH, tidak di masa depan).",
        "# Terisi tanggal berkas ini dibuat: ganti dengan tanggal pembentukan yang sebenarnya.",
        f"dibentuk: {today.isoformat()}",
        "# Jumlah anggota: bilangan bulat 1 atau lebih, mis. anggota: 10 (boleh kosong).",
        "anggota:",
        "# Nama ketua kelompok, mis. ketua: Siti Aminah (boleh kosong).",
        "ketua:",
        "# Usaha anggota, mis. usaha: [warung, jahit, ternak] (boleh kosong).",
        "usaha: []",
        "# Kemitraan dengan pihak luar (boleh kosong), satu baris per mitra, mis.",
        "#   mitra:",
        "#     - {nama: Koperasi Sejahtera, bentuk: modal, sejak: 2019-02-01}",
        f"# bentuk: {choices_text(rubric.partner_kinds)}. sejak: tanggal mulai (boleh tidak ditulis).",
        "mitra: []",
        "# Tanggal kelompok bubar (TTTT-BB-HH). Biarkan kosong selama kelompok masih aktif.",
        "bubar:",
        "",
        "# Penilaian kelompok, urutan bebas. Belum ada penilaian:",
        "penilaian: []",
        "# Untuk mengisi penilaian pertama: hapus baris 'penilaian: []' di atas, hapus tanda '# '",
        "# di awal setiap baris contoh di bawah ini, lalu isi nilainya. Satu tanggal hanya sekali",
        "# per kelompok, tidak sebelum 'dibentuk', tidak di masa depan.",
        f"# Indikator untuk jenis {jenis} ({jenis_name}): semuanya wajib diisi, indikator lain tidak boleh.",
        "# penilaian:",
    ]
    lines += [f"# {line}" for line in _example_assessment(rubric, applicable, today)]
    if fmt == "yaml":
        lines.append("# Berkas .yaml hanya berisi data; untuk cerita kelompok, gunakan berkas .md.")
    else:
        lines.append("# Cerita kelompok (Markdown) ditulis di bawah garis '---' berikut.")
        lines.append("---")
    return "\n".join(lines) + "\n"


def _example_assessment(rubric: Rubric, applicable: tuple[Indicator, ...], today: dt.date) -> list[str]:
    """The example assessment's lines (to be commented out), each indicator under its description."""
    item = {
        "tanggal": today,
        "penilai": None,
        "indikator": {i.key: Decimal(0) if i.banded else 0 for i in applicable},
        "aset": {a.key: 0 for a in rubric.assets},
        "catatan": None,
    }
    comments = {"tanggal": "tanggal penilaian, TTTT-BB-HH", "penilai": "nama fasilitator yang menilai",
                "catatan": "catatan penilaian (Markdown, boleh kosong)"}
    above = {i.key: indicator_description(i) for i in applicable}
    above["aset"] = (f"Pentagonal aset (boleh tidak ditulis; bila ditulis, kelimanya), 0..{rubric.asset_max}: "
                     f"{choices_text(rubric.assets)}.")
    lines = []
    for line in assessment_lines(item, comments=comments):
        if line.key in above:
            indent = line.text[:len(line.text) - len(line.text.lstrip())]
            lines.append(f"{indent}# {above[line.key]}")
        lines.append(line.text)
    return lines


def scaffold_path(content_dir: str, group_id: str, fmt: str) -> str:
    return os.path.join(content_dir, "groups", *group_id.split("/")) + "." + fmt


def make_scaffold(content_dir: str, group_id: str, jenis: str, fmt: str, rubric: Rubric, site: Site,
                  groups: tuple[Group, ...], given: dict[str, str | None], today: dt.date) -> tuple[str, str]:
    """``(path, text)`` of a new group file; ``ScaffoldError`` if the arguments cannot make one.

    The text is checked exactly as ``check`` reads it before it is returned.
    """
    problem = group_id_problem(group_id)
    if problem:
        raise ScaffoldError(problem)
    if fmt not in FORMATS:
        raise ScaffoldError(f"unknown format '{fmt}': use " + " or ".join(FORMATS))
    jenis_keys = [j.key for j in rubric.jenis]
    if jenis not in jenis_keys:
        raise ScaffoldError(f"unknown jenis '{jenis}': use one of " + ", ".join(jenis_keys))
    existing = group_files(content_dir, group_id)
    if existing:
        raise ScaffoldError(f"group '{group_id}' already exists: {existing[0]}; it is never overwritten")
    path = scaffold_path(content_dir, group_id, fmt)
    text = scaffold_text(group_id, jenis, rubric, site, today, fmt, identity_of(group_id, groups, given))
    problems: list[Problem] = []
    doc = parse_document(path, group_id, text, problems)
    if not problems:
        problems = validate_group(doc, rubric, today)[1]
    if problems:
        raise ScaffoldError("the new group would not pass check:\n" + "\n".join(
            f"  {p.field}: {p.message}" + (f" ({p.hint})" if p.hint else "") for p in problems))
    return path, text


def write_scaffold(path: str, text: str) -> None:
    """Write the new file; ``FileExistsError`` if a file of that name appeared meanwhile."""
    write_content_file(path, text.encode(), replace=False)

