"""One failing input per validation rule: the message names the file, the line and the field."""

from __future__ import annotations

import os

import pytest

from ksm_site.content.read import check


from conftest import TODAY, VALID_GROUP, write_content

GROUP = "groups/kota-madiun/taman/ksm-uji-coba.md"


def problems_of(tmp_path, files: dict) -> list:
    return check(str(write_content(tmp_path, files)), TODAY)


def edited(old: str, new: str, text: str = VALID_GROUP) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_the_valid_fixture_passes(tmp_path):
    assert problems_of(tmp_path, {GROUP: VALID_GROUP}) == []


# (case, old text, new text, line, field, words the message or hint must contain)
CASES = [
    ("missing required key", "nama: KSM Uji Coba\n", "", 2, "nama", "is missing"),
    ("unknown key with suggestion", "ketua: Siti Aminah", "ketuaa: Siti Aminah", 11, "ketuaa", "did you mean 'ketua'"),
    ("unknown nested key", "  kelurahan: Pandean", "  kelurahn: Pandean", 8, "wilayah.kelurahn", "did you mean 'kelurahan'"),
    ("missing wilayah part", "  kelurahan: Pandean\n", "", 4, "wilayah.kelurahan", "is missing"),
    ("jenis not allowed", "jenis: pinjaman-bergulir", "jenis: pinjaman", 3, "jenis", "pinjaman-bergulir"),
    ("jenis read as yes/no", "jenis: pinjaman-bergulir", "jenis: yes", 3, "jenis", "yes/no"),
    ("text read as a number", "ketua: Siti Aminah", "ketua: 1945", 11, "ketua", "quotes"),
    ("text read as yes/no", "ketua: Siti Aminah", "ketua: on", 11, "ketua", "yes/no"),
    ("base-60 surprise", "ketua: Siti Aminah", "ketua: 12:30", 11, "ketua", "base-60"),
    ("empty required value", "nama: KSM Uji Coba", "nama:", 2, "nama", "is empty"),
    ("impossible date", "dibentuk: 2017-03-12", "dibentuk: 2017-02-30", 9, "dibentuk", "not a date in the calendar"),
    ("impossible month", "dibentuk: 2017-03-12", "dibentuk: 2017-13-01", 9, "dibentuk", "not a date in the calendar"),
    ("date in day-month-year order", "dibentuk: 2017-03-12", "dibentuk: 12-03-2017", 9, "dibentuk", "YYYY-MM-DD"),
    ("date with a time", "dibentuk: 2017-03-12", "dibentuk: 2017-03-12 10:00:00", 9, "dibentuk", "has a time"),
    ("date in the future", "dibentuk: 2017-03-12", "dibentuk: 2030-01-01", 9, "dibentuk", "in the future"),
    ("members zero", "anggota: 10", "anggota: 0", 10, "anggota", "out of range"),
    ("members as words", "anggota: 10", "anggota: sepuluh", 10, "anggota", "not a whole number"),
    ("members as decimal", "anggota: 10", "anggota: 10.5", 10, "anggota", "not a whole number"),
    ("businesses not a list", "usaha: [warung, jahit]", "usaha: warung", 12, "usaha", "must be a list"),
    ("partner kind", "bentuk: modal", "bentuk: uang", 14, "mitra[1].bentuk", "allowed: modal"),
    ("partner missing name", "{nama: Koperasi Sejahtera, bentuk: modal", "{bentuk: modal", 14, "mitra[1].nama", "is missing"),
    ("dissolved before formed", "anggota: 10", "anggota: 10\nbubar: 2016-01-01", 11, "bubar", "before dibentuk"),
    ("assessment after dissolution", "anggota: 10", "anggota: 10\nbubar: 2018-01-01", 17, "penilaian[1].tanggal", "after bubar"),
    ("assessment before formation", "tanggal: 2018-09-30", "tanggal: 2016-09-30", 16, "penilaian[1].tanggal", "before dibentuk"),
    ("assessment in the future", "tanggal: 2018-09-30", "tanggal: 2031-09-30", 16, "penilaian[1].tanggal", "in the future"),
    ("assessment without date", "  - tanggal: 2018-09-30\n    penilai: Ahmad", "  - penilai: Ahmad", 16, "penilaian[1].tanggal", "is missing"),
    ("indicator missing", "      agenda_pertemuan: 1\n", "", 18, "penilaian[1].indikator.agenda_pertemuan", "is missing"),
    ("indicator unknown", "      agenda_pertemuan: 1", "      agenda: 1", 21, "penilaian[1].indikator.agenda", "did you mean 'agenda_pertemuan'"),
    ("level too high", "      agenda_pertemuan: 1", "      agenda_pertemuan: 4", 21, "penilaian[1].indikator.agenda_pertemuan", "from 0 to 3"),
    ("level negative", "      agenda_pertemuan: 1", "      agenda_pertemuan: -1", 21, "penilaian[1].indikator.agenda_pertemuan", "out of range"),
    ("level quoted", "      agenda_pertemuan: 1", "      agenda_pertemuan: \"1\"", 21, "penilaian[1].indikator.agenda_pertemuan", "not a whole number"),
    ("level as a percentage", "      agenda_pertemuan: 1", "      agenda_pertemuan: 50%", 21, "penilaian[1].indikator.agenda_pertemuan", "not a whole number"),
    ("percentage without %", "kehadiran: 72%", "kehadiran: 72", 20, "penilaian[1].indikator.kehadiran", "72%"),
    ("percentage over 100", "kehadiran: 72%", "kehadiran: 120%", 20, "penilaian[1].indikator.kehadiran", "over 100%"),
    ("percentage as words", "kehadiran: 72%", "kehadiran: banyak", 20, "penilaian[1].indikator.kehadiran", "not a percentage"),
    ("negative percentage", "kehadiran: 72%", "kehadiran: -5%", 20, "penilaian[1].indikator.kehadiran", "not a percentage"),
    ("asset missing", "aset: {manusia: 2, ", "aset: {", 29, "penilaian[1].aset.manusia", "is missing"),
    ("asset out of range", "aset: {manusia: 2,", "aset: {manusia: 6,", 29, "penilaian[1].aset.manusia", "from 0 to 5"),
    ("invisible character", "nama: KSM Uji Coba", "nama: KSM Uji\u200bCoba", 2, "nama", "U+200B"),
    ("direction override", "ketua: Siti Aminah", "ketua: Siti \u202eAminah", 11, "ketua", "U+202E"),
    ("name on two lines", "nama: KSM Uji Coba", "nama: |\n  KSM Uji\n  Coba", 2, "nama", "one line"),
    ("duplicate key", "anggota: 10", "anggota: 10\nanggota: 12", 11, "anggota", "already set on line 10"),
    ("anchor", "anggota: 10", "anggota: &n 10", 10, "(yaml)", "anchor '&n'"),
    ("alias", "anggota: 10", "anggota: &n 10\nketua2: *n", 11, "(yaml)", "alias '*n'"),
    ("explicit tag", "anggota: 10", "anggota: !!str 10", 10, "(yaml)", "explicit tag"),
    ("python tag", "anggota: 10", "anggota: !!python/object:os.system [ls]", 10, "(yaml)", "explicit tag"),
    ("tab indentation", "  kota: Kota Madiun", "\tkota: Kota Madiun", 6, "(yaml)", "tabs"),
    ("colon in a plain value", "ketua: Siti Aminah", "ketua: Siti: Aminah", 11, "(yaml)", "quotes"),
    ("unclosed flow list", "usaha: [warung, jahit]", "usaha: [warung, jahit", 12, "(yaml)", "never closed"),
]


