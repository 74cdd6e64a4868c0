"""Parsing extract values: NHS numbers, day-first dates, numbers stored as text."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from connectors.values import dates, flag, nhs_number, numbers


def parse(expr, values):
    return pl.DataFrame({"c": values}, schema={"c": pl.String}).select(expr).unnest("c").to_dicts()


@pytest.mark.parametrize(
    ("raw", "value", "problem"),
    [
        ("943 476 5919", "9434765919", None),
        ("943-476-5919", "9434765919", None),
        ("'9434765919", "9434765919", None),
        ("999 000 0018", "9990000018", None),
        ("987 654 4321", None, "fails the NHS number check digit (modulus 11)"),
        ("1111111111", None, "has all ten digits the same"),
        ("9.43E+09", None, "is in scientific notation (Excel): the digits are lost"),
        ("94347659", None, "is not 10 digits"),
        ("", None, None),
        ("n/a", None, None),
    ],
)
def test_nhs_numbers(raw, value, problem):
    assert parse(nhs_number("c"), [raw]) == [{"value": value, "problem": problem}]


def test_check_digit_of_ten_is_invalid():
    # digits 1-9 sum to 6 x 2 = 12, 12 mod 11 = 1, check 11 - 1 = 10: no digit can carry it
    (row,) = parse(nhs_number("c"), ["0000000060"])
    assert row["problem"] == "fails the NHS number check digit (modulus 11)"


FORMATS = ("%d/%m/%Y", "%d-%b-%Y", "%d %b %Y", "%Y-%m-%d")


@pytest.mark.parametrize(
    ("raw", "value", "problem"),
    [
        ("01/03/2024", dt.datetime(2024, 3, 1), None),
        ("1/3/2024", dt.datetime(2024, 3, 1), None),
        ("01-Mar-2024", dt.datetime(2024, 3, 1), None),
        ("01 Mar 2024 14:30", dt.datetime(2024, 3, 1, 14, 30), None),
        ("2024-03-01 09:05:00", dt.datetime(2024, 3, 1, 9, 5), None),
        ("31/02/2024", None, "is not a date in a known day-first layout"),
        ("13/13/2024", None, "is not a date in a known day-first layout"),
        ("45352", None, "looks like an Excel serial number, not a date"),
        ("", None, None),
    ],
)
def test_day_first_dates(raw, value, problem):
    assert parse(dates("c", FORMATS), [raw]) == [{"value": value, "problem": problem}]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("72.5 kg", (72.5, None, "kg", None)),
        ("<5", (5.0, "<", None, None)),
        (">= 90", (90.0, ">=", None, None)),
        ("1,234", (1234.0, None, None, None)),
        ("£1,234.50", (1234.5, None, None, None)),
        ("-3.2", (-3.2, None, None, None)),
        ("NULL", (None, None, None, None)),
        ("", (None, None, None, None)),
        ("heavy", (None, None, None, "is not a number")),
    ],
)
def test_numbers_stored_as_text(raw, expected):
    (row,) = parse(numbers("c"), [raw])
    assert (row["value"], row["comparator"], row["unit"], row["problem"]) == expected


def test_flags():
    d = pl.DataFrame({"c": ["Y", "n", "TRUE", "0", "maybe", None]})
    assert d.select(flag("c"))["c"].to_list() == [True, False, True, False, None, None]


def test_a_decimal_comma_is_not_read_as_a_thousands_separator():
    d = pl.DataFrame({"v": ["72,5", "1,234", "1,234.5", "7,5 kg", "3."]})
    parsed = d.select(numbers("v")).unnest("v")
    assert parsed["value"].to_list() == [None, 1234.0, 1234.5, None, 3.0]
    assert parsed["problem"].to_list() == ["is not a number", None, None, "is not a number", None]
