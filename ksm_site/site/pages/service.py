"""The pages that serve the others: search, and the page for a missing address."""

from __future__ import annotations

from ..inputs import DatedInputs, SearchInputs
from ..maker import Page, PageMaker
from ..searching import search_bundle
from ..urls import INDEX, NOT_FOUND, SEARCH, relative


def search_page(m: PageMaker, inputs: SearchInputs) -> Page:
    """The search page; the index is split into ``inputs.parts`` bundles (see ``search.py``)."""
    _ = m.lang._
    full = m.prefix + SEARCH
    return m.page(SEARCH, "search.html", _("Search"), _("Search the groups, areas and indicators."),
                  [(_("Home"), INDEX), (_("Search"), "")], inputs.as_of,
                  root_href=relative(full, ""), pagefind_css=relative(full, "pagefind/pagefind-ui.css"),
                  pagefind_js=relative(full, "pagefind/pagefind-ui.js"),
                  bundles=" ".join(relative(full, search_bundle(k) + "/") for k in range(1, inputs.parts)))


def not_found_page(m: PageMaker, inputs: DatedInputs) -> Page:
    """``404.html``: a host serves it at any missing address, so it sets ``<base>`` to the site's own."""
    _ = m.lang._
    return m.page(NOT_FOUND, "404.html", _("Page not found"), _("This page does not exist."),
                  [(_("Home"), INDEX), (_("Page not found"), "")], inputs.as_of,
                  base_href=m.site.base_url + m.prefix)