@pytest.mark.parametrize("case, old, new, line, field, words", CASES, ids=[c[0] for c in CASES])
def test_each_rule_names_line_field_and_fix(tmp_path, case, old, new, line, field, words):
    problems = problems_of(tmp_path, {GROUP: edited(old, new)})
    assert problems, case
    matching = [p for p in problems if p.field == field and p.line == line]
    assert matching, f"no problem for {field} on line {line}: {[str(p) for p in problems]}"
    problem = matching[0]
    assert problem.path.endswith(GROUP)
    assert words in f"{problem.message} {problem.hint}", str(problem)


def test_assessments_are_checked_even_when_jenis_is_wrong(tmp_path):
    text = edited("jenis: pinjaman-bergulir", "jenis: pinjaman")
    text = edited("kehadiran: 72%", "kehadiran: 72", text)
    problems = problems_of(tmp_path, {GROUP: text})
    assert [(p.line, p.field) for p in problems] == [(3, "jenis"), (20, "penilaian[1].indikator.kehadiran")]


def test_not_applicable_indicator(tmp_path):
    text = edited("jenis: pinjaman-bergulir", "jenis: infrastruktur")
    problems = problems_of(tmp_path, {GROUP: text})
    assert [(p.line, p.field) for p in problems] == [(24, "penilaian[1].indikator.pengembalian_pinjaman")]
    assert "does not apply to jenis infrastruktur" in problems[0].message


