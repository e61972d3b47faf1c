"""What the build gives the assessment form: the rubric as JSON, the link from a group page, and the
settings that name the repository (issue 25)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest
import yaml

from ksm_site.content.files import read_document
from ksm_site.content.settings import validate_site
from ksm_site.domain.model import Area, Assessment, Group, Partner
from ksm_site.domain.score import score_group
from ksm_site.site.form import form_fragment, rubric_json

from conftest import CONTENT, values


def test_the_rubric_json_is_rubric_yaml_as_written(rubric):
    """Every key and value of rubric.yaml, with the defaults check applies written out (``berlaku``: every
    jenis; ``syarat``: none) and the file's numbers as numbers."""
    written = yaml.safe_load((CONTENT / "rubric.yaml").read_text(encoding="utf-8"))
    published = json.loads(rubric_json(rubric))
    every_jenis = [j["kunci"] for j in written["jenis"]]
    for item in written["indikator"]:
        item.setdefault("berlaku", every_jenis)
    for item in written["tahap"]:
        item.setdefault("syarat", {})
    assert published == written


@pytest.mark.parametrize("setting, wanted", [
    ("", ("", "main")),
    ("repo: ksm-site/ksm-site\n", ("ksm-site/ksm-site", "main")),
    ("repo: Dinas-PU/ksm.data\ncabang: data/2025\n", ("Dinas-PU/ksm.data", "data/2025")),
])
def test_site_yaml_may_name_the_repository_and_its_branch(tmp_path, setting, wanted):
    base = (CONTENT / "site.yaml").read_text(encoding="utf-8").split("\n# Repositori")[0]
    path = tmp_path / "site.yaml"
    path.write_text(base.rstrip("\n") + "\n" + setting, encoding="utf-8")
    problems: list = []
    site, found = validate_site(read_document(str(path), "", problems))
    assert problems == [] and found == []
    assert (site.repo, site.branch) == wanted


@pytest.mark.parametrize("setting, field, message", [
    ("repo: ksm-site\n", "repo", "is not a GitHub repository"),
    ("repo: https://github.com/ksm-site/ksm-site\n", "repo", "is not a GitHub repository"),
    ("repo: a/b\ncabang: ../main\n", "cabang", "is not a branch name"),
    ("repo: a/b\ncabang: main.lock\n", "cabang", "is not a branch name"),
    ("cabang: main\n", "cabang", "names a branch of no repository"),
])
def test_a_wrong_repository_or_branch_is_a_problem_with_its_line(tmp_path, setting, field, message):
    base = (CONTENT / "site.yaml").read_text(encoding="utf-8").split("\n# Repositori")[0].rstrip("\n") + "\n"
    path = tmp_path / "site.yaml"
    path.write_text(base + setting, encoding="utf-8")
    problems: list = []
    site, found = validate_site(read_document(str(path), "", problems))
    assert site is None and [(p.field, p.line) for p in found] == [(field, base.count("\n") + setting.count("\n"))]
    assert message in found[0].message


def test_the_link_carries_the_group_and_its_latest_assessment(rubric):
    first = Assessment(dt.date(2020, 5, 1), "", values(rubric), None, "", 0)
    latest = Assessment(dt.date(2022, 5, 1), "Siti & Ani+1", values(rubric, kehadiran="72.5", aturan_main=3),
                        {"manusia": 1, "ekonomi": 2, "infrastruktur": 3, "alam": 4, "sosial": 5}, "catatan", 0)
    group = Group("kota/kec/ksm-a", "/anywhere/content/groups/kota/kec/ksm-a.yml", "KSM A&B #1", "pinjaman-bergulir",
                  Area("P", "K", "Kc", "Kl"), dt.date(2019, 1, 2), None, "", (), (Partner("X", "modal", None),),
                  dt.date(2023, 1, 1), (first, latest), "")
    fields = dict(parse_qsl(form_fragment(score_group(group, rubric, dt.date(2024, 1, 1)))))
    assert fields == {
        "id": "kota/kec/ksm-a", "nama": "KSM A&B #1", "jenis": "pinjaman-bergulir", "berkas": ".yml",
        "dibentuk": "2019-01-02", "bubar": "2023-01-01", "ada": "2020-05-01,2022-05-01", "tanggal": "2022-05-01",
        "penilai": "Siti & Ani+1", **{k: str(v) for k, v in latest.values.items()},
        "aset.manusia": "1", "aset.ekonomi": "2", "aset.infrastruktur": "3", "aset.alam": "4", "aset.sosial": "5"}
    assert fields["kehadiran"] == "72.5" and isinstance(latest.values["kehadiran"], Decimal)
