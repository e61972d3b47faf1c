"""The values that flow through the pipeline: frozen dataclasses, fully formed.

Nothing here reads files or computes scores. Mappings inside these values
(``dict``) are never mutated after construction; they are dicts rather than
read-only proxies so that values can be pickled to worker processes.

Rubric numbers (band edges, minimum scores) are ``Decimal`` so that every
threshold is compared exactly; percentages written in content are
``Decimal`` for the same reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

# The group's status when it is not in one of the rubric's stages. These two
# keys are part of the published contract (DESIGN §4, §5); their display
# names come from the rubric.
DISSOLVED = "bubar"
NOT_ASSESSED = "belum-dinilai"


@dataclass(frozen=True)
class Text:
    """A text in every language the site is built in."""

    id: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.id


# --------------------------------------------------------------------------
# The rubric (content/rubric.yaml)


@dataclass(frozen=True)
class Choice:
    """One allowed value of an enumerated field: a ``jenis`` or a partner's ``bentuk``."""

    key: str
    name: Text


@dataclass(frozen=True)
class Indicator:
    key: str
    name: Text
    question: Text
    """What the assessor looks at."""
    levels: tuple[Text, ...]
    """Description of each level, from 0 up to ``max_level``."""
    action: Text
    """What a facilitator can do with the group to raise this indicator."""
    applies_to: frozenset[str]
    """The ``jenis`` keys this indicator is assessed for."""
    bands: tuple[Decimal, ...] = ()
    """For banded indicators, the minimum percentage of levels 1..max_level."""

    @property
    def max_level(self) -> int:
        return len(self.levels) - 1

    @property
    def banded(self) -> bool:
        return bool(self.bands)


@dataclass(frozen=True)
class Stage:
    key: str
    name: Text
    meaning: Text
    min_score: Decimal
    gates: tuple[tuple[str, int], ...]
    """``(indicator key, minimum level)`` pairs that must all hold."""


@dataclass(frozen=True)
class WarningRule:
    """One warning's definition; its parameters depend on its ``key``."""

    key: str
    name: Text
    meaning: Text
    advice: Text
    first_step: Text
    """The advice in a few words: what a row of the attention list says to do first."""
    indicator: str = ""
    max_level: int = 0
    min_drop: Decimal = Decimal(0)
    days: int = 0
    stage: str = ""
    """The stage a group stalls at (``mandek``)."""


@dataclass(frozen=True)
class Rubric:
    jenis: tuple[Choice, ...]
    partner_kinds: tuple[Choice, ...]
    indicators: tuple[Indicator, ...]
    stages: tuple[Stage, ...]
    status_names: dict[str, Text]
    """Display names of ``bubar`` and ``belum-dinilai``."""
    assets: tuple[Choice, ...]
    asset_max: int
    warnings: tuple[WarningRule, ...]

    def applicable(self, jenis: str) -> tuple[Indicator, ...]:
        """The indicators assessed for a group of this ``jenis``, in rubric order."""
        return tuple(i for i in self.indicators if jenis in i.applies_to)

    def indicator(self, key: str) -> Indicator:
        return self._indicators[key]

    @cached_property
    def _indicators(self) -> dict[str, Indicator]:
        """By key: pages look indicators up tens of times each."""
        return {i.key: i for i in self.indicators}

    def stage(self, key: str) -> Stage:
        return next(s for s in self.stages if s.key == key)

    def status_name(self, key: str) -> Text:
        """Display name of any value of a group's ``tahap``."""
        for stage in self.stages:
            if stage.key == key:
                return stage.name
        return self.status_names[key]

    @property
    def status_keys(self) -> tuple[str, ...]:
        """Every value a group's ``tahap`` can take, in display order."""
        return (NOT_ASSESSED, *(s.key for s in self.stages), DISSOLVED)


@dataclass(frozen=True)
class Site:
    """Site settings (content/site.yaml)."""

    title: Text
    description: Text
    base_url: str
    languages: tuple[str, ...]
    hide_names: bool = False
    """``nama_orang: sembunyikan``: people's names (a group's ``ketua``, an assessment's ``penilai``) are
    kept off every published page, search entry and download (Indonesia's personal data law, UU 27/2022)."""
    repo: str = ""
    """The GitHub repository holding the content, ``owner/name`` (``repo:``); empty when not named. The
    assessment form links to its files in GitHub's editor."""
    branch: str = "main"
    """The branch those links open (``cabang:``)."""


# --------------------------------------------------------------------------
# Groups (content/groups/**)


