"""The pages that serve the others: search, and the page for a missing address."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from ..inputs import DatedInputs, SearchInputs
from ..maker import Page, PageMaker
from ..limits import search_bundle
from ..urls import INDEX, NOT_FOUND, SEARCH, relative


def search_page(m: PageMaker, inputs: SearchInputs) -> Page:
    """The search page; the index is split into ``inputs.parts`` bundles (see ``search.py``)."""
    _ = m.lang._
    full = m.prefix + SEARCH
    return m.page(SEARCH, "search.html", _("Search"), _("Search the groups, areas and indicators."),
                  [(_("Home"), INDEX), (_("Search"), "")], inputs.as_of,
                  root_href=relative(full, ""), pagefind_css=relative(full, "pagefind/pagefind-ui.css"),
                  pagefind_js=relative(full, "pagefind/pagefind-ui.js"),
                  bundles=" ".join(relative(full, search_bundle(k) + "/") for k in range(1, inputs.parts)),
                  stages=json.dumps({key: [m.status_name(key), m.status_class[key]] for key in m.rubric.status_keys},
                                    ensure_ascii=False, separators=(",", ":")))


def not_found_page(m: PageMaker, inputs: DatedInputs, others: list[PageMaker]) -> Page:
    """``404.html``, in each language: a host serves it at any missing address, at any depth, so its
    ``<base>`` is its own folder's path on the host (``/ksm-site/en/``), not a full address: the page
    works wherever the site is served at its sub-path, a preview host included.

    GitHub Pages serves only the root one, the first language's, even for a missing ``/en/...`` address,
    so each 404 page also says so in the site's other languages (``others``), each linking to its own
    home page; hosts that look for the nearest ``404.html`` (Cloudflare Pages, Netlify) serve ``en/404.html``."""
    _ = m.lang._
    full = m.prefix + NOT_FOUND
    elsewhere = [{"lang": o.lang.code, "text": o.lang._("This page does not exist."),
                  "home": o.lang._("Back to the home page"), "href": relative(full, o.prefix)} for o in others]
    return m.page(NOT_FOUND, "404.html", _("Page not found"), _("This page does not exist."),
                  [(_("Home"), INDEX), (_("Page not found"), "")], inputs.as_of,
                  base_href=urlsplit(m.site.base_url).path + m.prefix, elsewhere=elsewhere)
