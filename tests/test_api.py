"""The public API: exactly the exported names, and the JSON shape of a result the issue requires."""

from __future__ import annotations

import datetime as dt
import json
import types

import ipsubsidy
from ipsubsidy import Evaluator, ItemResult, Result, Status, evaluate

PROFILE = {
    "city": "晋中",
    "entity_type": "enterprise",
    "patents": [
        {"number": "ZL201811564288.X", "grant_date": "2021-03-02"},
        {"number": "US11000000B2", "kind": "invention", "grant_date": "2021-08-10"},
    ],
    "finances": [{"year": 2021, "sales_revenue": "100", "rd_expense": "4.99",
                  "main_business_revenue": "100", "commercialised_revenue": "30"}],
}


def test_all_is_exactly_the_public_names() -> None:
    """httpx's test: every public attribute is in __all__ and everything in __all__ exists (modules aside:
    importing ipsubsidy.evaluate binds the submodule on the package, which is not an export)."""
    public = {name for name, value in vars(ipsubsidy).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert set(ipsubsidy.__all__) == public | {"__version__"}
    assert ipsubsidy.__all__ == sorted(ipsubsidy.__all__)
    assert len(set(ipsubsidy.__all__)) == len(ipsubsidy.__all__)


def test_the_documented_names_are_exported() -> None:
    documented = {"evaluate", "Evaluator", "load_policies", "shipped_policies", "parse_profile", "Company",
                  "Result", "ItemResult", "Status", "PolicySet", "Document", "Item", "IpSubsidyError",
                  "ProfileError", "PolicyError", "CoverageError", "UnknownItemError", "BackendUnavailableError"}
    assert documented <= set(ipsubsidy.__all__)
    for name in ipsubsidy.__all__:
        assert getattr(ipsubsidy, name) is not None


def test_errors_share_one_root() -> None:
    for name in ("ProfileError", "PolicyError", "CoverageError", "UnknownItemError", "BackendUnavailableError"):
        assert issubclass(getattr(ipsubsidy, name), ipsubsidy.IpSubsidyError)


def test_result_json_has_the_required_keys() -> None:
    result = evaluate(PROFILE, dt.date(2022, 6, 30), backend="python")
    data = json.loads(result.model_dump_json())
    assert {"as_of", "items", "total"} <= set(data)
    assert data["as_of"] == "2022-06-30"
    assert isinstance(data["total"], str)
    assert data["items"], "an applicable document gives items"
    statuses = {status.value for status in Status}
    for item in data["items"]:
        assert {"id", "status", "amount", "units", "citation", "departments", "reasons", "missing"} <= set(item)
        assert item["status"] in statuses
        assert {"per_unit", "quantity", "subtotal"} <= set(item["amount"])
        assert {"document", "section", "quote"} <= set(item["citation"])
        assert all(isinstance(item["citation"][k], str) and item["citation"][k] for k in ("document", "section",
                                                                                           "quote"))
        for money in (item["amount"]["per_unit"], item["amount"]["subtotal"]):
            assert money is None or isinstance(money, str), "money is a string, never a float"
        assert isinstance(item["departments"], list)
        assert isinstance(item["missing"], list)
        for reason in item["reasons"]:
            assert {"zh", "en"} <= set(reason)
        for unit in item["units"]:
            assert {"collection", "index", "label"} <= set(unit)
    by_id = {item["id"]: item for item in data["items"]}
    domestic = by_id["jinzhong-2020.invention-patent-domestic"]
    assert domestic["amount"] == {"per_unit": "5000", "quantity": 1, "subtotal": "5000", "not_stated": None,
                                  "cap": None}
    assert domestic["units"] == [{"collection": "patents", "index": 0, "label": "ZL201811564288.X", "amount": "5000"}]
    assert domestic["departments"] == ["市市场监管局"]
    longmen = by_id["jinzhong-2020.longmen"]
    assert longmen["status"] == "needs_info"
    assert any("4.99%" in reason["zh"] for reason in longmen["reasons"])
    assert "finances[year=2020]" in longmen["missing"]


def test_result_round_trips_through_json() -> None:
    result = evaluate(PROFILE, dt.date(2022, 6, 30), backend="python")
    assert Result.model_validate_json(result.model_dump_json()) == result


def test_evaluator_and_evaluate_agree() -> None:
    evaluator = Evaluator(backend="python")
    try:
        one = evaluator.evaluate(PROFILE, dt.date(2022, 6, 30))
    finally:
        evaluator.close()
    assert one == evaluate(PROFILE, dt.date(2022, 6, 30), backend="python")
    assert isinstance(one.item("jinzhong-2020.invention-patent-domestic"), ItemResult)
    assert [i.id for i in one.by_status("eligible")] == [i.id for i in one.items if i.status == Status.eligible]
