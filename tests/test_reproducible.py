"""Reproducible: the same content builds the same bytes whatever the job count, time zone,
locale, hash seed or day of the build.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ksm_site.content.read import check
from ksm_site.engine.build import build
from ksm_site.engine.tuning import Tuning
from ksm_site.content.problems import ContentError

from conftest import ROOT, TODAY, VALID_GROUP, write_content

JENIS = ("pinjaman-bergulir", "infrastruktur", "sosial")
NAMES = ("Maju Bersama", "Ṡejahtera", "Ümmü Mandiri", "Çahaya", "ayu lestari", "Bina Usaha", "Édelweiss", "Zamrud")


def group_file(n: int) -> str:
    """A valid, varied group: its type, area, dates, partners, dissolution and story depend on ``n``."""
    jenis = JENIS[n % 3]
    text = VALID_GROUP.replace("nama: KSM Uji Coba", f"nama: KSM {NAMES[n % len(NAMES)]} {n}")
    text = text.replace("jenis: pinjaman-bergulir", f"jenis: {jenis}")
    text = text.replace("kota: Kota Madiun", f"kota: {('Kota Madiun', 'Kabupaten Madiun', 'Kota Blitar')[n % 3]}")
    text = text.replace("kecamatan: Taman", f"kecamatan: {NAMES[(n // 3) % len(NAMES)]}")
    text = text.replace("kelurahan: Pandean", f"kelurahan: Desa {n % 11}")
    text = text.replace("kehadiran: 72%", f"kehadiran: {40 + n % 61}%")
    text = text.replace("tanggal: 2018-09-30", f"tanggal: 2018-{1 + n % 12:02}-{1 + n % 28:02}")
    text = text.replace("pertemuan_rutin: 2", f"pertemuan_rutin: {n % 4}")
    text = text.replace("aturan_main: 2", f"aturan_main: {(n // 4) % 4}")
    if jenis != "pinjaman-bergulir":
        text = text.replace("      pengembalian_pinjaman: 95%\n", "")
    if n % 7 == 0:
        text = text.replace("anggota: 10", "anggota: 10\nbubar: 2024-05-01")
    if n % 5 == 0:
        text = text.replace("mitra:\n  - {nama: Koperasi Sejahtera, bentuk: modal, sejak: 2019-02-01}\n", "")
    later = text[text.index("  - tanggal"):text.index("---\nCerita")].replace("tanggal: 2018-", "tanggal: 2021-")
    later = later.replace("kegiatan_pihak_luar: 0", f"kegiatan_pihak_luar: {n % 4}")
    return text.replace("---\nCerita kelompok.", later + f"---\nCerita kelompok *{n}*, [tautan](https://example.org/{n}).")


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    count = Tuning().pool_min + 10  # enough that --jobs 2 renders in a process pool
    files = {f"groups/area-{n % 9}/ksm-{n:03}.md": group_file(n) for n in range(count)}
    root = write_content(tmp_path_factory.mktemp("repro"), files)
    assert check(str(root), TODAY) == []
    return root


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


SETTINGS = {
    "serial, UTC, C.UTF-8, seed 0": (["--jobs", "1"], {"TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8",
                                                        "PYTHONHASHSEED": "0"}),
    "pool, UTC+14, en_US, seed 12345": (["--jobs", "2"], {"TZ": "Pacific/Kiritimati", "LC_ALL": "en_US.UTF-8",
                                                          "LANG": "en_US.UTF-8", "PYTHONHASHSEED": "12345"}),
    "pool, UTC-10, id_ID, C collation, random seed": (["--jobs", "3"], {
        "TZ": "Pacific/Honolulu", "LANG": "id_ID.UTF-8", "LC_COLLATE": "C", "LC_ALL": "", "PYTHONHASHSEED": "random"}),
}
"""Locales that are not installed still reach any code that reads LANG/LC_* itself (as Babel's default does)."""


@pytest.fixture(scope="module")
def builds(content, tmp_path_factory) -> dict[str, dict[str, bytes]]:
    out = tmp_path_factory.mktemp("builds")
    result = {}
    for name, (args, env) in SETTINGS.items():
        target = out / name.replace(" ", "_").replace(",", "")
        run = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(content),
                              "--out", str(target), *args],
                             capture_output=True, text=True, timeout=600,
                             env={**os.environ, "PYTHONPATH": str(ROOT), **env})
        assert run.returncode == 0, run.stderr
        result[name] = tree(target)
    return result


@pytest.mark.parametrize("name", list(SETTINGS)[1:])
def test_every_byte_is_the_same_under_other_settings(builds, name):
    reference = builds[list(SETTINGS)[0]]
    other = builds[name]
    assert sorted(other) == sorted(reference)
    differing = [path for path in reference if reference[path] != other[path]]
    assert differing == [], f"{len(differing)} files differ, e.g. {differing[:3]}"


def test_the_builds_are_whole_sites(builds, content):
    site = builds[list(SETTINGS)[0]]
    pages = [p for p in site if p.startswith("kelompok/") and p.endswith("index.html")]
    assert len(pages) == len(list((content / "groups").rglob("*.md")))


def test_the_day_of_the_build_decides_only_whether_it_passes(tmp_path):
    """``today`` only marks dates as in the future: a later day builds the same bytes, an earlier one fails."""
    content = write_content(tmp_path, {f"groups/a/ksm-{n}.md": group_file(n) for n in range(12)})
    build(str(content), str(tmp_path / "today"), TODAY, jobs=1)
    build(str(content), str(tmp_path / "later"), dt.date(2100, 1, 1), jobs=1)
    assert tree(tmp_path / "today") == tree(tmp_path / "later")
    with pytest.raises(ContentError) as exc:
        build(str(content), str(tmp_path / "earlier"), dt.date(2021, 1, 1), jobs=1)
    assert all("in the future" in p.message for p in exc.value.problems)
    assert not (tmp_path / "earlier").exists()
