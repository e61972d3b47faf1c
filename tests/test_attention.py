"""The attention list as a worklist (DESIGN §5): one row per active group with a warning, most urgent first,
each saying what to do first; filterable by area and assessor; within the page budget at any size; and
every area page links to its own rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import random
import re

import pytest
from hypothesis import given, strategies as st

from ksm_site.content.read import read_content
from ksm_site.domain.analyse import attention, summarise_group
from ksm_site.domain.score import score_group
from ksm_site.site.inputs import AttentionRow, WarningsInputs
from ksm_site.site.maker import PageMaker
from ksm_site.site.make import make_site
from ksm_site.site.limits import PAGE_BUDGET, Limits
from ksm_site.site.pages.attention import attention_page, within_budget

from conftest import CONTENT, TODAY, make_group, values

MOST_LISTED = Limits().attention_rows

URGENCY = ["turun-tahap", "skor-turun", "pengembalian-rendah", "kehadiran-menurun", "mandek", "penilaian-lama"]
"""DESIGN §4's order, most urgent first."""


def summary(rubric, name: str, warnings: tuple[str, ...], tenths: int | None, kelurahan: str = "Pandean",
            assessor: str = "Ahmad"):
    """A group's summary with the warnings, score and area a case needs (the rest is a valid group's)."""
    base = summarise_group(score_group(make_group(rubric, ("2020-01-01", values(rubric)), group_id=f"a/b/{name}"),
                                       rubric, dt.date(2020, 1, 1)))
    wilayah = dataclasses.replace(base.wilayah, kelurahan=kelurahan)
    return dataclasses.replace(base, nama=name, warnings=warnings, latest_tenths=tenths, wilayah=wilayah,
                               assessor=assessor)


# --- the order of urgency ------------------------------------------------------------------------------

def test_the_worst_warning_first_then_more_warnings_then_the_lower_score(rubric):
    groups = [
        summary(rubric, "overdue-never-assessed", ("penilaian-lama",), None),
        summary(rubric, "overdue-low", ("penilaian-lama",), 100),
        summary(rubric, "repayment-high", ("pengembalian-rendah",), 700),
        summary(rubric, "repayment-and-overdue", ("pengembalian-rendah", "penilaian-lama"), 800),
        summary(rubric, "repayment-low", ("pengembalian-rendah",), 300),
        summary(rubric, "stalled", ("mandek",), 300),
        summary(rubric, "score-fell-and-repayment", ("skor-turun", "pengembalian-rendah"), 900),
        summary(rubric, "fell-back-only", ("turun-tahap",), 950),
        summary(rubric, "no-warning", (), 100),
    ]
    assert [i.rsplit("/", 1)[1] for i in attention(groups, rubric)] == [
        "fell-back-only",  # turun-tahap outranks anything else, however many warnings and whatever the score
        "score-fell-and-repayment",
        "repayment-and-overdue",  # pengembalian-rendah with two warnings before those with one
        "repayment-low", "repayment-high",  # then the lower score
        "stalled",
        "overdue-never-assessed",  # never assessed counts as below every score
        "overdue-low",
    ]


def test_ties_keep_the_display_order(rubric):
    groups = [summary(rubric, name, ("mandek",), 300, kelurahan=kelurahan)
              for name, kelurahan in (("ksm-b", "Kejuron"), ("ksm-a", "Pandean"), ("ksm-c", "Kejuron"))]
    assert [i.rsplit("/", 1)[1] for i in attention(groups, rubric)] == ["ksm-b", "ksm-c", "ksm-a"]


# --- the sample's list -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample():
    content = read_content(str(CONTENT), TODAY)
    return content, make_site(content)


ROW = re.compile(r'<tr data-area="([^"]*)" data-penilai="([^"]*)">\s*<th scope="row"[^>]*><a href="\.\./kelompok/'
                 r'([^"]+)/index\.html">.*?</a></th>\s*<td data-label="[^"]+" data-sort="\d+">([^<]*)</td>', re.S)


def rows_of(page: bytes) -> list[tuple[str, str, str, str]]:
    """(area value, assessor, group id, first step) of each row of the worklist, in order."""
    return [tuple(html.unescape(v) for v in row) for row in ROW.findall(page.decode())]


