"""result.questions: the facts still worth asking, most money first, each asked once and never again.

The acceptance of issue 4: a profile with only city, entity type and size yields questions whose first one
decides the most money; answering them one by one from a full reference profile ends with the result of
evaluating the full profile.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from backends import BACKENDS
from ipsubsidy import Company, Evaluator, PolicySet, Result, Status, load_policies
from ipsubsidy.asking import relevant_leaves
from ipsubsidy.policy.conditions import parse_condition

POLICIES = Path(__file__).parent.parent / "policies"
AS_OF = dt.date(2022, 6, 30)

START = {"city": "晋中", "entity_type": "enterprise", "size": "small"}

# Every fact a Jinzhong item tests, so every question has an answer here.
REFERENCE: dict[str, Any] = {
    "city": "晋中", "entity_type": "enterprise", "size": "small",
    "patents": [
        {"number": "ZL202010566088.9", "kind": "invention", "grant_date": "2021-03-01"},
        {"number": "US11223344B2", "kind": "invention", "grant_date": "2021-09-01"},
        {"number": "ZL201811564288.X", "kind": "invention", "grant_date": "2019-05-01"},  # before the period
    ],
    "finances": [
        {"year": 2020, "sales_revenue": "1000000", "main_business_revenue": "1000000",
         "rd_expense": "40000", "commercialised_revenue": "400000"},
        {"year": 2021, "sales_revenue": "2000000", "main_business_revenue": "1500000",
         "rd_expense": "100000", "commercialised_revenue": "450000"},
        {"year": 2022, "sales_revenue": "3000000", "main_business_revenue": "3000000",
         "rd_expense": "10000", "commercialised_revenue": "0"},
    ],
    "madrid_registrations": [
        {"number": "1500001", "filing_date": "2021-02-01", "designated_countries": ["US", "DE"]},
        {"number": "1500002", "filing_date": "2021-04-01", "designated_countries": ["JP", "KR", "FR"]},
    ],
    "geographical_indications": [{"name": "太谷壶瓶枣", "form": "product", "approval_date": "2021-05-01"}],
    "listings": [{"kind": "ip_demonstration_enterprise", "level": "provincial", "date": "2021-07-01"}],
    "certifications": [],
    "brand_plan_selections": [{"plan": "kongque", "date": "2021-06-01"}],
    "rights_protection_centres": [],
}


@pytest.fixture(scope="module")
def jinzhong() -> PolicySet:
    return load_policies([POLICIES / "jinzhong-2020.yaml"])


def _required(collection: str) -> list[str]:
    model = Company.model_fields[collection].annotation
    unit = next(a for a in model.__args__ if a is not type(None)).__args__[0]  # list[Unit] | None
    return [name for name, info in unit.model_fields.items() if info.is_required()]


def _full_entry(collection: str, partial: dict[str, Any], index: int, full: dict[str, Any]) -> dict[str, Any]:
    keys = [k for k in (*_required(collection), "number", "name", "year") if k in partial]
    if not keys:
        return full[collection][index]
    return next(e for e in full[collection] if all(e.get(k) == partial[k] for k in keys))


def answer(path: str, partial: dict[str, Any], full: dict[str, Any]) -> dict[str, Any]:
    """The partial profile with the answer to ``path`` taken from ``full``: a list comes with only the
    fields that identify its entries, so their other facts are asked one by one."""
    out = copy.deepcopy(partial)
    if m := re.fullmatch(r"(\w+)\[(\w+)=(\d+)\]", path):
        collection, key, value = m.group(1), m.group(2), int(m.group(3))
        assert any(e.get(key) == value for e in full[collection]), f"the reference lacks {path}"
        out[collection] = [*out.get(collection, []), {key: value}]
    elif m := re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)", path):
        collection, index, name = m.group(1), int(m.group(2)), m.group(3)
        source = _full_entry(collection, out[collection][index], index, full)
        assert name in source, f"the reference lacks {path}"
        out[collection][index][name] = source[name]
    else:
        assert path in full, f"the reference lacks {path}"
        value = full[path]
        if isinstance(value, list):
            value = [{k: e[k] for k in _required(path) if k in e} for e in value]
        out[path] = value
    return out


def outcome(result: Result) -> dict[str, Any]:
    """What a claimant gets: per item status, quantity, subtotal (and units of per-unit items); the total."""
    items = {i.id: (i.status, i.amount.quantity, i.amount.subtotal,
                    [u.label for u in i.units] if i.amount.per_unit and i.amount.quantity != 1 else None)
             for i in result.items}
    return {"total": result.total, "items": items}


@pytest.mark.parametrize("backend", BACKENDS)
def test_partial_profile_evaluates_and_first_question_decides_most_money(jinzhong: PolicySet, backend: str) -> None:
    result = Evaluator(jinzhong, backend).evaluate(START, AS_OF)
    assert result.items and all(i.status == Status.needs_info for i in result.items)
    questions = result.questions
    assert questions, "a partial profile has something to ask"
    money = [Decimal(q.money) for q in questions]
    assert money[0] == max(money) > 0
    assert money == sorted(money, reverse=True)
    # the brand plans (300,000 + 200,000) outweigh every other list
    assert questions[0].path == "brand_plan_selections"
    assert questions[0].money == "500000"
    assert set(questions[0].items) == {"jinzhong-2020.fenghuang", "jinzhong-2020.kongque"}
    assert [q.path for q in questions].count(questions[0].path) == 1


def test_each_question_is_a_missing_path_of_an_open_item(jinzhong: PolicySet) -> None:
    evaluator = Evaluator(jinzhong, "python")
    partial = {**START, "finances": [{"year": 2021}], "patents": [{"number": "US11223344B2"}]}
    result = evaluator.evaluate(partial, AS_OF)
    paths = [q.path for q in result.questions]
    assert len(paths) == len(set(paths))
    for question in result.questions:
        for item_id in question.items:
            item = result.item(item_id)
            assert question.path in item.missing
            assert item.status in (Status.needs_info, Status.eligible)
        assert "？" in question.zh and "?" in question.en
    rd = next(q for q in result.questions if q.path == "finances[0].rd_expense")
    assert rd.zh == "贵单位2021年研发投入是多少元？"
    assert rd.type == "money" and rd.money == "200000"
    kind = next(q for q in result.questions if q.path == "patents[0].kind")
    assert kind.type == "enum" and kind.choices == ["invention", "utility_model", "design"]
    assert any(q.path == "finances[year=2020]" and q.type == "entry" for q in result.questions)


def test_a_settled_item_is_never_asked_about(jinzhong: PolicySet) -> None:
    # Every year fails the R&D ratio: Longmen is not eligible, its unknown commercial revenues are not asked.
    years = [{"year": y, "sales_revenue": "1000000", "rd_expense": "1000"} for y in (2020, 2021, 2022)]
    result = Evaluator(jinzhong, "python").evaluate({**START, "finances": years}, AS_OF)
    assert result.item("jinzhong-2020.longmen").status == Status.not_eligible
    assert not [q for q in result.questions if q.path.startswith("finances")]


def test_an_eligible_fixed_award_is_not_asked_about_again(jinzhong: PolicySet) -> None:
    madrid = [{"filing_date": "2021-01-01", "designated_countries": ["US", "DE"]},
              {"filing_date": "2021-02-01", "designated_countries": ["US", "DE"]},
              {"designated_countries": ["US", "DE"]}]  # a third with an unknown date changes nothing
    result = Evaluator(jinzhong, "python").evaluate({**START, "madrid_registrations": madrid}, AS_OF)
    assert result.item("jinzhong-2020.madrid").status == Status.eligible
    assert "madrid_registrations[2].filing_date" in result.item("jinzhong-2020.madrid").missing
    assert not [q for q in result.questions if q.path.startswith("madrid")]


def test_an_eligible_per_unit_award_asks_for_undecided_units(jinzhong: PolicySet) -> None:
    patents = [{"number": "ZL202010566088.9", "grant_date": "2021-03-01"}, {"number": "ZL201811564288.X"}]
    result = Evaluator(jinzhong, "python").evaluate({**START, "patents": patents}, AS_OF)
    assert result.item("jinzhong-2020.invention-patent-domestic").status == Status.eligible
    question = next(q for q in result.questions if q.path == "patents[1].grant_date")
    assert question.money == "5000" and question.items == ["jinzhong-2020.invention-patent-domestic"]


def test_closed_periods_ask_nothing_and_future_ones_do(jinzhong: PolicySet) -> None:
    evaluator = Evaluator(jinzhong, "python")
    after = evaluator.evaluate(START, dt.date(2023, 1, 1))
    # a closed plan reports undecided items as closed, and asks nothing about them
    assert after.by_status(Status.expired) and not after.by_status(Status.needs_info) and after.questions == []
    before = evaluator.evaluate(START, dt.date(2019, 12, 31))
    assert before.questions and before.questions[0].path == "brand_plan_selections"


def test_unknown_city_and_type_are_asked_first() -> None:
    result = Evaluator(load_policies([POLICIES / "jinzhong-2020.yaml"]), "python").evaluate({}, AS_OF)
    assert [q.path for q in result.questions[:2]] == ["city", "entity_type"]
    assert result.questions[1].type == "enum" and "enterprise" in result.questions[1].choices


def test_only_comparisons_that_can_decide_are_relevant() -> None:
    cond = parse_condition({"any": [{"all": [{"fact": "startup", "eq": True}, {"fact": "has_own_ip", "eq": True}]},
                                    {"fact": "leading_enterprise", "eq": True}]}, Company)
    startup, own_ip, leading = (leaf for leaf in _leaves(cond))
    assert relevant_leaves(cond, {startup: False}) == [leading]
    assert relevant_leaves(cond, {}) == [startup, own_ip, leading]
    # any(all(a, b), c), all unknown: a alone never decides, yet it matters once b and c are known
    assert startup in relevant_leaves(cond, {own_ip: None, leading: None})
    assert relevant_leaves(cond, {startup: True, own_ip: True}) == []


def _leaves(cond: Any) -> list[Any]:
    from ipsubsidy.policy.conditions import leaves

    return list(leaves(cond))


@pytest.mark.parametrize("backend", BACKENDS)
def test_answering_questions_one_by_one_reaches_the_full_result(jinzhong: PolicySet, backend: str) -> None:
    evaluator = Evaluator(jinzhong, backend)
    partial: dict[str, Any] = dict(START)
    asked: list[str] = []
    result = evaluator.evaluate(partial, AS_OF)
    while result.questions:
        top = result.questions[0].path
        assert top not in asked, f"{top} asked again after it was answered"
        asked.append(top)
        partial = answer(top, partial, REFERENCE)
        result = evaluator.evaluate(partial, AS_OF)
        assert top not in [q.path for q in result.questions]
        assert len(asked) < 100
    full = evaluator.evaluate(REFERENCE, AS_OF)
    assert outcome(result) == outcome(full)
    # patents 5000 + 20000 (the 2019 grant is outside the period), Madrid 20000, GI 50000, Kongque 200000,
    # Longmen 200000 (2021: exactly 5% and exactly 30%; "以上" includes the bound)
    assert full.total == "495000"
    assert result.item("jinzhong-2020.longmen").status == Status.eligible
    assert len(asked) > 10
