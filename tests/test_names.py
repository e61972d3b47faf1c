"""``nama_orang: sembunyikan`` in site.yaml keeps people's names (``ketua``, ``penilai``) off everything a
build publishes: pages, search index, data files and spreadsheets (UU 27/2022, Indonesia's personal data
law). Left out or ``tampilkan``, they are published as before."""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import pytest

from ksm_site.content.read import check
from ksm_site.engine.build import build

from conftest import TODAY, VALID_GROUP, files_under, write_content

GROUP = "groups/kota-madiun/taman/ksm-uji-coba.md"
CHAIR, ASSESSOR = "Wahyuningsih Rahmawati", "Bambang Sukmajaya"
WORDS = ("wahyuningsih", "rahmawati", "sukmajaya")
"""The names' words, as the search index keeps them (lower case); none is a word of anything else."""

SHEET = "wilayah/kota-madiun/taman/pandean/kelompok-kota-madiun-taman-pandean.xlsx"
NAMED = (VALID_GROUP.replace("ketua: Siti Aminah", f"ketua: {CHAIR}").replace("penilai: Ahmad", f"penilai: {ASSESSOR}")
         .replace("pengembalian_pinjaman: 95%", "pengembalian_pinjaman: 80%"))
"""The test group, with its people named, warned for low repayment: on the attention list, with its assessor."""


def content_with(tmp_path, setting: str | None):
    """The test group in a content folder whose site.yaml says ``nama_orang: <setting>``, or nothing (None)."""
    content = write_content(tmp_path, {GROUP: NAMED})
    site = content / "site.yaml"
    lines = [line for line in site.read_text().splitlines() if not line.startswith("nama_orang:")]
    site.write_text("\n".join(lines + ([f"nama_orang: {setting}"] if setting is not None else [])) + "\n")
    return content


def readable(data: bytes) -> bytes:
    """A file's text as a reader of it gets it: a compressed search index unpacked, a workbook's parts read."""
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return b"\n".join(z.read(name) for name in z.namelist())
    return data


def published(tmp_path, setting: str | None) -> dict[str, bytes]:
    out = tmp_path / "out"
    build(str(content_with(tmp_path, setting)), str(out), TODAY, jobs=1)
    return {path: readable(data).lower() for path, data in files_under(out).items()}


def holding(files: dict[str, bytes], word: str) -> list[str]:
    return sorted(path for path, data in files.items() if word.encode() in data)


def test_hidden_names_are_in_no_published_file(tmp_path):
    files = published(tmp_path, "sembunyikan")
    assert any(path.startswith("pagefind/") for path in files) and "data/penilaian.csv" in files
    assert {word: holding(files, word) for word in WORDS} == {word: [] for word in WORDS}
    assert SHEET in files and b">ketua<" not in files[SHEET] and b">penilai<" not in files[SHEET]  # no empty columns
    assert b"ksm uji coba" in files["kelompok/kota-madiun/taman/ksm-uji-coba/index.html"]  # the group is there
    assert b"ksm uji coba" in files["perlu-perhatian/index.html"]  # and on the attention list (low repayment)
    assert b'name="penilai"' not in files["perlu-perhatian/index.html"]  # with no assessor to filter by


@pytest.mark.parametrize("setting", [None, "tampilkan"])
def test_shown_names_are_published_as_before(tmp_path, setting):
    files = published(tmp_path, setting)
    page = "kelompok/kota-madiun/taman/ksm-uji-coba/index.html"
    chair, assessor = holding(files, "wahyuningsih"), holding(files, "sukmajaya")
    for path in (page, "en/" + page, "data/groups.csv", "data/kelompok.xlsx", SHEET):
        assert path in chair, path
    for path in (page, "data/penilaian.csv", "data/kelompok.xlsx", SHEET, "perlu-perhatian/index.html"):
        assert path in assessor, path
    assert any(path.startswith("pagefind/") for path in chair)  # the search finds a group by its chair


def test_the_data_package_says_why_the_columns_are_empty(tmp_path):
    files = published(tmp_path, "sembunyikan")
    package = json.loads(files["data/datapackage.json"])
    fields = {f["name"]: f for r in package["resources"] if r["type"] == "table" for f in r["schema"]["fields"]}
    assert "nama_orang: sembunyikan" in fields["ketua"]["description"]
    assert "nama_orang: sembunyikan" in fields["penilai"]["deskripsi"]
    groups = json.loads(files["data/groups.json"])["groups"]
    assert groups[0]["id"] == "kota-madiun/taman/ksm-uji-coba"  # groups.json carries no name to hide


@pytest.mark.parametrize("value, words", [
    ("sembunyi", ["'sembunyi' is not an allowed value", "did you mean 'sembunyikan'", "tampilkan ("]),
    ("no", ["yes/no", "sembunyikan"]),
    ("[sembunyikan]", ["is not an allowed value", "tampilkan", "sembunyikan"]),
])
def test_a_wrong_value_is_a_problem_that_names_the_values(tmp_path, value, words):
    content = content_with(tmp_path, value)
    last_line = len((content / "site.yaml").read_text().splitlines())
    problems = check(str(content), TODAY)
    assert [(p.path.endswith("site.yaml"), p.line, p.field) for p in problems] == [(True, last_line, "nama_orang")]
    text = problems[0].message + " " + problems[0].hint
    for word in words:
        assert word in text, (word, text)
