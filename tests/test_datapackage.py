"""``data/datapackage.json`` describes the data files so that a data tool reads them without guessing, and
the ``frictionless`` package, which such tools use, finds the files as the package says they are."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil

import jsonschema
import pytest
from frictionless import validate

from ksm_site.content.read import read_content
from ksm_site.domain.model import Indicator, Text
from ksm_site.engine.build import build
from ksm_site.site.data import GROUPS_HEADER, assessments_header
from ksm_site.site.datapackage import make_datapackage

from conftest import CONTENT, TODAY


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "out"
    build(str(CONTENT), str(out), TODAY, jobs=1)
    return out / "data"


def resources(folder) -> dict[str, dict]:
    package = json.loads((folder / "datapackage.json").read_text())
    return {r["name"]: r for r in package["resources"]}


def test_the_package_and_its_csv_files_are_valid(data):
    report = validate(str(data / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "type", "note", "rowNumber", "fieldName"])
    assert [task.place for task in report.tasks] == ["groups.csv", "penilaian.csv", "groups.json"]
    assert report.tasks[1].stats["rows"] > 100  # the sample's assessments were read, not an empty file


def test_every_column_has_a_type_and_a_meaning_in_both_languages(data):
    found = resources(data)
    checked = read_content(str(CONTENT), TODAY)
    assert [f["name"] for f in found["groups"]["schema"]["fields"]] == GROUPS_HEADER
    assert [f["name"] for f in found["penilaian"]["schema"]["fields"]] == assessments_header(checked.rubric)
    for resource in ("groups", "penilaian"):
        for f in found[resource]["schema"]["fields"]:
            assert f["type"] in ("string", "integer", "number", "date"), f
            for text in ("title", "description", "judul", "deskripsi"):
                assert f.get(text, "").strip(), (resource, f["name"], text)
            assert f["description"] != f["deskripsi"], f  # two languages, not one text twice
    fields = {f["name"]: f for f in found["penilaian"]["schema"]["fields"]}
    assert fields["skor"]["unit"] == "percent" and fields["kehadiran_persen"]["unit"] == "percent"
    assert fields["poin"]["unit"] == "points" and fields["tanggal"]["type"] == "date"
    assert fields["pertemuan_rutin"]["constraints"] == {"minimum": 0, "maximum": 3}
    assert "Pertemuan rutin" in fields["pertemuan_rutin"]["judul"]
    assert "Routine meetings" in fields["pertemuan_rutin"]["title"]
    assert "pinjaman" in fields["pengembalian_pinjaman"]["deskripsi"].lower()  # applies to one type only: said
    assert found["penilaian"]["schema"]["foreignKeys"][0]["reference"] == {"resource": "groups", "fields": ["id"]}


def test_the_columns_of_indicators_and_assets_come_from_the_rubric():
    checked = read_content(str(CONTENT), TODAY)
    rubric = checked.rubric
    extra = Indicator("pengelolaan_sampah", Text("Pengelolaan sampah", "Waste management"),
                      Text("Apakah sampah dipilah?", "Is waste sorted?"),
                      (Text("Tidak", "No"), Text("Kadang", "Sometimes"), Text("Selalu", "Always")),
                      Text("Latih pemilahan.", "Train sorting."), frozenset({"sosial"}))
    changed = dataclasses.replace(rubric, indicators=(*rubric.indicators, extra))
    fields = {f["name"]: f for r in make_datapackage(changed, checked.site)["resources"] if r["type"] == "table"
              for f in r["schema"]["fields"]}
    assert fields["pengelolaan_sampah"]["title"] == "Waste management"
    assert fields["pengelolaan_sampah"]["constraints"] == {"minimum": 0, "maximum": 2}
    assert "Selalu" in fields["pengelolaan_sampah"]["deskripsi"] and "Always" in fields["pengelolaan_sampah"]["description"]
    assert "pengelolaan_sampah" not in {f["name"] for f in make_datapackage(rubric, checked.site)["resources"][1]["schema"]["fields"]}


def test_a_file_that_breaks_what_the_package_says_is_found(data, tmp_path):
    """The constraints are real: a level the rubric does not have, and a score over 100, are errors."""
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    rows = list(csv.reader(io.StringIO((copy / "penilaian.csv").read_text(encoding="utf-8"))))
    rows[1][rows[0].index("pertemuan_rutin")] = "7"
    rows[2][rows[0].index("skor")] = "100.1"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    (copy / "penilaian.csv").write_text(out.getvalue(), encoding="utf-8", newline="")
    report = validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert sorted(report.flatten(["type", "fieldName", "rowNumber"])) == [
        ["constraint-error", "pertemuan_rutin", 2], ["constraint-error", "skor", 3]]


def test_groups_json_has_the_shape_its_json_schema_says(data):
    schema = resources(data)["groups-json"]["jsonSchema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    groups = json.loads((data / "groups.json").read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(groups)
    groups["groups"][0]["tahap"] = "mekar"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(groups)
