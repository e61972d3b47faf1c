"""Markdown written by people (stories, assessment notes) -> sanitised HTML.

The parser is markdown-it-py (CommonMark, with tables and strikethrough),
chosen because its run time grows about linearly with any input:
Python-Markdown, used before, is quadratic on unmatched brackets, so a story
of 8,000 '[' would hold the build for seconds and a 1 MiB one for hours.
HTML typed into a story is not interpreted: it is shown as the text it is
(``html: False``). No group file needs it, and the HTML parser behind the
sanitiser is quadratic on deeply nested tags. What the Markdown makes is
still sanitised (nh3), on an allow-list: only the tags and attributes
below, only http, https, mailto and relative links; no script, iframe or
form, no style element or attribute, no event handler, no id.

``markdown_html`` is the one place where user text becomes ``Markup``.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "sub", "sup",
    "blockquote", "ul", "ol", "li", "code", "pre", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "abbr", "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"},
                      "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
"""Besides relative links; ``javascript:``, ``data:``, ``vbscript:`` and every other scheme are dropped."""

PARSER = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False}).enable(["table", "strikethrough"])

C0_AND_SPACE = "".join(chr(n) for n in range(0x21))


def drop_unsafe_urls(tag: str, attribute: str, value: str) -> str | None:
    """Drop protocol-relative URLs: they load from a host the author chose, over any scheme.

    The URL is read as a browser reads it: tabs and line breaks anywhere are
    ignored, leading and trailing controls and spaces too, and ``\\`` counts
    as ``/``; so ``/\\evil.example`` and ``/<tab>/evil.example`` are dropped
    as well. (Schemes are the sanitiser's job: ``URL_SCHEMES``.)
    """
    if attribute in ("href", "src"):
        url = value.replace("\t", "").replace("\n", "").replace("\r", "").strip(C0_AND_SPACE)
        if url.replace("\\", "/").startswith("//"):
            return None
    return value


def markdown_to_html(source: str) -> str:
    """CommonMark to HTML, unsanitised: only ``markdown_html`` calls it."""
    tokens = PARSER.parse(source)
    for token in tokens:  # a table column's alignment as the align attribute, which survives sanitising
        if token.type in ("th_open", "td_open") and str(token.attrs.get("style", "")).startswith("text-align:"):
            token.attrs = {"align": str(token.attrs["style"])[len("text-align:"):]}
    return PARSER.renderer.render(tokens, PARSER.options, {}).rstrip("\n")


@lru_cache(maxsize=4096)
def markdown_html(source: str) -> Markup:
    """The one place user Markdown becomes markup: rendered, then sanitised.

    Kept for the next call with the same text: every page is made in each
    language, and the story and notes are the same in all of them.
    """
    if not source:
        return Markup("")
    clean = nh3.clean(markdown_to_html(source), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=URL_SCHEMES, attribute_filter=drop_unsafe_urls,
                      link_rel="noopener noreferrer nofollow", clean_content_tags={"script", "style"})
    return Markup(clean)
