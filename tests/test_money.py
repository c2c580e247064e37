"""Money in fen and discount rates in hundredths of a percent (db.values.money)."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.core.errors import RuleError
from db.values.money import MAX_FEN, format_money, format_percent, parse_money, parse_percent


@pytest.mark.parametrize("text, fen", [
    ("1,234.50", 123450), ("¥1234.5", 123450), ("￥1,234", 123400), ("1234", 123400),
    ("1234元", 123400), ("¥ 1,234.50 元", 123450), ("0.5", 50), (".5", 50), ("12.", 1200),
    ("0.05", 5), ("1.500", 150), ("1,234,567.89", 123456789), ("１２３４．５", 123450),
    ("", 0), ("   ", 0), (None, 0), ("0", 0), ("-0", 0), ("007", 700),
])
def test_parse_money(text, fen):
    assert parse_money(text) == fen


def test_numbers_from_cells_are_read_as_their_text():
    assert parse_money(1234.5) == 123450
    assert parse_money(Decimal("99.99")) == 9999
    assert parse_money(12) == 1200


@pytest.mark.parametrize("text", ["12,34", "1,2345", "1,23,456", ",123", "abc", "1e5", "¥",
                                  "--1", "1.2.3", "12 34", "元", ".", "$12", "1,234.5.6",
                                  "-¥-5"])
def test_not_an_amount(text):
    with pytest.raises(RuleError) as caught:
        parse_money(text, field="credit_limit", label="customer.field.credit_limit")
    assert (caught.value.key, caught.value.field) == ("money.invalid", "credit_limit")


@pytest.mark.parametrize("text", ["1.234", "0.001", "1.2301", "0.30000000000000004"])
def test_more_than_two_decimals_refused(text):
    with pytest.raises(RuleError) as caught:
        parse_money(text)
    assert caught.value.key == "money.decimals"


def test_negatives_only_where_allowed():
    with pytest.raises(RuleError) as caught:
        parse_money("-5")
    assert caught.value.key == "money.negative"
    assert parse_money("-5", negative=True) == -500
    assert parse_money("¥-1,234.50", negative=True) == -123450
    assert parse_money("-¥1,234.50", negative=True) == -123450


@pytest.mark.parametrize("text", ["10,000,000,000,000", "10000000000000.00", "9" * 5000])
def test_overflow_refused(text):
    with pytest.raises(RuleError) as caught:
        parse_money(text)
    assert caught.value.key == "money.too_large"
    assert caught.value.values["max"] == "9,999,999,999,999.99"


def test_largest_amount_accepted():
    assert parse_money("9,999,999,999,999.99") == MAX_FEN


@pytest.mark.parametrize("fen, text", [
    (123450, "1,234.50"), (0, "0.00"), (5, "0.05"), (100, "1.00"), (-123450, "-1,234.50"),
    (MAX_FEN, "9,999,999,999,999.99"),
])
def test_format_money(fen, text):
    assert format_money(fen) == text


@given(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN))
def test_money_round_trip(fen):
    assert parse_money(format_money(fen), negative=True) == fen


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_plain_decimal_text_is_exact(fen):
    text = str(Decimal(fen).scaleb(-2))
    assert parse_money(text) == fen


@pytest.mark.parametrize("text, value", [
    ("12.5", 1250), ("12.5%", 1250), ("12.50 %", 1250), ("100", 10000), ("100.00", 10000),
    ("0", 0), ("", 0), (None, 0), ("0.01", 1), ("１２．５％", 1250), ("7", 700), ("-0", 0),
])
def test_parse_percent(text, value):
    assert parse_percent(text) == value


@pytest.mark.parametrize("text, key", [
    ("100.01", "percent.range"), ("101", "percent.range"), ("-1", "percent.range"),
    ("9" * 5000, "percent.range"), ("12.345", "percent.decimals"), ("abc", "percent.invalid"),
    ("%", "percent.invalid"), ("12%%", "percent.invalid"), ("1,5", "percent.invalid"),
])
def test_percent_refused(text, key):
    with pytest.raises(RuleError) as caught:
        parse_percent(text, field="discount_rate", label="customer.field.discount_rate")
    assert (caught.value.key, caught.value.field) == (key, "discount_rate")


@pytest.mark.parametrize("value, text", [(1250, "12.5"), (1000, "10"), (1, "0.01"), (0, "0"),
                                         (10000, "100"), (1234, "12.34")])
def test_format_percent(value, text):
    assert format_percent(value) == text


@given(st.integers(min_value=0, max_value=10000))
def test_percent_round_trip(value):
    assert parse_percent(format_percent(value)) == value
    assert parse_percent(format_percent(value) + "%") == value
