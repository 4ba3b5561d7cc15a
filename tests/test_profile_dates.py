"""Profile dates: ISO or a year-first Chinese form; ambiguous and impossible dates are refused by field."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsubsidy import ProfileError, parse_profile


def _grant(text: str) -> dt.date | None:
    return parse_profile({"patents": [{"number": "US11223344B2", "grant_date": text}]}).patents[0].grant_date  # type: ignore[index]


@pytest.mark.parametrize("text", ["2021-03-01", "2021/3/1", "2021.03.01", "2021年3月1日", " 2021 年 3 月 1 日 "])
def test_year_first_forms_read_as_the_same_day(text: str) -> None:
    assert dt.date(2021, 3, 1) == _grant(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("03/01/2021", "year first"),       # month-first or day-first: ambiguous, never guessed
    ("2021-02-30", "not a calendar date"),
    ("下个月", "year first"),
])
def test_ambiguous_or_impossible_dates_name_the_field(text: str, expected: str) -> None:
    with pytest.raises(ProfileError) as caught:
        _grant(text)
    assert caught.value.fields == ["patents[0].grant_date"]
    assert expected in str(caught.value)


@given(st.dates(min_value=dt.date(1985, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_date_written_in_chinese_reads_back_exactly(day: dt.date) -> None:
    assert day == _grant(f"{day.year}年{day.month}月{day.day}日")