def test_duplicate_assessment_date(tmp_path):
    assessment = VALID_GROUP[VALID_GROUP.index("  - tanggal"):VALID_GROUP.index("---\nCerita")]
    text = VALID_GROUP.replace("---\nCerita", assessment + "---\nCerita")
    problems = problems_of(tmp_path, {GROUP: text})
    assert [(p.line, p.field) for p in problems] == [(31, "penilaian[2].tanggal")]
    assert "assessed twice" in problems[0].message and "line 16" in problems[0].hint


def test_every_problem_of_every_file_at_once(tmp_path):
    broken = edited("anggota: 10", "anggota: 0")
    broken = edited("kehadiran: 72%", "kehadiran: 72", broken)
    problems = problems_of(tmp_path, {GROUP: broken, "groups/kota-madiun/taman/ksm-dua.md": edited("jenis: pinjaman-bergulir", "jenis: x")})
    assert [(os.path.basename(p.path), p.line, p.field) for p in problems] == [
        ("ksm-dua.md", 3, "jenis"),
        ("ksm-uji-coba.md", 10, "anggota"),
        ("ksm-uji-coba.md", 20, "penilaian[1].indikator.kehadiran"),
    ]


@pytest.mark.parametrize("name, text, line, words", [
    ("empty file", "", 1, "no front matter"),
    ("no front matter", "nama: KSM\n", 1, "no front matter"),
    ("unclosed front matter", "---\nnama: KSM\n", 1, "never closed"),
    ("front matter that is empty", "---\n---\nCerita\n", 2, "no data"),
    ("top level is a list", "---\n- a\n- b\n---\n", 2, "'key: value'"),
    ("top level is text", "---\njust text\n---\n", 2, "'key: value'"),
    ("two documents", "nama: a\n---\nnama: b\n", 2, "second YAML document"),
])
def test_broken_files(tmp_path, name, text, line, words):
    path = "groups/kota/ksm-a.yaml" if name == "two documents" else "groups/kota/ksm-a.md"
    problems = problems_of(tmp_path, {path: text})
    assert len(problems) == 1, problems
    assert problems[0].line == line and words in problems[0].message + problems[0].hint, str(problems[0])


def test_yaml_files_are_groups_too(tmp_path):
    data = VALID_GROUP.split("---\n")[1]
    assert problems_of(tmp_path, {"groups/a/ksm-a.yaml": data, "groups/a/ksm-b.yml": data}) == []
    problems = problems_of(tmp_path, {"groups/b/ksm-a.yaml": edited("anggota: 10", "anggota: x", data)})
    assert [(p.line, p.field) for p in problems] == [(9, "anggota")]  # no front matter fence: one line earlier


def test_bom_and_crlf_are_accepted(tmp_path):
    data = b"\xef\xbb\xbf" + VALID_GROUP.replace("\n", "\r\n").encode()
    assert problems_of(tmp_path, {GROUP: data}) == []
    broken = b"\xef\xbb\xbf" + edited("anggota: 10", "anggota: 0").replace("\n", "\r\n").encode()
    assert [(p.line, p.field) for p in problems_of(tmp_path / "b", {GROUP: broken})] == [(10, "anggota")]


def test_not_utf8(tmp_path):
    data = edited("ketua: Siti Aminah", "ketua: Siti \xe9").encode("latin-1")
    problems = problems_of(tmp_path, {GROUP: data})
    assert [(p.line, p.field) for p in problems] == [(11, "(berkas)")]
    assert "UTF-8" in problems[0].message


def test_file_over_one_mebibyte(tmp_path):
    problems = problems_of(tmp_path, {GROUP: VALID_GROUP + "x" * (1024 * 1024)})
    assert len(problems) == 1 and "limit is 1 MiB" in problems[0].message


def test_deep_nesting(tmp_path):
    problems = problems_of(tmp_path, {GROUP: edited("anggota: 10", "anggota: " + "[" * 40 + "]" * 40)})
    assert len(problems) == 1 and "nested deeper" in problems[0].message and problems[0].line == 10


