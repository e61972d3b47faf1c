"""Wires the steps: load -> validate -> score -> analyse -> render -> write (-> search index).

``make_site`` builds the whole site in memory and returns ``{path: bytes}``;
``build`` hands that to the writer. Nothing is written unless every file of
the content is valid.

Group pages, the bulk of the work, are rendered in a process pool when
``jobs`` > 1 and there are enough groups to pay for starting it (the
threshold below); the result is the same bytes either way.
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from .analyse import Programme, summarise
from .errors import ContentError, Problem
from .export import data_files
from .load import read_content
from .model import Group, Rubric, Site
from .render import render_group_pages, render_programme_pages, sitemap, static_files
from .schema import SCHEMA_PATH, schema_bytes
from .search import index_site
from .score import as_of_date, score_group
from .validate import validate_group, validate_settings
from .write import WriteStats, write_site

POOL_MIN_GROUPS = 200
"""Below this many groups a process pool costs more than it saves."""


@dataclass(frozen=True)
class Checked:
    rubric: Rubric
    site: Site
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class Partial:
    """What of the content is valid, and every problem: for tools that go on despite errors.

    ``groups`` holds every group file that is valid on its own; ``broken``
    the ids of the group files that are not (all of them when the rubric is
    invalid). ``diff`` compares what it can; ``new`` looks at the valid
    groups next to the one it scaffolds.
    """

    rubric: Rubric | None
    site: Site | None
    groups: tuple[Group, ...]
    broken: frozenset[str]
    problems: tuple[Problem, ...]


def read_content_partly(content_dir: str, today: dt.date) -> Partial:
    """Load and validate everything, keeping what is valid next to every problem found."""
    content = read_content(content_dir)
    problems: list[Problem] = list(content.problems)
    rubric, site, settings_problems = validate_settings(content)
    problems += settings_problems
    groups = []
    if rubric is not None:
        for doc in content.groups:
            group, found = validate_group(doc, rubric, today)
            problems += found
            if group is not None:
                groups.append(group)
    valid = {g.id for g in groups}
    broken = frozenset(doc.id for doc in content.groups if doc.id not in valid)
    return Partial(rubric, site, tuple(groups), broken, tuple(problems))


def read_valid_content(content_dir: str, today: dt.date) -> Checked:
    """Load and validate everything; raise ``ContentError`` with every problem found."""
    partial = read_content_partly(content_dir, today)
    if partial.problems or partial.rubric is None or partial.site is None:
        raise ContentError(partial.problems)
    return Checked(partial.rubric, partial.site, partial.groups)


def check(content_dir: str, today: dt.date) -> list[Problem]:
    """Every problem in the content; empty when it builds."""
    try:
        read_valid_content(content_dir, today)
    except ContentError as exc:
        return list(exc.problems)
    return []


def make_programme(checked: Checked, as_of: dt.date | None) -> Programme:
    as_of = as_of or as_of_date(checked.groups)
    scored = [score_group(g, checked.rubric, as_of) for g in checked.groups]
    return summarise(scored, checked.rubric, as_of)


def make_site(checked: Checked, as_of: dt.date | None = None, jobs: int = 1) -> dict[str, bytes]:
    """Every output file, in memory: pages, data, static files and the group files' JSON Schema."""
    programme = make_programme(checked, as_of)
    files: dict[str, bytes] = {}
    for lang in checked.site.languages:
        pages = render_programme_pages(programme, checked.rubric, checked.site, lang)
        pages.update(_group_pages(programme, checked, lang, jobs))
        files.update((path, text.encode()) for path, text in pages.items())
    files.update((path, text.encode()) for path, text in sitemap(checked.site, files).items())
    files.update(data_files(programme, checked.rubric))
    files.update(static_files())
    files[SCHEMA_PATH] = schema_bytes(checked.rubric, checked.site)
    return files


def _group_pages(programme: Programme, checked: Checked, lang: str, jobs: int) -> dict[str, str]:
    groups = programme.groups
    if jobs <= 1 or len(groups) < POOL_MIN_GROUPS:
        return render_group_pages(programme, checked.rubric, checked.site, lang, groups)
    chunks = [groups[i::jobs * 4] for i in range(jobs * 4)]
    pages: dict[str, str] = {}
    with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(programme, checked, lang)) as pool:
        for part in pool.map(_render_chunk, [tuple(g.id for g in chunk) for chunk in chunks]):
            pages.update(part)
    return dict(sorted(pages.items()))


_worker: tuple = ()


def _init_worker(programme: Programme, checked: Checked, lang: str) -> None:
    global _worker
    _worker = (programme, checked, lang, {g.id: g for g in programme.groups})


def _render_chunk(ids: tuple[str, ...]) -> dict[str, str]:
    programme, checked, lang, by_id = _worker
    return render_group_pages(programme, checked.rubric, checked.site, lang, [by_id[i] for i in ids])


def build(content_dir: str, out_dir: str, today: dt.date, as_of: dt.date | None = None,
          jobs: int | None = None) -> tuple[Checked, WriteStats]:
    """Check the content, build the site in memory, then replace ``out_dir`` with it."""
    checked = read_valid_content(content_dir, today)
    files = make_site(checked, as_of, jobs or os.cpu_count() or 1)
    return checked, write_site(files, out_dir, finish=index_site)
