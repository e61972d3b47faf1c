"""Read a built page as a browser would and list everything in it that could run or leak.

Used by the hostile-content tests. ``html.parser`` decodes character
references in attribute values and text, so ``jav&#x61;script:`` is seen as
``javascript:``; URLs are further read the way browsers read them (tabs and
line breaks anywhere, and leading controls and spaces, ignored; ``\\`` as
``/``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import yaml

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'")
"""The Content-Security-Policy every page must carry (templates/base.html)."""
SEARCH_CSP = CSP.replace("img-src 'self' https:", "img-src 'self' https: data:")
"""The search page's: Pagefind's style sheet draws icons as data: SVG."""

FORBIDDEN = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "textarea", "math", "template",
             "portal", "audio", "video", "marquee"}
"""Elements no page of the site has; one in a page can only have come from user text."""
SITE_FORMS = ("role", "data-filters-for", "data-rubrik")
"""The site's own forms (the search box, a table's filters, the assessment form) carry one of these; a form
without is foreign."""
FORM_PAGE = "nilai/index.html"
"""The assessment form, the one page whose own fields include ``<textarea>`` (the note, the text to copy)."""

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "cite",
                  "longdesc", "manifest", "icon", "ping", "srcset", "lowsrc", "dynsrc", "codebase", "archive"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "livescript:", "file:")
META_ALLOWED = ({"charset"}, {"name", "content"}, {"property", "content"}, {"http-equiv", "content"})
LOADING_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "import", "manifest"}
"""``<link rel>`` values that make the browser fetch something: only site files may be named."""


def browser_url(value: str) -> str:
    """A URL as a browser resolves it: tab/CR/LF removed, controls and spaces trimmed, lowercase, ``\\`` -> ``/``."""
    url = re.sub(r"[\t\n\r]", "", value).strip("".join(chr(n) for n in range(0x21)))
    return url.replace("\\", "/").lower()


class PageCheck(HTMLParser):
    """Collects ``problems`` (anything that could run or load from elsewhere), ``texts`` and attribute values."""

    def __init__(self, allowed: frozenset[str] = frozenset()):
        super().__init__(convert_charrefs=True)
        self.forbidden = FORBIDDEN - allowed
        self.problems: list[str] = []
        self.texts: list[str] = []
        self.attribute_values: list[str] = []
        self.open: list[str] = []
        self.csp: list[str] = []
        self.bases: list[str] = []
        self.loads_before_csp = False

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        if tag not in ("br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "source", "embed", "base"):
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data):
        if self.open and self.open[-1] == "script" and data.strip():
            self.problems.append(f"inline script: {data[:60]!r}")
        self.texts.append(data)

    def _element(self, tag, attrs):
        names = {name for name, _ in attrs}
        values = {name: value or "" for name, value in attrs}
        self.attribute_values += values.values()
        if tag in self.forbidden:
            self.problems.append(f"<{tag}> element")
        if tag == "style" and "svg" not in self.open:
            self.problems.append("<style> element outside a chart")
        if tag == "form" and (not any(a in values for a in SITE_FORMS) or _external(values.get("action", ""))):
            self.problems.append(f"<form> that is not one of the site's: {values}")
        if tag in ("input", "button", "select", "label", "option") and "form" not in self.open:
            self.problems.append(f"<{tag}> outside a form")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name in URL_ATTRIBUTES:
                url = browser_url(value)
                if url.startswith(BAD_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
                if url.startswith("//"):
                    self.problems.append(f"protocol-relative {name}={value!r} on <{tag}>")
            if name == "style" and "svg" not in self.open and tag != "svg":
                self.problems.append(f"style attribute on <{tag}> outside a chart")
        if tag == "script" and ("src" not in values or _external(values["src"])):
            self.problems.append(f"<script> that is not a site file: {values}")
        if tag == "link" and (values.get("rel") in LOADING_LINKS and _external(values.get("href", ""))
                              or values.get("rel") not in LOADING_LINKS | {"canonical", "alternate"}):
            self.problems.append(f"<link> that loads something from elsewhere: {values}")
        if tag == "meta":
            if names not in META_ALLOWED:
                self.problems.append(f"<meta> {values}")
            if "http-equiv" in values:
                if values["http-equiv"].lower() != "content-security-policy":
                    self.problems.append(f"<meta http-equiv={values['http-equiv']!r}>")
                else:
                    self.csp.append(values["content"])
        if tag == "base":
            self.bases.append(values.get("href", ""))
        if tag in ("link", "script", "img", "base") and not self.csp:
            self.loads_before_csp = True


def _external(url: str) -> bool:
    """Whether a URL leaves the site (has a scheme or a host)."""
    url = browser_url(url)
    return url.startswith("//") or re.match(r"[a-z][a-z0-9+.-]*:", url) is not None


def check_page(html: str, csp: str = CSP, base: str | None = None, allowed: frozenset[str] = frozenset()) -> PageCheck:
    """Parse one page; ``csp`` is the policy it must carry, ``base`` the one ``<base href>`` it may have,
    ``allowed`` the elements of ``FORBIDDEN`` that the page itself has."""
    page = PageCheck(allowed)
    page.feed(html)
    page.close()
    if page.csp != [csp]:
        page.problems.append(f"Content-Security-Policy is {page.csp}, not exactly once {csp!r}")
    if page.loads_before_csp:
        page.problems.append("something is loaded before the Content-Security-Policy")
    if base is not None:
        page.problems = [p for p in page.problems if p != "<base> element"]
        if page.bases != [base]:
            page.problems.append(f"<base> is {page.bases}, not {base!r}")
    return page


def check_built_page(path: str, html: str, base_url: str) -> PageCheck:
    """``check_page`` with what a page of the built site may carry, by its path."""
    csp = SEARCH_CSP if path.endswith("cari/index.html") else CSP
    base = urlsplit(base_url).path + path[: -len("404.html")] if path.endswith("404.html") else None
    return check_page(html, csp, base, frozenset({"textarea"}) if path.endswith(FORM_PAGE) else frozenset())


def base_url(content: Path) -> str:
    """The site's address from ``content/site.yaml``, with its trailing slash."""
    url = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))["base_url"]
    return url if url.endswith("/") else url + "/"