@dataclass(frozen=True, slots=True)
class Area:
    provinsi: str
    kota: str
    kecamatan: str
    kelurahan: str

    def __reduce__(self):
        return _area, (self.provinsi, self.kota, self.kecamatan, self.kelurahan)


def _area(*names: str) -> Area:
    """An ``Area`` read back from a pickle, its names shared with every other read back (see ``GroupSummary``)."""
    return Area(*map(sys.intern, names))


@dataclass(frozen=True)
class Partner:
    nama: str
    bentuk: str
    sejak: dt.date | None


@dataclass(frozen=True)
class Assessment:
    date: dt.date
    assessor: str
    values: dict[str, int | Decimal]
    """What was written per applicable indicator: a level, or a percentage
    (``Decimal``, 0..100) for banded indicators. In rubric order."""
    assets: dict[str, int] | None
    note: str
    """Markdown, as written."""
    line: int


@dataclass(frozen=True)
class Group:
    id: str
    source: str
    """The file it came from, as the user names it."""
    nama: str
    jenis: str
    wilayah: Area
    dibentuk: dt.date
    anggota: int | None
    ketua: str
    usaha: tuple[str, ...]
    mitra: tuple[Partner, ...]
    bubar: dt.date | None
    assessments: tuple[Assessment, ...]
    """Sorted by date."""
    story: str
    """Markdown body of a ``.md`` file; empty for ``.yaml``."""


# --------------------------------------------------------------------------
# Scores (score.py)


@dataclass(frozen=True)
class ScoredAssessment:
    assessment: Assessment
    levels: dict[str, int]
    """Level of every applicable indicator, in rubric order."""
    points: int
    max_points: int
    tenths: int
    """The score times ten, rounded half up: 633 for 63.3."""
    stage: str
    band: str = ""
    """The highest stage whose minimum the score reaches, whatever the gates (``score.band_of``): above
    ``stage`` when a gate held the group below the band its score is in; empty when not worked out."""

    @property
    def held(self) -> bool:
        """Whether a gate held this assessment below the band its score is in."""
        return bool(self.band) and self.band != self.stage

    @property
    def score(self) -> float:
        return self.tenths / 10

    @property
    def date(self) -> dt.date:
        return self.assessment.date


@dataclass(frozen=True)
class GateShortfall:
    indicator: str
    level: int
    required: int


@dataclass(frozen=True)
class NextStage:
    """What an active group needs to reach the next stage."""

    stage: str
    missing_points: int
    unmet_gates: tuple[GateShortfall, ...]
    """In rubric order of indicators."""
    suggestions: tuple[str, ...]
    """Up to three indicator keys with room to grow, most room first."""


@dataclass(frozen=True)
class ScoredGroup:
    group: Group
    assessments: tuple[ScoredAssessment, ...]
    status: str
    """A stage key, ``bubar`` or ``belum-dinilai``."""
    next_stage: NextStage | None
    warnings: tuple[str, ...] = field(default=())
    focus: tuple[str, ...] = field(default=())
    """For an active, assessed group: up to three indicators of its latest
    assessment with room to grow, most room first, ties in rubric order (the
    same rule as ``NextStage.suggestions``, also for a group at the top stage)."""

    @property
    def latest(self) -> ScoredAssessment | None:
        return self.assessments[-1] if self.assessments else None

    @property
    def id(self) -> str:
        return self.group.id


# --------------------------------------------------------------------------
# What the programme-wide steps keep of each group (analyse.py)


@dataclass(frozen=True)
class Facts:
    """What the programme-wide values need of one valid group, before it is scored.

    The as-of date, the shared time axis of the progression charts, the
    timeline's periods, the survival chart's span and the areas' URL slugs
    are all made from these, so a build can work them out for 100,000
    groups without holding the groups.
    """

    id: str
    dibentuk: dt.date
    bubar: dt.date | None
    latest: dt.date | None
    """The latest assessment or dissolution date, None with neither."""
    area: tuple[str, str, str]
    """The names of its kota, kecamatan and kelurahan."""


