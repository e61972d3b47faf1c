"""``rubric.yaml`` and ``site.yaml`` -> ``Rubric`` and ``Site``, or every problem in them.

The rubric holds every number, name and text the scoring and the pages use
(DESIGN §4): its indicators with their levels and bands, the stages with
their minimum scores and gates, the assets and the warnings.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..domain.model import DISSOLVED, NOT_ASSESSED, Choice, Indicator, Rubric, Site, Stage, Text, WarningRule
from .fields import Checker, Invalid, Spec, bilingual, choice, integer, is_empty, join, number, suggest, text, text_list
from .files import Document
from .problems import FILE_FIELD, Problem
from .yamlnodes import Node


# --------------------------------------------------------------------------
# rubric.yaml and site.yaml


def validate_rubric(doc: Document) -> tuple[Rubric | None, list[Problem]]:
    check = Checker(doc.path)
    if doc.data is None:
        return None, []
    if is_empty(doc.data):
        check.report(doc.data.line, FILE_FIELD, "the rubric is empty", "restore content/rubric.yaml from git")
        return None, check.problems
    choices_spec = {"kunci": Spec(_key, True), "nama": Spec(bilingual, True)}

    def choices(node: Node, field: str) -> tuple[Choice, ...]:
        items = []
        for item in check.sequence(node, field, lambda n, f: check.mapping(n, f, choices_spec)) or ():
            if item and len(item) == 2:
                items.append(Choice(item["kunci"], item["nama"]))
        _unique([c.key for c in items], node, field, check)
        return tuple(items)

    values = check.mapping(doc.data, "", {
        "jenis": Spec(lambda n: n, True), "bentuk_mitra": Spec(lambda n: n, True),
        "indikator": Spec(lambda n: n, True), "tahap": Spec(lambda n: n, True),
        "status": Spec(lambda n: n, True), "aset_maks": Spec(integer(1), True),
        "aset": Spec(lambda n: n, True), "peringatan": Spec(lambda n: n, True),
    })
    if values is None or check.problems:
        return None, check.problems
    jenis = choices(values["jenis"], "jenis")
    partner_kinds = choices(values["bentuk_mitra"], "bentuk_mitra")
    assets = choices(values["aset"], "aset")
    indicators = _rubric_indicators(values["indikator"], jenis, check)
    stages = _rubric_stages(values["tahap"], indicators, jenis, check)
    status = check.mapping(values["status"], "status", {
        NOT_ASSESSED: Spec(bilingual, True), DISSOLVED: Spec(bilingual, True)})
    warnings = _rubric_warnings(values["peringatan"], indicators, stages, check)
    if check.problems:
        return None, check.problems
    return Rubric(jenis, partner_kinds, indicators, stages, status, assets, values["aset_maks"], warnings), []


def _key(node: Node) -> str:
    value = text(node)
    if not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", value):
        raise Invalid(f"'{value}' is not a usable key", "use lowercase letters, digits, '-' and '_'")
    return value


def _unique(keys: list[str], node: Node, field: str, check: Checker) -> None:
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        check.report(node.line, field, f"'{key}' is defined twice", "every key must be unique")


def _rubric_indicators(node: Node, jenis: tuple[Choice, ...], check: Checker) -> tuple[Indicator, ...]:
    jenis_keys = [j.key for j in jenis]
    spec = {
        "kunci": Spec(_key, True), "nama": Spec(bilingual, True), "pertanyaan": Spec(bilingual, True),
        "level": Spec(lambda n: n, True), "langkah": Spec(bilingual, True),
        "berlaku": Spec(text_list), "pita": Spec(lambda n: n),
    }
    indicators = []

    def indicator(item_node: Node, field: str) -> None:
        item = check.mapping(item_node, field, spec)
        if item is None or not {"kunci", "nama", "pertanyaan", "level", "langkah"} <= item.keys():
            return
        levels = check.sequence(item["level"], join(field, "level"),
                                lambda n, f: check.convert(n, f, bilingual)) or []
        if len(levels) < 2 or None in levels:
            if len(levels) < 2:
                check.report(item["level"].line, join(field, "level"), "needs at least two levels (0 and 1)")
            return
        applies = item.get("berlaku", tuple(jenis_keys))
        for key in applies:
            if key not in jenis_keys:
                check.report(item_node.line, join(field, "berlaku"), f"unknown jenis '{key}'", suggest(key, jenis_keys))
        bands: tuple[Decimal, ...] = ()
        if "pita" in item:
            found = check.sequence(item["pita"], join(field, "pita"), lambda n, f: check.convert(n, f, number)) or []
            bands = tuple(found)
            if None in bands:
                return
            if len(bands) != len(levels) - 1 or list(bands) != sorted(set(bands)) or (bands and bands[-1] > 100):
                check.report(item["pita"].line, join(field, "pita"),
                             f"needs {len(levels) - 1} rising percentages, one per level above 0",
                             "e.g. pita: [60, 75, 90] for levels 1, 2 and 3")
                return
        indicators.append(Indicator(item["kunci"], item["nama"], item["pertanyaan"], tuple(levels),
                                    item["langkah"], frozenset(applies), bands))

    check.sequence(node, "indikator", indicator)
    _unique([i.key for i in indicators], node, "indikator", check)
    return tuple(indicators)


def _rubric_stages(node: Node, indicators: tuple[Indicator, ...], jenis: tuple[Choice, ...],
                   check: Checker) -> tuple[Stage, ...]:
    by_key = {i.key: i for i in indicators}
    spec = {"kunci": Spec(_key, True), "nama": Spec(bilingual, True), "arti": Spec(bilingual, True),
            "skor_min": Spec(number, True), "syarat": Spec(lambda n: n)}
    stages = []

    def stage(item_node: Node, field: str) -> None:
        item = check.mapping(item_node, field, spec)
        if item is None or len(item.keys() - {"syarat"}) < 4:
            return
        if item["skor_min"] > 100:
            check.report(item_node.line, join(field, "skor_min"), "is over 100", "a score is 0..100")
        if item["kunci"] in (DISSOLVED, NOT_ASSESSED):
            check.report(item_node.line, join(field, "kunci"), f"'{item['kunci']}' is reserved", "choose another key")
        gates = []
        gate_node = item.get("syarat")
        if gate_node is not None:
            if gate_node.kind != "mapping":
                check.report(gate_node.line, join(field, "syarat"), "must be 'indicator: level' lines")
                return
            for key, value in gate_node.value.items():
                where = join(join(field, "syarat"), key)
                if key not in by_key:
                    check.report(gate_node.key_lines[key], where, f"unknown indicator '{key}'", suggest(key, by_key))
                    continue
                level = check.convert(value, where, integer(0, by_key[key].max_level))
                if level is not None:
                    gates.append((key, level))
        stages.append(Stage(item["kunci"], item["nama"], item["arti"], item["skor_min"], tuple(gates)))

    check.sequence(node, "tahap", stage)
    _unique([s.key for s in stages], node, "tahap", check)
    if stages and stages[0].min_score != 0:
        check.report(node.line, "tahap", "the first stage must have skor_min: 0", "every assessed group has a stage")
    if [s.min_score for s in stages] != sorted(s.min_score for s in stages):
        check.report(node.line, "tahap", "stages must be listed from the lowest skor_min to the highest")
    return tuple(stages)


_WARNING_PARAMS = {
    "turun-tahap": {},
    "skor-turun": {"selisih_skor": Spec(number, True)},
    "pengembalian-rendah": {"indikator": Spec(text, True), "level_maks": Spec(integer(0), True)},
    "kehadiran-menurun": {"indikator": Spec(text, True)},
    "mandek": {"tahap": Spec(text, True), "hari": Spec(integer(1), True)},
    "penilaian-lama": {"hari": Spec(integer(1), True)},
}
"""The warnings the scorer knows how to detect, and the parameters each reads. Their order in
``rubric.yaml`` is their order of urgency (DESIGN §4), so it is not fixed here."""


def _rubric_warnings(node: Node, indicators: tuple[Indicator, ...], stages: tuple[Stage, ...],
                     check: Checker) -> tuple[WarningRule, ...]:
    by_key = {i.key: i for i in indicators}
    stage_keys = [s.key for s in stages]
    rules = []

    def rule(item_node: Node, field: str) -> None:
        if item_node.kind != "mapping" or "kunci" not in item_node.value:
            check.report(item_node.line, field, "needs kunci, nama, arti, saran and langkah")
            return
        key = check.convert(item_node.value["kunci"], join(field, "kunci"), text)
        if key not in _WARNING_PARAMS:
            check.report(item_node.line, join(field, "kunci"), f"unknown warning '{key}'", suggest(str(key), _WARNING_PARAMS))
            return
        spec = {"kunci": Spec(text, True), "nama": Spec(bilingual, True), "arti": Spec(bilingual, True),
                "saran": Spec(bilingual, True), "langkah": Spec(bilingual, True), **_WARNING_PARAMS[key]}
        item = check.mapping(item_node, field, spec)
        if item is None or len(item) < len(spec):
            return
        indicator = item.get("indikator", "")
        if indicator and indicator not in by_key:
            check.report(item_node.line, join(field, "indikator"), f"unknown indicator '{indicator}'", suggest(indicator, by_key))
            return
        if key == "kehadiran-menurun" and not by_key[indicator].banded:
            check.report(item_node.line, join(field, "indikator"), "must be a percentage indicator (with pita)")
        stage = item.get("tahap", "")
        if stage and stage not in stage_keys:
            check.report(item_node.line, join(field, "tahap"), f"unknown stage '{stage}'", suggest(stage, stage_keys))
            return
        rules.append(WarningRule(key, item["nama"], item["arti"], item["saran"], item["langkah"], indicator,
                                 item.get("level_maks", 0), item.get("selisih_skor", Decimal(0)), item.get("hari", 0),
                                 stage))

    check.sequence(node, "peringatan", rule)
    _unique([r.key for r in rules], node, "peringatan", check)
    return tuple(rules)


LANGUAGES = ("id", "en")

NAMES_SHOWN, NAMES_HIDDEN = "tampilkan", "sembunyikan"
NAMES = (Choice(NAMES_SHOWN, Text("nama ketua dan penilai diterbitkan", "the names of chairs and assessors are published")),
         Choice(NAMES_HIDDEN, Text("nama ketua dan penilai tidak diterbitkan di halaman, pencarian maupun unduhan",
                                   "the names of chairs and assessors are kept off the pages, the search and the "
                                   "downloads")))
"""The values of ``nama_orang`` in site.yaml; left out, names are shown."""


def names_shown(node: Node) -> str:
    """``nama_orang``: one of ``NAMES``; a wrong value's hint says what each value does."""
    try:
        return choice(NAMES)(node)
    except Invalid as exc:
        suggestion = exc.hint.split("allowed: ")[0] if "allowed: " in exc.hint else ""
        values = "; ".join(f"{c.key} ({c.name.en})" for c in NAMES)
        raise Invalid(exc.message, f"{suggestion}allowed: {values}") from None


