"""Scoring exactly as DESIGN §4, at every boundary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ksm_site.domain.model import Assessment, ScoredAssessment, Stage, Text
from ksm_site.domain.analyse import as_of_date, facts_of
from ksm_site.domain.score import level_of, reaches, score_group, stage_of, tenths_of, warnings_of

from conftest import LOAN, make_group, values

AS_OF = dt.date(2024, 6, 30)


def levels_for(rubric, points: int, jenis: str = LOAN, gates_at: int = 2) -> dict:
    """Values whose levels sum to ``points``, gate indicators at ``gates_at`` or more.

    Levels are filled in rubric order, so the same points always give the
    same values; banded indicators get the lowest percentage of their level.
    """
    applicable = rubric.applicable(jenis)
    gated = {key for stage in rubric.stages for key, _ in stage.gates}
    levels = {i.key: (gates_at if i.key in gated else 0) for i in applicable}
    remaining = points - sum(levels.values())
    assert remaining >= 0
    for i in applicable:
        add = min(remaining, i.max_level - levels[i.key])
        levels[i.key] += add
        remaining -= add
    assert remaining == 0, "too many points for these indicators"
    result = {}
    for i in applicable:
        level = levels[i.key]
        result[i.key] = (Decimal(0) if level == 0 else i.bands[level - 1]) if i.banded else level
    return result


def scored(rubric, *assessments, **kwargs):
    return score_group(make_group(rubric, *assessments, **kwargs), rubric, AS_OF)


# --- bands -------------------------------------------------------------------

@pytest.mark.parametrize("percent, level", [
    ("0", 0), ("59.9", 0), ("60", 1), ("74.9", 1), ("75", 2), ("89.9", 2), ("90", 3), ("100", 3),
])
def test_attendance_bands(rubric, percent, level):
    assert level_of(rubric.indicator("kehadiran"), Decimal(percent)) == level


@pytest.mark.parametrize("percent, level", [
    ("0", 0), ("79.9", 0), ("80", 1), ("89.9", 1), ("90", 2), ("96.9", 2), ("97", 3), ("100", 3),
])
def test_repayment_bands(rubric, percent, level):
    assert level_of(rubric.indicator("pengembalian_pinjaman"), Decimal(percent)) == level


def test_band_edges_are_exact_not_rounded(rubric):
    indicator = rubric.indicator("kehadiran")
    assert level_of(indicator, Decimal("59.99999")) == 0
    assert level_of(indicator, Decimal("60.00")) == 1


# --- score and stage -----------------------------------------------------------

def test_score_rounds_to_one_decimal_half_up():
    assert tenths_of(19, 30) == 633
    assert tenths_of(20, 30) == 667
    assert tenths_of(13, 27) == 481
    assert tenths_of(1, 80) == 13  # 1.25 -> 1.3, half up, not to even
    assert tenths_of(0, 30) == 0 and tenths_of(30, 30) == 1000


@pytest.mark.parametrize("jenis, points, stage", [
    # 10 indicators (30 points): 50% is exactly 15 points, 75% needs 22.5 -> 23.
    (LOAN, 14, "tunas"), (LOAN, 15, "tumbuh"), (LOAN, 22, "tumbuh"), (LOAN, 23, "kembang"),
    # 9 indicators (27 points): 50% needs 13.5 -> 14, 75% needs 20.25 -> 21.
    ("infrastruktur", 13, "tunas"), ("infrastruktur", 14, "tumbuh"),
    ("infrastruktur", 20, "tumbuh"), ("infrastruktur", 21, "kembang"),
    ("sosial", 13, "tunas"), ("sosial", 21, "kembang"),
])
def test_stage_thresholds(rubric, jenis, points, stage):
    group = scored(rubric, ("2020-01-01", levels_for(rubric, points, jenis)), jenis=jenis)
    latest = group.latest
    assert latest.points == points
    assert latest.max_points == 3 * len(rubric.applicable(jenis))
    assert latest.stage == stage
    assert group.status == stage


def test_threshold_is_compared_in_integers():
    assert reaches(15, 30, Decimal(50))
    assert not reaches(14, 30, Decimal(50))
    assert reaches(21, 27, Decimal(75)) and not reaches(20, 27, Decimal(75))


def test_high_score_with_a_failing_kembang_gate_stays_tumbuh(rubric):
    v = values(rubric, **{key: 3 for key in ("pertemuan_rutin", "agenda_pertemuan", "tabungan_kelompok", "aturan_main",
                                             "pencatatan_keuangan", "kegiatan_pihak_luar", "pembahasan_masalah_kritis")},
               kehadiran=95, pengembalian_pinjaman=99, rekening_aman=1)
    latest = scored(rubric, ("2020-01-01", v)).latest
    assert latest.points == 28 and latest.tenths == 933
    assert latest.stage == "tumbuh"


def test_high_score_with_a_failing_tumbuh_gate_stays_tunas(rubric):
    """Kembang's own gates hold, but a gate of the stage below does not: the gates are cumulative."""
    v = values(rubric, **{key: 3 for key in ("agenda_pertemuan", "tabungan_kelompok", "aturan_main", "pencatatan_keuangan",
                                             "rekening_aman", "kegiatan_pihak_luar", "pembahasan_masalah_kritis")},
               kehadiran=95, pengembalian_pinjaman=99, pertemuan_rutin=1)
    latest = scored(rubric, ("2020-01-01", v)).latest
    assert latest.points == 28
    assert latest.stage == "tunas"