def test_one_row_per_warned_active_group_most_urgent_first(sample):
    content, files = sample
    groups = json.loads(files["data/groups.json"])["groups"]
    warned = [g for g in groups if g["peringatan"]]
    assert all(g["tahap"] != "bubar" for g in warned) and len(warned) == 16

    def urgency(g):
        w = g["wilayah"]
        return (min(URGENCY.index(k) for k in g["peringatan"]), -len(g["peringatan"]),
                -1 if g["skor"] is None else g["skor"],
                tuple(x.casefold() for x in (w["kota"], w["kecamatan"], w["kelurahan"], g["nama"])), g["id"])

    expected = [g["id"] for g in sorted(warned, key=urgency)]
    for page in ("perlu-perhatian/index.html", "en/perlu-perhatian/index.html"):
        assert [r[2] for r in rows_of(files[page])] == expected, page  # once each: not grouped by warning
    assert expected[:3] == ["kab-madiun/mejayan/ksm-mekar-sari", "kota-madiun/kartoharjo/ksm-kelun-sejahtera",
                            "kab-madiun/jiwan/ksm-srikandi-kwangsen"]


def test_each_row_says_what_to_do_first_and_who_assessed_the_group_last(sample):
    content, files = sample
    groups = {g.id: g for g in content.groups}
    steps = {r.key: r.first_step for r in content.rubric.warnings}
    records = {g["id"]: g for g in json.loads(files["data/groups.json"])["groups"]}
    for lang, page in (("id", "perlu-perhatian/index.html"), ("en", "en/perlu-perhatian/index.html")):
        for area, assessor, gid, step in rows_of(files[page]):
            worst = min(records[gid]["peringatan"], key=URGENCY.index)
            assert step == steps[worst].get(lang), (gid, lang)
            latest = groups[gid].assessments[-1] if groups[gid].assessments else None
            assert assessor == (latest.assessor if latest else "")
            w = groups[gid].wilayah
            assert area.count("/") == 2 and f"› {w.kelurahan}</option>" in files[page].decode()
    text = files["perlu-perhatian/index.html"].decode()
    assert "Jadwalkan penilaian ulang." in text and "Langkah pertama" in text
    assert "Schedule a new assessment." in files["en/perlu-perhatian/index.html"].decode()


def test_the_list_keeps_what_each_warning_means(sample):
    content, files = sample
    text = html.unescape(files["en/perlu-perhatian/index.html"].decode())
    counts = {"mandek": 5, "penilaian-lama": 5, "turun-tahap": 4}
    for rule in content.rubric.warnings:
        assert f'<dt id="w-{rule.key}"><span class="warn">{rule.name.en}</span>' in text
        assert rule.meaning.en in text and rule.advice.en in text
    for key, n in counts.items():
        assert re.search(rf'id="w-{key}">.*?<span class="muted">{n} groups</span>', text), key


def test_the_filters_offer_every_area_and_assessor_of_the_list(sample):
    content, files = sample
    page = files["perlu-perhatian/index.html"].decode()
    rows = rows_of(files["perlu-perhatian/index.html"])
    offered = re.findall(r'<option value="([^"]+)">', re.search(r'<select name="wilayah".*?</select>', page).group(0))
    kelurahan = {r[0] for r in rows}
    assert set(offered) == {a.rsplit("/", d)[0] for a in kelurahan for d in (0, 1, 2)}
    assessors = re.findall(r'<option value="([^"]+)">', re.search(r'<select name="penilai".*?</select>', page).group(0))
    assert assessors == sorted({r[1] for r in rows if r[1]})
    assert "data-unlisted" not in page  # every warned group is listed


