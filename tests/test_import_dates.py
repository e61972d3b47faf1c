"""Dates in imported cells: day first as Indonesia writes them, ISO, real date cells; the rest refused with why."""

from __future__ import annotations

import datetime as dt

import pytest

from ksm_site.commands.cellvalues import DATE_FORMS, cell_date
from ksm_site.commands.sheet import Cell
from ksm_site.content.fields import Invalid


@pytest.mark.parametrize("value, expected", [
    ("26/03/2024", dt.date(2024, 3, 26)),
    ("01/02/2024", dt.date(2024, 2, 1)),  # day first: 1 February
    ("1/2/2024", dt.date(2024, 2, 1)),
    ("5/11/2019", dt.date(2019, 11, 5)),
    (" 26-03-2024 ", dt.date(2024, 3, 26)),
    ("26.03.2024", dt.date(2024, 3, 26)),
    ("29/02/2024", dt.date(2024, 2, 29)),
    ("2024-03-26", dt.date(2024, 3, 26)),
    ("26 Maret 2024", dt.date(2024, 3, 26)),
    ("Selasa, 26 Maret 2024", dt.date(2024, 3, 26)),
    ("26-Mar-2024", dt.date(2024, 3, 26)),
    ("3 Agustus 2021", dt.date(2021, 8, 3)),
    ("17 Agt 2021", dt.date(2021, 8, 17)),
    ("1 Desember 2020", dt.date(2020, 12, 1)),
    ("1 October 2020", dt.date(2020, 10, 1)),
    (dt.datetime(2024, 3, 26), dt.date(2024, 3, 26)),
    (dt.date(2024, 3, 26), dt.date(2024, 3, 26)),
])
def test_accepted_dates(value, expected):
    assert cell_date(Cell(value)) == expected


@pytest.mark.parametrize("value, message", [
    ("31/02/2024", "'31/02/2024' is not a date: February 2024 has 29 days"),
    ("29/02/2023", "'29/02/2023' is not a date: February 2023 has 28 days"),
    ("31/04/2021", "'31/04/2021' is not a date: April 2021 has 30 days"),
    ("13/13/2024", "'13/13/2024' is not a date: there is no month 13"),
    ("2024-02-30", "'2024-02-30' is not a date: February 2024 has 29 days"),
    ("2024-13-01", "'2024-13-01' is not a date: there is no month 13"),
    ("12/31/2024", "'12/31/2024' has the month first (there is no month 31)"),
    ("01/02/24", "'01/02/24' has a two-digit year: 1924 or 2024?"),
    ("1-2-19", "'1-2-19' has a two-digit year: 1919 or 2019?"),
    ("32 Maret 2024", "'32 Maret 2024' is not a date: March 2024 has 31 days"),
    ("26 Marc 2024", "'26 Marc 2024' is not a date"),
    ("26/03/2024 08:00", "'26/03/2024 08:00' is not a date"),
    ("kemarin", "'kemarin' is not a date"),
    (45377, "45377 is a number, not a date"),
    (dt.datetime(2024, 3, 26, 9, 30), "'2024-03-26 09:30:00' has a time of day"),
    (dt.time(9, 30), "'09:30:00' is a time, not a date"),
])
def test_refused_dates_say_why(value, message):
    with pytest.raises(Invalid) as refused:
        cell_date(Cell(value))
    assert refused.value.message.startswith(message)


@pytest.mark.parametrize("value", ["31/02/2024", "kemarin", "13/13/2024"])
def test_refusals_give_the_accepted_forms(value):
    with pytest.raises(Invalid) as refused:
        cell_date(Cell(value))
    assert DATE_FORMS in refused.value.hint


def test_a_month_first_date_says_how_to_write_it_day_first():
    with pytest.raises(Invalid) as refused:
        cell_date(Cell("12/31/2024"))
    assert refused.value.hint.startswith("write 31/12/2024 or 2024-12-31;")
    assert "the other dates of this column may be month first too" in refused.value.hint


def test_a_two_digit_year_says_how_to_write_it_in_full():
    with pytest.raises(Invalid) as refused:
        cell_date(Cell("01/02/24"))
    assert refused.value.hint == "write the year in full, 01/02/2024 or 01/02/1924 (DD/MM/YYYY)"
