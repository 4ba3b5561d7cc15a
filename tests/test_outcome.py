"""``Evaluator.outcome``: the statuses, quantities, subtotals and total ``evaluate`` decides, with no text.

Held to the rendered result on every scenario case (stacking and caps over several items included, in the
demo-district package) and on drawn profiles, on both backends; it builds no ``ItemResult`` at all.
"""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from backends import BACKENDS
from ipsubsidy import Company, Evaluator, Outcome, Result, Status, UnknownItemError, load_policies, shipped_policies
from strategies import as_of_dates, profiles

TESTS = Path(__file__).parent
PATENTS = {"city": "晋中", "entity_type": "enterprise",
           "patents": [{"number": "ZL201811564288.X", "grant_date": "2021-03-02"},
                       {"number": "ZL201510958772.0", "grant_date": "2021-06-15"}]}


def _cases() -> list[Any]:
    out = []
    for path in sorted((TESTS / "scenarios").glob("*.yaml")):
        out += [pytest.param("shipped", case, id=f"{path.stem}: {case['name']}")
                for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]]
    for package in sorted((TESTS / "packages").iterdir()):
        for path in sorted((package / "tests").glob("*.yaml")):
            out += [pytest.param(str(package), case, id=f"{package.name}/{path.stem}: {case['name']}")
                    for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]]
    return out


def _shown(result: Result) -> dict[str, Any]:
    """What the rendered result says of every item's status and money."""
    def one(entry: Any) -> tuple[Any, ...]:
        subtotal = None if entry.amount.subtotal is None else Decimal(entry.amount.subtotal)
        return (entry.id, entry.status, entry.benefit_class, entry.amount.quantity, subtotal,
                tuple((u.index, None if u.amount is None else Decimal(u.amount)) for u in entry.units))
    return {"items": [one(i) for i in result.items], "other": [one(i) for i in result.other],
            "total": Decimal(result.total), "not_stated": list(result.not_stated)}


def _decided(outcome: Outcome) -> dict[str, Any]:
    def one(entry: Any) -> tuple[Any, ...]:
        return (entry.id, entry.status, entry.benefit_class, entry.quantity, entry.subtotal, entry.units)
    return {"items": [one(i) for i in outcome.items], "other": [one(i) for i in outcome.other],
            "total": outcome.total, "not_stated": list(outcome.not_stated)}


_EVALUATORS: dict[tuple[str, str], Evaluator] = {}


def _evaluator(key: str, backend: str) -> Evaluator:
    if (key, backend) not in _EVALUATORS:
        policies = shipped_policies() if key == "shipped" else load_policies(packages=[key])
        _EVALUATORS[key, backend] = Evaluator(policies, backend)  # type: ignore[arg-type]
    return _EVALUATORS[key, backend]


@pytest.fixture(scope="module", autouse=True)
def _close() -> Any:
    yield
    while _EVALUATORS:
        _EVALUATORS.popitem()[1].close()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("key", "case"), _cases())
def test_the_outcome_is_what_the_result_shows(key: str, case: dict[str, Any], backend: str) -> None:
    evaluator = _evaluator(key, backend)
    try:
        result = evaluator.evaluate(case["profile"], case["as_of"])
    except Exception as exc:  # a case of bad input: the outcome refuses it the same way
        with pytest.raises(type(exc), match=None):
            evaluator.outcome(case["profile"], case["as_of"])
        return
    assert _decided(evaluator.outcome(case["profile"], case["as_of"])) == _shown(result)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_outcome_on_drawn_profiles(backend: str) -> None:
    evaluator = _evaluator("shipped", backend)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(profile=profiles(), as_of=as_of_dates())
    def check(profile: Company, as_of: dt.date) -> None:
        assert _decided(evaluator.outcome(profile, as_of)) == _shown(evaluator.evaluate(profile, as_of))

    check()


def test_an_outcome_renders_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    evaluate_module = importlib.import_module("ipsubsidy.evaluate")  # the package's ``evaluate`` is the function

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an outcome built an item result")

    monkeypatch.setattr(evaluate_module, "item_result", refuse)
    outcome = Evaluator(shipped_policies(), "python").outcome(PATENTS, "2022-06-30")
    assert outcome.total == Decimal(10000) and outcome.eligible() == ["jinzhong-2020.invention-patent-domestic"]
    with pytest.raises(AssertionError, match="built an item result"):
        Evaluator(shipped_policies(), "python").evaluate(PATENTS, "2022-06-30")


def test_the_outcome_reads_like_a_result() -> None:
    outcome = Evaluator(shipped_policies(), "python").outcome(PATENTS, dt.date(2022, 6, 30))
    item = outcome.item("jinzhong-2020.invention-patent-domestic")
    assert (item.status, item.quantity, item.subtotal) == (Status.eligible, 2, Decimal(10000))
    assert item.units == ((0, Decimal(5000)), (1, Decimal(5000)))
    assert outcome.statuses()["jinzhong-2020.madrid"] == Status.needs_info
    with pytest.raises(UnknownItemError, match="invention-patent-domestic"):
        outcome.item("jinzhong-2020.invention-patent-domestc")


def test_a_small_or_micro_outcome_is_the_merged_reading() -> None:
    profile = {"city": "晋中", "entity_type": "enterprise", "size": "small_or_micro",
               "finances": [{"year": 2021, "sales_revenue": "1000000", "rd_expense": "60000",
                             "main_business_revenue": "800000", "commercialised_revenue": "300000"}]}
    evaluator = Evaluator(shipped_policies(), "python")
    result = evaluator.evaluate(profile, "2022-06-30")
    assert _decided(evaluator.outcome(profile, "2022-06-30")) == _shown(result)
    # the shipped documents name small and micro together: both readings, and so the merge, agree
    assert _decided(evaluator.outcome({**profile, "size": "micro"}, "2022-06-30")) == _shown(result)
