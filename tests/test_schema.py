"""The published JSON Schema accepts every valid group and refuses what `check` refuses."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
import yaml

from ksm_site.content.read import check
from ksm_site.content.read import read_content
from ksm_site.engine.build import build
from ksm_site.content.files import read_document
from ksm_site.site.schema import make_schema, schema_bytes
from ksm_site.content.settings import validate_site

from conftest import CONTENT, TODAY, VALID_GROUP, write_content

LOAN_LINE = "      pengembalian_pinjaman: 95%\n"


def for_jenis(jenis: str, text: str = VALID_GROUP) -> str:
    text = text.replace("jenis: pinjaman-bergulir", f"jenis: {jenis}")
    return text if jenis == "pinjaman-bergulir" else text.replace(LOAN_LINE, "")


VALID_SET = {
    "groups/kota-madiun/taman/ksm-pinjaman.md": VALID_GROUP,
    "groups/kota-madiun/taman/ksm-infrastruktur.md": for_jenis("infrastruktur"),
    "groups/kota-madiun/taman/ksm-sosial.md": for_jenis("sosial"),
    "groups/kota-madiun/taman/ksm-kosong.yaml": (
        "nama: KSM Kosong\njenis: sosial\n"
        "wilayah: {provinsi: Jawa Timur, kota: Kota Madiun, kecamatan: Taman, kelurahan: Pandean}\n"
        "dibentuk: '2020-01-05'\nanggota:\nketua:\nusaha:\nmitra: []\nbubar:\npenilaian:\n"),
    "groups/kota-madiun/taman/ksm-bubar.yml": for_jenis("infrastruktur").replace(
        "anggota: 10", "anggota: 10\nbubar: 2019-01-01").replace("kehadiran: 72%", "kehadiran: 72,5 %").replace(
        "aset: {manusia: 2, ekonomi: 2, infrastruktur: 1, alam: 1, sosial: 3}", "aset:").replace(
        "mitra:\n  - {nama: Koperasi Sejahtera, bentuk: modal, sejak: 2019-02-01}",
        "mitra:\n  - {nama: Koperasi Sejahtera, bentuk: pemasaran}").split("---\n")[1],
    "groups/kota-madiun/taman/ksm-penuh.md": VALID_GROUP.replace("kehadiran: 72%", "kehadiran: 100.0%").replace(
        "pengembalian_pinjaman: 95%", "pengembalian_pinjaman: 0%").replace(
        "catatan: Pertemuan bulanan mulai rutin.", "catatan: |\n      Baris satu.\n\n      Baris dua."),
}


def as_editor_sees(value):
    """YAML data as yaml-language-server hands it to the schema: dates are the text written."""
    if isinstance(value, dict):
        return {k: as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def data_of(text: str, path: str) -> dict:
    yaml_text = text.split("---\n")[1] if path.endswith(".md") else text
    return as_editor_sees(yaml.safe_load(yaml_text))


@pytest.fixture(scope="module")
def validator(rubric):
    problems: list = []
    site, found = validate_site(read_document(str(CONTENT / "site.yaml"), "", problems))
    schema = make_schema(rubric, site)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_the_valid_set_is_valid_for_check(tmp_path):
    assert check(str(write_content(tmp_path, VALID_SET)), TODAY) == []


@pytest.mark.parametrize("path", sorted(VALID_SET))
def test_schema_accepts_every_valid_group(validator, path):
    errors = [e.message for e in validator.iter_errors(data_of(VALID_SET[path], path))]
    assert errors == []


# (case, jenis, old, new, words of the schema's error)
BROKEN = [
    ("unknown key", "pinjaman-bergulir", "ketua: Siti Aminah", "ketuaa: Siti Aminah", "'ketuaa' was unexpected"),
    ("unknown indicator", "sosial", "agenda_pertemuan: 1", "agenda: 1", "'agenda' was unexpected"),
    ("wrong jenis", "pinjaman-bergulir", "jenis: pinjaman-bergulir", "jenis: pinjaman", "is not one of"),
    ("wrong partner kind", "sosial", "bentuk: modal", "bentuk: uang", "is not one of"),
    ("level 4", "infrastruktur", "agenda_pertemuan: 1", "agenda_pertemuan: 4", "is not one of"),
    ("level as text", "sosial", "agenda_pertemuan: 1", "agenda_pertemuan: '1'", "is not of type 'integer'"),
    ("missing indicator", "infrastruktur", "      agenda_pertemuan: 1\n", "", "'agenda_pertemuan' is a required property"),
    ("loan indicator on infrastructure", "infrastruktur", "      aturan_main: 2\n",
     "      aturan_main: 2\n      pengembalian_pinjaman: 95%\n", "'pengembalian_pinjaman' was unexpected"),
    ("missing loan indicator", "pinjaman-bergulir", LOAN_LINE, "", "'pengembalian_pinjaman' is a required property"),
    ("percentage without %", "sosial", "kehadiran: 72%", "kehadiran: 72", "is not of type 'string'"),
    ("percentage over 100", "sosial", "kehadiran: 72%", "kehadiran: 100.5%", "does not match"),
    ("missing required key", "sosial", "nama: KSM Uji Coba\n", "", "'nama' is a required property"),
    ("required key empty", "sosial", "nama: KSM Uji Coba", "nama:", "None is not of type 'string'"),
    ("missing wilayah part", "sosial", "  kelurahan: Pandean\n", "", "'kelurahan' is a required property"),
    ("date with a time", "sosial", "dibentuk: 2017-03-12", "dibentuk: '2017-03-12 10:00'", "does not match"),
    ("impossible date", "sosial", "dibentuk: 2017-03-12", "dibentuk: '2017-02-30'", "is not a 'date'"),
    ("asset missing", "sosial", "aset: {manusia: 2, ", "aset: {", "'manusia' is a required property"),
    ("asset out of range", "sosial", "aset: {manusia: 2,", "aset: {manusia: 6,", "is not one of"),
    ("members zero", "sosial", "anggota: 10", "anggota: 0", "less than the minimum"),
    ("name on two lines", "sosial", "nama: KSM Uji Coba", 'nama: "KSM Uji\\nCoba"', "does not match"),
    ("assessment without indicators", "sosial", "    indikator:\n", "    indikatorx:\n", "'indikatorx' was unexpected"),
]


@pytest.mark.parametrize("case, jenis, old, new, words", BROKEN, ids=[c[0] for c in BROKEN])
def test_schema_refuses_what_check_refuses(validator, tmp_path, case, jenis, old, new, words):
    text = for_jenis(jenis)
    assert old in text, old
    text = text.replace(old, new, 1)
    path = "groups/kota-madiun/taman/ksm-uji-coba.md"
    assert check(str(write_content(tmp_path, {path: text})), TODAY) != []  # check refuses it too
    errors = " | ".join(e.message for e in validator.iter_errors(data_of(text, path)))
    assert words in errors


def test_indicator_descriptions_carry_the_rubric_texts(rubric, validator):
    definitions = validator.schema["definitions"]
    kehadiran = definitions["indikator-kehadiran"]["description"]
    assert kehadiran.startswith("Kehadiran anggota: Berapa persen anggota yang hadir dalam pertemuan?")
    assert "75% atau lebih = level 2" in kehadiran
    rutin = definitions["indikator-pertemuan_rutin"]
    assert rutin["enum"] == [0, 1, 2, 3]
    assert "0 = Tidak ada pertemuan; 1 = Pertemuan tidak teratur" in rutin["description"]
    jenis = validator.schema["properties"]["jenis"]
    assert jenis["enum"] == ["pinjaman-bergulir", "infrastruktur", "sosial"]
    assert "pinjaman-bergulir = Pinjaman bergulir" in jenis["description"]


def test_every_build_publishes_the_schema(tmp_path):
    content = write_content(tmp_path, {"groups/a/ksm-a.md": VALID_GROUP})
    build(str(content), str(tmp_path / "out"), TODAY)
    published = (tmp_path / "out/schema/kelompok.json").read_bytes()
    checked = read_content(str(content), TODAY)
    assert published == schema_bytes(checked.rubric, checked.site)
    assert json.loads(published)["$id"] == "https://ksm-site.github.io/ksm-site/schema/kelompok.json"