def test_gates_of_every_stage_below_must_hold(rubric):
    """A made-up middle stage with a gate the top stage does not repeat."""
    stages = (
        Stage("a", Text("A", "A"), Text("", ""), Decimal(0), ()),
        Stage("b", Text("B", "B"), Text("", ""), Decimal(10), (("agenda_pertemuan", 3),)),
        Stage("c", Text("C", "C"), Text("", ""), Decimal(20), ()),
    )
    assert stage_of({"agenda_pertemuan": 2}, 30, 30, stages) == "a"
    assert stage_of({"agenda_pertemuan": 3}, 30, 30, stages) == "c"


def test_assessments_are_ordered_by_date_not_by_file_order(rubric):
    group = scored(rubric,
                   ("2021-05-01", levels_for(rubric, 25)),
                   ("2019-05-01", levels_for(rubric, 10, gates_at=1)),
                   ("2020-05-01", levels_for(rubric, 16)))
    assert [a.date.year for a in group.assessments] == [2019, 2020, 2021]
    assert [a.stage for a in group.assessments] == ["tunas", "tumbuh", "kembang"]
    assert group.status == "kembang"


def test_status_dissolved_and_not_assessed(rubric):
    dissolved = scored(rubric, ("2019-01-01", levels_for(rubric, 19)), bubar="2020-01-01")
    assert dissolved.status == "bubar"
    assert dissolved.latest.tenths == 633  # the latest score is kept
    assert dissolved.next_stage is None and dissolved.warnings == ()
    fresh = scored(rubric, dibentuk="2024-01-01")
    assert fresh.status == "belum-dinilai"
    assert fresh.latest is None and fresh.next_stage is None


# --- next stage ------------------------------------------------------------------

def test_next_stage_from_tunas(rubric):
    v = values(rubric, pertemuan_rutin=1, agenda_pertemuan=1, tabungan_kelompok=1, aturan_main=2,
               kehadiran=65, pengembalian_pinjaman=85, pencatatan_keuangan=1, rekening_aman=0,
               kegiatan_pihak_luar=0, pembahasan_masalah_kritis=1)
    group = scored(rubric, ("2020-01-01", v))
    nxt = group.next_stage
    assert group.latest.points == 9
    assert nxt.stage == "tumbuh"
    assert nxt.missing_points == 15 - 9
    assert [(s.indicator, s.level, s.required) for s in nxt.unmet_gates] == [
        ("pertemuan_rutin", 1, 2), ("tabungan_kelompok", 1, 2)]
    # room: rekening_aman 3, kegiatan_pihak_luar 3, then the 2s in rubric order
    assert nxt.suggestions == ("rekening_aman", "kegiatan_pihak_luar", "pertemuan_rutin")


