"""Fuzzed: valid group files mutated at random only ever give problems or a valid group, never an
exception; the scorer keeps its invariants for any levels.

Hypothesis runs derandomized (the same examples on every run and machine)
and without an example database, so the suite is deterministic; together
the tests take some seconds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ksm_site.domain.analyse import extent_of, facts_of
from ksm_site.domain.slugs import area_slugs
from ksm_site.content.problems import Problem
from ksm_site.content.files import decode_text, parse_document, read_document
from ksm_site.domain.model import Assessment
from ksm_site.site.maker import PageMaker
from ksm_site.site.pages.group import group_page
from ksm_site.domain.score import score_assessment, score_group
from ksm_site.content.group import validate_group
from ksm_site.content.settings import validate_site

from conftest import CONTENT, TODAY, VALID_GROUP, load_rubric, make_group

RUBRIC = load_rubric()
SITE, _ = validate_site(read_document(str(CONTENT / "site.yaml"), "", []))


def fuzz(examples: int):
    """Deterministic Hypothesis settings: the same ``examples`` examples on every run, no database."""
    return settings(derandomize=True, database=None, deadline=None, max_examples=examples,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _variants() -> list[tuple[str, bytes]]:
    data = VALID_GROUP.split("---\n")[1]
    social = (VALID_GROUP.replace("jenis: pinjaman-bergulir", "jenis: sosial")
              .replace("      pengembalian_pinjaman: 95%\n", "")
              .replace("anggota: 10", "anggota: 10\nbubar: 2020-01-01"))
    flow = ('---\n{nama: "KSM Alur", jenis: infrastruktur, wilayah: {provinsi: A, kota: B, kecamatan: C, kelurahan: D},'
            ' dibentuk: 2019-01-01, usaha: [a, "b: c"], penilaian: []}\n---\n# Cerita\n\n*ya* [x](https://e.org)\n')
    return [("ksm-a.md", VALID_GROUP.encode()), ("ksm-a.yaml", data.encode()), ("ksm-a.md", social.encode()),
            ("ksm-a.md", flow.encode()), ("ksm-a.yml", (b"\xef\xbb\xbf" + data.replace("\n", "\r\n").encode()))]


SEEDS = _variants()
YAML_BITS = [":", ": ", "- ", "[", "]", "{", "}", ",", "#", "&a ", "*a", "!", "!!str ", "!!python/object:os.system ",
             "|", ">", "'", '"', "%", "@", "`", "? ", "---\n", "...\n", "\t", "\n", "  ", "<<: ", "~", "null", "yes",
             "no", "0x1F", "010", "1e3", ".inf", "2024-02-30", "12:30", "\ufeff", "\u202e", "\u200b", "\r\n", "\x00",
             "\x85", "\u2028", "\\", "{{ 7*7 }}", "<script>", "=1+1"]


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    """A seed file with 1 to 6 random edits: byte flips, line drops and copies, YAML bits, any unicode, a cut."""
    name, seed = draw(st.sampled_from(SEEDS))
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "drop", "copy", "swap", "bit", "unicode", "cut"]))
        lines = data.split(b"\n")
        if op == "flip" and data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        elif op == "drop" and len(lines) > 1:
            del lines[draw(st.integers(0, len(lines) - 1))]
            data = bytearray(b"\n".join(lines))
        elif op == "copy":
            at = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[at])
            data = bytearray(b"\n".join(lines))
        elif op == "swap" and len(lines) > 1:
            a, b = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[a], lines[b] = lines[b], lines[a]
            data = bytearray(b"\n".join(lines))
        elif op in ("bit", "unicode"):
            text = draw(st.sampled_from(YAML_BITS)) if op == "bit" else draw(st.text(min_size=1, max_size=4))
            at = draw(st.integers(0, len(data)))
            data[at:at] = text.encode("utf-8", "surrogatepass")
        elif op == "cut":
            del data[draw(st.integers(0, len(data))):]
    return name, bytes(data)


def load_and_validate(name: str, raw: bytes):
    """What ``check`` does with one file's bytes: every problem, and the group when there are none."""
    path = f"content/groups/kota/{name}"
    problems: list = []
    text = decode_text(path, raw, problems)
    if text is None:
        return None, problems
    doc = parse_document(path, "kota/ksm-a", text, problems)
    group, found = validate_group(doc, RUBRIC, TODAY)
    return group, problems + found


