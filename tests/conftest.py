"""Shared helpers: the default rubric, groups built in memory, content trees in tmp_path."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from ksm_site.content.files import read_document
from ksm_site.content.settings import validate_rubric
from ksm_site.domain.model import Area, Assessment, Group, Rubric

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
TODAY = dt.date(2026, 1, 1)
"""The 'today' tests validate against: after every date in the fixtures."""


def load_rubric(path: Path = CONTENT / "rubric.yaml") -> Rubric:
    problems: list = []
    rubric, found = validate_rubric(read_document(str(path), "", problems))
    assert not problems and not found, problems + found
    return rubric


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric()


LOAN = "pinjaman-bergulir"
INDICATOR_DEFAULTS = {
    "pertemuan_rutin": 2, "kehadiran": Decimal(80), "agenda_pertemuan": 2, "tabungan_kelompok": 2,
    "aturan_main": 2, "pengembalian_pinjaman": Decimal(95), "pencatatan_keuangan": 2, "rekening_aman": 2,
    "kegiatan_pihak_luar": 2, "pembahasan_masalah_kritis": 2,
}
"""A valid value for every indicator; every one of them is level 2."""


def values(rubric: Rubric, jenis: str = LOAN, **overrides) -> dict:
    """Indicator values for one assessment: level 2 everywhere unless overridden."""
    result = {}
    for indicator in rubric.applicable(jenis):
        value = overrides.pop(indicator.key, INDICATOR_DEFAULTS[indicator.key])
        result[indicator.key] = Decimal(str(value)) if indicator.banded else value
    assert not overrides, f"not applicable to {jenis}: {overrides}"
    return result


def make_group(rubric: Rubric, *assessments: tuple[str, dict], jenis: str = LOAN,
               bubar: str | None = None, dibentuk: str = "2016-01-01", group_id: str = "kota/kec/ksm-a") -> Group:
    """A valid Group without going through files: ``assessments`` are (date, values) pairs."""
    items = tuple(sorted((Assessment(dt.date.fromisoformat(d), "", v, None, "", 0) for d, v in assessments),
                         key=lambda a: a.date))
    return Group(
        id=group_id, source=f"{group_id}.md", nama="KSM Uji", jenis=jenis,
        wilayah=Area("Jawa Timur", "Kota Madiun", "Taman", "Pandean"),
        dibentuk=dt.date.fromisoformat(dibentuk), anggota=10, ketua="", usaha=(), mitra=(),
        bubar=dt.date.fromisoformat(bubar) if bubar else None, assessments=items, story="",
    )


VALID_GROUP = """\
---
nama: KSM Uji Coba
jenis: pinjaman-bergulir
wilayah:
  provinsi: Jawa Timur
  kota: Kota Madiun
  kecamatan: Taman
  kelurahan: Pandean
dibentuk: 2017-03-12
anggota: 10
ketua: Siti Aminah
usaha: [warung, jahit]
mitra:
  - {nama: Koperasi Sejahtera, bentuk: modal, sejak: 2019-02-01}
penilaian:
  - tanggal: 2018-09-30
    penilai: Ahmad
    indikator:
      pertemuan_rutin: 2
      kehadiran: 72%
      agenda_pertemuan: 1
      tabungan_kelompok: 2
      aturan_main: 2
      pengembalian_pinjaman: 95%
      pencatatan_keuangan: 1
      rekening_aman: 1
      kegiatan_pihak_luar: 0
      pembahasan_masalah_kritis: 1
    aset: {manusia: 2, ekonomi: 2, infrastruktur: 1, alam: 1, sosial: 3}
    catatan: Pertemuan bulanan mulai rutin.
---
Cerita kelompok.
"""
"""A valid group file; line numbers in tests refer to it (line 1 is '---')."""


def write_content(root: Path, files: dict[str, str | bytes], settings: bool = True) -> Path:
    """A content folder under ``root``: the default rubric and site settings plus ``files``.

    Keys are paths relative to the content folder (``groups/a/b.md``); values
    are text (dedented) or bytes (written as they are).
    """
    content = root / "content"
    (content / "groups").mkdir(parents=True, exist_ok=True)
    if settings:
        shutil.copy(CONTENT / "rubric.yaml", content / "rubric.yaml")
        shutil.copy(CONTENT / "site.yaml", content / "site.yaml")
    for relpath, data in files.items():
        path = content / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data), encoding="utf-8")
    return content


def files_under(folder) -> dict[str, bytes]:
    """Every file under ``folder`` as ``{relative path: bytes}``: to show that nothing changed."""
    result = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                result[os.path.relpath(path, folder)] = f.read()
    return result
