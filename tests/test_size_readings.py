"""小微 (small or micro) is kept as that uncertainty: evaluated as each size, merged, never guessed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsubsidy import Company, Evaluator, evaluate, parse_profile
from ipsubsidy.result import ItemResult, Result, Status
from ipsubsidy.size_readings import merge_readings, size_readings
from strategies import as_of_dates, profiles

SIZES = ("large", "medium", "small", "micro")
CITIES = ("cangzhou", "hefei")  # their documents test the size (small or micro; medium, small or micro)


@pytest.fixture(scope="module")
def evaluator() -> Iterator[Evaluator]:
    with Evaluator(backend="python") as ev:
        yield ev


def _exact(ev: Evaluator, profile: Company, size: str, as_of: dt.date) -> Result:
    return ev.evaluate(profile.model_copy(update={"size": size}), as_of)


def _items(result: Result) -> dict[str, ItemResult]:
    return {i.id: i for i in result.all_items()}


SLOW_OK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW_OK)
@given(profile=profiles(), as_of=as_of_dates(), city=st.sampled_from(CITIES), pair=st.permutations(SIZES))
def test_merged_never_totals_more_than_either_reading_and_keeps_what_they_agree_on(
        evaluator: Evaluator, profile: Company, as_of: dt.date, city: str, pair: list[str]) -> None:
    profile = profile.model_copy(update={"city": city, "entity_type": "enterprise"})
    a, b = (_exact(evaluator, profile, size, as_of) for size in pair[:2])
    merged = merge_readings([a, b], pair[:2])
    assert Decimal(merged.total) <= min(Decimal(a.total), Decimal(b.total))
    first, second = _items(a), _items(b)
    for item in merged.all_items():
        x, y = first[item.id], second[item.id]
        if x == y or (x.status == y.status and x.amount == y.amount):
            assert item == x  # agreeing readings (a reason may quote the size): the first reading's result
        else:
            assert "size" in item.missing
            assert item.status in (Status.needs_info, Status.eligible)
            if item.status == Status.eligible:  # eligible either way: the smaller amount is promised
                assert x.status == y.status == Status.eligible
                assert Decimal(item.amount.subtotal or 0) == min(Decimal(x.amount.subtotal or 0),
                                                               Decimal(y.amount.subtotal or 0))
            else:
                assert item.amount.subtotal is None
    if any("size" in i.missing for i in merged.all_items()):
        assert [q.path for q in merged.questions].count("size") == 1


@settings(max_examples=30, deadline=None, suppress_health_check=SLOW_OK)
@given(profile=profiles(), as_of=as_of_dates(), city=st.sampled_from(CITIES))
def test_small_or_micro_is_the_merge_of_small_and_micro(evaluator: Evaluator, profile: Company, as_of: dt.date,
                                                       city: str) -> None:
    profile = profile.model_copy(update={"city": city, "entity_type": "enterprise"})
    uncertain = evaluator.evaluate(profile.model_copy(update={"size": "small_or_micro"}), as_of)
    small, micro = (_exact(evaluator, profile, size, as_of) for size in ("small", "micro"))
    assert uncertain == merge_readings([small, micro], ("small", "micro"))
    assert Decimal(uncertain.total) <= min(Decimal(small.total), Decimal(micro.total))
    if small == micro:  # the shipped documents name small and micro together: they agree
        assert uncertain == small


def test_xiaowei_is_read_in_every_spelling_and_never_guessed() -> None:
    for text in ("小微", "小微企业", "small_or_micro"):
        profile = parse_profile({"size": text})
        assert profile.size == "small_or_micro"
        assert size_readings(profile) == ("small", "micro")
    assert size_readings(parse_profile({"size": "小型"})) is None
    assert size_readings(parse_profile({})) is None


def test_an_item_only_one_size_gets_is_needs_info_with_size_missing_and_asked(evaluator: Evaluator) -> None:
    """Cangzhou's small-and-micro items against a medium reading: they disagree, so nothing is promised."""
    profile = parse_profile({"city": "沧州", "entity_type": "企业", "patents": []})
    as_of = dt.date(2017, 6, 1)
    small, medium = (_exact(evaluator, profile, size, as_of) for size in ("small", "medium"))
    merged = merge_readings([small, medium], ("small", "medium"))
    differ = [i for i in merged.all_items() if _items(small)[i.id] != _items(medium)[i.id]]
    assert differ, "the readings must disagree on some item for this test to mean anything"
    for item in differ:
        assert "size" in item.missing and item.reasons[-1].field == "size"
        assert "small" in item.reasons[-1].en and "medium" in item.reasons[-1].en
    asked = [q for q in merged.questions if q.path == "size"]
    assert len(asked) == 1 and set(asked[0].items) == {i.id for i in differ}
    assert asked[0].choices == ["small", "micro"]


def test_the_library_evaluate_and_the_service_path_take_xiaowei() -> None:
    result = evaluate({"city": "cangzhou", "entity_type": "enterprise", "size": "小微"}, "2017-06-01",
                      backend="python")
    small = evaluate({"city": "cangzhou", "entity_type": "enterprise", "size": "small"}, "2017-06-01",
                     backend="python")
    assert result.total == small.total
    assert {i.id: i.status for i in result.all_items()} == {i.id: i.status for i in small.all_items()}