def test_next_stage_from_tumbuh_lists_unmet_gates_in_rubric_order(rubric):
    v = values(rubric, kegiatan_pihak_luar=1, rekening_aman=1, pencatatan_keuangan=2)
    group = scored(rubric, ("2020-01-01", v))
    nxt = group.next_stage
    assert group.status == "tumbuh" and group.latest.points == 18
    assert nxt.stage == "kembang"
    assert nxt.missing_points == 23 - 18
    assert [s.indicator for s in nxt.unmet_gates] == ["rekening_aman", "kegiatan_pihak_luar"]
    assert nxt.suggestions == ("rekening_aman", "kegiatan_pihak_luar", "pertemuan_rutin")


def test_no_missing_points_when_only_a_gate_holds_the_group_back(rubric):
    v = values(rubric, pertemuan_rutin=3, agenda_pertemuan=3, tabungan_kelompok=3, aturan_main=3,
               pembahasan_masalah_kritis=3, kehadiran=95, pengembalian_pinjaman=99, rekening_aman=1)
    nxt = scored(rubric, ("2020-01-01", v)).next_stage
    assert nxt.missing_points == 0
    assert [s.indicator for s in nxt.unmet_gates] == ["rekening_aman"]


def test_no_next_stage_at_the_top(rubric):
    group = scored(rubric, ("2020-01-01", levels_for(rubric, 30)))
    assert group.status == "kembang" and group.next_stage is None


def test_suggestions_skip_indicators_at_the_top_level(rubric):
    v = values(rubric, **{k: 3 for k in ("pertemuan_rutin", "agenda_pertemuan", "tabungan_kelompok", "aturan_main",
                                         "pencatatan_keuangan", "kegiatan_pihak_luar", "pembahasan_masalah_kritis")},
               kehadiran=95, pengembalian_pinjaman=99, rekening_aman=1)
    group = scored(rubric, ("2020-01-01", v))
    assert group.status == "tumbuh"
    assert group.next_stage.suggestions == ("rekening_aman",)


def test_focus_of_a_kembang_group_follows_the_same_rule(rubric):
    v = values(rubric, pertemuan_rutin=3, agenda_pertemuan=3, tabungan_kelompok=3, aturan_main=3,
               kehadiran=95, pengembalian_pinjaman=99, pembahasan_masalah_kritis=3)
    group = scored(rubric, ("2020-01-01", v))
    assert group.status == "kembang" and group.next_stage is None
    assert group.focus == ("pencatatan_keuangan", "rekening_aman", "kegiatan_pihak_luar")


# --- warnings --------------------------------------------------------------------

def warns(rubric, *assessments, as_of=AS_OF, **kwargs):
    group = make_group(rubric, *assessments, **kwargs)
    return warnings_of(group, score_group(group, rubric, as_of).assessments, rubric, as_of)


def test_turun_tahap_on_and_off(rubric):
    kembang, tumbuh = levels_for(rubric, 25), levels_for(rubric, 18)
    assert "turun-tahap" in warns(rubric, ("2023-01-01", kembang), ("2024-01-01", tumbuh))
    assert "turun-tahap" not in warns(rubric, ("2023-01-01", tumbuh), ("2024-01-01", levels_for(rubric, 16)))
    assert "turun-tahap" not in warns(rubric, ("2024-01-01", tumbuh))


def test_skor_turun_on_and_just_off(rubric):
    # 30 points max: 15 points of score are 4.5 level points; 5 is enough, 4 is not.
    assert "skor-turun" in warns(rubric, ("2023-01-01", levels_for(rubric, 25)), ("2024-01-01", levels_for(rubric, 20)))
    assert "skor-turun" not in warns(rubric, ("2023-01-01", levels_for(rubric, 25)), ("2024-01-01", levels_for(rubric, 21)))
    # 27 points max: 15 points of score are 4.05 level points.
    infra = "infrastruktur"
    assert "skor-turun" in warns(rubric, ("2023-01-01", levels_for(rubric, 20, infra)),
                                 ("2024-01-01", levels_for(rubric, 15, infra)), jenis=infra)
    assert "skor-turun" not in warns(rubric, ("2023-01-01", levels_for(rubric, 20, infra)),
                                     ("2024-01-01", levels_for(rubric, 16, infra)), jenis=infra)