@pytest.mark.parametrize("path, words", [
    ("groups/kota-madiun/Taman/ksm-a.md", "'Taman' is not allowed"),
    ("groups/kota-madiun/taman/KSM_Maju.md", "rename it to 'ksm-maju'"),
    ("groups/kota madiun/ksm-a.md", "rename it to 'kota-madiun'"),
    ("groups/kota-madiun/ksm--a.md", "'ksm--a' is not allowed"),
    ("groups/kota-madiun/ksm-a.txt", "not a group file"),
    ("groups/kota-madiun/ksm-a.MD", "not a group file"),
])
def test_bad_paths(tmp_path, path, words):
    problems = problems_of(tmp_path, {path: VALID_GROUP})
    assert any(words in p.message + " " + p.hint for p in problems), problems


def test_two_files_with_one_id(tmp_path):
    data = VALID_GROUP.split("---\n")[1]
    problems = problems_of(tmp_path, {"groups/a/ksm-a.md": VALID_GROUP, "groups/a/ksm-a.yaml": data})
    assert sorted(os.path.basename(p.path) for p in problems) == ["ksm-a.md", "ksm-a.yaml"]
    assert all("group id 'a/ksm-a'" in p.message for p in problems)


def test_symlink_leaving_content_is_refused(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(VALID_GROUP)
    content = write_content(tmp_path / "site", {})
    (content / "groups" / "a").mkdir()
    os.symlink(outside, content / "groups" / "a" / "ksm-a.md")
    problems = check(str(content), TODAY)
    assert len(problems) == 1 and "outside the content folder" in problems[0].message


def test_symlink_inside_content_is_followed(tmp_path):
    content = write_content(tmp_path, {"groups/a/ksm-a.md": VALID_GROUP})
    os.symlink(content / "groups" / "a", content / "groups" / "b")
    assert check(str(content), TODAY) == []


def test_hidden_files_are_ignored(tmp_path):
    assert problems_of(tmp_path, {"groups/a/.gitkeep": "", GROUP: VALID_GROUP}) == []


def test_missing_groups_folder_and_settings(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    problems = check(str(content), TODAY)
    assert {os.path.basename(p.path) for p in problems} == {"rubric.yaml", "site.yaml", "groups"}


def test_comma_decimal_percentages(tmp_path):
    assert problems_of(tmp_path, {GROUP: edited("kehadiran: 72%", "kehadiran: 72,5%")}) == []


def test_quoted_dates_and_empty_optional_values(tmp_path):
    text = edited("dibentuk: 2017-03-12", 'dibentuk: "2017-03-12"')
    text = edited("ketua: Siti Aminah", "ketua:", text)
    assert problems_of(tmp_path, {GROUP: text}) == []


def test_rubric_problems_are_reported_with_lines(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    rubric = (content / "rubric.yaml").read_text()
    rubric = rubric.replace("syarat: {pertemuan_rutin: 2,", "syarat: {pertemuan_rutn: 2,", 1)
    (content / "rubric.yaml").write_text(rubric)
    problems = check(str(content), TODAY)
    assert len(problems) == 1
    p = problems[0]
    assert p.path.endswith("rubric.yaml") and "did you mean 'pertemuan_rutin'" in p.hint
    assert rubric.splitlines()[p.line - 1].strip().startswith("syarat:")


def test_a_partnership_may_predate_the_group(tmp_path):
    """DESIGN §3 bounds assessments by dibentuk and bubar, not partnerships; only the future is refused."""
    text = edited("sejak: 2019-02-01", "sejak: 2015-02-01")
    assert problems_of(tmp_path, {GROUP: text}) == []
    problems = problems_of(tmp_path / "future", {GROUP: edited("sejak: 2019-02-01", "sejak: 2999-02-01")})
    assert [(p.line, p.field) for p in problems] == [(14, "mitra[1].sejak")]


def test_a_stall_names_a_stage_of_the_rubric(tmp_path):
    """``mandek`` watches one stage for ``hari`` days; both are data, and a stage the rubric lacks is refused."""
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    rubric = (content / "rubric.yaml").read_text()
    assert "    tahap: tunas\n    hari: 730\n" in rubric
    (content / "rubric.yaml").write_text(rubric.replace("    tahap: tunas\n", "    tahap: tuns\n", 1))
    problems = check(str(content), TODAY)
    assert [(p.field, p.hint) for p in problems] == [("peringatan[5].tahap", "did you mean 'tunas'?")]
    (content / "rubric.yaml").write_text(rubric.replace("    tahap: tunas\n    hari: 730\n", "    tahap: tunas\n", 1))
    assert [p.field for p in check(str(content), TODAY)] == ["peringatan[5].hari"]
