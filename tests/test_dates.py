"""Dates as people type them (db.values.dates)."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.values.dates import MAX_YEAR, MIN_YEAR, format_date, parse_date
from db.core.errors import RuleError

MARCH_5 = dt.date(2024, 3, 5)


@pytest.mark.parametrize("text", [
    "2024-03-05", "2024-3-5", "2024/3/5", "2024/03/05", "2024.3.5", "20240305",
    "2024年3月5日", "2024年03月05日", "2024 年 3 月 5 日", "2024年3月5号", "2024年3月5",
    " 2024-03-05 ", "２０２４－０３－０５", "２０２４年３月５日",
    "2024-03-05T10:30", "2024-03-05 10:30:00",
])
def test_typed_forms(text):
    assert parse_date(text) == MARCH_5


def test_han_form_keeps_its_year_whatever_today_is():
    # dateutil's fuzzy parser would take the current year here.
    assert parse_date("2019年3月5日", today=dt.date(2026, 1, 1)) == dt.date(2019, 3, 5)


@pytest.mark.parametrize("text", ["3/5", "3-5", "3.5", "03/05", "3月5日", "3月5"])
def test_month_day_means_this_year(text):
    assert parse_date(text, today=dt.date(2026, 7, 1)) == dt.date(2026, 3, 5)


def test_this_year_comes_from_the_clock_by_default():
    from db.core import clock

    clock.fix(dt.datetime(2031, 2, 1))
    assert parse_date("12/31") == dt.date(2031, 12, 31)


@pytest.mark.parametrize("text", [None, "", "   ", "\u3000"])
def test_empty_is_no_date(text):
    assert parse_date(text) is None


def test_dates_from_cells_pass_through():
    assert parse_date(MARCH_5) == MARCH_5
    assert parse_date(dt.datetime(2024, 3, 5, 14, 0)) == MARCH_5


@pytest.mark.parametrize("text", [
    "2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "2024-03-00", "2/30",
    "2024-03", "2024", "March 5 2024", "5 Mar 2024", "2024/3-5", "24-3-5", "240305",
    "abc", "2024年3月", "2024-03-05T25:00", "2024-03-05 and more", "1e5", "2024--03-05",
])
def test_refused(text):
    with pytest.raises(RuleError) as caught:
        parse_date(text, field="dev_date", label="customer.field.dev_date")
    assert caught.value.key == "date.invalid"
    assert caught.value.field == "dev_date"
    assert caught.value.values["text"] == text
    assert caught.value.values["label"] == "customer.field.dev_date"


@pytest.mark.parametrize("text", ["0224-03-05", "1899-12-31", "2100-01-01"])
def test_years_out_of_range_refused(text):
    with pytest.raises(RuleError) as caught:
        parse_date(text)
    assert caught.value.key == "date.out_of_range"
    assert caught.value.values["label"] == "date.label"


def test_format():
    assert format_date(MARCH_5) == "2024-03-05"
    assert format_date(dt.datetime(2024, 3, 5, 10, 0)) == "2024-03-05"
    assert format_date(None) == ""


days = st.dates(min_value=dt.date(MIN_YEAR, 1, 1), max_value=dt.date(MAX_YEAR, 12, 31))


@given(days)
def test_formatted_dates_parse_back(day):
    assert parse_date(format_date(day)) == day


@given(days)
def test_every_typed_form_of_a_date_parses_to_it(day):
    y, m, d = day.year, day.month, day.day
    for text in (f"{y}/{m}/{d}", f"{y}.{m}.{d}", f"{y}-{m}-{d}", f"{y}{m:02d}{d:02d}",
                 f"{y}年{m}月{d}日"):
        assert parse_date(text) == day
    assert parse_date(f"{m}/{d}", today=dt.date(y, 1, 1)) == day