def test_skor_turun_at_exactly_fifteen_points(rubric):
    """Out of 20 points a 3-point drop is exactly 15 score points: on; 2 points is 10: off."""
    before = Assessment(dt.date(2023, 1, 1), "", {}, None, "", 0)
    after = Assessment(dt.date(2024, 1, 1), "", {}, None, "", 0)
    group = make_group(rubric)

    def drop_to(points):
        prev = ScoredAssessment(before, {}, 13, 20, tenths_of(13, 20), "tumbuh")
        last = ScoredAssessment(after, {}, points, 20, tenths_of(points, 20), "tumbuh")
        return warnings_of(group, (prev, last), rubric, AS_OF)

    assert "skor-turun" in drop_to(10)
    assert "skor-turun" not in drop_to(11)


def test_pengembalian_rendah_on_and_just_off(rubric):
    assert "pengembalian-rendah" in warns(rubric, ("2024-01-01", values(rubric, pengembalian_pinjaman="89.9")))
    assert "pengembalian-rendah" in warns(rubric, ("2024-01-01", values(rubric, pengembalian_pinjaman="50")))
    assert "pengembalian-rendah" not in warns(rubric, ("2024-01-01", values(rubric, pengembalian_pinjaman="90")))
    # only the latest assessment counts
    assert "pengembalian-rendah" not in warns(rubric, ("2023-01-01", values(rubric, pengembalian_pinjaman="50")),
                                              ("2024-01-01", values(rubric, pengembalian_pinjaman="95")))
    # never for a type it does not apply to
    assert "pengembalian-rendah" not in warns(rubric, ("2024-01-01", values(rubric, "sosial")), jenis="sosial")


def test_kehadiran_menurun_on_and_off(rubric):
    def att(*percents):
        return [(f"202{n}-01-01", values(rubric, kehadiran=p)) for n, p in enumerate(percents)]
    assert "kehadiran-menurun" in warns(rubric, *att(90, 80, 79.9))
    assert "kehadiran-menurun" in warns(rubric, *att(50, 95, 90, 85))  # only the last three count
    assert "kehadiran-menurun" not in warns(rubric, *att(90, 80, 80))
    assert "kehadiran-menurun" not in warns(rubric, *att(90, 90, 80))
    assert "kehadiran-menurun" not in warns(rubric, *att(90, 80))
    assert "kehadiran-menurun" not in warns(rubric, *att(90, 80, 70, 75))


def test_penilaian_lama_on_and_just_off(rubric):
    v = values(rubric)
    assert "penilaian-lama" in warns(rubric, ("2023-06-29", v), as_of=dt.date(2024, 6, 29))  # 366 days, leap year
    assert "penilaian-lama" not in warns(rubric, ("2023-06-30", v), as_of=dt.date(2024, 6, 29))  # 365 days
    # never assessed: counted from dibentuk
    assert "penilaian-lama" in warns(rubric, dibentuk="2023-01-01", as_of=dt.date(2024, 1, 2))
    assert "penilaian-lama" not in warns(rubric, dibentuk="2023-01-02", as_of=dt.date(2024, 1, 2))


def test_dissolved_groups_get_no_warnings(rubric):
    result = warns(rubric, ("2020-01-01", levels_for(rubric, 25)), ("2021-01-01", values(rubric, pengembalian_pinjaman=50)),
                   bubar="2021-06-01")
    assert result == ()


def test_warnings_come_in_rubric_order(rubric):
    result = warns(rubric,
                   ("2020-01-01", levels_for(rubric, 27)),
                   ("2021-01-01", values(rubric, kehadiran=95)),
                   ("2021-06-01", values(rubric, kehadiran=80)),
                   ("2022-01-01", values(rubric, kehadiran=70, pengembalian_pinjaman=60, rekening_aman=1,
                                         agenda_pertemuan=0)),
                   as_of=dt.date(2024, 1, 1))
    assert result == ("turun-tahap", "skor-turun", "pengembalian-rendah", "kehadiran-menurun", "penilaian-lama")


# --- as-of date ---------------------------------------------------------------------

