"""The form's scorer (templates/static/skor.js) and the build's (ksm_site/domain/score.py) agree.

The form scores in the browser from the rubric the build publishes (``form.rubric_record``, the
contents of data/rubrik.json). Here both score the same assessments, in Debian's Chromium and in
Python, and every result must be equal: the level of each indicator, points, score, stage, the band
of the score, and the next stage (target, points missing, unmet requirements, suggestions).

* Every band edge and every requirement of the sample rubric, systematically: for each jenis, every
  total of points, with each requirement of every stage just met or just missed, and percentages
  exactly on a band's edge or 0.01 below it.
* Generated assessments (Hypothesis, derandomized) under generated rubrics: minimum scores and band
  edges with decimals (33.33, 62.5), requirements on any indicator, including one a jenis does not
  have, so that no rule of the JavaScript can lean on the sample's round numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ksm_site.domain.model import Assessment, Rubric
from ksm_site.domain.score import next_stage_of, room_to_grow, score_assessment
from ksm_site.site.form import rubric_record

from conftest import ROOT, load_rubric
from test_browser import browser  # noqa: F401 (fixture)

SCORER = ROOT / "templates/static/skor.js"
RUBRIC = load_rubric()


@pytest.fixture(scope="module")
def scorer(browser):
    page = browser.new_page()
    page.set_content("<!doctype html><title>skor</title>")
    page.add_script_tag(content=Path(SCORER).read_text(encoding="utf-8"))

    def score_all(rubric: Rubric, cases: list[tuple[str, dict]]) -> list[dict]:
        return page.evaluate("([rubric, cases]) => cases.map(([jenis, values]) => KsmSkor.score(rubric, jenis, values))",
                             [rubric_record(rubric), [[jenis, as_js(values)] for jenis, values in cases]])
    yield score_all
    page.close()


def as_js(values: dict) -> dict:
    """As the form hands values to the scorer: levels as numbers, percentages as the decimal text typed."""
    return {key: format(value, "f") if isinstance(value, Decimal) else value for key, value in values.items()}


def expected(rubric: Rubric, jenis: str, values: dict) -> dict:
    applicable = rubric.applicable(jenis)
    scored = score_assessment(Assessment(dt.date(2024, 1, 1), "", values, None, "", 0), applicable, rubric.stages)
    following = next_stage_of(scored, applicable, rubric.stages)
    suggestions = list(room_to_grow(scored, applicable))
    return {
        "level": scored.levels, "poin": scored.points, "poin_maks": scored.max_points, "persepuluh": scored.tenths,
        "tahap": scored.stage, "pita": scored.band, "saran": suggestions,
        "menuju": None if following is None else {
            "tahap": following.stage, "kurang_poin": following.missing_points,
            "syarat_belum": [{"indikator": s.indicator, "level": s.level, "syarat": s.required}
                             for s in following.unmet_gates],
            "saran": list(following.suggestions)},
    }


def assert_same(scorer, rubric: Rubric, cases: list[tuple[str, dict]]) -> None:
    got = scorer(rubric, cases)
    for (jenis, values), js in zip(cases, got):
        assert js == expected(rubric, jenis, values), (jenis, values)


# --------------------------------------------------------------------------
# Every band edge and every requirement of the sample rubric


def value_at(indicator, level: int, below_edge: bool):
    """A value of ``level``: a percentage on its band's lower edge (or 0.01 under the next edge)."""
    if not indicator.banded:
        return level
    if below_edge:
        return indicator.bands[level] - Decimal("0.01") if level < indicator.max_level else Decimal(100)
    return indicator.bands[level - 1] if level else Decimal(0)


