"""`diff REV_A [REV_B]`: stage changes between git revisions, as Markdown, on temporary repositories."""

from __future__ import annotations

import subprocess

import pytest

from ksm_site.commands.cli import main

from conftest import VALID_GROUP, write_content

GROUP = "groups/kota-madiun/taman/ksm-uji-coba.md"
SECOND = """\
  - tanggal: 2019-10-30
    indikator:
      pertemuan_rutin: 3
      kehadiran: 92%
      agenda_pertemuan: 3
      tabungan_kelompok: 3
      aturan_main: 3
      pengembalian_pinjaman: 98%
      pencatatan_keuangan: 2
      rekening_aman: 2
      kegiatan_pihak_luar: 2
      pembahasan_masalah_kritis: 2
---
"""
"""An assessment that takes KSM Uji Coba from Tunas (43.3) to Kembang (86.7)."""


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "test@example.org")
    git(repo, "config", "user.name", "Test")
    write_content(repo, {GROUP: VALID_GROUP, "groups/kota-madiun/taman/ksm-lama.md": VALID_GROUP.replace(
        "KSM Uji Coba", "KSM Lama")})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "content")
    monkeypatch.chdir(repo)
    return repo


def commit(repo, message="change"):
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def diff(capsys, *args) -> str:
    assert main(["diff", *args]) == 0
    return capsys.readouterr().out


def test_names_a_stage_change_between_two_revisions(repo, capsys):
    group = repo / "content" / GROUP
    group.write_text(VALID_GROUP.replace("---\nCerita", SECOND + "Cerita"))
    commit(repo)
    out = diff(capsys, "HEAD~1", "HEAD")
    assert out.startswith("## Perubahan KSM: `HEAD~1` → `HEAD`\n")
    assert "### Naik tahap (1)\n\n- KSM Uji Coba: Tunas → Kembang (kota-madiun/taman/ksm-uji-coba)\n" in out
    assert "- KSM Uji Coba: 43,3 → 86,7 (+43,4) (kota-madiun/taman/ksm-uji-coba)" in out
    # the new latest date moves the as-of date: the untouched group's assessment is now more than a year old
    assert "### Peringatan baru (1)\n\n- KSM Lama: Penilaian sudah lama (kota-madiun/taman/ksm-lama)\n" in out
    assert "Turun tahap" not in out


def test_working_tree_is_the_default_second_side_and_is_left_alone(repo, capsys):
    (repo / "content" / "groups/kota-madiun/taman/ksm-lama.md").unlink()
    (repo / "content" / "groups/a").mkdir()
    (repo / "content" / "groups/a/ksm-baru.md").write_text(VALID_GROUP.replace("KSM Uji Coba", "KSM Baru"))
    group = repo / "content" / GROUP
    group.write_text(VALID_GROUP.replace("anggota: 10", "anggota: 10\nbubar: 2019-06-01"))  # after its partnership (2019-02-01)
    status = git(repo, "status", "--porcelain")
    out = diff(capsys, "HEAD")
    assert out.startswith("## Perubahan KSM: `HEAD` → folder kerja\n")
    assert "### Kelompok baru (1)\n\n- KSM Baru: Tunas (a/ksm-baru)\n" in out
    assert "### Kelompok dihapus (1)\n\n- KSM Lama: Tunas (kota-madiun/taman/ksm-lama)\n" in out
    assert "### Bubar (1)\n\n- KSM Uji Coba: Tunas → Bubar (kota-madiun/taman/ksm-uji-coba)\n" in out
    assert git(repo, "status", "--porcelain") == status


def test_says_so_when_nothing_changed(repo, capsys):
    (repo / "README").write_text("not content\n")
    commit(repo)
    out = diff(capsys, "HEAD~1", "HEAD")
    assert out == ("## Perubahan KSM: `HEAD~1` → `HEAD`\n\nTidak ada kelompok yang ditambah atau dihapus, "
                   "tidak ada perubahan tahap, skor (5 poin atau lebih), atau peringatan baru.\n")


def test_content_errors_are_reported_and_the_rest_compared(repo, capsys):
    (repo / "content" / GROUP).write_text(VALID_GROUP.replace("anggota: 10", "anggota: nol"))
    (repo / "content" / "groups/kota-madiun/taman/ksm-lama.md").write_text(
        VALID_GROUP.replace("KSM Uji Coba", "KSM Lama").replace("agenda_pertemuan: 1", "agenda_pertemuan: 3"))
    commit(repo)
    out = diff(capsys, "HEAD~1", "HEAD")
    assert "> ⚠️ Konten di `HEAD` punya 1 masalah; kelompok yang berkasnya bermasalah tidak ikut dibandingkan." in out
    assert "- content/groups/kota-madiun/taman/ksm-uji-coba.md:10: anggota: 'nol' is not a whole number" in out
    assert "Kelompok dihapus" not in out  # the broken group is not taken for a removed one
    assert "- KSM Lama: 43,3 → 50,0 (+6,7) (kota-madiun/taman/ksm-lama)" in out


def test_content_folder_option_and_a_revision_without_content(repo, capsys):
    git(repo, "mv", "content", "data")
    commit(repo)
    out = diff(capsys, "HEAD~1", "HEAD", "--content", "data")
    assert "Di `HEAD~1` belum ada folder konten" in out
    assert "### Kelompok baru (2)" in out


def test_unknown_revision_and_no_repository_are_usage_errors(repo, tmp_path, capsys, monkeypatch):
    assert main(["diff", "no-such-branch"]) == 2
    assert "unknown revision 'no-such-branch'" in capsys.readouterr().err
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.chdir(outside)
    assert main(["diff", "HEAD"]) == 2
    assert "is not inside a git repository" in capsys.readouterr().err
