"""Whole builds on small content trees: what is written, what is never written, what is safe."""

from __future__ import annotations

import csv
import io
import json
import os
import time

import pytest

from ksm_site.commands.cli import main
from ksm_site.content.problems import ContentError
from ksm_site.content.read import read_content
from ksm_site.engine import write
from ksm_site.engine.build import build as build_site
from ksm_site.engine.place import OutputError
from ksm_site.engine.tuning import Tuning
from ksm_site.engine.write import write_site
from ksm_site.site import registry, search
from ksm_site.site.inputs import NoInputs

from conftest import TODAY, VALID_GROUP, files_under, write_content
from htmlcheck import base_url, check_built_page

GROUP = "groups/kota-madiun/taman/ksm-uji-coba.md"
HOSTILE = VALID_GROUP.replace("nama: KSM Uji Coba", 'nama: "<script>alert(1)</script> {{ 7*7 }}"').replace(
    "catatan: Pertemuan bulanan mulai rutin.", "catatan: '<img src=x onerror=alert(1)> [a](javascript:alert(1))'").replace(
    "Cerita kelompok.", "<script>alert(2)</script>\n\n[ok](https://example.org) [bad](javascript:alert(3)) "
    "<a href=\"//evil.example/x\">pr</a> ![i](data:image/png;base64,AAAA) <iframe src=x></iframe> "
    "<p onclick=\"alert(4)\">hi</p> {% raw %}")


def build(content, out, **kwargs):
    return build_site(str(content), str(out), TODAY, **kwargs)


