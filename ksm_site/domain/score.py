"""(Group, Rubric) -> ScoredGroup: the only place rubric arithmetic lives.

Everything here follows DESIGN §4 and is exact: a percentage is placed in
its band with ``Decimal`` comparisons, a threshold is compared as
``points * 100 >= min * max_points``, and the one-decimal score is rounded
half up from the exact fraction. ``max_points`` is the sum of the applicable
indicators' highest levels, which is ``3 * |A|`` for the default rubric.

Decisions where DESIGN §4 is silent:

* ``syarat_belum`` lists each unmet gate indicator once, in rubric order,
  against the highest level any stage up to the target asks of it.
* A dissolved group keeps the score of its latest assessment (``skor``);
  its ``tahap`` is ``bubar`` and it gets no next stage and no warnings.
* With no assessment and no ``bubar`` date anywhere in the content, the
  as-of date is the latest ``dibentuk``; with no groups at all, None.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from .model import (
    DISSOLVED, NOT_ASSESSED, Assessment, GateShortfall, Group, Indicator, NextStage, Rubric,
    ScoredAssessment, ScoredGroup, Stage,
)


def level_of(indicator: Indicator, value) -> int:
    """The level a written value earns: itself, or its band for a percentage."""
    if indicator.banded:
        return sum(1 for minimum in indicator.bands if value >= minimum)
    return value


def reaches(points: int, max_points: int, min_score) -> bool:
    """Whether ``points`` out of ``max_points`` reach a minimum score, exactly."""
    return points * 100 >= min_score * max_points


def tenths_of(points: int, max_points: int) -> int:
    """The score times ten, rounded half up: 19 of 30 points -> 633."""
    return (2000 * points + max_points) // (2 * max_points)


def gates_hold(stage: Stage, levels: dict[str, int]) -> bool:
    return all(levels[key] >= required for key, required in stage.gates if key in levels)


def stage_of(levels: dict[str, int], points: int, max_points: int, stages: tuple[Stage, ...]) -> str:
    """The highest stage whose minimum is reached and whose gates, and all lower stages' gates, hold."""
    reached = stages[0].key
    gates_so_far = True
    for stage in stages:
        gates_so_far = gates_so_far and gates_hold(stage, levels)
        if gates_so_far and reaches(points, max_points, stage.min_score):
            reached = stage.key
    return reached


def band_of(points: int, max_points: int, stages: tuple[Stage, ...]) -> str:
    """The highest stage whose minimum score is reached, whatever the gates: the band of the progression
    chart the score is drawn in. Above ``stage_of``'s stage when a gate held the group below it."""
    reached = stages[0].key
    for stage in stages:
        if reaches(points, max_points, stage.min_score):
            reached = stage.key
    return reached


def score_assessment(assessment: Assessment, applicable: tuple[Indicator, ...],
                     stages: tuple[Stage, ...]) -> ScoredAssessment:
    levels = {i.key: level_of(i, assessment.values[i.key]) for i in applicable}
    points = sum(levels.values())
    max_points = sum(i.max_level for i in applicable)
    return ScoredAssessment(
        assessment=assessment, levels=levels, points=points, max_points=max_points,
        tenths=tenths_of(points, max_points), stage=stage_of(levels, points, max_points, stages),
        band=band_of(points, max_points, stages))


def next_stage_of(latest: ScoredAssessment, applicable: tuple[Indicator, ...],
                  stages: tuple[Stage, ...]) -> NextStage | None:
    """What the group needs for the stage above its latest one; None at the top."""
    keys = [s.key for s in stages]
    position = keys.index(latest.stage)
    if position + 1 == len(stages):
        return None
    target = stages[position + 1]
    needed = math.ceil(Fraction(target.min_score) * latest.max_points / 100)
    required: dict[str, int] = {}
    for stage in stages[: position + 2]:
        for key, level in stage.gates:
            required[key] = max(required.get(key, 0), level)
    levels = latest.levels
    unmet = tuple(GateShortfall(i.key, levels[i.key], required[i.key])
                  for i in applicable if i.key in required and levels[i.key] < required[i.key])
    return NextStage(target.key, max(0, needed - latest.points), unmet, room_to_grow(latest, applicable))


def room_to_grow(latest: ScoredAssessment, applicable: tuple[Indicator, ...], limit: int = 3) -> tuple[str, ...]:
    """Up to ``limit`` indicators below their top level, most room first, ties in rubric order."""
    below_top = [i for i in applicable if latest.levels[i.key] < i.max_level]
    below_top.sort(key=lambda i: -(i.max_level - latest.levels[i.key]))  # stable sort keeps rubric order
    return tuple(i.key for i in below_top[:limit])


def stalled_since(scored: tuple[ScoredAssessment, ...], stage: str) -> dt.date | None:
    """The date of the first of the assessments at ``stage`` that run unbroken up to the latest one (the
    longest such run); None when the latest is at another stage, or there is none."""
    since = None
    for assessment in reversed(scored):
        if assessment.stage != stage:
            break
        since = assessment.date
    return since


def warnings_of(group: Group, scored: tuple[ScoredAssessment, ...], rubric: Rubric, as_of: dt.date) -> tuple[str, ...]:
    """The keys of the rubric's warnings that hold for an active group, in rubric order (their order of
    urgency). ``mandek`` compares the dates of assessments, not the as-of date: a stall is what the group's
    assessments show; how long ago the latest was is ``penilaian-lama``'s to say."""
    if group.bubar is not None:
        return ()
    stage_rank = {s.key: n for n, s in enumerate(rubric.stages)}
    latest = scored[-1] if scored else None
    previous = scored[-2] if len(scored) >= 2 else None
    found = []
    for rule in rubric.warnings:
        if rule.key == "turun-tahap":
            hit = previous is not None and stage_rank[latest.stage] < stage_rank[previous.stage]
        elif rule.key == "skor-turun":
            hit = previous is not None and (previous.points - latest.points) * 100 >= rule.min_drop * latest.max_points
        elif rule.key == "pengembalian-rendah":
            hit = latest is not None and rule.indicator in latest.levels and latest.levels[rule.indicator] <= rule.max_level
        elif rule.key == "kehadiran-menurun":
            values = [s.assessment.values[rule.indicator] for s in scored[-3:]
                      if rule.indicator in s.assessment.values]
            hit = len(values) == 3 and values[0] > values[1] > values[2]
        elif rule.key == "mandek":
            since = stalled_since(scored, rule.stage)
            hit = since is not None and (latest.date - since).days >= rule.days
        elif rule.key == "penilaian-lama":
            since = latest.date if latest else group.dibentuk
            hit = (as_of - since).days > rule.days
        else:  # validate.py admits only the keys above
            raise ValueError(f"unknown warning {rule.key!r}")
        if hit:
            found.append(rule.key)
    return tuple(found)


def score_group(group: Group, rubric: Rubric, as_of: dt.date) -> ScoredGroup:
    applicable = rubric.applicable(group.jenis)
    scored = tuple(score_assessment(a, applicable, rubric.stages) for a in group.assessments)
    latest = scored[-1] if scored else None
    if group.bubar is not None:
        status = DISSOLVED
    elif latest is None:
        status = NOT_ASSESSED
    else:
        status = latest.stage
    active_and_assessed = status not in (DISSOLVED, NOT_ASSESSED)
    return ScoredGroup(
        group, scored, status,
        next_stage=next_stage_of(latest, applicable, rubric.stages) if active_and_assessed else None,
        warnings=warnings_of(group, scored, rubric, as_of),
        focus=room_to_grow(latest, applicable) if active_and_assessed else (),
    )
