"""Spreadsheet cells -> field values, for `import`: text, whole numbers, percentages and dates.

Each reader takes a ``sheet.Cell`` (text from a CSV; text, number, date or
time from a workbook) and returns the value or raises ``Invalid`` with a
message and a hint saying what is accepted.

* **Text** (``nama``, ``penilai``, ...): as written, trimmed; a number cell
  becomes its digits (``1945``).
* **Whole numbers** (levels, assets, ``anggota``): ``2``, ``2.0`` or ``2,0``,
  as text or as numbers.
* **Percentages** (the banded indicators): ``72%`` and ``72,5%`` as written;
  a bare number above 1 is a percentage (``72`` and ``72,5`` -> 72% and
  72.5%); a workbook number cell formatted as a percentage holds a fraction
  (0.72 -> 72%); a bare number between 0 and 1 is ambiguous (72% or 0.72%?)
  and refused, asking for the percent sign; 0 is 0%.
* **Dates**, day first as Indonesia writes them: ``DD/MM/YYYY`` and
  ``D/M/YYYY`` (``/``, ``-`` or ``.`` between), ``YYYY-MM-DD``, a day, month
  name and year (``26 Maret 2024``, ``26-Mar-2024``, in Indonesian or
  English, after an optional weekday: ``Selasa, 26 Maret 2024``), and a
  workbook's real date cells (without a time of day). ``01/02/2024`` is 1
  February. Refused, with the accepted forms: a date not in the calendar
  (``31/02/2024``); a two-digit year (``01/02/24``: 1924 or 2024? and is it
  day first?), which is what "ambiguous" means here; and month-first dates
  (``12/31/2024``, a US-style date that cannot be read day first, saying so,
  since the other dates of that column were likely saved the same way); a
  bare number (``45377``: Excel's day count, in a cell not formatted as a
  date).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal

from ..content.fields import Invalid
from ..domain.model import Rubric
from .sheet import Cell

TEXT_FIELDS = ("id", "nama", "jenis", "provinsi", "kota", "kecamatan", "kelurahan", "ketua", "penilai", "catatan")
DATE_FIELDS = ("dibentuk", "bubar", "tanggal")
DATE_FORMS = "DD/MM/YYYY (26/03/2024), YYYY-MM-DD (2024-03-26), or a date cell"
MONTHS = {
    **dict.fromkeys(("januari", "january", "jan"), 1), **dict.fromkeys(("februari", "february", "feb", "pebruari"), 2),
    **dict.fromkeys(("maret", "march", "mar"), 3), **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5), **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "july", "jul"), 7), **dict.fromkeys(("agustus", "august", "agu", "agt", "aug"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9), **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nov", "nop"), 11), **dict.fromkeys(("desember", "december", "des", "dec"), 12),
}
"""Month names and abbreviations, Indonesian and English, as Excel's long and medium date formats write them."""
_MONTH_EN = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


def cell_text(cell: Cell) -> str:
    value = cell.value
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(f"'{value}' is not text", "format the cell as text")
    return str(int(value)) if float(value).is_integer() else repr(value)


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_SHORT_YEAR = re.compile(r"\d{1,2}([/.-])\d{1,2}\1\d{2}")
_NAMED_MONTH = re.compile(r"(?:[^\W\d_]+,\s*)?(\d{1,2})[\s-]+([^\W\d_]+)\.?[\s-]+(\d{4})")
_HINT = f"write the date as {DATE_FORMS}"


def cell_date(cell: Cell) -> dt.date:
    """A date, by the rules in the module docstring."""
    value = cell.value
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise Invalid(f"'{value}' has a time of day", "write only the date: format the cell as a date")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (dt.time, dt.timedelta)):
        raise Invalid(f"'{value}' is a time, not a date", _HINT)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise Invalid(f"{value} is a number, not a date", "format the cell as a date, or " + _HINT)
    text = str(value).strip()
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        return _calendar_date(text, year, month, day)
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        if month > 12 and 1 <= day <= 12:
            raise Invalid(f"'{text}' has the month first (there is no month {month}); dates are read day first, "
                          "as Indonesia writes them",
                          f"write {month:02d}{match.group(2)}{day:02d}{match.group(2)}{year} or "
                          f"{year}-{day:02d}-{month:02d}; the other dates of this column may be month first too")
        return _calendar_date(text, year, month, day)
    if _SHORT_YEAR.fullmatch(text):
        day_month, year = text[:-2], text[-2:]
        raise Invalid(f"'{text}' has a two-digit year: 19{year} or 20{year}?",
                      f"write the year in full, {day_month}20{year} or {day_month}19{year} (DD/MM/YYYY)")
    if match := _NAMED_MONTH.fullmatch(text):
        month = MONTHS.get(match.group(2).casefold())
        if month is not None:
            return _calendar_date(text, int(match.group(3)), month, int(match.group(1)))
    raise Invalid(f"'{text}' is not a date", _HINT)


def _calendar_date(text: str, year: int, month: int, day: int) -> dt.date:
    if not 1 <= month <= 12:
        raise Invalid(f"'{text}' is not a date: there is no month {month}", _HINT)
    if year < 1:
        raise Invalid(f"'{text}' is not a date: there is no year {year}", _HINT)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise Invalid(f"'{text}' is not a date: {_MONTH_EN[month]} {year} has {last} days", _HINT)
    return dt.date(year, month, day)


_WHOLE = re.compile(r"[+-]?\d+(?:[.,]0+)?")


def cell_whole(cell: Cell) -> int:
    value = cell.value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        return int(re.split(r"[.,]", value.strip())[0])
    raise Invalid(f"'{value}' is not a whole number", "write a whole number, e.g. 2")


_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def cell_percent(cell: Cell) -> Decimal:
    """A percentage, by the rules in the module docstring."""
    value = cell.value
    if isinstance(value, str):
        text = value.strip()
        match = _PERCENT.fullmatch(text)
        if match:
            return Decimal(match.group(1).replace(",", "."))
        if _NUMBER.fullmatch(text):
            return _bare_percent(Decimal(text.replace(",", ".")), text)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = Decimal(repr(value))
        if cell.percent:
            return (number * 100).quantize(Decimal("0.000001")).normalize()
        return _bare_percent(number, repr(value))
    raise Invalid(f"'{value}' is not a percentage", "write a percentage from 0% to 100%, e.g. 72%")


def _bare_percent(number: Decimal, shown: str) -> Decimal:
    if number > 1 or number == 0:
        return number
    raise Invalid(f"'{shown}' could be a fraction ({number * 100}%) or a percentage ({shown}%)",
                  f"write it with a percent sign: {number * 100}% or {shown}%")


def field_readers(rubric: Rubric) -> dict:
    """Field key -> the function that reads its cells: every column `import` knows."""
    table = {field: cell_text for field in TEXT_FIELDS}
    table.update({field: cell_date for field in DATE_FIELDS})
    table["anggota"] = cell_whole
    table.update({i.key: cell_percent if i.banded else cell_whole for i in rubric.indicators})
    table.update({a.key: cell_whole for a in rubric.assets})
    return table