def test_build_writes_pages_data_and_static_files(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    build(content, tmp_path / "out")
    files = files_under(tmp_path / "out")
    for path in ("index.html", "kelompok/kota-madiun/taman/ksm-uji-coba/index.html", "metodologi/index.html",
                 "perlu-perhatian/index.html", "wilayah/index.html", "wilayah/kota-madiun/index.html",
                 "wilayah/kota-madiun/taman/index.html", "wilayah/kota-madiun/taman/pandean/index.html",
                 "en/index.html", "en/kelompok/kota-madiun/taman/ksm-uji-coba/index.html",
                 "data/groups.json", "data/groups.csv", "data/penilaian.csv", "static/style.css", "404.html"):
        assert path in files, path
    page = files["kelompok/kota-madiun/taman/ksm-uji-coba/index.html"].decode()
    assert '<html lang="id">' in page and "KSM Uji Coba" in page and "Tunas" in page
    assert "43,3" in page  # 13 of 30 points, with an Indonesian decimal comma
    assert "Langkah berikutnya" in page and "Kegiatan dengan pihak luar" in page
    assert "Pertemuan bulanan mulai rutin." in page and "Koperasi Sejahtera" in page
    english = files["en/kelompok/kota-madiun/taman/ksm-uji-coba/index.html"].decode()
    assert '<html lang="en">' in english and "43.3" in english and "What to do next" in english


def test_groups_json_follows_the_contract(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    build(content, tmp_path / "out")
    data = json.loads((tmp_path / "out/data/groups.json").read_text())
    assert data == {"as_of": "2018-09-30", "groups": [{
        "id": "kota-madiun/taman/ksm-uji-coba", "nama": "KSM Uji Coba", "jenis": "pinjaman-bergulir",
        "wilayah": {"provinsi": "Jawa Timur", "kota": "Kota Madiun", "kecamatan": "Taman", "kelurahan": "Pandean"},
        "dibentuk": "2017-03-12", "bubar": None, "tahap": "tunas", "skor": 43.3,
        "penilaian": [{"tanggal": "2018-09-30", "poin": 13, "skor": 43.3, "tahap": "tunas",
                       "level": {"pertemuan_rutin": 2, "kehadiran": 1, "agenda_pertemuan": 1, "tabungan_kelompok": 2,
                                 "aturan_main": 2, "pengembalian_pinjaman": 2, "pencatatan_keuangan": 1,
                                 "rekening_aman": 1, "kegiatan_pihak_luar": 0, "pembahasan_masalah_kritis": 1},
                       "aset": {"manusia": 2, "ekonomi": 2, "infrastruktur": 1, "alam": 1, "sosial": 3}}],
        "menuju": {"tahap": "tumbuh", "kurang_poin": 2, "syarat_belum": [],
                   "saran": ["kegiatan_pihak_luar", "kehadiran", "agenda_pertemuan"]},
        "peringatan": [], "url": "kelompok/kota-madiun/taman/ksm-uji-coba/"}]}


def test_as_of_option_drives_the_age_warning(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    import datetime as dt
    build(content, tmp_path / "out", as_of=dt.date(2020, 1, 1))
    data = json.loads((tmp_path / "out/data/groups.json").read_text())
    assert data["as_of"] == "2020-01-01" and data["groups"][0]["peringatan"] == ["penilaian-lama"]


def test_content_errors_write_nothing_and_keep_the_previous_site(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    out = tmp_path / "out"
    build(content, out)
    before = files_under(out)
    (content / GROUP).write_text(VALID_GROUP.replace("anggota: 10", "anggota: nol"))
    with pytest.raises(ContentError):
        build(content, out)
    assert files_under(out) == before
    assert sorted(os.listdir(tmp_path)) == [".out.lock", "content", "out"]  # no half-written folder left


def test_content_errors_never_create_an_output_folder(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP.replace("anggota: 10", "anggota: nol")})
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()


def test_check_and_build_never_modify_content(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP, "groups/a/ksm-b.md": "---\nnama: [\n---\n"})
    before = files_under(content)
    assert main(["check", "--content", str(content)]) == 1
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    assert files_under(content) == before


def test_exit_codes(tmp_path, capsys):
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    assert main(["check", "--content", str(content)]) == 0
    assert main(["--content", str(content), "--out", str(tmp_path / "out")]) == 0  # build is the default
    with pytest.raises(SystemExit) as exc:
        main(["publish"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["build", "--as-of", "yesterday"])
    assert exc.value.code == 2


def test_check_prints_every_problem_with_a_hint(tmp_path, capsys):
    content = write_content(tmp_path, {GROUP: VALID_GROUP.replace("anggota: 10", "anggota: nol").replace("ketua:", "ketu:")})
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0].endswith("ksm-uji-coba.md:10: anggota: 'nol' is not a whole number")
    assert lines[1].strip().startswith("hint:")
    assert any(line.endswith("ksm-uji-coba.md:11: ketu: unknown key 'ketu'") for line in lines)
    assert lines[-1] == "2 problem(s) in 1 file(s)."


def test_github_annotations(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_content(tmp_path, {GROUP: VALID_GROUP.replace("kehadiran: 72%", "kehadiran: 72")})
    assert main(["check", "--format", "github"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"::error file=content/{GROUP},line=20,title=penilaian[1].indikator.kehadiran::"
                   "'72' has no percent sign (hint: write it as a percentage: 72%25)"]


def test_user_text_is_inert(tmp_path):
    content = write_content(tmp_path, {GROUP: HOSTILE})
    build(content, tmp_path / "out")
    for path, data in files_under(tmp_path / "out").items():
        if not path.endswith(".html"):
            continue
        page = check_built_page(path, data.decode(), base_url(content))  # words may be text, never markup
        assert page.problems == [], path
        assert "<iframe" not in data.decode(), path
    page = (tmp_path / "out/kelompok/kota-madiun/taman/ksm-uji-coba/index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in page  # shown literally, never evaluated
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in page
    assert "{% raw %}" in page


def test_csv_cells_cannot_become_formulas(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP.replace("ketua: Siti Aminah", "ketua: '=HYPERLINK(\"x\")'")
                                       .replace("catatan: Pertemuan bulanan mulai rutin.", 'catatan: "@SUM(1) Pertemuan"')})
    build(content, tmp_path / "out")
    groups = list(csv.DictReader(io.StringIO((tmp_path / "out/data/groups.csv").read_text())))
    assert groups[0]["ketua"] == "'=HYPERLINK(\"x\")"
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out/data/penilaian.csv").read_text())))
    assert rows[0]["catatan"].startswith("'@SUM(1)")
    assert rows[0]["kehadiran"] == "1" and rows[0]["kehadiran_persen"] == "72" and rows[0]["skor"] == "43.3"


def test_rebuild_keeps_unchanged_files_and_their_mtimes(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP, "groups/a/ksm-b.md": VALID_GROUP.replace("KSM Uji Coba", "KSM B")})
    out = tmp_path / "out"
    build(content, out)
    page_b = out / "kelompok/a/ksm-b/index.html"
    os.utime(page_b, (1_000_000_000, 1_000_000_000))
    (content / GROUP).write_text(VALID_GROUP.replace("anggota: 10", "anggota: 11"))
    _, stats = build(content, out)
    assert os.stat(page_b).st_mtime == 1_000_000_000
    assert stats.unchanged > 0 and stats.written > 0
    assert "11" in (out / "kelompok/kota-madiun/taman/ksm-uji-coba/index.html").read_text()


def test_removed_groups_disappear_from_the_output(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP, "groups/a/ksm-b.md": VALID_GROUP})
    build(content, tmp_path / "out")
    (content / "groups/a/ksm-b.md").unlink()
    build(content, tmp_path / "out")
    assert not (tmp_path / "out/kelompok/a").exists()


def test_parallel_and_serial_builds_are_byte_identical(tmp_path):
    files = {f"groups/k{n % 7}/ksm-{n}.md": VALID_GROUP.replace("KSM Uji Coba", f"KSM {n}")
             .replace("kelurahan: Pandean", f"kelurahan: Desa {n % 5}") for n in range(30)}
    content = write_content(tmp_path, files)
    build(content, tmp_path / "serial", jobs=1)
    build(content, tmp_path / "parallel", jobs=2, tuning=Tuning(pool_min=10))
    assert files_under(tmp_path / "serial") == files_under(tmp_path / "parallel")


def test_writer_refuses_paths_outside_the_output(tmp_path):
    with pytest.raises(OutputError):
        write_site({"../escape.html": b"x"}, str(tmp_path / "out"))
    assert not (tmp_path / "escape.html").exists() and not (tmp_path / "out").exists()


def test_writer_failure_leaves_the_previous_output(tmp_path):
    out = tmp_path / "out"
    write_site({"a.html": b"old", "b/c.html": b"old"}, str(out))

    class Boom(dict):
        def __getitem__(self, key):
            if key == "b/c.html":
                raise RuntimeError("disk on fire")
            return super().__getitem__(key)

    with pytest.raises(RuntimeError):
        write_site(Boom({"a.html": b"new", "b/c.html": b"new"}), str(out))
    assert files_under(out) == {"a.html": b"old", os.path.join("b", "c.html"): b"old"}
    assert sorted(os.listdir(tmp_path)) == [".out.lock", "out"]


def test_sitemap_canonical_and_open_graph(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    build(content, tmp_path / "out")
    base = "https://ksm-site.github.io/ksm-site/"
    sitemap = (tmp_path / "out/sitemap.xml").read_text()
    for url in ("", "en/", "kelompok/kota-madiun/taman/ksm-uji-coba/", "en/kelompok/kota-madiun/taman/ksm-uji-coba/",
                "wilayah/kota-madiun/taman/pandean/", "metodologi/"):
        assert f"<loc>{base}{url}</loc>" in sitemap, url
    assert "404" not in sitemap and "cari/" not in sitemap
    assert (tmp_path / "out/robots.txt").read_text().endswith(f"Sitemap: {base}sitemap.xml\n")
    page = (tmp_path / "out/en/kelompok/kota-madiun/taman/ksm-uji-coba/index.html").read_text()
    assert f'<link rel="canonical" href="{base}en/kelompok/kota-madiun/taman/ksm-uji-coba/">' in page
    assert f'<link rel="alternate" hreflang="id" href="{base}kelompok/kota-madiun/taman/ksm-uji-coba/">' in page
    assert '<meta property="og:title" content="KSM Uji Coba">' in page and 'content="en_GB"' in page
    record = json.loads((tmp_path / "out/kelompok/kota-madiun/taman/ksm-uji-coba/data.json").read_text())
    assert record == json.loads((tmp_path / "out/data/groups.json").read_text())["groups"][0]
    assert 'href="../../../../../kelompok/kota-madiun/taman/ksm-uji-coba/data.json"' in page


def test_search_index_is_built_for_both_languages(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    build(content, tmp_path / "out")
    entry = json.loads((tmp_path / "out/pagefind/pagefind-entry.json").read_text())
    assert sorted(entry["languages"]) == ["en", "id"]
    assert (tmp_path / "out/pagefind/pagefind-ui.js").is_file()
    first = files_under(tmp_path / "out")
    build(content, tmp_path / "again")
    assert files_under(tmp_path / "again") == first  # the index, too, is the same bytes every time


def test_a_pagefind_failure_is_named_and_keeps_the_previous_site(tmp_path, monkeypatch):
    import sys

    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    build(content, tmp_path / "out")
    before = files_under(tmp_path / "out")
    (content / GROUP).write_text(VALID_GROUP.replace("KSM Uji Coba", "KSM Uji Ganti"))
    monkeypatch.setattr(search, "pagefind_command", lambda entries, out: [
        sys.executable, "-c", "import sys; sys.stderr.write('Error: could not read the site\\n'); sys.exit(3)"])
    with pytest.raises(search.SearchIndexError, match="Pagefind failed: Error: could not read the site"):
        build(content, tmp_path / "out")
    assert files_under(tmp_path / "out") == before


def test_a_writer_that_fails_taking_in_more_files_stops_their_maker_before_it_cleans_up(tmp_path):
    """The writer takes in the files of a ``more`` step (the search index) as they are made: when it fails
    there, it stops the step (Pagefind, in a build) while the folder being filled still stands, then
    removes that folder and its scratch folder, and the site stays whole."""
    out = tmp_path / "out"
    write_site({"a.html": b"old"}, str(out))
    before, around = files_under(out), sorted(os.listdir(tmp_path))
    staging = write.begin(str(out))
    events = []

    def more(scratch):
        try:
            made = os.path.join(scratch, "made.txt")
            with open(made, "wb") as f:
                f.write(b"made")
            yield "search/made.txt", made
            yield "search/lost.txt", os.path.join(scratch, "never-made.txt")  # the writer cannot take it in
        finally:
            events.append(("stopped", os.path.isdir(staging.target.fresh), os.path.isdir(staging.scratch)))

    with pytest.raises(OutputError, match="No such file"):
        write.finish(staging, {"a.html": b"new"}, more=more)
    assert events == [("stopped", True, True)]
    assert files_under(out) == before and sorted(os.listdir(tmp_path)) == around


@pytest.mark.parametrize("languages, root_lang, other", [("[id]", "id", None), ("[en, id]", "en", "id")])
def test_site_yaml_chooses_the_languages(tmp_path, languages, root_lang, other):
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    settings = (content / "site.yaml").read_text().replace("bahasa: [id, en]", f"bahasa: {languages}")
    (content / "site.yaml").write_text(settings)
    build(content, tmp_path / "out")
    assert f'<html lang="{root_lang}">' in (tmp_path / "out/index.html").read_text()
    if other is None:
        assert not (tmp_path / "out/en").exists() and 'hreflang="en"' not in (tmp_path / "out/index.html").read_text()
    else:
        assert f'<html lang="{other}">' in (tmp_path / f"out/{other}/index.html").read_text()


def test_search_entries_name_a_group_and_leave_out_what_assessments_move():
    """What Pagefind reads of a group: its name, area, people, businesses, partners and story; not
    its stage or score, so editing a level leaves the search index as it was."""
    from markupsafe import escape

    from ksm_site.domain.analyse import extent_of, facts_of
    from ksm_site.domain.score import score_group
    from ksm_site.site.maker import PageMaker

    checked = read_content("content", TODAY)
    extent = extent_of([facts_of(g) for g in checked.groups], None)
    renderer = PageMaker(checked.rubric, checked.site, "id")
    scored = [score_group(g, checked.rubric, extent.as_of) for g in checked.groups]
    g = next(g for g in scored if g.group.mitra and g.group.usaha and g.latest)
    path, data = search.group_entry(renderer, g)
    html = data.decode()
    assert path == f"kelompok/{g.id}/index.html"
    assert '<html lang="id">' in html and "data-pagefind-body" in html
    for text in (g.group.nama, g.group.wilayah.kelurahan, g.group.usaha[0], g.group.mitra[0].nama):
        assert str(escape(text)) in html
    assert renderer.lang.score(g.latest.tenths) not in html
    assert renderer.status_name(g.status) not in html


def test_a_build_that_fails_waits_for_its_workers_before_it_cleans_up(tmp_path, monkeypatch):
    """A worker writes the files it makes into the folder being filled: a build that fails elsewhere
    meanwhile lets it finish before it removes the folder (and leaves no folder it made again).

    Two kinds of file are added to the registry (the way a page is added): one that a worker writes
    slowly, and one that fails once the slow one has begun; each waits for the other's event."""
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    build(content, tmp_path / "out")
    before, around = files_under(tmp_path / "out"), sorted(os.listdir(tmp_path))
    log = tmp_path.parent / f"{tmp_path.name}-events"  # written by the workers and by this process

    def note(event: str) -> None:
        with open(log, "a") as f:
            f.write(event + "\n")

    def wait_for(event: str) -> None:
        for _ in range(3000):
            if log.exists() and event in log.read_text().split("\n"):
                return
            time.sleep(0.01)
        raise TimeoutError(event)

    def slowly(inputs, makers):
        yield "slow.txt", "begun "
        note("slow begun")
        wait_for("failing")
        yield "slow.txt", "and done"
        note("slow done")

    def failing(inputs, makers):
        wait_for("slow begun")
        note("failing")
        raise RuntimeError("a page failed")
        yield  # a generator, as render functions are

    def logged_abort(staging, abort=write.abort):
        note("abort")
        abort(staging)

    monkeypatch.setattr(registry, "REGISTRY", (*registry.REGISTRY,
                                               registry.Kind("slow", "whole", NoInputs, registry.once, slowly),
                                               registry.Kind("failing", "whole", NoInputs, registry.once, failing)))
    monkeypatch.setattr(write, "abort", logged_abort)
    with pytest.raises(RuntimeError, match="a page failed"):
        build(content, tmp_path / "out", jobs=2, tuning=Tuning(pool_min=1))
    assert log.read_text().split("\n")[-3:] == ["slow done", "abort", ""]
    assert files_under(tmp_path / "out") == before and sorted(os.listdir(tmp_path)) == around
