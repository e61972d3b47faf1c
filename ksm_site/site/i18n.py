"""Languages: gettext catalogues for UI strings, and Babel for dates and numbers.

UI strings are English message ids; each other language has a catalogue at
``ksm_site/locale/<lang>/LC_MESSAGES/messages.po``, read with Babel at
start-up so there is no compile step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_decimal
from babel.support import NullTranslations, Translations

from ..domain.model import Text

LOCALE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "locale")
BABEL_LOCALES = {"id": "id_ID", "en": "en_GB"}
"""Babel locale per site language; British English writes '30 June 2024'."""
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def _catalogue_path(lang: str) -> str | None:
    path = os.path.join(LOCALE_DIR, lang, "LC_MESSAGES", "messages.po")
    return None if lang == "en" or not os.path.exists(path) else path


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    """The gettext catalogue of a language; message ids are English."""
    path = _catalogue_path(lang)
    if path is None:
        return NullTranslations()
    with open(path, "rb") as f:
        catalog = read_po(f, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@lru_cache(maxsize=None)
def catalogue_digest(lang: str) -> str:
    """A SHA-256 of a language's catalogue file, empty when it has none (English)."""
    path = _catalogue_path(lang)
    if path is None:
        return ""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Lang:
    """Everything a context builder needs to speak one language.

    Formatting with Babel costs tens of microseconds a call, and a build
    formats the same few thousand dates and numbers over and over (every
    table of every page), so each formatted value is kept per language:
    same value, same text, a dict lookup instead of a Babel call.
    """

    def __init__(self, code: str):
        self.code = code
        self.locale = Locale.parse(BABEL_LOCALES[code])
        self._ = translations(code).gettext
        self.ngettext = translations(code).ngettext
        self._formatted: dict[tuple, str] = {}

    def _cached(self, kind: str, value, make) -> str:
        key = (kind, type(value), value)
        text = self._formatted.get(key)
        if text is None:
            text = self._formatted[key] = make(value)
        return text

    def text(self, value: Text) -> str:
        return value.get(self.code)

    def date(self, value: dt.date | None) -> str:
        if not value:
            return ""
        return self._cached("date", value, lambda v: format_date(v, "d MMMM y", locale=self.locale))

    def short_date(self, value: dt.date | None) -> str:
        if not value:
            return ""
        return self._cached("short_date", value, lambda v: format_date(v, "d MMM y", locale=self.locale))

    def score(self, tenths: int) -> str:
        return self._cached("score", tenths,
                            lambda v: format_decimal(Decimal(v) / 10, "0.0", locale=self.locale))

    def one_decimal(self, value) -> str:
        """A mean with exactly one decimal, rounded half up: Fraction(5, 2) -> '2,5', 0.05 -> '0,1'."""
        def make(v) -> str:
            exact = Decimal(v.numerator) / Decimal(v.denominator)
            return format_decimal(exact.quantize(Decimal("0.1"), ROUND_HALF_UP), "0.0", locale=self.locale)
        return self._cached("one_decimal", value, make)

    def number(self, value) -> str:
        return self._cached("number", value, lambda v: format_decimal(v, "#,##0.##", locale=self.locale))

    def count(self, value: int) -> str:
        """A count as a chart's axis shows it, short: 1500 -> '1,5 rb' (id), '1.5K' (en)."""
        return self._cached("count", value,
                            lambda v: format_compact_decimal(v, fraction_digits=1, locale=self.locale))

    def percent(self, value: Decimal) -> str:
        return self._cached("percent", value, lambda v: format_decimal(v, "0.##", locale=self.locale) + "%")
