"""`new ID --jenis JENIS`: a scaffold that passes check as it is, and never overwrites a group."""

from __future__ import annotations

import datetime as dt

import pytest

from ksm_site.commands.cli import main
from ksm_site.commands.new import ScaffoldError, identity_of, title_of

from conftest import VALID_GROUP, make_group, write_content

JENIS = ("pinjaman-bergulir", "infrastruktur", "sosial")
PLACE = ["--provinsi", "Jawa Timur", "--kelurahan", "Teguhan"]


def uncommented_example(text: str) -> str:
    """The scaffold with its example assessment switched on, as the comments tell a facilitator to."""
    lines = text.split("\n")
    start = lines.index("# penilaian:")
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("#  ") and i > start)
    example = [line[2:] for line in lines[start:end]]
    lines = lines[:start] + example + lines[end:]
    lines.remove("penilaian: []")
    return "\n".join(lines)


@pytest.mark.parametrize("fmt", ["md", "yaml"])
@pytest.mark.parametrize("jenis", JENIS)
def test_scaffold_passes_check_as_written_and_with_its_example(tmp_path, capsys, jenis, fmt):
    content = write_content(tmp_path, {})
    assert main(["new", "kab-madiun/jiwan/ksm-maju", "--jenis", jenis, "--content", str(content),
                 "--format", fmt, *PLACE]) == 0
    path = content / f"groups/kab-madiun/jiwan/ksm-maju.{fmt}"
    assert f"Wrote {path}" in capsys.readouterr().err
    assert main(["check", "--content", str(content)]) == 0
    text = path.read_text()
    assert "nama: KSM Maju\n" in text and f"jenis: {jenis}\n" in text
    assert "  kota: Kabupaten Madiun  # kota atau kabupaten\n" in text and "  kelurahan: Teguhan" in text
    assert f"dibentuk: {dt.date.today().isoformat()}\n" in text
    for field in ("anggota:", "ketua:", "usaha: []", "mitra: []", "bubar:", "penilaian: []"):
        assert f"\n{field}\n" in text, field
    assert ("pengembalian_pinjaman: 0%" in text) == (jenis == "pinjaman-bergulir")
    assert "#       # Aturan main kelompok: Apakah kelompok punya aturan main yang disepakati? Level: 0 = " in text
    if fmt == "yaml":
        assert text.split("\n")[0] == "# yaml-language-server: $schema=https://ksm-site.github.io/ksm-site/schema/kelompok.json"
    else:
        assert text.startswith("---\n") and text.endswith("\n---\n")
    path.write_text(uncommented_example(text))
    assert main(["check", "--content", str(content)]) == 0, capsys.readouterr().err
    assert "      kehadiran: 0%\n" in path.read_text()


@pytest.mark.parametrize("existing", ["ksm-maju.md", "ksm-maju.yaml", "ksm-maju.yml"])
def test_refuses_to_overwrite_an_existing_group(tmp_path, capsys, existing):
    content = write_content(tmp_path, {f"groups/kab-madiun/jiwan/{existing}": VALID_GROUP})
    before = (content / "groups/kab-madiun/jiwan" / existing).read_bytes()
    assert main(["new", "kab-madiun/jiwan/ksm-maju", "--jenis", "sosial", "--content", str(content), *PLACE]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (content / "groups/kab-madiun/jiwan" / existing).read_bytes() == before
    assert sorted(p.name for p in (content / "groups/kab-madiun/jiwan").iterdir()) == [existing]


@pytest.mark.parametrize("args, words", [
    (["kab-madiun/Jiwan/ksm-maju", "--jenis", "sosial"], "'Jiwan' is not allowed in a group id"),
    (["kab-madiun/jiwan/ksm_maju", "--jenis", "sosial"], "'ksm_maju' is not allowed"),
    (["kab-madiun/jiwan/ksm-maju", "--jenis", "arisan"], "unknown jenis 'arisan': use one of pinjaman-bergulir"),
    (["kab-madiun/jiwan/ksm-maju", "--jenis", "sosial", "--kelurahan", "Teguhan"], "give --provinsi NAME"),
    (["kab-madiun/jiwan/ksm-maju", "--jenis", "sosial", "--provinsi", "Jawa Timur"], "give --kelurahan NAME"),
    (["ksm-maju", "--jenis", "sosial", "--provinsi", "Jawa Timur", "--kelurahan", "Teguhan"], "--kota NAME --kecamatan NAME"),
    (["a/b/ksm-c", "--jenis", "sosial", "--provinsi", "Jawa Timur", "--kelurahan", "Te\u200bguhan"], "U+200B"),
])
def test_usage_errors_write_nothing(tmp_path, capsys, args, words):
    content = write_content(tmp_path, {})
    assert main(["new", *args, "--content", str(content)]) == 2
    assert words in capsys.readouterr().err
    assert list((content / "groups").iterdir()) == []


def test_area_comes_from_the_groups_next_to_it(rubric):
    groups = (make_group(rubric, group_id="kab-madiun/jiwan/ksm-a"), make_group(rubric, group_id="kab-madiun/jiwan/ksm-b"))
    # make_group places every group in Jawa Timur / Kota Madiun / Taman / Pandean: the neighbours'
    # data wins over the folder names, and the kelurahan is never guessed from them.
    found = identity_of("kab-madiun/jiwan/teguhan/ksm-baru", groups, {"nama": "KSM Baru Jaya"})
    assert found == {"nama": "KSM Baru Jaya", "kota": "Kota Madiun", "kecamatan": "Taman",
                     "kelurahan": "Teguhan", "provinsi": "Jawa Timur"}
    with pytest.raises(ScaffoldError, match="kelurahan"):
        identity_of("kab-madiun/jiwan/ksm-baru", groups, {})
    other = identity_of("kota-madiun/taman/x/ksm-baru", groups, {})
    assert other["kota"] == "Kota Madiun" and other["kecamatan"] == "Taman" and other["kelurahan"] == "X"


def test_names_from_id_parts():
    assert title_of("kab-madiun") == "Kabupaten Madiun"
    assert title_of("ksm-maju-bersama") == "KSM Maju Bersama"
    assert title_of("nambangan-kidul") == "Nambangan Kidul"