Shared = str
"""Text that many values hold alike (a kind, a stage, a warning, a place name, an indicator key): read back
from a record interned (``sys.intern``), so 100,000 summaries share one copy of each."""


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """One scored group as the index, the area pages and their analyses need it.

    Small on purpose: the programme's pages are made from one of these per
    group, never from the groups themselves, so a build holds 100,000 of
    them in memory where it could not hold 100,000 ``ScoredGroup`` values.
    It travels (between processes, into the build's cache) as a record of
    plain values (``SUMMARY_RECORD``).
    """

    id: str
    nama: str
    jenis: Shared
    wilayah: Area
    dibentuk: dt.date
    bubar: dt.date | None
    status: Shared
    warnings: tuple[Shared, ...]
    stages: tuple[tuple[dt.date, Shared], ...]
    """(date, stage) of every assessment, by date."""
    latest_tenths: int | None
    """The latest assessment's score times ten; None when never assessed."""
    previous_tenths: int | None
    """The score of the assessment before the latest, times ten; None with fewer than two."""
    first_step: Shared
    """For an active, assessed group: the indicator to work on first (the first unmet requirement of the
    next stage, else the one with the most room to grow); else ''."""
    assessor: Shared
    """Who made the latest assessment (its ``penilai``); empty when never assessed or not named."""
    latest_levels: dict[Shared, int]
    """The latest assessment's level per applicable indicator; empty when never assessed."""
    first_assets: dict[Shared, int] | None
    """Assets at the first assessment that rated them; None when none did."""
    latest_assets: dict[Shared, int] | None
    """Assets at the latest assessment that rated them; None when none did."""

    @property
    def latest_date(self) -> dt.date | None:
        return self.stages[-1][0] if self.stages else None

    def __reduce__(self):
        return summary_from_record, (SUMMARY_RECORD.record(self),)


# --------------------------------------------------------------------------
# Records: small values as tuples of plain values, and back


CONVERSIONS = {
    "str": ("{0}", "{0}"),
    "int": ("{0}", "{0}"),
    "int | None": ("{0}", "{0}"),
    "Shared": ("{0}", "intern({0})"),
    "dt.date": ("{0}.toordinal()", "fromordinal({0})"),
    "dt.date | None": ("None if {0} is None else {0}.toordinal()", "None if {0} is None else fromordinal({0})"),
    "Area": ("({0}.provinsi, {0}.kota, {0}.kecamatan, {0}.kelurahan)", "Area(*map(intern, {0}))"),
    "tuple[str, str, str]": ("{0}", "tuple(map(intern, {0}))"),
    "tuple[Shared, ...]": ("{0}", "tuple(map(intern, {0}))"),
    "tuple[tuple[dt.date, Shared], ...]": ("tuple([(d.toordinal(), k) for d, k in {0}])",
                                           "tuple([(fromordinal(d), intern(k)) for d, k in {0}])"),
    "dict[Shared, int]": ("{0}", "{{intern(k): v for k, v in {0}.items()}}"),
    "dict[Shared, int] | None": ("{0}", "None if {0} is None else {{intern(k): v for k, v in {0}.items()}}"),
}
"""How a field of each type goes into a record (plain values that ``marshal`` and ``pickle`` write fast:
dates as ordinals) and comes back, by the field's annotation: each an expression of the value ``{0}``."""


class Record:
    """A frozen dataclass <-> a tuple of plain values, field by field, by each field's type (``CONVERSIONS``).

    Its two functions are written from the class's fields when the class is
    defined (as ``dataclasses`` writes ``__init__``), so a field added to the
    class travels with it, and a build that reads 10,000 records calls one
    function for each, not one per field; a field of a type with no
    conversion is an error at import.
    """

    def __init__(self, cls: type):
        fields = dataclasses.fields(cls)
        missing = [f"{f.name}: {f.type}" for f in fields if f.type not in CONVERSIONS]
        if missing:
            raise TypeError(f"{cls.__name__} has fields no record can hold: {', '.join(missing)}")
        names = [f"v{n}" for n in range(len(fields))]
        encoded = ", ".join(CONVERSIONS[f.type][0].format(f"value.{f.name}") for f in fields)
        decoded = ", ".join(CONVERSIONS[f.type][1].format(name) for f, name in zip(fields, names))
        source = (f"def record(value):\n    return ({encoded},)\n"
                  f"def value(record):\n    {', '.join(names)}, = record\n    return cls({decoded})\n")
        namespace = {"cls": cls, "intern": sys.intern, "fromordinal": dt.date.fromordinal, "Area": Area}
        exec(source, namespace)
        self.record, self.value = namespace["record"], namespace["value"]


SUMMARY_RECORD = Record(GroupSummary)


def summary_from_record(record: tuple) -> GroupSummary:
    """A ``GroupSummary`` from its record (what ``pickle`` calls: see ``GroupSummary.__reduce__``)."""
    return SUMMARY_RECORD.value(record)


FACTS_RECORD = Record(Facts)
