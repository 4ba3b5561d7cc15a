"""Shortfalls: the smallest change that would pass a failed numeric threshold, exact to the fen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from ipsubsidy import Evaluator, Status, load_policies
from ipsubsidy.engine.compiled import trace_condition
from ipsubsidy.engine.trace import LeafTrace
from ipsubsidy.policy.conditions import parse_condition
from ipsubsidy.profile import Company, FiscalYear, MadridRegistration
from ipsubsidy.shortfall import ceil_to_fen, floor_to_fen, shortfall

POLICIES = Path(__file__).parent.parent / "policies"
AS_OF = dt.date(2022, 6, 30)


def _gap(cond: dict[str, Any], obj: BaseModel) -> Any:
    parsed = parse_condition(cond, type(obj))
    trace: list[LeafTrace] = []
    trace_condition(parsed, obj, trace)
    assert trace[0].outcome is False
    return shortfall(trace[0], obj, type(obj))


def test_rd_must_rise_by_ten_thousand_to_reach_five_percent() -> None:
    year = FiscalYear(year=2021, sales_revenue=Decimal(1_000_000), rd_expense=Decimal(40_000))
    gap = _gap({"fact": "rd_expense", "ratio_to": "sales_revenue", "ge": "5%"}, year)
    assert (gap.change, gap.target, gap.unit, gap.direction) == ("10000", "50000", "yuan", "increase")
    assert "研发投入须增加10000元" in gap.zh and "5%" in gap.zh
    assert "must rise by 10000 yuan" in gap.en


def test_ratio_rounds_up_to_the_fen() -> None:
    # 5% of 333,333.33 is 16,666.6665: 16,666.66 is short, 16,666.67 is enough
    year = FiscalYear(year=2021, sales_revenue=Decimal("333333.33"), rd_expense=Decimal("16000"))
    gap = _gap({"fact": "rd_expense", "ratio_to": "sales_revenue", "ge": "5%"}, year)
    assert (gap.change, gap.target) == ("666.67", "16666.67")


@given(a=st.integers(0, 10**9), b=st.integers(1, 10**9), pct=st.sampled_from(["5%", "30%", "12.5%", "0.01%"]),
       op=st.sampled_from(["ge", "gt"]))
def test_ratio_target_is_the_least_passing_amount(a: int, b: int, pct: str, op: str) -> None:
    sales, rd = Decimal(b) / 100, Decimal(a) / 100
    year = FiscalYear(year=2021, sales_revenue=sales, rd_expense=rd)
    rate = Fraction(Decimal(pct[:-1])) / 100
    passes = (Fraction(rd) / Fraction(sales) >= rate) if op == "ge" else (Fraction(rd) / Fraction(sales) > rate)
    if passes:
        return
    gap = _gap({"fact": "rd_expense", "ratio_to": "sales_revenue", op: pct}, year)
    target = Decimal(gap.target)
    assert Decimal(gap.change) == target - rd > 0

    def ok(x: Decimal) -> bool:
        return Fraction(x) / Fraction(sales) >= rate if op == "ge" else Fraction(x) / Fraction(sales) > rate

    assert ok(target) and not ok(target - Decimal("0.01"))


@pytest.mark.parametrize(("op", "value", "change", "target"), [
    ("ge", "5000", "1000", "5000"), ("gt", "5000", "1000.01", "5000.01"),
])
def test_money_threshold(op: str, value: str, change: str, target: str) -> None:
    gap = _gap({"fact": "rd_expense", op: value}, FiscalYear(year=2021, rd_expense=Decimal(4000)))
    assert (gap.change, gap.target, gap.unit) == (change, target, "yuan")


@pytest.mark.parametrize(("op", "change", "direction"), [("le", "999", "decrease"), ("lt", "999.01", "decrease")])
def test_money_ceiling(op: str, change: str, direction: str) -> None:
    gap = _gap({"fact": "rd_expense", op: "1"}, FiscalYear(year=2021, rd_expense=Decimal(1000)))
    assert (gap.change, gap.direction) == (change, direction)


def test_int_date_and_count_thresholds() -> None:
    assert _gap({"fact": "year", "ge": 2020}, FiscalYear(year=2018)).change == "2"
    date = _gap({"fact": "filing_date", "ge": "2020-01-01"},
                MadridRegistration(filing_date=dt.date(2019, 12, 30)))
    assert (date.change, date.unit, date.target) == ("2", "days", "2020-01-01")
    count = _gap({"count": "designated_countries", "ge": 3}, MadridRegistration(designated_countries=["US"]))
    assert (count.change, count.unit, count.target) == ("2", "count", "3")


def test_no_shortfall_for_equalities_or_a_zero_denominator() -> None:
    company = Company(startup=False)
    assert _gap({"fact": "startup", "eq": True}, company) is None
    year = FiscalYear(year=2021, sales_revenue=Decimal(0), rd_expense=Decimal(10))
    assert _gap({"fact": "rd_expense", "ratio_to": "sales_revenue", "ge": "5%"}, year) is None


def test_rounding_helpers() -> None:
    assert ceil_to_fen(Fraction(1, 3)) == Decimal("0.34")
    assert floor_to_fen(Fraction(1, 3)) == Decimal("0.33")


@pytest.fixture(scope="module")
def evaluator() -> Evaluator:
    return Evaluator(load_policies([POLICIES / "jinzhong-2020.yaml"]), "python")


def test_evaluated_reasons_carry_the_shortfall(evaluator: Evaluator) -> None:
    profile = {"city": "晋中", "entity_type": "enterprise",
               "finances": [{"year": y, "sales_revenue": "1000000", "rd_expense": "40000",
                             "main_business_revenue": "100", "commercialised_revenue": "50"}
                            for y in (2020, 2021, 2022)]}
    item = evaluator.evaluate(profile, AS_OF).item("jinzhong-2020.longmen")
    assert item.status == Status.not_eligible
    gaps = {r.shortfall.field: r.shortfall.change for r in item.reasons if r.shortfall is not None}
    assert gaps == {"finances[0].rd_expense": "10000", "finances[1].rd_expense": "10000",
                    "finances[2].rd_expense": "10000"}
    assert all(r.value is not None and r.threshold == "5%" for r in item.reasons)  # existing fields kept


def test_too_few_units_says_how_many_more(evaluator: Evaluator) -> None:
    profile = {"city": "晋中", "entity_type": "enterprise", "madrid_registrations": []}
    item = evaluator.evaluate(profile, AS_OF).item("jinzhong-2020.madrid")
    assert item.status == Status.not_eligible
    (reason,) = item.reasons
    assert reason.shortfall is not None and (reason.shortfall.change, reason.shortfall.target) == ("2", "2")