def test_every_area_page_links_to_its_rows_of_the_list(sample):
    content, files = sample
    rows = rows_of(files["perlu-perhatian/index.html"])
    linked = 0
    for path, data in files.items():
        own = path.removeprefix("en/")
        if not own.startswith("wilayah/") or not own.endswith("/index.html") or own == "wilayah/index.html":
            continue
        page = data.decode()
        sentence = re.search(r'(\d+) (?:kelompok aktif perlu perhatian|active groups need attention)', page)
        n = int(sentence.group(1))
        link = re.search(r'<p class="attention"><a href="([^"]+)">\d+ ', page)
        if n == 0:
            assert link is None, path
            continue
        linked += 1
        value = own[len("wilayah/"):-len("/index.html")]
        assert link.group(1) == "../" * own.count("/") + "perlu-perhatian/index.html?wilayah=" + value, path
        assert sum(1 for r in rows if r[0] == value or r[0].startswith(value + "/")) == n, path
    assert linked >= 20


# --- the budget ---------------------------------------------------------------------------------------

def test_within_budget_lists_the_most_rows_that_fit():
    calls = []

    def made(n):
        calls.append(n)
        return "page", "é" * 10 * n  # two bytes a character: 20 bytes a row

    assert within_budget(made, 100, 2000) == ("page", "é" * 1000) and calls == [100]
    calls.clear()
    assert within_budget(made, 100, 1109) == ("page", "é" * 550)
    assert len(calls) <= 9
    assert within_budget(made, 100, 5) == ("page", "")


@given(st.lists(st.integers(0, 900), max_size=400), st.integers(0, 5_000), st.integers(0, 400_000))
def test_within_budget_finds_the_most_rows_that_fit_whatever_the_rows_weigh(rows, head, budget):
    sizes = [head + sum(rows[:n]) for n in range(len(rows) + 1)]
    calls = []

    def made(n):
        calls.append(n)
        return str(n), "x" * sizes[n]

    fit = [n for n, size in enumerate(sizes) if size <= budget]
    assert within_budget(made, len(rows), budget)[0] == str(max(fit) if fit else 0)
    assert len(calls) <= 2 * max(len(rows), 1).bit_length() + 2


def test_within_budget_makes_few_pages_when_rows_weigh_about_the_same():
    rng = random.Random(7)
    sizes = [3_000]
    for _ in range(400):
        sizes.append(sizes[-1] + rng.randint(350, 450))
    calls = []

    def made(n):
        calls.append(n)
        return str(n), "x" * sizes[n]

    assert within_budget(made, 400, 100_000)[0] == str(max(n for n, s in enumerate(sizes) if s <= 100_000))
    assert len(calls) <= 6  # halving alone: 11


@pytest.mark.parametrize("name_length", [20, 3000])
def test_a_big_programme_s_list_stays_within_the_budget_and_says_how_many_more(sample, rubric, name_length):
    """3,000 warned groups: the page lists the most urgent that fit in 200 KB, says how many it leaves
    out, and links each kota's page, where they are; an address naming an area none of whose groups is
    listed then shows no row rather than all of them."""
    content, _ = sample
    rows = tuple(AttentionRow(summary(rubric, f"ksm-{n:04d}-" + "x" * name_length, ("mandek",), 300 + n % 50,
                                      kelurahan=f"Kelurahan {n}", assessor=f"Penilai {n % 40}"),
                              ("kota-a" if n % 2 else "kota-b", "kec", f"kel-{n}"))
                 for n in range(MOST_LISTED))
    inputs = WarningsInputs(3000, tuple((k, 3000 if k == "mandek" else 0) for k in URGENCY), rows,
                            (("Kota A", ("kota-a",), 1500), ("Kota B", ("kota-b",), 1500), ("Kota C", ("kota-c",), 0)),
                            dt.date(2024, 6, 30))
    path, pieces = attention_page(PageMaker(rubric, content.site, "en"), inputs)
    page = "".join(pieces)
    assert path == "en/perlu-perhatian/index.html"
    assert len(page.encode()) <= PAGE_BUDGET
    listed = len(rows_of(page.encode()))
    assert 0 < listed < MOST_LISTED
    assert [r[2] for r in rows_of(page.encode())] == [r.group.id for r in rows[:listed]]  # the most urgent
    assert f"The {listed} most urgent of 3,000 groups are listed here. The other {3000 - listed:,} are on" in page
    assert '<a href="../wilayah/kota-a/index.html">Kota A</a>' in page and "kota-c" not in page
    assert 'data-unlisted="An area with none of its groups listed here"' in page