def test_as_of_is_the_latest_assessment_or_dissolution(rubric):
    a = make_group(rubric, ("2022-03-01", values(rubric)))
    b = make_group(rubric, ("2021-03-01", values(rubric)), bubar="2023-02-01")
    c = make_group(rubric, dibentuk="2024-05-01")
    assert as_of_date(map(facts_of, [a, b, c])) == dt.date(2023, 2, 1)
    assert as_of_date(map(facts_of, [a, c])) == dt.date(2022, 3, 1)
    assert as_of_date(map(facts_of, [c])) == dt.date(2024, 5, 1)
    assert as_of_date(map(facts_of, [])) is None


# --- mandek: stalled at Tunas ----------------------------------------------------------

def tunas(rubric):
    return levels_for(rubric, 10, gates_at=1)


def test_mandek_at_730_days_and_not_at_729(rubric):
    """The run of Tunas assessments ending with the latest must start at least 730 days before it."""
    first = dt.date(2021, 1, 1)
    for days, expected in ((729, False), (730, True), (731, True)):
        latest = (first + dt.timedelta(days=days)).isoformat()
        found = warns(rubric, (first.isoformat(), tunas(rubric)), ("2021-08-01", tunas(rubric)),
                      (latest, tunas(rubric)), as_of=dt.date.fromisoformat(latest))
        assert ("mandek" in found) is expected, days


def test_mandek_counts_the_run_of_tunas_ending_with_the_latest(rubric):
    tumbuh = levels_for(rubric, 18)
    # A Tumbuh assessment between breaks the run: it starts again after it, 700 days before the latest.
    broken = [("2019-01-01", tunas(rubric)), ("2020-01-01", tumbuh), ("2020-06-01", tunas(rubric)),
              ("2022-05-02", tunas(rubric))]
    assert "mandek" not in warns(rubric, *broken, as_of=dt.date(2022, 5, 2))
    # The same group with Tunas there too: one run of more than three years.
    unbroken = [broken[0], ("2020-01-01", tunas(rubric)), *broken[2:]]
    assert "mandek" in warns(rubric, *unbroken, as_of=dt.date(2022, 5, 2))
    # The latest assessment not at Tunas: no run at all, however long the Tunas years before it.
    assert "mandek" not in warns(rubric, *unbroken, ("2022-09-01", tumbuh), as_of=dt.date(2022, 9, 1))
    # One assessment is a run of no days; a group never assessed has no run.
    assert "mandek" not in warns(rubric, ("2019-01-01", tunas(rubric)), as_of=dt.date(2022, 5, 2))
    assert "mandek" not in warns(rubric, dibentuk="2016-01-01", as_of=dt.date(2022, 5, 2))


def test_mandek_is_judged_between_assessments_not_at_the_as_of_date(rubric):
    """Two Tunas assessments 400 days apart stay short of a stall however long ago the latest was (that is
    penilaian-lama's business)."""
    found = warns(rubric, ("2019-01-01", tunas(rubric)), ("2020-02-05", tunas(rubric)), as_of=dt.date(2024, 6, 30))
    assert "mandek" not in found and "penilaian-lama" in found


def test_a_dissolved_group_is_never_mandek(rubric):
    assert warns(rubric, ("2019-01-01", tunas(rubric)), ("2022-01-01", tunas(rubric)), bubar="2022-06-01") == ()


def test_mandek_comes_between_kehadiran_menurun_and_penilaian_lama(rubric):
    assert [r.key for r in rubric.warnings] == [
        "turun-tahap", "skor-turun", "pengembalian-rendah", "kehadiran-menurun", "mandek", "penilaian-lama"]
    result = warns(rubric,
                   ("2019-01-01", values(rubric, kehadiran=95, pertemuan_rutin=1)),
                   ("2020-01-01", values(rubric, kehadiran=80, pertemuan_rutin=1)),
                   ("2021-06-01", values(rubric, kehadiran=70, pertemuan_rutin=1, pengembalian_pinjaman=60)),
                   as_of=dt.date(2024, 1, 1))
    assert result == ("pengembalian-rendah", "kehadiran-menurun", "mandek", "penilaian-lama")
