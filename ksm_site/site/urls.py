"""Where each page lives, and links between pages.

Links are relative and point at ``.../index.html`` files, so the site works
at a domain's root, under a sub-path and from a copy opened straight from
disk. Only the canonical and ``hreflang`` links, the share tags and the
sitemap use ``site.yaml``'s ``base_url``.
"""

from __future__ import annotations

from ..domain.model import Site

INDEX = "index.html"
AREAS = "wilayah/index.html"
WARNINGS = "perlu-perhatian/index.html"
METHOD = "metodologi/index.html"
SEARCH = "cari/index.html"
NOT_FOUND = "404.html"
SHARE_IMAGE = "bagikan.png"
"""The picture a shared link shows (``share.py``), one under each language's root."""


def group_path(group_id: str) -> str:
    return f"kelompok/{group_id}/index.html"


def group_json_path(group_id: str) -> str:
    """One group's record (as in ``data/groups.json``), next to its page in the default language."""
    return f"kelompok/{group_id}/data.json"


def area_path(slugs: tuple[str, ...], page: int = 1) -> str:
    """An area's page; ``page`` > 1: a later page of its table of groups, in the same folder (a folder of its
    own could take the name of a child area)."""
    return "/".join(("wilayah", *slugs, "index.html" if page == 1 else f"halaman-{page}.html"))


def area_filter(slugs: tuple[str, ...]) -> str:
    """The value of the attention list's area filter (``?wilayah=``) that keeps the groups of the area
    ``slugs`` (a kota, kecamatan or kelurahan): its slugs joined by ``/``, which URL slugs never hold."""
    return "/".join(slugs)


def attention_of(from_page: str, slugs: tuple[str, ...]) -> str:
    """A link from a page to the attention list filtered to the area ``slugs``."""
    return relative(from_page, WARNINGS) + "?wilayah=" + area_filter(slugs)


def area_sheet_path(slugs: tuple[str, ...]) -> str:
    """An area's groups as a workbook, next to its page, named after it so that downloads keep apart; the
    whole programme's (``()``) with the other data files."""
    if not slugs:
        return "data/kelompok.xlsx"
    return "/".join(("wilayah", *slugs, f"kelompok-{'-'.join(slugs)}.xlsx"))


def relative(from_page: str, target: str) -> str:
    """A link from one output file to another, both relative to the site root."""
    return "../" * from_page.count("/") + target


def canonical_url(site: Site, full: str) -> str:
    """The page's public address: ``base_url`` + its path, without a trailing ``index.html``."""
    return site.base_url + (full[: -len("index.html")] if full.endswith("index.html") else full)


def language_prefix(site: Site, lang: str) -> str:
    """Pages of the first language live at the root, the others under ``<lang>/``."""
    return "" if lang == site.languages[0] else f"{lang}/"


FORM = "nilai/index.html"
"""The assessment form (DESIGN §10)."""
FORM_WORKER = "nilai/sw.js"
"""Its service worker, which opens it offline; in the form's folder, the only pages it serves."""