@fuzz(2000)
@given(mutated())
def test_a_mutated_file_gives_problems_or_a_valid_group_never_an_exception(case):
    group, problems = load_and_validate(*case)
    assert all(isinstance(p, Problem) for p in problems)
    assert (group is None) == bool(problems), problems
    for p in problems:
        line = str(p)
        assert line.isprintable() and p.line >= 0 and p.field, line
        assert line.startswith(f"content/groups/kota/{case[0]}:{p.line}: {p.field}: ")
    if group is not None:
        scored = score_group(group, RUBRIC, TODAY)
        assert scored.status in RUBRIC.status_keys


@fuzz(300)
@given(mutated())
def test_a_mutated_file_that_is_valid_also_renders(case):
    """Whatever survives validation (odd unicode, odd Markdown) renders in both languages."""
    group, problems = load_and_validate(*case)
    if group is None:
        return
    facts = facts_of(group)
    extent = extent_of([facts], TODAY)
    scored = score_group(group, RUBRIC, TODAY)
    for lang in SITE.languages:
        path, pieces = group_page(PageMaker(RUBRIC, SITE, lang), scored, area_slugs([facts.area])[facts.area],
                                  extent.axis, extent.as_of)
        assert path.endswith("index.html") and "".join(pieces).endswith("</html>\n")


# --------------------------------------------------------------------------
# The scorer


@st.composite
def assessment_values(draw):
    """A jenis and a valid value for each of its indicators: a level, or a percentage with one decimal."""
    jenis = draw(st.sampled_from([j.key for j in RUBRIC.jenis]))
    values = {}
    for indicator in RUBRIC.applicable(jenis):
        if indicator.banded:
            values[indicator.key] = Decimal(draw(st.integers(0, 1000))) / 10
        else:
            values[indicator.key] = draw(st.integers(0, indicator.max_level))
    return jenis, values


def score(jenis: str, values: dict):
    assessment = Assessment(dt.date(2020, 1, 1), "", values, None, "", 0)
    return score_assessment(assessment, RUBRIC.applicable(jenis), RUBRIC.stages)


STAGE_RANK = {s.key: n for n, s in enumerate(RUBRIC.stages)}


@fuzz(1000)
@given(assessment_values(), st.data())
def test_raising_one_indicator_never_lowers_the_score_or_the_stage(case, data):
    jenis, values = case
    before = score(jenis, values)
    assert 0 <= before.points <= before.max_points and 0 <= before.tenths <= 1000
    assert 0 <= before.score <= 100 and before.stage in STAGE_RANK
    indicator = data.draw(st.sampled_from(RUBRIC.applicable(jenis)))
    raised = dict(values)
    if indicator.banded:
        raised[indicator.key] = data.draw(st.integers(int(values[indicator.key] * 10), 1000).map(lambda n: Decimal(n) / 10))
    else:
        raised[indicator.key] = data.draw(st.integers(values[indicator.key], indicator.max_level))
    after = score(jenis, raised)
    assert after.tenths >= before.tenths
    assert STAGE_RANK[after.stage] >= STAGE_RANK[before.stage]


@fuzz(1000)
@given(assessment_values())
def test_the_next_stage_is_never_already_reached(case):
    """Below the top stage a group always lacks points or a gate: otherwise it would be in the next stage."""
    jenis, values = case
    group = make_group(RUBRIC, ("2020-01-01", values), jenis=jenis)
    scored = score_group(group, RUBRIC, dt.date(2020, 1, 1))
    nxt = scored.next_stage
    if scored.status == RUBRIC.stages[-1].key:
        assert nxt is None
    else:
        assert nxt is not None and STAGE_RANK[nxt.stage] == STAGE_RANK[scored.status] + 1
        assert nxt.missing_points > 0 or nxt.unmet_gates
        assert len(nxt.suggestions) <= 3 and len(set(nxt.suggestions)) == len(nxt.suggestions)


def test_an_alias_where_a_key_goes_is_refused_once_and_names_no_empty_field():
    """Found by the fuzzer: two keys written as the same alias were reported as a duplicate key of no name."""
    raw = VALID_GROUP.replace("nama: KSM Uji Coba", "*anama: KSM Uji Coba\n*anama: KSM Uji Coba").encode()
    group, problems = load_and_validate("ksm-a.md", raw)
    assert group is None
    assert [(p.line, p.field, p.message) for p in problems] == [(2, "(yaml)", "alias '*anama' is not allowed")]