def edge_cases(rubric: Rubric) -> list[tuple[str, dict]]:
    cases = []
    for jenis in (j.key for j in rubric.jenis):
        applicable = rubric.applicable(jenis)
        keys = [i.key for i in applicable]
        gates = sorted({key for stage in rubric.stages for key, _ in stage.gates if key in keys})
        required = {key: max(level for stage in rubric.stages for k, level in stage.gates if k == key) for key in gates}
        top = sum(i.max_level for i in applicable)
        for missed in itertools.product((False, True), repeat=len(gates)):
            fixed = {key: required[key] - 1 if miss else required[key] for key, miss in zip(gates, missed)}
            free = [i for i in applicable if i.key not in fixed]
            for points in range(top + 1):
                rest = points - sum(fixed.values())
                if not 0 <= rest <= sum(i.max_level for i in free):
                    continue
                for order in (free, free[::-1]):  # the points at the front, or at the back
                    levels, left = dict(fixed), rest
                    for i in order:
                        levels[i.key] = min(i.max_level, left)
                        left -= levels[i.key]
                    for below in (False, True):
                        cases.append((jenis, {i.key: value_at(i, levels[i.key], below) for i in applicable}))
    return cases


def test_every_band_edge_and_every_requirement_of_the_rubric(scorer):
    cases = edge_cases(RUBRIC)
    assert len(cases) > 5000
    assert_same(scorer, RUBRIC, cases)
    results = [expected(RUBRIC, jenis, values) for jenis, values in cases]
    assert {r["tahap"] for r in results} == {s.key for s in RUBRIC.stages}
    assert {(r["pita"], r["tahap"]) for r in results if r["pita"] != r["tahap"]} == {  # held below a band by a requirement
        ("tumbuh", "tunas"), ("kembang", "tunas"), ("kembang", "tumbuh")}


# --------------------------------------------------------------------------
# Generated rubrics and assessments


def decimals(low: int, high: int, places: int = 2):
    """Decimals from low to high with up to ``places`` decimals, as a rubric or a percentage is written."""
    return st.integers(low * 10 ** places, high * 10 ** places).map(lambda n: Decimal(n).scaleb(-places).normalize()
                                                                  if n else Decimal(0))


@st.composite
def rubrics(draw) -> Rubric:
    keys = [i.key for i in RUBRIC.indicators]
    minimums = sorted(draw(st.lists(decimals(0, 100), min_size=len(RUBRIC.stages) - 1,
                                    max_size=len(RUBRIC.stages) - 1)))
    stages = [dataclasses.replace(RUBRIC.stages[0], gates=())]
    for stage, minimum in zip(RUBRIC.stages[1:], minimums):
        gates = draw(st.dictionaries(st.sampled_from(keys), st.integers(0, 3), max_size=4))
        stages.append(dataclasses.replace(stage, min_score=minimum, gates=tuple(gates.items())))
    indicators = []
    for i in RUBRIC.indicators:
        if i.banded:
            edges = sorted(draw(st.sets(decimals(0, 100), min_size=i.max_level, max_size=i.max_level)))
            i = dataclasses.replace(i, bands=tuple(edges))
        indicators.append(i)
    return dataclasses.replace(RUBRIC, indicators=tuple(indicators), stages=tuple(stages))


@st.composite
def assessments(draw, rubric: Rubric) -> tuple[str, dict]:
    jenis = draw(st.sampled_from([j.key for j in rubric.jenis]))
    values = {}
    for i in rubric.applicable(jenis):
        if i.banded:
            near = [edge + step for edge in i.bands for step in (Decimal("-0.01"), Decimal(0), Decimal("0.01"))]
            values[i.key] = draw(st.one_of(st.sampled_from([v for v in near if 0 <= v <= 100] + [Decimal(0), Decimal(100)]),
                                           decimals(0, 100)))
        else:
            values[i.key] = draw(st.integers(0, i.max_level))
    return jenis, values


@st.composite
def rubric_and_assessments(draw):
    rubric = draw(st.one_of(st.just(RUBRIC), rubrics()))
    return rubric, draw(st.lists(assessments(rubric), min_size=1, max_size=25))


@settings(derandomize=True, database=None, deadline=None, max_examples=300,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rubric_and_assessments())
def test_generated_assessments_under_generated_rubrics(scorer, drawn):
    rubric, cases = drawn
    assert_same(scorer, rubric, cases)
