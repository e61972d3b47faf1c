"""`check --format github`: annotations on the changed line, and the full list in the job summary."""

from __future__ import annotations

import subprocess

from ksm_site.commands.cli import main
from ksm_site.content.problems import Problem
from ksm_site.commands.report import escape_data, github_annotation, md_escape, summary_markdown, text_report

from conftest import VALID_GROUP, write_content

GROUP = "groups/kota-madiun/taman/ksm-uji-coba.md"
BROKEN = VALID_GROUP.replace("kehadiran: 72%", "kehadiran: 72").replace("anggota: 10", "anggota: sepuluh")


def git_repo(path):
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def test_annotations_name_the_file_relative_to_the_repository_root(tmp_path, capsys, monkeypatch):
    repo = git_repo(tmp_path / "repo")
    content = write_content(repo / "site", {GROUP: BROKEN})
    monkeypatch.chdir(content / "groups")  # anywhere inside the repository
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert main(["check", "--content", str(content), "--format", "github"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "::error file=site/content/groups/kota-madiun/taman/ksm-uji-coba.md,line=10,title=anggota::"
        "'sepuluh' is not a whole number (hint: write a whole number, at least 1)",
        "::error file=site/content/groups/kota-madiun/taman/ksm-uji-coba.md,line=20,"
        "title=penilaian[1].indikator.kehadiran::'72' has no percent sign (hint: write it as a percentage: 72%25)",
    ]


def test_annotation_escapes_data_and_properties():
    problem = Problem("/repo/content/groups/a,b.md", 3, "x:y,z", "50% done\r\nnext line", "a: b, c")
    # A Problem shows CR and LF as visible escapes (errors.visible); the workflow escaping still applies to data.
    assert github_annotation(problem, "/repo") == (
        "::error file=content/groups/a%2Cb.md,line=3,title=x%3Ay%2Cz::50%25 done\\x0d\\x0anext line (hint: a: b, c)")
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"


def test_whole_file_problem_has_no_line_property():
    problem = Problem("/repo/content/groups/a.md", 0, "(berkas)", "file not found")
    assert github_annotation(problem, "/repo") == "::error file=content/groups/a.md,title=(berkas)::file not found"


def test_summary_lists_every_problem_when_the_variable_is_set(tmp_path, capsys, monkeypatch):
    repo = git_repo(tmp_path / "repo")
    files = {f"groups/a/ksm-{n}.md": BROKEN for n in range(6)}  # 12 problems: more than GitHub annotates
    content = write_content(repo, files)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["check", "--content", str(content), "--format", "github"]) == 1
    assert len(capsys.readouterr().out.splitlines()) == 12
    text = summary.read_text()
    assert text.startswith("earlier step\n### ksm-site check: 12 problem(s) in 6 file(s)\n")  # appended, not replaced
    rows = [line for line in text.splitlines() if line.startswith("| content")]
    assert len(rows) == 12
    assert rows[0] == ("| content/groups/a/ksm-0.md | 10 | anggota | 'sepuluh' is not a whole number "
                       "| write a whole number, at least 1 |")


def test_summary_says_so_when_there_is_nothing_wrong(tmp_path, monkeypatch, capsys):
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["check", "--content", str(content), "--format", "github"]) == 0
    assert capsys.readouterr().out == ""
    assert summary.read_text() == "### ksm-site check\n\nNo problems found.\n"


def test_summary_cells_cannot_break_the_table_or_mention_anyone():
    problem = Problem("/r/content/groups/a.md", 1, "ketua", "unknown key 'a|b' @maintainers <b>x</b>\nsecond")
    row = summary_markdown([problem], "/r").splitlines()[-1]
    assert row == "| content/groups/a.md | 1 | ketua | unknown key 'a\\|b' \\@maintainers \\<b\\>x\\</b\\>\\\\x0asecond |  |"
    assert md_escape("a\nb") == "a b"
    assert md_escape("*[x](y)*") == "\\*\\[x\\](y)\\*"


def test_text_format_is_coloured_only_on_request():
    problem = Problem("a.md", 2, "nama", "is empty", "write the text")
    assert text_report([problem]) == "a.md:2: nama: is empty\n    hint: write the text\n1 problem(s) in 1 file(s).\n"
    coloured = text_report([problem], colour=True)
    assert "\033[31mnama\033[0m" in coloured and coloured.endswith("1 problem(s) in 1 file(s).\n")


def test_check_text_output_has_no_colour_when_not_a_terminal(tmp_path, capsys):
    content = write_content(tmp_path, {GROUP: BROKEN})
    assert main(["check", "--content", str(content)]) == 1
    assert "\033[" not in capsys.readouterr().err
