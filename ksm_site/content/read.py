"""The one loader: a content folder -> its rubric, site settings and groups, or every problem in it.

``read_content`` reads and checks everything and fails with every problem
at once (``ContentError``); ``read_content_partly`` keeps what is valid next
to the problems, for tools that go on despite errors (``diff``, ``new``,
``import``). A build's engine reads the same way, step by step, so that it
can skip the files it has seen (``engine/sources.py``): ``read_settings``,
then ``discover_groups`` and ``parse_group`` for each file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..domain.model import Group, Rubric, Site
from .files import Document, discover_groups, parse_document, read_settings_text, read_text
from .group import validate_group
from .problems import ContentError, Problem
from .settings import validate_rubric, validate_site


@dataclass(frozen=True)
class Content:
    """Valid content: what a site is made from."""

    rubric: Rubric
    site: Site
    groups: tuple[Group, ...]
    """Sorted by the path of their files."""


@dataclass(frozen=True)
class Partial:
    """What of the content is valid, and every problem: for tools that go on despite errors.

    ``groups`` holds every group file that is valid on its own; ``broken``
    the ids of the group files that are not (all of them when the rubric is
    invalid).
    """

    rubric: Rubric | None
    site: Site | None
    groups: tuple[Group, ...]
    broken: frozenset[str]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Settings:
    """``rubric.yaml`` and ``site.yaml``, checked, with the texts they were read from."""

    rubric: Rubric
    site: Site
    rubric_text: str
    site_text: str


SETTINGS_FILES = ("rubric.yaml", "site.yaml")


def read_settings(content_dir: str) -> tuple[Settings | None, list[Problem]]:
    """The rubric and the site settings; None with the problems of either."""
    problems: list[Problem] = []
    texts, docs = {}, {}
    for name in SETTINGS_FILES:
        path, text = read_settings_text(content_dir, name, problems)
        texts[name] = text
        docs[name] = Document(path, "", None) if text is None else parse_document(path, "", text, problems)
    rubric, found = validate_rubric(docs["rubric.yaml"])
    problems += found
    site, found = validate_site(docs["site.yaml"])
    problems += found
    if rubric is None or site is None or problems:
        return None, problems
    return Settings(rubric, site, texts["rubric.yaml"], texts["site.yaml"]), []


def parse_group(path: str, group_id: str, text: str, rubric: Rubric, today: dt.date) -> tuple[Group | None, list[Problem]]:
    """One group file's text -> its ``Group``, or its problems. ``today`` only decides which dates are
    in the future: a file valid once stays valid later."""
    problems: list[Problem] = []
    doc = parse_document(path, group_id, text, problems)
    group, found = validate_group(doc, rubric, today)
    return group, problems + found


def read_content_partly(content_dir: str, today: dt.date) -> Partial:
    """Read and check everything, keeping what is valid next to every problem found."""
    settings, problems = read_settings(content_dir)
    groups: list[Group] = []
    broken = set()
    for path, group_id in discover_groups(content_dir, problems):
        text = read_text(path, problems)
        group = None
        if text is not None and settings is not None:
            group, found = parse_group(path, group_id, text, settings.rubric, today)
            problems += found
        if group is None:
            broken.add(group_id)
        else:
            groups.append(group)
    rubric, site = (settings.rubric, settings.site) if settings else (None, None)
    return Partial(rubric, site, tuple(groups), frozenset(broken), tuple(problems))


def read_content(content_dir: str, today: dt.date) -> Content:
    """Read and check everything; raise ``ContentError`` with every problem found."""
    partial = read_content_partly(content_dir, today)
    if partial.problems or partial.rubric is None or partial.site is None:
        raise ContentError(partial.problems)
    return Content(partial.rubric, partial.site, partial.groups)


def check(content_dir: str, today: dt.date) -> list[Problem]:
    """Every problem in the content; empty when it builds."""
    try:
        read_content(content_dir, today)
    except ContentError as exc:
        return list(exc.problems)
    return []
