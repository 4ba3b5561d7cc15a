"""One trace per evaluation: the compiled tracers decide and record every comparison in one pass, the
durable-rules backend gives the same trace, and ``evaluate(..., trace=True)`` returns it without changing
anything else of the result."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import profiles

from backends import BACKENDS, needs_durable
from ipsubsidy import Company, Evaluator, evaluate, load_policies, parse_profile, shipped_policies
from ipsubsidy.engine.backend import make_backend
from ipsubsidy.engine.compiled import _OPERATORS, _ratio_holds, compile_decider, compile_tracer, trace_condition
from ipsubsidy.engine.trace import LeafTrace
from ipsubsidy.traced import TracedResult

AS_OF = dt.date(2022, 6, 30)
PATENTS = {
    "city": "晋中", "entity_type": "enterprise",
    "patents": [{"number": "ZL201811564288.X", "grant_date": "2021-03-02"},
                {"number": "ZL201510958772.0", "grant_date": "2019-06-15"},
                {"number": "ZL202010566088.9"}],
}
LONGMEN = {
    "city": "晋中", "entity_type": "enterprise", "size": "small",
    "finances": [{"year": 2021, "sales_revenue": "1000000", "rd_expense": "40000",
                  "main_business_revenue": "800000", "commercialised_revenue": "300000"}],
}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _item(result: TracedResult, item_id: str) -> dict[str, Any]:
    return next(t.model_dump(mode="json") for t in result.trace if t.id == item_id)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_traced_result_is_the_plain_result_with_one_field_more(backend: str) -> None:
    with Evaluator(backend=backend) as evaluator:  # type: ignore[arg-type]
        plain = evaluator.evaluate(PATENTS, AS_OF)
        traced = evaluator.evaluate(PATENTS, AS_OF, trace=True)
    assert isinstance(traced, TracedResult) and not isinstance(plain, TracedResult)
    body = json.loads(traced.model_dump_json())
    assert "trace" not in json.loads(plain.model_dump_json())
    city = parse_profile(PATENTS).city
    assert [t["id"] for t in body.pop("trace")] == [i.id for i in shipped_policies().items_in(city)
                                                    if i.id in {r.id for r in plain.all_items()}]
    assert body == json.loads(plain.model_dump_json())
    assert traced.summary("en") == plain.summary("en")


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_unit_shows_the_dates_it_was_decided_on(backend: str) -> None:
    result = evaluate(PATENTS, AS_OF, backend=backend, trace=True)  # type: ignore[arg-type]
    assert isinstance(result, TracedResult)
    item = _item(result, "jinzhong-2020.invention-patent-domestic")
    assert [u["outcome"] for u in item["units"]] == [True, False, None]
    assert item["count"] == {"at_least": 1, "qualifying": 1, "undecided": 1}
    dates = [leaf for leaf in item["units"][1]["leaves"] if leaf["field"] == "patents[1].grant_date"]
    assert {(d["op"], d["value"], d["outcome"]) for d in dates} >= {("ge", "2019-06-15", False)}
    unknown = [leaf for leaf in item["units"][2]["leaves"] if leaf["outcome"] is None]
    assert unknown and all(leaf["missing"] == ["patents[2].grant_date"] for leaf in unknown)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ratio_leaf_shows_the_percentage_seen_and_the_threshold(backend: str) -> None:
    result = evaluate(LONGMEN, AS_OF, backend=backend, trace=True)  # type: ignore[arg-type]
    assert isinstance(result, TracedResult)
    leaves = [leaf for unit in _item(result, "jinzhong-2020.longmen")["units"] for leaf in unit["leaves"]]
    rd = next(leaf for leaf in leaves if leaf["ratio_to"] == "finances[0].sales_revenue")
    assert (rd["field"], rd["op"], rd["value"], rd["threshold"], rd["outcome"]) == (
        "finances[0].rd_expense", "ge", "4%", "5%", False)
    # the reason the result gives is the same leaf
    assert any("4% < 5%" in r.zh for r in result.item("jinzhong-2020.longmen").reasons)


@FAST
@given(company=profiles())
def test_the_compiled_tracer_records_what_the_tree_interpreter_records(company: Company) -> None:
    for item in shipped_policies().items_in(company.city):
        targets = [(item.qualifies, company)]
        if item.collection:
            targets += [(item.unit_condition, e) for e in getattr(company, item.collection) or []]
        for cond, obj in targets:
            expected: list[LeafTrace] = []
            got: list[LeafTrace] = []
            truth = trace_condition(cond, obj, expected)
            assert truth == compile_tracer(cond)(obj, got)
            assert expected == got
            assert compile_decider(cond)(obj) is truth  # the untraced truth, short-cut, is the same


_MONEY = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)


@FAST
@given(num=_MONEY, den=_MONEY.filter(lambda d: d != 0),
       threshold=st.fractions(min_value=-10, max_value=10, max_denominator=1_000_000),
       op=st.sampled_from(["ge", "gt", "le", "lt", "eq", "ne"]))
def test_the_untraced_ratio_compares_as_exact_fractions(num: Decimal, den: Decimal, threshold: Fraction,
                                                        op: str) -> None:
    """A ratio leaf decided without a trace compares in integers what the traced leaf compares as Fractions."""
    compare = _OPERATORS[op]
    assert compare(Fraction(num) / Fraction(den), threshold) == _ratio_holds(compare, num, den, threshold)


@needs_durable
@pytest.mark.durable
@FAST
@given(company=profiles())
def test_durable_rules_gives_the_python_backends_trace(company: Company) -> None:
    policies = shipped_policies()
    items = list(policies.items_in(company.city))
    python, durable = make_backend(policies, "python"), make_backend(policies, "durable-rules")
    try:
        a, b = python.decide(company, items), durable.decide(company, items)
    finally:
        durable.close()
    for item in items:
        x, y = a[item.id], b[item.id]
        assert x == y  # the truths
        assert x.trace is not None and y.trace is not None
        assert x.trace.profile() == y.trace.profile()
        assert [x.trace.unit(i) for i in range(len(x.units))] == [y.trace.unit(i) for i in range(len(y.units))]


def test_a_leaf_trace_keeps_exact_values() -> None:
    result = evaluate({**LONGMEN, "finances": [{**LONGMEN["finances"][0], "rd_expense": "49999.99"}]}, AS_OF,
                      backend="python", trace=True)
    assert isinstance(result, TracedResult)
    leaves = [leaf for unit in _item(result, "jinzhong-2020.longmen")["units"] for leaf in unit["leaves"]]
    rd = next(leaf for leaf in leaves if leaf["ratio_to"] == "finances[0].sales_revenue")
    assert rd["value"] == "4.9999%" and rd["outcome"] is False  # truncated, never rounded up onto 5%
    assert Decimal("49999.99") / Decimal(1_000_000) < Decimal("0.05")


@pytest.mark.parametrize("backend", BACKENDS)
@FAST
@given(company=profiles())
def test_without_explanations_only_reasons_and_questions_are_left_out(backend: str, company: Company) -> None:
    evaluator = _evaluators(backend)
    full = json.loads(evaluator.evaluate(company, AS_OF).model_dump_json())
    bare = json.loads(evaluator.evaluate(company, AS_OF, explain=False).model_dump_json())
    assert bare["questions"] == [] and all(i["reasons"] == [] for i in bare["items"] + bare["other"])
    for entry in full["items"] + full["other"]:
        entry["reasons"] = []
    full["questions"] = []
    assert full == bare


DEMO = Path(__file__).parent / "packages" / "demo-district"
DEMO_CASES = yaml.safe_load((DEMO / "tests" / "demo-district-2021.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_without_explanations_the_reasons_of_caps_and_stacking_are_left_out_too(backend: str) -> None:
    """The demo-district package has what the shipped documents lack: 不重复享受 and a cap over two items
    (合计最高不超过). Their reasons are explanations like any other: ``explain=False`` leaves them out and
    changes nothing else (the capped subtotal stays)."""
    with Evaluator(load_policies(packages=[str(DEMO)]), backend) as evaluator:  # type: ignore[arg-type]
        capped = 0
        for case in DEMO_CASES:
            full = json.loads(evaluator.evaluate(case["profile"], case["as_of"]).model_dump_json())
            bare = json.loads(evaluator.evaluate(case["profile"], case["as_of"], explain=False).model_dump_json())
            capped += any(r["field"] == "caps" for i in full["items"] for r in i["reasons"])
            assert bare["questions"] == [] and all(i["reasons"] == [] for i in bare["items"] + bare["other"])
            for entry in full["items"] + full["other"]:
                entry["reasons"] = []
            full["questions"] = []
            assert full == bare, case["name"]
        assert capped  # a case does reach the cap


_made: dict[str, Evaluator] = {}


def _evaluators(backend: str) -> Evaluator:
    if backend not in _made:
        _made[backend] = Evaluator(backend=backend)  # type: ignore[arg-type]
    return _made[backend]