def validate_site(doc: Document) -> tuple[Site | None, list[Problem]]:
    check = Checker(doc.path)
    if doc.data is None:
        return None, []
    if is_empty(doc.data):
        check.report(doc.data.line, FILE_FIELD, "the site settings are empty", "restore content/site.yaml from git")
        return None, check.problems

    def base_url(node: Node) -> str:
        value = text(node)
        if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", value):
            raise Invalid(f"'{value}' is not a web address", "write e.g. https://example.org/ksm/")
        return value if value.endswith("/") else value + "/"

    def languages(node: Node) -> tuple[str, ...]:
        found = text_list(node)
        for lang in found:
            if lang not in LANGUAGES:
                raise Invalid(f"'{lang}' is not a supported language", "allowed: " + ", ".join(LANGUAGES))
        if not found or len(set(found)) != len(found):
            raise Invalid("must list each language once", "e.g. bahasa: [id, en]")
        return found

    def repo(node: Node) -> str:
        value = text(node)
        if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}", value) or value.endswith((".", "/.")):
            raise Invalid(f"'{value}' is not a GitHub repository", "write owner/name, e.g. repo: ksm-site/ksm-site")
        return value

    def branch(node: Node) -> str:
        value = text(node)
        # git check-ref-format's rules, as far as a branch named in a settings file needs them
        if (not re.fullmatch(r"[A-Za-z0-9._/-]+", value) or value.startswith(("-", "/", ".")) or value.endswith(("/", ".", ".lock"))
                or ".." in value or "//" in value or "/." in value):
            raise Invalid(f"'{value}' is not a branch name", "write e.g. cabang: main")
        return value

    values = check.mapping(doc.data, "", {
        "judul": Spec(bilingual, True), "deskripsi": Spec(bilingual, True),
        "base_url": Spec(base_url, True), "bahasa": Spec(languages, True),
        "nama_orang": Spec(names_shown), "repo": Spec(repo), "cabang": Spec(branch),
    })
    if values is None or check.problems:
        return None, check.problems
    if "cabang" in values and "repo" not in values:
        check.report(doc.data.key_lines["cabang"], "cabang", "names a branch of no repository",
                     "add repo: owner/name, or remove cabang")
        return None, check.problems
    return Site(values["judul"], values["deskripsi"], values["base_url"], values["bahasa"],
                hide_names=values.get("nama_orang", NAMES_SHOWN) == NAMES_HIDDEN,
                repo=values.get("repo", ""), branch=values.get("cabang", "main")), []
